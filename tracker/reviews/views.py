"""Gate pages: request, review queue, decision page, confirmations, status changes, conditions."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker import paging
from tracker.auth import permissions
from tracker.auth.views import safe_next
from tracker.loaders import (
    get_visible_condition_or_404,
    get_visible_project_or_404,
    get_visible_review_or_404,
)
from tracker.models import GateReview, Project
from tracker.reviews import nudges, queries, rules, services
from tracker.reviews.blueprint import bp
from tracker.reviews.forms import DecisionForm, GateRequestForm, NudgeForm, StatusForm
from tracker.reviews.queue import cursor_of_page as queue_cursor_of_page
from tracker.reviews.queue import review_queue
from tracker.reviews.services import GateError, GateForbidden


@bp.app_context_processor
def gate_helpers():
    return {"gate_rules": rules}


def _user():
    return current_user._get_current_object()


def project_url(project_id: int) -> str:
    if "projects.detail" in current_app.view_functions:
        return url_for("projects.detail", project_id=project_id)
    return url_for("main.home")


def _back(default: str) -> str:
    return safe_next(request.form.get("next")) or default


def _show_error(form: FlaskForm, error: GateError) -> None:
    """Put a refused change's message beside its field, or on top of the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _unticked_criteria(project: Project) -> list | None:
    status = queries.criteria_status(project)
    return None if status is None else [c for c, tick in status if tick is None]


@bp.route("/projects/<int:project_id>/gate", methods=["GET", "POST"])
@login_required
def request_gate(project_id: int):
    user = _user()
    project = get_visible_project_or_404(user, project_id)
    if not permissions.can_request_gate(user, project):
        abort(403)
    form = GateRequestForm()
    if form.validate_on_submit():
        try:
            review = services.request_gate(user, project, form.evidence.data)
        except GateForbidden:
            abort(403)
        except GateError as error:
            _show_error(form, error)
            project = get_visible_project_or_404(user, project_id)
        else:
            stages = {
                "from_stage": rules.STAGE_LABELS[review.from_stage],
                "to_stage": rules.STAGE_LABELS[review.to_stage],
            }
            if permissions.can_decide_gate(user, project):
                # The manager decides this gate: straight to the decision.
                flash(
                    _(
                        "Gate request %(from_stage)s → %(to_stage)s recorded; decide it here.",
                        **stages,
                    ),
                    "success",
                )
                return redirect(url_for("reviews.detail", review_id=review.id))
            flash(
                _(
                    "Gate requested: %(from_stage)s → %(to_stage)s. The site's managers were told.",
                    **stages,
                ),
                "success",
            )
            return redirect(_back(project_url(project_id)))
    return render_template(
        "reviews/request_gate.html",
        form=form,
        project=project,
        panel=queries.gate_panel(user, project),
        unticked=_unticked_criteria(project),
    ), (422 if form.errors else 200)


@bp.get("/reviews")
@login_required
def queue():
    user = _user()
    if not permissions.can_view_review_queue(user):
        abort(403)
    site = request.args.get("site") or None
    after, before = request.args.get("after"), request.args.get("before")
    number = paging.old_page_number()
    if number is not None and not (after or before):  # an old numbered link: by cursor
        return paging.to_cursor(number, lambda n: queue_cursor_of_page(user, site, n))
    result = review_queue(user, site, after=after, before=None if after else before)
    return render_template("reviews/queue.html", queue=result)


def _detail(review: GateReview, project: Project, form: DecisionForm, status: int = 200):
    context = queries.decision_page(_user(), review, project)
    return render_template("reviews/detail.html", form=form, **context), status


@bp.get("/reviews/<int:review_id>")
@login_required
def detail(review_id: int):
    review, project = get_visible_review_or_404(_user(), review_id)
    return _detail(review, project, DecisionForm())


@bp.post("/reviews/<int:review_id>/decide")
@login_required
def decide(review_id: int):
    user = _user()
    review, project = get_visible_review_or_404(user, review_id)
    if not permissions.can_decide_gate(user, project):
        abort(403)
    form = DecisionForm()
    if form.validate_on_submit():
        data = form.decision.data
        try:
            services.decide(user, review, data, form.reason.data, form.condition_lines())
        except GateForbidden:
            abort(403)
        except GateError as error:
            _show_error(form, error)
            review, project = get_visible_review_or_404(user, review_id)
        else:
            flash(
                _(
                    "Decision recorded for “%(project_title)s”: %(data)s.",
                    project_title=project.title,
                    data=rules.DECISION_LABELS[data],
                )
            )
            return redirect(_back(url_for("reviews.queue")))
    return _detail(review, project, form, 422 if form.errors else 200)


@bp.post("/reviews/<int:review_id>/confirm")
@login_required
def confirm(review_id: int):
    user = _user()
    review, project = get_visible_review_or_404(user, review_id)
    try:
        services.confirm(user, review)
    except GateForbidden:
        abort(403)
    except GateError as error:
        flash(error.message, "danger")
    else:
        flash(
            _(
                "You confirmed the gate request for “%(project_title)s”.",
                project_title=project.title,
            ),
            "success",
        )
    return redirect(_back(url_for("reviews.detail", review_id=review_id)))


@bp.route("/projects/<int:project_id>/status", methods=["GET", "POST"])
@login_required
def change_status(project_id: int):
    user = _user()
    project = get_visible_project_or_404(user, project_id)
    if not permissions.can_change_status(user, project):
        abort(403)
    form = StatusForm()
    if request.method == "GET" and request.args.get("action") in rules.STATUS_ACTIONS:
        form.action.data = request.args["action"]
    if form.validate_on_submit():
        try:
            services.change_status(user, project, form.action.data, form.reason.data)
        except GateForbidden:
            abort(403)
        except GateError as error:
            _show_error(form, error)
            project = get_visible_project_or_404(user, project_id)
        else:
            done = rules.STATUS_ACTIONS[form.action.data].done
            flash(str(done) % {"project_title": project.title}, "success")
            return redirect(_back(project_url(project_id)))
    rule = rules.STATUS_ACTIONS.get(form.action.data or "")
    page = render_template("reviews/change_status.html", form=form, project=project, rule=rule)
    return page, (422 if form.errors else 200)


def _condition(condition_id: int, done: bool):
    user = _user()
    condition, _project = get_visible_condition_or_404(user, condition_id)
    project_id = condition.project_id
    try:
        if done:
            services.complete_condition(user, condition)
        else:
            services.reopen_condition(user, condition)
    except GateForbidden:
        abort(403)
    except GateError as error:
        flash(error.message, "danger")
    else:
        flash(_("Condition marked done.") if done else _("Condition reopened."), "success")
    return redirect(_back(project_url(project_id)))


@bp.post("/conditions/<int:condition_id>/done")
@login_required
def complete_condition(condition_id: int):
    return _condition(condition_id, done=True)


@bp.post("/conditions/<int:condition_id>/reopen")
@login_required
def reopen_condition(condition_id: int):
    return _condition(condition_id, done=False)


@bp.post("/projects/<int:project_id>/nudge")
@login_required
def nudge(project_id: int):
    """A manager's question to the lead organization; errors come back on the project page."""
    user = _user()
    project = get_visible_project_or_404(user, project_id)
    if not permissions.can_nudge(user, project):
        abort(403)
    form = NudgeForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(_back(project_url(project_id)))
    try:
        nudges.nudge(user, project, form.message.data)
    except GateForbidden:
        abort(403)
    except GateError as error:
        flash(error.message, "danger")
    else:
        flash(_("Nudge sent to the lead organization's members."), "success")
    return redirect(_back(project_url(project_id)))
