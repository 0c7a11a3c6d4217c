"""single sign-on: organizations' e-mail domains, accounts made by a provider, pending approval

Revision ID: d4a7e2c91b30
Revises: a18c4e7d2b90
Create Date: 2026-12-07 07:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4a7e2c91b30"
down_revision = "a18c4e7d2b90"
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: rebuilding organizations or users on SQLite would lose their lower()
    # unique indexes. Adding and dropping plain columns needs no rebuild.
    op.add_column(
        "organizations",
        sa.Column("email_domains", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    op.add_column("users", sa.Column("sso_provider", sa.String(length=40), nullable=True))
    op.add_column(
        "users",
        sa.Column("approval_requested_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade():
    op.drop_column("users", "approval_requested_at")
    op.drop_column("users", "sso_provider")
    op.drop_column("organizations", "email_domains")
