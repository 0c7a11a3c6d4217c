"""E-mail preferences per user and event group, and the e-mail fan-out of a notification batch.

Each notification kind belongs to one event group; a user chooses per group "now" (an e-mail
at once), "digest" (listed in the daily or weekly digest) or "never" (in the app only). Without
a stored choice the role's default applies (design.md §12).
"""

from collections.abc import Iterable
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.extensions import db
from tracker.models import User
from tracker.models.outbox import (
    EMAIL_CHOICES,
    NotificationPreference,
    NotificationSettings,
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
