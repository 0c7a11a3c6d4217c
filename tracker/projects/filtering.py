"""The one project filter of the project list, the board and the API.

Each caller passes what its own form or query string chose and adds its extras on top: the
list its figure filters and the withdrawn rule, the board its own sites, open, needs review and
stalled, the API nothing more. Text search is tracker.database.text_match.
"""

from collections.abc import Iterable

import sqlalchemy as sa

from tracker.database import text_match
from tracker.models import Participation, Project, Site, Theme


def conditions(
    *,
    sites: Iterable[str] = (),
    stage: str = "",
    status: str = "",
    kind: str = "",
    visibility: str = "",
    theme: str = "",
    org: int | None = None,
    q: str = "",
) -> list[sa.ColumnElement]:
    """WHERE conditions on Project for the chosen values; an empty value does not filter.

    sites: slugs (hosted at any of them); theme: a slug; org: any participant's id; q: title
    or summary contains it."""
    found = []
    sites = tuple(sites)
    if sites:
        found.append(Project.site_id.in_(sa.select(Site.id).where(Site.slug.in_(sites))))
    for column, value in (
        (Project.stage, stage),
        (Project.status, status),
        (Project.kind, kind),
        (Project.visibility, visibility),
    ):
        if value:
            found.append(column == value)
    if theme:
        found.append(Project.themes.any(Theme.slug == theme))
    if org is not None:
        found.append(
            sa.exists().where(
                Participation.project_id == Project.id, Participation.organization_id == org
            )
        )
    if q:
        found.append(text_match(q, Project.title, Project.summary))
    return found
