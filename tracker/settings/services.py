"""Sites and themes: create, edit, rename and delete, each audited, admins only."""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker.activity import audit
from tracker.auth import permissions
from tracker.database import transaction
from tracker.extensions import db
from tracker.i18n import ngettext
from tracker.models import Site, Theme, User
from tracker.models.directory import organization_themes, site_themes
from tracker.models.project import project_themes
from tracker.refusal import Refused

SITE_FIELDS = ("slug", "name", "city", "country", "kind", "focus", "name_de", "name_sv")
# The German and Swedish names of sites and themes, titles of criteria: optional; empty is none.
NAME_TRANSLATIONS = ("name_de", "name_sv")


def stored(obj, key: str):
    """A field's stored value: for "name" and "title" the English one (the attributes read
    the reader's language), the others as they are."""
    return getattr(obj, f"{key}_en" if key in {"name", "title"} else key)


def changed_values(obj, values: dict[str, Any]) -> dict[str, list]:
    """Field -> [old, new] for the stored values that change; empty translations are None."""
    values = {key: (value or None) if key[-3:] in {"_de", "_sv"} else value
              for key, value in values.items()}  # fmt: skip
    return {key: [stored(obj, key), v] for key, v in values.items() if stored(obj, key) != v}


class SettingsError(Refused):
    """A refused change, with a message for the user and the form field it concerns."""


def _require_admin(actor: User) -> None:
    if not permissions.can_manage_sites_and_themes(actor):
        raise SettingsError(_("Only admins manage sites and themes."))


def taken(message: str, field: str) -> Callable[[Exception], SettingsError]:
    """For transaction(): a concurrent save took the same slug between our check and the commit."""
    return lambda _error: SettingsError(message, field)


# --- sites ----------------------------------------------------------------------------------


def sites() -> list[Site]:
    return list(
        db.session.scalars(sa.select(Site).options(selectinload(Site.themes)).order_by(Site.name))
    )


def get_site(site_id: int) -> Site | None:
    return db.session.scalar(
        sa.select(Site).where(Site.id == site_id).options(selectinload(Site.themes))
    )


def themes_by_ids(ids: set[int]) -> list[Theme]:
    if not ids:
        return []
    rows = list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(sorted(ids)))))
    if len(rows) != len(ids):
        raise SettingsError(_("Some of the chosen themes no longer exist."), "themes")
    return sorted(rows, key=lambda theme: theme.name)


def _check_site_slug(slug: str, exclude_id: int | None = None) -> None:
    query = sa.select(Site.id).where(Site.slug == slug)
    if exclude_id is not None:
        query = query.where(Site.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise SettingsError(_("The slug “%(slug)s” is taken by another site.", slug=slug), "slug")


def create_site(actor: User, values: dict[str, Any]) -> Site:
    _require_admin(actor)
    _check_site_slug(values["slug"])
    with transaction(conflict=taken(_("This slug is taken by another site."), "slug")):
        site = Site(**{key: values.get(key) for key in SITE_FIELDS})
        site.themes = themes_by_ids(set(values.get("theme_ids") or ()))
        db.session.add(site)
        db.session.flush()
        changes = {key: [None, values[key]] for key in SITE_FIELDS if values.get(key)}
        changes["themes"] = [[], sorted(theme.slug for theme in site.themes)]
        audit(actor, "site.create", site, changes)
    return site


def update_site(actor: User, site: Site, values: dict[str, Any]) -> dict[str, list]:
    """Apply changed values; returns field -> [old, new], empty when nothing changed."""
    _require_admin(actor)
    _check_site_slug(values["slug"], exclude_id=site.id)
    changes = changed_values(site, {key: values[key] for key in SITE_FIELDS if key in values})
    themes = themes_by_ids(set(values.get("theme_ids") or ()))
    if {t.id for t in themes} != {t.id for t in site.themes}:
        changes["themes"] = [sorted(t.slug for t in site.themes), sorted(t.slug for t in themes)]
        site.themes = themes
    if not changes:
        return {}
    with transaction(conflict=taken(_("This slug is taken by another site."), "slug")):
        for key, (_old, new) in changes.items():
            if key != "themes":
                setattr(site, key, new)
        audit(actor, "site.update", site, changes)
    return changes


# --- themes ---------------------------------------------------------------------------------


def _usage_columns():
    def count(table):
        return (
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.theme_id == Theme.id)
            .scalar_subquery()
        )

    return (
        count(project_themes).label("projects"),
        count(organization_themes).label("organizations"),
        count(site_themes).label("sites"),
    )


# What still uses a theme, counted in the reader's language ("3 Projekten" after "von").
USED_BY = {
    "projects": lambda n: ngettext("%(num)s project", "%(num)s projects", n),
    "organizations": lambda n: ngettext("%(num)s organization", "%(num)s organizations", n),
    "sites": lambda n: ngettext("%(num)s site", "%(num)s sites", n),
}


def used_by_text(usage: dict[str, int]) -> str:
    """'3 projects, 1 site' in the reader's language, for a theme_usage() result."""
    return ", ".join(USED_BY[what](count) for what, count in usage.items() if count)


def themes_with_usage() -> list[tuple[Theme, int, int, int]]:
    """(theme, projects, organizations, sites) using it, in one query, by name."""
    query = sa.select(Theme, *_usage_columns()).order_by(Theme.name)
    return list(db.session.execute(query).tuples())


def theme_usage(theme: Theme) -> dict[str, int]:
    row = db.session.execute(sa.select(*_usage_columns()).where(Theme.id == theme.id)).one()
    return dict(row._mapping)


def _check_theme_free(slug: str | None, name: str, exclude_id: int | None = None) -> None:
    query = sa.select(Theme.slug, Theme.name_en).where(  # English names are unique
        sa.or_(Theme.slug == slug, sa.func.lower(Theme.name_en) == sa.func.lower(name))
    )
    if exclude_id is not None:
        query = query.where(Theme.id != exclude_id)
    for other_slug, _other_name in db.session.execute(query):
        if other_slug == slug:
            raise SettingsError(
                _("The slug “%(slug)s” is taken by another theme.", slug=slug), "slug"
            )
        raise SettingsError(_("A theme named “%(name)s” already exists.", name=name), "name")


def create_theme(actor: User, slug: str, name: str, translations: dict | None = None) -> Theme:
    """translations: name_de and name_sv, each optional."""
    _require_admin(actor)
    _check_theme_free(slug, name)
    names = {key: value for key, value in (translations or {}).items() if value}
    with transaction(conflict=taken(_("This slug is taken by another theme."), "slug")):
        theme = Theme(slug=slug, name=name, **names)
        db.session.add(theme)
        db.session.flush()
        changes = {"slug": [None, slug], "name": [None, name]}
        audit(actor, "theme.create", theme, changes | {k: [None, v] for k, v in names.items()})
    return theme


def rename_theme(actor: User, theme: Theme, name: str, translations: dict | None = None) -> bool:
    """True when the English name or a translation given in translations changed."""
    _require_admin(actor)
    changes = changed_values(theme, {"name": name} | (translations or {}))
    if not changes:
        return False
    if "name" in changes:
        _check_theme_free(None, name, exclude_id=theme.id)
    with transaction():
        audit(actor, "theme.rename", theme, changes)
        for key, (_old, new) in changes.items():
            setattr(theme, key, new)
    return True


def delete_theme(actor: User, theme: Theme) -> None:
    """Delete an unused theme; one still in use is refused with what uses it."""
    _require_admin(actor)
    usage = theme_usage(theme)
    if any(usage.values()):
        used_by = used_by_text(usage)
        raise SettingsError(
            _(
                "“%(theme_name)s” is still used by %(used_by)s. "
                "Remove it there first, or rename it.",
                theme_name=theme.name,
                used_by=used_by,
            )
        )
    with transaction():
        audit(
            actor, "theme.delete", theme, {"slug": [theme.slug, None], "name": [theme.name, None]}
        )
        db.session.delete(theme)
