"""external dossiers: dossiers filed online (démarches-simplifiées) taken once each

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('external_dossiers',
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('request_number', sa.String(length=30), nullable=True),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('stored_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'reference')
    )
    op.create_table('external_syncs',
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('complete_until', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('source')
    )


def downgrade() -> None:
    op.drop_table('external_syncs')
    op.drop_table('external_dossiers')
