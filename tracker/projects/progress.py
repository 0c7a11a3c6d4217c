"""Progress on a project: updates and milestones; each counts as activity."""

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.activity import audit, tell_update_posted
from tracker.auth import permissions
from tracker.database import keep, transaction
from tracker.extensions import db
from tracker.models import Milestone, Project, Update, User, utcnow
from tracker.projects.services import ProjectError, ProjectForbidden

UPDATE_LIMIT = 5000
MILESTONE_TITLE_LIMIT = 200


def touch(project: Project) -> None:
    """Record activity without bumping the version, so it never causes an edit conflict."""
    db.session.execute(
        sa.update(Project)
        .where(Project.id == project.id)
        .values(last_activity_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _require_contributor(actor: User, project: Project) -> None:
    if not permissions.can_contribute(actor, project):
        raise ProjectForbidden(_("Only participating organizations may do this."))


def post_update(actor: User, project: Project, body: str) -> Update:
    _require_contributor(actor, project)
    body = (body or "").strip()
    if not body:
        raise ProjectError(_("Write what happened."), field="body")
    if len(body) > UPDATE_LIMIT:
        raise ProjectError(
            _("At most %(update_limit)s characters.", update_limit=UPDATE_LIMIT),
            field="body",
        )
    with transaction():
        update = Update(project_id=project.id, author_id=actor.id, body=body)
        db.session.add(update)
        db.session.flush()
        audit(
            actor,
            "update_posted",
            update,
            {"update": [None, body[:200]]},
            project_id=project.id,
        )
        tell_update_posted(actor, project)
        touch(project)
        keep(update)  # for the API's reply
    return update


def milestone_title(title: str | None) -> str:
    """A milestone's title, stripped; ProjectError on the title field if empty or too long."""
    title = (title or "").strip()
    if not title:
        raise ProjectError(_("Name the milestone."), field="title")
    if len(title) > MILESTONE_TITLE_LIMIT:
        raise ProjectError(
            _(
                "At most %(milestone_title_limit)s characters.",
                milestone_title_limit=MILESTONE_TITLE_LIMIT,
            ),
            field="title",
        )
    return title


def add_milestone(actor: User, project: Project, title: str, due_on=None) -> Milestone:
    _require_contributor(actor, project)
    title = milestone_title(title)
    with transaction():
        milestone = Milestone(project_id=project.id, title=title, due_on=due_on)
        db.session.add(milestone)
        db.session.flush()
        changes = {"milestone": [None, title], "due_on": [None, due_on]}
        audit(actor, "milestone_added", milestone, changes, project_id=project.id)
        touch(project)
        keep(milestone)  # for the caller's message
    return milestone


def set_milestone_done(actor: User, project: Project, milestone_id: int, done: bool) -> Milestone:
    """Mark a milestone done (or reopen it); repeating the same state changes nothing."""
    _require_contributor(actor, project)
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        raise ProjectError(_("This milestone does not belong to the project."))
    if (milestone.done_at is not None) == done:
        return milestone
    with transaction():
        old = milestone.done_at is not None
        milestone.done_at = utcnow() if done else None
        action = "milestone_done" if done else "milestone_reopened"
        states = ["done" if old else "open", "done" if done else "open"]
        changes = {milestone.title: states}
        audit(actor, action, milestone, changes, project_id=project.id)
        touch(project)
    return milestone
