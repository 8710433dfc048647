"""The daemon with real watchdog observers (inotify and polling) on real folders."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import select

from ged.context import Context
from ged.db.models import Document
from ged.services.mailroom import MailroomService
from ged.settings import WatchedFolder, WatchSettings
from robots.watcher import FolderWatcher

ROOT = Path(__file__).parents[1]


def distinct_pdf(samples: Path, serial: int) -> bytes:
    """A born-digital letter with its own bytes (no OCR needed: the tests stay fast)."""
    target = samples.parent / f"distinct-{serial}.pdf"
    with pikepdf.open(samples / "demande_subvention.pdf") as pdf:
        pdf.docinfo["/Subject"] = f"Exemplaire {serial}"
        pdf.save(target)
    return target.read_bytes()


def wait_for(condition, timeout: float = 60.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def running(context: Context, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, Context]]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = WatchSettings(polling=request.param, poll_interval_seconds=0.2, settle_seconds=0.5,
                             rescan_seconds=3600)
    watcher = FolderWatcher(MailroomService(context), [WatchedFolder(path=inbox)], settings)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,))
    thread.start()
    yield inbox, context
    stop.set()
    thread.join(timeout=60)
    assert not thread.is_alive()


@pytest.mark.parametrize("running", [pytest.param(False, id="inotify"), pytest.param(True, id="polling")],
                         indirect=True)
def test_slow_writes_moves_and_dropped_folders_are_all_taken_once(running: tuple[Path, Context], samples: Path,
                                                                  tmp_path: Path) -> None:
    inbox, context = running
    outside = tmp_path / "outside"
    outside.mkdir()
    slow = distinct_pdf(samples, 1)
    with (inbox / "lent.pdf").open("wb") as stream:  # a scanner writing over 1.5 s
        for start in range(0, len(slow), len(slow) // 15 + 1):
            stream.write(slow[start:start + len(slow) // 15 + 1])
            stream.flush()
            time.sleep(0.1)
    (outside / "deplace.pdf").write_bytes(distinct_pdf(samples, 2))
    os.rename(outside / "deplace.pdf", inbox / "deplace.pdf")
    batch = outside / "lot"
    batch.mkdir()
    (batch / "p1.pdf").write_bytes(distinct_pdf(samples, 3))
    (batch / "p2.pdf").write_bytes(distinct_pdf(samples, 4))
    os.rename(batch, inbox / "lot")
    (inbox / "scan.pdf.part").write_bytes(b"%PDF-1.7 en cours")
    (inbox / "Thumbs.db").write_bytes(b"litter")

    expected = {"lent.pdf", "deplace.pdf", "p1.pdf", "p2.pdf"}
    assert wait_for(lambda: {p.name for p in (inbox / "done").glob("*.pdf")} == expected)
    assert (inbox / "scan.pdf.part").exists() and (inbox / "Thumbs.db").exists()
    with context.db.session() as session:
        stored = set(session.scalars(select(Document.sha256)))
    assert hashlib.sha256(slow).hexdigest() in stored and len(stored) == 4  # never a partial file


def test_sigterm_finishes_and_stops_cleanly(ged_home: Path, run_cli, samples: Path, tmp_path: Path) -> None:  # noqa: ANN001
    assert run_cli("init").exit_code == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = {**os.environ, "GED_WATCH__SETTLE_SECONDS": "0.5"}
    daemon = subprocess.Popen([sys.executable, "-c", "from cli.app import main; main()", "watch", str(inbox)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        (inbox / "a.pdf").write_bytes(distinct_pdf(samples, 10))
        assert wait_for(lambda: (inbox / "done" / "a.pdf").exists())
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=60)
    finally:
        daemon.kill()
    assert daemon.returncode == 0, err
    assert "a.pdf → document 1" in out and "Arrêt propre" in out


def test_once_takes_what_is_complete_and_returns(ged_home: Path, run_cli, samples: Path, tmp_path: Path,  # noqa: ANN001
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_WATCH__SETTLE_SECONDS", "0.2")
    assert run_cli("init").exit_code == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.pdf").write_bytes(distinct_pdf(samples, 20))
    (inbox / "b.gif").write_bytes(b"GIF89a")
    result = run_cli("watch", inbox, "--once")
    assert result.exit_code == 0
    assert (inbox / "done" / "a.pdf").exists() and (inbox / "quarantine" / "b.gif").exists()
    status = run_cli("status", "--json").json()
    assert status["today"] == {"traite": 1, "quarantaine": 1}
    assert status["quarantined"][0]["filename"] == "b.gif"
