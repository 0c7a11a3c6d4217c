"""The kanban board: scoped cards, filters, bounded columns and a fixed number of queries."""

import base64
from datetime import timedelta

import pytest

from tests import bulk, factories
from tests.querycount import count_queries
from tracker.boards.services import COLUMN_SIZE
from tracker.extensions import db
from tracker.models import GateReview, utcnow


def page(client, url="/board"):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_board_needs_sign_in(client):
    response = client.get("/board")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("who", "sees_consortium"),
    [
        ("admin", True),
        ("manager", True),
        ("lead_member", True),
        ("partner_member", True),
        ("other_manager", False),
        ("outsider", False),
        ("patron", False),
    ],
)
def test_consortium_cards_only_reach_insiders(client, world, login, who, sees_consortium):
    login(world.user(who))
    html = page(client, "/board?site=all")  # a site manager's /board shows their own sites
    assert "Open hydrogen forecast" in html
    assert ("Secret electrolyser twin" in html) is sees_consortium


def test_patron_cards_are_read_only_summaries(client, world, login):
    login(world.patron)
    html = page(client)
    assert "Summary of project" in html or world.network_project.summary in html
    assert "Lead Org" not in html
    # the card opens the patron's summary page (design §11), nothing to edit or decide
    assert f'href="/projects/{world.network_project.id}"' in html
    assert f"/projects/{world.network_project.id}/" not in html
    assert f"/projects/{world.consortium_project.id}" not in html
    assert "draggable" not in html


def test_card_shows_lead_partner_kinds_themes_and_days_in_stage(client, world, login):
    login(world.lead_member)
    html = page(client)
    assert "Lead Org" in html
    assert ">Start-up<" in html
    assert "Artificial intelligence" in html
    assert "5 days in stage" in html


@pytest.mark.parametrize("who", ["lead_member", "patron"])
def test_cards_name_themes_and_sites_in_each_readers_language(client, world, login, who):
    """The card statement is kept per process; a theme's or site's name in it follows the
    reader: an English board first must not leave English names on the next German one
    (themes on members' cards, the host site on patrons' summaries)."""
    world.ai.name_de = "Künstliche Intelligenz"
    world.lingen.name_de = "Lingen (Ems)"
    db.session.commit()
    reader = world.user(who)
    login(reader)
    english = page(client)
    reader.locale = "de"
    db.session.commit()
    german = page(client)
    if who == "patron":
        assert '<p class="bc-meta">Lingen</p>' in english
        assert '<p class="bc-meta">Lingen (Ems)</p>' in german
    else:
        assert '<span class="chip chip-theme">Artificial intelligence</span>' in english
        assert '<span class="chip chip-theme">Künstliche Intelligenz</span>' in german


def test_pending_and_stalled_badges(client, world, login, app):
    project = world.network_project
    project.last_activity_at = utcnow() - timedelta(days=app.config["TRACKER_STALLED_DAYS"] + 1)
    db.session.add(
        GateReview(
            project_id=world.consortium_project.id,
            from_stage="develop",
            to_stage="test",
            evidence="ready",
        )
    )
    db.session.commit()
    login(world.manager)
    html = page(client)
    assert html.count("Stalled</span>") == 1
    assert html.count("Review pending</span>") == 1
    stalled_only = page(client, "/board?stalled=1")
    assert "Open hydrogen forecast" in stalled_only
    assert "Secret electrolyser twin" not in stalled_only
    review_only = page(client, "/board?needs_review=1")
    assert "Secret electrolyser twin" in review_only
    assert "Open hydrogen forecast" not in review_only


def test_filters_narrow_the_board(client, world, login):
    factories.make_project(
        world.berlin, world.other_org, title="Berlin logistics twin", kind="service", stage="test"
    )
    login(world.admin)
    assert "Berlin logistics twin" not in page(client, "/board?site=lingen")
    assert "Berlin logistics twin" in page(client, "/board?site=berlin")
    assert "Open hydrogen forecast" not in page(client, "/board?site=berlin")
    assert "Berlin logistics twin" not in page(client, "/board?theme=ai")
    assert "Berlin logistics twin" in page(client, f"/board?org={world.other_org.id}")
    assert "Open hydrogen forecast" not in page(client, f"/board?org={world.other_org.id}")
    assert "Berlin logistics twin" in page(client, "/board?kind=service")
    assert "Open hydrogen forecast" not in page(client, "/board?kind=service")
    assert "Berlin logistics twin" in page(client, "/board?q=LOGISTICS")
    assert "Open hydrogen forecast" not in page(client, "/board?q=logistics")


def test_my_organization_and_status_filters(client, world, login):
    factories.make_project(world.berlin, world.other_org, title="Foreign network project")
    factories.make_project(world.lingen, world.lead_org, title="Stopped pilot", status="stopped")
    login(world.lead_member)
    default = page(client)
    assert "Foreign network project" in default
    assert "Stopped pilot" not in default  # the board shows open projects unless asked
    assert "Foreign network project" not in page(client, "/board?mine=1")
    stopped = page(client, "/board?status=stopped")
    assert "Stopped pilot" in stopped
    assert "Open hydrogen forecast" not in stopped


def test_unusable_filter_values_are_reported_not_fatal(client, world, login):
    login(world.admin)
    html = page(client, "/board?status=flying&org=abc")
    assert "Unknown status" in html
    assert "must be a number" in html


def test_columns_are_bounded_and_show_more_pages_through(client, world, login):
    ids = bulk.add_projects(COLUMN_SIZE + 7, world.berlin, world.other_org, stage="develop")
    login(world.admin)
    html = page(client, "/board?site=berlin")
    assert html.count('class="board-card') == COLUMN_SIZE
    assert f'{COLUMN_SIZE + 7}<span class="visually-hidden"> projects' in html
    rest = page(client, _show_more_link(html) + "&fragment=1")
    assert rest.count('class="board-card') == 7
    assert "data-more" not in rest
    shown = {int(i) for i in __import__("re").findall(r'data-project-id="(\d+)"', html + rest)}
    assert shown == set(ids)


def test_bad_show_more_cursor_is_a_clear_400(client, world, login):
    login(world.admin)
    made_up = ("%%%", "2026-01-01T00:00:00|5", f"2026-01-01T00:00:00+00:00|{10**30}")
    for cursor in made_up:
        encoded = base64.urlsafe_b64encode(cursor.encode()).decode() if "|" in cursor else cursor
        response = client.get(f"/board/develop?cursor={encoded}")
        assert response.status_code == 400
        assert "not valid" in response.get_data(as_text=True)
    assert client.get("/board/launch").status_code == 404


def _card_of(html: str, project_id: int) -> str:
    return html.split(f'id="card-{project_id}"')[1].split("</li>")[0]


def _board_of(client, login, user) -> str:
    own = client.application.test_client()
    login(user, test_client=own)
    return page(own)


def test_cards_offer_each_user_their_gate_action(client, world, login):
    review = GateReview(
        project_id=world.consortium_project.id, from_stage="develop", to_stage="test", evidence="x"
    )
    db.session.add(review)
    db.session.commit()
    network, consortium = world.network_project.id, world.consortium_project.id
    gate = f"/projects/{network}/gate"
    html = _board_of(client, login, world.lead_member)  # the lead may ask; managers decide
    assert f'data-request-url="{gate}"' in _card_of(html, network)
    assert f'href="{gate}">Request next stage' in _card_of(html, network)
    assert "data-decide-url" not in _card_of(html, consortium)
    assert "Request next stage" not in _card_of(html, consortium)  # its review is pending
    html = _board_of(client, login, world.manager)  # Lingen's: asks, decides the pending one
    assert f'data-request-url="{gate}"' in _card_of(html, network)
    card = _card_of(html, consortium)
    assert f'data-decide-url="/reviews/{review.id}/decide"' in card
    assert f'href="/reviews/{review.id}">Decide gate' in card
    for who in ("partner_member", "other_manager"):
        html = _board_of(client, login, world.user(who))
        assert "data-request-url" not in html and "data-decide-url" not in html
        assert "Request next stage" not in html and "Decide gate" not in html


def _show_more_link(html: str) -> str:
    return html.split('data-more\n     href="')[1].split('"')[0].replace("&amp;", "&")


@pytest.mark.parametrize("url", ["/board", "/board?site=lingen", "SHOW_MORE"])
def test_board_query_count_does_not_grow_with_projects(client, world, login, url):
    login(world.manager)
    counted = []
    for count in (COLUMN_SIZE * 3 + 6, 990):  # first: each column just overflows
        bulk.add_projects(count, world.lingen, world.lead_org, world.partner_org, world.ai)
        target = _show_more_link(page(client)) if url == "SHOW_MORE" else url
        db.session.expire_all()  # the test shares the request's session; start each count cold
        with count_queries() as statements:
            html = page(client, target)
        assert html.count('class="board-card') >= 2
        counted.append(len(statements))
    assert counted[0] == counted[1] <= 12


def test_visible_projects_can_be_joined_with_participations(app, world):
    from tracker.auth.permissions import visible_projects
    from tracker.models import Participation, Project

    query = (
        visible_projects(world.outsider)
        .join(Participation, Participation.project_id == Project.id)
        .where(Participation.organization_id == world.partner_org.id)
    )
    titles = set(db.session.scalars(query.with_only_columns(Project.title)))
    assert titles == {"Open hydrogen forecast"}


def test_a_site_managers_board_opens_on_their_own_sites_in_place(client, world, login):
    factories.make_project(world.berlin, world.other_org, title="Berlin logistics twin")
    login(world.manager)  # Lingen's site manager
    response = client.get("/board")
    assert response.status_code == 200  # rendered in place, no redirect
    html = response.get_data(as_text=True)
    assert "Open hydrogen forecast" in html
    assert "Berlin logistics twin" not in html
    assert "Lingen board" in html and "My sites: Lingen" in html
    assert 'href="/board?site=all"' in html  # the whole network one click away
    whole = page(client, "/board?site=all")
    assert "Berlin logistics twin" in whole and "Network board" in whole
    assert "My sites:" not in whole
    # 'show more' keeps the same scope: the column's link carries no site, so it is Lingen's too
    assert "Berlin logistics twin" not in page(client, "/board/develop?fragment=1&cursor=" + _far())


def _far() -> str:
    """A cursor after which every project comes: the next page of a column from its start."""
    raw = "2999-01-01T00:00:00+00:00|2147483646"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_filter_chips_name_each_filter_and_remove_it_alone(client, world, login):
    login(world.admin)
    html = page(client, "/board?theme=ai&stalled=1")
    assert "Theme: Artificial intelligence" in html
    assert 'href="/board?stalled=1"' in html  # removing the theme keeps the other filter
    assert 'href="/board?theme=ai"' in html
    assert "Clear filters" in html
    assert "Clear filters" not in page(client, "/board")


def test_a_patron_sees_no_status_chip_for_the_status_they_cannot_choose(client, world, login):
    login(world.patron)
    html = page(client)
    assert "Status:" not in html and "Clear filters" not in html


def test_column_counts_stop_at_the_cap(client, world, login):
    from tracker.boards.services import COUNT_CAP

    bulk.add_projects(COUNT_CAP + 5, world.berlin, world.other_org, stage="develop")
    login(world.admin)
    html = page(client, "/board?site=berlin")
    assert '999+<span class="visually-hidden"> projects' in html


def test_the_cards_shared_words_follow_each_readers_language(client, world, login):
    # What every card shares is made once per language and process (views._card_parts):
    # a board in one language must never carry another's words.
    overflowing = COLUMN_SIZE * 3 + 6
    bulk.add_projects(overflowing, world.lingen, world.lead_org, world.partner_org, world.ai)
    login(world.manager)
    words = {"en": "Days in the current stage", "de": "Tage in der aktuellen Phase"}
    words["sv"] = "Dagar i den aktuella fasen"
    for lang in ("en", "de", "sv", "en", "de"):
        html = client.get("/board", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        assert f'title="{words[lang]}"' in html
        assert not [w for other, w in words.items() if other != lang and w in html]
        more = client.get(_show_more_link(html) + "&fragment=1", headers={"Accept-Language": lang})
        fragment = more.get_data(as_text=True)
        assert f'title="{words[lang]}"' in fragment
        assert not [w for other, w in words.items() if other != lang and w in fragment]


def test_the_site_filter_lists_sites_in_each_readers_order(client, world, login):
    # The sites' statement is kept per language (views._choice_statements): the order of a
    # German reader's names must not become an English reader's, or the other way round.
    factories.make_site("aa-first", name="Aaa English first", name_de="Zzz Deutsch zuletzt")
    factories.make_site("zz-last", name="Zzz English last", name_de="Aaa Deutsch zuerst")
    login(world.manager)
    for lang, first, last in [
        ("en", "aa-first", "zz-last"),
        ("de", "zz-last", "aa-first"),
        ("en", "aa-first", "zz-last"),
    ]:
        html = client.get("/board", headers={"Accept-Language": lang}).get_data(as_text=True)
        start = html.index('id="f-site"')
        select = html[start : html.index("</select>", start)]
        assert select.index(f'value="{first}"') < select.index(f'value="{last}"'), lang
