"""Torture test of the mail-room daemon: files dropped while the daemon is killed and restarted.

    .venv/bin/python -m bench.watch_torture [--files 500] [--min-kills 10] [--seed 1] [--workdir bench/out/torture]

A writer process drops N files into a watched folder: some written slowly over seconds, some
moved in, some the same bytes as an earlier one, some corrupt. Meanwhile the daemon's whole
process group is killed with SIGKILL at random moments (as a power cut would) and restarted.
At the end every dropped file's SHA-256 must be stored exactly once (as a document, or in
quarantine), none twice, none missing, no partial file ever stored, and every dropped file
filed exactly once beside the inbox. Prints the counts; exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from ged.states import DocumentState

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_LETTER = 5  # demande_subvention: a born-digital letter, so that the test measures the daemon, not OCR


@dataclass(frozen=True)
class Drop:
    name: str
    data: bytes
    how: str  # "slow", "move", "copy"


def plan_drops(count: int, seed: int, template: bytes) -> list[Drop]:
    rng = random.Random(seed)
    drops: list[Drop] = []
    for index in range(count):
        kind = rng.random()
        if kind < 0.1 and drops:
            data = rng.choice(drops).data  # the same letter scanned twice
        elif kind < 0.18:
            data = template[: rng.randrange(200, len(template) // 2)]  # truncated: corrupt
        else:
            data = template.replace(b"/Producer", f"/Keywords (lot {seed} n {index}) /Producer".encode(), 1)
        how = rng.choices(["slow", "move", "copy"], weights=[2, 4, 4])[0]
        drops.append(Drop(f"courrier-{index:04d}.pdf", data, how))
    return drops


def _write(drops: list[Drop], inbox: str, staging: str, seed: int) -> None:
    """The writer process: scanners and copies dropping files."""
    rng = random.Random(seed + 1)
    for drop in drops:
        target = Path(inbox) / drop.name
        if drop.how == "move":
            temporary = Path(staging) / drop.name
            temporary.write_bytes(drop.data)
            os.rename(temporary, target)
        elif drop.how == "slow":
            with target.open("wb") as stream:
                step = max(1, len(drop.data) // 8)
                for start in range(0, len(drop.data), step):
                    stream.write(drop.data[start:start + step])
                    stream.flush()
                    time.sleep(rng.uniform(0.05, 0.25))
        else:
            target.write_bytes(drop.data)
        time.sleep(rng.uniform(0.0, 0.05))


def _start_daemon(inbox: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from cli.app import main; main()", "watch", str(inbox)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _kill(daemon: subprocess.Popen[bytes]) -> None:
    """SIGKILL the daemon, its fork server and every worker: nothing gets to clean up."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(daemon.pid, signal.SIGKILL)
    daemon.wait()


def _waiting(inbox: Path) -> list[Path]:
    outputs = {"done", "quarantine", "duplicates"}
    return [p for p in inbox.rglob("*") if p.is_file() and p.relative_to(inbox).parts[0] not in outputs]


@dataclass
class Outcome:
    dropped: int
    distinct: int
    kills: int
    stored: int
    quarantined: int
    filed: dict[str, int]
    missing: int
    duplicated: int
    partial: int
    unfiled: int
    seconds: float

    @property
    def passed(self) -> bool:
        return (self.missing == 0 and self.duplicated == 0 and self.partial == 0 and self.unfiled == 0
                and sum(self.filed.values()) == self.dropped)


def run_torture(files: int, min_kills: int, workdir: Path, seed: int = 1, *,
                kill_every: tuple[float, float] = (1.5, 4.0)) -> Outcome:
    shutil.rmtree(workdir, ignore_errors=True)
    home, inbox, staging = workdir / "home", workdir / "inbox", workdir / "staging"
    for folder in (inbox, staging):
        folder.mkdir(parents=True)
    env = {**os.environ, "GED_HOME": str(home), "GED_WATCH__SETTLE_SECONDS": "1", "GED_OCR__WORKERS": "2"}
    for name in [n for n in env if n.startswith("GED_") and n not in
                 ("GED_HOME", "GED_WATCH__SETTLE_SECONDS", "GED_OCR__WORKERS")]:
        del env[name]
    subprocess.run([sys.executable, "-c", "from cli.app import main; main()", "init"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    from examples import render
    from examples.letters import LETTERS

    render.born_digital_pdf(LETTERS[TEMPLATE_LETTER], staging / "modele.pdf")
    with pikepdf.open(staging / "modele.pdf") as pdf:
        pdf.docinfo["/Producer"] = "torture"
        pdf.save(staging / "modele-2.pdf")
    template = (staging / "modele-2.pdf").read_bytes()
    drops = plan_drops(files, seed, template)

    started = time.monotonic()
    writer = multiprocessing.get_context("spawn").Process(target=_write, args=(drops, str(inbox), str(staging), seed))
    writer.start()
    rng = random.Random(seed + 2)
    daemon = _start_daemon(inbox, env)
    kills = 0
    while writer.is_alive() or kills < min_kills:
        time.sleep(rng.uniform(*kill_every))
        _kill(daemon)
        kills += 1
        daemon = _start_daemon(inbox, env)
    writer.join()
    deadline = time.monotonic() + 600
    while _waiting(inbox) and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(2)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=120)
    elapsed = time.monotonic() - started

    expected = {hashlib.sha256(d.data).hexdigest() for d in drops}
    with sqlite3.connect(home / "ged.sqlite3") as db:
        rows = db.execute("SELECT sha256, state FROM documents").fetchall()
    stored = [sha for sha, _ in rows]
    filed = {name: len([p for p in (inbox / name).glob("*.pdf")]) for name in ("done", "quarantine", "duplicates")}
    return Outcome(
        dropped=len(drops), distinct=len(expected), kills=kills, stored=len(stored),
        quarantined=sum(1 for _, state in rows if DocumentState(state) is DocumentState.QUARANTINED), filed=filed,
        missing=len(expected - set(stored)), duplicated=len(stored) - len(set(stored)),
        partial=len(set(stored) - expected), unfiled=len(_waiting(inbox)), seconds=elapsed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--min-kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "torture")
    args = parser.parse_args()
    result = run_torture(args.files, args.min_kills, args.workdir, args.seed)
    print(f"dropped {result.dropped} files ({result.distinct} distinct contents) in {result.seconds:.0f} s, "
          f"daemon killed with SIGKILL {result.kills} times")
    print(f"stored {result.stored} documents ({result.quarantined} in quarantine); filed: done {result.filed['done']}, "
          f"quarantine {result.filed['quarantine']}, duplicates {result.filed['duplicates']}")
    print(f"lost {result.missing}, stored twice {result.duplicated}, partial {result.partial}, "
          f"left unfiled {result.unfiled} → {'OK' if result.passed else 'ÉCHEC'}")
    sys.exit(0 if result.passed else 1)


if __name__ == "__main__":
    main()
