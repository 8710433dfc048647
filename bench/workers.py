"""Workers on PostgreSQL: throughput with 1 and 2 workers, and the queue's overhead per document.

Compared in one run, on the same generated scans and the same PostgreSQL server (started here
from Debian's binaries): the single-process path (``ged ingest`` processing itself, one OCR
process) and the queue path (``ged ingest`` storing and enqueueing, then ``ged worker``s, one
OCR process each). CPU seconds are those of every process involved (intake included), counted
with the same subreaper accounting as bench/ocr_throughput.py.

    .venv/bin/python -m bench.workers [--pages 24] [--kind clean] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.postgres import PostgresServer, find_bindir

from .measure import Run, run
from .ocr_throughput import GED, LANGUAGES, make_pages, say


def _reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _env(home: Path, url: str, *, queued: bool) -> dict[str, str]:
    return {"GED_HOME": str(home), "GED_DATABASE_URL": url, "GED_OCR__LANGUAGES": LANGUAGES,
            "GED_OCR__WORKERS": "1", "GED_WORKERS__ENABLED": "true" if queued else "false",
            "GED_WORKERS__POLL_SECONDS": "0.2", "GED_CLASSIFICATION__MODELS_DIR": str(home.parent / "models")}


def single(folder: Path, home: Path, url: str) -> Run:
    _reset(url)
    shutil.rmtree(home, ignore_errors=True)
    env = _env(home, url, queued=False)
    run([GED, "init"], env=env)
    return run([GED, "ingest", "--json", str(folder)], env=env)


def queued(folder: Path, home: Path, url: str, workers: int) -> Run:
    """Intake then ``workers`` worker processes until the queue is empty, measured as one tree."""
    _reset(url)
    shutil.rmtree(home, ignore_errors=True)
    env = _env(home, url, queued=True)
    run([GED, "init"], env=env)
    script = (f'"{GED}" ingest --json "{folder}" >/dev/null && '
              + " & ".join(f'"{GED}" worker --idle-exit 1 >/dev/null' for _ in range(workers)) + " & wait")
    return run(["sh", "-c", script], env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--kind", choices=("clean", "noisy"), default="clean")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each method, interleaved; the best is kept")
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL absent (paquet Debian postgresql)")
    work = Path(tempfile.mkdtemp(prefix="ged-bench-workers-"))
    server = PostgresServer(bindir)
    url = server.start()
    try:
        say(f"Generating {args.pages} {args.kind} pages…")
        folder = work / "scans"
        make_pages(folder, args.pages, args.kind)
        models = work / "models"
        subprocess.run([GED, "init"], env={**os.environ, "GED_HOME": str(work / "warm"),
                                           "GED_CLASSIFICATION__MODELS_DIR": str(models)}, check=True,
                       stdout=subprocess.DEVNULL)  # trains the shared model once, outside the measures
        results: dict[str, list[Run]] = {"single": [], "1 worker": [], "2 workers": []}
        for _ in range(args.repeat):
            results["single"].append(single(folder, work / "home", url))
            results["1 worker"].append(queued(folder, work / "home", url, 1))
            results["2 workers"].append(queued(folder, work / "home", url, 2))
            time.sleep(1)
        best = {name: min(runs, key=lambda r: r.cpu) for name, runs in results.items()}
        fastest = {name: min(runs, key=lambda r: r.wall) for name, runs in results.items()}
        pages = args.pages
        say(f"\n{pages} {args.kind} A4 pages at 300 dpi, {LANGUAGES}, PostgreSQL {bindir.parent.name}, "
            f"one OCR process per ged process, best of {args.repeat}:")
        say(f"  {'path':<26} {'pages/min':>9} {'CPU-s/page':>11} {'vs single':>10}")
        for name in results:
            per_page = best[name].cpu / pages
            say(f"  {name:<26} {pages / fastest[name].wall * 60:9.1f} {per_page:11.2f} "
                f"{per_page / (best['single'].cpu / pages):9.2f}×")
        overhead = (best["1 worker"].cpu - best["single"].cpu) / pages
        say(f"\nQueue overhead: {overhead:+.3f} CPU-s per document (1 worker vs the single-process path; "
            "one document per page here), including the worker's start-up.")
        speedup = (pages / fastest["2 workers"].wall) / (pages / fastest["1 worker"].wall)
        say(f"Throughput 2 workers / 1 worker: {speedup:.2f}× on {os.cpu_count()} cores.")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
