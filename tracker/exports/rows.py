"""The rows of the project and organization CSV files, read in bounded batches."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.exports.csvfile import CHUNK_ROWS
from tracker.extensions import db
from tracker.models import Organization, Participation, Project

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
SEPARATOR = "; "


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
    query = query.options(
        joinedload(Project.site),
        joinedload(Project.lead_organization),
        selectinload(Project.themes),
        selectinload(Project.participations).joinedload(Participation.organization),
    )
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
            project.stage,
            project.status,
            project.visibility,
            project.kind,
            SEPARATOR.join(theme.slug for theme in project.themes),
            project.lead_organization.name,
            SEPARATOR.join(f"{p.organization.name} ({p.role})" for p in partners),
            project.stage_entered_at,
            project.last_activity_at,
            project.target_test_on,
            project.target_market_on,
        )


def organization_rows(query: sa.Select) -> Iterator[tuple]:
    """One row per organization of query, in the columns the import reads back."""
    query = query.options(selectinload(Organization.sites), selectinload(Organization.themes))
    for org in batches(query):
        yield (
            org.name,
            org.kind,
            org.country,
            org.city,
            org.website,
            org.description,
            org.member_since,
            SEPARATOR.join(sorted(site.slug for site in org.sites)),
            SEPARATOR.join(sorted(theme.slug for theme in org.themes)),
        )
