"""The "at once" e-mail of a notification, written by the database in the same statement.

A trigger after each INSERT into notifications whose `mail` is true adds an outbox row for
the recipient when their choice for the kind's event group (or their role's default) is
"now". So the one INSERT … SELECT that tells everybody of an event also writes its e-mails, in
the same transaction, however many recipients — no statement more.

The SQL is generated from tracker.outbox.preferences (groups, defaults, X-Tracker-Event names);
migrations keep a frozen copy. A change of those tables needs a migration that re-creates the
trigger with sql(dialect).
"""

import re

import sqlalchemy as sa

from tracker.outbox import preferences

NAME = "notifications_mail_at_once"
SAFE = re.compile(r"[a-z_.]+")


def _case(mapping: dict[str, str]) -> str:
    # Only the app's own constant names go into the SQL (kinds, groups, events, choices).
    assert all(SAFE.fullmatch(v) for pair in mapping.items() for v in pair), mapping
    whens = " ".join(f"WHEN '{kind}' THEN '{value}'" for kind, value in mapping.items())
    return f"CASE NEW.kind {whens} END"


def _insert() -> str:
    groups = preferences.KIND_GROUP
    events = {kind: preferences.KIND_EVENT[kind] for kind in groups}
    defaults = {kind: preferences.GROUPS[group][1] for kind, group in groups.items()}
    group = _case(groups)
    # Constants of this module and of preferences only (checked in _case).
    return (
        "INSERT INTO outbox (channel, event, user_id, project_id, notification_id, template, "  # noqa: S608
        "state, attempts, next_attempt_at, created_at) "
        f"SELECT 'email', {_case(events)}, NEW.user_id, NEW.project_id, NEW.id, 'notification', "
        "'pending', 0, NEW.created_at, NEW.created_at FROM users "
        "WHERE users.id = NEW.user_id AND users.active AND users.role <> 'patron' "
        f"AND {group} IS NOT NULL AND COALESCE((SELECT p.email FROM notification_preferences p "
        f"WHERE p.user_id = NEW.user_id AND p.event_group = {group}), {_case(defaults)}) = 'now'"
    )


def sql(dialect: str) -> list[str]:
    """The statements that create the trigger on dialect ("sqlite" or "postgresql")."""
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_insert()}; RETURN NULL; END $$",
            f"CREATE TRIGGER {NAME} AFTER INSERT ON notifications FOR EACH ROW "
            f"WHEN (NEW.mail) EXECUTE FUNCTION {NAME}()",
        ]
    return [
        f"CREATE TRIGGER {NAME} AFTER INSERT ON notifications FOR EACH ROW "
        f"WHEN NEW.mail BEGIN {_insert()}; END"
    ]


def drop_sql(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {NAME} ON notifications",
            f"DROP FUNCTION IF EXISTS {NAME}()",
        ]
    return [f"DROP TRIGGER IF EXISTS {NAME}"]


def _after_create(metadata, connection, **_kw) -> None:
    """create_all (tests, bench) makes the trigger as the migrations do."""
    if "notifications" not in metadata.tables or "outbox" not in metadata.tables:
        return
    for statement in drop_sql(connection.dialect.name) + sql(connection.dialect.name):
        connection.exec_driver_sql(statement)


def install(metadata: sa.MetaData) -> None:
    if not sa.event.contains(metadata, "after_create", _after_create):
        sa.event.listen(metadata, "after_create", _after_create)
