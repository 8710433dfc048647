"""events: witness the rows that prove something (archive records, holds, lists, transfers, accounts)

From this revision on, every change to these rows is journaled with its values (``ged.witness``);
rows written before are witnessed here as they stand, so that ``ged journal verify`` does not
report them as written outside the application. No schema change.

Revision ID: 0008
Revises: 0007
"""

from datetime import UTC, datetime

from alembic import op
from sqlalchemy.orm import Session

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ged import witness

    session = Session(bind=op.get_bind())
    witness.attest_all(session, at=datetime.now(UTC).replace(tzinfo=None))
    session.flush()


def downgrade() -> None:
    """The entries stay: the journal is append-only."""
