"""After OCR: type the document, read its fields, route it, and open (or join) its request.

A type given at intake (a separator sheet, a watched folder's ``doc_type``) is a person's
decision and is kept; otherwise the classifier decides, and a decision under the threshold
sends the document to review instead of routing it on a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, selectinload

import classifiers
from classifiers.fields.document import PageText, WordBox

from .. import journal, registration
from ..context import Context
from ..db.models import Document, DocumentField, DocumentState, FileRole, Page
from ._analysis import Analysis, AnalysisJob, analyse, form_fields_of


@dataclass(frozen=True)
class Understood:
    document_id: int
    doc_type: str
    confidence: float
    uncertain: bool
    request_number: str | None
    joined: bool


def page_texts(pages: list[Page]) -> list[PageText]:
    return [PageText(p.number, tuple(_word_box(w) for w in p.words), p.width_pt, p.height_pt) for p in pages]


def _word_box(stored: list[Any]) -> WordBox:
    """A word as the page row keeps it: ``[text, x0, y0, x1, y1, confidence, line]``."""
    text, x0, y0, x1, y1, confidence, line = stored
    return WordBox(str(text), float(x0), float(y0), float(x1), float(y1), float(confidence), int(line))


def pending(ctx: Context) -> list[int]:
    """Processed documents not typed yet (a crash came between OCR and classification)."""
    with ctx.db.session() as session:
        return list(session.scalars(select(Document.id).where(Document.state == DocumentState.PROCESSED,
                                                              Document.classified_at.is_(None))))


def job_for(document: Document) -> AnalysisJob:
    return AnalysisJob(document.doc_type, document.received_at.date())


def understand(ctx: Context, document_id: int, *, actor: str) -> Understood | None:
    """Classify, extract and route one processed document left untyped; None if it is not waiting for that."""
    with ctx.db.session() as session:
        # The row lock makes a second process (a resume racing the ingest that is doing it) wait, then skip.
        document = session.get_one(Document, document_id, with_for_update=True,
                                   options=[selectinload(Document.pages), selectinload(Document.files)])
        if document.state != DocumentState.PROCESSED or document.classified_at is not None:
            return None
        return understand_document(ctx, session, document, actor=actor)


def understand_document(ctx: Context, session: Session, document: Document, *, actor: str,
                        analysis: Analysis | None = None) -> Understood:
    """The same, in the caller's transaction, from what an OCR worker computed when it could."""
    if analysis is None or analysis.given_type != document.doc_type:
        analysis = _analyse_here(ctx, document)
    decision, extracted = analysis.decision, analysis.fields
    if decision.method != "dépôt":
        cited = _with_citation(session, decision, document.text)
        if cited.doc_type != decision.doc_type:
            extracted = tuple(_extract(ctx, document, cited.doc_type))
        decision = cited
    fields, written = store_fields(session, document, extracted)
    document.doc_type = decision.doc_type
    document.type_confidence = decision.confidence
    document.service = document.service or ctx.settings.types[decision.doc_type].service
    document.classified_at = ctx.clock()
    document.indexed_at = None
    low = [f.code for f in written if f.confidence < ctx.settings.classification.field_threshold]
    payload: dict[str, Any] = {"type": decision.doc_type, "confidence": decision.confidence,
                               "method": decision.method, "fields": len(fields), "service": document.service}
    if low:
        payload["fields_to_check"] = low
    request = None
    if decision.uncertain:
        document.state = DocumentState.NEEDS_REVIEW
        document.reason_code = "type_uncertain"
        document.state_reason = _uncertain_reason(ctx, decision)
        payload["uncertain"] = decision.scores
    journal.append(session, "document.classified", at=ctx.clock(), actor=actor, document_id=document.id,
                   payload=payload)
    if not decision.uncertain:
        request = registration.open_or_join(ctx, session, document, fields, actor=actor)
    joined = request is not None and request.documents and request.documents[0].id != document.id
    return Understood(document.id, decision.doc_type, decision.confidence, decision.uncertain,
                      request.number if request else None, bool(joined))


def retype(ctx: Context, session: Session, document: Document, doc_type: str) -> None:
    """A person set another type: that type's fields are read again (their corrections stay)."""
    store_fields(session, document, tuple(_extract(ctx, document, doc_type)))


def store_fields(session: Session, document: Document,
                 extracted: Sequence[classifiers.ExtractedField]
                 ) -> tuple[dict[str, Any], list[classifiers.ExtractedField]]:
    """Replace what was extracted before; a person's corrections stay. Returns every field's value
    (corrections included) and the extracted fields written (those no correction overrides)."""
    corrected = {f.code: f.value for f in document.fields if f.method == "agent"}
    if len(corrected) < len(document.fields):
        session.execute(delete(DocumentField).where(DocumentField.document_id == document.id,
                                                    DocumentField.method != "agent"))
    written = [f for f in extracted if f.code not in corrected]
    if written:  # one statement for all of them (the ORM would send one per field)
        session.execute(insert(DocumentField), [
            {"document_id": document.id, "code": f.code, "value": f.value, "confidence": f.confidence,
             "page": f.page, "box": list(f.box) if f.box else None, "method": f.method} for f in written])
    session.expire(document, ["fields"])
    return {**corrected, **{f.code: f.value for f in written}}, written


def _analyse_here(ctx: Context, document: Document) -> Analysis:
    """In this process: no worker did it (a resume, a worker without a usable model)."""
    return analyse(ctx.classifier.spec(), ctx.classifier.model, document.text, page_texts(list(document.pages)),
                   job=job_for(document), form_fields=_form_fields(ctx, document))


def _extract(ctx: Context, document: Document, doc_type: str) -> list[classifiers.ExtractedField]:
    return classifiers.extract_fields(doc_type, page_texts(list(document.pages)),
                                      reference=document.received_at.date(), form_fields=_form_fields(ctx, document),
                                      streets=classifiers.StreetList(ctx.classifier.streets))


def _form_fields(ctx: Context, document: Document) -> dict[str, str]:
    original = document.file(FileRole.ORIGINAL)
    if original is None:
        return {}
    return form_fields_of(ctx.blobs.path_for(original.sha256), document.media_type)


def _with_citation(session: Session, decision: classifiers.Classification, text: str) -> classifiers.Classification:
    """An uncertain letter that cites an existing request belongs to it (a reminder, missing pieces)."""
    if not decision.uncertain:
        return decision
    cited = registration.cited_request(session, text)
    if cited is None:
        return decision
    return classifiers.Classification(cited.doc_type, decision.confidence, False, f"référence {cited.number}",
                                      decision.scores)


def _uncertain_reason(ctx: Context, decision: classifiers.Classification) -> str:
    if decision.method == classifiers.ILLEGIBLE:
        return "texte illisible (manuscrit ?) — type et champs à saisir"
    best = list(decision.scores.items())[:2]
    choices = " ou ".join(f"{ctx.settings.types[t].label.lower() if t in ctx.settings.types else t} "
                          f"({score:.0%})".replace("%", " %") for t, score in best)
    return f"type incertain : {choices} — à vérifier"
