"""Directory use cases: organization search, create and edit, and site pipelines."""

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.activity import audit, diff
from tracker.auth import permissions
from tracker.auth.permissions import visible_projects
from tracker.database import keep, like_pattern, transaction
from tracker.directory import email_domains
from tracker.directory.conflicts import (  # noqa: F401  (re-exported for callers)
    UPDATE_ACTION,
    ChangedField,
    DirectoryError,
    OrganizationConflict,
    conflict,
)
from tracker.directory.countries import COUNTRIES
from tracker.directory.names import name_key, strip_invisible
from tracker.extensions import db
from tracker.keyset import Key
from tracker.loaders import get_organization_or_404
from tracker.models import Contact, Organization, Participation, Project, Site, Theme, User
from tracker.models.base import ORG_KINDS, STAGES, STATUSES
from tracker.models.directory import organization_sites, organization_themes
from tracker.models.user import site_managers

PER_PAGE = 25
PROFILE_FIELDS = ("name", "country", "city", "website", "description")
STANDING_FIELDS = ("kind", "member_since")


@dataclass(frozen=True)
class OrganizationFilters:
    kind: str = ""
    country: str = ""
    site: str = ""
    theme: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "OrganizationFilters":
        """Filters from query arguments; unknown values are dropped rather than refused."""
        kind = args.get("kind", "")
        country = args.get("country", "").strip().upper()
        return cls(
            kind=kind if kind in ORG_KINDS else "",
            country=country if country in COUNTRIES else "",
            site=args.get("site", "").strip()[:60],
            theme=args.get("theme", "").strip()[:60],
            q=args.get("q", "").strip()[:200],
        )

    def as_args(self) -> dict[str, str]:
        return {key: value for key, value in asdict(self).items() if value}


def organization_query(filters: OrganizationFilters) -> sa.Select:
    """SELECT of the organizations matching filters, sorted by name."""
    query = sa.select(Organization)
    if filters.kind:
        query = query.where(Organization.kind == filters.kind)
    if filters.country:
        query = query.where(Organization.country == filters.country)
    if filters.site:
        query = query.where(Organization.sites.any(Site.slug == filters.site))
    if filters.theme:
        query = query.where(Organization.themes.any(Theme.slug == filters.theme))
    if filters.q:
        pattern = like_pattern(filters.q)
        query = query.where(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Organization.name,
                        Organization.city,
                        Organization.description,
                        Organization.offer,
                        Organization.seek,
                    )
                ),
                # A contact person's name or role (the directory is closed to patrons).
                Organization.id.in_(
                    sa.select(Contact.organization_id).where(
                        sa.or_(
                            Contact.name.ilike(pattern, escape="\\"),
                            Contact.role.ilike(pattern, escape="\\"),
                        )
                    )
                ),
            )
        )
    return query.order_by(sa.func.lower(Organization.name), Organization.id)


# The directory's order, by which it pages (keyset): name without case, then id.
ORGANIZATION_KEYS = (Key(sa.func.lower(Organization.name), str), Key(Organization.id, int))


def listed_organizations(filters: OrganizationFilters) -> sa.Select:
    """organization_query with what each row of the directory shows loaded up front."""
    return organization_query(filters).options(
        selectinload(Organization.sites), selectinload(Organization.themes)
    )


def all_sites() -> list[Site]:
    return list(db.session.scalars(sa.select(Site).order_by(Site.name)))


def all_themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.name)))


def organization_projects(user: User, organization: Organization) -> list[tuple[Project, str]]:
    """(project, role) for the organization's projects the user may see, by title."""
    # An alias, so the EXISTS inside visible_projects() does not correlate to this join.
    role = aliased(Participation)
    query = (
        visible_projects(user)
        .join(role, sa.and_(role.project_id == Project.id, role.organization_id == organization.id))
        .add_columns(role.role)
        .options(joinedload(Project.site))
        .order_by(Project.title, Project.id)
    )
    return list(db.session.execute(query).tuples())


# --- create and edit ------------------------------------------------------------------------


def create_organization(actor: User, values: dict[str, Any]) -> Organization:
    """A new organization from form values (site_ids and theme_ids as lists of ids)."""
    if not permissions.can_create_organization(actor):
        raise DirectoryError(_("You may not add organizations."))
    values = {**values, "name": strip_invisible(values["name"])}
    _check_name_free(values["name"])
    site_ids = _chosen_site_ids(actor, set(), set(values.get("site_ids") or ()))
    if not permissions.is_admin(actor) and not site_ids & actor.managed_site_ids:
        raise DirectoryError(_("Choose at least one of the sites you manage."), field="sites")
    site_slugs, theme_slugs = _chosen_slugs(site_ids, set(values.get("theme_ids") or ()))
    fields = {key: values.get(key) for key in (*PROFILE_FIELDS, *STANDING_FIELDS)}
    if values.get("email_domains"):
        fields["email_domains"] = _email_domains(actor, values["email_domains"], None)
    with transaction(conflict=_refused()):
        organization = Organization(**fields)
        db.session.add(organization)
        db.session.flush()
        # The links straight in (an INSERT each for sites and themes, as the unit of work would
        # send): the new organization's collections are not read before the commit expires it.
        connection = db.session.connection()
        for table, key, chosen in (
            (organization_sites, "site_id", site_slugs),
            (organization_themes, "theme_id", theme_slugs),
        ):
            if chosen:
                rows = [{"organization_id": organization.id, key: row_id} for row_id in chosen]
                connection.execute(sa.insert(table), rows)
        changes = {key: [None, value] for key, value in fields.items() if value not in (None, "")}
        changes["sites"] = [[], sorted(site_slugs.values())]
        changes["themes"] = [[], sorted(theme_slugs.values())]
        audit(actor, "organization.create", organization, changes)
        keep(organization)  # its id and columns for the caller, without reading it back
    return organization


def update_organization(
    actor: User, organization: Organization, values: dict[str, Any], expected_version: int
) -> dict[str, list]:
    """Apply the changed values to version expected_version; returns field -> [old, new].

    Empty when nothing changed. Refused with OrganizationConflict, writing nothing, when
    someone saved the organization after expected_version was read.
    """
    if not permissions.can_edit_organization(actor, organization):
        raise DirectoryError(_("You may not edit this organization."))
    if organization.version != expected_version:
        raise conflict(organization, expected_version)
    standing = permissions.can_edit_organization_standing(actor, organization)
    _refuse_standing_changes(organization, values, standing)
    if "name" in values:
        values = {**values, "name": strip_invisible(values["name"])}
        _check_name_free(values["name"], exclude_id=organization.id)
    allowed = PROFILE_FIELDS + (STANDING_FIELDS if standing else ())
    changes = diff(organization, {key: values[key] for key in allowed if key in values})
    domains = None
    if "email_domains" in values:
        domains = _email_domains(actor, values["email_domains"] or [], organization.id)
        if domains != (organization.email_domains or []):
            changes["email_domains"] = [organization.email_domains or [], domains]
    with transaction(conflict=_refused(organization, expected_version)):
        new_sites = None
        if standing and "site_ids" in values:
            current = {site.id for site in organization.sites}
            new_sites = _chosen_site_ids(actor, current, set(values["site_ids"] or ()))
            if new_sites != current:
                sites = _load(Site, new_sites, "sites")
                changes["sites"] = [_slugs(organization.sites), _slugs(sites)]
                organization.sites = sites
        if "theme_ids" in values:
            themes = _load(Theme, set(values["theme_ids"] or ()), "themes")
            if {t.id for t in themes} != {t.id for t in organization.themes}:
                changes["themes"] = [_slugs(organization.themes), _slugs(themes)]
                organization.themes = themes
        if not changes:
            return {}
        for key in allowed:
            if key in changes:
                setattr(organization, key, values[key])
        if "email_domains" in changes:
            organization.email_domains = domains
        # Set, not left to the ORM: a change of sites or themes alone updates no column of the
        # row, and would otherwise neither move the version nor check it.
        organization.version = expected_version + 1
        # The version pair lets a later conflict tell which fields this save changed.
        versions = [expected_version, expected_version + 1]
        audit(actor, UPDATE_ACTION, organization, {**changes, "version": versions})
    return changes


def _email_domains(actor: User, domains: list[str], organization_id: int | None) -> list[str]:
    """The checked e-mail domains (admins only); a DirectoryError beside the field otherwise."""
    if not permissions.can_edit_email_domains(actor):
        raise DirectoryError(
            _("Only admins set an organization's e-mail domains."), field="email_domains"
        )
    try:
        return email_domains.checked(domains, organization_id)
    except email_domains.DomainError as error:
        raise DirectoryError(str(error), field="email_domains") from None


def _refuse_standing_changes(organization: Organization, values: dict, standing: bool) -> None:
    if standing:
        return
    for key in STANDING_FIELDS:
        if key in values and values[key] != getattr(organization, key):
            raise DirectoryError(_("Only an admin or a site manager can change this."), field=key)
    if "site_ids" in values and set(values["site_ids"] or ()) != {s.id for s in organization.sites}:
        raise DirectoryError(_("Only an admin or a site manager can change the sites."), "sites")


def _chosen_site_ids(actor: User, current: set[int], requested: set[int]) -> set[int]:
    """Admins set any sites; site managers add or remove only their own, others stay."""
    if permissions.is_admin(actor):
        return requested
    managed = actor.managed_site_ids
    if requested - managed:
        raise DirectoryError(_("You can only choose sites you manage."), field="sites")
    return (current - managed) | requested


def _chosen_slugs(site_ids: set[int], theme_ids: set[int]) -> tuple[dict, dict]:
    """(site id -> slug, theme id -> slug) of the chosen sites and themes, read in one
    statement; refused when some no longer exist, as _load refuses."""
    parts = [
        sa.select(sa.literal(field), model.id, model.slug).where(model.id.in_(sorted(ids)))
        for field, model, ids in (("sites", Site, site_ids), ("themes", Theme, theme_ids))
        if ids
    ]
    found: dict[str, dict[int, str]] = {"sites": {}, "themes": {}}
    if parts:
        for field, row_id, slug in db.session.execute(sa.union_all(*parts)).tuples():
            found[field][row_id] = slug
    for field, ids in (("sites", site_ids), ("themes", theme_ids)):
        if len(found[field]) != len(ids):
            raise DirectoryError(_("Some of the chosen entries no longer exist."), field=field)
    return found["sites"], found["themes"]


def _load(model: type, ids: set[int], field: str) -> list:
    if not ids:
        return []
    rows = list(db.session.scalars(sa.select(model).where(model.id.in_(sorted(ids)))))
    if len(rows) != len(ids):
        raise DirectoryError(_("Some of the chosen entries no longer exist."), field=field)
    return sorted(rows, key=lambda row: row.name)


def _slugs(rows) -> list[str]:
    return sorted(row.slug for row in rows)


def _check_name_free(name: str, exclude_id: int | None = None) -> None:
    """Refuse a name that reads like another organization's (tracker.directory.names: NFKC,
    invisible characters, Cyrillic/Greek look-alikes, case); the database's unique index on
    lower(name) still guards exact duplicates that race past this check."""
    key = name_key(name)
    query = sa.select(Organization.id, Organization.name)
    if exclude_id is not None:
        query = query.where(Organization.id != exclude_id)
    if any(name_key(other) == key for _id, other in db.session.execute(query)):
        raise DirectoryError(
            _("An organization named “%(name)s” already exists.", name=name), field="name"
        )


def _refused(
    organization: Organization | None = None, expected_version: int = 0
) -> Callable[[Exception], Exception]:
    """For transaction(): what a refused write tells."""

    def error(refused: Exception) -> Exception:
        if isinstance(refused, StaleDataError):
            # Another transaction saved between our read and our write (PostgreSQL).
            return conflict(get_organization_or_404(organization.id), expected_version)
        # Someone saved the same name between our check and the commit.
        return DirectoryError(_("An organization with this name already exists."), "name")

    return error


# --- sites ----------------------------------------------------------------------------------


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(STAGES, 0)


def pipeline_by_site(user: User) -> dict[int, dict[str, int]]:
    """site id -> stage -> count of visible projects (not withdrawn ones, design §16), in one
    aggregate query."""
    sub = (
        visible_projects(user)
        .where(Project.counted())
        .with_only_columns(Project.site_id, Project.stage)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(sub.c.site_id, sub.c.stage, sa.func.count()).group_by(sub.c.site_id, sub.c.stage)
    )
    counts: dict[int, dict[str, int]] = {}
    for site_id, stage, count in rows.tuples():
        counts.setdefault(site_id, empty_counts())[stage] = count
    return counts


def sites_with_themes() -> list[Site]:
    return list(
        db.session.scalars(sa.select(Site).options(selectinload(Site.themes)).order_by(Site.name))
    )


def get_site(slug: str) -> Site | None:
    return db.session.scalar(
        sa.select(Site).where(Site.slug == slug).options(selectinload(Site.themes))
    )


def site_pipeline(user: User, site: Site) -> dict[str, dict[str, int]]:
    """stage -> status -> count of the visible projects hosted at site (withdrawn ones leave
    every count, design §16)."""
    sub = (
        visible_projects(user)
        .where(Project.site_id == site.id, Project.counted())
        .with_only_columns(Project.stage, Project.status)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(sub.c.stage, sub.c.status, sa.func.count()).group_by(sub.c.stage, sub.c.status)
    )
    counts = {stage: dict.fromkeys(STATUSES, 0) for stage in STAGES}
    for stage, status, count in rows.tuples():
        counts[stage][status] = count
    return counts


def site_managers_of(site: Site) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(User.display_name)
            .join(site_managers, site_managers.c.user_id == User.id)
            .where(site_managers.c.site_id == site.id, User.active.is_(True))
            .order_by(User.display_name)
        )
    )


def site_organizations(site: Site) -> list[Organization]:
    return list(
        db.session.scalars(
            sa.select(Organization)
            .where(Organization.sites.any(Site.id == site.id))
            .order_by(sa.func.lower(Organization.name))
        )
    )
