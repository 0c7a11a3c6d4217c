"""POST-only project actions: updates, milestones, criteria ticks (POST/redirect/GET)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.loaders import get_visible_project_or_404
from tracker.projects import criteria, progress
from tracker.projects.blueprint import bp
from tracker.projects.forms import MilestoneForm, UpdateForm
from tracker.projects.services import ProjectError
from tracker.projects.views import render_detail


def _contributable(project_id: int):
    """The user and the project, 404 when hidden and 403 when visible but not theirs."""
    user = current_user._get_current_object()
    project = get_visible_project_or_404(user, project_id)
    if not permissions.can_contribute(user, project):
        abort(403)
    return user, project


def _back(project_id: int, anchor: str):
    return redirect(url_for("projects.detail", project_id=project_id, _anchor=anchor))


@bp.post("/projects/<int:project_id>/updates")
@login_required
def post_update(project_id: int):
    user, project = _contributable(project_id)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            progress.post_update(user, project, form.body.data)
        except ProjectError as error:
            form.body.errors = [error.message]
        else:
            flash(_("Your update is posted."), "success")
            return _back(project_id, "updates")
    return render_detail(project, update_form=form, status=422)


@bp.post("/projects/<int:project_id>/milestones")
@login_required
def add_milestone(project_id: int):
    user, project = _contributable(project_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            milestone = progress.add_milestone(user, project, form.title.data, form.due_on.data)
        except ProjectError as error:
            form.title.errors = [error.message]
        else:
            flash(
                _("Milestone “%(milestone_title)s” added.", milestone_title=milestone.title),
                "success",
            )
            return _back(project_id, "milestones")
    return render_detail(project, milestone_form=form, status=422)


def _set_done(project_id: int, milestone_id: int, done: bool):
    user, project = _contributable(project_id)
    try:
        milestone = progress.set_milestone_done(user, project, milestone_id, done)
    except ProjectError as error:
        flash(error.message, "danger")
    else:
        state = _("done") if done else _("open again")
        flash(
            _(
                "Milestone “%(milestone_title)s” is %(state)s.",
                milestone_title=milestone.title,
                state=state,
            ),
            "success",
        )
    return _back(project_id, "milestones")


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/done")
@login_required
def milestone_done(project_id: int, milestone_id: int):
    return _set_done(project_id, milestone_id, True)


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/reopen")
@login_required
def milestone_reopen(project_id: int, milestone_id: int):
    return _set_done(project_id, milestone_id, False)


def _tick(project_id: int, criterion_id: int, ticked: bool):
    user, project = _contributable(project_id)
    try:
        change = criteria.tick if ticked else criteria.untick
        changed = change(user, project, criterion_id)
    except ProjectError as error:
        flash(error.message, "danger")
    else:
        if changed:
            flash(_("Criterion ticked.") if ticked else _("Criterion unticked."), "success")
        else:
            flash(_("Nothing to change: someone already did it."), "info")
    return _back(project_id, "criteria")


@bp.post("/projects/<int:project_id>/criteria/<int:criterion_id>/tick")
@login_required
def tick_criterion(project_id: int, criterion_id: int):
    return _tick(project_id, criterion_id, True)


@bp.post("/projects/<int:project_id>/criteria/<int:criterion_id>/untick")
@login_required
def untick_criterion(project_id: int, criterion_id: int):
    return _tick(project_id, criterion_id, False)
