"""Archiving, audit, holds, retention and the journal's seals, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pypdfium2
import pytest
from sqlalchemy import select, text

from archivage import profiles, seda
from examples.letters import by_name
from examples.render import born_digital_pdf
from ged.context import Context
from ged.db.models import ArchiveRecord, Document, DocumentState, Event, FileRole, Page
from ged.errors import Conflict, Forbidden, InvalidValue, NotConfigured, NotFound
from ged.search import SearchRequest
from ged.services import archiving, holds, integrity, retention, transfers, validation
from ged.services.ingest import IngestService
from ged.services.setup import install_demo_pki
from ged.settings import load_settings

from .helpers import Clock

RECEIVED = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def clock() -> Clock:
    return Clock(RECEIVED)


@pytest.fixture
def ctx(context: Context, clock: Clock) -> Iterator[Context]:
    """An installation with the demo PKI, on a clock the test moves."""
    assert install_demo_pki(context.settings)
    opened = Context.open(load_settings(), clock=clock)
    yield opened
    opened.close()


def _ingest(ctx: Context, folder: Path, *names: str) -> list[int]:
    paths = []
    for name in names:
        path = folder / f"{name}.pdf"
        born_digital_pdf(by_name(name), path)
        paths.append(path)
    return [r.document_id for r in IngestService(ctx).ingest(paths)]


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(path)).split())


def test_archiving_signs_fingerprints_and_freezes(ctx: Context, tmp_path: Path) -> None:
    invoice, civil = _ingest(ctx, tmp_path, "facture_fournisseur", "demande_acte_naissance")
    results = archiving.archive(ctx, [invoice, civil, invoice, 999], actor="archiviste")
    assert [(r.ok, r.reason) for r in results][2:] == [(False, "déjà archivé"), (False, "document 999 introuvable")]
    assert results[0].dua_end == datetime(2036, 3, 2).date() and results[0].final_action == "D"  # invoices: 10 years
    assert results[1].dua_end == datetime(2027, 3, 2).date()  # civil status requests: 1 year
    with ctx.db.session() as session:
        document = session.get_one(Document, invoice)
        record = session.scalar(select(ArchiveRecord).where(ArchiveRecord.document_id == invoice))
        assert document.state == DocumentState.ARCHIVED and record.status == "archive"
        assert record.fingerprints["original"]["sha256"] == document.sha256
        assert len(record.fingerprints["original"]["sha512"]) == 128
        signed = document.file(FileRole.SIGNED)
        assert signed is not None and signed.sha256 == record.signed_sha256
        event = session.scalar(select(Event).where(Event.kind == "document.archived", Event.document_id == invoice))
        assert event.payload["signature"] == "PAdES B-LTA" and event.payload["dua_end"] == "2036-03-02"
    with pytest.raises(InvalidValue, match="archivé"):
        validation.validate(ctx, invoice, values={"montant_ttc": "1,00"}, actor="agent")
    audit = archiving.audit(ctx, actor="archiviste")
    assert [(a.document_id, a.ok, len(a.signatures)) for a in audit] == [(invoice, True, 2), (civil, True, 2)]


def test_audit_reports_a_changed_archive(ctx: Context, tmp_path: Path) -> None:
    [document_id] = _ingest(ctx, tmp_path, "facture_fournisseur")
    archiving.archive(ctx, [document_id], actor="archiviste")
    with ctx.db.session() as session:
        record = session.scalar(select(ArchiveRecord))
        signed = ctx.blobs.path_for(record.signed_sha256)
    os.chmod(signed, 0o644)
    data = bytearray(signed.read_bytes())
    data[len(data) // 2] ^= 0x01
    signed.write_bytes(bytes(data))
    [result] = archiving.audit(ctx, actor="archiviste")
    assert not result.ok
    assert any("signed : empreintes" in p for p in result.problems)
    assert any("invalide" in p for p in result.problems)


def test_archiving_without_signing_configuration_says_so(context: Context, tmp_path: Path) -> None:
    [document_id] = _ingest(context, tmp_path, "facture_fournisseur")
    with pytest.raises(NotConfigured, match="demo-pki"):
        archiving.archive(context, [document_id], actor="archiviste")


def test_retention_due_propose_visa_eliminate_with_a_hold(ctx: Context, clock: Clock, tmp_path: Path) -> None:
    names = ("demande_acte_naissance", "facture_fournisseur", "declaration_prealable")
    civil, invoice, planning = _ingest(ctx, tmp_path, *names)
    second = replace(by_name("demande_acte_naissance"), name="autre_acte", signature="Paul Martin")
    born_digital_pdf(second, tmp_path / "autre_acte.pdf")
    [civil2] = [r.document_id for r in IngestService(ctx).ingest([tmp_path / "autre_acte.pdf"])]
    archiving.archive(ctx, [civil, invoice, planning, civil2], actor="archiviste")
    holds.add(ctx, civil2, "contentieux en cours", actor="juriste")

    assert [d.document_id for d in retention.due(ctx)] == [planning]  # no DUA: its final action applies at once
    clock.now = datetime(2027, 6, 1, 9, 0)
    due = {d.document_id: d for d in retention.due(ctx)}
    # Civil status (1 year, D) and urban planning (no DUA, C) are due; the invoice (10 years) is not.
    assert set(due) == {civil, civil2, planning} and due[civil2].held and due[planning].final_action == "C"

    elimination = retention.propose(ctx, actor="archiviste")
    assert [r.document_id for r in elimination.records] == [civil]  # held and C records are not proposed
    with pytest.raises(NotFound):
        retention.propose(ctx, actor="archiviste")  # nothing more to propose
    request = retention.export_file(ctx, elimination.number, "demande_seda", tmp_path / "demande.xml",
                                    actor="archiviste").read_bytes()
    assert seda.validate(request) == [] and b"GED-DOC-%d" % civil in request
    bordereau = retention.export_file(ctx, elimination.number, "bordereau", tmp_path / "bordereau.pdf",
                                      actor="archiviste")
    assert "Demandes d'actes d'état civil" in _pdf_text(bordereau)

    with pytest.raises(Forbidden, match="autre personne"):
        retention.approve(ctx, elimination.number, "AD44-2027-31", actor="archiviste")
    with pytest.raises(Conflict, match="visa"):
        retention.eliminate(ctx, elimination.number, actor="archiviste")
    retention.approve(ctx, elimination.number, "AD44-2027-31", actor="directeur-ad")
    holds.add(ctx, civil, "demande d'accès du juge", actor="juriste")  # a hold after the visa still protects
    kept = retention.eliminate(ctx, elimination.number, actor="archiviste")
    assert kept.destroyed == [] and kept.kept_on_hold == [civil]

    holds.remove(ctx, civil, "affaire classée", actor="juriste")
    again = retention.propose(ctx, actor="archiviste")
    retention.approve(ctx, again.number, "AD44-2027-40", actor="directeur-ad")
    with ctx.db.session() as session:
        files = [f.sha256 for f in session.get_one(Document, civil).files]
    result = retention.eliminate(ctx, again.number, actor="archiviste")
    assert result.destroyed == [civil]
    assert all(not ctx.blobs.path_for(sha).exists() for sha in files)  # original, PDF/A, signed, acknowledgement
    with ctx.db.session() as session:
        tombstone = session.get_one(Document, civil)
        assert tombstone.state == DocumentState.ELIMINATED and tombstone.files == [] and tombstone.sha256
        assert session.scalar(select(Page).where(Page.document_id == civil)) is None
        assert session.scalar(select(ArchiveRecord).where(ArchiveRecord.document_id == civil)).status == "eliminee"
    assert civil not in [h.id for h in ctx.search.search(SearchRequest(text="acte de naissance")).hits]
    notification = retention.export_file(ctx, again.number, "notification_seda", tmp_path / "notification.xml",
                                         actor="archiviste").read_bytes()
    assert seda.validate(notification) == [] and b"AD44-2027-40" in notification
    attestation = _pdf_text(retention.export_file(ctx, again.number, "attestation", tmp_path / "attestation.pdf",
                                                  actor="archiviste"))
    assert "AD44-2027-40" in attestation and f"GED-DOC-{civil}" in attestation
    assert integrity.verify(ctx).ok

    # The citizen sends the same file again: a new document, not a "duplicate" of what was destroyed.
    again_sent = tmp_path / "demande_acte_naissance.pdf"
    [returned] = IngestService(ctx).ingest([again_sent])
    assert returned.outcome == "ingested" and returned.document_id not in (None, civil)
    [twice] = IngestService(ctx).ingest([again_sent])
    assert twice.outcome == "duplicate" and twice.duplicate_of == returned.document_id
    with ctx.db.session() as session:
        assert session.get_one(Document, civil).state == DocumentState.ELIMINATED  # the tombstone stays
        assert session.get_one(Document, returned.document_id).sha256 == tombstone.sha256
        received = session.scalar(select(Event).where(Event.kind == "document.received",
                                                      Event.document_id == returned.document_id))
        assert received.payload["eliminated_before"] == [civil]
    assert integrity.verify(ctx).ok


def test_journal_seal_and_tampering(ctx: Context, tmp_path: Path) -> None:
    _ingest(ctx, tmp_path, "facture_fournisseur")
    sealed = integrity.seal(ctx, actor="robot")
    verification = integrity.verify(ctx)
    assert verification.ok and [s.valid for s in verification.seals] == [True]
    with ctx.db.session() as session:
        seal_event = session.get_one(Event, sealed.event_id)
        token = base64.b64decode(seal_event.payload["token"])
        assert len(token) > 500
        session.execute(text("UPDATE events SET actor = 'intrus' WHERE id = :id"), {"id": sealed.head_id})
    verification = integrity.verify(ctx)
    assert not verification.ok
    assert [b.event_id for b in verification.breaks] == [sealed.head_id]


def test_transfer_package_and_reply(ctx: Context, clock: Clock, tmp_path: Path) -> None:
    planning, civil = _ingest(ctx, tmp_path, "declaration_prealable", "demande_acte_naissance")
    second = replace(by_name("declaration_prealable"), name="pc", signature="Jean Dupont",
                     subject="Objet : permis de construire PC 044 162 25 00077")
    born_digital_pdf(second, tmp_path / "pc.pdf")
    [held] = [r.document_id for r in IngestService(ctx).ingest([tmp_path / "pc.pdf"])]
    archiving.archive(ctx, [planning, civil, held], actor="archiviste")
    holds.add(ctx, held, "recours des voisins", actor="juriste")
    sent = transfers.send(ctx, tmp_path / "versement.zip", actor="archiviste")
    assert sent.units == [f"GED-DOC-{planning}"] and sent.skipped_on_hold == [held]  # C only; D stays
    with zipfile.ZipFile(sent.path) as package:
        names = package.namelist()
        manifest = package.read("manifest.xml")
        signed = package.read(f"content/GED-DOC-{planning}/copie-signee.pdf")
    assert seda.validate(manifest) == [] and f"content/GED-DOC-{planning}/original.pdf" in names
    assert hashlib.sha512(signed).hexdigest().encode() in manifest
    with pytest.raises(NotFound):
        transfers.send(ctx, tmp_path / "encore.zip", actor="archiviste")  # already on its way
    reply = tmp_path / "reponse.xml"
    reply.write_bytes(seda.transfer_reply(identifier="AD44-R-1", at=clock.now, request=sent.number, code="OK",
                                          archival_agency=seda.Party("FRAD044"),
                                          transferring_agency=seda.Party("FRCOMMUNE-44162")))
    assert transfers.receive_reply(ctx, reply, actor="archiviste") == (sent.number, True)
    with ctx.db.session() as session:
        assert session.get_one(Document, planning).state == DocumentState.TRANSFERRED
        assert session.scalar(select(ArchiveRecord).where(ArchiveRecord.document_id == planning)).status == "versee"
    with pytest.raises(InvalidValue, match="déjà"):
        transfers.receive_reply(ctx, reply, actor="archiviste")
    (tmp_path / "faux.xml").write_bytes(b"<ArchiveTransferReply/>")
    with pytest.raises(InvalidValue, match="invalide"):
        transfers.receive_reply(ctx, tmp_path / "faux.xml", actor="archiviste")


def test_journal_is_sealed_automatically_every_n_entries(context: Context, clock: Clock, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert install_demo_pki(context.settings)
    monkeypatch.setenv("GED_ARCHIVE__SEAL_EVERY", "6")
    ctx = Context.open(load_settings(), clock=clock)
    _ingest(ctx, tmp_path, "facture_fournisseur")  # 5 entries: model, received, processed, classified, request
    with ctx.db.session() as session:
        assert session.scalar(select(Event).where(Event.kind == "journal.sealed")) is None
    _ingest(ctx, tmp_path, "signalement_eclairage")
    verification = integrity.verify(ctx)
    assert verification.ok and len(verification.seals) == 1
    ctx.close()


def test_transfers_must_match_the_archives_profile_before_they_leave(ctx: Context, clock: Clock, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    [planning] = _ingest(ctx, tmp_path, "declaration_prealable")
    archiving.archive(ctx, [planning], actor="archiviste")
    profile = Path(__file__).parent / "resources" / "profiles" / "profil-urbanisme.rng"

    def send_with(**archive: str) -> transfers.Sent:
        for key, value in archive.items():
            monkeypatch.setenv(f"GED_ARCHIVE__{key.upper()}", value)
        configured = Context.open(load_settings(), clock=clock)
        try:
            return transfers.send(configured, tmp_path / "versement.zip", actor="archiviste")
        finally:
            configured.close()

    with pytest.raises(InvalidValue, match="ligne 6 : élément CodeListVersions inattendu à cet endroit"):
        send_with(profile=str(profile))  # no agreement configured: the profile wants one
    strict = tmp_path / "profil-voirie.rng"
    strict.write_text(profile.read_text(encoding="utf-8").replace("<rng:value>urbanisme</rng:value>", ""),
                      encoding="utf-8")
    with pytest.raises(InvalidValue, match=f"AU-GED-DOC-{planning} .*DocumentType"):
        send_with(profile=str(strict), archival_agreement="AA-FRAD044-2026-007")
    broken = tmp_path / "casse.rng"
    broken.write_text("<rng:grammar", encoding="utf-8")
    with pytest.raises(NotConfigured, match="profil"):
        send_with(profile=str(broken))
    assert not (tmp_path / "versement.zip").exists()  # nothing left before it matched
    sent = send_with(profile=str(profile), archival_agreement="AA-FRAD044-2026-007")
    with zipfile.ZipFile(sent.path) as package:
        manifest = package.read("manifest.xml")
    assert b"<ArchivalAgreement>AA-FRAD044-2026-007</ArchivalAgreement>" in manifest
    assert b"<ArchivalProfile>PR-GED-URBANISME-1</ArchivalProfile>" in manifest
    assert seda.validate(manifest) == [] and profiles.validate(manifest, profile) == []
    with ctx.db.session() as session:
        refused = list(session.scalars(select(Event).where(Event.kind == "archive.transfer_refused")))
    assert len(refused) == 2 and any(f"AU-GED-DOC-{planning}" in p for p in refused[1].payload["problems"])
