"""A secret per-user calendar feed (iCalendar): milestones, target dates and condition due
dates of the projects the user follows.

The token is a random key (stored, so the owner can see the address again and revoke it)
plus an HMAC of it and the user id under SECRET_KEY: the stored key alone opens no feed.
"""

import hashlib
import hmac
import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from tracker.auth import permissions
from tracker.extensions import db
from tracker.i18n import DEFAULT_LOCALE, LANGUAGES
from tracker.models import GateCondition, Milestone, Participation, Project, User
from tracker.models.base import utcnow
from tracker.models.outbox import NotificationSettings
from tracker.models.user import site_managers
from tracker.outbox import preferences

HORIZON_DAYS = 400


def _mac(key: str, user_id: int) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    message = f"calendar:{key}:{user_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def token_of(settings: NotificationSettings) -> str | None:
    if not settings.calendar_key:
        return None
    return f"{settings.calendar_key}.{_mac(settings.calendar_key, settings.user_id)}"


def feed_url(user: User, settings: NotificationSettings | None = None) -> str | None:
    token = token_of(settings or preferences.settings_of(user))
    return url_for("outbox.calendar_feed", token=token, _external=True) if token else None


def make_feed(user: User) -> str:
    """A new feed address (the previous one stops working); commits."""
    settings = preferences.stored_settings(user)
    settings.calendar_key = secrets.token_urlsafe(18)
    db.session.commit()
    return token_of(settings)


def revoke_feed(user: User) -> None:
    settings = preferences.stored_settings(user)
    settings.calendar_key = None
    db.session.commit()


def user_for(token: str) -> User | None:
    key, _dot, mac = token.partition(".")
    if not key or not mac:
        return None
    settings = db.session.scalar(
        sa.select(NotificationSettings).where(NotificationSettings.calendar_key == key)
    )
    if settings is None or not hmac.compare_digest(mac, _mac(key, settings.user_id)):
        return None
    user = db.session.get(User, settings.user_id)
    return user if user is not None and user.active else None


def followed_projects(user: User) -> sa.Select:
    """SELECT of the ids of the projects the user follows: those their organization takes part
    in and those of the sites they manage, that they may see in detail; not stopped."""
    if permissions.is_patron(user):
        return sa.select(Project.id).where(sa.false())
    own = sa.select(Participation.project_id).where(
        Participation.organization_id == user.organization_id
    )
    managed = sa.select(Project.id).where(
        Project.site_id.in_(
            sa.select(site_managers.c.site_id).where(site_managers.c.user_id == user.id)
        )
    )
    visible = permissions.visible_projects(user).with_only_columns(Project.id)
    return sa.select(Project.id).where(
        Project.id.in_(sa.union(own, managed)),
        Project.id.in_(visible),
        Project.status != "stopped",
    )


def _event(uid: str, day: date, summary: str, description: str, link: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow())
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"{description}\n{link}".strip())
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def feed(user: User) -> bytes:
    """The calendar in the user's language (see _feed)."""
    with force_locale(user.locale if user.locale in LANGUAGES else DEFAULT_LOCALE):
        return _feed(user)


def _feed(user: User) -> bytes:
    """The user's calendar: open milestones, the current stage's target date and open
    conditions, up to about a year ahead (past ones too, so overdue work stays visible)."""
    projects = followed_projects(user)
    until = date.today() + timedelta(days=HORIZON_DAYS)
    host = current_app.config.get("TRACKER_MAIL_FROM", "tracker@localhost").rpartition("@")[2]
    cal = Calendar()
    cal.add("prodid", "-//Innovation Tracker//calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Innovation Tracker")

    def link(project_id: int) -> str:
        return url_for("projects.detail", project_id=project_id, _external=True)

    milestones = db.session.execute(
        sa.select(Milestone.id, Milestone.title, Milestone.due_on, Project.id, Project.title)
        .join(Project, Project.id == Milestone.project_id)
        .where(
            Milestone.project_id.in_(projects),
            Milestone.done_at.is_(None),
            Milestone.due_on.is_not(None),
            Milestone.due_on <= until,
        )
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    for mid, title, due, pid, ptitle in milestones:
        label = _("Milestone")
        cal.add_component(
            _event(f"milestone-{mid}@{host}", due, f"{ptitle}: {title}", label, link(pid))
        )
    targets = db.session.execute(
        sa.select(
            Project.id,
            Project.title,
            Project.stage,
            Project.target_test_on,
            Project.target_market_on,
        ).where(Project.id.in_(projects), Project.stage != "market")
    ).all()
    for pid, ptitle, stage, test_on, market_on in targets:
        if stage == "develop":
            day, label = test_on, _("Target date for test")
        else:
            day, label = market_on, _("Target date for market")
        if day is not None and day <= until:
            uid = f"target-{pid}-{stage}@{host}"
            cal.add_component(_event(uid, day, f"{ptitle}: {label}", label, link(pid)))
    conditions = db.session.execute(
        sa.select(
            GateCondition.id, GateCondition.text, GateCondition.due_on, Project.id, Project.title
        )
        .join(Project, Project.id == GateCondition.project_id)
        .where(
            GateCondition.project_id.in_(projects),
            GateCondition.done_at.is_(None),
            GateCondition.due_on.is_not(None),
            GateCondition.due_on <= until,
        )
        .order_by(GateCondition.due_on, GateCondition.id)
    ).all()
    for cid, text, due, pid, ptitle in conditions:
        summary = f"{ptitle}: {text[:80]}"
        label = _("Gate condition")
        cal.add_component(_event(f"condition-{cid}@{host}", due, summary, label, link(pid)))
    return cal.to_ical()
