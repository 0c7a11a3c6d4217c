"""Bring a project's participations in line with the wanted lead and partners."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import Organization, Participation, Project


def sync_participations(
    project: Project, lead: Organization, partners: list[tuple[Organization, str]]
) -> list[tuple[Organization, str]]:
    """Remove, re-role and add participations; returns the organizations newly added.

    A replaced lead stays on as a partner (so it keeps access) unless listed otherwise;
    remove it in a later edit if needed. The lead itself can never be removed.
    """
    wanted = {org.id: role for org, role in partners}
    orgs = {org.id: org for org, _ in partners}
    existing = {p.organization_id: p for p in project.participations}
    old_lead = next(p for p in project.participations if p.role == "lead")
    if old_lead.organization_id != lead.id:
        wanted.setdefault(old_lead.organization_id, "partner")
        orgs.setdefault(old_lead.organization_id, old_lead.organization)
    wanted[lead.id] = "lead"
    orgs[lead.id] = lead

    for participation in list(project.participations):
        if participation.organization_id not in wanted:
            project.participations.remove(participation)
    if old_lead.organization_id != lead.id:
        # One lead per project is a unique index: demote the old one before promoting.
        old_lead.role = wanted[old_lead.organization_id]
        db.session.flush()

    added = []
    for org_id, role in wanted.items():
        if org_id in existing:
            existing[org_id].role = role
        else:
            added.append((orgs[org_id], role))
    if added:
        db.session.flush()  # removals and role changes first: one lead per project is unique
        insert_participations(project, added, kept=list(project.participations))
    return added


def insert_participations(
    project: Project, pairs: list[tuple[Organization, str]], kept: Sequence[Participation] = ()
) -> None:
    """Participations of a flushed project in one INSERT … RETURNING; its collection becomes
    kept + these, in the order given. Left to the unit of work, each row would be an INSERT of
    its own on SQLite (it needs every new id back in order, which SQLite's RETURNING does not
    promise); RETURNING hands the rows back in any order and each is matched here."""
    rows = [
        {"project_id": project.id, "organization_id": org.id, "role": role} for org, role in pairs
    ]
    inserted = db.session.scalars(sa.insert(Participation).returning(Participation), rows).all()
    orgs = {org.id: org for org, _role in pairs}
    for participation in inserted:
        set_committed_value(participation, "project", project)
        set_committed_value(participation, "organization", orgs[participation.organization_id])
    order = list(orgs)
    inserted = sorted(inserted, key=lambda p: order.index(p.organization_id))
    set_committed_value(project, "participations", [*kept, *inserted])
