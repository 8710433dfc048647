"""Retention: what is due, the elimination list and its visa, and the elimination itself.

The procedure is the one of the Code du patrimoine (L212-2): nothing is destroyed without the
visa of the Archives départementales, the visa is recorded by someone other than whoever
proposed the list, and a hold (gel) stops a record at every step. Elimination destroys every
copy (blobs, pages, fields, index entry) and keeps a tombstone: the document row with its
fingerprints, type and dates, and the archive record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from archivage import seda
from archivage.elimination import Bordereau, Line, attestation_pdf, bordereau_pdf

from .. import integrity, journal
from ..context import Context
from ..db.models import (
    ArchiveRecord,
    Document,
    DocumentField,
    DocumentState,
    EliminationList,
    Page,
    StoredFile,
)
from ..errors import Conflict, Forbidden, InvalidValue, NotFound
from ..states import ArchiveStatus, EliminationStatus
from . import holds
from .accounts import ARCHIVISTS, Principal, require_role


def unit_id(document_id: int) -> str:
    """The identifier of a record in SEDA messages and on the lists."""
    return f"GED-DOC-{document_id}"


@dataclass(frozen=True)
class DueRecord:
    document_id: int
    family: str
    dua_end: date
    final_action: str
    held: bool
    status: ArchiveStatus


def due(ctx: Context, *, today: date | None = None) -> list[DueRecord]:
    """Archived records whose DUA has run out (held ones included, flagged)."""
    today = today or ctx.clock().date()
    with ctx.db.session() as session:
        records = list(session.scalars(select(ArchiveRecord).where(
            ArchiveRecord.status.in_((ArchiveStatus.ARCHIVED, ArchiveStatus.PROPOSED)),
            ArchiveRecord.dua_end.is_not(None), ArchiveRecord.dua_end <= today,
        ).order_by(ArchiveRecord.dua_end, ArchiveRecord.id)))
        frozen = holds.held(session, [r.document_id for r in records])
        return [DueRecord(r.document_id, r.family, r.dua_end, r.final_action, r.document_id in frozen, r.status)
                for r in records if r.dua_end is not None]


def _lines(session: Session, records: list[ArchiveRecord]) -> list[Line]:
    by_family: dict[str, list[ArchiveRecord]] = defaultdict(list)
    for record in records:
        by_family[record.family].append(record)
    lines = []
    for family, members in sorted(by_family.items()):
        documents = [session.get_one(Document, r.document_id) for r in members]
        received = [d.received_at.date() for d in documents]
        size = sum(f.size for d in documents for f in d.files)
        lines.append(Line(family, min(received), max(received), members[0].dua_years, len(members),
                          sum(d.page_count or 0 for d in documents), size,
                          observations=", ".join(unit_id(r.document_id) for r in members)))
    return lines


def _bordereau(ctx: Context, session: Session, elimination: EliminationList) -> Bordereau:
    return Bordereau(elimination.number, ctx.settings.commune.name, "Service des archives", elimination.proposed_by,
                     elimination.proposed_at, ctx.settings.archive.archival_agency_name,
                     _lines(session, list(elimination.records)))


def releasable(session: Session, finals: tuple[str, ...], today: date) -> tuple[list[ArchiveRecord], set[int]]:
    """Archived records of these sorts finals whose DUA has run out and that no hold keeps, and the held ones.

    The one place elimination and transfer agree on what may leave the archive.
    """
    candidates = list(session.scalars(select(ArchiveRecord).where(
        ArchiveRecord.status == ArchiveStatus.ARCHIVED, ArchiveRecord.final_action.in_(finals),
        ArchiveRecord.dua_end.is_not(None), ArchiveRecord.dua_end <= today).order_by(ArchiveRecord.id)))
    frozen = holds.held(session, [r.document_id for r in candidates])
    return [r for r in candidates if r.document_id not in frozen], frozen


def propose(ctx: Context, *, actor: str, include_triage: bool = False,
            viewer: Principal | None = None) -> EliminationList:
    """An elimination list of every due record whose sort final is D (and T with ``include_triage``), not held."""
    require_role(viewer, ARCHIVISTS, "proposer une liste d'élimination")
    today = ctx.clock().date()
    finals = ("D", "T") if include_triage else ("D",)
    with ctx.db.session() as session:
        records, frozen = releasable(session, finals, today)
        if not records:
            raise NotFound("aucun document à proposer à l'élimination (DUA échue, sort final D, sans gel)")
        count = session.scalar(select(func.count(EliminationList.id))) or 0
        now = ctx.clock()
        elimination = EliminationList(number=f"ELIM-{now.year}-{count + 1:04d}", status=EliminationStatus.PROPOSED,
                                      proposed_by=actor, proposed_at=now, files={})
        elimination.records = records
        session.add(elimination)
        for record in records:
            record.status = ArchiveStatus.PROPOSED
        session.flush()
        request = seda.authorization_request(
            identifier=elimination.number, at=now, reason="Échéance de la durée d'utilité administrative",
            comment=f"Demande de visa d'élimination, bordereau {elimination.number}",
            units=[unit_id(r.document_id) for r in records], requester=_commune(ctx),
            archival_agency=_commune(ctx), control_authority=_authority(ctx))
        elimination.files = {"bordereau": _store(ctx, bordereau_pdf(_bordereau(ctx, session, elimination))),
                             "demande_seda": _store(ctx, request)}
        journal.append(session, "retention.proposed", at=now, actor=actor, payload={
            "list": elimination.number, "units": [unit_id(r.document_id) for r in records],
            "skipped_on_hold": sorted(frozen), "files": elimination.files})
        session.expunge(elimination)
        return elimination


def approve(ctx: Context, number: str, visa: str, *, actor: str, viewer: Principal | None = None) -> None:
    """Record the control authority's visa; the one who proposed the list cannot record it."""
    require_role(viewer, ARCHIVISTS, "enregistrer un visa d'élimination")
    if not visa.strip():
        raise InvalidValue("référence du visa manquante (--visa)")
    with ctx.db.session() as session:
        elimination = _get(session, number)
        if elimination.status != EliminationStatus.PROPOSED:
            raise Conflict(f"la liste {number} est « {elimination.status} » : visa impossible")
        if elimination.proposed_by == actor:
            raise Forbidden("le visa doit être enregistré par une autre personne que celle qui a proposé la liste")
        elimination.status, elimination.visa_reference = EliminationStatus.APPROVED, visa.strip()
        elimination.visa_by, elimination.visa_at = actor, ctx.clock()
        journal.append(session, "retention.approved", at=ctx.clock(), actor=actor,
                       payload={"list": number, "visa": visa.strip()})


@dataclass(frozen=True)
class Eliminated:
    number: str
    destroyed: list[int]
    kept_on_hold: list[int]
    files: dict[str, str]


def eliminate(ctx: Context, number: str, *, actor: str, viewer: Principal | None = None) -> Eliminated:
    """Destroy every copy of the records of a visa'd list, except those put on hold since; attest it."""
    require_role(viewer, ARCHIVISTS, "exécuter une élimination")
    now = ctx.clock()
    with ctx.db.session() as session:
        elimination = _get(session, number)
        if elimination.status != EliminationStatus.APPROVED:
            raise Conflict(f"la liste {number} est « {elimination.status} » : il faut d'abord le visa "
                               "(ged retention approve)")
        records = list(elimination.records)
        frozen = holds.held(session, [r.document_id for r in records])
        destroyed = [r for r in records if r.document_id not in frozen]
        bordereau = _bordereau(ctx, session, elimination)
        prints = [(unit_id(r.document_id), r.fingerprints["original"]["sha256"]) for r in destroyed]
        for record in destroyed:
            _destroy(ctx, session, record, actor=actor)
        for record in records:
            if record.document_id in frozen:
                record.status = ArchiveStatus.ARCHIVED  # back in the archive: it will be proposed again once released
        assert elimination.visa_reference and elimination.visa_by and elimination.visa_at
        notification = seda.destruction_notification(
            identifier=f"{number}-NOTIF", at=now, comment=f"Élimination réalisée, bordereau {number}",
            visa=elimination.visa_reference, units=[u for u, _ in prints], archival_agency=_commune(ctx),
            originating_agency=_commune(ctx))
        attestation = attestation_pdf(bordereau, visa=elimination.visa_reference, visa_by=elimination.visa_by,
                                      visa_at=elimination.visa_at, executed_by=actor, executed_at=now,
                                      fingerprints=prints)
        elimination.files = {**elimination.files, "attestation": _store(ctx, attestation),
                             "notification_seda": _store(ctx, notification)}
        elimination.status, elimination.executed_by, elimination.executed_at = EliminationStatus.EXECUTED, actor, now
        journal.append(session, "retention.eliminated", at=now, actor=actor, payload={
            "list": number, "destroyed": [u for u, _ in prints], "kept_on_hold": sorted(frozen),
            "files": elimination.files})
        result = Eliminated(number, [r.document_id for r in destroyed], sorted(frozen), dict(elimination.files))
    ctx.search.delete(result.destroyed)
    integrity.seal_if_due(ctx, actor=actor)
    return result


def _destroy(ctx: Context, session: Session, record: ArchiveRecord, *, actor: str) -> None:
    """Every copy of one record goes; the document row stays as a tombstone."""
    document = session.get_one(Document, record.document_id, options=[selectinload(Document.files)])
    shas = [f.sha256 for f in document.files]
    session.execute(delete(Page).where(Page.document_id == document.id))
    session.execute(delete(DocumentField).where(DocumentField.document_id == document.id))
    session.execute(delete(StoredFile).where(StoredFile.document_id == document.id))
    session.flush()
    for sha256 in shas:
        still_used = session.scalar(select(func.count(StoredFile.id)).where(StoredFile.sha256 == sha256))
        if not still_used:
            ctx.blobs.path_for(sha256).unlink(missing_ok=True)
    document.state = DocumentState.ELIMINATED
    document.state_reason = f"éliminé (visa enregistré) le {ctx.clock():%d/%m/%Y}"
    document.indexed_at = ctx.clock()
    record.status, record.signed_sha256 = ArchiveStatus.ELIMINATED, None
    journal.append(session, "document.eliminated", at=ctx.clock(), actor=actor, document_id=document.id,
                   payload={"unit": unit_id(document.id), "sha256": document.sha256, "files": shas})


def _store(ctx: Context, data: bytes) -> str:
    return ctx.blobs.put_bytes(data).sha256


def _commune(ctx: Context) -> seda.Party:
    return seda.Party(ctx.settings.commune.identifier, ctx.settings.commune.name)


def _authority(ctx: Context) -> seda.Party:
    return seda.Party(ctx.settings.archive.archival_agency, ctx.settings.archive.archival_agency_name)


def _get(session: Session, number: str) -> EliminationList:
    elimination = session.scalar(select(EliminationList).options(selectinload(EliminationList.records))
                                 .where(EliminationList.number == number.strip().upper()))
    if elimination is None:
        raise NotFound(f"liste d'élimination {number} introuvable")
    return elimination


def lists(ctx: Context) -> list[dict[str, Any]]:
    with ctx.db.session() as session:
        return [{"number": e.number, "status": e.status, "proposed_by": e.proposed_by,
                 "proposed_at": e.proposed_at.isoformat(timespec="seconds"), "visa": e.visa_reference,
                 "records": [unit_id(r.document_id) for r in e.records], "files": e.files}
                for e in session.scalars(select(EliminationList).options(selectinload(EliminationList.records))
                                         .order_by(EliminationList.id))]


def _file_of(ctx: Context, number: str, kind: str) -> str:
    with ctx.db.session() as session:
        elimination = _get(session, number)
        if kind not in elimination.files:
            raise NotFound(f"la liste {number} n'a pas de « {kind} » (disponibles : {', '.join(elimination.files)})")
        return str(elimination.files[kind])


def export_file(ctx: Context, number: str, kind: str, destination: Path, *, actor: str) -> Path:
    """Copy one of the list's documents (bordereau, demande_seda, attestation, notification_seda) out."""
    sha256 = _file_of(ctx, number, kind)
    with integrity.guarded(ctx, during=f"export de la liste {number}", actor=actor):
        ctx.blobs.copy_out(sha256, destination)
    return destination


def list_file(ctx: Context, number: str, kind: str, *, actor: str) -> tuple[Path, str, str]:
    """One of the list's documents checked against its fingerprint: its path, media type and a file name."""
    sha256 = _file_of(ctx, number, kind)
    with integrity.guarded(ctx, during=f"lecture de la liste {number}", actor=actor):
        path = ctx.blobs.verified_path(sha256)
    pdf = kind in ("bordereau", "attestation")
    return (path, "application/pdf" if pdf else "application/xml",
            f"{number}-{kind}.{'pdf' if pdf else 'xml'}")

