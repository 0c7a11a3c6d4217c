"""Fast bulk creation of many projects for query-count and scale tests."""

from datetime import timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Participation, Project, utcnow
from tracker.models.project import project_themes


def add_projects(count, site, lead, partner=None, theme=None, **fields):
    """Insert count projects (with lead, partner and theme rows) in a few statements."""
    now = utcnow()
    start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Project.id), 0))) + 1
    stages = ("develop", "test", "market")
    rows = [
        {
            "id": start + i,
            "title": f"Bulk project {start + i}",
            "summary": "Generated for scale tests",
            "description": "",
            "site_id": site.id,
            "lead_organization_id": lead.id,
            "kind": "product",
            "stage": fields.get("stage", stages[i % 3]),
            "status": fields.get("status", "active"),
            "visibility": fields.get("visibility", "network"),
            "created_at": now - timedelta(days=100),
            "updated_at": now,
            "last_activity_at": now - timedelta(minutes=i),
            "stage_entered_at": now - timedelta(days=10 + i % 50),
            "version": 1,
        }
        for i in range(count)
    ]
    db.session.execute(sa.insert(Project), rows)
    parts = [
        {"project_id": r["id"], "organization_id": lead.id, "role": "lead", "created_at": now}
        for r in rows
    ]
    if partner is not None:
        parts += [
            {
                "project_id": r["id"],
                "organization_id": partner.id,
                "role": "startup",
                "created_at": now,
            }
            for r in rows
        ]
    db.session.execute(sa.insert(Participation), parts)
    if theme is not None:
        db.session.execute(
            sa.insert(project_themes), [{"project_id": r["id"], "theme_id": theme.id} for r in rows]
        )
    db.session.commit()
    return [r["id"] for r in rows]
