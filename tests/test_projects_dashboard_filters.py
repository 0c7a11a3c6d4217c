"""/projects understands every filter the dashboard links with, and lists exactly its counts."""

import re
from datetime import timedelta
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.bulk import add_projects
from tests.projects_support import advance
from tests.querycount import count_queries
from tracker.dashboard.periods import Quarter, parse_token
from tracker.extensions import db
from tracker.models import GateReview, Project, StageEvent, utcnow

# a count, or events with the projects they were on: "19 decisions on 13 projects",
# "4 stage entries on 3 projects"
FIGURE_LINK = re.compile(
    r'<a href="(/projects\?[^"]*)">'
    r"([\d,]+(?: (?:decisions?|stage entry|stage entries) on [\d,]+ projects?)?)</a>"
)
LISTED = re.compile(r'role="status">([\d,]+) projects?\b')
EVERY_PARAMETER = {
    "site", "stage", "status", "theme", "country", "org_kind", "reached", "coop", "stalled",
    "completed", "entered", "decision",
}  # fmt: skip


def signed_in(client, login, user):
    fresh = client.application.test_client()
    login(user, test_client=fresh)
    return fresh


def text_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(page: str) -> int:
    match = LISTED.search(page)
    assert match, "the list does not say how many projects it shows"
    return int(match.group(1).replace(",", ""))


def review(project, decision: str, decided_at, days: float = 3, to_stage: str = "test") -> None:
    db.session.add(
        GateReview(
            project_id=project.id,
            from_stage="develop" if to_stage == "test" else "test",
            to_stage=to_stage,
            requested_at=decided_at - timedelta(days=days),
            decision=decision,
            decided_at=None if decision == "pending" else decided_at,
        )
    )
    db.session.commit()


@pytest.fixture
def net(app, world):
    """World plus Lingen projects with known history, and a consortium project at Berlin.

    port (develop 10 days → test in q1, go), twin (develop 20 days → test 30 days → market, in
    q2, with a Swedish research institute at Stockholm), sensor (a hold inside develop, then
    test in q1 after 40 days, with a Berlin company), quiet (stalled in develop, recycled in q1),
    held (on hold, Berlin company as research partner, pending review), world's consortium
    project (test in q1 with go, stalled); at Berlin a consortium project with the institute.
    """
    now = utcnow()
    q1 = Quarter.containing(now).previous()
    q2 = q1.previous()
    idle = now - timedelta(days=app.config["TRACKER_STALLED_DAYS"] + 40)
    stockholm = f.make_site("stockholm", name="Stockholm", country="SE")
    institute = f.make_org(
        "Nordic Institute", kind="research_institution", country="SE", sites=[stockholm]
    )
    berlin_co = f.make_org("Berlin Co", sites=[world.berlin])
    t1, t2, t3 = (
        q1.start + timedelta(days=5),
        q2.start + timedelta(days=1),
        q1.start + timedelta(days=50),
    )

    def project(title, partners, entered, **fields):
        return f.make_project(
            world.lingen, world.lead_org, partners, [world.ai], title=title,
            stage_entered_at=entered, **fields,
        )  # fmt: skip

    port = project("Port pilot", [(world.partner_org, "partner")], t1 - timedelta(days=10))
    advance(port, "test", t1)
    review(port, "go", t1, 4)
    twin = project("Launched twin", [(institute, "research_partner")], t2 - timedelta(days=20))
    advance(twin, "test", t2)
    advance(twin, "market", t2 + timedelta(days=30))
    review(twin, "go", t2, 2)  # one decision per project: see the event test below
    sensor = project("Paused sensor", [(berlin_co, "partner")], t3 - timedelta(days=40))
    advance(sensor, "develop", t3 - timedelta(days=20), status="on_hold")
    advance(sensor, "develop", t3 - timedelta(days=10), status="active")
    advance(sensor, "test", t3)
    review(sensor, "go", t3, 10)
    quiet = project("Quiet dashboard", [], now - timedelta(days=150), last_activity_at=idle)
    review(quiet, "recycle", q1.start + timedelta(days=2), 6)
    held = project("Held plan", [(berlin_co, "research_partner")], now - timedelta(days=30))
    advance(held, "develop", now - timedelta(days=1), status="on_hold")
    held.last_activity_at = idle
    review(held, "pending", now, 1)
    secret = world.consortium_project
    db.session.execute(  # world made it five days ago; let it start before q1 instead
        sa.update(StageEvent)
        .where(StageEvent.project_id == secret.id)
        .values(at=t1 - timedelta(days=20))
    )
    advance(secret, "test", t1 + timedelta(days=1))
    review(secret, "go", t1 + timedelta(days=1))
    secret.last_activity_at = idle
    db.session.commit()
    berlin_plan = f.make_project(
        world.berlin, world.other_org, [(institute, "partner")], title="Berlin private plan",
        visibility="consortium", stage_entered_at=t1 - timedelta(days=15),
    )  # fmt: skip
    advance(berlin_plan, "test", t1)
    review(berlin_plan, "go", t1)
    return SimpleNamespace(world=world, q1=q1, q2=q2, berlin_co=berlin_co, institute=institute)


def follow_every_figure(viewer, *dashboard_urls: str) -> set[str]:
    """Follow each counted figure's link; the list must show exactly that many projects.

    Returns the URL parameters the links used. A link shown on several of the pages is
    followed once (it must then carry the same number everywhere).
    """
    figures: dict[str, str] = {}
    for url in dashboard_urls:
        for href, shown in FIGURE_LINK.findall(text_of(viewer.get(url))):
            assert figures.setdefault(unescape(href), shown) == shown, href
    assert figures, dashboard_urls
    for href, shown in figures.items():
        answer = text_of(viewer.get(href))
        assert "alert-warning" not in answer, href
        projects = shown.rsplit(" on ", 1)[-1].split(" ")[0]  # the list names the projects
        assert listed(answer) == int(projects.replace(",", "")), href
        if " on " in shown:
            assert f"<strong>{shown}</strong>" in answer, href  # and says how many events
    return {name for href in figures for name in parse_qs(urlsplit(href).query)}


def test_every_dashboard_figure_a_site_manager_follows_lists_exactly_its_count(client, login, net):
    manager = signed_in(client, login, net.world.manager)
    periods = ("", f"?period={net.q1.key}", "?period=this_year")
    followed = follow_every_figure(manager, *("/dashboard" + query for query in periods))
    assert followed >= EVERY_PARAMETER


def test_figures_of_the_whole_network_and_of_two_sites_list_their_counts(client, login, net):
    admin = signed_in(client, login, net.world.admin)
    assert follow_every_figure(admin, "/dashboard?site=all") >= EVERY_PARAMETER
    both = f.make_user("site_manager", sites=[net.world.lingen, net.world.berlin])
    followed = follow_every_figure(
        signed_in(client, login, both), f"/dashboard?period={net.q1.key}"
    )
    assert {"entered", "decision", "completed", "country"} <= followed


def titles(viewer, url: str) -> set[str]:
    page = text_of(viewer.get(url))
    return set(re.findall(r'<a href="/projects/\d+">([^<]+)</a>', page))


def test_each_figure_filter_lists_the_projects_its_definition_names(client, login, net):
    admin = signed_in(client, login, net.world.admin)
    q1, q2 = net.q1.key, net.q2.key
    expected = {
        "country=SE": {"Launched twin", "Berlin private plan"},
        "org_kind=research_institution": {"Launched twin", "Berlin private plan"},
        "reached=market": {"Launched twin"},
        "coop=research": {"Launched twin", "Held plan", "Berlin private plan"},
        "coop=cross_country": {"Launched twin", "Berlin private plan"},
        "stalled=1": {"Quiet dashboard", "Secret electrolyser twin"},
        f"completed=develop:{q1}": {"Port pilot", "Paused sensor", "Secret electrolyser twin",
                                    "Berlin private plan"},
        f"completed=test:{q2}": {"Launched twin"},
        f"entered=market:{q2}": {"Launched twin"},
        f"entered=test:{q1}&site=lingen": {"Port pilot", "Paused sensor",
                                          "Secret electrolyser twin"},
        f"decision=recycle:{q1}": {"Quiet dashboard"},
        f"decision=any:{q2}": {"Launched twin"},
        "site=berlin&site=lingen&stage=market": {"Launched twin"},
    }  # fmt: skip
    for query, names in expected.items():
        assert titles(admin, f"/projects?{query}") == names, query


def test_a_year_period_covers_its_four_quarters(client, login, net):
    admin = signed_in(client, login, net.world.admin)
    year = net.q1.year
    in_year = {q for q in (net.q1, net.q2) if q.year == year}
    expected = {"Launched twin"} if net.q2 in in_year else set()
    assert titles(admin, f"/projects?entered=market:{year}") == expected
    assert titles(admin, f"/projects?entered=market:{year - 3}") == set()


MALFORMED = (
    "country=Sweden", "org_kind=robot", "reached=develop", "coop=solo", "stalled=yes",
    "completed=develop:2026-Q5", "completed=develop:", "entered=launch:2026-Q1",
    "decision=maybe", "decision=go:20x6",
)  # fmt: skip


def test_a_malformed_figure_filter_is_ignored_with_a_warning(client, login, world):
    admin = signed_in(client, login, world.admin)
    for query in MALFORMED:
        page = text_of(admin.get(f"/projects?{query}&stage=develop"))
        name, _, value = query.partition("=")
        assert "alert-warning" in page, query
        assert f"The filter {name}=“{value}” was ignored" in page, query
        assert listed(page) == 2, query  # world's two projects: only stage=develop applies
        assert "Dashboard filters" not in page, query  # no chip for a filter not applied


def test_chips_name_each_filter_and_remove_only_it(client, login, net):
    admin = signed_in(client, login, net.world.admin)
    url = (
        f"/projects?site=lingen&site=berlin&country=se&entered=test:{net.q1.key}"
        f"&decision=any&stalled=1&sort=title"
    )
    page = unescape(text_of(admin.get(url)))
    for label in (
        "Site: Lingen",
        "Site: Berlin",
        "Participant country: SE",
        f"Entered test in {net.q1.label}",
        "Any gate decision (all time)",
        f"Stalled: no activity for {client.application.config['TRACKER_STALLED_DAYS']} days",
    ):
        assert f"Remove filter: {label}" in page, label
    remove_country = re.search(
        r'href="([^"]+)" aria-label="Remove filter: Participant country', page
    )
    kept = parse_qs(urlsplit(remove_country.group(1)).query)
    assert "country" not in kept
    assert kept["site"] == ["lingen", "berlin"] and kept["sort"] == ["title"]
    assert kept["entered"] == [f"test:{net.q1.key}"] and kept["stalled"] == ["1"]
    assert '<input type="hidden" name="country" value="SE">' in page  # Apply keeps them
    assert "listed once" in page  # events (entries, decisions) may repeat per project


def test_pagination_links_keep_the_figure_filters(client, login, world):
    add_projects(30, world.lingen, world.lead_org, world.partner_org, stage="test")
    page = unescape(text_of(signed_in(client, login, world.admin).get(
        "/projects?coop=startup&country=DE&reached=test"
    )))  # fmt: skip
    assert listed(page) == 30
    following = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    kept = parse_qs(urlsplit(following).query)
    position = set(kept) - {"coop", "country", "reached"}
    assert len(position) == 1 and position <= {"page", "after"}  # a page number or a cursor
    assert {name: kept[name] for name in ("coop", "country", "reached")} == {
        "coop": ["startup"], "country": ["DE"], "reached": ["test"]
    }  # fmt: skip


def test_outsiders_never_see_hidden_projects_whatever_the_filters(client, login, net):
    """The consortium project at Lingen matches all of these; the outsider's org is not in it."""
    outsider = signed_in(client, login, net.world.outsider)
    manager = signed_in(client, login, net.world.manager)
    q1 = net.q1.key
    for query in (
        f"entered=test:{q1}", f"decision=go:{q1}", f"completed=develop:{q1}", "stalled=1",
        "country=DE", "org_kind=startup", "coop=startup", "reached=test", "site=lingen&site=berlin",
    ):  # fmt: skip
        assert "Secret electrolyser twin" in titles(manager, f"/projects?{query}"), query
        assert "Secret electrolyser twin" not in titles(outsider, f"/projects?{query}"), query
    # ... while the outsider's own consortium project at Berlin is listed for them.
    assert "Berlin private plan" in titles(outsider, f"/projects?entered=test:{q1}")


def test_the_csv_export_applies_the_same_figure_filters(client, login, net):
    admin = signed_in(client, login, net.world.admin)
    body = admin.get(f"/projects/export.csv?entered=market:{net.q2.key}").get_data(as_text=True)
    assert "Launched twin" in body and "Port pilot" not in body


def test_a_project_with_two_decisions_counts_twice_on_the_dashboard_and_is_listed_once(
    client, login, net
):
    """Event figures count events; the list names each project once and says so."""
    twin = db.session.scalar(sa.select(Project).where(Project.title == "Launched twin"))
    review(twin, "go", net.q2.start + timedelta(days=31), to_stage="market")
    manager = signed_in(client, login, net.world.manager)
    page = unescape(text_of(manager.get(f"/dashboard?period={net.q2.key}")))
    link = f'<a href="/projects?site=lingen&decision=go:{net.q2.key}">'
    assert f"{link}2 decisions on 1 project</a>" in page  # says what it counts
    answer = text_of(manager.get(f"/projects?site=lingen&decision=go:{net.q2.key}"))
    assert listed(answer) == 1 and "listed once" in answer
    assert "<strong>2 decisions on 1 project</strong>" in answer  # the list says both


def test_patrons_still_get_no_list_with_figure_filters(client, login, net):
    patron = signed_in(client, login, net.world.patron)
    assert patron.get("/projects?reached=test").status_code == 403


def _history(ids: list[int], quarter: Quarter) -> None:
    entered = quarter.start + timedelta(days=10)
    db.session.execute(
        sa.insert(StageEvent),
        [{"project_id": i, "to_stage": "develop", "to_status": "active", "note": "",
          "at": entered - timedelta(days=30)} for i in ids]
        + [{"project_id": i, "from_stage": "develop", "to_stage": "test", "from_status": "active",
            "to_status": "active", "note": "", "at": entered} for i in ids],
    )  # fmt: skip
    db.session.execute(
        sa.insert(GateReview),
        [{"project_id": i, "from_stage": "develop", "to_stage": "test", "evidence": "",
          "reason": "", "decision": "go", "requested_at": entered - timedelta(days=3),
          "decided_at": entered} for i in ids],
    )  # fmt: skip
    db.session.execute(
        sa.update(Project)
        .where(Project.id.in_(ids))
        .values(last_activity_at=utcnow() - timedelta(days=400))
    )
    db.session.commit()


def test_query_count_with_every_figure_filter_does_not_grow_with_the_projects(client, login, world):
    manager = signed_in(client, login, world.manager)
    quarter = Quarter.containing(utcnow()).previous()
    url = (
        f"/projects?site=lingen&site=berlin&country=DE&org_kind=startup&reached=test"
        f"&coop=startup&stalled=1&completed=develop:{quarter.key}&entered=test:{quarter.key}"
        f"&decision=go:{quarter.key}"
    )
    # Plain ids: expunge_all() below detaches the world's objects.
    rows = [SimpleNamespace(id=o.id) for o in (world.lingen, world.lead_org, world.partner_org)]
    counts = []
    for size in (10, 190):
        _history(add_projects(size, *rows, stage="test"), quarter)
        db.session.expunge_all()
        with count_queries() as statements:
            page = text_of(manager.get(url))
        assert listed(page) == sum((10, 190)[: len(counts) + 1])
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_period_tokens_are_all_time_a_year_or_a_quarter():
    assert parse_token("").bounded is False
    year = parse_token("2026")
    assert (year.start.year, year.end.year, year.token) == (2026, 2027, "2026")
    quarter = parse_token("2026-Q3")
    assert (quarter.start.month, quarter.end.month) == (7, 10)
    for junk in ("2026-Q5", "26", "this_year", "all", "2026-Q3x"):
        assert parse_token(junk) is None, junk
