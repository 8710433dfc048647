"""Rebuilding the embedded index: the current code against a baseline revision, on the same
installation, runs interleaved; then a rebuild killed half-way (SIGKILL) and continued.

Builds N documents through the product's models (``bench.search``'s French mail with OCR damage),
then alternates ``ged search reindex`` of the baseline's code and of the current code, ``--rounds``
times each, and prints wall time, CPU of the whole process tree and peak memory, min and median,
and the anonymous peak in each tenth of a rebuild.
Last, the current code's rebuild is killed at half its measured time and run again: the figures of
the second run are what an interruption costs.

    .venv/bin/python -m bench.reindex [--documents 100000] [--rounds 3] [--baseline 5115148]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from ged.search.embedded import REBUILD_CHECKPOINT, REBUILD_COMMIT_SECONDS

from .measure import Run, run
from .search import ROOT, build, texts

PYTHON = str(ROOT / ".venv" / "bin" / "python")
_RUN_CODE = ("import sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['ged', 'search', 'reindex']; "
             "from cli.app import main; main()")
"""The product's CLI from a given tree (first on the path, before the installed one)."""


def _command(code: Path) -> list[str]:
    return [PYTHON, "-c", _RUN_CODE, str(code)]


def _summary(name: str, runs: list[Run], documents: int) -> str:
    walls, cpus = [r.wall for r in runs], [r.cpu for r in runs]
    peaks, anon = [r.peak_tree_rss_mb for r in runs], [r.peak_tree_anon_mb for r in runs]
    return (f"{name:<10} wall {min(walls):6.1f} / {statistics.median(walls):6.1f} s "
            f"({documents / min(walls):6.0f} / {documents / statistics.median(walls):6.0f} docs/s)   "
            f"CPU {min(cpus):6.1f} / {statistics.median(cpus):6.1f} s "
            f"({documents / min(cpus):6.0f} / {documents / statistics.median(cpus):6.0f} docs/CPU-s)   "
            f"peak {min(peaks):5.0f} / {statistics.median(peaks):5.0f} MB "
            f"(anonymous {min(anon):4.0f} / {statistics.median(anon):4.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default="5115148", help="revision whose rebuild is measured beside")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ged-bench-reindex-") as folder:
        home, baseline = Path(folder) / "home", Path(folder) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            began = time.perf_counter()
            build(home, texts(args.documents, args.seed), args.seed)
            print(f"{args.documents} documents built in {time.perf_counter() - began:.0f} s")
            env = {"GED_HOME": str(home)}
            measured: dict[str, list[Run]] = {"baseline": [], "now": []}
            for _ in range(args.rounds):  # interleaved: the machine's drift falls on both alike
                for name, code in (("baseline", baseline), ("now", ROOT)):
                    result = run(_command(code), env=env, cwd=code)
                    if result.returncode != 0:
                        raise SystemExit(f"{name}: ged search reindex failed ({result.returncode})")
                    measured[name].append(result)
            print(f"\nrebuild of {args.documents} documents, min / median of {args.rounds} (whole process tree)")
            for name, runs in measured.items():
                print(_summary(name, runs, args.documents))
            print(f"\nanonymous peak (MB) in each tenth of the rebuild, median of {args.rounds}: "
                  "flat once the writer's heaps are full, or growing with the documents")
            for name, runs in measured.items():
                tenths = [statistics.median(peaks) for peaks in zip(*(r.anon_peaks(10) for r in runs), strict=True)]
                print(f"{name:<10} " + " ".join(f"{peak:4.0f}" for peak in tenths))
            half = statistics.median(r.wall for r in measured["now"]) / 2
            process = subprocess.Popen(_command(ROOT), env={**os.environ, **env}, cwd=ROOT, start_new_session=True,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(half)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            checkpoint = home / "index" / REBUILD_CHECKPOINT
            reached = json.loads(checkpoint.read_text())["after"] if checkpoint.exists() else None
            resumed = run(_command(ROOT), env=env, cwd=ROOT)
            what = (f"committed up to document {reached}; the next run continued" if reached is not None else
                    f"nothing committed yet (a rebuild commits every {REBUILD_COMMIT_SECONDS:.0f} s or so); "
                    "the next run started over")
            print(f"\nkilled after {half:.1f} s: {what} in {resumed.wall:.1f} s wall, {resumed.cpu:.1f} CPU-s "
                  f"(a full rebuild: {statistics.median(r.wall for r in measured['now']):.1f} s)")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
