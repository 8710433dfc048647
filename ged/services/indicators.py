"""Quality-of-service indicators per service: what a commune reports (received, open, closed, delays)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..context import Context
from ..db.models import Document, Request
from .accounts import Principal


@dataclass
class Period:
    label: str
    received: int = 0
    opened: int = 0
    closed: int = 0
    on_time: int = 0
    processing_days: list[int] = field(default_factory=list)

    @property
    def average_days(self) -> float | None:
        return round(sum(self.processing_days) / len(self.processing_days), 1) if self.processing_days else None

    @property
    def on_time_share(self) -> float | None:
        return round(self.on_time / self.closed, 3) if self.closed else None


@dataclass
class ServiceIndicators:
    service: str
    open_now: int
    overdue_now: int
    weeks: list[Period]
    months: list[Period]


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-S{week:02d}"


def indicators(ctx: Context, viewer: Principal) -> list[ServiceIndicators]:
    """Per service the viewer may see: received documents, requests opened and closed, average
    processing time and the share closed within the deadline, per ISO week and per month."""
    today = ctx.clock().date()
    weeks: dict[str, dict[str, Period]] = defaultdict(dict)
    months: dict[str, dict[str, Period]] = defaultdict(dict)
    open_now: dict[str, int] = defaultdict(int)
    overdue_now: dict[str, int] = defaultdict(int)

    def periods(service: str, day: date) -> list[Period]:
        week, month = _week(day), f"{day:%Y-%m}"
        return [weeks[service].setdefault(week, Period(week)), months[service].setdefault(month, Period(month))]

    with ctx.db.session() as session:
        for document in session.scalars(select(Document).where(Document.service.is_not(None))):
            if viewer.may_see(document.service):
                for period in periods(str(document.service), document.received_at.date()):
                    period.received += 1
        for request in session.scalars(select(Request)):
            if not viewer.may_see(request.service):
                continue
            for period in periods(request.service, request.received_on):
                period.opened += 1
            if request.closed_at is None:
                open_now[request.service] += 1
                overdue_now[request.service] += bool(request.due_on and request.due_on < today)
                continue
            closed_on = request.closed_at.date()
            for period in periods(request.service, closed_on):
                period.closed += 1
                period.on_time += bool(request.due_on is None or closed_on <= request.due_on)
                period.processing_days.append((closed_on - request.received_on).days)
    services = sorted(set(weeks) | set(open_now))
    return [ServiceIndicators(s, open_now[s], overdue_now[s], [weeks[s][k] for k in sorted(weeks[s])],
                              [months[s][k] for k in sorted(months[s])]) for s in services]
