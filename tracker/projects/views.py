"""Project pages: list, create, detail, edit and lessons."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import keyset, overdue, paging
from tracker.auth import permissions
from tracker.directory import picker
from tracker.extensions import db
from tracker.loaders import get_visible_project_or_404
from tracker.models import Site, Theme, utcnow
from tracker.models.directory import organization_sites
from tracker.projects import detail_queries, figure_filters, queries, services
from tracker.projects.blueprint import bp
from tracker.projects.criteria import criteria_status
from tracker.projects.forms import ROLE_LABELS, MilestoneForm, ProjectForm, UpdateForm
from tracker.reviews.queries import gate_panel

bp.add_app_template_global(overdue.today_utc, "utc_today")


def _user():
    return current_user._get_current_object()


def _refuse_patrons(user) -> None:
    # Patrons see summaries on the dashboard and board only, never lists or details.
    if permissions.is_patron(user):
        abort(403)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.get("/projects")
@login_required
def index():
    user = _user()
    _refuse_patrons(user)
    filters = queries.ListFilters.from_args(request.args)
    if "org_name" in request.args:  # the organization picker's text (tracker.directory.picker)
        filters.org, _choice, problem = picker.filter_value(request.args, "org", filters.org)
        filters.problems += [problem] if problem else []
    for problem in filters.problems:
        flash(problem, "warning")
    count_all = request.args.get("count") == "all"
    try:
        position = {
            name: queries.Cursor.decode(request.args[name], filters.sort)
            for name in ("after", "before")
            if request.args.get(name)
        }
    except queries.BadCursor:
        flash(_("That page link is not valid any more; this is the first page."), "warning")
        position = {}
    if len(position) > 1:
        position = {"after": position["after"]}
    number = paging.old_page_number()
    if number is not None and not position:  # an old numbered link: the page by cursor
        return paging.to_cursor(number, lambda n: queries.cursor_of_page(user, filters, n))
    page = queries.project_page(
        user, filters, page=1 if position else _page(), count_all=count_all, **position
    )
    choices = queries.filter_choices(filters.org)
    stalled_days = current_app.config["TRACKER_STALLED_DAYS"]
    return render_template(
        "projects/index.html",
        page=page,
        count_cap=format_decimal(queries.COUNT_CAP),
        count_args={"count": "all"} if count_all else {},
        filters=filters,
        chips=figure_filters.chips(filters, dict(choices["sites"]), stalled_days),
        counts_events=queries.events_on(user, filters)
        or any(getattr(filters, name) for name in figure_filters.EVENT_NAMES),
        choices=choices,
        sorts={key: label for key, (label, _key, _descending) in queries.SORTS.items()},
        can_create=permissions.can_create_project(user),
    )


def _setup(form: ProjectForm, user) -> ProjectForm:
    if permissions.can_host_at_any_site(user):
        sites = db.session.scalars(sa.select(Site).order_by(Site.name)).all()
    else:
        sites = user.managed_sites
    themes = db.session.scalars(sa.select(Theme).order_by(Theme.name)).all()
    return form.setup(sites, themes, permissions.can_choose_lead(user))


def _home_site_id(user, choices) -> int | None:
    """The first site (by name) of the user's organization that they may host at."""
    if user.organization_id is None:
        return None
    hostable = [choice.value for choice in choices]
    query = (
        sa.select(Site.id)
        .join(organization_sites, organization_sites.c.site_id == Site.id)
        .where(organization_sites.c.organization_id == user.organization_id, Site.id.in_(hostable))
        .order_by(Site.name)
        .limit(1)
    )
    return db.session.scalar(query) if hostable else None


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new():
    user = _user()
    if not permissions.can_create_project(user):
        abort(403)
    form = _setup(ProjectForm(), user)
    if not form.is_submitted():
        form.site_id.data = _home_site_id(user, form.site_id.choices)
    if form.validate_on_submit():
        data, rows = form.to_data()
        try:
            project = services.create_project(user, data)
        except services.ProjectError as error:
            form.show_error(error, rows)
        else:
            flash(_("Project “%(project_title)s” created.", project_title=project.title), "success")
            return redirect(url_for(".detail", project_id=project.id))
    return render_template("projects/new.html", form=form, roles=ROLE_LABELS)


def render_detail(project, update_form=None, milestone_form=None, status: int = 200, audit=None):
    """The detail page; forms that failed are passed in to show their errors. audit: a page
    of the project's recorded changes for the history tab (None: the overview)."""
    user = _user()
    tab = "history" if audit is not None else "overview"
    context = {
        "project": project,
        "tab": tab,
        "roles": ROLE_LABELS,
        "can_edit": permissions.can_edit(user, project),
        "can_contribute": permissions.can_contribute(user, project),
    }
    spells = detail_queries.stage_history(project)
    context.update(spells=spells, stage_days=detail_queries.days_per_stage(spells))
    if tab == "history":
        context["audit"] = audit
    else:
        milestones = detail_queries.milestones(project)
        context.update(
            criteria=criteria_status(project),
            updates=detail_queries.recent_updates(project),
            milestones=milestones,
            overdue=overdue.of_project(project, milestones),  # conditions: the gate panel
            panel=gate_panel(user, project),  # reviews/_project_panel.html
            today=overdue.today_utc(),
            now=utcnow(),  # which updates their author may still mend (24 hours)
            update_form=update_form or UpdateForm(formdata=None),
            milestone_form=milestone_form or MilestoneForm(formdata=None),
        )
    return render_template("projects/detail.html", **context), status


@bp.get("/projects/<int:project_id>")
@login_required
def detail(project_id: int):
    user = _user()
    if permissions.sees_summary_only(user):
        # Patrons: the summary of a network project (design §11); a consortium one is 404.
        project = get_visible_project_or_404(user, project_id, details=False)
        return render_template("projects/summary.html", project=project)
    project = get_visible_project_or_404(user, project_id)
    if request.args.get("tab") != "history":
        return render_detail(project)
    audit = keyset.requested_page(
        detail_queries.audit_query(project),
        detail_queries.AUDIT_KEYS,
        detail_queries.AUDIT_PAGE_SIZE,
    )
    if not isinstance(audit, keyset.Page):  # an old numbered link, redirected
        return audit
    return render_detail(project, audit=audit)


def _edit_values(project) -> dict:
    data = services.current_data(project)
    values = {
        name: getattr(data, name)
        for name in (
            "title",
            "summary",
            "description",
            "site_id",
            "kind",
            "visibility",
            "theme_ids",
            "target_test_on",
            "target_market_on",
            "lead_organization_id",
        )
    }
    partners = [{"organization_id": p.organization_id, "role": p.role} for p in data.partners]
    return {**values, "partners": partners, "version": str(project.version)}


def _removal_unconfirmed(form: ProjectForm, project, data) -> bool:
    """Removing partners takes away their access: ask for an explicit tick first."""
    kept = {p.organization_id for p in data.partners} | {data.lead_organization_id}
    removed = [
        p.organization.name
        for p in project.participations
        if p.role != "lead" and p.organization_id not in kept
    ]
    if removed and not form.confirm_removal.data:
        form.confirm_removal.errors = [
            _(
                "Removing %(organizations)s takes away their access to this project. "
                "Tick to confirm, then save again.",
                organizations=", ".join(removed),
            )
        ]
        return True
    return False


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    user = _user()
    project = get_visible_project_or_404(user, project_id)
    if not permissions.can_edit(user, project):
        abort(403)
    form = ProjectForm() if request.method == "POST" else ProjectForm(data=_edit_values(project))
    _setup(form, user)
    conflict = None
    if form.validate_on_submit():
        data, rows = form.to_data()
        if data.lead_organization_id is None:
            data.lead_organization_id = project.lead_organization_id
        text = form.version.data or ""
        # a mangled or absurd version (5,000 digits) is just not the current one: 0
        version = int(text) if text.isdigit() and len(text) <= 10 else 0
        try:
            if not _removal_unconfirmed(form, project, data):
                changed = services.update_project(user, project, data, version)
                flash(_saved_message(project.title, changed), "success")
                return redirect(url_for(".detail", project_id=project_id))
        except services.EditConflict as error:
            conflict = error
            form.version.data = str(error.current_version)  # a deliberate second save works
        except services.ProjectError as error:
            form.show_error(error, rows)
    form.add_spare_rows()
    status = 409 if conflict else 200
    page = render_template(
        "projects/edit.html", form=form, project=project, conflict=conflict, roles=ROLE_LABELS
    )
    return page, status


def _saved_message(title: str, changed: list[str]) -> str:
    if not changed:
        return _("Nothing changed in “%(project_title)s”.", project_title=title)
    labels = ", ".join(str(services.FIELD_LABELS.get(name, name)) for name in changed)
    return _("Saved “%(project_title)s”: %(fields)s changed.", project_title=title, fields=labels)


@bp.get("/lessons")
@login_required
def lessons():
    user = _user()
    _refuse_patrons(user)
    q = request.args.get("q", "").strip()[:200]
    # by (latest stop time, id), newest first, a stopped project without a stop event last
    page = keyset.requested_page(*queries.lessons_query(user, q), queries.PER_PAGE)
    if not isinstance(page, keyset.Page):  # an old numbered link, redirected
        return page
    projects, reasons = queries.lessons_of(page)
    return render_template(
        "projects/lessons.html", page=page, projects=projects, reasons=reasons, q=q
    )
