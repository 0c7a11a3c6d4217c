"""The user's notifications: the unread count, a page of the list, marking read."""

import functools
from dataclasses import dataclass

import sqlalchemy as sa

from tracker import activity
from tracker.auth.permissions import visible_projects
from tracker.database import keep, transaction
from tracker.extensions import db
from tracker.models import Notification, Project, User, utcnow
from tracker.paging import MAX_PAGE, BadCursor, beyond, decode_cursor, encode_cursor

PAGE_SIZE = 25


@dataclass
class NotificationPage:
    items: list[tuple[Notification, bool]]  # (notification, may the user still open its project)
    page: int
    pages: int
    total: int
    unread: int
    newer: str | None = None  # cursors of the neighbouring pages (keyset: ?before= / ?after=)
    older: str | None = None


@functools.cache
def _unread_statement() -> sa.Select:
    # Built once: every page's navigation asks, and building and keying it cost more than
    # running it (issue 21).
    return sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == sa.bindparam("user_id"), Notification.read_at.is_(None)
    )


def unread_count(user: User) -> int:
    return db.session.scalar(_unread_statement(), {"user_id": user.id})


def notification_page(
    user: User, after: str | None = None, before: str | None = None
) -> NotificationPage:
    """Newest first, PAGE_SIZE at a time by keyset (created_at, id): the page after the
    cursor after (older), before the cursor before (newer), or the first. The link flag comes
    from visible_projects in the same query. A bad cursor gives the first page."""
    mine = Notification.user_id == user.id
    total, unread = db.session.execute(
        sa.select(
            sa.func.count(Notification.id),
            sa.func.count(Notification.id).filter(Notification.read_at.is_(None)),
        ).where(mine)
    ).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = sa.select(Notification.id).where(mine).limit(PAGE_SIZE + 1)
    at_, id_ = Notification.created_at, Notification.id
    number, backwards = 1, False
    try:
        if after:
            at, ident, number = decode_cursor(after)
            page = page.where(beyond(at_, id_, at, ident, later=False))
        elif before:
            at, ident, number = decode_cursor(before)
            page = page.where(beyond(at_, id_, at, ident, later=True))
            backwards = True
    except BadCursor:
        number, backwards = 1, False
    order = (at_.asc(), id_.asc()) if backwards else (at_.desc(), id_.desc())
    page = page.order_by(*order).subquery()
    # The link flag per row of the page (an EXISTS by key), asked of the page's rows only:
    # asked in the statement that also picks the page, PostgreSQL hashed every project the
    # user may see first (a scan of 76,000 projects, 35 of 48 ms at 100,000).
    linkable = (
        visible_projects(user)
        .with_only_columns(Project.id)
        .where(Project.id == Notification.project_id)
        .exists()
    )
    query = sa.select(Notification, linkable).join(page, page.c.id == Notification.id)
    rows = db.session.execute(query.order_by(*order)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
        if not more:
            number = 1  # back at the newest, whatever the link said
    result = NotificationPage(
        [(n, bool(link)) for n, link in rows], number, max(pages, number), total, unread
    )
    if rows and (more if not backwards else True):
        last = rows[-1][0]
        result.older = encode_cursor(last.created_at, last.id, number + 1)
    if rows and (more if backwards else number > 1):
        first = rows[0][0]
        result.newer = encode_cursor(first.created_at, first.id, max(1, number - 1))
    return result


def cursor_of_page(user: User, number: int) -> str | None:
    """The cursor of page number of user's notifications (old ?page=N links), None when the
    page has no row: one OFFSET statement (the page before's last row and the page's first),
    once per old link."""
    if number < 2 or number > MAX_PAGE // PAGE_SIZE:
        return None
    rows = db.session.execute(
        sa.select(Notification.created_at, Notification.id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((number - 1) * PAGE_SIZE - 1)
        .limit(2)
    ).all()
    return None if len(rows) < 2 else encode_cursor(rows[0].created_at, rows[0].id, number)


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
