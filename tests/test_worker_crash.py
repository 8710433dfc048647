"""A worker process killed mid-document (what a crashing library or the out-of-memory killer does).

The kills are real SIGKILLs sent to the pool's worker processes while they run Tesseract; which
document "kills" them is set by timing: the first kill hits the batch, the second the first
document when it runs again alone, so that document is refused and the others go through.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from ged.errors import ExitCode
from ged.ingest._pool import OcrPool, Processed


def _processes() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, command name), for every process we can see."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            found[int(entry.name)] = (int(stat[stat.rindex(")") + 2:].split()[1]), name)
    return found


def _workers() -> tuple[set[int], set[int]]:
    """Our OCR workers (Python grandchildren of this process), and those of them running Tesseract."""
    table = _processes()
    children = {pid for pid, (ppid, _) in table.items() if ppid == os.getpid()}
    workers = {pid for pid, (ppid, name) in table.items() if ppid in children and name.startswith("python")}
    reading = {ppid for pid, (ppid, name) in table.items() if ppid in workers and name == "tesseract"}
    return workers, reading


class _Killer(threading.Thread):
    """SIGKILLs a worker reading a page once the pool is full, then one of the next pool."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.kills = 0

    def run(self) -> None:
        before, _ = _workers()  # leftovers of earlier tests are never targets
        generation: set[int] = set()
        deadline = time.monotonic() + 120
        while self.kills < 2 and not self.stop.is_set() and time.monotonic() < deadline:
            workers, reading = _workers()
            targets = reading - before - generation
            if targets and (self.kills == 1 or len(workers - before) >= 2):
                os.kill(min(targets), signal.SIGKILL)
                self.kills += 1
                generation |= workers  # the broken pool's other worker is stopped by the pool itself
            time.sleep(0.005)


@pytest.mark.slow
def test_a_document_that_kills_its_worker_twice_is_refused_and_the_batch_goes_on(
        ged_home: Path, run_cli, samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    assert run_cli("init").exit_code == 0
    monkeypatch.setenv("GED_OCR__WORKERS", "2")
    batch = tmp_path / "lot"
    batch.mkdir()
    for name in ("a_signalement.png", "b_reclamation.png", "c_inscription.jpg"):
        source = {"a": "signalement_eclairage.png", "b": "reclamation_dechets.png", "c": "inscription_scolaire.jpg"}
        shutil.copy(samples / source[name[0]], batch / name)

    killer = _Killer()
    killer.start()
    try:
        result = run_cli("ingest", "--json", batch)
    finally:
        killer.stop.set()
        killer.join()

    assert killer.kills == 2
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    outcomes = {Path(entry["source"]).name: entry for entry in result.json()}
    refused = outcomes["a_signalement.png"]
    assert refused["outcome"] == "quarantined" and refused["reason_code"] == "crash"
    assert "deux fois de suite" in refused["reason"]
    for name in ("b_reclamation.png", "c_inscription.jpg"):
        assert outcomes[name]["outcome"] == "ingested" and outcomes[name]["page_count"] == 1, outcomes[name]
    [kept] = (ged_home / "quarantine").glob("*a_signalement.png")
    assert kept.read_bytes() == (batch / "a_signalement.png").read_bytes()

    found = run_cli("search", "--json", "éclairage")
    assert refused["document_id"] not in [hit["id"] for hit in found.json()["hits"]]
    shown = run_cli("show", "--json", str(outcomes["b_reclamation.png"]["document_id"])).json()
    assert shown["state"] == "traite" and shown["pages"][0]["source"] == "ocr"
    assert "collecte" in shown["text"].lower()


def test_a_file_a_library_fails_to_inspect_is_refused_not_fatal() -> None:
    """Any exception of the inspection (a pdfium or qpdf bug on a hostile file) is a refusal with
    its reason, where it used to stop the whole batch."""
    failed: Future[object] = Future()
    failed.set_exception(KeyError("/Root"))
    result: Processed[str] = Processed("lettre.pdf")
    assert OcrPool._look(failed, result) is None
    assert result.rejection is not None and result.rejection.code == "unreadable"
    assert "KeyError" in result.rejection.message and result.failure is None
