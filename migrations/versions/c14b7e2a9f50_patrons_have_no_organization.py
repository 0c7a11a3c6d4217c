"""patrons have no organization (design §11): clear it on existing patron accounts

An organization would make a patron a participant of its projects (consortium details,
notifications). Forms, the API and the CLI refuse one from now on; this clears what earlier
versions allowed. The downgrade has nothing to restore.

Revision ID: c14b7e2a9f50
Revises: f3a9d6b2c8e1
Create Date: 2026-12-07 08:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c14b7e2a9f50"
down_revision = "f3a9d6b2c8e1"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE users SET organization_id = NULL WHERE role = 'patron'")


def downgrade():
    pass  # which organization a patron had is not kept: nothing to put back
