"""The /dashboard page: who sees what, links that reproduce their counts, charts, query counts."""

import re
from datetime import timedelta
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.bulk import add_projects
from tests.querycount import count_queries
from tracker.dashboard import kept, overview
from tracker.dashboard.filters import read_selection
from tracker.extensions import db
from tracker.models import GateReview, Organization, Project, Site, StageEvent, Theme, utcnow

LINK = re.compile(r'<a href="(/projects\?[^"]*)">([\d,]+)</a>')
LIST_FILTERS = {"site", "stage", "status", "theme", "org", "kind", "visibility", "q"}


def signed_in(client, login, user):
    fresh = client.application.test_client()
    login(user, test_client=fresh)
    return fresh


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def pipeline(world):
    """World plus projects at Lingen in every stage, and a consortium project at Berlin."""
    f.make_project(world.lingen, world.lead_org, stage="test", title="Pilot at the port")
    f.make_project(world.lingen, world.lead_org, stage="market", title="Launched twin")
    f.make_project(
        world.lingen, world.other_org, stage="develop", status="on_hold", visibility="consortium"
    )
    f.make_project(
        world.berlin, world.other_org, visibility="consortium", title="Berlin private plan"
    )
    return world


@pytest.mark.parametrize("who", ["admin", "manager", "lead_member", "patron"])
def test_every_signed_in_role_sees_the_dashboard(client, login, world, who):
    response = signed_in(client, login, world.user(who)).get("/dashboard")
    assert response.status_code == 200
    assert "Pipeline dashboard" in text_of(response)


def test_dashboard_needs_a_signed_in_user(client, world):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_site_manager_starts_on_their_own_site(client, login, pipeline):
    page = text_of(signed_in(client, login, pipeline.manager).get("/dashboard"))
    assert '<option value="lingen" selected>' in page
    assert "Berlin private plan" not in page


def test_every_link_a_site_manager_follows_lists_exactly_the_projects_it_counts(
    client, login, pipeline
):
    manager = signed_in(client, login, pipeline.manager)
    page = text_of(manager.get("/dashboard"))
    followed = 0
    for href, shown in LINK.findall(page):
        href = unescape(href)
        if not set(parse_qs(urlsplit(href).query)) <= LIST_FILTERS:
            continue  # filters the project list does not offer yet (reported to the lead)
        listed = re.search(r"([\d,]+) projects?\b", text_of(manager.get(href)))
        assert listed and listed.group(1) == shown, href
        followed += 1
    assert followed >= 10


def test_site_manager_sees_stalled_projects_by_name_and_patron_only_their_number(
    client, login, world
):
    long_ago = utcnow() - timedelta(days=90)
    f.make_project(
        world.lingen, world.lead_org, title="Quiet sensor pilot", last_activity_at=long_ago
    )
    page = text_of(signed_in(client, login, world.manager).get("/dashboard"))
    assert "Quiet sensor pilot" in page and "stalled=1" in page
    page = text_of(signed_in(client, login, world.patron).get("/dashboard"))
    assert "Quiet sensor pilot" not in page


def test_manager_of_two_sites_starts_on_both_with_links_naming_each(client, login, pipeline):
    both = f.make_user("site_manager", sites=[pipeline.lingen, pipeline.berlin])
    page = text_of(signed_in(client, login, both).get("/dashboard"))
    assert '<option value="mine" selected>My sites</option>' in page
    assert "My sites: Berlin, Lingen" in page
    assert "site=berlin&amp;site=lingen" in page
    assert "including consortium projects you cannot open" not in page


def test_site_manager_may_look_at_the_whole_network_with_a_note(client, login, pipeline):
    page = text_of(signed_in(client, login, pipeline.manager).get("/dashboard?site=all"))
    assert "Whole network" in page
    assert "including consortium projects you cannot open" in page


def test_member_sees_network_figures_with_links_and_a_note_about_hidden_projects(
    client, login, pipeline
):
    page = text_of(signed_in(client, login, pipeline.lead_member).get("/dashboard"))
    assert "Whole network" in page and "/projects?" in page
    assert "including consortium projects you cannot open" in page
    assert "Berlin private plan" not in page


def test_unknown_filters_are_named_and_ignored(client, login, world):
    page = text_of(signed_in(client, login, world.admin).get("/dashboard?site=nowhere&theme=x"))
    assert "There is no site “nowhere”" in page
    assert "There is no theme “x”" in page


HEADLINE_PROJECTS = r'headline-label">Projects</dt>\s*<dd class="figure[^"]*">(.*?)</dd>'


def test_patron_sees_fewer_than_3_instead_of_one_or_two(client, login, world):
    patron = signed_in(client, login, world.patron)
    page = text_of(patron.get("/dashboard"))
    total = re.search(HEADLINE_PROJECTS, page, re.S)
    assert "fewer than 3" in total.group(1)
    f.make_project(world.berlin, world.other_org)
    page = text_of(patron.get("/dashboard"))
    total = re.search(HEADLINE_PROJECTS, page, re.S)
    assert total.group(1).strip() == "3"
    # Narrowed to Berlin, one project is left: withheld again.
    page = text_of(patron.get("/dashboard?site=berlin"))
    total = re.search(HEADLINE_PROJECTS, page, re.S)
    assert "fewer than 3" in total.group(1)


def test_admin_sees_small_counts(client, login, world):
    page = text_of(signed_in(client, login, world.admin).get("/dashboard"))
    total = re.search(HEADLINE_PROJECTS, page, re.S)
    assert ">2<" in total.group(1)


def test_patron_figures_link_nowhere_and_name_no_project(client, login, pipeline):
    patron = signed_in(client, login, pipeline.patron)
    for query in ("", "?site=lingen", "?site=berlin", "?theme=ai", "?period=this_year"):
        page = text_of(patron.get("/dashboard" + query))
        assert "/projects?" not in page
        for project in db.session.scalars(sa.select(Project)):
            assert project.title not in page


def test_charts_are_bars_with_their_tables_behind_show_data_and_no_inline_style(
    client, login, pipeline
):
    page = text_of(signed_in(client, login, pipeline.admin).get("/dashboard"))
    assert 'class="headline-strip' in page
    assert page.count('<ul class="hchart') >= 7  # label, bar and value in text, not an image
    shown = re.findall(
        r'<details class="show-data">\s*<summary>Show data'
        r'<span class="visually-hidden">: ([^<]+)</span></summary>',
        page,
    )
    assert len(shown) >= 9 and len(set(shown)) == len(shown)  # each names its table
    assert page.count('class="table table-sm figure-table') == len(shown)
    assert "<pattern" not in page and "url(#" not in page  # solid colours, no hatching
    assert "style=" not in page and "<script>" not in page
    assert "css/dashboard.css" in page


def _add_history(project_ids: list[int]) -> None:
    now = utcnow()
    db.session.execute(
        sa.insert(StageEvent),
        [
            {"project_id": i, "to_stage": "develop", "to_status": "active", "note": "",
             "at": now - timedelta(days=200 + i % 30)}
            for i in project_ids
        ]
        + [
            {"project_id": i, "from_stage": "develop", "to_stage": "test", "from_status": "active",
             "to_status": "active", "note": "", "at": now - timedelta(days=100 + i % 40)}
            for i in project_ids
        ],
    )  # fmt: skip
    db.session.execute(
        sa.insert(GateReview),
        [
            {"project_id": i, "from_stage": "develop", "to_stage": "test", "evidence": "",
             "reason": "", "decision": "go", "requested_at": now - timedelta(days=105),
             "decided_at": now - timedelta(days=100)}
            for i in project_ids
        ],
    )  # fmt: skip
    db.session.commit()


MAX_QUERIES = 12  # per page, the signed-in user's own loading included
VIEWS = ("", "?site=all", "?site=berlin", "?theme=ai", "?period=last_quarter")


def world_rows():
    """The world's sites, organizations and theme, loaded afresh (tests expunge the session
    before counting queries, as a new request would start)."""
    sites = {site.slug: site for site in db.session.scalars(sa.select(Site))}
    orgs = {org.name: org for org in db.session.scalars(sa.select(Organization))}
    theme = db.session.scalar(sa.select(Theme).where(Theme.slug == "ai"))
    return SimpleNamespace(
        lingen=sites["lingen"], berlin=sites["berlin"], ai=theme, lead_org=orgs["Lead Org"],
        partner_org=orgs["Partner Org"], other_org=orgs["Other Org"],
    )  # fmt: skip


def _add_network(size: int) -> None:
    """size projects at Lingen with history and reviews, a tenth as many consortium ones at
    Berlin with a Swedish partner of two sites (cross-site, cross-country), some stalled."""
    world = world_rows()
    ids = add_projects(size, world.lingen, world.lead_org, world.partner_org, world.ai)
    _add_history(ids)
    two_sites = f.make_org(sites=[world.lingen, world.berlin], country="SE")
    add_projects(size // 10 + 1, world.berlin, world.other_org, two_sites, visibility="consortium")
    db.session.execute(
        sa.update(Project)
        .where(Project.id.in_(ids[::7]), Project.stage != "market")
        .values(last_activity_at=utcnow() - timedelta(days=300))
    )
    db.session.commit()


@pytest.mark.parametrize("who", ["admin", "manager", "lead_member", "patron"])
def test_query_count_does_not_grow_with_the_projects(client, login, world, who):
    """A fixed number of statements per view however many projects there are: a query per
    project (or per row of a figure) would show up as a difference between the two sizes."""
    viewer = signed_in(client, login, world.user(who))
    counts = []
    for size in (10, 990):
        _add_network(size)
        kept.refresh()  # the changes folded (the worker's job; the first view's otherwise)
        db.session.expunge_all()
        per_view = []
        for view in VIEWS:
            with count_queries() as statements:
                assert viewer.get("/dashboard" + view).status_code == 200
            per_view.append(len(statements))
        counts.append(per_view)
    assert counts[0] == counts[1]
    assert max(counts[0]) <= MAX_QUERIES


def test_folding_changed_projects_costs_the_same_few_statements_per_500(client, login, world):
    """The view that finds changed projects folds them first: about 10 or 490 changed ones, the
    same statements (a block of kept.CHUNK projects at a time), and the view stays ≤ 12 plus
    the fold's own."""
    viewer = signed_in(client, login, world.user("admin"))
    kept.refresh()
    counts = []
    for size in (10, 440):
        _add_network(size)
        db.session.expunge_all()
        with count_queries() as statements:
            assert viewer.get("/dashboard").status_code == 200
        counts.append(len(statements))
        assert not kept.pending()
    assert counts[0] == counts[1] <= MAX_QUERIES + 10


def _cooperation_cells(app, user) -> dict[str, tuple[str, str]]:
    """(count text, share text) of each cooperation row as user would see it."""
    with app.test_request_context("/dashboard?site=all"):
        selection = read_selection(user, {"site": "all"})
        rows = overview.dashboard(user, selection)["cooperation"]
    return {row.key: (row.cells["n"].text, row.cells["share"].text) for row in rows}


def test_patron_sees_fewer_than_3_for_cooperation_figures_of_one_or_two(app, world):
    """World: two Lingen projects with a start-up partner. A consortium project at Berlin
    with a Swedish partner affiliated with Lingen adds one cross-site, cross-country project."""
    swedish = f.make_org("Swedish Partner", country="SE", sites=[world.lingen])
    f.make_project(world.berlin, world.other_org, [(swedish, "partner")], visibility="consortium")
    admin = _cooperation_cells(app, world.admin)
    assert admin == {
        "startup": ("2", "67%"), "research": ("0", "0%"),
        "cross_site": ("1", "33%"), "cross_country": ("1", "33%"),
    }  # fmt: skip
    patron = _cooperation_cells(app, world.patron)
    hidden = ("fewer than 3", "fewer than 3")
    assert patron == {
        "startup": hidden, "research": ("0", "0%"), "cross_site": hidden, "cross_country": hidden
    }  # fmt: skip
    for _ in range(2):
        f.make_project(world.berlin, world.other_org, [(world.partner_org, "partner")])
    patron = _cooperation_cells(app, world.patron)
    # 4 of 5 with a start-up; the partner of Lingen makes the two new Berlin projects
    # cross-site too (3 of 5), all three counted although one is a consortium project.
    # The 4 start-up projects are 2 at Lingen and 2 at Berlin, both "fewer than 3": showing
    # the network's 4 would tell that each is 2, so it is withheld too (design §11).
    assert patron["startup"] == ("withheld", "withheld") and patron["cross_site"] == ("3", "60%")
    assert patron["cross_country"] == hidden


def test_figure_links_are_what_url_for_builds(app):
    """Presenter builds the /projects path once and encodes each query itself: the result
    must be url_for's, character for character (order kept, lists repeated, None left out,
    odd values)."""
    from flask import url_for

    from tracker.dashboard.figures import Audience, Presenter

    audience = Audience(withhold_small=False, links=True, complete=True, names=True)
    cases = [
        ({}, {}),
        ({"site": "lingen"}, {"stage": "develop", "status": "on_hold"}),
        ({"site": "lingen,berlin", "theme": "h2"}, {"completed": "test:2026-Q3"}),
        ({"site": ["berlin", "lingen"]}, {"stage": "test"}),
        ({"site": ("berlin", None)}, {"decision": "any:2026"}),
        ({"site": "all"}, {"entered": "market:2025-Q4", "theme": None}),
        ({}, {"country": "DE", "org_kind": "public_body"}),
        ({}, {"q": "Grüne Wärme & Co / 50% ?#+"}),
    ]
    with app.test_request_context("/dashboard"):
        for link_args, filters in cases:
            show = Presenter(audience, link_args)
            assert show.count(5, filters).href == url_for(
                "projects.index", **(link_args | filters)
            ), (link_args, filters)
            assert show.count(0, filters).href is None
        assert Presenter(audience, {}).count(1, None).href is None
