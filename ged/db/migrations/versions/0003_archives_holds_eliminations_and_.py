"""archives, holds, eliminations and transfers

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('elimination_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('proposed_by', sa.String(length=100), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('visa_reference', sa.String(length=200), nullable=True),
    sa.Column('visa_by', sa.String(length=100), nullable=True),
    sa.Column('visa_at', sa.DateTime(), nullable=True),
    sa.Column('executed_by', sa.String(length=100), nullable=True),
    sa.Column('executed_at', sa.DateTime(), nullable=True),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('package_sha256', sa.String(length=64), nullable=False),
    sa.Column('reply_code', sa.String(length=40), nullable=True),
    sa.Column('reply_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('archive_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=False),
    sa.Column('archived_by', sa.String(length=100), nullable=False),
    sa.Column('signed_sha256', sa.String(length=64), nullable=True),
    sa.Column('fingerprints', sa.JSON(), nullable=False),
    sa.Column('family', sa.String(length=200), nullable=False),
    sa.Column('dua_years', sa.Integer(), nullable=True),
    sa.Column('start_event', sa.String(length=20), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('dua_end', sa.Date(), nullable=True),
    sa.Column('final_action', sa.String(length=1), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id')
    )
    with op.batch_alter_table('archive_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_records_dua_end'), ['dua_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_archive_records_status'), ['status'], unique=False)

    op.create_table('holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('removed_by', sa.String(length=100), nullable=True),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holds_document_id'), ['document_id'], unique=False)

    op.create_table('elimination_items',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['elimination_lists.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['archive_records.id'], ),
    sa.PrimaryKeyConstraint('list_id', 'record_id')
    )
    op.create_table('transfer_items',
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['archive_records.id'], ),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], ),
    sa.PrimaryKeyConstraint('transfer_id', 'record_id')
    )


def downgrade() -> None:
    op.drop_table('transfer_items')
    op.drop_table('elimination_items')
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holds_document_id'))

    op.drop_table('holds')
    with op.batch_alter_table('archive_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_records_status'))
        batch_op.drop_index(batch_op.f('ix_archive_records_dua_end'))

    op.drop_table('archive_records')
    op.drop_table('transfers')
    op.drop_table('elimination_lists')
