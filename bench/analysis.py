"""What indexing costs per analysis chain: why the embedded rebuild stops near 2,100 docs/CPU-s.

The same texts as bench/search.py are indexed into a fresh tantivy index once per chain, with one
field each, then with the product's two fields together (``text`` stemmed with positions,
``plain`` folded with frequencies, built by ``ged.search.embedded._analyzer``); the chains run
interleaved, round after round, and each prints docs per CPU-second (the writer's threads
included) and per wall second, min and median. Nothing of the database is involved: this is
the floor the engine's analysis sets, whatever the Python around it does.

    .venv/bin/python -m bench.analysis [--documents 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Callable

import tantivy

from ged.search.embedded import _analyzer

from .search import texts

_HEAP = 128_000_000


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process: the writer's too
    return usage.ru_utime + usage.ru_stime


def _chain(*filters: tantivy.Filter) -> Callable[[], tantivy.TextAnalyzer]:
    def build() -> tantivy.TextAnalyzer:
        builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        for item in filters:
            builder = builder.filter(item)
        return builder.build()
    return build


CHAINS: dict[str, list[tuple[str, Callable[[], tantivy.TextAnalyzer] | None, str]]] = {
    # name: fields as (tokenizer, analyzer or None for a built-in one, index option)
    "tantivy default (raw baseline)": [("default", None, "position")],
    "lowercase + French stop words": [("stop", _chain(tantivy.Filter.lowercase(),
                                                      tantivy.Filter.stopword("french")), "position")],
    "lowercase + French stemmer": [("stemonly", _chain(tantivy.Filter.lowercase(),
                                                       tantivy.Filter.stemmer("french")), "position")],
    "ged `text` (stemmed, folded)": [("stem", lambda: _analyzer(stem=True), "position")],
    "ged `plain` (folded, no positions)": [("fold", lambda: _analyzer(stem=False), "freq")],
    "ged both fields": [("stem", lambda: _analyzer(stem=True), "position"),
                        ("fold", lambda: _analyzer(stem=False), "freq")],
}


def index_once(bodies: list[str], fields: list[tuple[str, Callable[[], tantivy.TextAnalyzer] | None, str]],
               threads: int) -> tuple[float, float]:
    builder = tantivy.SchemaBuilder()
    for number, (tokenizer, _, option) in enumerate(fields):
        builder.add_text_field(f"f{number}", stored=False, tokenizer_name=tokenizer, index_option=option)
    with tempfile.TemporaryDirectory() as folder:
        index = tantivy.Index(builder.build(), path=folder)
        for tokenizer, make, _ in fields:
            if make is not None:
                index.register_tokenizer(tokenizer, make())
        writer = index.writer(heap_size=_HEAP, num_threads=threads)
        cpu, wall = _cpu(), time.perf_counter()
        for body in bodies:
            document = tantivy.Document()
            for number in range(len(fields)):
                document.add_text(f"f{number}", body)
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        return _cpu() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="the writer's indexing threads")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    bodies = texts(args.documents, args.seed)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in CHAINS}
    for _ in range(args.rounds):
        for name, fields in CHAINS.items():
            runs[name].append(index_once(bodies, fields, args.threads))
    print(f"{args.documents} documents, {args.rounds} rounds, {args.threads} writer threads "
          "(best / median: the fastest run is the least disturbed)")
    print(f"{'chain':40} {'docs/CPU-s':>20} {'docs/s wall':>20}")
    for name, samples in runs.items():
        per_cpu = sorted(args.documents / cpu for cpu, _ in samples)
        per_wall = sorted(args.documents / wall for _, wall in samples)
        print(f"{name:40} {per_cpu[-1]:>9,.0f} / {statistics.median(per_cpu):>8,.0f} "
              f"{per_wall[-1]:>9,.0f} / {statistics.median(per_wall):>8,.0f}")


if __name__ == "__main__":
    main()
