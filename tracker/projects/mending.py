"""Mistakes can be mended (design §16): an update edited or deleted by its author within 24
hours, milestones edited and deleted. The old text stays in the project's history (audit)."""

from datetime import date, datetime

from flask_babel import gettext as _

from tracker.activity import audit
from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Milestone, Project, Update, User, utcnow
from tracker.projects.progress import UPDATE_LIMIT, milestone_title, touch
from tracker.projects.services import ProjectError, ProjectForbidden

EDIT_WINDOW = permissions.UPDATE_EDIT_WINDOW
_KEEP = 500  # characters of an old text kept in the history


def _update_text(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise ProjectError(_("Write what happened."), field="body")
    if len(body) > UPDATE_LIMIT:
        raise ProjectError(
            _("At most %(update_limit)s characters.", update_limit=UPDATE_LIMIT), field="body"
        )
    return body


def _require_author(actor: User, project: Project, update: Update, now: datetime) -> None:
    if update.project_id != project.id:
        raise ProjectError(_("This update does not belong to the project."))
    if not permissions.can_mend_update(actor, project, update, now):
        if update.author_id != actor.id:
            raise ProjectForbidden(_("Only the author may change or delete an update."))
        raise ProjectForbidden(
            _("Updates can be changed or deleted for %(hours)s hours after posting.", hours=24)
        )


def edit_update(actor: User, project: Project, update: Update, body: str | None) -> Update:
    """Change an update's text (its author, within 24 hours); the old text stays in history."""
    now = utcnow()
    _require_author(actor, project, update, now)
    body = _update_text(body)
    if body == update.body:
        return update
    old = update.body
    update.body, update.edited_at = body, now
    changes = {"update": [old[:_KEEP], body[:_KEEP]]}
    audit(actor, "update_edited", update, changes, project_id=project.id)
    touch(project)
    db.session.commit()
    return update


def delete_update(actor: User, project: Project, update: Update) -> None:
    """Delete an update (its author, within 24 hours); its text stays in the history."""
    _require_author(actor, project, update, utcnow())
    audit(actor, "update_deleted", update, {"update": [update.body[:_KEEP], None]}, project.id)
    db.session.delete(update)
    touch(project)
    db.session.commit()


def _require_contributor(actor: User, project: Project, milestone: Milestone) -> None:
    if milestone.project_id != project.id:
        raise ProjectError(_("This milestone does not belong to the project."))
    if not permissions.can_contribute(actor, project):
        raise ProjectForbidden(_("Only participating organizations may do this."))


_UNSET = object()


def edit_milestone(
    actor: User,
    project: Project,
    milestone: Milestone,
    title: str | None = None,
    due_on: date | object | None = _UNSET,
    done: bool | None = None,
) -> Milestone:
    """Change a milestone's title, due date or done state; nothing given changes nothing."""
    _require_contributor(actor, project, milestone)
    changes: dict[str, list] = {}
    if title is not None:
        title = milestone_title(title)
        if title != milestone.title:
            changes["title"] = [milestone.title, title]
            milestone.title = title
    if due_on is not _UNSET and due_on != milestone.due_on:
        changes["due_on"] = [milestone.due_on, due_on]
        milestone.due_on = due_on
    if done is not None and done != (milestone.done_at is not None):
        changes["done"] = ["open" if done else "done", "done" if done else "open"]
        milestone.done_at = utcnow() if done else None
    if not changes:
        return milestone
    audit(actor, "milestone_edited", milestone, changes, project_id=project.id)
    touch(project)
    db.session.commit()
    return milestone


def delete_milestone(actor: User, project: Project, milestone: Milestone) -> None:
    """Delete a milestone; its title and date stay in the history."""
    _require_contributor(actor, project, milestone)
    changes = {"milestone": [milestone.title, None], "due_on": [milestone.due_on, None]}
    audit(actor, "milestone_deleted", milestone, changes, project_id=project.id)
    db.session.delete(milestone)
    touch(project)
    db.session.commit()


def is_overdue(milestone: Milestone, today: date) -> bool:
    """A milestone past its date and not done (design §12)."""
    return milestone.done_at is None and milestone.due_on is not None and milestone.due_on < today


__all__ = [
    "EDIT_WINDOW",
    "delete_milestone",
    "delete_update",
    "edit_milestone",
    "edit_update",
    "is_overdue",
]
