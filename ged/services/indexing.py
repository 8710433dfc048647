"""Keeping the search index in step with the database, which is the truth."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from ..context import Context
from ..db.models import Document, DocumentState, Page
from ..search import IndexedDocument

_CHUNK = 500


def to_indexed(document: Document) -> IndexedDocument:
    return IndexedDocument(
        id=document.id, title=document.filename, text=document.text, doc_type=document.doc_type,
        service=document.service, state=document.state, media_type=document.media_type,
        received_at=document.received_at, page_count=document.page_count or 0,
    )


def _documents(session: Session, *, pending_only: bool) -> Iterator[Document]:
    # Only the pages' text: their words and boxes are the largest column and the index needs none.
    query = (select(Document).options(selectinload(Document.pages).load_only(Page.number, Page.text))
             .where(Document.state != DocumentState.ELIMINATED).order_by(Document.id))
    if pending_only:
        query = query.where(Document.indexed_at.is_(None))
    yield from session.scalars(query.execution_options(yield_per=_CHUNK))


def index_pending(ctx: Context) -> int:
    """Index every document changed since it was last indexed."""
    with ctx.db.session() as session:
        documents = list(_documents(session, pending_only=True))
        if not documents:
            return 0
        count = ctx.search.index(to_indexed(d) for d in documents)
        now = ctx.clock()
        for document in documents:
            document.indexed_at = now
    return count


def reindex_all(ctx: Context) -> int:
    """Rebuild the index from scratch from the database, streaming documents."""
    with ctx.db.session() as session:
        count = ctx.search.reindex(to_indexed(d) for d in _documents(session, pending_only=False))
        session.execute(update(Document).values(indexed_at=ctx.clock()))
    return count
