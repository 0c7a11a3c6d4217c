"""Bring a project's participations in line with the wanted lead and partners."""

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
            project.participations.append(Participation(organization=orgs[org_id], role=role))
            added.append((orgs[org_id], role))
    return added
