"""The search interface every engine implements, and the values that cross it.

Engines differ in how they analyse French and rank; they agree on these types, so one
set of contract tests (tests/search/) runs on each of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

FACET_FIELDS = ("doc_type", "service", "state", "media_type")


@dataclass(frozen=True, kw_only=True)
class IndexedDocument:
    id: int
    title: str
    text: str
    doc_type: str | None = None
    service: str | None = None
    state: str
    media_type: str | None = None
    received_at: datetime
    page_count: int = 0


@dataclass(frozen=True, kw_only=True)
class SearchRequest:
    text: str = ""
    """What the user typed: words, "quoted phrases", -excluded words; empty matches everything."""
    doc_types: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    received_from: datetime | None = None
    received_to: datetime | None = None
    allowed_services: frozenset[str] | None = None
    """Services the user may see; None means no restriction (administrators, robots)."""
    offset: int = 0
    limit: int = 20
    sort: str = "relevance"
    """``relevance`` or ``date`` (newest first)."""
    facets: bool = True
    """Count the matches per type, service, state and format: a second pass over every match, which
    a caller that does not show them (the CLI's text output, the review queue) skips."""


@dataclass(frozen=True, kw_only=True)
class SearchHit:
    id: int
    score: float
    title: str
    snippet: str
    """HTML-escaped excerpt, matched words wrapped in <mark>…</mark>."""
    doc_type: str | None
    service: str | None
    state: str
    received_at: datetime


@dataclass(frozen=True, kw_only=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class SearchEngine(Protocol):
    emptied: bool
    """The engine found an index it cannot read (an earlier schema) and cleared it: rebuild before use."""

    def index(self, documents: Iterable[IndexedDocument]) -> int:
        """Add or replace documents; visible to searches when this returns."""

    def delete(self, ids: Iterable[int]) -> None: ...

    def search(self, request: SearchRequest) -> SearchResult: ...

    def reindex(self, documents: Iterable[IndexedDocument], *, after: int | None = None) -> int:
        """Rebuild the whole index from the given documents, in id order (the database is the truth);
        ``after``: continue an interrupted rebuild whose documents up to this id are done."""

    def rebuilt_up_to(self) -> int | None:
        """The id up to which an interrupted rebuild got (None: no rebuild to continue)."""
