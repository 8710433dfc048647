"""Raw tantivy, the baseline of bench/search.py: the same texts and queries, nothing of the product.

One stored text field with tantivy's default tokenizer, the filter fields as raw fast fields,
the writer's default settings; queries through tantivy's own parser plus the same filters,
ten hits fetched, counted. Run as its own process so that it is measured like the product.

    python -m bench.raw_tantivy index INDEX_DIR TEXTS.jsonl
    python -m bench.raw_tantivy query INDEX_DIR QUERIES.json ROUNDS   (prints CPU/wall samples, JSON)
    python -m bench.raw_tantivy once INDEX_DIR WORD                   (a cold query)
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

FILTERS = ("doc_type", "service", "state")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("text", stored=True)
    for name in FILTERS:
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    builder.add_date_field("received_at", stored=True, indexed=True, fast=True)
    return builder.build()


def index(folder: Path, texts: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    built = tantivy.Index(_schema(), path=str(folder))
    writer = built.writer()
    with texts.open() as stream:
        for line in stream:
            row = json.loads(line)
            document = tantivy.Document()
            document.add_unsigned("id", row["id"])
            for name in ("text", *FILTERS):
                document.add_text(name, row[name])
            document.add_date("received_at", datetime.fromisoformat(row["received_at"]).replace(tzinfo=UTC))
            writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()


def _query(built: tantivy.Index, schema: tantivy.Schema, spec: dict[str, Any]) -> tantivy.Query:
    parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
    text = spec["text"].strip()
    if text:
        parsed, _errors = built.parse_query_lenient(text, ["text"])
        parts.append((tantivy.Occur.Must, parsed))
    for name, key in (("doc_type", "doc_types"), ("service", "services"), ("state", "states")):
        if spec.get(key):
            parts.append((tantivy.Occur.Must, tantivy.Query.term_set_query(schema, name, spec[key])))
    if spec.get("from"):
        parts.append((tantivy.Occur.Must, tantivy.Query.range_query(
            schema, "received_at", tantivy.FieldType.Date, datetime.fromisoformat(spec["from"]).replace(tzinfo=UTC),
            datetime.fromisoformat(spec["to"]).replace(tzinfo=UTC))))
    if not parts:
        parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(parts)


def query(folder: Path, queries: Path, rounds: int) -> None:
    built = tantivy.Index.open(str(folder))
    schema, searcher = built.schema, built.searcher()
    specs = json.loads(queries.read_text())
    samples: dict[str, list[float]] = {"query (CPU)": [], "query (wall)": []}
    for _ in range(rounds):
        for spec in specs:
            cpu, wall = time.process_time(), time.perf_counter()
            result = searcher.search(_query(built, schema, spec), limit=10, count=True)
            [searcher.doc(address) for _, address in result.hits]
            samples["query (CPU)"].append(time.process_time() - cpu)
            samples["query (wall)"].append(time.perf_counter() - wall)
    print(json.dumps(samples))


def once(folder: Path, word: str) -> None:
    built = tantivy.Index.open(str(folder))
    searcher = built.searcher()
    result = searcher.search(built.parse_query_lenient(word, ["text"])[0], limit=10, count=True)
    print(result.count, [searcher.doc(address)["id"][0] for _, address in result.hits])


if __name__ == "__main__":
    mode, folder = sys.argv[1], Path(sys.argv[2])
    if mode == "index":
        index(folder, Path(sys.argv[3]))
    elif mode == "query":
        query(folder, Path(sys.argv[3]), int(sys.argv[4]))
    else:
        once(folder, sys.argv[3])
