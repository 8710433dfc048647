"""What a user typed, split into clauses every engine can translate, and the filters typed with it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..states import document_state
from .base import SearchRequest

_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


@dataclass(frozen=True)
class Clause:
    text: str
    phrase: bool = False
    excluded: bool = False


def parse(text: str) -> list[Clause]:
    """``rue "des Lilas" -travaux`` → a word, a phrase, an excluded word."""
    clauses: list[Clause] = []
    for match in _TOKEN.finditer(text):
        if match.group(2) is not None:
            if match.group(2).strip():
                clauses.append(Clause(match.group(2).strip(), phrase=True, excluded=bool(match.group(1))))
        else:
            word = match.group(4)
            excluded = bool(match.group(3)) and len(word) > 0
            clauses.append(Clause(word, excluded=excluded))
    return clauses


def fuzziness(term: str) -> int:
    """Edits allowed for an OCR-damaged term, as Elasticsearch's ``fuzziness: AUTO``."""
    return 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2


_FILTER = re.compile(r"(?<!\S)(type|service|etat|état|du|au):(\S+)", re.IGNORECASE)


def _day(value: str) -> datetime | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def typed_filters(request: SearchRequest) -> SearchRequest:
    """``éclairage type:voirie service:services_techniques etat:traité du:01/01/2025 au:2025-06-30``:
    the filters a user types in the search box join the request's own; an unreadable one stays a word.
    States are read as people write them (``traité``, ``à vérifier``), wherever they were given."""
    found: dict[str, set[str]] = {"doc_types": set(), "services": set(), "states": set()}
    dates: dict[str, datetime] = {}

    def take(match: re.Match[str]) -> str:
        field, value = match.group(1).lower(), match.group(2)
        if field in ("du", "au"):
            day = _day(value)
            if day is None:
                return match.group(0)
            dates[field] = day if field == "du" else day + timedelta(days=1) - timedelta(microseconds=1)
        elif field == "type":
            found["doc_types"].add(value.lower())
        elif field == "service":
            found["services"].add(value.lower())
        else:
            found["states"].add(document_state(value))
        return " "

    states = frozenset(document_state(state) for state in request.states)
    text = _FILTER.sub(take, request.text)
    if text == request.text and states == request.states:
        return request
    return replace(request, text=" ".join(text.split()), doc_types=request.doc_types | found["doc_types"],
                   services=request.services | found["services"], states=states | found["states"],
                   received_from=dates.get("du", request.received_from),
                   received_to=dates.get("au", request.received_to))
