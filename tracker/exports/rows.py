"""The rows of the project and organization CSV files, read in bounded batches."""

from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker.exports.csvfile import CHUNK_ROWS
from tracker.extensions import db
from tracker.i18n import VISIBILITY_NAMES
from tracker.loaders import PROJECT_DETAILS
from tracker.models import Organization
from tracker.vocabulary import (
    ORG_KIND_LABELS,
    PARTICIPATION_ROLE_LABELS,
    PROJECT_KIND_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
)

PROJECT_COLUMNS = (
    "id",
    "title",
    "summary",
    "site",
    "stage",
    "status",
    "visibility",
    "kind",
    "themes",
    "lead_organization",
    "partners",
    "stage_entered_at",
    "last_activity_at",
    "target_test_on",
    "target_market_on",
)
ORGANIZATION_COLUMNS = (
    "name",
    "kind",
    "country",
    "city",
    "website",
    "description",
    "member_since",
    "sites",
    "themes",
)
# The exported header in the reader's language (English keeps the machine names); the import
# accepts the machine names and these, in every language (organization_aliases()).
ORGANIZATION_HEADERS = {
    "name": _l("name"),
    "kind": _l("kind"),
    "country": _l("country"),
    "city": _l("city"),
    "website": _l("website"),
    "description": _l("description"),
    "member_since": _l("member_since"),
    "sites": _l("sites"),
    "themes": _l("themes"),
}
SEPARATOR = "; "


# The export leads with each organization's id (for members' systems, design §13); the import
# accepts and ignores it, so an exported file can be imported elsewhere.
EXPORT_ONLY_COLUMNS = ("id",)


def organization_header() -> list[str]:
    return ["id", *(str(ORGANIZATION_HEADERS[name]) for name in ORGANIZATION_COLUMNS)]


def organization_aliases(languages) -> dict[str, str]:
    """{localized header, lower case: machine name} for every language of the app."""
    aliases = {}
    for code in languages:
        with force_locale(code):
            aliases |= {str(label).strip().lower(): n for n, label in ORGANIZATION_HEADERS.items()}
    return aliases


def _coded(labels):
    """A code as the file's reader reads it: its label in German and Swedish; English files
    keep the codes (and machine-name header) that scripts already use."""
    if str(get_locale() or "en") == "en":
        return lambda code: code
    return lambda code: str(labels.get(code, code)) if code else code


def kind_aliases(languages) -> dict[str, str]:
    """{an organization kind's label in any language, lower case: its code}, for the import."""
    aliases = {}
    for code in languages:
        with force_locale(code):
            aliases |= {str(label).strip().lower(): kind for kind, label in ORG_KIND_LABELS.items()}
    return aliases


def batches(query: sa.Select, size: int = CHUNK_ROWS) -> Iterator:
    """Every row of query, fetched size rows (plus their eager loads) at a time."""
    offset = 0
    while True:
        batch = db.session.scalars(query.limit(size).offset(offset)).all()
        yield from batch
        if len(batch) < size:
            return
        offset += size


def project_rows(query: sa.Select) -> Iterator[tuple]:
    """One row per project of query (a filtered visible_projects() select)."""
    query = query.options(*PROJECT_DETAILS)
    stage, status = _coded(STAGE_LABELS), _coded(STATUS_LABELS)
    visibility, kind = _coded(VISIBILITY_NAMES), _coded(PROJECT_KIND_LABELS)
    role = _coded(PARTICIPATION_ROLE_LABELS)
    for project in batches(query):
        partners = sorted(
            (p for p in project.participations if p.role != "lead"),
            key=lambda p: p.organization.name.lower(),
        )
        yield (
            project.id,
            project.title,
            project.summary,
            project.site.slug,
            stage(project.stage),
            status(project.status),
            visibility(project.visibility),
            kind(project.kind),
            SEPARATOR.join(theme.slug for theme in project.themes),
            project.lead_organization.name,
            SEPARATOR.join(f"{p.organization.name} ({role(p.role)})" for p in partners),
            project.stage_entered_at,
            project.last_activity_at,
            project.target_test_on,
            project.target_market_on,
        )


def organization_rows(query: sa.Select) -> Iterator[tuple]:
    """One row per organization of query, in the columns the import reads back."""
    query = query.options(selectinload(Organization.sites), selectinload(Organization.themes))
    kind = _coded(ORG_KIND_LABELS)
    for org in batches(query):
        yield (
            org.id,
            org.name,
            kind(org.kind),
            org.country,
            org.city,
            org.website,
            org.description,
            org.member_since,
            SEPARATOR.join(sorted(site.slug for site in org.sites)),
            SEPARATOR.join(sorted(theme.slug for theme in org.themes)),
        )
