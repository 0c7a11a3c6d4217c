"""Create and edit cooperation projects: partners, themes, history, audit and notifications.

Callers (pages and API) pass plain values (ProjectData or a dict) and get domain errors back.
"""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from tracker.activity import audit, tell_partners_added, values_when_read
from tracker.auth import permissions
from tracker.database import keep, transaction
from tracker.extensions import db
from tracker.loaders import PROJECT_DETAILS
from tracker.models import AuditEvent, Organization, Project, StageEvent, User
from tracker.models.base import utcnow
from tracker.projects import validation as check
from tracker.projects.domain import (  # noqa: F401  (re-exported for callers)
    FIELD_LABELS,
    PARTNER_ROLES,
    TEXT_LIMITS,
    ChangedField,
    EditConflict,
    PartnerInput,
    ProjectData,
    ProjectError,
    ProjectForbidden,
    current_data,
    merge,
    partner_label,
    snapshot,
)
from tracker.projects.partners import insert_participations, sync_participations


def _notify_added(actor: User, project: Project, added: list[tuple[Organization, str]]) -> None:
    """Each added organization's members hear of it: one statement for all of them."""
    tell_partners_added(actor, project, added)


def _add_participations(
    project: Project, lead: Organization, partners: list[tuple[Organization, str]]
) -> None:
    """The lead's and the partners' participations of a flushed project in one INSERT."""
    insert_participations(project, [(lead, "lead"), *partners])


# --- use cases --------------------------------------------------------------------------


def create_project(actor: User, data: ProjectData | Mapping[str, Any]) -> Project:
    """A new project in develop, with its lead, partners, themes, history and notifications."""
    if not permissions.can_create_project(actor):
        raise ProjectForbidden(_("You may not create projects."))
    values = merge(data, None)
    check.check_fields(values)
    site = check.host_site(actor, values.site_id)
    lead, partners = check.organizations(
        check.lead_id(actor, values.lead_organization_id, None), values.partners
    )
    with transaction():
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
        project.themes = check.themes(values.theme_ids)
        db.session.add(project)
        db.session.flush()
        _add_participations(project, lead, partners)
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
        keep(project)  # its columns for the redirect and message, without reading it back
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
        raise ProjectForbidden(_("You may not edit this project."))
    if project.version != expected_version:
        raise conflict(project, expected_version)
    values = merge(data, current_data(project))
    check.check_fields(values)
    site = check.host_site(actor, values.site_id, current=project.site_id)
    lead, partners = check.organizations(
        check.lead_id(actor, values.lead_organization_id, project.lead_organization_id),
        values.partners,
        frozenset((p.organization_id, p.role) for p in project.participations),
    )
    themes = check.themes(values.theme_ids)
    before = snapshot(project)
    added = sync_participations(project, lead, partners)
    for name in (
        *TEXT_LIMITS,
        "kind",
        "visibility",
        "target_test_on",
        "target_market_on",
    ):
        setattr(project, name, getattr(values, name))
    project.site, project.lead_organization, project.themes = site, lead, themes
    changes = {k: [v, new] for k, v in before.items() if (new := snapshot(project)[k]) != v}
    if not changes:
        db.session.rollback()
        return []
    try:
        with transaction():
            project.last_activity_at = utcnow()
            # The version pair lets a later conflict tell which fields this save changed.
            versions = [expected_version, expected_version + 1]
            audit(actor, "project_updated", project, {**changes, "version": versions})
            _notify_added(actor, project, added)
    except StaleDataError:
        # Another transaction saved between our read and our write (PostgreSQL).
        fresh = db.session.get(Project, project.id, options=PROJECT_DETAILS, populate_existing=True)
        raise conflict(fresh, expected_version) from None
    return list(changes)


def conflict(project: Project, expected_version: int) -> EditConflict:
    """What changed since expected_version, from the audit trail, with current values."""
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.project_id == project.id, AuditEvent.action == "project_updated")
        .order_by(AuditEvent.id.desc())
        .limit(50)
    ).all()
    read = values_when_read(reversed(events), expected_version)
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
