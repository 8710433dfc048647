"""Fixity at store scale: ``ged audit fixity`` against ``sha256sum`` on the same files, in one run.

Builds an installation of N stored files written through the product's models (a document row
and its ``files`` row each, random bytes of scan-like sizes: log-normal around 150 KB, capped
at 4 MB), then runs, interleaved and repeated, the full fixity check as a user runs it (a cold
``ged audit fixity --restart`` process) and the baseline: coreutils' ``sha256sum`` over the same
files, two processes in parallel (the machine's two cores, as the product's two hashing
threads). Prints wall, CPU of the whole process tree, MB/s and peak RSS; memory is shown at two
store sizes to show that it does not grow with N. The page cache is warm (this machine does not
let a benchmark drop it): the figures are hashing speed, what the disk adds is the disk's.

    .venv/bin/python -m bench.fixity [--files 10000] [--small 2500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
from datetime import datetime
from pathlib import Path

from .measure import Run, run

GED = str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "ged")


def build(home: Path, count: int, seed: int) -> int:
    """An initialised installation holding ``count`` stored originals; returns their total size."""
    os.environ["GED_HOME"] = str(home)
    from ged.context import Context
    from ged.db.models import Document, DocumentState, FileRole, StoredFile
    from ged.services.setup import init_home
    from ged.settings import load_settings

    init_home(home)
    with Context.open(load_settings(home=home)) as ctx:
        rng = random.Random(seed)
        total = 0
        received = datetime(2026, 1, 5, 9, 0)
        for start in range(0, count, 500):
            with ctx.db.session() as session:
                for _ in range(start, min(start + 500, count)):
                    size = min(int(rng.lognormvariate(11.9, 0.8)), 4 << 20)
                    stored = ctx.blobs.put_bytes(rng.randbytes(size))
                    total += stored.size
                    document = Document(sha256=stored.sha256, filename="scan.pdf", size=stored.size,
                                        state=DocumentState.PROCESSED, received_at=received,
                                        media_type="application/pdf")
                    session.add(document)
                    session.flush()
                    session.add(StoredFile(document_id=document.id, role=FileRole.ORIGINAL, sha256=stored.sha256,
                                           size=stored.size, media_type="application/pdf", created_at=received))
    return total


def product(home: Path) -> Run:
    return run([GED, "audit", "fixity", "--restart", "--json"], env={"GED_HOME": str(home)})


def baseline(home: Path) -> Run:
    blobs = home / "blobs"
    return run(["sh", "-c", f"find {blobs} -mindepth 3 -type f -not -path '*/incoming/*' -print0 "
                            "| xargs -0 -P2 -n 200 sha256sum > /dev/null"])


def _line(name: str, runs: list[Run], size: int) -> str:
    walls = sorted(r.wall for r in runs)
    cpus = sorted(r.cpu for r in runs)
    rates = [size / 1e6 / w for w in walls]
    return (f"{name:<34} wall min {walls[0]:6.2f} s  med {statistics.median(walls):6.2f} s   "
            f"CPU min {cpus[0]:6.2f} s  med {statistics.median(cpus):6.2f} s   "
            f"{max(rates):6.0f} MB/s best, {statistics.median(rates):6.0f} median   "
            f"peak RSS {max(r.peak_tree_rss_mb for r in runs):5.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=2_500, help="a smaller store, to compare memory")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ged-bench-fixity-") as folder:
        results: dict[str, list[Run]] = {}
        sizes: dict[int, int] = {}
        homes = {}
        for count in (args.small, args.files):
            homes[count] = Path(folder) / f"home-{count}"
            sizes[count] = build(homes[count], count, seed=count)
            print(f"store of {count} files: {sizes[count] / 1e9:.2f} GB")
        for round_number in range(args.repeat):  # interleaved: drift hits both sides alike
            for count, home in homes.items():
                results.setdefault(f"ged audit fixity, {count} files", []).append(product(home))
                results.setdefault(f"sha256sum -P2, {count} files", []).append(baseline(home))
            print(f"round {round_number + 1}/{args.repeat} done")
        for name, runs in results.items():
            count = int(name.split(", ")[1].split()[0])
            print(_line(name, runs, sizes[count]))
        failed = [r.returncode for runs in results.values() for r in runs if r.returncode != 0]
        if failed:
            print(f"! {len(failed)} run(s) failed: {failed}")


if __name__ == "__main__":
    main()
