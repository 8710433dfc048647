"""Registration numbers of requests: ``2026-URB-000042``, one sequence per year and category."""

from __future__ import annotations

import re
from collections.abc import Iterator

_NUMBER = re.compile(r"\b(?P<year>20\d{2})\s?-\s?(?P<category>[A-Z]{2,5})\s?-\s?(?P<sequence>\d{1,6})\b")


def format_number(year: int, category: str, sequence: int) -> str:
    return f"{year}-{category.upper()}-{sequence:06d}"


def find_references(text: str) -> Iterator[tuple[int, int, str]]:
    """Registration numbers cited in a text (a reminder quoting its file), in the normal form."""
    for match in _NUMBER.finditer(text):
        yield match.start(), match.end(), format_number(int(match["year"]), match["category"], int(match["sequence"]))
