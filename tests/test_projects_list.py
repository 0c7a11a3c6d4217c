"""/projects: scoping, every filter, sorting, pagination and a bounded number of queries."""

from datetime import timedelta

import pytest

from tests import factories as f
from tests.projects_support import queries_for
from tracker.extensions import db
from tracker.models import Participation, Project, utcnow


def _titles(client, query="") -> str:
    response = client.get("/projects" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_outsider_never_sees_a_consortium_project_in_the_list_or_search(client, world, login):
    login(world.outsider)
    page = _titles(client)
    assert "Open hydrogen forecast" in page
    assert "Secret electrolyser twin" not in page
    assert "Secret electrolyser twin" not in _titles(client, "?q=secret")
    assert "Secret electrolyser twin" not in _titles(client, f"?org={world.lead_org.id}")


def test_partner_member_sees_the_consortium_project(client, world, login):
    login(world.partner_member)
    assert "Secret electrolyser twin" in _titles(client)


def test_patron_gets_403(client, world, login):
    login(world.patron)
    assert client.get("/projects").status_code == 403


def test_sign_in_required(client, world):
    assert client.get("/projects").status_code == 302


@pytest.fixture
def varied(world):
    """Projects that differ in one filterable property each from the world's two."""
    hydrogen = f.make_theme("green-hydrogen", "Green hydrogen")
    return {
        "berlin": f.make_project(world.berlin, world.other_org, title="Berlin mobility"),
        "test": f.make_project(world.lingen, world.other_org, title="Testing twin", stage="test"),
        "hold": f.make_project(world.lingen, world.other_org, title="Paused", status="on_hold"),
        "theme": f.make_project(
            world.lingen, world.other_org, [], [hydrogen], title="Electrolysis"
        ),
        "strategy": f.make_project(world.lingen, world.other_org, title="Roadmap", kind="strategy"),
        "org": f.make_project(
            world.berlin, world.other_org, [(world.partner_org, "pilot_customer")], title="Pilots"
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?site=berlin", {"Berlin mobility", "Pilots"}),
        ("?stage=test", {"Testing twin"}),
        ("?status=on_hold", {"Paused"}),
        ("?theme=green-hydrogen", {"Electrolysis"}),
        ("?kind=strategy", {"Roadmap"}),
        ("?visibility=consortium", {"Secret electrolyser twin"}),
        ("?q=ELECTRO", {"Electrolysis", "Secret electrolyser twin"}),
        ("?q=100%25", set()),
        ("?site=berlin&org=PARTNER", {"Pilots"}),
        ("?org=PARTNER", {"Pilots", "Open hydrogen forecast", "Secret electrolyser twin"}),
    ],
)
def test_each_filter_narrows_the_list(client, world, login, varied, query, expected):
    login(world.admin)
    page = _titles(client, query.replace("PARTNER", str(world.partner_org.id)))
    every = {p.title for p in varied.values()} | {
        "Open hydrogen forecast",
        "Secret electrolyser twin",
    }
    shown = {title for title in every if f">{title}</a>" in page}
    assert shown == expected


def test_sorting_by_title_and_by_time_in_stage(client, world, login):
    now = utcnow()
    f.make_project(world.lingen, world.lead_org, title="Alpha", stage_entered_at=now)
    f.make_project(
        world.lingen, world.lead_org, title="Zulu", stage_entered_at=now - timedelta(days=90)
    )
    login(world.admin)
    by_title = _titles(client, "?sort=title")
    assert (
        by_title.index(">Alpha</a>") < by_title.index(">Open hydrogen") < by_title.index(">Zulu<")
    )
    longest = _titles(client, "?sort=stage_entered")
    assert longest.index(">Zulu</a>") < longest.index(">Alpha</a>")


def _bulk_projects(world, count: int) -> None:
    now = utcnow()
    projects = [
        Project(
            site_id=world.lingen.id,
            lead_organization_id=world.lead_org.id,
            title=f"Bulk {n:04d}",
            last_activity_at=now - timedelta(minutes=n),
            visibility="consortium" if n % 2 else "network",
        )
        for n in range(count)
    ]
    for project in projects:
        project.themes = [world.ai]
        project.participations = [Participation(organization_id=world.lead_org.id, role="lead")]
    db.session.add_all(projects)
    db.session.commit()


def test_pages_hold_25_and_keep_the_filters(client, world, login):
    _bulk_projects(world, 60)
    login(world.lead_member)
    first = _titles(client, "?q=bulk&sort=activity")
    assert first.count(">Bulk ") == 25
    assert "Bulk 0000" in first and "Bulk 0025" not in first
    assert "page=2&amp;q=bulk" in first or "q=bulk&amp;page=2" in first
    third = _titles(client, "?q=bulk&page=3")
    assert third.count(">Bulk ") == 10
    assert "Bulk 0059" in third


def test_query_count_does_not_grow_with_the_number_of_projects(client, world, login):
    login(world.manager)
    _bulk_projects(world, 8)
    few = queries_for(client, "/projects")
    _bulk_projects(world, 490)
    many = queries_for(client, "/projects")
    assert len(few) == len(many) <= 12


def test_the_signed_in_user_comes_with_the_sites_they_manage_in_one_query(client, world, login):
    login(world.manager)
    statements = queries_for(client, "/projects")
    about_user = [s for s in statements if "site_managers" in s or "FROM users" in s]
    assert len(about_user) == 1
    assert "site_managers" in about_user[0] and "FROM users" in about_user[0]
