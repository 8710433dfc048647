"""robots

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mailbox_messages',
    sa.Column('message_id', sa.String(length=500), nullable=False),
    sa.Column('mailbox', sa.String(length=300), nullable=False),
    sa.Column('stored_at', sa.DateTime(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('message_id')
    )
    op.create_table('robot_cursors',
    sa.Column('robot', sa.String(length=100), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('robot')
    )
    op.create_table('robot_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('robot', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('robot', 'key')
    )
    op.create_table('robot_locks',
    sa.Column('robot', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('robot')
    )
    op.create_table('robot_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('robot', sa.String(length=100), nullable=False),
    sa.Column('trigger', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('robot_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_robot_runs_robot'), ['robot'], unique=False)
        batch_op.create_index(batch_op.f('ix_robot_runs_started_at'), ['started_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('robot_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_robot_runs_started_at'))
        batch_op.drop_index(batch_op.f('ix_robot_runs_robot'))

    op.drop_table('robot_runs')
    op.drop_table('robot_locks')
    op.drop_table('robot_deliveries')
    op.drop_table('robot_cursors')
    op.drop_table('mailbox_messages')
