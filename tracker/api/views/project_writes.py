"""POST /api/v1/projects and PATCH /api/v1/projects/<id>, through the project services."""

import re
from datetime import date

import sqlalchemy as sa
from flask import g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Forbidden, HTTPException, PreconditionRequired

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.bodies import IfMatchArgs, ProjectCreateSchema, ProjectPatchSchema
from tracker.api.guards import (
    before_body,
    checked_project,
    may_create_project,
    project_action,
)
from tracker.api.operations import operation
from tracker.api.schemas import ProjectSchema
from tracker.api.views import BODY_ERRORS, ETAG, LOCATION, conflict, documented_errors, invalid
from tracker.api.views.projects import project_data, with_etag
from tracker.auth import permissions
from tracker.database import keep
from tracker.extensions import db
from tracker.loaders import PROJECT_JOINED, get_visible_project_or_404
from tracker.models import Site, Theme
from tracker.projects import services
from tracker.projects.services import EditConflict, ProjectError, ProjectForbidden

# The services name ids; the API names slugs and the body's own fields.
_API_FIELDS = {"site_id": "site", "theme_ids": "themes"}
# An ETag of GET ("<version>-<digest>") or the bare version ("3"): the version counts.
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})(?:-[0-9a-f]{1,64})?"?\s*$')


def _site_id(slug: str) -> int:
    site_id = db.session.scalar(sa.select(Site.id).where(Site.slug == slug))
    if site_id is None:
        raise invalid(
            "site",
            _("There is no site with the slug “%(slug)s”; see GET /api/v1/sites.", slug=slug),
        )
    return site_id


def _theme_ids(slugs: list[str]) -> list[int]:
    query = sa.select(Theme.slug, Theme.id).where(Theme.slug.in_(slugs))
    found = dict(db.session.execute(query).tuples().all())
    unknown = sorted(set(slugs) - set(found))
    if unknown:
        raise invalid(
            "themes",
            _("Unknown theme slugs: %(slugs)s; see /api/v1/themes.", slugs=", ".join(unknown)),
        )
    return [found[slug] for slug in dict.fromkeys(slugs)]


def service_values(body: dict) -> dict:
    """The body in the services' terms: slugs become ids."""
    values = dict(body)
    if "site" in values:
        values["site_id"] = _site_id(values.pop("site"))
    if "themes" in values:
        values["theme_ids"] = _theme_ids(values.pop("themes"))
    return values


def refusal(error: ProjectError) -> HTTPException:
    """The problem a refused project change answers with."""
    if isinstance(error, EditConflict):
        return _stale(error)
    if isinstance(error, ProjectForbidden):
        return Forbidden(str(error.message))
    field = _API_FIELDS.get(error.field or "", error.field)
    if field == "partners" and error.row is not None:
        field = f"partners.{error.row}"
    return invalid(field, error.message)


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _stale(error: EditConflict) -> HTTPException:
    changes = [
        {
            "field": c.field,
            "label": str(c.label),
            "read": _plain(c.read),
            "current": _plain(c.current),
        }
        for c in error.changes
    ]
    labels = ", ".join(c["label"] for c in changes)
    return conflict(
        _(
            "The project was saved by someone else after you read it (%(labels)s changed); "
            "nothing was saved. Read it again (version %(version)s) and send your changes anew.",
            labels=labels,
            version=error.current_version,
        ),
        current_version=error.current_version,
        changes=changes,
    )


@bp.route("/projects", methods=["POST"], tags=["projects"])
@operation("createProject")
@before_body(may_create_project)
@bp.arguments(ProjectCreateSchema)
@bp.response(201, ProjectSchema, headers={**LOCATION, **ETAG})
@documented_errors(401, 403, 429, *BODY_ERRORS)
def create_project(body: dict):
    """Create a project

    The project starts in develop. Members lead with their own organization; site managers
    host at their own sites; site managers and admins choose the lead. Unknown slugs or
    organizations answer 422 naming the field.
    """
    user = api_user()
    try:
        keep(user, relationships=True)  # the reply's permission checks read it
        project = services.create_project(user, service_values(body))
        data = project_data(
            get_visible_project_or_404(user, project.id, False, PROJECT_JOINED), user
        )
    except ProjectError as error:
        raise refusal(error) from None
    location = url_for("api.get_project", project_id=data["id"])
    return with_etag(data, 201, {"Location": location})


def expected_version(body_version: int | None, header: str | None) -> int:
    """The version the caller read, from the body or If-Match (they must agree)."""
    from_header = None
    if header is not None:
        match = _ETAG.match(header)
        if match is None:
            raise invalid("If-Match", _('Send the version read as an entity tag, e.g. "3".'))
        from_header = int(match.group(1))
    if body_version is None and from_header is None:
        raise PreconditionRequired(
            _(
                "Send the version you read (a `version` field or an If-Match header), "
                "so that a change made meanwhile by someone else is not overwritten."
            )
        )
    if None not in (body_version, from_header) and body_version != from_header:
        raise invalid("version", _("The version in the body and in If-Match differ."))
    # A stale If-Match answers 412, a stale body version 409 (tracker.api.problems).
    g.version_from_if_match = body_version is None
    return body_version if body_version is not None else from_header


@bp.route("/projects/<id:project_id>", methods=["PATCH"], tags=["projects"])
@operation("updateProject")
@before_body(
    project_action(permissions.can_edit, _l("You may not edit this project."), details=False)
)
@bp.arguments(ProjectPatchSchema)
@bp.arguments(IfMatchArgs, location="headers")
@bp.response(200, ProjectSchema, headers=ETAG)
@documented_errors(401, 403, 404, 409, 412, 428, 429, *BODY_ERRORS)
def update_project(body: dict, headers: dict, project_id: int):
    """Change a project

    Send only the fields to change, plus the version you read (`version`, or If-Match with
    the ETag of GET). A stale version answers 409 listing what changed since, and saves
    nothing; no version answers 428. `themes` and `partners` replace the whole list.
    """
    user = api_user()
    project = checked_project(user, project_id)
    if not permissions.can_edit(user, project):
        raise Forbidden(_("Only the lead organization, the site's managers or an admin may edit."))
    version = expected_version(body.pop("version", None), headers.get("if_match"))
    values = service_values(body)
    try:
        keep(user, relationships=True)  # the reply's permission checks read it
        services.update_project(user, project, values, version)
        return with_etag(
            project_data(get_visible_project_or_404(user, project_id, False, PROJECT_JOINED), user)
        )
    except ProjectError as error:
        raise refusal(error) from None
