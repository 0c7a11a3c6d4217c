"""Partner requests, interests, partner suggestions and the cooperation network (design §14)."""

import marshmallow as ma
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from marshmallow.validate import Length, OneOf
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, NotFound

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.bodies import Body, slug_list, text
from tracker.api.guards import before_body, checked_project, project_action
from tracker.api.operations import operation
from tracker.api.views import BODY_ERRORS, LOCATION, conflict, documented_errors, invalid
from tracker.api.views.project_writes import _site_id, _theme_ids
from tracker.auth import permissions
from tracker.matchmaking import network, services, suggest
from tracker.matchmaking.services import MatchError, MatchForbidden
from tracker.models import PartnerInterest, PartnerRequest, Project
from tracker.models.matchmaking import INTEREST_STATUSES, SOUGHT_KINDS
from tracker.projects.domain import PARTNER_ROLES

# --- schemas -----------------------------------------------------------------------------------


class PartnerRequestInputSchema(Body):
    kind = fields.String(
        required=True,
        validate=OneOf(SOUGHT_KINDS),
        metadata={"description": "The kind of organization sought."},
    )
    role = fields.String(
        validate=OneOf(PARTNER_ROLES),
        metadata={"description": "Its role once accepted; left out: follows the kind."},
    )
    themes = slug_list("Theme slugs the partner should work on.")
    site = fields.String(
        allow_none=True,
        validate=Length(min=1, max=60),
        metadata={"description": "Slug of the site the partner should be at; null: any."},
    )
    description = text(services.DESCRIPTION_LIMIT, "What is sought (public).", required=True)
    closes_on = fields.Date(
        required=True, metadata={"description": "The last day answers are taken."}
    )


class InterestInputSchema(Body):
    message = text(services.MESSAGE_LIMIT, "Why your organization fits.", required=True)


class RequestArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    kind = fields.String(validate=OneOf(SOUGHT_KINDS))
    site = fields.String(validate=Length(min=1, max=60), metadata={"description": "Site slug."})
    theme = fields.String(validate=Length(min=1, max=60), metadata={"description": "Theme slug."})
    q = fields.String(validate=Length(max=200), metadata={"description": "Words in the text."})
    closed = fields.Boolean(
        load_default=False, metadata={"description": "Include filled, withdrawn, past ones."}
    )


class OrgRefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class ProjectRefSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()


class OwnInterestSchema(ma.Schema):
    id = fields.Integer()
    status = fields.String(metadata={"enum": list(INTEREST_STATUSES)})


class PartnerRequestSchema(ma.Schema):
    id = fields.Integer()
    project = fields.Nested(
        ProjectRefSchema,
        allow_none=True,
        metadata={"description": "null for a consortium project the user may not see."},
    )
    host_site = fields.String(metadata={"description": "Slug of the project's host site."})
    kind = fields.String()
    role = fields.String()
    site = fields.String(allow_none=True, metadata={"description": "Slug; null: any site."})
    themes = fields.List(fields.String())
    description = fields.String()
    closes_on = fields.Date()
    status = fields.String(metadata={"enum": ["open", "filled", "withdrawn", "closed"]})
    created_at = fields.DateTime()
    own_interest = fields.Nested(OwnInterestSchema, allow_none=True)


class PartnerRequestListSchema(ma.Schema):
    items = fields.List(fields.Nested(PartnerRequestSchema))


class InterestSchema(ma.Schema):
    id = fields.Integer()
    request_id = fields.Integer()
    organization = fields.Nested(OrgRefSchema)
    message = fields.String()
    status = fields.String(metadata={"enum": list(INTEREST_STATUSES)})
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class SuggestionSchema(ma.Schema):
    organization = fields.Nested(OrgRefSchema)
    score = fields.Float()
    reasons = fields.List(fields.String())


class SuggestionListSchema(ma.Schema):
    items = fields.List(fields.Nested(SuggestionSchema))


# --- helpers -------------------------------------------------------------------------------------


def refusal(error: MatchError) -> HTTPException:
    if isinstance(error, MatchForbidden):
        return Forbidden(str(error.message))
    if error.field:
        return invalid(error.field, error.message)
    return conflict(error.message)


def _status(partner_request: PartnerRequest) -> str:
    if partner_request.status == "open" and not partner_request.is_open(services.today()):
        return "closed"
    return partner_request.status


def request_data(user, partner_request: PartnerRequest, project: Project, own=None) -> dict:
    shown = permissions.can_see_request_title(user, project)
    return {
        "id": partner_request.id,
        "project": {"id": project.id, "title": project.title} if shown else None,
        "host_site": project.site.slug,
        "kind": partner_request.kind,
        "role": partner_request.role,
        "site": partner_request.site.slug if partner_request.site else None,
        "themes": [t.slug for t in partner_request.themes],
        "description": partner_request.description,
        "closes_on": partner_request.closes_on,
        "status": _status(partner_request),
        "created_at": partner_request.created_at,
        "own_interest": {"id": own.id, "status": own.status} if own else None,
    }


def interest_data(interest: PartnerInterest) -> dict:
    org = interest.organization
    return {
        "id": interest.id,
        "request_id": interest.partner_request_id,
        "organization": {"id": org.id, "name": org.name, "kind": org.kind},
        "message": interest.message,
        "status": interest.status,
        "created_at": interest.created_at,
        "decided_at": interest.decided_at,
    }


def _check_may_list(user) -> None:
    if not permissions.can_view_partner_requests(user):
        raise Forbidden(_("Partner requests are for members, site managers and admins."))


def _request_or_404(user, request_id: int):
    found = services.load_request(user, request_id)
    if found is None:
        raise NotFound(_("There is no partner request with id %(id)s.", id=request_id))
    return found


# --- operations ----------------------------------------------------------------------------------


@bp.route("/partner-requests", tags=["matchmaking"])
@operation("listPartnerRequests")
@bp.arguments(RequestArgs, location="query")
@bp.response(200, PartnerRequestListSchema)
@documented_errors(401, 403, 429)
def list_partner_requests(args: dict):
    """List partner requests

    Open requests (closing date not passed) of every project, newest first, at most 200;
    `closed=true` adds filled, withdrawn and past ones. A consortium project the user may not
    see shows its description and site, never its title (`project` is null). Not for patrons.
    """
    user = api_user()
    _check_may_list(user)
    filters = services.RequestFilters(
        kind=args.get("kind"),
        site_id=_site_id(args["site"]) if args.get("site") else None,
        theme_id=_theme_ids([args["theme"]])[0] if args.get("theme") else None,
        q=(args.get("q") or "").strip(),
        closed=args["closed"],
    )
    rows = services.list_requests(user, filters)
    own = services.own_interests(user, [r.id for r, _p in rows])
    return {"items": [request_data(user, r, p, own.get(r.id)) for r, p in rows]}


@bp.route("/projects/<id:project_id>/partner-requests", methods=["POST"], tags=["matchmaking"])
@operation("createPartnerRequest")
@before_body(
    project_action(permissions.can_ask_for_partner, _l("You may not ask for partners here."))
)
@bp.arguments(PartnerRequestInputSchema)
@bp.response(201, PartnerRequestSchema, headers=LOCATION)
@documented_errors(401, 403, 404, 409, 429, *BODY_ERRORS)
def create_partner_request(body: dict, project_id: int):
    """Ask for a partner

    By members of the lead organization, the host site's managers or admins (else 403).
    Every member sees the request; the description is public.
    """
    user = api_user()
    project = checked_project(user, project_id, details=True)
    values = dict(body)
    values["theme_ids"] = _theme_ids(values.pop("themes", []) or [])
    site = values.pop("site", None)
    values["site_id"] = _site_id(site) if site else None
    try:
        created = services.create_request(user, project, values)
    except MatchError as error:
        raise refusal(error) from None
    partner_request, project = _request_or_404(user, created.id)
    location = url_for("api.list_partner_requests")
    return request_data(user, partner_request, project), 201, {"Location": location}


def _may_answer(user, request_id: int, **_ignored) -> None:
    _check_may_list(user)
    _request_or_404(user, request_id)


@bp.route("/partner-requests/<id:request_id>/interest", methods=["POST"], tags=["matchmaking"])
@operation("expressPartnerInterest")
@before_body(_may_answer)
@bp.arguments(InterestInputSchema)
@bp.response(201, InterestSchema)
@documented_errors(401, 403, 404, 409, 429, *BODY_ERRORS)
def express_interest(body: dict, request_id: int):
    """Say your organization is interested

    Members of an organization not yet in the project, once per organization (again: 409),
    while the request is open (after its closing date: 409). The requesting side is told.
    """
    user = api_user()
    partner_request, project = _request_or_404(user, request_id)
    try:
        interest = services.express_interest(user, partner_request, project, body["message"])
    except MatchError as error:
        raise refusal(error) from None
    found = services.load_interest(user, interest.id)
    return interest_data(found[0])


def _decide(interest_id: int, action) -> dict:
    user = api_user()
    found = services.load_interest(user, interest_id)
    if found is None:
        raise NotFound(_("There is no answer with id %(id)s that you may see.", id=interest_id))
    try:
        action(user, *found)
    except MatchError as error:
        raise refusal(error) from None
    return interest_data(found[0])  # as the service kept it over its commit


@bp.route("/interests/<id:interest_id>/accept", methods=["POST"], tags=["matchmaking"])
@operation("acceptPartnerInterest")
@bp.response(200, InterestSchema)
@documented_errors(401, 403, 404, 409, 429)
def accept_interest(interest_id: int):
    """Accept an interest

    The organization joins the project in the request's role, through the same rules as
    editing the project's partners (lead organization's members, the host site's managers,
    admins). Already decided: 409. No body.
    """
    return _decide(interest_id, services.accept_interest)


@bp.route("/interests/<id:interest_id>/decline", methods=["POST"], tags=["matchmaking"])
@operation("declinePartnerInterest")
@bp.response(200, InterestSchema)
@documented_errors(401, 403, 404, 409, 429)
def decline_interest(interest_id: int):
    """Decline an interest

    The interested organization is told. Already decided: 409. No body.
    """
    return _decide(interest_id, services.decline_interest)


@bp.route("/projects/<id:project_id>/suggestions", tags=["matchmaking"])
@operation("suggestPartners")
@bp.response(200, SuggestionListSchema)
@documented_errors(401, 404, 429)
def project_suggestions(project_id: int):
    """Suggest partners for a project

    Up to 10 organizations not yet in the project, highest score first, each with the reasons
    (shared themes, work with a current participant on a project the user may see, the host
    site, recent activity). Deterministic. Not for patrons (404).
    """
    user = api_user()
    project = checked_project(user, project_id, details=True)
    return suggest.as_json(suggest.for_project(user, project))


class NetworkArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    site = fields.String(validate=Length(min=1, max=60), metadata={"description": "Site slug."})
    theme = fields.String(validate=Length(min=1, max=60), metadata={"description": "Theme slug."})
    period = fields.String(
        load_default="all",
        validate=OneOf(["12m", "24m", "all"]),
        metadata={"description": "Projects active in the last 12 or 24 months, or all."},
    )
    kind = fields.String(
        validate=OneOf(list(network.KIND_STYLE)),
        metadata={"description": "Only organizations of this kind (not for patrons: 400)."},
    )


class NetworkNodeSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "Organization kind; `site` for patrons."})
    sites = fields.List(fields.String(), metadata={"description": "Slugs of its sites."})
    projects = fields.Integer(
        allow_none=True,
        metadata={"description": "Projects in scope; for patrons' site nodes: organizations "
                  "with a project there (null: fewer than 3 or withheld)."},
    )  # fmt: skip


class NetworkEdgeSchema(ma.Schema):
    source = fields.Integer()
    target = fields.Integer()
    projects = fields.Integer(allow_none=True, metadata={"description": "Shared projects."})


class NetworkSchema(ma.Schema):
    detail = fields.String(metadata={"enum": ["organizations", "sites"]})
    nodes = fields.List(fields.Nested(NetworkNodeSchema))
    edges = fields.List(fields.Nested(NetworkEdgeSchema))


@bp.route("/network", tags=["matchmaking"])
@operation("getNetwork")
@bp.arguments(NetworkArgs, location="query")
@bp.response(200, NetworkSchema)
@documented_errors(400, 401, 429)
def get_network(args: dict):
    """The cooperation network

    Members, managers and admins: organizations with a shared project they may see (`nodes`)
    and the projects each pair shares (`edges`). Patrons: sites as nodes (`kind` "site",
    `projects` = organizations with a project there) and projects shared between sites as
    edges, counts of 1 or 2 withheld (null) with what would give them away.
    """
    user = api_user()
    patron = permissions.network_detail(user) == "sites"
    if patron and args.get("kind"):
        raise BadRequest(_("Patrons filter by site, theme and period only."))
    filters = network.NetworkFilters(
        site_id=_site_id(args["site"]) if args.get("site") else None,
        theme_id=_theme_ids([args["theme"]])[0] if args.get("theme") else None,
        period=args["period"],
        kind=args.get("kind"),
    )
    data = network.build(user, filters)
    if data["detail"] == "sites":
        ids = {s["slug"]: s["id"] for s in data["sites"]}
        return {
            "detail": "sites",
            "nodes": [
                {"id": s["id"], "name": s["name"], "kind": "site", "sites": [s["slug"]],
                 "projects": s["organizations"]}
                for s in data["sites"]
            ],
            "edges": [
                {"source": ids[e["source"]], "target": ids[e["target"]], "projects": e["projects"]}
                for e in data["site_edges"]
            ],
        }  # fmt: skip
    return {
        "detail": "organizations",
        "nodes": [
            {k: n[k] for k in ("id", "name", "kind", "sites", "projects")} for n in data["nodes"]
        ],
        "edges": data["edges"],
    }
