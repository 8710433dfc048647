"""Search at scale: the product against raw tantivy on the same texts, in one run.

Builds an installation of N documents through the product's models (French municipal mail of
150–600 words: a letterhead of its own, with sender, address, date, reference and amount, then
the generated corpus's sentences; 3 % of words damaged as OCR damages them; spread over types,
services, states and seven years), runs ``ged search reindex`` as a
cold process, then a fixed set of 320 queries (single words, 2–3 words, phrases, filters by
type, service, state and dates, exclusions, OCR typos, prefixes) in process, part by part
(the ranked page with its count and the query building, one aggregation pass for the facets, the
hits with their snippets), and as cold CLI runs. Raw tantivy indexes
the same texts (one stored text field, the default tokenizer, the same filter fields) and runs
the same queries in a process of its own: the baseline, measured the same way.

    .venv/bin/python -m bench.search [--documents 10000] [--cold 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .measure import Run, run

ROOT = Path(__file__).resolve().parent.parent
GED = str(ROOT / ".venv" / "bin" / "ged")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PACKAGES = ("ged", "cli", "ocr", "classifiers", "archivage", "robots", "web", "bench")
_STATES = (("traite", 70), ("valide", 15), ("a_verifier", 10), ("archive", 5))
_OCR = (("e", "c"), ("m", "rn"), ("l", "1"), ("é", "e"), ("o", "0"), ("i", "l"), ("a", "à"), ("n", "u"))
_WORD = re.compile(r"[^\W\d_]{4,}")


# -- the texts -------------------------------------------------------------------------------------
def sentences(seed: int) -> list[str]:
    """A pool of French sentences of municipal mail, from the generated corpus."""
    from classifiers.corpus import generate

    pool = []
    for sample in generate(40, seed=seed):
        pool += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", sample.text) if len(s.split()) >= 4]
    return sorted(set(pool))


def damage(text: str, rng: random.Random, rate: float = 0.03) -> str:
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) > 3 and rng.random() < rate:
            old, new = rng.choice(_OCR)
            words[index] = word.replace(old, new, 1) if old in word else word[:-1]
    return " ".join(words)


def letterhead(rng: random.Random) -> str:
    """What makes each letter's words partly its own: its sender, address, telephone, e-mail, date,
    reference and amount. Without it, a million letters drawn from a pool of sentences held some
    13,000 distinct runs between spaces, where a commune's archive holds its people's names and
    every letter a reference of its own."""
    from classifiers.corpus import people, vocab

    sender = people.person(rng)
    sent = people.written(people.day(rng, start=datetime(2019, 1, 1).date(), span_days=7 * 365), rng)
    reference = (f"{rng.choice(('Réf.', 'N/Réf.', 'V/Réf.', 'Dossier'))} "
                 f"{rng.choice(('VOI', 'URB', 'ETC', 'SCO', 'FIN', 'CAB'))}-{rng.randint(2019, 2026)}-"
                 f"{rng.randint(1, 99_999):05d}")
    return (f"{sender.formal} {sender.address} Tél. {sender.phone} {sender.email} "
            f"{rng.choice(vocab.TOWNS)[1]}, le {sent}. {reference}. "
            f"Montant : {people.amount(rng.uniform(10, 20_000))}.")


def texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = sentences(seed)
    made = []
    for _ in range(count):
        target, words, parts = rng.randint(150, 600), 0, [letterhead(rng)]
        while words < target:
            sentence = rng.choice(pool)
            parts.append(sentence)
            words += len(sentence.split())
        made.append(damage(" ".join(parts), rng))
    return made


# -- the installation ------------------------------------------------------------------------------
def build(home: Path, bodies: list[str], seed: int) -> list[dict[str, Any]]:
    """Documents and their pages written through the product's models, 2,000 to a transaction;
    returns what the baseline indexes of each (text and filter fields)."""
    os.environ["GED_HOME"] = str(home)
    from sqlalchemy import insert

    from ged.context import Context
    from ged.db.models import Document, Page
    from ged.services.setup import init_home
    from ged.settings import load_settings

    init_home(home)
    with Context.open(load_settings(home=home)) as ctx:
        types = {code: t.service for code, t in ctx.settings.types.items()}
        rng = random.Random(seed)
        states = [s for s, weight in _STATES for _ in range(weight)]
        start = datetime(2019, 1, 1, 8, 0)
        baseline = []
        for first in range(0, len(bodies), 2000):
            chunk = bodies[first:first + 2000]
            documents, pages = [], []
            for offset, body in enumerate(chunk):
                number = first + offset + 1
                doc_type = rng.choice(list(types))
                words = body.split(" ")
                cut = sorted(rng.sample(range(1, len(words)), rng.randint(0, 2)))
                bounds = [0, *cut, len(words)]
                documents.append({"id": number, "sha256": f"{number:064x}", "filename": f"courrier-{number:06d}.pdf",
                                  "media_type": "application/pdf", "size": len(body), "state": rng.choice(states),
                                  "page_count": len(bounds) - 1, "doc_type": doc_type, "service": types[doc_type],
                                  "received_at": start + timedelta(minutes=rng.randrange(7 * 365 * 24 * 60)),
                                  "attributes": {}})
                pages += [{"document_id": number, "number": i + 1, "source": "ocr", "text": " ".join(words[a:b]),
                           "words": [], "rotation": 0, "skew": 0.0, "width_pt": 595.0, "height_pt": 842.0}
                          for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))]
            with ctx.db.session() as session:
                session.execute(insert(Document), documents)
                session.execute(insert(Page), pages)
            baseline += [{"id": d["id"], "text": body, "doc_type": d["doc_type"], "service": d["service"],
                          "state": d["state"], "received_at": d["received_at"].isoformat()}
                         for d, body in zip(documents, chunk, strict=True)]
    return baseline


# -- the queries -----------------------------------------------------------------------------------
def queries(bodies: list[str], seed: int) -> list[dict[str, Any]]:
    """320 queries of the kinds users type, drawn from the texts' own vocabulary."""
    from ged.taxonomy import DEFAULT_TYPES

    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for body in bodies[:3000]:
        for word in _WORD.findall(body.lower()):
            counts[word] = counts.get(word, 0) + 1
    common = sorted((w for w, c in counts.items() if c >= 20), key=lambda w: (-counts[w], w))[:400]
    rare = sorted(w for w, c in counts.items() if 2 <= c < 20)
    types = sorted(DEFAULT_TYPES)
    services = sorted({t["service"] for t in DEFAULT_TYPES.values()})
    made: list[dict[str, Any]] = []
    made += [{"kind": "1 mot", "text": rng.choice(common if i % 3 else rare)} for i in range(100)]
    made += [{"kind": "2–3 mots", "text": " ".join(rng.sample(common, rng.randint(2, 3)))} for _ in range(60)]
    for _ in range(40):
        words = rng.choice(bodies).split(" ")
        at = rng.randrange(len(words) - 3)
        made.append({"kind": "expression", "text": '"' + " ".join(words[at:at + rng.randint(2, 3)]) + '"'})
    for i in range(50):
        query: dict[str, Any] = {"kind": "filtres", "text": rng.choice(common) if i % 5 else ""}
        if i % 2 == 0:
            query["doc_types"] = [rng.choice(types)]
        if i % 3 == 0:
            query["services"] = [rng.choice(services)]
        if i % 4 == 0:
            query["states"] = ["traite"]
        if i % 2 == 1:
            year = rng.randint(2019, 2025)
            query["from"], query["to"] = f"{year}-01-01", f"{year}-06-30"
        made.append(query)
    made += [{"kind": "exclusion", "text": f"{rng.choice(common)} -{rng.choice(common)}"} for _ in range(20)]
    made += [{"kind": "faute OCR", "text": damage(rng.choice([w for w in common if len(w) > 6]), rng, rate=1.0)}
             for _ in range(30)]
    made += [{"kind": "préfixe", "text": rng.choice([w for w in common if len(w) > 7])[:rng.randint(4, 6)] + "*"}
             for _ in range(20)]
    return made


def request_of(query: dict[str, Any]) -> Any:
    from ged.search import SearchRequest

    def day(value: str | None) -> datetime | None:
        return datetime.strptime(value, "%Y-%m-%d") if value else None

    return SearchRequest(text=query["text"], doc_types=frozenset(query.get("doc_types", ())),
                         services=frozenset(query.get("services", ())), states=frozenset(query.get("states", ())),
                         received_from=day(query.get("from")), received_to=day(query.get("to")), limit=10)


# -- measuring in process --------------------------------------------------------------------------
class Parts:
    """CPU seconds of each part of a query, by wrapping the engine's own steps."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            begin = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[name] = self.spent.get(name, 0.0) + time.process_time() - begin
        return timed


def product_in_process(home: Path, made: list[dict[str, Any]], rounds: int) -> dict[str, list[float]]:
    os.environ["GED_HOME"] = str(home)
    from ged.context import Context
    from ged.services import search as search_service
    from ged.settings import load_settings

    with Context.open(load_settings(home=home)) as ctx:
        engine = ctx.search
        parts = Parts()
        for name in ("_facets", "_hit"):
            if hasattr(engine, name):
                setattr(engine, name, parts.wrap(name, getattr(engine, name)))
        samples: dict[str, list[float]] = {"query (CPU)": [], "query (wall)": [], "facets": [],
                                           "hits + snippets": [], "ranked page": []}
        for query in made[:20]:  # warm the searcher and the page cache, as a running server is
            search_service.search(ctx, request_of(query))
        for _ in range(rounds):
            for query in made:
                parts.spent = {}
                cpu, wall = time.process_time(), time.perf_counter()
                search_service.search(ctx, request_of(query))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                samples["query (CPU)"].append(cpu)
                samples["query (wall)"].append(wall)
                samples["facets"].append(parts.spent.get("_facets", 0.0))
                samples["hits + snippets"].append(parts.spent.get("_hit", 0.0))
                samples["ranked page"].append(cpu - parts.spent.get("_facets", 0.0) - parts.spent.get("_hit", 0.0))
    return samples


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return f"{at(0.5):7.2f} {at(0.95):7.2f} {at(0.99):7.2f}"


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--cold", type=int, default=5, help="cold CLI runs of each kind")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the 320 queries in process")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ged-bench-search-") as folder:
        home, raw = Path(folder) / "home", Path(folder) / "raw"
        began = time.perf_counter()
        bodies = texts(args.documents, args.seed)
        baseline = build(home, bodies, args.seed)
        made = queries(bodies, args.seed)
        dump = Path(folder) / "texts.jsonl"
        with dump.open("w") as stream:
            for row in baseline:
                stream.write(json.dumps(row) + "\n")
        (Path(folder) / "queries.json").write_text(json.dumps(made))
        print(f"{args.documents} documents and {len(made)} queries made in {time.perf_counter() - began:.0f} s")
        env = {"GED_HOME": str(home)}
        reindex = run([GED, "search", "reindex"], env=env)
        raw_index = run([PYTHON, "-m", "bench.raw_tantivy", "index", str(raw), str(dump)])
        n = args.documents
        print(f"\nreindex       ged: {n / reindex.wall:7.0f} docs/s, {n / reindex.cpu:7.0f} docs/CPU-s, "
              f"peak {reindex.peak_tree_rss_mb:5.0f} MB (anonymous {reindex.peak_tree_anon_mb:4.0f}), "
              f"index {_size(home / 'index') / 1e6:6.1f} MB")
        print(f"              raw: {n / raw_index.wall:7.0f} docs/s, {n / raw_index.cpu:7.0f} docs/CPU-s, "
              f"peak {raw_index.peak_tree_rss_mb:5.0f} MB (anonymous {raw_index.peak_tree_anon_mb:4.0f}), "
              f"index {_size(raw) / 1e6:6.1f} MB")
        samples = product_in_process(home, made, args.rounds)
        raw_samples = json.loads(subprocess.run(
            [PYTHON, "-m", "bench.raw_tantivy", "query", str(raw), str(Path(folder) / "queries.json"),
             str(args.rounds)], check=True, capture_output=True, text=True).stdout)
        print(f"\nin process, {len(made)} queries × {args.rounds}, ms      p50     p95     p99")
        for name, values in samples.items():
            print(f"  ged {name:<24} {_percentiles(values)}")
        for name, values in raw_samples.items():
            print(f"  raw tantivy {name:<16} {_percentiles(values)}")
        by_kind: dict[str, list[float]] = {}
        for query, cpu in zip(made * args.rounds, samples["query (CPU)"], strict=True):
            by_kind.setdefault(query["kind"], []).append(cpu)
        for kind, values in by_kind.items():
            print(f"    {kind:<16} {_percentiles(values)}")
        # An installation has its bytecode (pip writes it at install; an editable install at first
        # import, unless PYTHONDONTWRITEBYTECODE is set, as on this machine's shells): without it,
        # each cold run would compile the project's modules again (≈ 25 ms).
        subprocess.run([PYTHON, "-m", "compileall", "-q", *(str(ROOT / p) for p in PACKAGES)], check=True,
                       stdout=subprocess.DEVNULL)
        cold: dict[str, list[Run]] = {"ged search": [], "ged --help": [], "raw tantivy query": []}
        words = [q["text"] for q in made if q["kind"] == "1 mot"]
        for index in range(args.cold):  # interleaved
            cold["ged search"].append(run([GED, "search", words[index]], env=env))
            cold["ged --help"].append(run([GED, "--help"], env=env))
            cold["raw tantivy query"].append(run([PYTHON, "-m", "bench.raw_tantivy", "once", str(raw),
                                                  words[index]]))
        print("\ncold processes        CPU-s min  median    wall min  median")
        for name, runs in cold.items():
            cpus, walls = [r.cpu for r in runs], [r.wall for r in runs]
            print(f"  {name:<20} {min(cpus):8.3f} {statistics.median(cpus):7.3f}   {min(walls):8.3f} "
                  f"{statistics.median(walls):7.3f}")
        failed = [r.returncode for r in [reindex, raw_index, *(r for rs in cold.values() for r in rs)] if r.returncode]
        if failed:
            print(f"! failed runs: {failed}", file=sys.stderr)


if __name__ == "__main__":
    main()
