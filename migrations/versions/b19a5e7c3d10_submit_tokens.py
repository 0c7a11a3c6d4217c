"""Submit tokens: one-time tokens of create forms against double submits

Revision ID: b19a5e7c3d10
Revises: e16b4d2a7c90
Create Date: 2026-12-07 09:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b19a5e7c3d10'
down_revision = 'e16b4d2a7c90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'submit_tokens',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submit_tokens_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_submit_tokens')),
    )
    op.create_index('ix_submit_tokens_created_at', 'submit_tokens', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_submit_tokens_created_at', table_name='submit_tokens')
    op.drop_table('submit_tokens')
