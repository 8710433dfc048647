"""Search: one interface, two engines (embedded tantivy; Elasticsearch for larger installations)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .base import FACET_FIELDS, IndexedDocument, SearchEngine, SearchHit, SearchRequest, SearchResult
from .embedded import EmbeddedEngine

if TYPE_CHECKING:
    from ..settings import Settings


def open_engine(settings: Settings) -> SearchEngine:
    """The engine the settings name; Elasticsearch secrets come from environment variables only."""
    if settings.search.engine == "embedded":
        return EmbeddedEngine(settings.index_path)
    from .elastic import ElasticConnection, ElasticEngine

    es = settings.search.elasticsearch
    return ElasticEngine(ElasticConnection(
        url=es.url, username=es.username, password=os.environ.get(es.password_env),
        api_key=os.environ.get(es.api_key_env), ca_file=str(settings.resolve(es.ca_file)) if es.ca_file else None,
        index_prefix=es.index_prefix))


__all__ = ["FACET_FIELDS", "EmbeddedEngine", "IndexedDocument", "SearchEngine", "SearchHit", "SearchRequest",
           "SearchResult", "open_engine"]
