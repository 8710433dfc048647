"""Requests (demandes): registration, routing, due dates, joining later mail, status and assignment.

A document of a request type opens a request, unless it cites an existing request's
number or file number: then it joins that request (the missing pieces of a file, a
reminder). Numbers come from a counter row per year and category, incremented in the
same transaction that creates the request, so two processes never give the same number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.utils import parseaddr
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

import classifiers
from classifiers.deadlines import DeadlineRule, Delay, Silence, Unit

from .. import journal, labels
from ..acknowledgement import Acknowledgement
from ..context import Context
from ..db.models import STATUS_LABELS_FR, Document, FileRole, Request, RequestCounter, RequestStatus, StoredFile
from ..db.session import insert_now
from ..errors import InvalidValue, NotFound, Unavailable
from ..taxonomy import DelaySettings, TypeSettings
from . import integrity
from .accounts import Principal

REQUESTER_FIELDS = ("demandeur_nom", "responsable_nom", "association", "fournisseur", "expediteur")
ADDRESS_FIELDS = ("demandeur_adresse", "responsable_adresse")
REFERENCE_FIELDS = ("reference_dossier", "numero_dossier")


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
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(RequestCounter).values(year=year, category=category, last=1)
    sequence = session.execute(
        statement.on_conflict_do_update(index_elements=[RequestCounter.year, RequestCounter.category],
                                        set_={"last": RequestCounter.last + 1})
        .returning(RequestCounter.last)).scalar_one()
    return classifiers.format_number(year, category, sequence)


def open_or_join(ctx: Context, session: Session, document: Document, fields: dict[str, Any], *,
                 actor: str) -> Request | None:
    """The request this document belongs to: an existing one it cites, or a new one (None for other mail)."""
    assert document.doc_type is not None
    settings = ctx.settings.types[document.doc_type]
    if settings.category is None:
        return None
    existing = cited_request(session, document.text, fields)
    if existing is not None:
        return _join(ctx, session, existing, document, actor=actor)
    return _open(ctx, session, document, fields, settings, actor=actor)


def _join(ctx: Context, session: Session, request: Request, document: Document, *, actor: str) -> Request:
    document.request_id = request.id
    payload: dict[str, Any] = {"number": request.number, "document": document.id}
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
    calendar = _calendar(ctx.settings.commune.holidays_subdivision)
    due = classifiers.compute_due(deadline_rule(settings), received, calendar,
                                  variant=_variant(document.doc_type, fields, document.text))
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
    document.request_id = request.id
    set_committed_value(request, "documents", [document])  # a new request has this document only: no query
    payload: dict[str, Any] = {"number": number, "service": request.service, "due_on": _iso(due.due_date),
                               "silence": due.silence.value, "silence_on": _iso(due.silence_date), "basis": due.basis}
    if settings.acknowledge:
        payload["acknowledgement"] = _acknowledge(ctx, session, request, document, fields, settings)
    journal.append(session, "request.created", at=now, actor=actor, document_id=document.id, request_id=request.id,
                   payload=payload)
    return request


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


# -- reading and acting on requests ------------------------------------------------------------
@dataclass(frozen=True)
class RequestView:
    number: str
    doc_type: str
    type_label: str
    service: str
    status: str
    status_label: str
    requester: str | None
    contact: str | None
    file_reference: str | None
    received_on: date
    due_on: date | None
    overdue: bool
    silence: str
    silence_on: date | None
    basis: str
    assignee: str | None
    documents: list[int]
    fields: dict[str, dict[str, Any]]
    history: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("received_on", "due_on", "silence_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def _view(ctx: Context, session: Session, request: Request, *, today: date, full: bool) -> RequestView:
    fields: dict[str, dict[str, Any]] = {}
    history: list[dict[str, Any]] = []
    if full:
        for document in request.documents:  # the first document's fields first; later ones fill the gaps
            for field in document.fields:
                fields.setdefault(field.code, {"value": field.value, "confidence": round(field.confidence, 3),
                                               "page": field.page, "document": document.id, "method": field.method})
        history = [{"at": e.at.isoformat(timespec="seconds") + "Z", "kind": e.kind, "actor": e.actor,
                    "payload": e.payload} for e in journal.request_history(session, request.id)]
    return RequestView(
        number=request.number, doc_type=request.doc_type, type_label=ctx.settings.types[request.doc_type].label
        if request.doc_type in ctx.settings.types else request.doc_type, service=request.service,
        status=request.status, status_label=labels.status_label(request.status),
        requester=request.requester, contact=request.contact, file_reference=request.file_reference,
        received_on=request.received_on, due_on=request.due_on, overdue=is_overdue(request, today),
        silence=request.silence, silence_on=request.silence_on, basis=request.basis, assignee=request.assignee,
        documents=[d.id for d in request.documents], fields=fields, history=history)


def is_overdue(request: Request, today: date) -> bool:
    return request.due_on is not None and request.due_on < today and request.status != RequestStatus.CLOSED


def list_requests(ctx: Context, *, service: str | None = None, status: str | None = None,
                  overdue: bool = False, assignee: str | None = None,
                  viewer: Principal | None = None) -> list[RequestView]:
    today = ctx.clock().date()
    query = select(Request).options(selectinload(Request.documents)).order_by(Request.due_on.is_(None),
                                                                             Request.due_on, Request.id)
    if service:
        query = query.where(Request.service == service)
    if status:
        query = query.where(Request.status == parse_status(status))
    if assignee:
        query = query.where(Request.assignee == assignee)
    if overdue:
        query = query.where(Request.due_on < today, Request.status != RequestStatus.CLOSED)
    if viewer is not None and viewer.allowed_services is not None:
        query = query.where(Request.service.in_(sorted(viewer.allowed_services)))
    with ctx.db.session() as session:
        return [_view(ctx, session, r, today=today, full=False) for r in session.scalars(query)]


def show(ctx: Context, number: str, *, viewer: Principal | None = None) -> RequestView:
    with ctx.db.session() as session:
        request = _get(session, number)
        if viewer is not None and not viewer.may_see(request.service):
            raise NotFound(f"demande {number} introuvable")
        return _view(ctx, session, request, today=ctx.clock().date(), full=True)


def assign(ctx: Context, number: str, assignee: str, *, actor: str) -> RequestView:
    with ctx.db.session() as session:
        request = _get(session, number)
        previous, request.assignee = request.assignee, assignee
        if request.status == RequestStatus.NEW:
            request.status = RequestStatus.IN_PROGRESS
        journal.append(session, "request.assigned", at=ctx.clock(), actor=actor, request_id=request.id,
                       payload={"number": number, "assignee": [previous, assignee]})
    return show(ctx, number)


def set_status(ctx: Context, number: str, status: str, *, actor: str, note: str | None = None) -> RequestView:
    new = parse_status(status)
    with ctx.db.session() as session:
        request = _get(session, number)
        previous = request.status
        request.status = new
        request.closed_at = ctx.clock() if new == RequestStatus.CLOSED else None
        payload: dict[str, Any] = {"number": number, "status": [previous, new.value]}
        if note:
            payload["note"] = note
        journal.append(session, "request.status", at=ctx.clock(), actor=actor, request_id=request.id, payload=payload)
    return show(ctx, number)


def parse_status(value: str) -> RequestStatus:
    """A status by its code (``en_attente``) or its French label (``en attente de pièces``)."""
    wanted = classifiers.fold(value).replace(" ", "_")
    for status, label in STATUS_LABELS_FR.items():
        if wanted in (status.value, classifiers.fold(label).replace(" ", "_")):
            return status
    choices = ", ".join(s.value for s in RequestStatus)
    raise InvalidValue(f"statut inconnu « {value} » (valeurs : {choices})")


def _get(session: Session, number: str) -> Request:
    request = session.scalar(select(Request).options(selectinload(Request.documents).selectinload(Document.fields),
                                                     selectinload(Request.documents).selectinload(Document.files))
                             .where(Request.number == number.strip().upper()))
    if request is None:
        raise NotFound(f"demande {number} introuvable")
    return request


def export_acknowledgement(ctx: Context, number: str, destination: Path, *, email: bool, actor: str) -> Path:
    """Copy the request's acknowledgement (letter or e-mail text) out of the store, journaled."""
    role = FileRole.ACK_EMAIL if email else FileRole.ACK_LETTER
    with ctx.db.session() as session:
        request = _get(session, number)
        stored = next((f for d in request.documents for f in d.files if f.role == role), None)
        if stored is None:
            raise Unavailable(f"la demande {request.number} n'a pas d'accusé de réception")
        request_id, sha256, document_id = request.id, stored.sha256, stored.document_id
    with integrity.guarded(ctx, during="export de l'accusé de réception", actor=actor, document_id=document_id):
        ctx.blobs.copy_out(sha256, destination)
    with ctx.db.session() as session:
        journal.append(session, "request.acknowledgement_exported", at=ctx.clock(), actor=actor,
                       request_id=request_id, payload={"role": str(role), "destination": str(destination)})
    return destination
