"""What processing leaves behind: derived blobs, pages, the new state and its journal entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

import ocr

from .. import journal, quarantine
from ..blobs import StagedBlob
from ..context import Context
from ..db.models import Document, DocumentState, FileRole, Page, StoredFile
from . import _understanding as understanding
from ._pool import Processed
from ._stages import Received


def record_processed(ctx: Context, documents: Sequence[Processed[Received]], *,
                     actor: str) -> dict[int, understanding.Understood | None]:
    """Store the searchable copies and the pages; each document becomes processed (or needs review),
    then, in the same transaction, typed, routed and registered (None when OCR failed or another
    process recorded it first).

    One transaction for the whole batch: a commit, its fsync and the journal's head are paid
    once for the documents the workers finished together, not once each.
    """
    stored = {d.key.document_id: ctx.blobs.put(d.copy) for d in documents if d.copy is not None}
    with ctx.db.session() as session:
        # Every row locked up front, in id order: a process recording some of the same documents
        # (a resume racing this ingest) waits here rather than deadlocking with us later.
        locked = {row.id: row for row in session.scalars(
            select(Document).where(Document.id.in_([d.key.document_id for d in documents]))
            .order_by(Document.id).with_for_update())}
        # What typing and routing query was written before this batch, or inserted at once for its
        # id (insert_now): the batch's other rows are flushed together, at commit.
        with session.no_autoflush:
            return {d.key.document_id: _record(ctx, session, locked[d.key.document_id], d,
                                               stored.get(d.key.document_id), actor=actor)
                    for d in documents}


def _record(ctx: Context, session: Session, document: Document, processed: Processed[Received],
            stored: StagedBlob | None, *, actor: str) -> understanding.Understood | None:
    if document.state != DocumentState.RECEIVED:
        # Another process (a resume racing the ingest that received it) recorded it first.
        return None
    plan, pages, failure = processed.plan, processed.pages, processed.failed_because
    assert plan is not None  # a file the workers could not plan was rejected, not recorded
    now = ctx.clock()
    session.execute(update(StoredFile).where(StoredFile.document_id == document.id,
                                             StoredFile.role == FileRole.ORIGINAL)
                    .values(media_type=plan.received_media_type))
    document.media_type = plan.received_media_type
    document.page_count = plan.page_count
    # A received document has no pages, fields or copy yet: they are written in the transaction
    # that takes it out of that state. Said to the ORM, so that it does not query for them.
    set_committed_value(document, "pages", [])
    set_committed_value(document, "fields", [])
    # Through the relationship, so that typing and routing read the text from memory rather
    # than loading back every word and box just written.
    document.pages = [Page(number=page.number, source=page.source.value, text=page.text,
                           words=[w.as_list() for w in page.words], confidence=page.confidence,
                           rotation=page.rotation, skew=page.skew_degrees, width_pt=page.width_pt,
                           height_pt=page.height_pt)
                      for page in sorted(pages, key=lambda p: p.number)]
    if stored is not None:
        session.add(StoredFile(document_id=document.id, role=FileRole.PDFA, sha256=stored.sha256, size=stored.size,
                               media_type="application/pdf", created_at=now))
    document.state = DocumentState.NEEDS_REVIEW if failure else DocumentState.PROCESSED
    document.state_reason = failure
    document.reason_code = "ocr_failed" if failure else None
    document.processed_at = now
    document.indexed_at = None
    payload: dict[str, Any] = {
        "pages": plan.page_count,
        "ocr_pages": sum(1 for p in pages if p.source == ocr.TextSource.OCR),
        "text_layer_pages": sum(1 for p in pages if p.source == ocr.TextSource.TEXT_LAYER),
        "pdfa_sha256": stored.sha256 if stored else None,
    }
    confidences = [p.confidence for p in pages if p.source == ocr.TextSource.OCR and p.confidence is not None]
    if confidences:
        payload["ocr_confidence"] = round(sum(confidences) / len(confidences), 1)
    if stored is None and processed.copy_warning:
        payload["warning"] = processed.copy_warning
    if failure:
        payload["failure"] = failure
    journal.append(session, "document.needs_review" if failure else "document.processed", at=now,
                   actor=actor, document_id=document.id, payload=payload)
    if failure:
        return None
    return understanding.understand_document(ctx, session, document, actor=actor, analysis=processed.analysis)


def record_quarantined(ctx: Context, document_id: int, code: str, reason: str, *, actor: str) -> None:
    """The document is refused: its original is copied to quarantine beside a reason file."""
    now = ctx.clock()
    with ctx.db.session() as session:
        document = session.get_one(Document, document_id)
        entry = quarantine.put(ctx.settings.quarantine_path, ctx.blobs.path_for(document.sha256),
                               name=document.filename, origin=document.source_path or document.filename,
                               sha256=document.sha256, code=code, reason=reason, at=now,
                               document_id=document.id)
        document.state = DocumentState.QUARANTINED
        document.state_reason = reason
        document.reason_code = code
        document.indexed_at = None
        journal.append(session, "document.quarantined", at=now, actor=actor, document_id=document.id,
                       payload={"code": code, "reason": reason, "copy": str(entry.path)})
