"""Search: one interface, engines behind it (embedded tantivy; Elasticsearch in issue 5)."""

from __future__ import annotations

from pathlib import Path

from .base import FACET_FIELDS, IndexedDocument, SearchEngine, SearchHit, SearchRequest, SearchResult
from .embedded import EmbeddedEngine


def open_engine(kind: str, *, index_path: Path) -> SearchEngine:
    """The engine the settings name."""
    if kind == "embedded":
        return EmbeddedEngine(index_path)
    raise ValueError(f"moteur de recherche inconnu : {kind}")


__all__ = ["FACET_FIELDS", "EmbeddedEngine", "IndexedDocument", "SearchEngine", "SearchHit", "SearchRequest",
           "SearchResult", "open_engine"]
