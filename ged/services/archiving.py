"""Archiving: the PDF/A copy signed PAdES B-LTA, fingerprints, the retention rule applied, and audits.

An archived record is what an archivist must be able to prove years later: these bytes are
the ones received (SHA-256 and SHA-512 of the original taken at archiving, checked again by
every audit), the copy is the one the commune signed (validated offline against the
configured trust roots), and it is kept as long as the tableau de gestion says.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archivage.fixity import fingerprints
from archivage.retention import dua_end
from archivage.signing import SignatureCheck, SigningError, check_signatures, keeps_pdfa, sign_pdf

from .. import integrity, journal
from ..blobs import BlobDamaged
from ..context import Context
from ..db.models import ArchiveRecord, Document, DocumentState, FileRole, Request, StoredFile
from ..signing import signing_spec, validation_material
from ..states import ArchiveStatus
from ..taxonomy import RetentionRule

ARCHIVABLE = (DocumentState.PROCESSED, DocumentState.VALIDATED)
AUDITED = (ArchiveStatus.ARCHIVED, ArchiveStatus.PROPOSED, ArchiveStatus.TRANSFERRING)
"""Records whose bytes the commune still answers for: a transfer awaiting the Archives' reply included."""


@dataclass(frozen=True)
class Archived:
    document_id: int
    ok: bool
    reason: str | None = None
    dua_end: date | None = None
    final_action: str | None = None


def rule_for(ctx: Context, doc_type: str | None) -> RetentionRule:
    return ctx.settings.retention.get(doc_type or "autre") or ctx.settings.retention["autre"]


def start_date(ctx: Context, session: Session, document: Document, rule: RetentionRule, today: date) -> date | None:
    """The day the DUA starts; None while a request is still open (``cloture``)."""
    if rule.start == "reception":
        return document.received_at.date()
    if rule.start == "archivage":
        return today
    if rule.start == "fin_mandat":
        return ctx.settings.commune.mandate_end
    request = session.get(Request, document.request_id) if document.request_id else None
    if request is None:
        return document.received_at.date()
    return request.closed_at.date() if request.closed_at else None


def archive(ctx: Context, document_ids: list[int], *, actor: str) -> list[Archived]:
    """Archive each document; one that cannot be (wrong state, no PDF/A copy) is reported, the rest go on."""
    spec = signing_spec(ctx.settings, archival=True)
    results = []
    for document_id in document_ids:
        try:
            results.append(_archive_one(ctx, document_id, spec, actor=actor))
        except BlobDamaged as exc:
            integrity.record_incident(ctx, exc, during="archivage", actor=actor, document_id=document_id)
            results.append(Archived(document_id, False, exc.message))
    integrity.seal_if_due(ctx, actor=actor)
    return results


def _archive_one(ctx: Context, document_id: int, spec: Any, *, actor: str) -> Archived:
    with ctx.db.session() as session:
        document = session.get(Document, document_id, with_for_update=True, options=[selectinload(Document.files)])
        refusal = _refusal(document, document_id)
        if refusal is not None:
            return Archived(document_id, False, refusal)
        assert document is not None
        pdfa = document.file(FileRole.PDFA)
        assert pdfa is not None
        copy = ctx.blobs.verified_path(pdfa.sha256)
        with tempfile.TemporaryDirectory(prefix="ged-sign-") as folder:
            signed = Path(folder) / "signe.pdf"
            try:
                sign_pdf(copy, signed, spec)
            except SigningError as exc:
                return Archived(document_id, False, str(exc))
            if not keeps_pdfa(copy, signed):
                return Archived(document_id, False, "la copie signée ne serait plus PDF/A : archivage refusé")
            stored = ctx.blobs.put(signed)
            signed_prints = fingerprints(ctx.blobs.path_for(stored.sha256))
        original_prints = fingerprints(ctx.blobs.verified_path(document.sha256))
        now = ctx.clock()
        rule = rule_for(ctx, document.doc_type)
        start = start_date(ctx, session, document, rule, now.date())
        end = dua_end(start, rule.dua_years)
        session.add(StoredFile(document_id=document.id, role=FileRole.SIGNED, sha256=stored.sha256, size=stored.size,
                               media_type="application/pdf", created_at=now))
        request = session.get(Request, document.request_id) if document.request_id else None
        record = ArchiveRecord(
            document_id=document.id, archived_at=now, archived_by=actor, signed_sha256=stored.sha256,
            fingerprints={"original": original_prints, "signed": signed_prints}, family=rule.family,
            dua_years=rule.dua_years, start_event=rule.start, start_on=start, dua_end=end,
            final_action=rule.final, status=ArchiveStatus.ARCHIVED,
            description={"filename": document.filename, "doc_type": document.doc_type, "service": document.service,
                         "received_on": document.received_at.date().isoformat(),
                         "request": request.number if request else None, "pages": document.page_count})
        session.add(record)
        document.state = DocumentState.ARCHIVED
        document.indexed_at = None
        journal.append(session, "document.archived", at=now, actor=actor, document_id=document.id, payload={
            "fingerprints": record.fingerprints, "signature": "PAdES B-LTA", "family": rule.family,
            "dua_years": rule.dua_years, "start": rule.start, "start_on": start.isoformat() if start else None,
            "dua_end": end.isoformat() if end else None, "final_action": rule.final})
        return Archived(document_id, True, None, end, rule.final)


def _refusal(document: Document | None, document_id: int) -> str | None:
    if document is None:
        return f"document {document_id} introuvable"
    if document.state == DocumentState.ARCHIVED:
        return "déjà archivé"
    if document.state not in ARCHIVABLE:
        return f"état « {document.state} » : seuls les documents traités ou validés s'archivent"
    if document.file(FileRole.PDFA) is None:
        return "pas de copie PDF/A à signer (voir ged show)"
    return None


# -- audit -------------------------------------------------------------------------------------
@dataclass
class RecordAudit:
    document_id: int
    problems: list[str] = field(default_factory=list)
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit(ctx: Context, *, actor: str) -> list[RecordAudit]:
    """Recompute every archived fingerprint and validate every signature; journaled with its result."""
    material = validation_material(ctx.settings)
    results: list[RecordAudit] = []
    with ctx.db.session() as session:
        records = list(session.scalars(select(ArchiveRecord).where(ArchiveRecord.status.in_(AUDITED))
                                       .order_by(ArchiveRecord.id)))
        for record in records:
            document = session.get_one(Document, record.document_id)
            result = RecordAudit(record.document_id)
            for role, sha256 in (("original", document.sha256), ("signed", record.signed_sha256)):
                if sha256 is None:
                    continue
                path = ctx.blobs.path_for(sha256)
                if not path.is_file():
                    result.problems.append(f"{role} : fichier absent du stockage")
                    continue
                if fingerprints(path) != record.fingerprints[role]:
                    result.problems.append(f"{role} : empreintes SHA-256/SHA-512 différentes de l'archivage")
            signed = ctx.blobs.path_for(record.signed_sha256) if record.signed_sha256 else None
            if signed is not None and signed.is_file():
                result.signatures = check_signatures(signed, material)
                if not result.signatures:
                    result.problems.append("aucune signature dans la copie signée")
                for check in result.signatures:
                    if not check.ok:
                        result.problems.append(f"{check.kind} {check.field} invalide ({check.summary})")
            results.append(result)
        journal.append(session, "archive.audited", at=ctx.clock(), actor=actor, payload={
            "records": len(results), "failures": {str(r.document_id): r.problems for r in results if not r.ok}})
    return results

