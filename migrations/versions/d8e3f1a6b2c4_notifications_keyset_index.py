"""Index for the notifications page by keyset: a user's notifications newest first
(user_id, created_at, id), an index range instead of a sort of all of them (issue 21)

Revision ID: d8e3f1a6b2c4
Revises: c7d21a5e9f04
Create Date: 2026-12-07 12:08:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8e3f1a6b2c4'
down_revision = 'c7d21a5e9f04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_notifications_user_created_id', 'notifications', ['user_id', 'created_at', 'id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_notifications_user_created_id', table_name='notifications')
