"""Fixity of every stored file: full runs (resumable), the nightly share on an injected clock, the
model and shipped artefacts, the seal log's copies and gaps, and the audit report."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import pypdfium2
import pytest
from sqlalchemy import select

from ged import artefacts
from ged.context import Context
from ged.db.models import Document, DocumentState, Event, FileRole, StoredFile
from ged.services import audit_report, fixity, integrity
from ged.services.setup import install_demo_pki
from ged.settings import load_settings
from robots.daemon import Scheduler
from robots.definitions import load_robots

from .helpers import Clock

START = datetime(2026, 3, 2, 2, 0)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def ctx(context: Context, clock: Clock) -> Iterator[Context]:
    opened = Context.open(load_settings(), clock=clock)
    yield opened
    opened.close()


def _store(ctx: Context, count: int) -> list[str]:
    """``count`` documents whose original is a stored blob, written through the models."""
    fingerprints = []
    with ctx.db.session() as session:
        for number in range(count):
            stored = ctx.blobs.put_bytes(os.urandom(2048 + number))
            document = Document(sha256=stored.sha256, filename=f"scan-{number}.pdf", size=stored.size,
                                state=DocumentState.PROCESSED, received_at=START, media_type="application/pdf")
            session.add(document)
            session.flush()
            session.add(StoredFile(document_id=document.id, role=FileRole.ORIGINAL, sha256=stored.sha256,
                                   size=stored.size, media_type="application/pdf", created_at=START))
            fingerprints.append(stored.sha256)
    return sorted(fingerprints)


def _flip(path: Path) -> None:
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF
    path.write_bytes(bytes(data))


def test_full_run_finds_damaged_and_unknown_files(ctx: Context) -> None:
    stored = _store(ctx, 30)
    _flip(ctx.blobs.path_for(stored[3]))
    ctx.blobs.path_for(stored[7]).unlink()
    stray = ctx.blobs.put_bytes(b"nobody refers to me")
    report = fixity.check_all(ctx, actor="archiviste")
    assert report.checked == 30 and not report.ok
    assert {(f.sha256, f.problem) for f in report.damaged} == {
        (stored[3], "modifié (ne correspond plus à son empreinte)"), (stored[7], "absent du stockage")}
    assert report.unknown == [f"{stray.sha256[:2]}/{stray.sha256[2:4]}/{stray.sha256}"]
    assert report.artefacts == []
    with ctx.db.session() as session:
        payload = session.scalars(select(Event.payload).where(Event.kind == "blobs.audited")).one()
    assert payload["scope"] == "complet" and payload["damaged"] == 2 and payload["unknown"] == 1


def test_an_interrupted_run_resumes_where_it_stopped(ctx: Context) -> None:
    stored = _store(ctx, 150)
    _flip(ctx.blobs.path_for(stored[10]))  # found before the interruption, reported at the end

    def interrupt(done: int, total: int) -> None:
        assert total == 150
        if done >= 64:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fixity.check_all(ctx, actor="archiviste", progress=interrupt)
    seen: list[tuple[int, int]] = []
    report = fixity.check_all(ctx, actor="archiviste", progress=lambda done, total: seen.append((done, total)))
    assert report.resumed_from == stored[63] and report.checked == 150 and seen[-1] == (150, 150)
    assert [f.sha256 for f in report.damaged] == [stored[10]]
    assert not (ctx.settings.anchor_path / fixity.RUN_FILE).exists()
    assert fixity.check_all(ctx, actor="archiviste").resumed_from is None  # a finished run starts afresh


def test_nightly_shares_cover_the_store_once_per_cycle(ctx: Context, clock: Clock,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GED_ARCHIVE__FIXITY_CYCLE_DAYS", "7")
    nightly = Context.open(load_settings(), clock=clock)
    stored = _store(nightly, 60)
    damaged = stored[25]
    _flip(nightly.blobs.path_for(damaged))
    robot = nightly.settings.robots_path / "fixite.toml"
    robot.parent.mkdir(parents=True, exist_ok=True)
    robot.write_text('[trigger]\ncron = "0 2 * * *"\n[[actions]]\naction = "controle_fichiers"\n')
    scheduler = Scheduler(nightly, load_robots(nightly.settings.robots_path)[0], started=clock.now)
    checked, anomalies = [], []
    for night in range(1, 8):
        clock.now = START + timedelta(days=night, minutes=1)
        [result] = scheduler.tick(clock.now)
        assert result.outcome == "ok"
        checked.append(result.counts["fichiers"])
        anomalies.append(result.counts.get("anomalies", 0))
    assert sum(checked) == 60 and max(checked) < 60  # every file once, spread over the nights
    day_of_damage = (fixity.share_of(damaged, 7) - (START + timedelta(days=1)).toordinal()) % 7
    assert anomalies == [1 if night == day_of_damage else 0 for night in range(7)]
    with nightly.db.session() as session:
        scopes = [p["scope"] for p in session.scalars(select(Event.payload).where(Event.kind == "blobs.audited"))]
    assert sorted(scopes) == [f"part {n}/7" for n in range(1, 8)]
    nightly.close()


def test_model_and_shipped_artefacts(ctx: Context, tmp_path: Path) -> None:
    assert artefacts.problems() == [], "python -m ged.artefacts after changing a shipped file"
    models = tmp_path / "models"
    shutil.copytree(ctx.settings.models_path, models)
    own = Context.open(load_settings(classification={"models_dir": models}), clock=ctx.clock)
    fixity.record_model(own, actor="init")
    assert fixity.check_all(own, actor="archiviste").artefacts == []
    model = own.classifier.model_path
    model.write_bytes(model.read_bytes() + b"\0")
    assert fixity.check_all(own, actor="archiviste").artefacts == [
        f"modèle de classement {model.name} modifié hors de l'application"]
    own.close()


# -- seal log ---------------------------------------------------------------------------------------
@pytest.fixture
def sealing(context: Context, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    assert install_demo_pki(context.settings)
    monkeypatch.setenv("GED_JOURNAL__SEAL_LOG_COPIES", f'["{tmp_path / "worm" / "sceaux.jsonl"}"]')
    monkeypatch.setenv("GED_JOURNAL__MAX_SEAL_GAP_HOURS", "24")
    opened = Context.open(load_settings(), clock=clock)
    yield opened
    opened.close()


def _entry(ctx: Context) -> None:
    from ged import journal

    with ctx.db.session() as session:
        journal.append(session, "document.viewed", at=ctx.clock(), actor="agent")


def test_seal_log_copies_and_gaps(sealing: Context, clock: Clock, tmp_path: Path) -> None:
    _entry(sealing)
    sealed = integrity.seal(sealing, actor="robot")
    copy = tmp_path / "worm" / "sceaux.jsonl"
    assert sealed.warnings == [] and copy.read_text() == sealing.anchors.seal_log.read_text()
    assert integrity.verify(sealing).ok
    clock.now += timedelta(hours=30)  # entries left unsealed longer than the configured gap
    _entry(sealing)
    clock.now += timedelta(hours=30)
    late = integrity.verify(sealing)
    assert [b.problem for b in late.breaks if "non scellées" in b.problem]
    copy.write_text("")  # an emptied copy is a prefix: fine; a different one is not
    assert not [b for b in integrity.verify(sealing).breaks if "copie" in b.problem]
    copy.write_text(sealing.anchors.seal_log.read_text().replace('"entries": ', '"entries": 1'))
    assert [b for b in integrity.verify(sealing).breaks if f"la copie {copy}" in b.problem]


def test_audit_report_is_pdfa_and_says_what_happened(sealing: Context, clock: Clock, tmp_path: Path) -> None:
    stored = _store(sealing, 3)
    _entry(sealing)
    integrity.seal(sealing, actor="robot")
    _flip(sealing.blobs.path_for(stored[0]))
    fixity.check_all(sealing, actor="archiviste")
    written = audit_report.write(sealing, START.date(), START.date(), tmp_path / "rapport.pdf", actor="archiviste")
    with pikepdf.open(written.path) as pdf:
        assert pikepdf.pdfa.check(pdf, "2b").verdict == "pass"
    document = pypdfium2.PdfDocument(written.path)
    text = " ".join(" ".join(p.get_textpage().get_text_range() for p in document).split())
    document.close()
    assert "Rapport d'audit du système d'archivage — du 2 mars 2026 au 2 mars 2026" in text
    assert "Journal intègre" in text and "fichiers, complet 3 1" in text  # 3 checked, 1 damaged
    assert "Sceaux : 1 au total, 1 valide(s) ; dernier : horodaté le" in text and "Horodatage de TEST" in text
    with sealing.db.session() as session:
        entry = session.scalars(select(Event.payload).where(Event.kind == "audit.report")).one()
    assert entry["sha256"] == written.sha256 and entry["ok"]
