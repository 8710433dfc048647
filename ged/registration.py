"""Registering requests (demandes): numbers, routing, due dates, joining later mail, following a retyped
document, moving a request to another service. The core of what ingest and validation do to
requests; how agents work them is ``ged.services.casework``.

A document of a request type opens a request, unless it cites an existing request's
number or file number, or carries the same identifying fields as a recent open request of its
type (the type's ``same_request``: the child of an enrolment, an invoice's number and amount):
then it joins that request (the missing pieces of a file, a reminder, a cover letter). Numbers
come from a counter row per year and category, incremented in the same transaction that
creates the request, so two processes never give the same number.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from email.utils import parseaddr
from functools import cache
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

import classifiers
from classifiers.deadlines import DeadlineRule, Delay, Due, Silence, Unit

from . import journal
from .acknowledgement import Acknowledgement
from .context import Context
from .db.models import Document, DocumentField, FileRole, Request, RequestCounter, RequestStatus, StoredFile
from .db.session import insert_now
from .taxonomy import DelaySettings, TypeSettings

REQUESTER_FIELDS = ("demandeur_nom", "responsable_nom", "association", "fournisseur", "expediteur")
ADDRESS_FIELDS = ("demandeur_adresse", "responsable_adresse")
REFERENCE_FIELDS = ("reference_dossier", "numero_dossier")
SAME_REQUEST_DAYS = 90
"""How far back an open request is looked for by its identifying fields: next year's enrolment
of the same child is a new request."""


def deadline_rule(settings: TypeSettings) -> DeadlineRule:
    def delay(value: DelaySettings | None) -> Delay | None:
        return None if value is None else Delay(value.amount, Unit(value.unit))

    variants = {nature: Delay(d.amount, Unit(d.unit)) for nature, d in settings.deadline_by_nature.items()}
    return DeadlineRule(delay(settings.deadline), Silence(settings.silence), delay(settings.silence_delay), variants)


def _variant(doc_type: str, fields: dict[str, Any], text: str) -> str | None:
    """The nature that decides a legal delay: a PC for a single house is instructed in two months."""
    nature = fields.get("nature")
    if doc_type != "urbanisme" or not isinstance(nature, str):
        return None
    folded = classifiers.fold(text)
    if nature == "PC" and "maison individuelle" in folded:
        return "PC_MI"
    if nature == "CU" and ("operationnel" in folded or "l.410-1 b" in folded or "cub" in folded.split()):
        return "CU_OPERATIONNEL"
    return nature


def cited_request(session: Session, text: str, fields: dict[str, Any] | None = None) -> Request | None:
    """The existing request a text cites by its number or its file number (the oldest if several)."""
    from classifiers.fields.values import find_dossier_numbers

    cited = {number for _, _, number in classifiers.find_references(text)}
    cited |= {number for _, _, number in find_dossier_numbers(text)}
    cited |= {str(value) for code in REFERENCE_FIELDS if (value := (fields or {}).get(code))}
    if not cited:
        return None
    return session.scalar(select(Request).where(or_(Request.number.in_(cited), Request.file_reference.in_(cited)))
                          .order_by(Request.id).limit(1))


def _next_number(session: Session, year: int, category: str) -> str:
    """One upsert: the counter row is created at 1 or incremented, under the row's write lock."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]  # same methods
    statement = dialect_insert(RequestCounter).values(year=year, category=category, last=1)
    sequence = session.execute(
        statement.on_conflict_do_update(index_elements=[RequestCounter.year, RequestCounter.category],
                                        set_={"last": RequestCounter.last + 1})
        .returning(RequestCounter.last)).scalar_one()
    return classifiers.format_number(year, category, sequence)


def open_or_join(ctx: Context, session: Session, document: Document, fields: dict[str, Any], *,
                 actor: str) -> Request | None:
    """The request this document belongs to: the one it came as a piece of, an existing one it cites,
    or a new one (None for other mail)."""
    assert document.doc_type is not None
    given = (document.attributes or {}).get("demande")
    if given and (request := session.scalar(select(Request).where(Request.number == given))) is not None:
        document.service = request.service  # a request's pieces live where it does
        return _join(ctx, session, request, document, actor=actor)
    settings = ctx.settings.types[document.doc_type]
    if settings.category is None:
        return None
    existing = cited_request(session, document.text, fields)
    if existing is not None:
        return _join(ctx, session, existing, document, actor=actor)
    same = _same_request(session, document, fields, settings.same_request)
    if same is not None:
        return _join(ctx, session, same, document, actor=actor, same_fields=settings.same_request)
    return _open(ctx, session, document, fields, settings, actor=actor)


def _identity(value: Any) -> Any:
    """A field's value as two documents of one request agree on it: « BENALI » and « Benali »,
    « école » and « ecole » are the same; dates and amounts are already in their normal form."""
    if isinstance(value, str):
        return " ".join(classifiers.fold(value).split())
    if isinstance(value, list):
        return tuple(sorted(map(str, (_identity(item) for item in value))))
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _same_request(session: Session, document: Document, fields: dict[str, Any], codes: list[str]) -> Request | None:
    """The oldest open request of the document's type, received in the last ``SAME_REQUEST_DAYS``,
    whose documents give every identifying field the document's values (a field missing on either
    side never matches: two requests are joined only on what both say)."""
    wanted = {code: _identity(fields[code]) for code in codes if fields.get(code) not in (None, "", [])}
    if not codes or len(wanted) < len(codes):
        return None
    since = document.received_at.date() - timedelta(days=SAME_REQUEST_DAYS)
    candidates = session.execute(
        select(Request, DocumentField.code, DocumentField.value)
        .join(Document, Document.request_id == Request.id).join(DocumentField, DocumentField.document_id == Document.id)
        .where(Request.doc_type == document.doc_type, Request.status != RequestStatus.CLOSED,
               Request.received_on >= since, DocumentField.code.in_(codes), Document.id != document.id)
        .order_by(Request.id))
    seen: dict[int, tuple[Request, dict[str, set[Any]]]] = {}
    for request, code, value in candidates:
        seen.setdefault(request.id, (request, {}))[1].setdefault(code, set()).add(_identity(value))
    for request, values in seen.values():
        if all(wanted[code] in values.get(code, ()) for code in codes):
            return request
    return None


def _link(session: Session, document: Document, request: Request) -> None:
    """Point the document at its request in the database at once, not at the next flush: a batch is
    recorded without flushing until its commit, and a letter and its cover letter finished together
    must see each other (the second one's ``_same_request`` reads this link)."""
    session.execute(update(Document).where(Document.id == document.id).values(request_id=request.id))
    set_committed_value(document, "request_id", request.id)


def _join(ctx: Context, session: Session, request: Request, document: Document, *, actor: str,
          same_fields: list[str] | None = None) -> Request:
    _link(session, document, request)
    payload: dict[str, Any] = {"number": request.number, "document": document.id}
    if same_fields:
        payload["same_fields"] = same_fields
    if request.status == RequestStatus.AWAITING_DOCUMENTS:
        request.status = RequestStatus.IN_PROGRESS
        payload["status"] = [RequestStatus.AWAITING_DOCUMENTS.value, RequestStatus.IN_PROGRESS.value]
    journal.append(session, "request.document_joined", at=ctx.clock(), actor=actor, document_id=document.id,
                   request_id=request.id, payload=payload)
    return request


def _open(ctx: Context, session: Session, document: Document, fields: dict[str, Any], settings: TypeSettings, *,
          actor: str) -> Request:
    assert document.doc_type is not None and settings.category is not None
    received = document.received_at.date()
    due = _deadline(ctx, document, fields, settings)
    number = _next_number(session, received.year, settings.category)
    now = ctx.clock()
    reference = fields.get("numero_dossier")
    request = insert_now(
        session, Request, number=number, year=received.year, category=settings.category, doc_type=document.doc_type,
        service=document.service or settings.service, status=RequestStatus.NEW,
        requester=_first(fields, REQUESTER_FIELDS), contact=_text(fields.get("contact")) or _mail_sender(document),
        file_reference=reference if isinstance(reference, str) else None, received_on=received,
        due_on=due.due_date, silence=due.silence.value, silence_on=due.silence_date, basis=due.basis,
        created_at=now)
    _link(session, document, request)
    set_committed_value(request, "documents", [document])  # a new request has this document only: no query
    payload: dict[str, Any] = {"number": number, "service": request.service, "due_on": _iso(due.due_date),
                               "silence": due.silence.value, "silence_on": _iso(due.silence_date), "basis": due.basis}
    if settings.acknowledge:
        payload["acknowledgement"] = _acknowledge(ctx, session, request, document, fields, settings)
    journal.append(session, "request.created", at=now, actor=actor, document_id=document.id, request_id=request.id,
                   payload=payload)
    return request


def _deadline(ctx: Context, document: Document, fields: dict[str, Any], settings: TypeSettings) -> Due:
    assert document.doc_type is not None
    calendar = _calendar(ctx.settings.commune.holidays_subdivision)
    return classifiers.compute_due(deadline_rule(settings), document.received_at.date(), calendar,
                                   variant=_variant(document.doc_type, fields, document.text))


def follow_retype(ctx: Context, session: Session, document: Document, *, actor: str) -> None:
    """A person changed the type of a document that belongs to a request: keep the two together.

    The document that opened the request takes it along: the request gets the new type, its deadline
    under the new type's rule (from the same date of receipt) and the new service, with all its
    documents; if the new type is not a request at all (an invoice), the request is closed there.
    A document that joined later (a reminder citing the number) stays a piece of its request and so
    in the request's service, whatever its type. Before this, the old service kept a request whose
    document it could no longer open, and no request was opened in the new one.
    """
    request = session.get(Request, document.request_id) if document.request_id else None
    if request is None or document.doc_type is None:
        return
    if request.documents[0].id != document.id:
        document.service = request.service
        return
    settings = ctx.settings.types[document.doc_type]
    payload: dict[str, Any] = {"number": request.number, "type": [request.doc_type, document.doc_type],
                               "service": [request.service, document.service]}
    new_service = str(document.service or settings.service)
    document.service = request.service  # moved with the others, journaled as they are
    move_to_service(ctx, session, request, new_service, actor=actor)
    request.doc_type = document.doc_type
    if settings.category is None:
        request.status, request.closed_at = RequestStatus.CLOSED, ctx.clock()
        payload["status"] = RequestStatus.CLOSED
        payload["note"] = "le document n'est pas une demande : demande clôturée"
    else:
        due = _deadline(ctx, document, {f.code: f.value for f in document.fields}, settings)
        payload["due_on"] = [_iso(request.due_on), _iso(due.due_date)]
        request.due_on, request.silence, request.silence_on, request.basis = (
            due.due_date, due.silence.value, due.silence_date, due.basis)
    journal.append(session, "request.rerouted", at=ctx.clock(), actor=actor, document_id=document.id,
                   request_id=request.id, payload=payload)


def _acknowledge(ctx: Context, session: Session, request: Request, document: Document, fields: dict[str, Any],
                 settings: TypeSettings) -> dict[str, str]:
    """The letter and the e-mail, stored as files of the document that opened the request."""
    letter = Acknowledgement(
        number=request.number, type_label=settings.label, requester=request.requester,
        requester_address=_first(fields, ADDRESS_FIELDS), received_on=request.received_on,
        issued_on=ctx.clock().date(), due_on=request.due_on, basis=request.basis, silence=request.silence,
        silence_on=request.silence_on, service=ctx.settings.services[request.service], commune=ctx.settings.commune)
    stored: dict[str, str] = {}
    for role, data, media_type in ((FileRole.ACK_LETTER, letter.pdf(), "application/pdf"),
                                   (FileRole.ACK_EMAIL, letter.email_text().encode(), "text/plain; charset=utf-8")):
        blob = ctx.blobs.put_bytes(data)
        session.add(StoredFile(document_id=document.id, role=role, sha256=blob.sha256, size=blob.size,
                               media_type=media_type, created_at=ctx.clock()))
        stored[str(role)] = blob.sha256
    return stored


@cache
def _calendar(subdivision: str | None) -> classifiers.WorkingCalendar:
    """One per process: building the holiday tables costs ≈ 8 ms."""
    return classifiers.WorkingCalendar(subdivision)


def _mail_sender(document: Document) -> str | None:
    """The address of the e-mail the document came with (or is): how to answer its sender."""
    _name, address = parseaddr(str((document.attributes or {}).get("expediteur") or ""))
    return address if "@" in address else None


def _first(fields: dict[str, Any], codes: tuple[str, ...]) -> str | None:
    return next((value for code in codes if isinstance(value := fields.get(code), str) and value), None)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def move_to_service(ctx: Context, session: Session, request: Request, service: str, *, actor: str) -> list[int]:
    """The request's service and its documents' with it, each document journaled (its own history says
    where it went); the search index follows at the next ``index_pending``."""
    request.service = service
    moved = []
    for document in request.documents:
        if document.service != service:
            journal.append(session, "document.transferred", at=ctx.clock(), actor=actor, document_id=document.id,
                           payload={"request": request.number, "service": [document.service, service]})
            document.service, document.indexed_at = service, None
            moved.append(document.id)
    return moved
