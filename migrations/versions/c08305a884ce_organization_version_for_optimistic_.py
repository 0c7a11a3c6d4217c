"""organization version for optimistic locking

Revision ID: c08305a884ce
Revises: ef83efe48740
Create Date: 2026-11-25 15:26:14.020645

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c08305a884ce'
down_revision = 'ef83efe48740'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows start at version 1, like new ones; NOT NULL is safe with the default.
    # Not in batch mode: rebuilding organizations on SQLite would lose the lower(name) index.
    op.add_column(
        'organizations',
        sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    )


def downgrade():
    op.drop_column('organizations', 'version')
