"""Webhooks: the last audit event each webhook was told of (the worker's cursor)

Revision ID: e16b4d2a7c90
Revises: 5c7e9a1b3d2f
Create Date: 2026-12-07 08:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e16b4d2a7c90'
down_revision = '5c7e9a1b3d2f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhooks', schema=None) as batch_op:  # no table refers to it
        batch_op.add_column(sa.Column('last_audit_id', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_event_id', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('webhook_deliveries', 'audit_event_id')
    op.drop_column('webhooks', 'last_audit_id')
