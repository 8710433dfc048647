"""scan batches: attestations of digitisation (manifest, RFC 3161 token, PDF/A attestation)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scan_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=500), nullable=False),
    sa.Column('operator', sa.String(length=200), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('timestamp_token', sa.LargeBinary(), nullable=True),
    sa.Column('timestamped_at', sa.DateTime(), nullable=True),
    sa.Column('tsa', sa.String(length=500), nullable=True),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('attestation_sha256', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_scan_batches_state'), 'scan_batches', ['state'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_scan_batches_state'), table_name='scan_batches')
    op.drop_table('scan_batches')
