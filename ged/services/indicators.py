"""Quality-of-service indicators per service: what a commune reports (received, open, closed, delays).

Computed by the database: counts per service and day over the last twelve months (a few thousand
rows at most, whatever the number of documents), then grouped into weeks and months here. The
dashboard loaded every document and request into Python before (5 s per load at 100,000 documents).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from ..context import Context
from ..db.models import Document, Request
from .accounts import Principal

MONTHS = 12
"""How far back the dashboard looks: a year of months, and the weeks of the last quarter."""
WEEKS = 13


@dataclass
class Period:
    label: str
    received: int = 0
    opened: int = 0
    closed: int = 0
    on_time: int = 0
    processing_days: int = 0
    """Days from receipt to closing, summed over the requests closed in the period."""

    @property
    def average_days(self) -> float | None:
        return round(self.processing_days / self.closed, 1) if self.closed else None

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


def _day(session: Session, column: Any) -> Any:
    """A timestamp's calendar day, as each database writes it."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return cast(column, Date)


def _days_between(session: Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(func.date(later)) - func.julianday(earlier), Integer)
    return cast(later, Date) - earlier


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def indicators(ctx: Context, viewer: Principal) -> list[ServiceIndicators]:
    """Per service the viewer may see: received documents, requests opened and closed, average
    processing time and the share closed within the deadline, per ISO week and per month."""
    today = ctx.clock().date()
    first = today.year * 12 + today.month - 1 - (MONTHS - 1)  # months since year 0, of the oldest month shown
    first_month = date(first // 12, first % 12 + 1, 1)
    since = datetime.combine(first_month, datetime.min.time())
    recent_weeks = {_week(date.fromordinal(today.toordinal() - 7 * n)) for n in range(WEEKS)}
    weeks: dict[str, dict[str, Period]] = defaultdict(dict)
    months: dict[str, dict[str, Period]] = defaultdict(dict)

    def periods(service: str, day: date) -> list[Period]:
        found = [months[service].setdefault(f"{day:%Y-%m}", Period(f"{day:%Y-%m}"))]
        if (week := _week(day)) in recent_weeks:
            found.append(weeks[service].setdefault(week, Period(week)))
        return found

    allowed = viewer.allowed_services
    with ctx.db.session() as session:
        day = _day(session, Document.received_at)
        received = select(Document.service, day, func.count()).where(
            Document.service.is_not(None), Document.received_at >= since).group_by(Document.service, day)
        opened = select(Request.service, Request.received_on, func.count()).where(
            Request.received_on >= first_month).group_by(Request.service, Request.received_on)
        closed_day = _day(session, Request.closed_at)
        closed = select(Request.service, closed_day, func.count(),
                        func.sum(case((or_(Request.due_on.is_(None), closed_day <= Request.due_on), 1), else_=0)),
                        func.sum(_days_between(session, Request.closed_at, Request.received_on))).where(
            Request.closed_at >= since).group_by(Request.service, closed_day)
        now = select(Request.service, func.count(),
                     func.count().filter(and_(Request.due_on.is_not(None), Request.due_on < today))).where(
            Request.closed_at.is_(None)).group_by(Request.service)
        if allowed is not None:
            received = received.where(Document.service.in_(sorted(allowed)))
            in_reach = Request.service.in_(sorted(allowed))
            opened, closed, now = opened.where(in_reach), closed.where(in_reach), now.where(in_reach)
        for service, on, count in session.execute(received):
            for period in periods(service, _as_date(on)):
                period.received += count
        for service, on, count in session.execute(opened):
            for period in periods(service, _as_date(on)):
                period.opened += count
        for service, on, count, on_time, total_days in session.execute(closed):
            for period in periods(service, _as_date(on)):
                period.closed += count
                period.on_time += int(on_time or 0)
                period.processing_days += int(total_days or 0)
        open_now = {service: (count, overdue) for service, count, overdue in session.execute(now)}
    services = sorted(set(months) | set(open_now))
    return [ServiceIndicators(s, *open_now.get(s, (0, 0)), [weeks[s][k] for k in sorted(weeks[s])],
                              [months[s][k] for k in sorted(months[s])]) for s in services]
