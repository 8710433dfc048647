"""Workers on a shared PostgreSQL: every document processed exactly once, even when a worker is SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from ged.context import Context
from ged.db.models import Document, DocumentState, Event, Job, Page
from ged.services import queue
from ged.settings import load_settings
from ged.states import JobState

ROOT = Path(__file__).parents[1]


@pytest.fixture
def shared(ged_home: Path, postgres_url: str, run_cli, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: ANN001
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    monkeypatch.setenv("GED_DATABASE_URL", postgres_url)
    monkeypatch.setenv("GED_WORKERS__ENABLED", "true")
    monkeypatch.setenv("GED_WORKERS__LEASE_SECONDS", "10")
    monkeypatch.setenv("GED_WORKERS__POLL_SECONDS", "0.5")
    monkeypatch.setenv("GED_WORKERS__HEARTBEAT_SECONDS", "1")
    monkeypatch.setenv("GED_OCR__WORKERS", "1")
    assert run_cli("init").exit_code == 0
    return postgres_url


def _worker(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from cli.app import main; main()", "worker", *args], cwd=ROOT,
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
@pytest.mark.postgres
def test_workers_process_a_batch_exactly_once_under_sigkill(shared: str, run_cli, samples: Path) -> None:  # noqa: ANN001
    scans = [samples / n for n in ("signalement_eclairage.png", "reclamation_dechets.png", "inscription_scolaire.jpg",
                                   "demande_acte_naissance.tif", "courrier_divers.pdf", "declaration_prealable.pdf")]
    queued = run_cli("ingest", "--json", *scans)
    assert queued.exit_code == 0 and {e["outcome"] for e in queued.json()} == {"queued"}
    status = run_cli("status", "--json").json()["queue"]
    assert status["pending"] == 6 and status["workers"] == []

    victim = _worker()
    engine = create_engine(shared)
    deadline = time.monotonic() + 120
    with engine.connect() as connection:  # wait until the victim is in the middle of a document
        while time.monotonic() < deadline and not connection.execute(
                select(func.count(Job.id)).where(Job.state == JobState.CLAIMED)).scalar():
            time.sleep(0.1)
    time.sleep(0.5)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    # The victim held a fair share of the queue (several jobs): the survivors wait past its lease for them.
    survivors = [_worker("--idle-exit", "12") for _ in range(2)]
    for survivor in survivors:
        out, err = survivor.communicate(timeout=600)
        assert survivor.returncode == 0, err.decode()
    with engine.connect() as connection:
        documents = connection.execute(select(Document.id, Document.state)).all()
        assert len(documents) == 6 and all(state != DocumentState.RECEIVED for _, state in documents)
        processed = connection.execute(select(Event.document_id, func.count()).where(
            Event.kind.in_(("document.processed", "document.needs_review"))).group_by(Event.document_id)).all()
        assert sorted(n for _, n in processed) == [1] * 6  # each document recorded exactly once
        pages = connection.execute(select(Page.document_id, Page.number, func.count()).group_by(
            Page.document_id, Page.number)).all()
        assert all(n == 1 for *_, n in pages) and len(pages) == 7  # the TIFF has two pages
        jobs = connection.execute(select(Job.state, Job.attempts, Job.claimed_by)).all()
        assert {state for state, _, _ in jobs} == {"fait"}
        assert any(attempts == 2 for _, attempts, _ in jobs)  # the killed worker's jobs were taken over
    engine.dispose()
    final = run_cli("status", "--json").json()["queue"]
    assert final["pending"] == 0 and final["claimed"] == [] and len(final["workers"]) == 3
    assert sum(w["documents"] for w in final["workers"]) == 6
    assert run_cli("search", "lampadaires", "--json").json()["total"] == 1


@pytest.mark.postgres
def test_a_worker_stops_cleanly_on_sigterm(shared: str) -> None:
    worker = _worker()
    time.sleep(3)
    worker.send_signal(signal.SIGTERM)
    out, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0 and "Arrêt propre du worker" in out.decode()


@pytest.mark.postgres
def test_a_worker_claims_a_fair_share_of_the_queue(shared: str, run_cli, samples: Path) -> None:  # noqa: ANN001
    """Up to four one-page documents per OCR process (read in one Tesseract run), never more than
    the waiting jobs divided among the live workers."""
    scans = [samples / n for n in ("signalement_eclairage.png", "reclamation_dechets.png", "inscription_scolaire.jpg",
                                   "demande_acte_naissance.tif", "courrier_divers.pdf", "declaration_prealable.pdf")]
    assert run_cli("ingest", "--json", *scans).exit_code == 0
    ctx = Context.open(load_settings())
    lease = timedelta(seconds=ctx.settings.workers.lease_seconds)
    try:
        queue.heartbeat(ctx, "a")
        first = queue.claim(ctx, "a", lease=lease)  # 6 waiting, 1 live worker: 4 (one OCR process × 4)
        queue.heartbeat(ctx, "b")
        second = queue.claim(ctx, "b", lease=lease)  # 2 waiting, 2 live workers: 1
        queue.heartbeat(ctx, "c")
        third = queue.claim(ctx, "c", lease=lease)  # 1 waiting, 3 live workers: still 1
        assert [len(first), len(second), len(third)] == [4, 1, 1]
        assert queue.claim(ctx, "a", lease=lease) == []
        claimed = [job.document_id for job in [*first, *second, *third]]
        assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 6  # each job to one worker
        assert queue.status(ctx, alive_within=lease).pending == 0
    finally:
        ctx.close()


@pytest.mark.postgres
def test_a_document_that_breaks_a_batch_fails_its_own_job_only(shared: str, run_cli, samples: Path) -> None:  # noqa: ANN001
    """A blob changed on the shared store makes the claimed batch fail: each job is then done alone,
    the corrupted one fails with the reason, and jobs already finished are not reported as taken over."""
    scans = [samples / n for n in ("courrier_divers.pdf", "signalement_eclairage.png", "reclamation_dechets.png")]
    ids = [e["document_id"] for e in run_cli("ingest", "--json", *scans).json()]
    ctx = Context.open(load_settings())
    try:
        with ctx.db.session() as session:
            corrupted = session.get_one(Document, ids[0])
            blob = ctx.blobs.path_for(corrupted.sha256)
        blob.chmod(0o644)
        blob.write_bytes(blob.read_bytes() + b"\n% altered on the share")
    finally:
        ctx.close()
    worker = _worker("--idle-exit", "2")
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err.decode()
    assert "repris un par un" in err.decode()  # the batch of three failed, then each job was done alone
    assert "repris par un autre worker" not in err.decode()  # nothing was taken over: one worker
    engine = create_engine(shared)
    with engine.connect() as connection:
        jobs = dict(connection.execute(select(Job.document_id, Job.state)).all())
        error = connection.execute(select(Job.error).where(Job.document_id == ids[0])).scalar_one()
        states = dict(connection.execute(select(Document.id, Document.state)).all())
    engine.dispose()
    assert jobs == {ids[0]: "echoue", ids[1]: "fait", ids[2]: "fait"}
    assert "ne correspond plus à son empreinte" in error
    assert states[ids[0]] == DocumentState.RECEIVED  # kept as stored, for a person to look at
    assert all(states[i] != DocumentState.RECEIVED for i in ids[1:])
