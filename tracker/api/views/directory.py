"""GET /api/v1/sites, /themes, /organizations[/<id>]."""

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import Forbidden

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.operations import operation
from tracker.api.pagination import PageArgs, page_of
from tracker.api.schemas import (
    OrganizationArgs,
    OrganizationPageSchema,
    OrganizationSchema,
    SitePageSchema,
    ThemePageSchema,
)
from tracker.api.views import ETAG, documented_errors
from tracker.api.views.organizations import with_etag
from tracker.auth import permissions
from tracker.database import text_match
from tracker.loaders import get_organization_or_404
from tracker.matchmaking.contacts import contacts_data
from tracker.models import Organization, Site, Theme


@bp.route("/sites", tags=["directory"])
@operation("listSites")
@bp.arguments(PageArgs, location="query")
@bp.response(200, SitePageSchema)
@documented_errors(401, 429)
def list_sites(args: dict):
    """List the network's sites"""
    return page_of(sa.select(Site), Site.id, args)


@bp.route("/themes", tags=["directory"])
@operation("listThemes")
@bp.arguments(PageArgs, location="query")
@bp.response(200, ThemePageSchema)
@documented_errors(401, 429)
def list_themes(args: dict):
    """List the themes"""
    return page_of(sa.select(Theme), Theme.id, args)


def _check_directory_access() -> None:
    if not permissions.can_view_directory(api_user()):
        raise Forbidden(_("The organization directory is open to members, managers and admins."))


def _organizations() -> sa.Select:
    return sa.select(Organization).options(
        selectinload(Organization.sites), selectinload(Organization.themes)
    )


def _filtered(query: sa.Select, args: dict) -> sa.Select:
    if args.get("kind"):
        query = query.where(Organization.kind == args["kind"])
    if args.get("country"):
        query = query.where(Organization.country == args["country"].upper())
    if args.get("site"):
        query = query.where(Organization.sites.any(Site.slug == args["site"]))
    if args.get("theme"):
        query = query.where(Organization.themes.any(Theme.slug == args["theme"]))
    if args.get("q"):
        query = query.where(text_match(args["q"], Organization.name))
    return query


@bp.route("/organizations", tags=["directory"])
@operation("listOrganizations")
@bp.arguments(OrganizationArgs, location="query")
@bp.response(200, OrganizationPageSchema)
@documented_errors(401, 403, 429)
def list_organizations(args: dict):
    """List organizations

    Filters combine with AND; site and theme are slugs, q searches the name. Not for patrons.
    """
    _check_directory_access()
    return page_of(_filtered(_organizations(), args), Organization.id, args)


@bp.route("/organizations/<id:organization_id>", tags=["directory"])
@operation("getOrganization")
@bp.response(200, OrganizationSchema, headers=ETAG)
@documented_errors(401, 403, 404, 429)
def get_organization(organization_id: int):
    """Show one organization

    The ETag header carries the version, for If-Match on PATCH.
    """
    _check_directory_access()
    organization = get_organization_or_404(organization_id)
    g.organization_contacts = {organization.id: contacts_data(api_user(), organization.id)}
    return with_etag(organization)
