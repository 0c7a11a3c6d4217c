"""Organization import from CSV: every row checked first, then all inserted or none."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from tracker.activity import audit
from tracker.auth import permissions
from tracker.database import transaction
from tracker.directory.forms import OrganizationForm
from tracker.directory.names import name_key
from tracker.exports.csvfile import CsvRow, read_csv
from tracker.exports.rows import (
    EXPORT_ONLY_COLUMNS,
    ORGANIZATION_COLUMNS,
    kind_aliases,
    organization_aliases,
)
from tracker.extensions import db
from tracker.i18n import LANGUAGES
from tracker.models import Organization, Site, Theme, User

FORM_FIELDS = ("name", "kind", "country", "city", "website", "description", "member_since")


class ImportRefused(Exception):
    """Nothing was imported; the message is for the user."""


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ValidRow:
    row: int
    values: dict
    sites: list[Site]
    themes: list[Theme]


@dataclass
class ImportCheck:
    rows: list[ValidRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})


class _Catalogue:
    """What rows are checked against: sites and themes by slug, names already taken."""

    def __init__(self):
        self.sites = {s.slug: s for s in db.session.scalars(sa.select(Site))}
        self.themes = {t.slug: t for t in db.session.scalars(sa.select(Theme))}
        self.kinds = kind_aliases(LANGUAGES)
        self.names = {name_key(n) for n in db.session.scalars(sa.select(Organization.name))}
        self.seen: dict[str, int] = {}


def check_import(actor: User, filename: str, data: bytes) -> ImportCheck:
    """Every row checked with the organization form's and service's rules; raises CsvError."""
    if not permissions.can_create_organization(actor):
        raise ImportRefused(_("You may not add organizations."))
    aliases = organization_aliases(LANGUAGES)
    rows = read_csv(filename, data, ORGANIZATION_COLUMNS, aliases, optional=EXPORT_ONLY_COLUMNS)
    if not rows:
        raise ImportRefused(_("The file has no rows below the header row."))
    catalogue = _Catalogue()
    # One form, refilled per row: the same validators as the page, without 5,000 instances.
    form = OrganizationForm(formdata=None, meta={"csrf": False})
    check = ImportCheck()
    for row in rows:
        errors, valid = _check_row(actor, form, row, catalogue)
        check.errors.extend(errors)
        if valid is not None:
            check.rows.append(valid)
    return check


def _check_row(actor, form, row: CsvRow, catalogue: _Catalogue):
    errors = []
    if row.extra_cells:
        errors.append(
            RowError(row.number, _("(row)"), _("The row has more cells than the header."))
        )
    values = {name: row.values[name] for name in FORM_FIELDS}
    kind = values["kind"].strip().lower()  # a label, as German and Swedish exports write it
    values["kind"] = catalogue.kinds.get(kind, values["kind"])
    form.process(MultiDict(values))
    form.validate()
    for name in FORM_FIELDS:
        errors.extend(RowError(row.number, name, message) for message in form[name].errors)
    name = form.name.data or ""
    if name and not form.name.errors:
        errors.extend(RowError(row.number, "name", m) for m in _name_problems(name, row, catalogue))
    sites, site_errors = _pick(row.values["sites"], catalogue.sites, "site")
    themes, theme_errors = _pick(row.values["themes"], catalogue.themes, "theme")
    site_errors = site_errors or _site_rule(actor, sites)
    errors.extend(RowError(row.number, "sites", m) for m in site_errors)
    errors.extend(RowError(row.number, "themes", m) for m in theme_errors)
    if errors:
        return errors, None
    values = {key: form[key].data for key in FORM_FIELDS}
    values.update({key: values[key] or "" for key in ("city", "website", "description")})
    return [], ValidRow(row.number, values, sites, themes)


def _name_problems(name: str, row: CsvRow, catalogue: _Catalogue) -> list[str]:
    key = name_key(name)  # look-alike names are the same name
    problems = []
    if key in catalogue.names:
        problems.append(_("An organization named “%(name)s” already exists.", name=name))
    elif key in catalogue.seen:
        problems.append(
            _(
                "The same name is already in row %(row)s of this file.",
                row=catalogue.seen[key],
            )
        )
    catalogue.seen.setdefault(key, row.number)
    return problems


def _pick(cell: str, known: dict, noun: str) -> tuple[list, list[str]]:
    """Objects for the '; '-separated slugs in cell, or messages naming the unknown ones."""
    slugs = list(dict.fromkeys(s.strip() for s in cell.split(";") if s.strip()))
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        slugs_text = ", ".join(unknown)
        if noun == "site":
            return [], [_("No site has the slug %(slugs)s.", slugs=slugs_text)]
        return [], [_("No theme has the slug %(slugs)s.", slugs=slugs_text)]
    return sorted((known[slug] for slug in slugs), key=lambda row: row.name), []


def _site_rule(actor: User, sites: list[Site]) -> list[str]:
    """Site managers add organizations to their own sites only, and to one of them at least."""
    if permissions.is_admin(actor):
        return []
    chosen = {site.id for site in sites}
    if chosen - actor.managed_site_ids:
        return [_("You can only choose sites you manage.")]
    if not chosen:
        return [_("Choose at least one of the sites you manage.")]
    return []


def _added_meanwhile(_error: Exception) -> ImportRefused:
    return ImportRefused(
        _("An organization with one of these names was added meanwhile; nothing was imported.")
    )


def import_organizations(actor: User, filename: str, data: bytes) -> ImportCheck:
    """Check the file again; only when every row is valid, insert all in one transaction."""
    check = check_import(actor, filename, data)
    if check.errors:
        return check
    with transaction(conflict=_added_meanwhile):
        organizations = []
        for row in check.rows:
            organization = Organization(**row.values)
            organization.sites = row.sites
            organization.themes = row.themes
            organizations.append(organization)
        db.session.add_all(organizations)
        db.session.flush()
        for organization, row in zip(organizations, check.rows, strict=True):
            changes = {k: [None, v] for k, v in row.values.items() if v not in (None, "")}
            changes["sites"] = [[], sorted(site.slug for site in row.sites)]
            changes["themes"] = [[], sorted(theme.slug for theme in row.themes)]
            audit(actor, "organization_imported", organization, changes)
    return check
