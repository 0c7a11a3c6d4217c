"""What each role's home page shows: a few bounded, scoped queries."""

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal

from tracker import disclosure, needs
from tracker.auth.permissions import (
    can_create_project,
    is_member,
    is_site_manager,
    visible_projects,
)
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Notification,
    OneTimeLink,
    Organization,
    Participation,
    Project,
    User,
    utcnow,
)

HOME_LIST_LIMIT = 10


def stage_counts(query: sa.Select) -> dict[str, int]:
    """Projects per stage among the rows query selects."""
    sub = query.with_only_columns(Project.id, Project.stage).subquery()
    rows = db.session.execute(sa.select(sub.c.stage, sa.func.count()).group_by(sub.c.stage))
    counts = {"develop": 0, "test": 0, "market": 0}
    counts.update(dict(rows.tuples().all()))
    return counts


def _with_names(query: sa.Select) -> sa.Select:
    return query.options(
        sa.orm.joinedload(Project.lead_organization), sa.orm.joinedload(Project.site)
    )


def member_home(user: User) -> dict:
    own = visible_projects(user).where(
        Project.counted(),  # withdrawn projects leave lists and counts (design §16)
        sa.exists().where(
            Participation.project_id == Project.id,
            Participation.organization_id == user.organization_id,
        ),
    )
    projects = db.session.scalars(
        _with_names(own).order_by(Project.last_activity_at.desc()).limit(HOME_LIST_LIMIT)
    ).all()
    return {
        "projects": projects,
        "counts": stage_counts(own),
        "needs": needs.member_needs(user, limit=HOME_LIST_LIMIT),
    }


def manager_home(user: User) -> dict:
    scoped = visible_projects(user).where(
        Project.site_id.in_(sorted(user.managed_site_ids)), Project.counted()
    )
    stalled_days = current_app.config["TRACKER_STALLED_DAYS"]
    attention = needs.manager_needs(user, stalled_days, limit=HOME_LIST_LIMIT)
    return {
        "queue": attention.waiting,
        "needs": attention,
        "stalled_days": stalled_days,
        "counts": stage_counts(scoped),
    }


def patron_home(user: User) -> dict:
    # aggregates over every project, through the disclosure rule (the dashboard's figures);
    # names only of network ones
    protected = disclosure.pipeline_counts()
    counts = {
        stage: protected.text((disclosure.ALL, stage, disclosure.ALL), number=format_decimal)
        for stage in ("develop", "test", "market")
    }
    latest = db.session.scalars(
        _with_names(visible_projects(user))
        .where(Project.stage == "market", Project.counted())
        .order_by(Project.stage_entered_at.desc())
        .limit(5)
    ).all()
    return {"counts": counts, "latest_market": latest}


def admin_home(user: User) -> dict:
    now = utcnow()
    pending = db.session.execute(
        sa.select(OneTimeLink, User)
        .join(User, OneTimeLink.user_id == User.id)
        .where(OneTimeLink.used_at.is_(None), OneTimeLink.expires_at > now)
        .order_by(OneTimeLink.created_at.desc())
        .limit(HOME_LIST_LIMIT)
    ).all()
    totals = {
        "users": db.session.scalar(sa.select(sa.func.count(User.id))),
        "organizations": db.session.scalar(sa.select(sa.func.count(Organization.id))),
        "projects": db.session.scalar(
            sa.select(sa.func.count(Project.id)).where(Project.counted())
        ),
        "locked": db.session.scalar(
            sa.select(sa.func.count(User.id)).where(User.locked_until > now)
        ),
    }
    return {
        "pending_links": pending,
        "totals": totals,
        "counts": stage_counts(sa.select(Project).where(Project.counted())),
    }


# First-use hints a person can hide; the template holds their wording.
HINTS = (
    "welcome_member",
    "welcome_site_manager",
    "welcome_patron",
    "welcome_admin",
    "first_project",
    "empty_queue",
)


def is_first_sign_in(user: User) -> bool:
    """True until the account has signed in a second time (each sign-in is audited)."""
    count = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "sign_in",
            AuditEvent.object_type == "user",
            AuditEvent.object_id == user.id,
        )
    )
    return count <= 1


def hints_for(user: User, home: dict, hidden: Iterable[str]) -> list[str]:
    """What to do next for someone new here, or whose home is still empty."""
    keys = []
    if is_first_sign_in(user):
        keys.append(f"welcome_{user.role}")
    if is_member(user) and not home.get("projects") and can_create_project(user):
        keys.append("first_project")
    if is_site_manager(user) and not home.get("queue"):
        keys.append("empty_queue")
    hidden = set(hidden)
    return [key for key in keys if key not in hidden]


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def recent_notifications(user: User, limit: int = 5) -> list[Notification]:
    return db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc())
        .limit(limit)
    ).all()


def database_answers() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
    return True
