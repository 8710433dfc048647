"""oidc sign-in: sign-ins on their way through the provider, the ID token of a provider's session

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oidc_logins',
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=100), nullable=False),
    sa.Column('code_verifier', sa.String(length=200), nullable=False),
    sa.Column('redirect_uri', sa.String(length=1000), nullable=False),
    sa.Column('next_path', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('state_hash')
    )
    with op.batch_alter_table('oidc_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oidc_logins_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_token', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_column('id_token')
    with op.batch_alter_table('oidc_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oidc_logins_created_at'))
    op.drop_table('oidc_logins')
