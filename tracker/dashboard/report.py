"""The quarterly progress report: what moved in one quarter, network-wide or for one site.

Titles, organizations and reasons of projects the reader may not see are never selected from
the database; such rows are counted as confidential instead.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from tracker.auth.permissions import visible_projects
from tracker.dashboard.metrics import stage_entry
from tracker.dashboard.periods import Quarter
from tracker.directory.forms import ORG_KIND_LABELS
from tracker.extensions import db
from tracker.models import Organization, Participation, Project, Site, StageEvent
from tracker.models.directory import organization_sites

ROLE_LABELS = {
    "lead": _l("lead"),
    "partner": _l("partner"),
    "research_partner": _l("research partner"),
    "startup": _l("start-up"),
    "pilot_customer": _l("pilot customer"),
}


@dataclass
class Item:
    when: date | datetime
    site: str = ""
    project: str | None = None  # None: a project the reader may not see
    organization: str = ""
    detail: str = ""
    count: int = 1  # the events this line stands for (several partners of one project)


@dataclass
class Section:
    key: str
    heading: str
    noun: str
    empty: str
    items: list[Item] = field(default_factory=list)
    confidential: int = 0

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items) + self.confidential

    @property
    def confidential_text(self) -> str:
        n = self.confidential
        if self.noun == "cooperation":
            return ngettext(
                "%(num)d confidential cooperation", "%(num)d confidential cooperations", n
            )
        if self.noun == "organization":
            return ngettext(
                "%(num)d confidential organization", "%(num)d confidential organizations", n
            )
        return ngettext("%(num)d confidential project", "%(num)d confidential projects", n)


@dataclass
class Report:
    quarter: Quarter
    site_slug: str
    site_name: str
    sections: list[Section]

    @property
    def title(self) -> str:
        return _(
            "Quarterly progress report %(quarter)s · %(site)s",
            quarter=self.quarter.key,
            site=self.site_name,
        )


def _visible(user) -> sa.ColumnElement[bool]:
    """visible_projects(user)'s condition on the row's own project: checked on the rows of the
    quarter only, not by listing every visible project first."""
    condition = visible_projects(user).whereclause
    return sa.true() if condition is None else condition


def _only_if(visible, column):
    return sa.case((visible, column), else_=None)


def _project_rows(user, project_id, /, *columns, **shown) -> sa.Select:
    """SELECT columns, the project's site name, whether the user may see the project and,
    only where they may, the shown columns (labelled by their names), joining the project of
    project_id and its site."""
    visible = _visible(user)
    return (
        sa.select(
            *columns,
            Site.name.label("site"),
            visible.label("visible"),
            *(_only_if(visible, column).label(name) for name, column in shown.items()),
        )
        .join(Project, Project.id == project_id)
        .join(Site, Site.id == Project.site_id)
    )


def _within(column, quarter: Quarter) -> list:
    return [column >= quarter.start, column < quarter.end]


def _on_site(site_id: int | None) -> list:
    return [] if site_id is None else [Project.site_id == site_id]


def _collect(section: Section, rows, build) -> Section:
    for row in rows:
        if row.visible:
            section.items.append(build(row))
        else:
            section.confidential += 1
    return section


def _entries(user, quarter: Quarter, site_id: int | None) -> list[Section]:
    """Entries to test and to market, in one statement."""
    rows = db.session.execute(
        _project_rows(
            user, StageEvent.project_id, StageEvent.at, StageEvent.to_stage, title=Project.title
        )
        .where(
            stage_entry(),
            StageEvent.to_stage.in_(("test", "market")),
            *_within(StageEvent.at, quarter),
        )
        .where(*_on_site(site_id))
        .order_by(StageEvent.at, StageEvent.id)
    ).all()
    sections = []
    for stage, heading, empty in (
        ("test", _("Entries to test"), _("No project entered test.")),
        ("market", _("Entries to market"), _("No project entered market.")),
    ):
        section = Section(f"entries_{stage}", heading, "project", empty)
        into = (row for row in rows if row.to_stage == stage)
        sections.append(_collect(section, into, lambda r: Item(r.at, r.site, r.title)))
    return sections


def _stops(user, quarter: Quarter, site_id: int | None) -> Section:
    rows = db.session.execute(
        _project_rows(
            user, StageEvent.project_id, StageEvent.at, title=Project.title, reason=StageEvent.note
        )
        .where(
            StageEvent.to_status == "stopped",
            sa.or_(StageEvent.from_status.is_(None), StageEvent.from_status != "stopped"),
            *_within(StageEvent.at, quarter),
            *_on_site(site_id),
        )
        .order_by(StageEvent.at, StageEvent.id)
    )
    section = Section("stops", _("Stopped projects"), "project", _("No project was stopped."))
    return _collect(section, rows, lambda r: Item(r.at, r.site, r.title, detail=r.reason or ""))


def _cooperations(user, quarter: Quarter, site_id: int | None) -> Section:
    rows = db.session.execute(
        _project_rows(
            user,
            Participation.project_id,
            Participation.created_at,
            project_id=Project.id,
            title=Project.title,
            organization=Organization.name,
            role=Participation.role,
        )
        .join(Organization, Organization.id == Participation.organization_id)
        .where(*_within(Participation.created_at, quarter), *_on_site(site_id))
        .order_by(Participation.created_at, Participation.id)
    )
    section = Section(
        "cooperations",
        _("New cooperations"),
        "cooperation",
        _("No organization joined a project."),
    )
    by_project: dict[int, Item] = {}
    for row in rows:
        if not row.visible:
            section.confidential += 1
            continue
        joined = f"{row.organization} ({ROLE_LABELS.get(row.role, row.role)})"
        item = by_project.get(row.project_id)
        if item is None:
            by_project[row.project_id] = Item(row.created_at, row.site, row.title, joined, count=1)
        else:
            item.organization, item.count = f"{item.organization}, {joined}", item.count + 1
    section.items = list(by_project.values())
    return section


def _members(quarter: Quarter, site_id: int | None) -> Section:
    query = sa.select(Organization).where(
        Organization.member_since >= quarter.first_day,
        Organization.member_since < quarter.next().first_day,
    )
    if site_id is not None:
        query = query.where(
            sa.exists().where(
                organization_sites.c.organization_id == Organization.id,
                organization_sites.c.site_id == site_id,
            )
        )
    section = Section("members", _("New members"), "organization", _("No organization joined."))
    for org in db.session.scalars(query.order_by(Organization.member_since, Organization.name)):
        detail = f"{ORG_KIND_LABELS.get(org.kind, org.kind)}, {org.country}"
        section.items.append(Item(org.member_since, organization=org.name, detail=detail))
    return section


def quarterly_report(user, quarter: Quarter, site: Site | None) -> Report:
    site_id = site.id if site else None
    sections = [
        *_entries(user, quarter, site_id),
        _stops(user, quarter, site_id),
        _cooperations(user, quarter, site_id),
        _members(quarter, site_id),
    ]
    return Report(
        quarter, site.slug if site else "", site.name if site else _("Whole network"), sections
    )


def find_site(slug: str) -> Site | None:
    return db.session.scalar(sa.select(Site).where(Site.slug == slug)) if slug else None


def site_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(Site.slug, Site.name).order_by(Site.name)).all()
    return [("", _("Whole network"))] + [(slug, name) for slug, name in rows]
