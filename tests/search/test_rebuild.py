"""An index written under an earlier schema is cleared and rebuilt from the database, not fatal."""

from __future__ import annotations

import shutil
from datetime import datetime

import tantivy

from ged.context import Context
from ged.db.models import Document, DocumentState, Page
from ged.search import SearchRequest
from ged.services import indexing
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
