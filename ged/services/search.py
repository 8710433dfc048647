"""Searching, for every driver: the request is checked here, the engine does the work."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..context import Context
from ..search import SearchRequest, SearchResult
from ..search.query import typed_filters

__all__ = ["SearchRequest", "SearchResult", "reindex", "search"]

MAX_PAGE_SIZE = 200
log = logging.getLogger(__name__)


def search(ctx: Context, request: SearchRequest) -> SearchResult:
    if not 1 <= request.limit <= MAX_PAGE_SIZE:
        raise ValueError(f"le nombre de résultats par page doit être entre 1 et {MAX_PAGE_SIZE}")
    if request.offset < 0:
        raise ValueError("le décalage ne peut pas être négatif")
    if ctx.search.emptied:
        log.warning("index de recherche d'une version antérieure : reconstruction depuis la base")
        reindex(ctx)
    return ctx.search.search(typed_filters(request))


def review_queue(ctx: Context, *, allowed_services: frozenset[str] | None, limit: int = 200) -> SearchResult:
    """The documents waiting for a person (typing uncertain, text illegible…), oldest first."""
    from ..states import DocumentState

    return search(ctx, SearchRequest(states=frozenset({DocumentState.NEEDS_REVIEW}), sort="date",
                                     allowed_services=allowed_services, limit=limit, facets=False))


def reindex(ctx: Context, *, progress: Callable[[int, int], None] | None = None, restart: bool = False) -> int:
    """Rebuild the index from the database (continuing an interrupted rebuild unless ``restart``);
    ``progress(done, total)`` is called as documents go by."""
    from ..indexing import reindex_all  # the database layer: not loaded by a search

    return reindex_all(ctx, progress=progress, restart=restart)


def interrupted_rebuild(ctx: Context) -> int | None:
    """The id up to which an interrupted rebuild got, if one is waiting to be continued."""
    return ctx.search.rebuilt_up_to()
