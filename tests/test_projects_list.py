"""/projects: scoping, every filter, sorting, pagination and a bounded number of queries."""

import base64
import json
import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.projects_support import queries_for
from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import Participation, Project, utcnow
from tracker.projects import queries


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


def _link(page: str, rel: str) -> str | None:
    """The path of the page's next or prev link, or None."""
    match = re.search(rf'href="/projects([^"]*)" rel="{rel}"', page)
    return unescape(match.group(1)) if match else None


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<td><a href="/projects/(\d+)">', page)]


def test_pages_hold_25_and_keep_the_filters(client, world, login):
    _bulk_projects(world, 60)
    login(world.lead_member)
    first = _titles(client, "?q=bulk&sort=activity")
    assert first.count(">Bulk ") == 25
    assert "Bulk 0000" in first and "Bulk 0025" not in first
    assert _link(first, "prev") is None
    assert "q=bulk" in _link(first, "next")
    second = _titles(client, _link(first, "next"))
    assert "Page 2" in second
    assert "Bulk 0025" in second and "Bulk 0049" in second and "Bulk 0024" not in second
    third = _titles(client, _link(second, "next"))
    assert third.count(">Bulk ") == 10 and "Bulk 0059" in third
    assert _link(third, "next") is None
    assert _ids(_titles(client, _link(third, "prev"))) == _ids(second)


def test_numbered_pages_of_old_links_redirect_to_the_same_page_by_cursor(client, world, login):
    _bulk_projects(world, 60)
    login(world.lead_member)
    moved = client.get("/projects?q=bulk&page=3")
    assert moved.status_code == 302
    assert "page=" not in moved.location and "after=" in moved.location
    assert "q=bulk" in moved.location
    third = _titles(client, moved.location.removeprefix("/projects"))
    assert third.count(">Bulk ") == 10
    assert "Bulk 0059" in third and "Page 3" in third
    second = _titles(client, _link(third, "prev"))
    assert "Bulk 0025" in second and "Bulk 0049" in second and "Page 2" in second
    first = client.get("/projects?q=bulk&page=1")
    assert first.status_code == 302 and "page=" not in first.location
    assert "after=" not in first.location
    # beyond the list's last page: no such page
    assert client.get("/projects?q=bulk&page=4").status_code == 404
    assert client.get("/projects?q=bulk&page=9").status_code == 404


def test_one_page_past_a_full_last_page_is_no_page(client, world, login):
    """Two full pages (50 projects): page 2 is there, page 3 is not (it was redirected to an
    empty page: the cursor was page 2's last row, which exists)."""
    _bulk_projects(world, 50)
    login(world.lead_member)
    assert client.get("/projects?q=bulk&page=2").status_code == 302
    assert client.get("/projects?q=bulk&page=3").status_code == 404


def _tied_projects(world, count: int = 58) -> None:
    """Projects whose sort keys tie in groups of 7 (times) or differ only in letter case."""
    now = utcnow().replace(microsecond=0)
    projects = [
        Project(
            site_id=world.lingen.id,
            lead_organization_id=world.lead_org.id,
            title=f"{'Tie' if n % 2 else 'tie'} {n // 7:02d}",
            last_activity_at=now - timedelta(hours=n // 7),
            created_at=now - timedelta(days=n // 7),
            stage_entered_at=now - timedelta(days=3 * (n % 5)),
        )
        for n in range(count)
    ]
    for project in projects:
        project.participations = [Participation(organization_id=world.lead_org.id, role="lead")]
    db.session.add_all(projects)
    db.session.commit()


EXPECTED_ORDER = {  # sort: (key, descending), computed in Python from the rows
    "activity": (lambda p: (p.last_activity_at, p.id), True),
    "title": (lambda p: (p.title.lower(), p.id), False),
    "created": (lambda p: (p.created_at, p.id), True),
    "stage_entered": (lambda p: (p.stage_entered_at, p.id), False),
}


@pytest.mark.parametrize("sort", sorted(EXPECTED_ORDER))
def test_next_and_previous_links_walk_every_sort_without_skips_or_repeats(
    client, world, login, sort
):
    _tied_projects(world)
    key, descending = EXPECTED_ORDER[sort]
    everything = db.session.scalars(sa.select(Project)).all()
    expected = [p.id for p in sorted(everything, key=key, reverse=descending)]
    login(world.admin)
    pages, query = [], f"?sort={sort}"
    while query:
        page = _titles(client, query)
        pages.append(_ids(page))
        assert f"Page {len(pages)}" in page
        query = _link(page, "next")
    assert [i for ids in pages for i in ids] == expected
    assert [len(ids) for ids in pages] == [25, 25, len(expected) - 50]
    backwards, query = [pages[-1]], _link(page, "prev")
    while query:
        page = _titles(client, query)
        backwards.insert(0, _ids(page))
        query = _link(page, "prev")
    assert backwards == pages
    assert "Page 1" in page


def test_a_cursor_of_another_sort_or_a_broken_one_shows_the_first_page(client, world, login):
    _bulk_projects(world, 30)
    login(world.admin)
    by_title = _link(_titles(client, "?sort=title"), "next")
    assert by_title.startswith("?after=")
    cursor = by_title.removeprefix("?after=").split("&")[0]
    first = _ids(_titles(client, ""))
    made_up = [
        ["activity", "2026-01-01T00:00:00", 5, 2],  # a time without its UTC offset
        ["activity", "2026-01-01T00:00:00+00:00", 10**30, 2],  # an id no database holds
        ["title", "a", 5, 0],
        ["title", 5, 5, 2],
    ]
    encoded = [base64.urlsafe_b64encode(json.dumps(c).encode()).decode() for c in made_up]
    queries = ["?after=bm90LWEtY3Vyc29y", "?before=%25%25", "?after=W10", f"?after={cursor}"]
    for query in queries + [f"?after={c}" for c in encoded] + [f"?before={c}" for c in encoded]:
        page = _titles(client, query)
        assert "That page link is not valid any more" in page
        assert _ids(page) == first


def test_a_page_number_beyond_the_list_is_no_page(client, world, login):
    login(world.admin)
    assert client.get(f"/projects?page={10**6}").status_code == 404
    assert client.get(f"/projects?page={2**31 - 1}").status_code == 404


def test_an_absurd_page_number_is_no_page_not_an_error(client, world, login):
    login(world.admin)
    # Beyond the database's integer range (tracker/bounds.py): no such page, never a 500.
    assert client.get(f"/projects?page={10**30}").status_code == 404
    for nonsense in ("0", "-1", "abc", "1.5", "%00", "", "9" * 5000):
        assert client.get(f"/projects?page={nonsense}").status_code in (400, 404, 414), nonsense


def test_the_count_stops_at_the_cap_and_counts_all_on_request(client, world, login, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 10)
    _bulk_projects(world, 30)
    login(world.admin)
    page = _titles(client, "?q=bulk")
    assert "More than 10 projects match these filters." in page
    assert 'href="/projects?count=all&amp;q=bulk"' in page
    exact = _titles(client, "?q=bulk&count=all")
    assert "30 projects match these filters." in exact
    assert "count=all" in _link(exact, "next")
    assert "10 projects match these filters." in _titles(client, "?q=bulk+001")


@pytest.mark.parametrize("sort", sorted(EXPECTED_ORDER))
def test_query_count_does_not_grow_with_the_number_of_projects(client, world, login, sort):
    login(world.manager)
    _bulk_projects(world, 8)
    few = queries_for(client, f"/projects?sort={sort}")
    _bulk_projects(world, 490)
    many = queries_for(client, f"/projects?sort={sort}")
    second = _link(_titles(client, f"?sort={sort}"), "next")
    deeper = queries_for(client, f"/projects{second}")
    back = queries_for(client, "/projects" + _link(_titles(client, second), "prev"))
    # an old numbered link: a redirect (one statement for the cursor), then a cursor page
    db.session.commit()
    db.session.expire_all()
    with count_queries() as old_link:
        moved = client.get(f"/projects?sort={sort}&page=12").location
    numbered = queries_for(client, moved)
    assert len(few) == len(many) == len(deeper) == len(back) == len(numbered) <= 12
    assert len(old_link) <= 12


def test_the_signed_in_user_comes_with_the_sites_they_manage_in_one_query(client, world, login):
    login(world.manager)
    statements = queries_for(client, "/projects")
    about_user = [s for s in statements if "site_managers" in s or "FROM users" in s]
    assert len(about_user) == 1
    assert "site_managers" in about_user[0] and "FROM users" in about_user[0]
