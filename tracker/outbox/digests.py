"""Digests (daily, or weekly on Monday, at 07:00 in each user's time zone) and the periodic
due and overdue reminders; both run every few minutes from the worker (tracker/outbox/queue.py)
and write each digest once, however many workers run them at the same time."""

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from tracker import outbox
from tracker.auth import permissions
from tracker.extensions import db
from tracker.i18n import stage_name
from tracker.models import Notification, Project, User
from tracker.models.base import utcnow
from tracker.models.outbox import NotificationSettings, OutboxMessage, ReminderSent
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
        .where(permissions.may_hear_of_projects())
        .order_by(User.id)
    ).all()
    started = set(
        db.session.scalars(
            sa.select(ReminderSent.object_id).where(ReminderSent.kind == "digest").distinct()
        )
    )
    written = 0
    for user, rhythm, zone in users:
        due = period_of(rhythm or "daily", zone, now)
        if due is None:
            continue
        key, _start = due
        if user.id not in started:
            # The first period seen only starts the user's digests: nothing from before the
            # worker first ran (the demo's past) is mailed; the next 07:00 lists what came since.
            _mark(user.id, key, now)
            continue
        if db.session.get(ReminderSent, ("digest", "user", user.id, key)) is not None:
            continue
        written += _queue_one(user, rhythm or "daily", key, now)
    return written


def _mark(user_id: int, key: str, now: datetime) -> None:
    try:
        db.session.add(
            ReminderSent(kind="digest", object_type="user", object_id=user_id, due_on=key, at=now)
        )
        db.session.commit()
    except IntegrityError:  # another worker did it
        db.session.rollback()


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
                    Notification.mail.is_(True),  # live events, never the demo's history
                )
                .order_by(Notification.created_at, Notification.id)
                .limit(MAX_ITEMS)
            )
        )
    manager_items = _manager_needs(user) if permissions.is_site_manager(user) else None
    try:
        db.session.add(
            ReminderSent(kind="digest", object_type="user", object_id=user.id, due_on=key, at=now)
        )
        if ids or (manager_items is not None and _any(manager_items)):
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


def _manager_needs(user: User):
    from tracker import needs

    stalled_days = int(current_app.config.get("TRACKER_STALLED_DAYS") or 60)
    return needs.manager_needs(user, stalled_days, limit=MAX_ITEMS)


def _any(items) -> bool:
    return bool(items.waiting or items.stalled or items.overdue or items.nudges)


def _project_link(project_id: int) -> str:
    return url_for("projects.detail", project_id=project_id, _external=True)


def _manager_sections(user: User) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The site manager's lists (tracker/needs.py): waiting reviews oldest first, stalled
    projects, overdue work, unanswered nudges."""
    items = _manager_needs(user)
    sections = []
    if items.waiting:
        rows = [
            (
                _(
                    "%(title)s — waiting since %(date)s",
                    title=project.title,
                    date=format_date(review.requested_at.date(), "medium"),
                ),
                url_for("reviews.decide", review_id=review.id, _external=True)
                if "reviews.decide" in current_app.view_functions
                else _project_link(project.id),
            )
            for review, project in items.waiting
        ]
        sections.append((_("Gate reviews waiting for your decision (oldest first)"), rows))
    if items.stalled:
        rows = [
            (
                _(
                    "%(title)s — no activity since %(date)s",
                    title=project.title,
                    date=format_date(project.last_activity_at.date(), "medium"),
                ),
                _project_link(project.id),
            )
            for project in items.stalled
        ]
        sections.append((_("Stalled projects"), rows))
    if items.overdue:
        rows = [
            (
                _(
                    "%(title)s: %(item)s — due %(date)s",
                    title=title,
                    item=_("Target date for %(item)s", item=stage_name(item.item))
                    if item.what == "target"
                    else item.item,
                    date=format_date(item.due_on, "medium"),
                ),
                _project_link(item.project_id),
            )
            for item, title in items.overdue
        ]
        sections.append((_("Overdue"), rows))
    if items.nudges:
        rows = [
            (
                _(
                    "%(title)s — nudged on %(date)s",
                    title=project.title,
                    date=format_date(nudge.created_at.date(), "medium"),
                ),
                _project_link(project.id),
            )
            for nudge, project in items.nudges
        ]
        sections.append((_("Nudges not answered yet"), rows))
    return sections


def digest_mail(row: OutboxMessage, user: User):
    """The digest's content, rendered when sent (tracker/outbox/mails.py)."""
    from tracker.notifications.display import notification_text
    from tracker.outbox.message import Mail

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
    if permissions.is_site_manager(user):
        sections.extend(_manager_sections(user))
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


def queue_reminders(today: date | None = None) -> int:
    """Due-soon (in 5 to 7 days) and just-overdue (passed in the last 3 days) milestones,
    conditions and target dates: the lead organization's members are told once per item and
    date (activity.tell_due), and e-mailed by their preferences. Older overdue work is not
    announced again (it stays on the homes, boards and in the digests). Returns how many
    items were looked at (each told at most once). Commits."""
    from tracker import activity, overdue

    today = today or overdue.today_utc()
    # Within 5 to 7 days, so a newly seeded or imported past does not all come at once.
    soon = [
        item
        for item in overdue.due_soon_items(None, days=7, today=today)
        if item.due_on >= today + timedelta(days=5)
    ]
    late = [
        item
        for item in overdue.overdue_items(None, today)
        if item.due_on >= today - timedelta(days=3)
    ]
    wanted = [("due_soon", item) for item in soon] + [("overdue", item) for item in late]
    if not wanted:
        return 0
    ids = {item.project_id for _kind, item in wanted}
    projects = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Project).where(Project.id.in_(ids), Project.status == "active")
        )
    }
    reminded = 0
    for kind, item in wanted:
        project = projects.get(item.project_id)
        if project is not None:
            activity.tell_due(project, kind, item.what, item.item, item.due_on)
            reminded += 1
    db.session.commit()
    return reminded
