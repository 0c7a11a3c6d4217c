"""POST /api/v1/organizations and PATCH /api/v1/organizations/<id>, via the directory services."""

import sqlalchemy as sa
from flask import g, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden, HTTPException

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.bodies import IfMatchArgs, OrganizationCreateSchema, OrganizationPatchSchema
from tracker.api.guards import (
    before_body,
    may_create_organization,
    may_edit_organization,
)
from tracker.api.operations import operation
from tracker.api.schemas import OrganizationSchema
from tracker.api.views import BODY_ERRORS, ETAG, LOCATION, conflict, documented_errors, invalid
from tracker.api.views.project_writes import expected_version
from tracker.auth import permissions
from tracker.directory import services
from tracker.directory.services import STANDING_FIELDS, DirectoryError, OrganizationConflict
from tracker.extensions import db
from tracker.loaders import get_organization_or_404
from tracker.models import Organization, Site, Theme


def _ids(model, slugs: list[str], field: str) -> list[int]:
    query = sa.select(model.slug, model.id).where(model.slug.in_(slugs))
    found = dict(db.session.execute(query).tuples().all())
    unknown = sorted(set(slugs) - set(found))
    if unknown:
        raise invalid(
            field,
            _(
                "Unknown slugs: %(slugs)s; see GET /api/v1/%(field)s.",
                slugs=", ".join(unknown),
                field=field,
            ),
        )
    return [found[slug] for slug in dict.fromkeys(slugs)]


def _service_values(body: dict) -> dict:
    values = dict(body)
    if "sites" in values:
        values["site_ids"] = _ids(Site, values.pop("sites"), "sites")
    if "themes" in values:
        values["theme_ids"] = _ids(Theme, values.pop("themes"), "themes")
    return values


def with_etag(organization: Organization, status: int = 200, headers: dict | None = None):
    """An organization reply with its version as entity tag, to send back as If-Match."""
    return organization, status, {"ETag": f'"{organization.version}"', **(headers or {})}


def _stale(error: OrganizationConflict) -> HTTPException:
    changes = [
        {"field": c.field, "label": c.label, "read": c.read, "current": c.current}
        for c in error.changes
    ]
    if changes:
        detail = _(
            "The organization was saved by someone else after you read it (%(labels)s "
            "changed); nothing was saved. Read it again (version %(version)s) and send your "
            "changes anew.",
            labels=", ".join(c["label"] for c in changes),
            version=error.current_version,
        )
    else:
        detail = _(
            "The version sent is not the organization's current one (%(version)s); nothing "
            "was saved. Read it again and send your changes anew.",
            version=error.current_version,
        )
    return conflict(detail, current_version=error.current_version, changes=changes)


@bp.route("/organizations", methods=["POST"], tags=["directory"])
@operation("createOrganization")
@before_body(may_create_organization)
@bp.arguments(OrganizationCreateSchema)
@bp.response(201, OrganizationSchema, headers={**LOCATION, **ETAG})
@documented_errors(401, 403, 429, *BODY_ERRORS)
def create_organization(body: dict):
    """Add an organization

    Admins, and site managers for organizations affiliated with at least one of their sites.
    A name already taken (in any letter case) answers 422.
    """
    user = api_user()
    if not permissions.can_create_organization(user):
        raise Forbidden(_("Only admins and site managers may add organizations."))
    values = {"city": "", "website": "", "description": "", "member_since": None}
    values |= _service_values(body)
    try:
        organization_id = services.create_organization(user, values).id
    except DirectoryError as error:
        if error.field == "email_domains" and not permissions.can_edit_email_domains(user):
            raise Forbidden(str(error)) from None
        raise invalid(error.field, str(error)) from None
    location = url_for("api.get_organization", organization_id=organization_id)
    return with_etag(get_organization_or_404(organization_id), 201, {"Location": location})


@bp.route("/organizations/<id:organization_id>", methods=["PATCH"], tags=["directory"])
@operation("updateOrganization")
@before_body(may_edit_organization)
@bp.arguments(OrganizationPatchSchema)
@bp.arguments(IfMatchArgs, location="headers")
@bp.response(200, OrganizationSchema, headers=ETAG)
@documented_errors(401, 403, 404, 409, 412, 428, 429, *BODY_ERRORS)
def update_organization(body: dict, headers: dict, organization_id: int):
    """Change an organization

    Admins any; site managers those affiliated with their sites; members their own
    organization's profile (kind, member_since and sites answer 403 for them). Send only the
    fields to change, plus the version you read (`version`, or If-Match with the ETag of
    GET). A stale version answers 409 listing what changed since, and saves nothing; no
    version answers 428. Sites and themes replace the lists.
    """
    user = api_user()
    # Read and allowed by the guard (may_edit_organization); the service checks again.
    organization = g.checked_organization
    standing = permissions.can_edit_organization_standing(user, organization)
    version = expected_version(body.pop("version", None), headers.get("if_match"))
    try:
        services.update_organization(user, organization, _service_values(body), version)
    except OrganizationConflict as error:
        raise _stale(error) from None
    except DirectoryError as error:
        if not standing and error.field in {*STANDING_FIELDS, "sites"}:
            raise Forbidden(str(error)) from None
        if error.field == "email_domains" and not permissions.can_edit_email_domains(user):
            raise Forbidden(str(error)) from None
        raise invalid(error.field, str(error)) from None
    return with_etag(get_organization_or_404(organization_id))
