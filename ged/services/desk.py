"""The agents' desk: requests by basket (what Maarch Courrier calls corbeilles), filtered, sorted, a
page at a time, with every basket's count.

Built for 20,000 requests and more: a page reads its rows' columns only (no ORM objects, no
documents loaded), and the counts come from one aggregate query, so the cost does not grow with
the number of requests a service holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select

from .. import labels
from ..context import Context
from ..db.models import Document, Request, RequestStatus
from ..errors import InvalidValue
from .accounts import Principal
from .casework import is_overdue, parse_status, type_label

PAGE_SIZE = 50
NOBODY = "-"
"""The assignee filter for requests nobody has taken yet."""


class Basket(StrEnum):
    MINE = "mes-demandes"
    TO_DO = "a-traiter"
    OVERDUE = "en-retard"
    AWAITING = "en-attente"
    CLOSED = "cloturees"
    ALL = "toutes"


BASKET_LABELS: dict[Basket, str] = {
    Basket.MINE: "Mes demandes", Basket.TO_DO: "À traiter", Basket.OVERDUE: "En retard",
    Basket.AWAITING: "En attente de pièces", Basket.CLOSED: "Clôturées", Basket.ALL: "Toutes",
}


class Sort(StrEnum):
    DUE = "echeance"
    RECEIVED = "reception"
    NUMBER = "numero"
    REQUESTER = "demandeur"


@dataclass(frozen=True)
class DeskFilter:
    basket: Basket = Basket.TO_DO
    service: str | None = None
    doc_type: str | None = None
    status: str | None = None
    assignee: str | None = None
    """A login, or ``NOBODY`` for requests not yet assigned."""
    due_from: date | None = None
    due_to: date | None = None
    sort: Sort = Sort.DUE
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class DeskRow:
    number: str
    doc_type: str
    type_label: str
    service: str
    status: RequestStatus
    status_label: str
    requester: str | None
    received_on: date
    due_on: date | None
    overdue: bool
    assignee: str | None
    first_document: int | None

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("received_on", "due_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass(frozen=True)
class DeskPage:
    filter: DeskFilter
    rows: list[DeskRow]
    total: int
    counts: dict[Basket, int]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filter.page_size))


def _basket(basket: Basket, viewer: Principal, today: date) -> ColumnElement[bool]:
    open_ = Request.status != RequestStatus.CLOSED
    return {
        Basket.MINE: and_(Request.assignee == viewer.login, open_),
        Basket.TO_DO: Request.status.in_([RequestStatus.NEW, RequestStatus.IN_PROGRESS]),
        Basket.OVERDUE: and_(Request.due_on < today, open_),
        Basket.AWAITING: Request.status == RequestStatus.AWAITING_DOCUMENTS,
        Basket.CLOSED: Request.status == RequestStatus.CLOSED,
        Basket.ALL: Request.id.is_not(None),
    }[basket]


def _filtered(query: Select[*tuple[Any, ...]], wanted: DeskFilter,
              viewer: Principal) -> Select[*tuple[Any, ...]]:
    """Every filter but the basket: the counts of the other baskets follow the same filters."""
    if viewer.allowed_services is not None:
        query = query.where(Request.service.in_(sorted(viewer.allowed_services)))
    if wanted.service:
        query = query.where(Request.service == wanted.service)
    if wanted.doc_type:
        query = query.where(Request.doc_type == wanted.doc_type)
    if wanted.status:
        query = query.where(Request.status == parse_status(wanted.status))
    if wanted.assignee == NOBODY:
        query = query.where(Request.assignee.is_(None))
    elif wanted.assignee:
        query = query.where(Request.assignee == wanted.assignee)
    if wanted.due_from:
        query = query.where(Request.due_on >= wanted.due_from)
    if wanted.due_to:
        query = query.where(Request.due_on <= wanted.due_to)
    return query


def _order(wanted: DeskFilter) -> list[Any]:
    column = {Sort.DUE: Request.due_on, Sort.RECEIVED: Request.received_on, Sort.NUMBER: Request.number,
              Sort.REQUESTER: Request.requester}[wanted.sort]
    direction = column.desc() if wanted.descending else column.asc()
    return [column.is_(None), direction, Request.id.desc() if wanted.descending else Request.id]


def desk(ctx: Context, viewer: Principal, wanted: DeskFilter) -> DeskPage:
    """One page of a basket, its total, and the count of every basket under the same filters."""
    if wanted.page_size < 1 or wanted.page_size > 500:
        raise InvalidValue("taille de page entre 1 et 500")
    today = ctx.clock().date()
    first_document = (select(func.min(Document.id)).where(Document.request_id == Request.id)
                      .correlate(Request).scalar_subquery())
    rows_query = _filtered(select(
        Request.number, Request.doc_type, Request.service, Request.status, Request.requester, Request.received_on,
        Request.due_on, Request.assignee, first_document), wanted, viewer)
    rows_query = rows_query.where(_basket(wanted.basket, viewer, today)).order_by(*_order(wanted))
    counts_query = _filtered(select(*(func.count().filter(_basket(basket, viewer, today)) for basket in Basket))
                             .select_from(Request), wanted, viewer)
    with ctx.db.session() as session:
        counts = dict(zip(Basket, session.execute(counts_query).one(), strict=True))
        total = counts[wanted.basket]
        pages = max(1, -(-total // wanted.page_size))
        page = min(max(1, wanted.page), pages)
        result = session.execute(rows_query.offset((page - 1) * wanted.page_size).limit(wanted.page_size)).all()
    rows = [DeskRow(number=r.number, doc_type=r.doc_type, type_label=type_label(ctx, r.doc_type),
                    service=r.service, status=r.status, status_label=labels.status_label(r.status),
                    requester=r.requester, received_on=r.received_on, due_on=r.due_on,
                    overdue=is_overdue(r.due_on, r.status, today),
                    assignee=r.assignee, first_document=r[-1]) for r in result]
    return DeskPage(replace(wanted, page=page), rows, total, counts)

