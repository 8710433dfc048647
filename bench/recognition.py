"""Recognition on mail the training never saw: type, fields and review, through ``ged ingest``.

Builds (or reuses) the evaluation corpus of ``bench.mail``, ingests it into a fresh home with
the whole product path (OCR, orientation, typing, fields), reads back each document's type,
state and fields, and prints type accuracy and macro-F1, a per-type table, the confusion
matrix, field precision/recall/F1 per field and per type, everything sliced by render mode and
by genre, the review rate, the rate of wrong types that escaped review, and CPU-s per page
(the whole process tree, fork server included).

``--baseline REV`` runs the code of a git revision on the same corpus in the same run (from a
temporary worktree, same virtual environment), so that before and after sit side by side.

    .venv/bin/python -m bench.recognition                   # 320 documents
    .venv/bin/python -m bench.recognition --baseline HEAD~5 --scale 0.5
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.mail import DEV_SEED, EVAL_SEED, Entry, build, load
from bench.mail.score import Counts, Outcome, Report
from bench.measure import Run, run
from ged.states import DocumentState

ROOT = Path(__file__).resolve().parent.parent
TYPES = ("etat_civil", "urbanisme", "voirie", "scolaire", "facture", "subvention", "reclamation", "autre")
_LAUNCH = "import sys; sys.argv[0] = 'ged'; from cli.app import run; run()"


def _ged(code: Path) -> list[str]:
    return [sys.executable, "-c", _LAUNCH] if code != ROOT else [str(ROOT / ".venv/bin/ged")]


def ingest(code: Path, corpus: Path, home: Path) -> tuple[Run, int]:
    """``ged init`` then ``ged ingest`` of the corpus with the code in ``code``; the ingest's run and pages."""
    shutil.rmtree(home, ignore_errors=True)
    env = {"GED_HOME": str(home), "PYTHONPATH": str(code)}
    subprocess.run(_ged(code) + ["init"], env={**os.environ, **env}, cwd=code, check=True, capture_output=True)
    measured = run(_ged(code) + ["ingest", "--json", str(corpus / "files")], env=env, cwd=code)
    with sqlite3.connect(home / "ged.sqlite3") as db:
        pages = db.execute("SELECT COALESCE(SUM(page_count), 0) FROM documents").fetchone()[0]
    return measured, int(pages)


def outcomes(home: Path) -> dict[str, Outcome]:
    with sqlite3.connect(home / "ged.sqlite3") as db:
        documents = db.execute("SELECT id, filename, doc_type, state FROM documents").fetchall()
        fields: dict[int, dict] = {}
        for document_id, code, value in db.execute("SELECT document_id, code, value FROM fields"):
            fields.setdefault(document_id, {})[code] = json.loads(value) if isinstance(value, str) else value
    return {name: Outcome(doc_type, DocumentState(state) is DocumentState.NEEDS_REVIEW, fields.get(i, {}))
            for i, name, doc_type, state in documents}


def score(corpus: Path, home: Path, keep: Callable[[Entry], bool] = lambda entry: True) -> Report:
    """The report over the corpus's documents that ``keep`` selects (all by default)."""
    found = outcomes(home)
    report = Report(TYPES)
    for entry in filter(keep, load(corpus)):
        outcome = found.get(entry.file, Outcome(None, True, {}))
        report.add(entry.doc_type, entry.fields, outcome, mode=entry.mode, genre=entry.genre)
    return report


def _pct(value: float) -> str:
    return f"{value:.3f}"


def _typed(entry: Entry) -> bool:
    return entry.mode != "handwritten"


def _typed_form(entry: Entry) -> bool:
    return entry.mode != "handwritten" and entry.genre == "form"


def print_summary(reports: dict[str, Report], runs: dict[str, tuple[Run, int]],
                  slices: dict[str, dict[str, Report]]) -> None:
    names = list(reports)
    print("\n## Summary (" + " | ".join(names) + ")")
    head = "| measure | " + " | ".join(names) + " |"
    print(head + "\n|" + "---|" * (len(names) + 1))
    rows = [("documents", lambda r: str(r.size)), ("type accuracy", lambda r: _pct(r.accuracy)),
            ("type macro-F1", lambda r: _pct(r.macro_f1)),
            ("field precision", lambda r: _pct(r.field_totals()["all"].precision)),
            ("field recall", lambda r: _pct(r.field_totals()["all"].recall)),
            ("field F1", lambda r: _pct(r.field_totals()["all"].f1)),
            ("review rate", lambda r: _pct(r.review_rate)),
            ("wrong type without review", lambda r: _pct(r.wrong_unreviewed))]
    for label, get in rows:
        print(f"| {label} | " + " | ".join(get(reports[n]) for n in names) + " |")
    for label, parts in slices.items():
        print(f"| field F1, {label} | " + " | ".join(_pct(parts[n].field_totals()["all"].f1) for n in names) + " |")
    print("| CPU-s per page (process tree) | " + " | ".join(
        f"{runs[n][0].cpu / max(1, runs[n][1]):.2f}" for n in names) + " |")


def print_slices(reports: dict[str, Report], key: str) -> None:
    names = list(reports)
    groups = sorted({g for r in reports.values() for g in r.by(key)})
    print(f"\n## By {key}: type macro-F1 / field F1 / review rate / wrong without review (" + " | ".join(names) + ")")
    print(f"| {key} | n | " + " | ".join(names) + " |\n|" + "---|" * (len(names) + 2))
    for group in groups:
        cells = []
        size = 0
        for n in names:
            part = reports[n].by(key).get(group)
            if part is None:
                cells.append("—")
                continue
            size = part.size
            f = part.field_totals()["all"] if any(part.fields) else Counts()
            cells.append(f"{part.macro_f1:.2f} / {f.f1:.2f} / {part.review_rate:.2f} / {part.wrong_unreviewed:.2f}")
        print(f"| {group} | {size} | " + " | ".join(cells) + " |")


def print_types(report: Report, name: str) -> None:
    print(f"\n## Per type ({name}): precision / recall / F1 of the type; field P / R / F1")
    print("| type | n | type P | type R | type F1 | field P | field R | field F1 |\n|---|---|---|---|---|---|---|---|")
    fields = report.field_totals("type")
    for label, c in report.per_type().items():
        f = fields.get(label, Counts())
        print(f"| {label} | {c.tp + c.fn} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} | "
              f"{f.precision:.2f} | {f.recall:.2f} | {f.f1:.2f} |")
    print(f"\n## Confusion ({name}; rows: truth, columns: predicted, last column: none)")
    short = [t[:6] for t in TYPES]
    print("| truth \\ predicted | " + " | ".join(short) + " | none |\n|" + "---|" * (len(TYPES) + 2))
    for label, row in zip(TYPES, report.confusion(), strict=True):
        print(f"| {label} | " + " | ".join(str(v) for v in row) + " |")


def print_fields(reports: dict[str, Report]) -> None:
    names = list(reports)
    keys = sorted({k for r in reports.values() for k in r.field_totals("field")})
    print("\n## Per field: P / R / F1 (tp, fp, fn) (" + " | ".join(names) + ")")
    print("| field | " + " | ".join(names) + " |\n|" + "---|" * (len(names) + 1))
    for key in keys:
        if key.split(".")[0] not in TYPES:
            continue
        cells = []
        for n in names:
            c = reports[n].field_totals("field").get(key, Counts())
            cells.append(f"{c.precision:.2f} / {c.recall:.2f} / {c.f1:.2f} ({c.tp}, {c.fp}, {c.fn})")
        print(f"| {key} | " + " | ".join(cells) + " |")


def _generator_version() -> str:
    """A digest of the mail generator's code: a corpus built by an older generator is never reused."""
    digest = hashlib.sha256()
    for source in sorted((ROOT / "bench" / "mail").glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "ged-recognition-mail")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 320 documents (tests: 0.1)")
    parser.add_argument("--dev", action="store_true",
                        help=f"the development corpus (seed {DEV_SEED}) instead of the evaluation one ({EVAL_SEED})")
    parser.add_argument("--baseline", help="git revision whose code runs on the same corpus, in the same run")
    parser.add_argument("--keep", type=Path, help="keep the installations in this folder")
    args = parser.parse_args()
    seed = DEV_SEED if args.dev else EVAL_SEED
    corpus = args.corpus.with_name(f"{args.corpus.name}-{seed}-{args.scale:g}-{_generator_version()}")
    if not (corpus / "truth.json").exists():
        print(f"Building the {'development' if args.dev else 'evaluation'} corpus in {corpus} …", flush=True)
        build(corpus, seed=seed, scale=args.scale)
    entries = load(corpus)
    scans = sum(e.mode != "born_digital" for e in entries)
    print(f"{len(entries)} documents, {scans} scans ({scans / len(entries):.0%}), "
          f"{sum(e.doc_type == 'autre' for e in entries)} autre")
    work = args.keep or Path(tempfile.mkdtemp(prefix="ged-recognition-"))
    variants: dict[str, Path] = {}
    if args.baseline:
        tree = work / "baseline-code"
        if not tree.exists():
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.baseline], cwd=ROOT, check=True,
                           capture_output=True)
        variants[f"before ({args.baseline})"] = tree
    variants["now"] = ROOT
    reports: dict[str, Report] = {}
    slices: dict[str, dict[str, Report]] = {}
    runs: dict[str, tuple[Run, int]] = {}
    try:
        for name, code in variants.items():
            print(f"Ingesting with {name} …", flush=True)
            home = work / f"home-{len(reports)}"
            runs[name] = ingest(code, corpus, home)
            reports[name] = score(corpus, home)
            slices.setdefault(f"all but handwriting ({sum(map(_typed, entries))})", {})[name] = \
                score(corpus, home, _typed)
            slices.setdefault(f"typed forms ({sum(map(_typed_form, entries))})", {})[name] = \
                score(corpus, home, _typed_form)
    finally:
        if args.baseline and not args.keep:
            subprocess.run(["git", "worktree", "remove", "--force", str(work / "baseline-code")], cwd=ROOT,
                           capture_output=True)
    print_summary(reports, runs, slices)
    print_slices(reports, "mode")
    print_slices(reports, "genre")
    for name, report in reports.items():
        print_types(report, name)
    print_fields(reports)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
