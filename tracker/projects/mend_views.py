"""Mend mistakes (design §16): edit or delete one's update within 24 hours, edit or delete a
milestone, withdraw a project with a reason. Each has a page of its own, so a slip of the
mouse on the project page changes nothing; the history keeps what was there."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.extensions import db
from tracker.loaders import get_visible_project_or_404
from tracker.models import Milestone, Update, utcnow
from tracker.projects import mending
from tracker.projects.blueprint import bp
from tracker.projects.forms import MilestoneEditForm, UpdateForm, WithdrawForm
from tracker.projects.services import ProjectError, ProjectForbidden
from tracker.reviews import withdraw as withdrawal
from tracker.reviews.base import GateError, GateForbidden


def _load(project_id: int, model=None, object_id: int | None = None):
    """The user, the visible project (else 404) and its update or milestone (else 404)."""
    user = current_user._get_current_object()
    project = get_visible_project_or_404(user, project_id)
    if model is None:
        return user, project, None
    thing = db.session.get(model, object_id)
    if thing is None or thing.project_id != project.id:
        abort(404)
    return user, project, thing


def _back(project_id: int, anchor: str):
    return redirect(url_for("projects.detail", project_id=project_id, _anchor=anchor))


def _mendable_update(project_id: int, update_id: int):
    user, project, update = _load(project_id, Update, update_id)
    if not permissions.can_mend_update(user, project, update, utcnow()):
        abort(403)
    return user, project, update


@bp.route("/projects/<int:project_id>/updates/<int:update_id>/edit", methods=["GET", "POST"])
@login_required
def edit_update(project_id: int, update_id: int):
    user, project, update = _mendable_update(project_id, update_id)
    form = UpdateForm(data={"body": update.body} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            mending.edit_update(user, project, update, form.body.data)
        except ProjectForbidden:
            abort(403)
        except ProjectError as error:
            form.body.errors = [error.message]
        else:
            flash(_("Your update is saved; the earlier text stays in the history."), "success")
            return _back(project_id, "updates")
    until = update.created_at + mending.EDIT_WINDOW
    page = render_template("projects/update_edit.html", form=form, project=project, update=update,
                           until=until)  # fmt: skip
    return page, 422 if form.errors else 200


@bp.post("/projects/<int:project_id>/updates/<int:update_id>/delete")
@login_required
def delete_update(project_id: int, update_id: int):
    user, project, update = _mendable_update(project_id, update_id)
    try:
        mending.delete_update(user, project, update)
    except ProjectForbidden:
        abort(403)
    flash(_("Your update is deleted; its text stays in the history."), "success")
    return _back(project_id, "updates")


def _mendable_milestone(project_id: int, milestone_id: int):
    user, project, milestone = _load(project_id, Milestone, milestone_id)
    if not permissions.can_contribute(user, project):
        abort(403)
    return user, project, milestone


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_milestone(project_id: int, milestone_id: int):
    user, project, milestone = _mendable_milestone(project_id, milestone_id)
    values = {"title": milestone.title, "due_on": milestone.due_on, "done": bool(milestone.done_at)}
    form = MilestoneEditForm(data=values if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            mending.edit_milestone(
                user, project, milestone, form.title.data, form.due_on.data, form.done.data
            )
        except ProjectForbidden:
            abort(403)
        except ProjectError as error:
            form.title.errors = [error.message]
        else:
            flash(_("Milestone “%(milestone_title)s” saved.", milestone_title=milestone.title),
                  "success")  # fmt: skip
            return _back(project_id, "milestones")
    page = render_template("projects/milestone_edit.html", form=form, project=project,
                           milestone=milestone)  # fmt: skip
    return page, 422 if form.errors else 200


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/delete")
@login_required
def delete_milestone(project_id: int, milestone_id: int):
    user, project, milestone = _mendable_milestone(project_id, milestone_id)
    title = milestone.title
    try:
        mending.delete_milestone(user, project, milestone)
    except ProjectForbidden:
        abort(403)
    flash(_("Milestone “%(milestone_title)s” deleted.", milestone_title=title), "success")
    return _back(project_id, "milestones")


@bp.route("/projects/<int:project_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(project_id: int):
    user, project, _none = _load(project_id)
    if not permissions.can_withdraw(user, project):
        abort(403)
    form = WithdrawForm()
    if project.status != withdrawal.WITHDRAWN and form.validate_on_submit():
        try:
            withdrawal.withdraw(user, project, form.reason.data)
        except GateForbidden:
            abort(403)
        except GateError as error:
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            flash(str(withdrawal.DONE) % {"project_title": project.title}, "success")
            return redirect(url_for("projects.detail", project_id=project_id))
    page = render_template("projects/withdraw.html", form=form, project=project,
                           confirm=withdrawal.CONFIRM)  # fmt: skip
    return page, 422 if form.errors else 200
