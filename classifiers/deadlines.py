"""Due dates of requests: French working days, calendar delays, and what silence means at the end.

Working days skip weekends and every public holiday of the ``holidays`` library for France
(Easter Monday, Ascension, Whit Monday included); the subdivision ``57``/``67``/``68`` (or
``6AE``) adds Alsace-Moselle's Good Friday and 26 December, and overseas départements
have their own. Month delays follow the legal rule: same day number of the month after,
or the month's last day when it has none (31 January + 1 month = 28/29 February).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property


class Unit(StrEnum):
    WORKING_DAYS = "jours_ouvres"
    DAYS = "jours"
    MONTHS = "mois"


class Silence(StrEnum):
    """What the administration's silence means once the delay has run (CRPA L231-1 and L231-4)."""

    ACCEPTANCE = "acceptation"
    REJECTION = "rejet"
    NONE = "sans_objet"


@dataclass(frozen=True)
class Delay:
    amount: int
    unit: Unit

    def label(self) -> str:
        words = {Unit.WORKING_DAYS: "jours ouvrés", Unit.DAYS: "jours", Unit.MONTHS: "mois"}
        return f"{self.amount} {words[self.unit]}"


@dataclass(frozen=True)
class DeadlineRule:
    delay: Delay | None
    """The processing delay; None for mail with no deadline."""
    silence: Silence = Silence.NONE
    silence_delay: Delay | None = None
    """When silence becomes a decision; None means at the end of ``delay`` (urban planning)."""
    variants: Mapping[str, Delay] = field(default_factory=dict)
    """Legal delays by nature of the request (``DP`` 1 month, ``PC_MI`` 2 months, ``PC`` 3 months)."""


@dataclass(frozen=True)
class Due:
    due_date: date | None
    silence: Silence
    silence_date: date | None
    """The day silence becomes an implicit acceptance or rejection."""
    basis: str
    """The rule applied, in French, as the acknowledgement of receipt states it."""


@dataclass(frozen=True)
class WorkingCalendar:
    subdivision: str | None = None
    """``holidays`` subdivision of France: ``57``, ``67``, ``68`` or ``6AE`` for Alsace-Moselle."""

    @cached_property
    def _holidays(self) -> object:
        import holidays

        return holidays.country_holidays("FR", subdiv=self.subdivision)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays  # type: ignore[operator]

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (the day of receipt itself is not counted)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)  # type: ignore[attr-defined]


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, min(start.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def add_delay(start: date, delay: Delay, calendar: WorkingCalendar) -> date:
    if delay.unit == Unit.WORKING_DAYS:
        return calendar.add_working_days(start, delay.amount)
    if delay.unit == Unit.DAYS:
        return start + timedelta(days=delay.amount)
    return add_months(start, delay.amount)


def compute_due(rule: DeadlineRule, received: date, calendar: WorkingCalendar, *, variant: str | None = None) -> Due:
    """The due date and the silence date of a request received on ``received``."""
    delay = rule.variants.get(variant or "", rule.delay)
    if delay is None:
        return Due(None, rule.silence, None, "pas de délai de traitement")
    due = add_delay(received, delay, calendar)
    basis = f"délai de {delay.label()}" + (f", nature {variant}" if variant and variant in rule.variants else "")
    if rule.silence == Silence.NONE:
        return Due(due, rule.silence, None, basis)
    silence_date = due if rule.silence_delay is None else add_delay(received, rule.silence_delay, calendar)
    return Due(due, rule.silence, silence_date, basis)
