"""Create and edit cooperation projects: validation, partners, themes, audit and notifications."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker.activity import audit, member_ids_of, notify
from tracker.auth import permissions
from tracker.extensions import db
from tracker.loaders import project_options
from tracker.models import (
    AuditEvent,
    Organization,
    Participation,
    Project,
    Site,
    StageEvent,
    Theme,
    User,
)
from tracker.models.base import PARTICIPATION_ROLES, PROJECT_KINDS, VISIBILITIES, utcnow
from tracker.projects.partners import sync_participations

PARTNER_ROLES = tuple(r for r in PARTICIPATION_ROLES if r != "lead")
TEXT_LIMITS = {"title": 200, "summary": 500, "description": 5000}
FIELD_LABELS = {
    "title": "Title",
    "summary": "Summary",
    "description": "Description",
    "site": "Host site",
    "kind": "Kind",
    "visibility": "Visibility",
    "themes": "Themes",
    "target_test_on": "Target date for test",
    "target_market_on": "Target date for market",
    "lead_organization": "Lead organization",
    "partners": "Partners",
    "stage": "Stage",
    "status": "Status",
}


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
        super().__init__("Someone else saved this project since you opened it.", field="version")
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
    )


def _merge(data: ProjectData | Mapping[str, Any], base: ProjectData | None) -> ProjectData:
    """Plain values to ProjectData; with a base, missing keys keep the base's values."""
    values = dict(data) if isinstance(data, Mapping) else asdict(data)
    merged = asdict(base) if base else {}
    merged.update({k: v for k, v in values.items() if k in ProjectData.__dataclass_fields__})
    if "title" not in merged or "site_id" not in merged:
        raise ProjectError("A title and a host site are required.", field="title")
    merged["partners"] = [
        p if isinstance(p, PartnerInput) else PartnerInput(**dict(p))
        for p in merged.get("partners") or []
    ]
    merged["theme_ids"] = list(merged.get("theme_ids") or [])
    return ProjectData(**merged)


# --- validation -------------------------------------------------------------------------


def _check_fields(data: ProjectData) -> None:
    data.title = (data.title or "").strip()
    data.summary = (data.summary or "").strip()
    data.description = (data.description or "").strip()
    if not data.title:
        raise ProjectError("Give the project a title.", field="title")
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            raise ProjectError(f"At most {limit} characters.", field=name)
    if data.kind not in PROJECT_KINDS:
        raise ProjectError(f"Choose one of: {', '.join(PROJECT_KINDS)}.", field="kind")
    if data.visibility not in VISIBILITIES:
        raise ProjectError(f"Choose one of: {', '.join(VISIBILITIES)}.", field="visibility")
    test, market = data.target_test_on, data.target_market_on
    if test and market and market < test:
        raise ProjectError(
            "The market date cannot be before the test date.", field="target_market_on"
        )


def _site(actor: User, site_id: int | None, current: int | None = None) -> Site:
    site = db.session.get(Site, site_id) if site_id is not None else None
    if site is None:
        raise ProjectError("Choose a host site.", field="site_id")
    if site.id != current and not permissions.can_create_project(actor, site.id):
        raise ProjectError("You may not host projects at this site.", field="site_id")
    return site


def _themes(theme_ids: list[int]) -> list[Theme]:
    ids = set(theme_ids)
    themes = db.session.scalars(sa.select(Theme).where(Theme.id.in_(ids))).all() if ids else []
    if len(themes) != len(ids):
        raise ProjectError("One of the themes does not exist.", field="theme_ids")
    return list(themes)


def _lead_id(actor: User, requested: int | None, current: int | None) -> int:
    """Members lead with their own organization; only managers and admins choose."""
    if permissions.can_choose_lead(actor):
        lead_id = requested or current or actor.organization_id
        if lead_id is None:
            raise ProjectError("Choose the lead organization.", field="lead_organization_id")
        return lead_id
    default = current or actor.organization_id
    if requested is not None and requested != default:
        raise ProjectForbidden(
            "Only a site manager or an admin may change the lead organization.",
            field="lead_organization_id",
        )
    return default


def _organizations(
    lead_id: int, partners: list[PartnerInput]
) -> tuple[Organization, list[tuple[Organization, str]]]:
    """The lead and partner organizations, checked: known, no duplicates, lead not a partner."""
    seen: set[int] = set()
    for row, partner in enumerate(partners):
        if partner.role not in PARTNER_ROLES:
            raise ProjectError(f"Choose one of: {', '.join(PARTNER_ROLES)}.", "partners", row)
        if partner.organization_id == lead_id:
            raise ProjectError("The lead organization cannot also be a partner.", "partners", row)
        if partner.organization_id in seen:
            raise ProjectError("This organization is listed twice.", "partners", row)
        seen.add(partner.organization_id)
    wanted = seen | {lead_id}
    found = {o.id: o for o in db.session.scalars(sa.select(Organization).where(
        Organization.id.in_(wanted)))}  # fmt: skip
    if lead_id not in found:
        raise ProjectError("The lead organization does not exist.", field="lead_organization_id")
    for row, partner in enumerate(partners):
        if partner.organization_id not in found:
            raise ProjectError("This organization does not exist.", "partners", row)
    return found[lead_id], [(found[p.organization_id], p.role) for p in partners]


def _notify_added(actor: User, project: Project, added: list[tuple[Organization, str]]) -> None:
    for org, role in added:
        notify(
            member_ids_of([org.id]),
            "partner_added",
            f"{org.name} was added to “{project.title}” as {role.replace('_', ' ')}.",
            project=project,
            skip=actor,
        )


# --- use cases --------------------------------------------------------------------------


def create_project(actor: User, data: ProjectData | Mapping[str, Any]) -> Project:
    """A new project in develop, with its lead, partners, themes, history and notifications."""
    if not permissions.can_create_project(actor):
        raise ProjectForbidden("You may not create projects.")
    values = _merge(data, None)
    _check_fields(values)
    site = _site(actor, values.site_id)
    lead, partners = _organizations(
        _lead_id(actor, values.lead_organization_id, None), values.partners
    )
    now = utcnow()
    project = Project(
        **{k: getattr(values, k) for k in (*TEXT_LIMITS, "kind", "visibility")},
        target_test_on=values.target_test_on,
        target_market_on=values.target_market_on,
        site=site,
        lead_organization=lead,
        stage="develop",
        status="active",
        created_by_id=actor.id,
        created_at=now,
        last_activity_at=now,
        stage_entered_at=now,
    )
    project.themes = _themes(values.theme_ids)
    project.participations = [Participation(organization=lead, role="lead")] + [
        Participation(organization=org, role=role) for org, role in partners
    ]
    db.session.add(project)
    db.session.flush()
    db.session.add(
        StageEvent(
            project_id=project.id,
            to_stage="develop",
            to_status="active",
            actor_id=actor.id,
            at=now,
            note="Project created",
        )
    )
    created = {k: [None, v] for k, v in snapshot(project).items() if v not in (None, "", [])}
    audit(actor, "project_created", project, created)
    _notify_added(actor, project, partners)
    db.session.commit()
    return project


def update_project(
    actor: User,
    project: Project,
    data: ProjectData | Mapping[str, Any],
    expected_version: int,
) -> list[str]:
    """Save an edit made on version expected_version; returns the changed fields.

    A mapping may hold only the fields to change. Refused with EditConflict, writing
    nothing, when the project was saved by someone else after expected_version was read.
    """
    if not permissions.can_edit(actor, project):
        raise ProjectForbidden("You may not edit this project.")
    if project.version != expected_version:
        raise conflict(project, expected_version)
    values = _merge(data, current_data(project))
    _check_fields(values)
    site = _site(actor, values.site_id, current=project.site_id)
    lead, partners = _organizations(
        _lead_id(actor, values.lead_organization_id, project.lead_organization_id),
        values.partners,
    )
    themes = _themes(values.theme_ids)
    before = snapshot(project)
    added = sync_participations(project, lead, partners)
    for name in (*TEXT_LIMITS, "kind", "visibility", "target_test_on", "target_market_on"):
        setattr(project, name, getattr(values, name))
    project.site, project.lead_organization, project.themes = site, lead, themes
    changes = {k: [v, new] for k, v in before.items() if (new := snapshot(project)[k]) != v}
    if not changes:
        db.session.rollback()
        return []
    project.last_activity_at = utcnow()
    # The version pair lets a later conflict tell which fields this save changed.
    versions = [expected_version, expected_version + 1]
    audit(actor, "project_updated", project, {**changes, "version": versions})
    _notify_added(actor, project, added)
    return _commit_edit(project, expected_version, list(changes))


def _commit_edit(project: Project, expected_version: int, changed: list[str]) -> list[str]:
    try:
        db.session.commit()
    except StaleDataError:
        # Another transaction saved between our read and our write (PostgreSQL).
        db.session.rollback()
        fresh = db.session.get(
            Project, project.id, options=project_options(), populate_existing=True
        )
        raise conflict(fresh, expected_version) from None
    return changed


def conflict(project: Project, expected_version: int) -> EditConflict:
    """What changed since expected_version, from the audit trail, with current values."""
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.project_id == project.id, AuditEvent.action == "project_updated")
        .order_by(AuditEvent.id.desc())
        .limit(50)
    ).all()
    read: dict[str, Any] = {}
    for event in reversed(events):
        version = (event.changes or {}).get("version") or [0]
        if version[0] < expected_version:
            continue
        for name, (old, _new) in event.changes.items():
            if name != "version":
                read.setdefault(name, old)
    current = {**snapshot(project), "stage": project.stage, "status": project.status}
    changes = [
        ChangedField(name, FIELD_LABELS.get(name, name), old, current.get(name))
        for name, old in read.items()
    ]
    if not changes:  # a stage or status change (gate decision) also moves the version
        changes = [
            ChangedField(name, FIELD_LABELS[name], None, current[name])
            for name in ("stage", "status")
        ]
    return EditConflict(changes, project.version)
