"""partner requests, interests, organization contacts, offer and seek

Revision ID: b7e1c5a9d2f4
Revises: d4a7e2c91b30
Create Date: 2026-12-07 07:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e1c5a9d2f4"
down_revision = "d4a7e2c91b30"
branch_labels = None
depends_on = None


def _choice(name, values):
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True,
        length=max(len(v) for v in values),
    )  # fmt: skip


def upgrade():
    # Not in batch mode: rebuilding organizations on SQLite would lose the lower(name) index.
    op.add_column("organizations", sa.Column("offer", sa.Text(), server_default="", nullable=False))
    op.add_column("organizations", sa.Column("seek", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "partner_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _choice(
                "sought_kind", ("startup", "research_institution", "member_company", "partner")
            ),
            nullable=False,
        ),
        sa.Column(
            "role",
            _choice("sought_role", ("partner", "research_partner", "startup", "pilot_customer")),
            nullable=False,
        ),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            _choice("partner_request_status", ("open", "filled", "withdrawn")),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"],
            name=op.f("fk_partner_requests_project_id_projects"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"],
            name=op.f("fk_partner_requests_site_id_sites"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"],
            name=op.f("fk_partner_requests_created_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_requests")),
    )  # fmt: skip
    op.create_index(
        "ix_partner_requests_project_id", "partner_requests", ["project_id"], unique=False
    )
    op.create_index(
        "ix_partner_requests_status_closes", "partner_requests", ["status", "closes_on"]
    )
    op.create_table(
        "partner_request_themes",
        sa.Column("partner_request_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_request_id"], ["partner_requests.id"],
            name=op.f("fk_partner_request_themes_partner_request_id_partner_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"],
            name=op.f("fk_partner_request_themes_theme_id_themes"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "partner_request_id", "theme_id", name=op.f("pk_partner_request_themes")
        ),
    )  # fmt: skip
    op.create_table(
        "partner_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_request_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "status",
            _choice("partner_interest_status", ("pending", "accepted", "declined")),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_request_id"], ["partner_requests.id"],
            name=op.f("fk_partner_interests_partner_request_id_partner_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_partner_interests_organization_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"],
            name=op.f("fk_partner_interests_user_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"],
            name=op.f("fk_partner_interests_decided_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_interests")),
        sa.UniqueConstraint(
            "partner_request_id", "organization_id", name="uq_partner_interests_request_org"
        ),
    )  # fmt: skip
    op.create_index("ix_partner_interests_org", "partner_interests", ["organization_id"])
    op.create_table(
        "organization_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_organization_contacts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_contacts")),
    )  # fmt: skip
    op.create_index(
        "ix_organization_contacts_organization_id", "organization_contacts", ["organization_id"]
    )


def downgrade():
    op.drop_index("ix_organization_contacts_organization_id", table_name="organization_contacts")
    op.drop_table("organization_contacts")
    op.drop_index("ix_partner_interests_org", table_name="partner_interests")
    op.drop_table("partner_interests")
    op.drop_table("partner_request_themes")
    op.drop_index("ix_partner_requests_status_closes", table_name="partner_requests")
    op.drop_index("ix_partner_requests_project_id", table_name="partner_requests")
    op.drop_table("partner_requests")
    op.drop_column("organizations", "seek")
    op.drop_column("organizations", "offer")
