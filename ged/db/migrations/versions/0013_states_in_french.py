"""documents and jobs: states stored in French, like every other table

Documents and the work queue were the last tables to store English values (``processed``,
``pending``). The partial unique index on documents' fingerprints names the eliminated state,
so it is rebuilt with the new word. Documents are marked unindexed: the search index holds
each document's state for its filters and facets, and the next indexing rewrites it.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Written out rather than read from ged.states: a migration keeps the values of its day.
_DOCUMENTS = {"received": "recu", "processed": "traite", "needs_review": "a_verifier", "validated": "valide",
              "archived": "archive", "eliminated": "elimine", "transferred": "verse", "quarantined": "quarantaine"}
_JOBS = {"pending": "a_faire", "claimed": "en_cours", "done": "fait", "failed": "echoue"}


def _rename(table: str, values: dict[str, str]) -> None:
    for old, new in values.items():
        op.execute(sa.text(f"UPDATE {table} SET state = :new WHERE state = :old").bindparams(old=old, new=new))


def _fingerprint_index(eliminated: str | None) -> None:
    """Dropped before the states are rewritten (while both words are in the table, an eliminated
    document and the kept one with its bytes would collide), then created with the new word."""
    if eliminated is None:
        op.drop_index('uq_documents_sha256_kept', table_name='documents')
        return
    kept = sa.text(f"state != '{eliminated}'")
    op.create_index('uq_documents_sha256_kept', 'documents', ['sha256'], unique=True,
                    sqlite_where=kept, postgresql_where=kept)


def upgrade() -> None:
    _fingerprint_index(None)
    _rename("documents", _DOCUMENTS)
    _rename("jobs", _JOBS)
    op.execute(sa.text("UPDATE documents SET indexed_at = NULL"))
    _fingerprint_index("elimine")


def downgrade() -> None:
    _fingerprint_index(None)
    _rename("documents", {new: old for old, new in _DOCUMENTS.items()})
    _rename("jobs", {new: old for old, new in _JOBS.items()})
    op.execute(sa.text("UPDATE documents SET indexed_at = NULL"))
    _fingerprint_index("eliminated")
