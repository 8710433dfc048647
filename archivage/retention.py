"""Retention dates: when the durée d'utilité administrative (DUA) of a record runs out."""

from __future__ import annotations

from datetime import date


def add_years(start: date, years: int) -> date:
    """Same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def dua_end(start_on: date | None, dua_years: int | None) -> date | None:
    """The day the DUA ends; the start itself when there is no DUA; None while the start is unknown."""
    if start_on is None:
        return None
    return start_on if dua_years is None else add_years(start_on, dua_years)
