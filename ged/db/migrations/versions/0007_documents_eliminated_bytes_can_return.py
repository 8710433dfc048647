"""documents: one kept document per fingerprint; an eliminated one no longer blocks its bytes

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_KEPT = sa.text("state != 'eliminated'")
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
"""Names SQLite's unnamed UNIQUE (sha256) when batch mode reflects the table, so it can be dropped."""


def _unique_name() -> str:
    return "documents_sha256_key" if op.get_bind().dialect.name == "postgresql" else "uq_documents_sha256"


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint(_unique_name(), type_='unique')
        batch_op.create_index('ix_documents_sha256', ['sha256'], unique=False)
        batch_op.create_index('uq_documents_sha256_kept', ['sha256'], unique=True,
                              sqlite_where=_KEPT, postgresql_where=_KEPT)


def downgrade() -> None:
    """Fails if the bytes of an eliminated document were received again: two rows then share them."""
    with op.batch_alter_table('documents', schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_index('uq_documents_sha256_kept')
        batch_op.drop_index('ix_documents_sha256')
        batch_op.create_unique_constraint(_unique_name(), ['sha256'])
