"""Keeping the search index in step with the database, which is the truth.

Documents reach the engine as plain rows, two streaming queries (documents, and their pages'
text in page order) merged by id: no ORM object per document or page. A full rebuild streams
them (this thread reads the next rows while the engine's writer runs on every core); the few
documents changed since the last indexing are read a chunk at a time, each before the writer is
taken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from .context import Context
from .db.models import Document, DocumentState, Page
from .search import IndexedDocument
from .text import document_text

_CHUNK = 2000
Progress = Callable[[int, int], None]
"""(documents indexed, documents to index)"""


_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


def _where(query: _Query, *, pending_only: bool, after: int = 0, upto: int | None = None) -> _Query:
    query = query.where(Document.state != DocumentState.ELIMINATED, Document.id > after)
    if upto is not None:
        query = query.where(Document.id <= upto)
    return query.where(Document.indexed_at.is_(None)) if pending_only else query


def _indexed(session: Session, *, pending_only: bool, after: int = 0,
             upto: int | None = None) -> Iterator[IndexedDocument]:
    documents = session.execute(_where(select(
        Document.id, Document.filename, Document.doc_type, Document.service, Document.state, Document.media_type,
        Document.received_at, Document.page_count, Document.attributes), pending_only=pending_only, after=after,
        upto=upto).order_by(Document.id).execution_options(yield_per=_CHUNK))
    pages = session.execute(_where(select(Page.document_id, Page.text).join(Document, Document.id == Page.document_id),
                                   pending_only=pending_only, after=after, upto=upto)
                            .order_by(Page.document_id, Page.number).execution_options(yield_per=_CHUNK))
    page = next(pages, None)
    for doc_id, filename, doc_type, service, state, media_type, received_at, page_count, attributes in documents:
        texts = []
        while page is not None and page[0] <= doc_id:
            if page[0] == doc_id:
                texts.append(page[1])
            page = next(pages, None)
        yield IndexedDocument(id=doc_id, title=_title(filename, attributes or {}), text=document_text(texts),
                              doc_type=doc_type, service=service, state=state, media_type=media_type,
                              received_at=received_at, page_count=page_count or 0)


def _title(filename: str, attributes: dict[str, object]) -> str:
    """The file name, and for a mail or what came attached to one, its sender and subject: a search
    for either finds the message and its attachments together."""
    if not attributes.get("expediteur") and not attributes.get("objet"):
        return filename
    return f"{filename} — courriel de {attributes.get('expediteur') or '?'} : {attributes.get('objet') or ''}"


def _reported(documents: Iterator[IndexedDocument], done: int, total: int,
              progress: Progress) -> Iterator[IndexedDocument]:
    for count, document in enumerate(documents, done + 1):
        if count % 1000 == 0:
            progress(count, total)
        yield document


def index_pending(ctx: Context, *, progress: Progress | None = None) -> int:
    """Index every document changed since it was last indexed, ``_CHUNK`` documents at a time, so
    that memory holds one chunk, not the whole archive. When most of the archive is pending (an
    index emptied, or an upgrade's migration that left every document unindexed), the index is
    rebuilt instead: every core, commits by range, resumable, and ``progress`` is reported; at
    100,000 documents that took 28 s, where chunks on the single writer thread took 50."""
    if ctx.search.emptied:
        return reindex_all(ctx, progress=progress)
    count, after = 0, 0
    while True:
        with ctx.db.session() as session:
            # Read before taking the index's writer: the database first, then the writer, in every path
            # (a rebuild holds the database while it waits for the writer; the reverse order deadlocks).
            ids = list(session.scalars(_where(select(Document.id), pending_only=True, after=after)
                                       .order_by(Document.id).limit(_CHUNK)))
            if not ids:
                return count
            rebuild = after == 0 and len(ids) == _CHUNK and _mostly_pending(session)
            if not rebuild:
                documents = list(_indexed(session, pending_only=True, after=after, upto=ids[-1]))
                count += ctx.search.index(documents)
                now = ctx.clock()
                for first in range(0, len(ids), 500):
                    session.execute(update(Document).where(Document.id.in_(ids[first:first + 500]))
                                    .values(indexed_at=now))
        if rebuild:
            return reindex_all(ctx, progress=progress)
        after = ids[-1]


def _mostly_pending(session: Session) -> bool:
    """Whether at least half of the documents kept are waiting to be indexed (asked only once a
    whole chunk is pending: two counts over the table)."""
    live = _where(select(func.count(Document.id)), pending_only=False)
    pending = _where(select(func.count(Document.id)), pending_only=True)
    return 2 * (session.scalar(pending) or 0) >= (session.scalar(live) or 0)


def reindex_all(ctx: Context, *, progress: Progress | None = None, restart: bool = False) -> int:
    """Rebuild the index from the database, streaming documents; a rebuild that was interrupted is
    continued where the engine says it got to, unless ``restart``. Returns the documents indexed."""
    after = None if restart else ctx.search.rebuilt_up_to()
    live = Document.state != DocumentState.ELIMINATED
    with ctx.db.session() as session:
        total = session.scalar(select(func.count(Document.id)).where(live)) or 0
        done = session.scalar(select(func.count(Document.id)).where(live, Document.id <= after)) or 0 if after else 0
        documents = _indexed(session, pending_only=False, after=after or 0)
        count = ctx.search.reindex(_reported(documents, done, total, progress) if progress else documents,
                                   after=after)
        session.execute(update(Document).values(indexed_at=ctx.clock()))
    if progress is not None:
        progress(done + count, total)
    return done + count
