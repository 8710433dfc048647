"""What a user typed, split into clauses every engine can translate."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
