"""Reading documents: what ``ged show`` displays and what ``ged export`` hands out.

Every export is journaled with its actor: who took a copy of what (RGPD).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import classifiers
from archivage.signing import SigningError, sign_pdf
from ocr import sniff

from .. import integrity, journal, labels
from ..blobs import file_sha256
from ..context import Context
from ..db.models import Document, DocumentState, FileRole, Request, StoredFile
from ..db.scanning import ScanBatch
from ..errors import NotFound, Unavailable
from ..registration import REQUESTER_FIELDS
from ..signing import signing_spec
from .accounts import ARCHIVISTS, Principal, require_role


@dataclass(frozen=True)
class DocumentView:
    id: int
    filename: str
    source_path: str | None
    sha256: str
    media_type: str | None
    size: int
    state: DocumentState
    state_label: str
    reason: str | None
    page_count: int | None
    doc_type: str | None
    type_confidence: float | None
    service: str | None
    request: str | None
    requester: str | None
    """Who the document is from: its request's requester, else the name its fields give."""
    fields: list[dict[str, Any]]
    """Each with code, value, confidence, page, box, method and ``to_check`` under the field threshold."""
    field_codes: list[str]
    """Every field of its type, found or not, in DOMAIN.md order (what a correction form offers)."""
    received_at: datetime
    processed_at: datetime | None
    files: list[dict[str, Any]]
    pages: list[dict[str, Any]]
    history: list[dict[str, Any]]
    text: str
    mail: dict[str, Any] | None = None
    """The e-mail this document came attached to (id, filename), if the viewer may see it."""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    """The documents that came attached to this e-mail (id, filename), those the viewer may see."""
    attestation: dict[str, Any] | None = None
    """The attestation of digitisation of its scan batch, once timestamped: batch, when, by which authority."""

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("received_at", "processed_at"):
            data[key] = data[key].isoformat(timespec="seconds") + "Z" if data[key] else None
        if self.attestation is not None:
            data["attestation"] = {**self.attestation, "timestamped_at": self.attestation["timestamped_at"]
                                   .isoformat(timespec="seconds") + "Z"}
        return data


def _load(ctx: Context, document_id: int) -> Document:
    with ctx.db.session() as session:
        document = session.get(Document, document_id,
                               options=[selectinload(Document.pages), selectinload(Document.files),
                                        selectinload(Document.fields)])
        if document is None:
            raise NotFound(f"document {document_id} introuvable")
        session.expunge(document)
        return document


def _visible(ctx: Context, document: Document, viewer: Principal | None, kind: str, payload: dict[str, Any]) -> None:
    """A person sees only their services' documents; what they saw is journaled (RGPD: who saw what)."""
    if viewer is None:
        return
    if not viewer.may_see(document.service):
        raise NotFound(f"document {document.id} introuvable")  # the same answer as for a missing one
    with ctx.db.session() as session:
        journal.append(session, kind, at=ctx.clock(), actor=viewer.actor, document_id=document.id, payload=payload)


def show(ctx: Context, document_id: int, *, viewer: Principal | None = None) -> DocumentView:
    document = _load(ctx, document_id)
    _visible(ctx, document, viewer, "document.viewed", {})
    with ctx.db.session() as session:
        events = journal.history(session, document_id)
        request = session.get(Request, document.request_id) if document.request_id else None
        mail, attachments = _mail_links(session, document, viewer)
        attestation = _attestation(session, document)
    threshold = ctx.settings.classification.field_threshold
    return DocumentView(
        id=document.id, filename=document.filename, source_path=document.source_path, sha256=document.sha256,
        media_type=document.media_type, size=document.size, state=document.state,
        state_label=labels.state_label(document.state), reason=document.state_reason,
        page_count=document.page_count, doc_type=document.doc_type, type_confidence=document.type_confidence,
        service=document.service, request=request.number if request else None,
        requester=(request.requester if request and request.requester else _requester(document)),
        fields=[{"code": f.code, "value": f.value, "confidence": round(f.confidence, 3), "page": f.page,
                 "box": f.box, "method": f.method, "to_check": f.confidence < threshold} for f in document.fields],
        field_codes=list(classifiers.field_codes(document.doc_type)) if document.doc_type else [],
        received_at=document.received_at, processed_at=document.processed_at,
        files=[{"role": f.role, "sha256": f.sha256, "size": f.size, "media_type": f.media_type}
               for f in document.files],
        pages=[{"number": p.number, "source": p.source, "confidence": None if p.confidence is None
                else round(p.confidence, 1), "rotation": p.rotation, "skew": p.skew, "words": len(p.words)}
               for p in document.pages],
        history=[{"at": e.at.isoformat(timespec="seconds") + "Z", "kind": e.kind, "actor": e.actor,
                  "payload": e.payload} for e in events],
        text=document.text, mail=mail, attachments=attachments, attestation=attestation,
    )


def _attestation(session: Session, document: Document) -> dict[str, Any] | None:
    attested = document.file(FileRole.ATTESTATION)
    batch = session.scalar(select(ScanBatch).where(ScanBatch.attestation_sha256 == attested.sha256)) \
        if attested is not None else None
    if batch is None or batch.timestamped_at is None:
        return None
    return {"batch": batch.id, "timestamped_at": batch.timestamped_at, "authority": batch.tsa,
            "operator": batch.operator}


def attestation_file(ctx: Context, document_id: int, *, viewer: Principal) -> Path:
    """The verified PDF/A attestation of the document's scan batch, for an archivist: it lists every
    file of the batch, some perhaps of services the viewer does not see."""
    document = _seen(ctx, document_id, viewer)
    require_role(viewer, ARCHIVISTS, "télécharger l'attestation de numérisation d'un lot")
    return _download(ctx, document, FileRole.ATTESTATION, viewer)[0]


def _requester(document: Document) -> str | None:
    values = {f.code: f.value for f in document.fields}
    return next((value for code in REQUESTER_FIELDS if isinstance(value := values.get(code), str) and value), None)


def _mail_links(session: Session, document: Document, viewer: Principal | None
                ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The message a document came attached to, and the attachments of a message: shown together."""
    sha256 = (document.attributes or {}).get("courriel")
    if sha256 is None and document.media_type not in sniff.MAILS:
        return None, []  # neither: no query (the attachments' one reads every row's attributes)
    linked = select(Document.id, Document.filename, Document.service).where(
        Document.state != DocumentState.ELIMINATED).order_by(Document.id)
    rows = session.execute(linked.where(Document.sha256 == sha256) if sha256 else
                           linked.where(Document.attributes["courriel"].as_string() == document.sha256)).all()
    seen = [{"id": i, "filename": name} for i, name, service in rows if viewer is None or viewer.may_see(service)]
    return (seen[0] if seen else None, []) if sha256 else (None, seen)


def readable_file(ctx: Context, document_id: int, *, original: bool, viewer: Principal) -> tuple[Path, str]:
    """The verified path and media type of a document's PDF/A copy (or original), for a download."""
    role = FileRole.ORIGINAL if original else FileRole.PDFA
    path, stored = _download(ctx, _seen(ctx, document_id, viewer), role, viewer)
    return path, stored.media_type if original else "application/pdf"


def _seen(ctx: Context, document_id: int, viewer: Principal) -> Document:
    document = _load(ctx, document_id)
    if not viewer.may_see(document.service):
        raise NotFound(f"document {document_id} introuvable")
    return document


def _download(ctx: Context, document: Document, role: FileRole, viewer: Principal) -> tuple[Path, StoredFile]:
    """One of the document's files, its bytes checked, the download journaled."""
    stored = document.file(role)
    if stored is None:
        raise Unavailable(f"le document {document.id} n'a pas de fichier « {role} »")
    with integrity.guarded(ctx, during="téléchargement", actor=viewer.actor, document_id=document.id):
        path = ctx.blobs.verified_path(stored.sha256)
    _visible(ctx, document, viewer, "document.downloaded", {"role": str(role), "sha256": stored.sha256})
    return path, stored


def thumbnail(ctx: Context, document_id: int, page: int, *, viewer: Principal, width: int = 180) -> bytes:
    """A small PNG of one page of the PDF/A copy (the page strip of the document view)."""
    import io

    import pypdfium2

    document = _load(ctx, document_id)
    stored = document.file(FileRole.PDFA)
    if not viewer.may_see(document.service) or stored is None or not 1 <= page <= (document.page_count or 0):
        raise NotFound(f"page {page} du document {document_id} introuvable")
    with integrity.guarded(ctx, during="vignette", actor=viewer.actor, document_id=document_id):
        pdf = pypdfium2.PdfDocument(ctx.blobs.verified_path(stored.sha256))
    try:
        sheet = pdf[page - 1]
        image = sheet.render(scale=width / sheet.get_width()).to_pil()
    finally:
        pdf.close()
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def export(ctx: Context, document_id: int, destination: Path, *, original: bool, actor: str,
           signed: bool = False) -> Path:
    """Copy the PDF/A copy (or the original) out of the store, after checking its fingerprint.

    ``signed`` hands out the PDF/A copy signed PAdES B-T at the time of export: a certified
    copy for a third party, its signature and timestamp checkable by any PDF reader.
    """
    role = FileRole.ORIGINAL if original else FileRole.PDFA
    document = _load(ctx, document_id)
    stored = document.file(role)
    if stored is None:
        if role == FileRole.PDFA:
            why = document.state_reason or "voir ged show"
            raise Unavailable(f"le document {document_id} n'a pas de copie PDF/A ({why}) ;"
                              " exportez l'original avec --original")
        raise Unavailable(f"le document {document_id} n'a pas de fichier « {role} »")
    payload: dict[str, Any] = {"role": str(role), "sha256": stored.sha256, "destination": str(destination)}
    with integrity.guarded(ctx, during="export", actor=actor, document_id=document_id):
        if signed and role == FileRole.PDFA:
            try:
                sign_pdf(ctx.blobs.verified_path(stored.sha256), destination,
                         signing_spec(ctx.settings, archival=False))
            except SigningError as exc:
                raise Unavailable(str(exc)) from exc
            payload |= {"signature": "PAdES B-T", "signed_sha256": file_sha256(destination)}
        else:
            ctx.blobs.copy_out(stored.sha256, destination)
    with ctx.db.session() as session:
        journal.append(session, "document.exported", at=ctx.clock(), actor=actor, document_id=document_id,
                       payload=payload)
    return destination
