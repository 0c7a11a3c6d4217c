"""Audit trail and in-app notifications, written inside the caller's transaction (no commit)."""

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import AuditEvent, Notification, Project, User, utcnow


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
) -> int:
    """Queue one notification per distinct user (never to the actor who caused it).

    user_ids may also be a SELECT of user ids (members_of, managers_of): the notifications
    then go in with one INSERT … SELECT, without reading the ids first."""
    if isinstance(user_ids, sa.Select):
        return _notify_users(user_ids.add_columns(sa.literal(message)), kind, project, skip)
    ids = {uid for uid in user_ids if uid is not None and (skip is None or uid != skip.id)}
    for uid in sorted(ids):
        db.session.add(
            Notification(
                user_id=uid,
                kind=kind,
                message=message,
                project_id=project.id if project else None,
            )
        )
    return len(ids)


def notify_members(
    messages: Mapping[int, str], kind: str, project: Project, skip: User | None = None
) -> int:
    """Tell the active members of each organization its own message (organization id ->
    message), never the actor: one INSERT … SELECT, however many organizations and members."""
    if not messages:
        return 0
    text = sa.case(
        {org_id: sa.literal(message) for org_id, message in messages.items()},
        value=User.organization_id,
    )
    return _notify_users(members_of(list(messages)).add_columns(text), kind, project, skip)


def _notify_users(users: sa.Select, kind: str, project: Project | None, skip: User | None) -> int:
    """Insert a notification for each row of users (SELECT user id, message), in user order.

    The rows go straight in, in the caller's transaction, without flushing its pending
    objects (a project must already have its id)."""
    users = users.order_by(User.id)
    if skip is not None:
        users = users.where(User.id != skip.id)
    users = users.add_columns(
        sa.literal(kind),
        sa.literal(project.id if project else None, sa.Integer),
        sa.literal(utcnow(), Notification.created_at.type),
    )
    columns = ["user_id", "message", "kind", "project_id", "created_at"]
    insert = sa.insert(Notification).from_select(columns, users)
    return db.session.connection().execute(insert).rowcount


def members_of(organization_ids: Iterable[int]) -> sa.Select:
    """SELECT of the ids of the active members (and site managers) of the organizations."""
    return sa.select(User.id).where(
        User.organization_id.in_(list(organization_ids)), User.active.is_(True)
    )


def managers_of(site_id: int) -> sa.Select:
    """SELECT of the ids of the site's active managers."""
    from tracker.models.user import site_managers

    return (
        sa.select(User.id)
        .join(site_managers, site_managers.c.user_id == User.id)
        .where(site_managers.c.site_id == site_id, User.active.is_(True))
    )


def member_ids_of(organization_ids: Iterable[int]) -> list[int]:
    """Active members (and site managers) belonging to the given organizations."""
    ids = list(organization_ids)
    if not ids:
        return []
    return list(db.session.scalars(members_of(ids)))


def manager_ids_of(site_id: int) -> list[int]:
    return list(db.session.scalars(managers_of(site_id)))


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the user's unread notifications read; commits."""
    query = sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    count = db.session.execute(query.values(read_at=utcnow())).rowcount
    db.session.commit()
    return count
