"""Pages: the partner-request list, one request (answer, decide), a new request, suggestions."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.directory import services as directory
from tracker.directory.forms import ORG_KIND_LABELS
from tracker.loaders import get_organization_or_404, get_visible_project_or_404
from tracker.matchmaking import services, suggest
from tracker.matchmaking.blueprint import bp
from tracker.matchmaking.forms import (
    INTEREST_STATUS_LABELS,
    ROLE_LABELS,
    SOUGHT_KIND_LABELS,
    InterestForm,
    PartnerRequestForm,
    request_status_label,
)
from tracker.matchmaking.services import MatchError, MatchForbidden


def _user():
    return current_user._get_current_object()


@bp.app_context_processor
def matchmaking_labels():
    return {
        "sought_kind_label": lambda k: SOUGHT_KIND_LABELS.get(k, k),
        "sought_role_label": lambda r: ROLE_LABELS.get(r, r),
        "interest_status_label": lambda s: INTEREST_STATUS_LABELS.get(s, s),
        "request_status_label": request_status_label,
    }


def _status(partner_request) -> str:
    if partner_request.status == "open" and not partner_request.is_open(services.today()):
        return "closed"
    return partner_request.status


@bp.get("/partner-requests")
@login_required
def index():
    user = _user()
    if not permissions.can_view_partner_requests(user):
        abort(403)
    filters = services.RequestFilters.from_args(request.args)
    rows = services.list_requests(user, filters)
    return render_template(
        "matchmaking/requests.html",
        rows=[(r, p, permissions.can_see_request_title(user, p), _status(r)) for r, p in rows],
        filters=filters,
        sites=directory.all_sites(),
        themes=directory.all_themes(),
        kinds=SOUGHT_KIND_LABELS,
    )


def _request_or_404(request_id: int):
    found = services.load_request(_user(), request_id)
    if found is None:
        abort(404)
    return found


@bp.get("/partner-requests/<int:request_id>")
@login_required
def detail(request_id: int):
    return _render_detail(*_request_or_404(request_id), InterestForm())


def _render_detail(partner_request, project, form, status=200):
    user = _user()
    deciding = permissions.can_decide_partner_interest(user, project)
    interests = services.interests_of(partner_request) if deciding else []
    if deciding:  # the own organization's answer is among them (none: it takes part)
        own = next((i for i in interests if i.organization_id == user.organization_id), None)
    else:
        own = services.own_interest(user, partner_request)
    return render_template(
        "matchmaking/request.html",
        partner_request=partner_request,
        project=project,
        show_title=permissions.can_see_request_title(user, project),
        status=_status(partner_request),
        deciding=deciding,
        interests=interests,
        own=own,
        may_answer=permissions.can_answer_partner_request(user, project)
        and partner_request.is_open(services.today()),
        suggestions=suggest.for_request(user, partner_request, project) if deciding else [],
        form=form,
    ), status


@bp.post("/partner-requests/<int:request_id>/interest")
@login_required
def interest(request_id: int):
    partner_request, project = _request_or_404(request_id)
    form = InterestForm()
    if not form.validate_on_submit():
        return _render_detail(partner_request, project, form, 422)
    try:
        services.express_interest(_user(), partner_request, project, form.message.data)
    except MatchForbidden as error:
        abort(403, error.message)
    except MatchError as error:
        form.message.errors = [error.message]
        return _render_detail(partner_request, project, form, 409 if not error.field else 422)
    flash(_("Your interest was sent. You will be told when the requester decides."), "success")
    return redirect(url_for("matchmaking.detail", request_id=request_id))


@bp.post("/partner-requests/<int:request_id>/close")
@login_required
def close(request_id: int):
    partner_request, project = _request_or_404(request_id)
    try:
        services.close_request(_user(), partner_request, project)
    except MatchForbidden as error:
        abort(403, error.message)
    except MatchError as error:
        flash(error.message, "danger")
        return redirect(url_for("matchmaking.detail", request_id=request_id))
    flash(_("The partner request is closed."), "success")
    return redirect(url_for("matchmaking.detail", request_id=request_id))


def _decide(interest_id: int, action):
    found = services.load_interest(_user(), interest_id)
    if found is None:
        abort(404)
    interest, partner_request, project = found
    request_id = partner_request.id  # read before the commit expires it
    try:
        action(_user(), interest, partner_request, project)
    except MatchForbidden as error:
        abort(403, error.message)
    except MatchError as error:
        flash(error.message, "danger")
        return None, request_id
    return interest, request_id


def _decided(interest_id: int, action, message: str):
    """Accept or decline an interest; the message on success; back to the request either way."""
    done, request_id = _decide(interest_id, action)
    if done is not None:
        flash(message, "success")
    return redirect(url_for("matchmaking.detail", request_id=request_id))


@bp.post("/interests/<int:interest_id>/accept")
@login_required
def accept(interest_id: int):
    return _decided(
        interest_id,
        services.accept_interest,
        _("Accepted: the organization is now a partner of the project."),
    )


@bp.post("/interests/<int:interest_id>/decline")
@login_required
def decline(interest_id: int):
    return _decided(
        interest_id, services.decline_interest, _("Declined: the organization was told.")
    )


@bp.route("/projects/<int:project_id>/partner-requests/new", methods=["GET", "POST"])
@login_required
def new_request(project_id: int):
    user = _user()
    project = get_visible_project_or_404(user, project_id)
    if not permissions.can_ask_for_partner(user, project):
        abort(403)
    form = PartnerRequestForm()
    form.fill_choices(directory.all_themes(), directory.all_sites())
    if not form.is_submitted():
        form.theme_ids.data = [t.id for t in project.themes]
    status = 200
    if form.validate_on_submit():
        try:
            created = services.create_request(user, project, form.values())
        except MatchForbidden as error:
            abort(403, error.message)
        except MatchError as error:
            target = getattr(form, error.field or "description", form.description)
            target.errors = [error.message]
            status = 422
        else:
            flash(_("Your partner request is open. Suggestions are below."), "success")
            return redirect(url_for("matchmaking.detail", request_id=created.id))
    elif form.is_submitted():
        status = 422
    return render_template("matchmaking/request_form.html", form=form, project=project), status


@bp.get("/projects/<int:project_id>/suggestions")
@login_required
def project_suggestions(project_id: int):
    user = _user()
    project = get_visible_project_or_404(user, project_id)
    if not permissions.can_view_suggestions(user, project):
        abort(404)
    return render_template(
        "matchmaking/suggestions.html",
        project=project,
        suggestions=suggest.for_project(user, project),
        may_ask=permissions.can_ask_for_partner(user, project),
    )


@bp.get("/network")
@login_required
def network():
    from tracker.matchmaking import network as graph

    user = _user()
    filters = graph.NetworkFilters.from_args(request.args)
    data = graph.build(user, filters)
    drawing = None
    if data.get("nodes"):
        drawing = graph.svg(
            data,
            lambda kind: ORG_KIND_LABELS.get(kind, kind),
            lambda n: ", ".join(
                (
                    ngettext("%(num)s project", "%(num)s projects", n["projects"]),
                    ngettext("%(num)s partner", "%(num)s partners", n["partners"]),
                )
            ),
        )
    return render_template(
        "matchmaking/network.html",
        data=data,
        drawing=drawing,
        filters=filters,
        sites=directory.all_sites(),
        themes=directory.all_themes(),
        periods=graph.PERIOD_LABELS,
        kind_style=graph.KIND_STYLE,
        legend_mark=graph.legend_mark,
        max_edges=graph.MAX_DRAWN_EDGES,
        size=(graph.WIDTH, graph.HEIGHT),
    )


@bp.app_template_global("organization_contacts")
def organization_contacts(organization_id: int):
    """Contact persons for the organization page (none for those who may not see them)."""
    from tracker.matchmaking.contacts import contacts_of

    if not permissions.can_view_contacts(_user()):
        return []
    return contacts_of(organization_id)


@bp.route("/organizations/<int:organization_id>/profile", methods=["GET", "POST"])
@login_required
def edit_profile(organization_id: int):
    from tracker.matchmaking import contacts
    from tracker.matchmaking.forms import ProfileForm

    user = _user()
    organization = get_organization_or_404(organization_id)
    if not permissions.can_edit_organization(user, organization):
        abort(403)
    form = ProfileForm()
    if not form.is_submitted():
        current = contacts.contacts_of(organization.id)
        form.offer.data, form.seek.data = organization.offer, organization.seek
        while len(form.contacts) < len(current) + 1 and len(form.contacts) < 10:
            form.contacts.append_entry()
        for entry, contact in zip(form.contacts, current, strict=False):
            entry.form.name.data = contact.name
            entry.form.role.data = contact.role
            entry.form.email.data = contact.email
    status = 200
    if form.validate_on_submit():
        rows = [
            contacts.ContactInput(e.form.name.data, e.form.role.data, e.form.email.data)
            for e in form.contacts
        ]
        try:
            contacts.save_profile(user, organization, form.offer.data, form.seek.data, rows)
        except contacts.ProfileForbidden:
            abort(403)
        except contacts.ProfileError as error:
            if error.field == "contacts" and error.row is not None:
                form.contacts[error.row].form.name.errors = [error.message]
            else:
                getattr(form, error.field or "offer").errors = [error.message]
            status = 422
        else:
            flash(_("The profile was saved."), "success")
            return redirect(url_for("directory.organization", organization_id=organization_id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "matchmaking/profile_form.html", form=form, organization=organization
    ), status
