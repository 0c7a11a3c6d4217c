"""Helpers shared by the project test modules: form payloads, a SQL statement counter, and
moving a project to another stage or status with its StageEvent."""

from contextlib import contextmanager

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import StageEvent


def project_form(site, **fields) -> dict:
    """A valid /projects/new payload; partners as [(org, role)] become partner rows."""
    partners = fields.pop("partners", [])
    data = {
        "title": "Hydrogen-cooled inference",
        "summary": "A pilot for a green data centre.",
        "description": "Line one\nLine two",
        "site_id": str(site.id),
        "kind": "product",
        "visibility": "network",
        "target_test_on": "",
        "target_market_on": "",
    }
    for index, (org, role) in enumerate(partners):
        data[f"partners-{index}-organization_id"] = str(org.id) if org else ""
        data[f"partners-{index}-role"] = role
    data.update(fields)
    return data


@contextmanager
def count_queries():
    """Counts SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def queries_for(client, url: str) -> list[str]:
    """The statements one GET sends, starting from an expired session as a fresh request would."""
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


def advance(project, stage: str, at, status: str | None = None) -> None:
    """Move a project to stage (and status) at a given time, with its StageEvent."""
    status = status or project.status
    db.session.add(
        StageEvent(
            project_id=project.id,
            from_stage=project.stage,
            to_stage=stage,
            from_status=project.status,
            to_status=status,
            at=at,
        )
    )
    if stage != project.stage:
        project.stage_entered_at = at
    project.stage, project.status = stage, status
    db.session.commit()
