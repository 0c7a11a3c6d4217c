"""GET /api/v1/projects[/<id>], scoped by visible_projects and the permission predicates."""

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.operations import operation
from tracker.api.schemas import ProjectArgs, ProjectPageSchema, ProjectSchema
from tracker.api.views import ETAG, documented_errors
from tracker.api.views.project_lists import listed, sorted_page
from tracker.auth import permissions
from tracker.loaders import PROJECT_DETAILS, get_visible_project_or_404
from tracker.models import Project
from tracker.projects import filtering

_COLUMNS = (
    "id", "title", "summary", "description", "kind", "stage", "status", "visibility",
    "target_test_on", "target_market_on", "launched_on", "stage_entered_at",
    "last_activity_at", "created_at", "updated_at", "version",
)  # fmt: skip


def project_data(project: Project, user) -> dict:
    """A project as user may see it; patrons get the summary without description or partners."""
    data = {name: getattr(project, name) for name in _COLUMNS}
    data["site"] = project.site.slug
    data["themes"] = [theme.slug for theme in project.themes]
    if not permissions.can_view_details(user, project):
        # Withheld, not empty: null and named, so no one mistakes them for "none".
        withheld = {"description": None, "lead_organization": None, "partners": None}
        return data | withheld | {"withheld": sorted(withheld)}
    data["withheld"] = []
    lead = project.lead_organization
    data["lead_organization"] = {"id": lead.id, "name": lead.name}
    data["partners"] = [
        {
            "organization_id": p.organization_id,
            "name": p.organization.name,
            "kind": p.organization.kind,
            "role": p.role,
        }
        for p in sorted(project.participations, key=lambda p: p.organization.name.lower())
        if p.role != "lead"
    ]
    return data


def _filtered(query: sa.Select, args: dict) -> sa.Select:
    """The project filter of the list and the board (tracker/projects/filtering.py)."""
    return query.where(
        *filtering.conditions(
            sites=[args["site"]] if args.get("site") else (),
            stage=args.get("stage") or "",
            status=args.get("status") or "",
            theme=args.get("theme") or "",
            org=args.get("organization"),
            q=args.get("q") or "",
        )
    )


@bp.route("/projects", tags=["projects"])
@operation("listProjects")
@bp.arguments(ProjectArgs, location="query")
@bp.response(200, ProjectPageSchema)
@documented_errors(400, 401, 429)
def list_projects(args: dict):
    """List the projects the token's user may see

    Filters combine with AND: site and theme are slugs, organization an id of any participant,
    q searches title and summary. Patrons get network projects only, as summaries.
    """
    user = api_user()
    given = [name for name, value in args.items() if value not in (None, "", False)]
    refused = permissions.refused_filters(user, given)
    if refused:
        raise BadRequest(
            _(
                "As a patron you may filter by site, theme and period only; remove: %(names)s.",
                names=", ".join(refused),
            )
        )
    query = _filtered(permissions.visible_projects(user).options(*PROJECT_DETAILS), args)
    query = listed(query, user, args)
    page = sorted_page(query, args)
    page["items"] = [project_data(project, user) for project in page["items"]]
    return page


def with_etag(data: dict, status: int = 200, headers: dict | None = None) -> tuple:
    """A project reply with its version as entity tag, to send back as If-Match."""
    return data, status, {"ETag": f'"{data["version"]}"', **(headers or {})}


@bp.route("/projects/<id:project_id>", tags=["projects"])
@operation("getProject")
@bp.response(200, ProjectSchema, headers=ETAG)
@documented_errors(401, 404, 429)
def get_project(project_id: int):
    """Show one project

    A project the token's user may not see answers 404, as if it did not exist. The ETag
    header carries the version, for If-Match on PATCH.
    """
    user = api_user()
    return with_etag(
        project_data(get_visible_project_or_404(user, project_id, details=False), user)
    )
