"""notifications.mail and the trigger that writes a notification's "at once" e-mail to the outbox

Revision ID: 5c7e9a1b3d2f
Revises: c14b7e2a9f50
Create Date: 2026-12-07 08:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c7e9a1b3d2f"
down_revision = "c14b7e2a9f50"
branch_labels = None
depends_on = None

# A frozen copy of tracker/outbox/trigger.py's sql() as of this revision (event groups, their
# defaults and X-Tracker-Event names), so this migration does not change when the app does.
SQLITE = [
    "CREATE TRIGGER notifications_mail_at_once AFTER INSERT ON notifications FOR EACH ROW WHEN NEW.mail BEGIN INSERT INTO outbox (channel, event, user_id, project_id, notification_id, template, state, attempts, next_attempt_at, created_at) SELECT 'email', CASE NEW.kind WHEN 'gate_requested' THEN 'gate.requested' WHEN 'gate_decided' THEN 'gate.decided' WHEN 'status_changed' THEN 'status.changed' WHEN 'partner_added' THEN 'partner.added' WHEN 'due_soon' THEN 'due.soon' WHEN 'overdue' THEN 'overdue' WHEN 'nudge' THEN 'nudge' WHEN 'partner_interest' THEN 'partner.interest' WHEN 'update_posted' THEN 'update.posted' WHEN 'gate_confirmed' THEN 'gate.confirmed' WHEN 'stalled' THEN 'stalled' END, NEW.user_id, NEW.project_id, NEW.id, 'notification', 'pending', 0, NEW.created_at, NEW.created_at FROM users WHERE users.id = NEW.user_id AND users.active AND users.role <> 'patron' AND CASE NEW.kind WHEN 'gate_requested' THEN 'gate_requests' WHEN 'gate_decided' THEN 'decisions' WHEN 'status_changed' THEN 'decisions' WHEN 'partner_added' THEN 'partners' WHEN 'due_soon' THEN 'due' WHEN 'overdue' THEN 'due' WHEN 'nudge' THEN 'nudges' WHEN 'partner_interest' THEN 'partner_interest' WHEN 'update_posted' THEN 'updates' WHEN 'gate_confirmed' THEN 'confirmations' WHEN 'stalled' THEN 'stalled' END IS NOT NULL AND COALESCE((SELECT p.email FROM notification_preferences p WHERE p.user_id = NEW.user_id AND p.event_group = CASE NEW.kind WHEN 'gate_requested' THEN 'gate_requests' WHEN 'gate_decided' THEN 'decisions' WHEN 'status_changed' THEN 'decisions' WHEN 'partner_added' THEN 'partners' WHEN 'due_soon' THEN 'due' WHEN 'overdue' THEN 'due' WHEN 'nudge' THEN 'nudges' WHEN 'partner_interest' THEN 'partner_interest' WHEN 'update_posted' THEN 'updates' WHEN 'gate_confirmed' THEN 'confirmations' WHEN 'stalled' THEN 'stalled' END), CASE NEW.kind WHEN 'gate_requested' THEN 'now' WHEN 'gate_decided' THEN 'now' WHEN 'status_changed' THEN 'now' WHEN 'partner_added' THEN 'now' WHEN 'due_soon' THEN 'now' WHEN 'overdue' THEN 'now' WHEN 'nudge' THEN 'now' WHEN 'partner_interest' THEN 'now' WHEN 'update_posted' THEN 'digest' WHEN 'gate_confirmed' THEN 'digest' WHEN 'stalled' THEN 'digest' END) = 'now'; END"
]
POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION notifications_mail_at_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO outbox (channel, event, user_id, project_id, notification_id, template, state, attempts, next_attempt_at, created_at) SELECT 'email', CASE NEW.kind WHEN 'gate_requested' THEN 'gate.requested' WHEN 'gate_decided' THEN 'gate.decided' WHEN 'status_changed' THEN 'status.changed' WHEN 'partner_added' THEN 'partner.added' WHEN 'due_soon' THEN 'due.soon' WHEN 'overdue' THEN 'overdue' WHEN 'nudge' THEN 'nudge' WHEN 'partner_interest' THEN 'partner.interest' WHEN 'update_posted' THEN 'update.posted' WHEN 'gate_confirmed' THEN 'gate.confirmed' WHEN 'stalled' THEN 'stalled' END, NEW.user_id, NEW.project_id, NEW.id, 'notification', 'pending', 0, NEW.created_at, NEW.created_at FROM users WHERE users.id = NEW.user_id AND users.active AND users.role <> 'patron' AND CASE NEW.kind WHEN 'gate_requested' THEN 'gate_requests' WHEN 'gate_decided' THEN 'decisions' WHEN 'status_changed' THEN 'decisions' WHEN 'partner_added' THEN 'partners' WHEN 'due_soon' THEN 'due' WHEN 'overdue' THEN 'due' WHEN 'nudge' THEN 'nudges' WHEN 'partner_interest' THEN 'partner_interest' WHEN 'update_posted' THEN 'updates' WHEN 'gate_confirmed' THEN 'confirmations' WHEN 'stalled' THEN 'stalled' END IS NOT NULL AND COALESCE((SELECT p.email FROM notification_preferences p WHERE p.user_id = NEW.user_id AND p.event_group = CASE NEW.kind WHEN 'gate_requested' THEN 'gate_requests' WHEN 'gate_decided' THEN 'decisions' WHEN 'status_changed' THEN 'decisions' WHEN 'partner_added' THEN 'partners' WHEN 'due_soon' THEN 'due' WHEN 'overdue' THEN 'due' WHEN 'nudge' THEN 'nudges' WHEN 'partner_interest' THEN 'partner_interest' WHEN 'update_posted' THEN 'updates' WHEN 'gate_confirmed' THEN 'confirmations' WHEN 'stalled' THEN 'stalled' END), CASE NEW.kind WHEN 'gate_requested' THEN 'now' WHEN 'gate_decided' THEN 'now' WHEN 'status_changed' THEN 'now' WHEN 'partner_added' THEN 'now' WHEN 'due_soon' THEN 'now' WHEN 'overdue' THEN 'now' WHEN 'nudge' THEN 'now' WHEN 'partner_interest' THEN 'now' WHEN 'update_posted' THEN 'digest' WHEN 'gate_confirmed' THEN 'digest' WHEN 'stalled' THEN 'digest' END) = 'now'; RETURN NULL; END $$",
    "CREATE TRIGGER notifications_mail_at_once AFTER INSERT ON notifications FOR EACH ROW WHEN (NEW.mail) EXECUTE FUNCTION notifications_mail_at_once()",
]
NAME = "notifications_mail_at_once"


def upgrade():
    # Not in batch mode: a plain added column needs no rebuild of notifications on SQLite.
    op.add_column(
        "notifications",
        sa.Column("mail", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {NAME} ON notifications")
        op.execute(f"DROP FUNCTION IF EXISTS {NAME}()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {NAME}")
    op.drop_column("notifications", "mail")
