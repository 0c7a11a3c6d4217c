"""/lessons: stopped projects with their latest stop reason, scoped, searchable, paginated."""

import html
import re
from datetime import timedelta

import pytest

from tests import factories as f
from tests.projects_support import queries_for
from tracker.extensions import db
from tracker.models import StageEvent, utcnow
from tracker.projects import queries


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
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    assert len(queries_for(client, following)) == len(few)  # a deep page costs the same


def _stopped_projects(world, n: int) -> None:
    """n stopped projects, "Stopped 0" the oldest stop; two stopped at the same moment
    (the id orders them) and one without a stop event (last)."""
    moment = utcnow() - timedelta(days=400)
    for i in range(n):
        project = f.make_project(world.lingen, world.lead_org, title=f"Stopped {i:02d}")
        project.status = "stopped"
        if i:
            at = moment + timedelta(days=i if i != 2 else 1)  # 1 and 2: the same moment
            db.session.add(
                StageEvent(
                    project_id=project.id,
                    from_stage=project.stage,
                    to_stage=project.stage,
                    from_status="active",
                    to_status="stopped",
                    at=at,
                    note=f"Reason {i:02d}",
                )
            )
    db.session.commit()


def _titles(page: str) -> list[str]:
    return re.findall(r">(Stopped \d\d)</a>", page)


def test_lessons_page_by_cursor_and_old_numbered_links_redirect(client, world, login, monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", 3)
    _stopped_projects(world, 8)  # pages: 07 06 05 | 04 03 02 | 01 00
    login(world.admin)
    first = client.get("/lessons").get_data(as_text=True)
    assert _titles(first) == ["Stopped 07", "Stopped 06", "Stopped 05"]
    assert "Page 1 of 3" in first and 'rel="prev"' not in first
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    assert "after=" in following and "page=" not in following
    second = client.get(following).get_data(as_text=True)
    assert _titles(second) == ["Stopped 04", "Stopped 03", "Stopped 02"]
    third_link = html.unescape(re.search(r'href="([^"]+)" rel="next"', second).group(1))
    third = client.get(third_link).get_data(as_text=True)
    assert _titles(third) == ["Stopped 01", "Stopped 00"] and 'rel="next"' not in third
    assert "Page 3 of 3" in third
    back = html.unescape(re.search(r'href="([^"]+)" rel="prev"', third).group(1))
    assert _titles(client.get(back).get_data(as_text=True)) == _titles(second)
    # an old numbered link lands on the same rows by cursor
    moved = client.get("/lessons?page=3")
    assert moved.status_code == 302 and "after=" in moved.location
    assert "page=" not in moved.location
    assert _titles(client.get(moved.location).get_data(as_text=True)) == _titles(third)
    assert client.get("/lessons?page=1").status_code == 302
    assert client.get("/lessons?page=4").status_code == 404
    assert client.get(f"/lessons?page={10**30}").status_code in (400, 404)
    for nonsense in ("abc", "0", "-1", "2.5"):
        assert client.get(f"/lessons?page={nonsense}").status_code == 400
    # a made-up cursor is the first page, not an error
    for made_up in ("x", "W10", "bm90LWEtY3Vyc29y"):
        page = client.get(f"/lessons?after={made_up}").get_data(as_text=True)
        assert _titles(page) == _titles(first)


def test_lessons_pages_keep_the_search(client, world, login, monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", 2)
    _stopped_projects(world, 8)
    login(world.admin)
    moved = client.get("/lessons?q=Reason&page=2")
    assert moved.status_code == 302 and "q=Reason" in moved.location
    second = client.get(moved.location).get_data(as_text=True)
    assert _titles(second) == ["Stopped 05", "Stopped 04"]  # 00 has no reason to match
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', second).group(1))
    assert "q=Reason" in following
    assert "q=Reason" in html.unescape(re.search(r'href="([^"]+)" rel="prev"', second).group(1))
    assert client.get("/lessons?q=Reason&page=4").status_code == 302
    assert client.get("/lessons?q=Reason&page=5").status_code == 404
