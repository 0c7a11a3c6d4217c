"""quarterly report: per-site highlights and published quarters (frozen snapshots)

Revision ID: a18c4e7d2b90
Revises: e5b8c1d4f7a2
Create Date: 2026-12-07 08:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a18c4e7d2b90"
down_revision = "e5b8c1d4f7a2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_highlights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_report_highlights_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_report_highlights_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_highlights")),
        sa.UniqueConstraint("quarter", "site_id", name=op.f("uq_report_highlights_quarter")),
    )
    op.create_table(
        "report_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_report_publications_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_publications")),
        sa.UniqueConstraint("quarter", name=op.f("uq_report_publications_quarter")),
    )


def downgrade():
    op.drop_table("report_publications")
    op.drop_table("report_highlights")
