"""Digests (daily, or weekly on Monday, at 07:00 in each user's time zone) and the periodic
due and overdue reminders; both run every few minutes from the worker (tracker/outbox/queue.py)
and write each digest once, however many workers run them at the same time."""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from tracker import outbox
from tracker.extensions import db
from tracker.models import GateReview, Notification, Project, User
from tracker.models.base import utcnow
from tracker.models.outbox import NotificationSettings, OutboxMessage, ReminderSent
from tracker.models.user import site_managers
from tracker.outbox import preferences

log = logging.getLogger("tracker.outbox")
DIGEST_AT = time(7, 0)
MAX_ITEMS = 100


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or preferences.DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(preferences.DEFAULT_TIME_ZONE)


def period_of(rhythm: str, zone_name: str | None, now: datetime) -> tuple[str, datetime] | None:
    """The digest period due at now (its key and start in UTC), or None before 07:00 (daily)
    or before Monday 07:00 (weekly) of the current period."""
    local = now.astimezone(_zone(zone_name))
    day = local.date()
    if rhythm == "weekly":
        day = day - timedelta(days=day.weekday())
        key = f"W{day.isocalendar().year}-{day.isocalendar().week:02d}"
    else:
        key = day.isoformat()
    start = datetime.combine(day, DIGEST_AT, tzinfo=local.tzinfo)
    if local < start:
        return None
    return key, start


def _digest_kinds(user_choices: dict[str, str]) -> list[str]:
    return [
        kind
        for group, (kinds, _d) in preferences.GROUPS.items()
        if user_choices.get(group) == "digest"
        for kind in kinds
    ]


def queue_digests(now: datetime | None = None) -> int:
    """Write the digests that are due; returns how many were written. Commits."""
    now = now or utcnow()
    users = db.session.execute(
        sa.select(User, NotificationSettings.digest, NotificationSettings.time_zone)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(User.active.is_(True), User.role != "patron")
        .order_by(User.id)
    ).all()
    written = 0
    for user, rhythm, zone in users:
        due = period_of(rhythm or "daily", zone, now)
        if due is None:
            continue
        key, _start = due
        if db.session.get(ReminderSent, ("digest", "user", user.id, key)) is not None:
            continue
        written += _queue_one(user, rhythm or "daily", key, now)
    return written


def _queue_one(user: User, rhythm: str, key: str, now: datetime) -> int:
    previous = db.session.scalar(
        sa.select(sa.func.max(ReminderSent.at)).where(
            ReminderSent.kind == "digest", ReminderSent.object_id == user.id
        )
    )
    since = previous or now - (timedelta(days=7) if rhythm == "weekly" else timedelta(days=1))
    kinds = _digest_kinds(preferences.choices_of(user))
    ids = []
    if kinds:
        ids = list(
            db.session.scalars(
                sa.select(Notification.id)
                .where(
                    Notification.user_id == user.id,
                    Notification.kind.in_(kinds),
                    Notification.created_at > since,
                )
                .order_by(Notification.created_at, Notification.id)
                .limit(MAX_ITEMS)
            )
        )
    manager = user.role == "site_manager"
    waiting = _waiting_reviews(user) if manager else []
    try:
        db.session.add(
            ReminderSent(kind="digest", object_type="user", object_id=user.id, due_on=key, at=now)
        )
        if ids or waiting or (manager and _manager_lists(user)):
            outbox.enqueue_email(
                user.id,
                "digest",
                "digest",
                {"notifications": ids, "since": since.isoformat(), "rhythm": rhythm},
                dedupe_key=f"digest:{user.id}:{key}",
            )
        db.session.commit()
    except IntegrityError:  # another worker wrote this digest first
        db.session.rollback()
        return 0
    return 1


def _managed_sites(user: User) -> sa.Select:
    return sa.select(site_managers.c.site_id).where(site_managers.c.user_id == user.id)


def _waiting_reviews(user: User) -> list[tuple[str, str]]:
    """Pending gate reviews of the manager's sites, oldest first: (text, link)."""
    rows = db.session.execute(
        sa.select(GateReview.id, GateReview.requested_at, Project.title)
        .join(Project, Project.id == GateReview.project_id)
        .where(GateReview.decision == "pending", Project.site_id.in_(_managed_sites(user)))
        .order_by(GateReview.requested_at, GateReview.id)
        .limit(MAX_ITEMS)
    ).all()
    return [
        (
            _("%(title)s — waiting since %(date)s", title=title, date=at.date().isoformat()),
            url_for("reviews.decide", review_id=rid, _external=True)
            if _has_endpoint("reviews.decide")
            else None,
        )
        for rid, at, title in rows
    ]


def _has_endpoint(name: str) -> bool:
    from flask import current_app

    return name in current_app.view_functions


def _manager_lists(user: User) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Stalled and overdue projects of the manager's sites (tracker/overdue.py)."""
    try:
        from tracker import overdue
    except ImportError:
        return []
    sections = []
    sites = _managed_sites(user)
    projects = sa.select(Project.id).where(Project.site_id.in_(sites))
    finder = getattr(overdue, "stalled_projects", None)
    if finder is not None:
        try:
            rows = list(finder(projects))
        except TypeError:
            rows = []
        if rows:
            sections.append(
                (_("Stalled projects"), [(_title(r), _link(r)) for r in rows[:MAX_ITEMS]])
            )
    finder = getattr(overdue, "overdue_items", None)
    if finder is not None:
        try:
            rows = list(finder(projects, utcnow().date()))
        except TypeError:
            rows = []
        if rows:
            sections.append((_("Overdue"), [(_title(r), _link(r)) for r in rows[:MAX_ITEMS]]))
    return sections


def _title(row) -> str:
    for name in ("label", "text", "title", "project_title"):
        value = getattr(row, name, None)
        if value:
            return str(value)
    return str(row)


def _link(row) -> str | None:
    project_id = getattr(row, "project_id", None) or getattr(row, "id", None)
    if project_id is None:
        return None
    return url_for("projects.detail", project_id=project_id, _external=True)


def digest_mail(row: OutboxMessage, user: User):
    """The digest's content, rendered when sent (tracker/outbox/mails.py)."""
    from tracker.notifications.display import notification_text
    from tracker.outbox.mails import Mail

    params = row.params or {}
    ids = params.get("notifications") or []
    notifications = []
    if ids:
        notifications = list(
            db.session.scalars(
                sa.select(Notification)
                .where(Notification.id.in_(ids))
                .order_by(Notification.created_at, Notification.id)
            )
        )
    sections = []
    if user.role == "site_manager":
        waiting = _waiting_reviews(user)
        if waiting:
            sections.append((_("Gate reviews waiting for a decision (oldest first)"), waiting))
        sections.extend(_manager_lists(user))
    if notifications:
        items = [
            (
                notification_text(n),
                url_for("projects.detail", project_id=n.project_id, _external=True)
                if n.project_id
                else None,
            )
            for n in notifications
        ]
        sections.append((_("What happened"), items))
    weekly = params.get("rhythm") == "weekly"
    subject = _("Your weekly digest") if weekly else _("Your daily digest")
    return Mail(
        subject=f"Innovation Tracker: {subject}",
        paragraphs=[] if sections else [_("Nothing new since your last digest.")],
        sections=sections,
        link=url_for("notifications.index", _external=True),
        link_label=_("Open your notifications"),
        group="digest",
    )


def queue_reminders() -> int:
    """Due-soon and overdue reminders of today (tracker/overdue.py's periodic job), each told
    once; the e-mails follow from the notifications. Commits."""
    try:
        from tracker import overdue
    except ImportError:
        return 0
    job = getattr(overdue, "send_reminders", None) or getattr(overdue, "remind", None)
    if job is None:
        return 0
    count = job()
    db.session.commit()
    return count or 0
