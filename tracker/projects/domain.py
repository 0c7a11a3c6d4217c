"""The project use cases' vocabulary: input values, domain errors, the audited snapshot."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.i18n import FIELD_NAMES
from tracker.models import Participation, Project
from tracker.models.base import PARTICIPATION_ROLES

PARTNER_ROLES = tuple(r for r in PARTICIPATION_ROLES if r != "lead")
# A partner role that names a kind of organization is for organizations of that kind only
# (issue 19: a research institution is not the project's start-up); other roles fit any kind.
ROLE_KINDS = {"startup": ("startup",), "research_partner": ("research_institution",)}
TEXT_LIMITS = {"title": 200, "summary": 500, "description": 5000}
# The project's fields as its edit form and conflict messages name them: the history's names
# (tracker.i18n.FIELD_NAMES), except the site, which the form calls "Host site".
FIELD_LABELS = {
    name: FIELD_NAMES[name]
    for name in (
        "title",
        "summary",
        "description",
        "site",
        "kind",
        "visibility",
        "themes",
        "target_test_on",
        "target_market_on",
        "lead_organization",
        "partners",
        "stage",
        "status",
    )
} | {"site": _l("Host site")}


@dataclass
class PartnerInput:
    organization_id: int
    role: str = "partner"


@dataclass
class ProjectData:
    title: str
    site_id: int
    summary: str = ""
    description: str = ""
    kind: str = "product"
    visibility: str = "network"
    theme_ids: list[int] = field(default_factory=list)
    target_test_on: date | None = None
    target_market_on: date | None = None
    lead_organization_id: int | None = None
    partners: list[PartnerInput] = field(default_factory=list)
    # Not input (merge ignores them): the project's start and its stored target dates, set by
    # current_data, so a new date must lie after the start while an unchanged old one stays.
    started_on: date | None = None
    stored_targets: tuple[date | None, date | None] = (None, None)


NOT_INPUT = ("started_on", "stored_targets")


class ProjectError(Exception):
    """A refused change; field (and row, for partners) say where the problem is."""

    def __init__(self, message: str, field: str | None = None, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row


class ProjectForbidden(ProjectError):
    """The actor may see the project but not do this."""


@dataclass
class ChangedField:
    field: str
    label: str
    read: Any  # the value when the editor opened the form (None when unknown)
    current: Any


class EditConflict(ProjectError):
    """Someone saved the project after the editor read it; nothing was written."""

    def __init__(self, changes: list[ChangedField], current_version: int):
        super().__init__(_("Someone else saved this project since you opened it."), field="version")
        self.changes = changes
        self.current_version = current_version


# --- reading the current state ----------------------------------------------------------


def partner_label(participation: Participation) -> str:
    return f"{participation.organization.name} ({participation.role})"


def snapshot(project: Project) -> dict[str, Any]:
    """The audited view of a project (relationships must be loaded)."""
    partners = [p for p in project.participations if p.role != "lead"]
    return {
        "title": project.title,
        "summary": project.summary,
        "description": project.description,
        "site": project.site.slug,
        "kind": project.kind,
        "visibility": project.visibility,
        "themes": sorted(t.slug for t in project.themes),
        "target_test_on": project.target_test_on,
        "target_market_on": project.target_market_on,
        "lead_organization": project.lead_organization.name,
        "partners": sorted(partner_label(p) for p in partners),
    }


def current_data(project: Project) -> ProjectData:
    """The editable values of a project, as update_project takes them."""
    return ProjectData(
        title=project.title,
        site_id=project.site_id,
        summary=project.summary,
        description=project.description,
        kind=project.kind,
        visibility=project.visibility,
        theme_ids=[t.id for t in project.themes],
        target_test_on=project.target_test_on,
        target_market_on=project.target_market_on,
        lead_organization_id=project.lead_organization_id,
        partners=[
            PartnerInput(p.organization_id, p.role)
            for p in project.participations
            if p.role != "lead"
        ],
        started_on=project.created_at.date() if project.created_at else None,
        stored_targets=(project.target_test_on, project.target_market_on),
    )


def merge(data: ProjectData | Mapping[str, Any], base: ProjectData | None) -> ProjectData:
    """Plain values to ProjectData; with a base, missing keys keep the base's values."""
    values = dict(data) if isinstance(data, Mapping) else asdict(data)
    merged = asdict(base) if base else {}
    fields_ = ProjectData.__dataclass_fields__
    merged.update({k: v for k, v in values.items() if k in fields_ and k not in NOT_INPUT})
    if "title" not in merged or "site_id" not in merged:
        raise ProjectError(_("A title and a host site are required."), field="title")
    return ProjectData(**_typed(merged))


MAX_ID = 2**31 - 1  # the range of the id columns on PostgreSQL


def _is_id(value: Any) -> bool:
    return type(value) is int and 0 < value <= MAX_ID


def _typed(merged: dict[str, Any]) -> dict[str, Any]:
    """Refuse values of the wrong type as a ProjectError: the API and the CLI call in too."""
    for name in ("title", "summary", "description", "kind", "visibility"):
        if merged.get(name) is not None and not isinstance(merged[name], str):
            raise ProjectError(_("Enter text."), field=name)
    for name in ("site_id", "lead_organization_id"):
        if merged.get(name) is not None and not _is_id(merged[name]):
            raise ProjectError(_("Choose one from the list."), field=name)
    for name in ("target_test_on", "target_market_on"):
        if merged.get(name) is not None and type(merged[name]) is not date:
            raise ProjectError(_("Enter a date."), field=name)
    themes = merged.get("theme_ids") or []
    if not isinstance(themes, list | tuple | set) or not all(_is_id(t) for t in themes):
        raise ProjectError(_("One of the themes does not exist."), field="theme_ids")
    merged["theme_ids"] = list(themes)
    merged["partners"] = _partner_inputs(merged.get("partners") or [])
    return merged


def _partner_inputs(rows: Any) -> list[PartnerInput]:
    if not isinstance(rows, list | tuple):
        raise ProjectError(_("This organization does not exist."), "partners", 0)
    partners = []
    for row, partner in enumerate(rows):
        if isinstance(partner, Mapping) and set(partner) <= {"organization_id", "role"}:
            partner = PartnerInput(partner.get("organization_id"), partner.get("role", "partner"))
        if not isinstance(partner, PartnerInput) or not _is_id(partner.organization_id):
            raise ProjectError(_("This organization does not exist."), "partners", row)
        if not isinstance(partner.role, str):
            raise ProjectError(_("Choose a role."), "partners", row)
        partners.append(partner)
    return partners
