"""Searching, for every driver: the request is checked here, the engine does the work."""

from __future__ import annotations

from ..context import Context
from ..search import SearchRequest, SearchResult
from ..search.query import typed_filters
from .indexing import reindex_all

__all__ = ["SearchRequest", "SearchResult", "reindex", "search"]

MAX_PAGE_SIZE = 200


def search(ctx: Context, request: SearchRequest) -> SearchResult:
    if not 1 <= request.limit <= MAX_PAGE_SIZE:
        raise ValueError(f"le nombre de résultats par page doit être entre 1 et {MAX_PAGE_SIZE}")
    if request.offset < 0:
        raise ValueError("le décalage ne peut pas être négatif")
    return ctx.search.search(typed_filters(request))


def reindex(ctx: Context) -> int:
    return reindex_all(ctx)
