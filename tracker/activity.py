"""Audit trail and in-app notifications, written inside the caller's transaction (no commit)."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tracker.database import transaction
from tracker.extensions import db
from tracker.models import AuditEvent, Notification, Participation, Project, User, utcnow
from tracker.models.user import site_managers


def audit(
    actor: User | None,
    action: str,
    obj: Any,
    changes: dict[str, Any] | None = None,
    project_id: int | None = None,
) -> AuditEvent:
    """Record who did what to which object; changes maps field -> [old, new]."""
    if project_id is None and isinstance(obj, Project):
        project_id = obj.id
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=getattr(obj, "id", None),
        project_id=project_id,
        changes=_jsonable(changes or {}),
    )
    db.session.add(event)
    return event


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    def convert(value):
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    return {key: convert(value) for key, value in changes.items()}


def diff(obj: Any, new_values: dict[str, Any]) -> dict[str, list]:
    """Field -> [old, new] for the values that actually change."""
    return {
        key: [getattr(obj, key), value]
        for key, value in new_values.items()
        if getattr(obj, key) != value
    }


def values_when_read(events: Iterable[AuditEvent], expected_version: int) -> dict[str, Any]:
    """Each field's value at expected_version, from update events (oldest first) that record
    {field: [old, new]} with the version pair they moved the object across: the first change
    of a field after that version holds the value the editor read."""
    read: dict[str, Any] = {}
    for event in events:
        version = (event.changes or {}).get("version") or [0]
        if version[0] < expected_version:
            continue
        for name, (old, _new) in event.changes.items():
            if name != "version":
                read.setdefault(name, old)
    return read


def notify(
    user_ids: Iterable[int] | sa.Select,
    kind: str,
    message: str,
    project: Project | None = None,
    skip: User | None = None,
    *,
    at: datetime | None = None,
    mail: bool = True,
) -> int:
    """Queue one notification per distinct user (never to the actor who caused it).

    user_ids may also be a SELECT of user ids (members_of, managers_of): the notifications
    then go in with one INSERT … SELECT, without reading the ids first. `at` dates them (the
    demo's history); `mail=False` writes no e-mail for them (seeding)."""
    if isinstance(user_ids, sa.Select):
        users = user_ids.add_columns(sa.literal(message))
        return _notify_users(users, kind, project, skip, at=at, mail=mail)
    ids = {uid for uid in user_ids if uid is not None and (skip is None or uid != skip.id)}
    if not ids:
        return 0
    users = sa.select(User.id, sa.literal(message)).where(User.id.in_(sorted(ids)))
    return _notify_users(users, kind, project, None, at=at, mail=mail)


def notify_members(
    messages: Mapping[int, str],
    kind: str,
    project: Project,
    skip: User | None = None,
    *,
    at: datetime | None = None,
    mail: bool = True,
) -> int:
    """Tell the active members of each organization its own message (organization id ->
    message), never the actor: one INSERT … SELECT, however many organizations and members."""
    if not messages:
        return 0
    text = sa.case(
        {org_id: sa.literal(message) for org_id, message in messages.items()},
        value=User.organization_id,
    )
    users = members_of(list(messages)).add_columns(text)
    return _notify_users(users, kind, project, skip, at=at, mail=mail)


def _notify_users(
    users: sa.Select,
    kind: str,
    project: Project | None,
    skip: User | None,
    *,
    at: datetime | None = None,
    mail: bool = True,
    once: bool = False,
) -> int:
    """Insert a notification for each row of users (SELECT user id, message), in user order.

    users may be a UNION (one message per group of people); each user is told once. The rows
    go straight in, in the caller's transaction, without flushing its pending objects (a
    project must already have its id). `once`: not when the user already has this very
    notification (periodic reminders run again and again)."""
    rows = users.subquery()
    user_id, message = rows.c[0], rows.c[1]
    project_id = project.id if project else None
    created_at = at or utcnow()
    query = sa.select(
        user_id,
        message,
        sa.literal(kind),
        sa.literal(project_id, sa.Integer),
        sa.literal(created_at, Notification.created_at.type),
        sa.literal(mail, sa.Boolean),
    ).order_by(user_id)
    if skip is not None:
        query = query.where(user_id != skip.id)
    if project is not None:  # only those who may see its details are told (design §11)
        from tracker.auth.permissions import users_viewing_details

        query = query.where(user_id.in_(users_viewing_details(project)))
    if once:
        query = query.where(
            ~sa.exists().where(
                Notification.user_id == user_id,
                Notification.kind == kind,
                Notification.project_id == project_id,
                Notification.message == message,
            )
        )
    columns = ["user_id", "message", "kind", "project_id", "created_at", "mail"]
    insert = sa.insert(Notification).from_select(columns, query)
    # RETURNING: PostgreSQL's driver reports no rowcount for this INSERT … SELECT (-1).
    count = len(db.session.connection().execute(insert.returning(Notification.id)).all())
    if mail and count:
        # A trigger wrote the "at once" e-mails in this same statement (tracker/outbox/
        # trigger.py); digests read the notifications later. Wake the worker after the commit.
        from tracker import outbox

        outbox.mark_written()
    return count


def _told() -> sa.ColumnElement:
    """Who may be told of a project at all: active, and never a patron (patrons see no
    project's details)."""
    from tracker.auth import permissions  # here: tracker.auth imports this module (audit)

    return permissions.may_hear_of_projects()


def members_of(organization_ids: Iterable[int] | sa.Select) -> sa.Select:
    """SELECT of the ids of the active members (and site managers) of the organizations."""
    if not isinstance(organization_ids, sa.Select):
        organization_ids = list(organization_ids)
    return sa.select(User.id).where(User.organization_id.in_(organization_ids), _told())


def participants_of(project: Project, but: int | None = None) -> sa.Select:
    """SELECT of the ids of the active members of every organization taking part in the
    project (except the organization `but`), read from the database, not the session."""
    organizations = sa.select(Participation.organization_id).where(
        Participation.project_id == project.id
    )
    if but is not None:
        organizations = organizations.where(Participation.organization_id != but)
    return members_of(organizations)


def managers_of(site_id: int) -> sa.Select:
    """SELECT of the ids of the site's active managers."""
    from tracker.auth import permissions

    return (
        sa.select(User.id)
        .join(site_managers, site_managers.c.user_id == User.id)
        .where(
            site_managers.c.site_id == site_id,
            User.active.is_(True),
            permissions.manages_sites_sql(),
        )
    )


def member_ids_of(organization_ids: Iterable[int]) -> list[int]:
    """Active members (and site managers) belonging to the given organizations."""
    ids = list(organization_ids)
    if not ids:
        return []
    return list(db.session.scalars(members_of(ids)))


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the user's unread notifications read; commits."""
    query = sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    with transaction():
        count = db.session.execute(query.values(read_at=utcnow())).rowcount
    return count


# --- the events of design.md §12: who is told of what ------------------------------------------
# Texts are stored in English; tracker/notifications/display.py shows them in the reader's
# language. Each event is one INSERT … SELECT, however many organizations and people.

STAGES_EN = {"develop": "Develop", "test": "Test", "market": "Market"}
DECISIONS_EN = {
    "go": "Go",
    "conditional_go": "Conditional go",
    "recycle": "Recycle",
    "hold": "Hold",
    "stop": "Stop",
}
LIMIT = 500


def _clip(text: str) -> str:
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


def _stages(review) -> str:
    return f"{STAGES_EN[review.from_stage]} → {STAGES_EN[review.to_stage]}"


def tell_update_posted(actor: User, project: Project, **when) -> int:
    """Members of every participating organization."""
    message = _clip(f"{actor.display_name} posted an update on “{project.title}”.")
    return notify(participants_of(project), "update_posted", message, project, actor, **when)


def tell_gate_requested(actor: User, project: Project, review, **when) -> int:
    """The host site's managers (to decide) and the members of the other participating
    organizations (to confirm), in one statement; each person once, as a manager first."""
    stages, title = _stages(review), project.title
    decide = _clip(f"{actor.display_name} requests the gate {stages} for “{title}”.")
    confirm = _clip(f"Please confirm the gate request for “{title}”: {stages}.")
    managers = managers_of(project.site_id)
    managing = sa.select(site_managers.c.user_id).where(site_managers.c.site_id == project.site_id)
    partners = participants_of(project, but=actor.organization_id).where(User.id.not_in(managing))
    users = sa.union_all(
        managers.add_columns(sa.literal(decide)), partners.add_columns(sa.literal(confirm))
    )
    return _notify_users(users, "gate_requested", project, actor, **when)


def tell_gate_confirmed(
    actor: User, project: Project, review, organization_name: str, **when
) -> int:
    """The lead organization's members."""
    message = _clip(
        f"{organization_name} confirmed the gate request {_stages(review)} for “{project.title}”."
    )
    members = members_of([project.lead_organization_id])
    return notify(members, "gate_confirmed", message, project, actor, **when)


def tell_gate_decided(actor: User, project: Project, review, **when) -> int:
    """Members of every participating organization, whatever the decision."""
    message = _clip(
        f"Gate decision for “{project.title}”: {DECISIONS_EN[review.decision]} "
        f"({_stages(review)}). Reason: {review.reason}"
    )
    return notify(participants_of(project), "gate_decided", message, project, actor, **when)


def tell_status_changed(actor: User, project: Project, verb: str, reason: str, **when) -> int:
    """Hold, stop, reactivate, send back: members of every participating organization.
    verb: "put on hold", "stopped", "reactivated", "sent back"."""
    message = _clip(f"“{project.title}” was {verb}: {reason}")
    return notify(participants_of(project), "status_changed", message, project, actor, **when)


def tell_partners_added(actor: User | None, project: Project, added, **when) -> int:
    """Each added organization's members: [(organization, role)]."""
    messages = {
        org.id: f"{org.name} was added to “{project.title}” as {role.replace('_', ' ')}."
        for org, role in added
    }
    return notify_members(messages, "partner_added", project, actor, **when)


def tell_nudge(actor: User, project: Project, text: str, **when) -> int:
    """A site manager asks the lead organization's members about the project."""
    message = _clip(f"{actor.display_name} asks about “{project.title}”: {text}")
    members = members_of([project.lead_organization_id])
    return notify(members, "nudge", message, project, actor, **when)


DUE_WHAT = {"milestone": "Milestone", "condition": "Condition", "target": "Target date"}


def due_message(kind: str, what: str, item: str, title: str, due_on) -> str:
    """'Milestone “Pilot” of “Project” is due on 2026-05-01.' (due_soon) or '… was due on …'
    (overdue); what is milestone, condition or target (item: the stage, Test or Market)."""
    verb = "is due" if kind == "due_soon" else "was due"
    return _clip(f"{DUE_WHAT[what]} “{item}” of “{title}” {verb} on {due_on.isoformat()}.")


def tell_due(project: Project, kind: str, what: str, item: str, due_on, **when) -> int:
    """A milestone, condition or target date due soon (kind "due_soon") or passed
    ("overdue"): the lead organization's members, once per item and date however often the
    periodic reminder runs."""
    message = due_message(kind, what, item, project.title, due_on)
    users = members_of([project.lead_organization_id]).add_columns(sa.literal(message))
    return _notify_users(users, kind, project, None, once=True, **when)


def tell_stalled(project: Project, since, **when) -> int:
    """The host site's managers, once per quiet spell (since: the last activity's date)."""
    message = _clip(f"“{project.title}” has had no activity since {since.isoformat()}.")
    users = managers_of(project.site_id).add_columns(sa.literal(message))
    return _notify_users(users, "stalled", project, None, once=True, **when)


def tell_partner_interest(actor: User, project: Project, organization_name: str, **when) -> int:
    """Interest in a partner request (§14): the requesting side — the lead organization's
    members (the host site's managers are told by tracker.matchmaking as it chooses)."""
    message = _clip(
        f"{organization_name} is interested in the partner request for “{project.title}”."
    )
    members = members_of([project.lead_organization_id])
    return notify(members, "partner_interest", message, project, actor, **when)
