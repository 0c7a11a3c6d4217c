"""E-mail preferences per user and event group, and the e-mail fan-out of a notification batch.

Each notification kind belongs to one event group; a user chooses per group "now" (an e-mail
at once), "digest" (listed in the daily or weekly digest) or "never" (in the app only). Without
a stored choice the role's default applies (design.md §12).
"""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker import outbox
from tracker.extensions import db
from tracker.models import Notification, User
from tracker.models.base import utcnow
from tracker.models.outbox import (
    EMAIL_CHOICES,
    NotificationPreference,
    NotificationSettings,
    OutboxMessage,
)

# group -> (notification kinds, default e-mail choice), in the order the settings page shows.
GROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "gate_requests": (("gate_requested",), "now"),
    "decisions": (("gate_decided", "status_changed"), "now"),
    "partners": (("partner_added",), "now"),
    "due": (("due_soon", "overdue"), "now"),
    "nudges": (("nudge",), "now"),
    "partner_interest": (("partner_interest",), "now"),
    "updates": (("update_posted",), "digest"),
    "confirmations": (("gate_confirmed",), "digest"),
    "stalled": (("stalled",), "digest"),
}
GROUP_NAMES = {
    "gate_requests": _l("Gate requests (to decide or to confirm)"),
    "decisions": _l("Gate decisions, hold, stop and reactivation"),
    "partners": _l("Your organization added to a project"),
    "due": _l("Milestones and conditions due soon or overdue"),
    "nudges": _l("Nudges from a site manager"),
    "partner_interest": _l("Interest in your partner requests"),
    "updates": _l("New updates on your projects"),
    "confirmations": _l("Gate confirmations by partners"),
    "stalled": _l("Projects that became stalled"),
}
CHOICE_NAMES = {
    "now": _l("E-mail at once"),
    "digest": _l("In my digest"),
    "never": _l("Never (in the app only)"),
}
DIGEST_NAMES = {
    "daily": _l("Daily at 07:00"),
    "weekly": _l("Weekly, Monday 07:00"),
}
KIND_GROUP = {kind: group for group, (kinds, _d) in GROUPS.items() for kind in kinds}
# The X-Tracker-Event header of each kind's e-mail.
KIND_EVENT = {
    "update_posted": "update.posted",
    "gate_requested": "gate.requested",
    "gate_confirmed": "gate.confirmed",
    "gate_decided": "gate.decided",
    "status_changed": "status.changed",
    "partner_added": "partner.added",
    "due_soon": "due.soon",
    "overdue": "overdue",
    "nudge": "nudge",
    "stalled": "stalled",
    "partner_interest": "partner.interest",
}
DEFAULT_TIME_ZONE = "Europe/Berlin"
# Patrons are told nothing by e-mail (they see no project's details); site managers are not
# mailed about partner interest (it concerns member organizations).
ROLE_DEFAULTS = {
    "patron": dict.fromkeys(GROUPS, "never"),
}


def default_choice(role: str, group: str) -> str:
    return ROLE_DEFAULTS.get(role, {}).get(group, GROUPS[group][1])


def _default_sql(group: str) -> sa.ColumnElement:
    special = {role: d[group] for role, d in ROLE_DEFAULTS.items() if group in d}
    default = GROUPS[group][1]
    if not special:
        return sa.literal(default)
    return sa.case(
        {role: sa.literal(choice) for role, choice in special.items()},
        value=User.role,
        else_=sa.literal(default),
    )


def choice_sql(group: str) -> sa.ColumnElement:
    """The e-mail choice for group of the User row in the query (joined preference or default)."""
    stored = (
        sa.select(NotificationPreference.email)
        .where(
            NotificationPreference.user_id == User.id,
            NotificationPreference.event_group == group,
        )
        .scalar_subquery()
    )
    return sa.func.coalesce(stored, _default_sql(group))


def fanout(kind: str, project_id: int | None, created_at: datetime) -> int:
    """E-mail "at once" the notifications of one batch (kind, project, created_at) to the users
    whose choice for the kind's group is "now": one INSERT … SELECT in the caller's
    transaction, however many recipients. Returns the number of rows written."""
    group = KIND_GROUP.get(kind)
    if group is None:
        return 0
    now = utcnow()
    project_match = (
        Notification.project_id.is_(None)
        if project_id is None
        else Notification.project_id == project_id
    )
    rows = (
        sa.select(
            sa.literal("email"),
            sa.literal(KIND_EVENT[kind]),
            Notification.user_id,
            Notification.project_id,
            Notification.id,
            sa.literal("notification"),
            sa.literal("pending"),
            sa.literal(0),
            sa.literal(now, OutboxMessage.created_at.type),
            sa.literal(now, OutboxMessage.created_at.type),
        )
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.kind == kind,
            project_match,
            Notification.created_at == sa.literal(created_at, Notification.created_at.type),
            User.active.is_(True),
            choice_sql(group) == "now",
            ~sa.exists().where(OutboxMessage.notification_id == Notification.id),
        )
        .order_by(Notification.id)
    )
    columns = [
        "channel",
        "event",
        "user_id",
        "project_id",
        "notification_id",
        "template",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    # RETURNING: psycopg reports no row count for this INSERT … SELECT.
    insert = sa.insert(OutboxMessage).from_select(columns, rows, include_defaults=False)
    count = len(db.session.connection().execute(insert.returning(OutboxMessage.id)).all())
    if count:
        outbox.mark_written()
    return count


# --- reading and saving a user's choices -----------------------------------------------------


def choices_of(user: User) -> dict[str, str]:
    stored = dict(
        db.session.execute(
            sa.select(NotificationPreference.event_group, NotificationPreference.email).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {group: stored.get(group) or default_choice(user.role, group) for group in GROUPS}


def settings_of(user: User) -> NotificationSettings:
    """The user's digest settings (a transient default row when none is stored)."""
    found = db.session.get(NotificationSettings, user.id)
    return found or NotificationSettings(
        user_id=user.id, digest="daily", time_zone=DEFAULT_TIME_ZONE, calendar_key=None
    )


def stored_settings(user: User) -> NotificationSettings:
    """The user's settings row, added to the session when there is none; no commit."""
    found = db.session.get(NotificationSettings, user.id)
    if found is None:
        found = NotificationSettings(user_id=user.id, digest="daily", time_zone=DEFAULT_TIME_ZONE)
        db.session.add(found)
    return found


def set_choice(user: User, group: str, email: str) -> None:
    """Store one group's choice; no commit."""
    if group not in GROUPS or email not in EMAIL_CHOICES:
        raise ValueError(group)
    row = db.session.get(NotificationPreference, (user.id, group))
    if row is None:
        db.session.add(NotificationPreference(user_id=user.id, event_group=group, email=email))
    else:
        row.email = email


def save(user: User, choices: dict[str, str], digest: str, time_zone: str) -> None:
    """Store every group's choice, the digest rhythm and time zone; commits."""
    for group, email in choices.items():
        set_choice(user, group, email)
    settings = stored_settings(user)
    settings.digest = digest
    settings.time_zone = time_zone
    db.session.commit()


def unsubscribe(user_id: int, group: str) -> bool:
    """One-click unsubscribe: the group's e-mail (or every digest group) becomes "never";
    commits. False when the user no longer exists."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    groups: Iterable[str]
    if group == "digest":
        groups = [g for g, choice in choices_of(user).items() if choice == "digest"]
    else:
        groups = [group] if group in GROUPS else []
    for name in groups:
        set_choice(user, name, "never")
    db.session.commit()
    return True


_ZONES: list[str] = []


def time_zones() -> list[str]:
    if not _ZONES:
        _ZONES.extend(sorted(z for z in available_timezones() if "/" in z and "Etc" not in z))
    return _ZONES
