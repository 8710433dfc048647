"""requests, fields and classification

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('request_counters',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'category')
    )
    op.create_table('requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('doc_type', sa.String(length=50), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requester', sa.String(length=300), nullable=True),
    sa.Column('contact', sa.String(length=300), nullable=True),
    sa.Column('file_reference', sa.String(length=60), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('silence', sa.String(length=20), nullable=False),
    sa.Column('silence_on', sa.Date(), nullable=True),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('assignee', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requests_assignee'), ['assignee'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_doc_type'), ['doc_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_file_reference'), ['file_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_service'), ['service'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_status'), ['status'], unique=False)

    op.create_table('fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('box', sa.JSON(), nullable=True),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'code')
    )
    with op.batch_alter_table('fields', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fields_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type_confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('classified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_request_id'), ['request_id'], unique=False)
        batch_op.create_foreign_key('fk_documents_request_id', 'requests', ['request_id'], ['id'])

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_request_id'))
        batch_op.drop_column('request_id')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint('fk_documents_request_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_documents_request_id'))
        batch_op.drop_column('request_id')
        batch_op.drop_column('classified_at')
        batch_op.drop_column('type_confidence')

    with op.batch_alter_table('fields', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fields_document_id'))

    op.drop_table('fields')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requests_status'))
        batch_op.drop_index(batch_op.f('ix_requests_service'))
        batch_op.drop_index(batch_op.f('ix_requests_file_reference'))
        batch_op.drop_index(batch_op.f('ix_requests_due_on'))
        batch_op.drop_index(batch_op.f('ix_requests_doc_type'))
        batch_op.drop_index(batch_op.f('ix_requests_assignee'))

    op.drop_table('requests')
    op.drop_table('request_counters')
