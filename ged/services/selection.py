"""The documents and requests a robot acts on: what its trigger brought, narrowed by its filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..context import Context
from ..db.models import Document, Request
from ..search import SearchRequest
from ..search.query import typed_filters
from ..states import RequestStatus, document_state


@dataclass(frozen=True)
class Item:
    """One thing a robot acts on, with what its notifications and exports say about it."""

    key: str
    """Stable identity for the delivery ledger: ``document:42``, ``demande:2026-URB-000042``."""
    document_id: int | None
    request: str | None
    doc_type: str | None
    service: str | None
    title: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Criteria:
    doc_type: str | None = None
    service: str | None = None
    state: str | None = None
    min_age_days: int | None = None
    query: str | None = None


def _document_item(document: Document, request: Request | None) -> Item:
    return Item(f"document:{document.id}", document.id, request.number if request else None, document.doc_type,
                document.service, document.filename,
                {"document": document.id, "fichier": document.filename, "type": document.doc_type,
                 "service": document.service, "etat": document.state,
                 "recu_le": document.received_at.isoformat(timespec="seconds"),
                 "demande": request.number if request else None})


def request_item(request: Request) -> Item:
    return Item(f"demande:{request.number}", None, request.number, request.doc_type, request.service,
                request.number, {"demande": request.number, "type": request.doc_type, "service": request.service,
                                 "statut": request.status, "demandeur": request.requester,
                                 "recue_le": request.received_on.isoformat(),
                                 "echeance": request.due_on.isoformat() if request.due_on else None,
                                 "agent": request.assignee})


def documents(ctx: Context, criteria: Criteria, *, ids: list[int] | None = None) -> list[Item]:
    """Documents matching the criteria (among ``ids`` when an event brought them)."""
    query = select(Document).order_by(Document.id)
    if ids is not None:
        query = query.where(Document.id.in_(ids))
    if criteria.doc_type:
        query = query.where(Document.doc_type == criteria.doc_type)
    if criteria.service:
        query = query.where(Document.service == criteria.service)
    if criteria.state:
        query = query.where(Document.state == document_state(criteria.state))
    if criteria.min_age_days is not None:
        query = query.where(Document.received_at <= ctx.clock() - timedelta(days=criteria.min_age_days))
    allowed = _matching_search(ctx, criteria.query)
    with ctx.db.session() as session:
        found = [d for d in session.scalars(query) if allowed is None or d.id in allowed]
        requests = {r.id: r for r in session.scalars(select(Request).where(
            Request.id.in_([d.request_id for d in found if d.request_id])))}
        return [_document_item(d, requests.get(d.request_id or -1)) for d in found]


def requests_of(ctx: Context, criteria: Criteria, *, numbers: list[str] | None = None,
                overdue_on: datetime | None = None) -> list[Item]:
    """Requests matching the criteria (type, service, status as ``state``); overdue ones with ``overdue_on``."""
    query = select(Request).order_by(Request.due_on, Request.id)
    if numbers is not None:
        query = query.where(Request.number.in_(numbers))
    if criteria.doc_type:
        query = query.where(Request.doc_type == criteria.doc_type)
    if criteria.service:
        query = query.where(Request.service == criteria.service)
    if criteria.state:
        query = query.where(Request.status == criteria.state)
    if overdue_on is not None:
        query = query.where(Request.due_on < overdue_on.date(), Request.status != RequestStatus.CLOSED)
    with ctx.db.session() as session:
        return [request_item(r) for r in session.scalars(query)]


def _matching_search(ctx: Context, query: str | None) -> set[int] | None:
    if not query:
        return None
    return {hit.id for hit in ctx.search.search(typed_filters(SearchRequest(text=query, limit=10_000))).hits}
