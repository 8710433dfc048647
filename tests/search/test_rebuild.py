"""An index written under an earlier schema is cleared and rebuilt from the database, not fatal."""

from __future__ import annotations

import shutil
from datetime import datetime
from typing import Any

import pytest
import tantivy
from sqlalchemy import update

from ged import indexing
from ged.context import Context
from ged.db.models import Document, DocumentState, Page
from ged.search import SearchRequest, embedded
from ged.services import search as search_service
from ged.settings import load_settings


def test_an_index_of_an_earlier_schema_is_rebuilt(context: Context) -> None:
    with context.db.session() as session:
        document = Document(sha256="a" * 64, filename="lettre.pdf", size=1, state=DocumentState.PROCESSED,
                            received_at=datetime(2026, 3, 2, 9), page_count=1, doc_type="voirie",
                            service="services_techniques")
        session.add(document)
        session.flush()
        session.add(Page(document_id=document.id, number=1, source="ocr", text="Le lampadaire est éteint.",
                         words=[], width_pt=595, height_pt=842))
    assert indexing.index_pending(context) == 1
    folder = context.settings.index_path
    shutil.rmtree(folder)
    folder.mkdir()
    old = tantivy.SchemaBuilder()
    old.add_text_field("text", stored=True)
    tantivy.Index(old.build(), path=str(folder))  # what an earlier version left behind
    reopened = Context.open(load_settings())
    assert reopened.search.emptied
    result = search_service.search(reopened, SearchRequest(text="lampadaire"))
    assert result.total == 1 and not reopened.search.emptied
    reopened.close()


def _letters(context: Context, count: int) -> None:
    with context.db.session() as session:
        for n in range(count):
            document = Document(sha256=f"{n:064x}", filename=f"lettre-{n}.pdf", size=1,
                                state=DocumentState.PROCESSED, received_at=datetime(2026, 3, 2, 9), page_count=1,
                                doc_type="voirie", service="services_techniques")
            session.add(document)
            session.flush()
            session.add(Page(document_id=document.id, number=1, source="ocr", words=[], width_pt=595,
                             height_pt=842, text=f"Le lampadaire numéro {n} est éteint, rue des Lilas."))


def test_an_interrupted_rebuild_keeps_the_index_and_is_continued(context: Context, run_cli: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _letters(context, 9)
    assert indexing.index_pending(context) == 9
    with context.db.session() as session:  # one letter eliminated since: the rebuild must drop it
        session.get_one(Document, 9).state = DocumentState.ELIMINATED
    monkeypatch.setattr(embedded, "REBUILD_RANGE", 3)
    monkeypatch.setattr(embedded, "REBUILD_COMMIT_SECONDS", 0.0)  # a commit after every range
    real = embedded.EmbeddedEngine._document
    seen: list[int] = []

    def dies_at_the_seventh(self: embedded.EmbeddedEngine, doc: Any) -> Any:
        seen.append(doc.id)
        if len(seen) == 7:
            raise KeyboardInterrupt  # Ctrl-C, or the machine stopping
        return real(self, doc)

    monkeypatch.setattr(embedded.EmbeddedEngine, "_document", dies_at_the_seventh)
    with pytest.raises(KeyboardInterrupt):
        indexing.reindex_all(context)
    assert context.search.rebuilt_up_to() == 6  # two ranges committed, the third lost
    during = search_service.search(context, SearchRequest(text="lampadaire", limit=50))
    assert during.total == 9  # never an empty index: the old entries past the checkpoint still answer
    monkeypatch.setattr(embedded.EmbeddedEngine, "_document", real)
    seen.clear()
    context.close()
    result = run_cli("search", "reindex")
    assert result.exit_code == 0, result.stderr
    assert "Reprise de la reconstruction interrompue après le document 6" in result.stdout
    assert "Index reconstruit : 8 document(s)" in result.stdout
    reopened = Context.open(load_settings())
    assert reopened.search.rebuilt_up_to() is None
    after = search_service.search(reopened, SearchRequest(text="lampadaire", limit=50))
    assert sorted(hit.id for hit in after.hits) == list(range(1, 9))  # the eliminated one is gone
    reopened.close()
    assert "Reprise" not in run_cli("search", "reindex", "--depuis-le-debut").stdout


def test_a_rebuild_drops_what_left_the_database_between_the_documents_it_streams(
        context: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ranges are spans of ids: a span with no document left (four letters eliminated in a row,
    more than a range) is still cleared of what the index held for it."""
    _letters(context, 9)
    assert indexing.index_pending(context) == 9
    with context.db.session() as session:
        for gone in (4, 5, 6, 7):
            session.get_one(Document, gone).state = DocumentState.ELIMINATED
    monkeypatch.setattr(embedded, "REBUILD_RANGE", 3)
    assert indexing.reindex_all(context) == 5
    found = search_service.search(context, SearchRequest(text="lampadaire", limit=50))
    assert sorted(hit.id for hit in found.hits) == [1, 2, 3, 8, 9] and found.total == 5


def test_documents_left_unindexed_are_indexed_a_chunk_at_a_time_or_rebuilt_when_most_are(
        context: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changed documents are read a chunk at a time (memory of one chunk, whatever their number).
    When most of the archive is pending, as after migration 0013 rewrote every state, the index is
    rebuilt instead (every core, with progress), and it then answers the new words, as typed and as
    the old English ones."""
    _letters(context, 9)
    assert indexing.index_pending(context) == 9
    monkeypatch.setattr(indexing, "_CHUNK", 2)
    batches: list[list[int]] = []
    real = context.search.index

    def counted(documents: list[Any]) -> int:
        batches.append([d.id for d in documents])
        return real(documents)

    monkeypatch.setattr(context.search, "index", counted)
    with context.db.session() as session:  # four of nine changed: fewer than half
        session.execute(update(Document).where(Document.id.in_([2, 4, 6, 8])).values(indexed_at=None))
    assert indexing.index_pending(context) == 4
    assert batches == [[2, 4], [6, 8]]
    with context.db.session() as session:
        session.execute(update(Document).values(state=DocumentState.VALIDATED, indexed_at=None))
    reported: list[tuple[int, int]] = []
    assert indexing.index_pending(context, progress=lambda done, total: reported.append((done, total))) == 9
    assert batches == [[2, 4], [6, 8]] and reported[-1] == (9, 9)  # rebuilt, not indexed chunk by chunk
    assert indexing.index_pending(context) == 0
    for typed in (SearchRequest(text="lampadaire etat:validé", limit=50),
                  SearchRequest(text="lampadaire", states=frozenset({"validated"}), limit=50)):
        found = search_service.search(context, typed)
        assert found.total == 9 and {hit.state for hit in found.hits} == {"valide"}
