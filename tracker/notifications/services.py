"""The user's notifications: the unread count, a page of the list, marking read."""

from dataclasses import dataclass

import sqlalchemy as sa

from tracker import activity
from tracker.auth.permissions import visible_projects
from tracker.database import keep, transaction
from tracker.extensions import db
from tracker.models import Notification, Project, User, utcnow

PAGE_SIZE = 25


@dataclass
class NotificationPage:
    items: list[tuple[Notification, bool]]  # (notification, may the user still open its project)
    page: int
    pages: int
    total: int
    unread: int


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def notification_page(user: User, page: int = 1) -> NotificationPage:
    """Newest first; the link flag comes from visible_projects in the same query."""
    mine = Notification.user_id == user.id
    total, unread = db.session.execute(
        sa.select(
            sa.func.count(Notification.id),
            sa.func.count(Notification.id).filter(Notification.read_at.is_(None)),
        ).where(mine)
    ).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    visible_ids = visible_projects(user).with_only_columns(Project.id)
    linkable = sa.and_(
        Notification.project_id.is_not(None), Notification.project_id.in_(visible_ids)
    )
    rows = db.session.execute(
        sa.select(Notification, linkable)
        .where(mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return NotificationPage([(n, bool(link)) for n, link in rows], page, pages, total, unread)


def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False when it is not theirs (or missing)."""
    owned = db.session.scalar(
        sa.select(Notification.id).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if owned is None:
        return False
    activity.mark_read(user, [notification_id])
    return True


def mark_all_read(user: User) -> int:
    return activity.mark_read(user)


def read_one(user: User, notification_id: int) -> Notification | None:
    """One of the user's notifications, marked read now unless it was (the first time stays);
    None when it is not theirs. Its values stay readable over the commit."""
    with transaction():
        notification = db.session.scalar(
            sa.select(Notification).where(
                Notification.id == notification_id, Notification.user_id == user.id
            )
        )
        if notification is not None and notification.read_at is None:
            notification.read_at = utcnow()
        keep(notification)
    return notification
