"""/lessons: stopped projects with their latest stop reason, scoped, searchable, paginated."""

from datetime import timedelta

import pytest

from tests import factories as f
from tests.projects_support import queries_for
from tracker.extensions import db
from tracker.models import StageEvent, utcnow


def _stop(project, reason: str, days_ago: int = 1) -> None:
    project.status = "stopped"
    db.session.add(
        StageEvent(
            project_id=project.id,
            from_stage=project.stage,
            to_stage=project.stage,
            from_status="active",
            to_status="stopped",
            at=utcnow() - timedelta(days=days_ago),
            note=reason,
        )
    )
    db.session.commit()


@pytest.fixture
def stopped(world):
    _stop(world.network_project, "Old reason, superseded", days_ago=30)
    _stop(world.network_project, "No pilot customer for the forecast")
    _stop(world.consortium_project, "Electrolyser supplier went bankrupt")
    return world


def test_lessons_show_the_latest_stop_reason(client, stopped, login):
    login(stopped.partner_member)
    page = client.get("/lessons").get_data(as_text=True)
    assert "No pilot customer for the forecast" in page
    assert "Old reason, superseded" not in page
    assert "Electrolyser supplier went bankrupt" in page
    assert "Lingen" in page and "Lead Org" in page


def test_lessons_never_show_projects_the_reader_may_not_see(client, stopped, login):
    login(stopped.outsider)
    page = client.get("/lessons").get_data(as_text=True)
    assert "Open hydrogen forecast" in page
    assert "Secret electrolyser twin" not in page and "bankrupt" not in page
    assert "Secret" not in client.get("/lessons?q=bankrupt").get_data(as_text=True)


def test_lessons_search_title_summary_and_reason(client, stopped, login):
    login(stopped.admin)
    by_reason = client.get("/lessons?q=PILOT customer").get_data(as_text=True)
    assert "Open hydrogen forecast" in by_reason and "Secret electrolyser twin" not in by_reason
    by_title = client.get("/lessons?q=electrolyser").get_data(as_text=True)
    assert "Secret electrolyser twin" in by_title and "Open hydrogen forecast" not in by_title
    nothing = client.get("/lessons?q=zzz").get_data(as_text=True)
    assert "No stopped project matches" in nothing


def test_active_projects_are_not_lessons(client, world, login):
    login(world.admin)
    page = client.get("/lessons").get_data(as_text=True)
    assert "Open hydrogen forecast" not in page
    assert "nothing to learn from yet" in page


def test_patrons_get_403(client, world, login):
    login(world.patron)
    assert client.get("/lessons").status_code == 403


def test_lessons_page_and_keep_a_fixed_query_count(client, world, login):
    for n in range(3):
        _stop(f.make_project(world.lingen, world.lead_org, title=f"Stopped {n}"), f"Reason {n}")
    login(world.lead_member)
    few = queries_for(client, "/lessons")
    for n in range(3, 30):
        _stop(f.make_project(world.lingen, world.lead_org, title=f"Stopped {n}"), f"Reason {n}")
    assert len(few) == len(queries_for(client, "/lessons"))
    first = client.get("/lessons").get_data(as_text=True)
    assert first.count("Reason ") == 25
    assert "Reason 0" in client.get("/lessons?page=2").get_data(as_text=True)
