"""Working a request: reading it, and what an agent does to it (assign, status, transfer, notes,
acknowledgement of receipt). Every action is journaled on the request, with the value before and after.

``viewer`` is who acts from the web or the API: they must see the request's service (else it is
"introuvable", as if it did not exist) and hold a role that works requests (else 403). The CLI and
the robots act as the installation's operator (``viewer=None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import classifiers

from .. import indexing, integrity, journal, labels
from ..context import Context
from ..db.models import Document, FileRole, Request, RequestStatus, StoredFile
from ..db.people import User
from ..errors import Conflict, InvalidValue, NotFound, Unavailable
from ..registration import move_to_service
from ..states import STATUS_LABELS_FR
from . import mail
from .accounts import Principal, require_role

WORKERS = frozenset({"agent", "admin"})
"""Who works requests: assign, change status, notes, acknowledgement."""
ROUTERS = WORKERS | {"courrier"}
"""Who may also send a request to another service: re-routing misdirected mail is the mail room's job."""
NOTE_LENGTH = 2000


@dataclass(frozen=True)
class RequestView:
    number: str
    doc_type: str
    type_label: str
    service: str
    status: RequestStatus
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
    acknowledgement: bool
    """Whether an acknowledgement of receipt (letter and e-mail) was written for it (full view only)."""

    @property
    def closed(self) -> bool:
        return self.status == RequestStatus.CLOSED

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
        number=request.number, doc_type=request.doc_type, type_label=type_label(ctx, request.doc_type),
        service=request.service,
        status=request.status, status_label=labels.status_label(request.status),
        requester=request.requester, contact=request.contact, file_reference=request.file_reference,
        received_on=request.received_on, due_on=request.due_on,
        overdue=is_overdue(request.due_on, request.status, today),
        silence=request.silence, silence_on=request.silence_on, basis=request.basis, assignee=request.assignee,
        documents=[d.id for d in request.documents], fields=fields, history=history,
        acknowledgement=full and any(f.role == FileRole.ACK_LETTER for d in request.documents for f in d.files))


def is_overdue(due_on: date | None, status: str, today: date) -> bool:
    return due_on is not None and due_on < today and status != RequestStatus.CLOSED


def type_label(ctx: Context, doc_type: str) -> str:
    settings = ctx.settings.types.get(doc_type)
    return settings.label if settings else doc_type


def list_requests(ctx: Context, *, service: str | None = None, status: str | None = None,
                  overdue: bool = False, assignee: str | None = None,
                  viewer: Principal | None = None) -> list[RequestView]:
    """Every request that matches, by due date (the CLI's and the robots' list; the web pages use the desk)."""
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
        request = _get(session, number, viewer)
        return _view(ctx, session, request, today=ctx.clock().date(), full=True)


def colleagues(ctx: Context, service: str) -> list[tuple[str, str]]:
    """(login, name) of the active accounts that work the service's requests: whom a request can go to."""
    with ctx.db.session() as session:
        return _colleagues(session, service)


def _colleagues(session: Session, service: str) -> list[tuple[str, str]]:
    users = session.scalars(select(User).where(User.disabled.is_(False), User.role.in_(sorted(WORKERS)))
                            .order_by(User.name))
    return [(u.login, u.name) for u in users if u.role == "admin" or service in u.services]


def assign(ctx: Context, number: str, assignee: str, *, actor: str, viewer: Principal | None = None) -> RequestView:
    """Give the request to an agent; a new request goes "en cours". From the web, only to a colleague
    of the request's service (the CLI and robots may name anyone, e.g. a robot's queue)."""
    assignee = assignee.strip()
    if not assignee:
        raise InvalidValue("agent absent")
    with ctx.db.session() as session:
        request = _get(session, number, viewer, may=WORKERS)
        if viewer is not None and assignee not in dict(_colleagues(session, request.service)):
            raise InvalidValue(f"« {assignee} » ne traite pas les demandes du service {request.service}")
        _refuse_closed(request, "attribuée")
        previous, request.assignee = request.assignee, assignee
        payload: dict[str, Any] = {"number": request.number, "assignee": [previous, assignee]}
        if request.status == RequestStatus.NEW:
            request.status = RequestStatus.IN_PROGRESS
            payload["status"] = [RequestStatus.NEW.value, RequestStatus.IN_PROGRESS.value]
        journal.append(session, "request.assigned", at=ctx.clock(), actor=actor, request_id=request.id,
                       payload=payload)
    return show(ctx, number)


def set_status(ctx: Context, number: str, status: str, *, actor: str, note: str | None = None,
               viewer: Principal | None = None) -> RequestView:
    """Change the status (closing included), with an optional note kept in the journal."""
    new = parse_status(status)
    note = _checked_note(note) if note and note.strip() else None
    with ctx.db.session() as session:
        request = _get(session, number, viewer, may=WORKERS)
        previous = request.status
        if previous == new and note is None:
            return _view(ctx, session, request, today=ctx.clock().date(), full=True)
        request.status = new
        request.closed_at = ctx.clock() if new == RequestStatus.CLOSED else None
        payload: dict[str, Any] = {"number": request.number, "status": [previous, new.value]}
        if note:
            payload["note"] = note
        journal.append(session, "request.status", at=ctx.clock(), actor=actor, request_id=request.id, payload=payload)
    return show(ctx, number)


def add_note(ctx: Context, number: str, note: str, *, actor: str, viewer: Principal | None = None) -> RequestView:
    """A note on the file (a call from the requester, a piece asked for): in the journal, so never edited."""
    text = _checked_note(note)
    with ctx.db.session() as session:
        request = _get(session, number, viewer, may=WORKERS)
        journal.append(session, "request.note", at=ctx.clock(), actor=actor, request_id=request.id,
                       payload={"number": request.number, "note": text})
    return show(ctx, number)


def transfer(ctx: Context, number: str, service: str, *, actor: str, note: str | None = None,
             viewer: Principal | None = None) -> RequestView:
    """Send the request and all its documents to another service, together: the first service stops
    seeing them, the second sees them at once (search included). The agent's assignment is dropped."""
    if service not in ctx.settings.services:
        raise InvalidValue(f"service inconnu « {service} » (services : {', '.join(ctx.settings.services)})")
    note = _checked_note(note) if note and note.strip() else None
    with ctx.db.session() as session:
        request = _get(session, number, viewer, may=ROUTERS)
        if request.service == service:
            raise InvalidValue(f"la demande {request.number} est déjà au service {service}")
        _refuse_closed(request, "transférée")
        previous = request.service
        moved = move_to_service(ctx, session, request, service, actor=actor)
        payload: dict[str, Any] = {"number": request.number, "service": [previous, service], "documents": moved,
                                   "assignee": [request.assignee, None]}
        if note:
            payload["note"] = note
        request.assignee = None
        journal.append(session, "request.transferred", at=ctx.clock(), actor=actor, request_id=request.id,
                       payload=payload)
    indexing.index_pending(ctx)
    return show(ctx, number) if viewer is None or viewer.may_see(service) else _hidden_view(ctx, number)


def _hidden_view(ctx: Context, number: str) -> RequestView:
    """What the agent who sent a request away is told of it: what they already knew, nothing more."""
    with ctx.db.session() as session:
        request = _get(session, number, None)
        return _view(ctx, session, request, today=ctx.clock().date(), full=False)


@dataclass(frozen=True)
class _Acknowledgement:
    request_id: int
    number: str
    contact: str | None
    file: StoredFile


def _stored_acknowledgement(ctx: Context, number: str, role: FileRole, viewer: Principal | None,
                            may: frozenset[str] | None = None) -> _Acknowledgement:
    with ctx.db.session() as session:
        request = _get(session, number, viewer, may=may)
        stored = next((f for d in request.documents for f in d.files if f.role == role), None)
        if stored is None:
            raise Unavailable(f"la demande {request.number} n'a pas d'accusé de réception")
        session.expunge(stored)
        return _Acknowledgement(request.id, request.number, request.contact, stored)


def acknowledgement_file(ctx: Context, number: str, *, email: bool, actor: str,
                         viewer: Principal | None = None) -> tuple[Path, str]:
    """The stored letter (PDF) or e-mail text of the acknowledgement, checked against its fingerprint,
    with its media type; the download is journaled."""
    ack = _stored_acknowledgement(ctx, number, FileRole.ACK_EMAIL if email else FileRole.ACK_LETTER, viewer)
    with integrity.guarded(ctx, during="lecture de l'accusé de réception", actor=actor,
                           document_id=ack.file.document_id):
        path = ctx.blobs.verified_path(ack.file.sha256)
    with ctx.db.session() as session:
        journal.append(session, "request.acknowledgement_downloaded", at=ctx.clock(), actor=actor,
                       request_id=ack.request_id, payload={"role": str(ack.file.role), "sha256": ack.file.sha256})
    return path, ack.file.media_type or "application/octet-stream"


def export_acknowledgement(ctx: Context, number: str, destination: Path, *, email: bool, actor: str) -> Path:
    """Copy the request's acknowledgement (letter or e-mail text) out of the store, journaled."""
    ack = _stored_acknowledgement(ctx, number, FileRole.ACK_EMAIL if email else FileRole.ACK_LETTER, None)
    with integrity.guarded(ctx, during="export de l'accusé de réception", actor=actor,
                           document_id=ack.file.document_id):
        ctx.blobs.copy_out(ack.file.sha256, destination)
    with ctx.db.session() as session:
        journal.append(session, "request.acknowledgement_exported", at=ctx.clock(), actor=actor,
                       request_id=ack.request_id, payload={"role": str(ack.file.role),
                                                           "destination": str(destination)})
    return destination


def send_acknowledgement(ctx: Context, number: str, *, actor: str, viewer: Principal | None = None) -> str:
    """E-mail the acknowledgement to the requester's address through the configured SMTP server;
    returns the address. Sent again on demand (a lost mail), each sending journaled with its Message-ID."""
    ack = _stored_acknowledgement(ctx, number, FileRole.ACK_EMAIL, viewer, WORKERS)
    if "@" not in (ack.contact or ""):
        raise Unavailable(f"la demande {ack.number} n'a pas d'adresse électronique pour le demandeur")
    with integrity.guarded(ctx, during="envoi de l'accusé de réception", actor=actor,
                           document_id=ack.file.document_id):
        text = ctx.blobs.verified_path(ack.file.sha256).read_text(encoding="utf-8")
    subject_line, _, body = text.partition("\n\n")
    subject = subject_line.removeprefix("Objet : ").strip() or f"Accusé de réception — demande {ack.number}"
    message_id = mail.send(ctx, [str(ack.contact)], subject, body.lstrip(), message_key=f"ar-{ack.number}")
    with ctx.db.session() as session:
        journal.append(session, "request.acknowledgement_sent", at=ctx.clock(), actor=actor,
                       request_id=ack.request_id, payload={"to": ack.contact, "message_id": message_id})
    return str(ack.contact)


def parse_status(value: str) -> RequestStatus:
    """A status by its code (``en_attente``) or its French label (``en attente de pièces``)."""
    wanted = classifiers.fold(value).replace(" ", "_")
    for status, label in STATUS_LABELS_FR.items():
        if wanted in (status.value, classifiers.fold(label).replace(" ", "_")):
            return status
    choices = ", ".join(s.value for s in RequestStatus)
    raise InvalidValue(f"statut inconnu « {value} » (valeurs : {choices})")


def _get(session: Session, number: str, viewer: Principal | None, *, may: frozenset[str] | None = None) -> Request:
    request = session.scalar(select(Request).options(selectinload(Request.documents).selectinload(Document.fields),
                                                     selectinload(Request.documents).selectinload(Document.files))
                             .where(Request.number == number.strip().upper()))
    if request is None or (viewer is not None and not viewer.may_see(request.service)):
        raise NotFound(f"demande {number} introuvable")
    if may is not None:
        require_role(viewer, may, f"modifier la demande {request.number}")
    return request


def _refuse_closed(request: Request, what: str) -> None:
    if request.status == RequestStatus.CLOSED:
        raise Conflict(f"la demande {request.number} est clôturée : elle ne peut plus être {what} "
                       "(rouvrez-la d'abord)")


def _checked_note(note: str | None) -> str:
    text = (note or "").strip()
    if not text:
        raise InvalidValue("note vide")
    if len(text) > NOTE_LENGTH:
        raise InvalidValue(f"note trop longue ({len(text)} caractères, {NOTE_LENGTH} au plus)")
    return text
