"""outbox, e-mail preferences and digest settings, reminders already given

Revision ID: e5b8c1d4f7a2
Revises: d16a7c3e9b52
Create Date: 2026-12-07 08:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5b8c1d4f7a2"
down_revision = "d16a7c3e9b52"
branch_labels = None
depends_on = None


def _choice(name, values):
    return sa.Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
    )


def upgrade():
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", _choice("outbox_channel", ("email", "webhook")), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("params", sa.JSON(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column(
            "state",
            _choice("outbox_state", ("pending", "sending", "sent", "failed", "kept")),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_outbox_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_outbox_project_id_projects",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name="fk_outbox_notification_id_notifications",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_state_next", "outbox", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_created", "outbox", ["created_at"])
    op.create_index("ix_outbox_user_id", "outbox", ["user_id"])
    op.create_index("ix_outbox_notification_id", "outbox", ["notification_id"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_group", sa.String(length=30), nullable=False),
        sa.Column("email", _choice("email_choice", ("now", "digest", "never")), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_notification_preferences_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "event_group", name="pk_notification_preferences"),
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", _choice("digest_rhythm", ("daily", "weekly")), nullable=False),
        sa.Column("time_zone", sa.String(length=60), nullable=False),
        sa.Column("calendar_key", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_notification_settings_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_notification_settings"),
        sa.UniqueConstraint("calendar_key", name="uq_notification_settings_calendar_key"),
    )
    op.create_table(
        "reminders_sent",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "object_type", "object_id", "due_on", name="pk_reminders_sent"
        ),
    )


def downgrade():
    op.drop_table("reminders_sent")
    op.drop_table("notification_settings")
    op.drop_table("notification_preferences")
    op.drop_index("ix_outbox_notification_id", table_name="outbox")
    op.drop_index("ix_outbox_user_id", table_name="outbox")
    op.drop_index("ix_outbox_created", table_name="outbox")
    op.drop_index("ix_outbox_state_next", table_name="outbox")
    op.drop_table("outbox")
