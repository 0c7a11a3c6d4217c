"""The directory: organization list, detail, create and edit; sites with their pipeline."""

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker import keyset
from tracker.directory import services
from tracker.extensions import db
from tracker.loaders import get_organization_or_404
from tracker.models import AuditEvent, Organization


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _org(name: str) -> Organization | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def _org_audit_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.object_type == "organization")
    )


def _org_form(**overrides) -> dict:
    data = {
        "name": "Hydrogen Works",
        "kind": "startup",
        "country": "DE",
        "city": "Lingen",
        "website": "https://hydrogen.example",
        "description": "Electrolysers.",
        "member_since": "",
        "sites": [],
        "themes": [],
        "version": "1",  # the version an edit read; factories' organizations are at 1
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, login):
    def sign_in(user):
        assert login(user).status_code == 302
        return client

    return sign_in


# --- list ---------------------------------------------------------------------------------


def test_kind_filter_lists_only_that_kind(world, signed_in):
    html = _page(signed_in(world.lead_member), "/organizations?kind=startup")
    assert "Partner Org" in html
    assert "Lead Org" not in html
    assert "Other Org" not in html


def test_country_filter_lists_only_that_country(world, signed_in):
    f.make_org("Nordic Labs", country="SE")
    html = _page(signed_in(world.lead_member), "/organizations?country=se")
    assert "Nordic Labs" in html
    assert "Lead Org" not in html


def test_site_and_theme_filters_narrow_the_list(world, signed_in):
    f.make_org("Berlin Theme Org", sites=[world.berlin], themes=[world.ai])
    client = signed_in(world.lead_member)
    at_berlin = _page(client, "/organizations?site=berlin")
    assert "Other Org" in at_berlin
    assert "Berlin Theme Org" in at_berlin
    assert "Lead Org" not in at_berlin
    both = _page(client, "/organizations?site=berlin&theme=ai")
    assert "Berlin Theme Org" in both
    assert "Other Org" not in both


def test_text_search_matches_name_city_and_description_ignoring_case(world, signed_in):
    f.make_org("Quiet Name", city="Emden")
    f.make_org("Another", description="We build ELECTROLYSERS for ports.")
    client = signed_in(world.lead_member)
    assert "Quiet Name" in _page(client, "/organizations?q=emden")
    by_description = _page(client, "/organizations?q=electrolysers")
    assert "Another" in by_description
    assert "Quiet Name" not in by_description
    assert "Lead Org" in _page(client, "/organizations?q=LEAD")


def test_search_treats_percent_as_text(world, signed_in):
    html = _page(signed_in(world.lead_member), "/organizations?q=%25")
    assert "No organization matches these filters" in html


def _link(html_text: str, rel: str) -> str:
    return html.unescape(re.search(rf'href="([^"]+)" rel="{rel}"', html_text).group(1))


def _names(html_text: str) -> list[str]:
    return re.findall(r'<td><a href="/organizations/\d+">([^<]+)</a></td>', html_text)


def test_second_page_shows_the_rest_in_name_order(world, signed_in):
    for n in range(27):  # 30 organizations with the world's three
        f.make_org(f"Zeta {n:02d}")
    client = signed_in(world.lead_member)
    first = _page(client, "/organizations")
    assert "page=" not in _link(first, "next") and "after=" in _link(first, "next")
    second = _page(client, _link(first, "next"))
    assert "Lead Org" in first and "Zeta 21" in first
    assert "Zeta 22" not in first
    assert all(f"Zeta {n}" in second for n in range(22, 27))
    assert "Lead Org" not in second
    assert "page 2 of 2" in second and 'rel="next"' not in second
    assert "Lead Org" in _page(client, _link(second, "prev"))


def test_old_numbered_links_land_on_the_same_rows_by_cursor(world, signed_in, monkeypatch):
    monkeypatch.setattr(services, "PER_PAGE", 3)
    for n in range(6):  # 9 organizations with the world's three: three pages
        f.make_org(f"Zeta {n:02d}", kind="startup" if n % 2 else "research_institution")
    client = signed_in(world.lead_member)
    second = _page(client, _link(_page(client, "/organizations"), "next"))
    third = _page(client, _link(second, "next"))
    moved = client.get("/organizations?page=3")
    assert moved.status_code == 302 and "after=" in moved.location
    assert "page=" not in moved.location
    landed = _page(client, moved.location)
    assert _names(landed) == _names(third) and "Zeta 05" in landed and "page 3 of 3" in landed
    assert client.get("/organizations?page=1").location.endswith("/organizations")
    assert client.get("/organizations?page=4").status_code == 404
    assert client.get("/organizations?page=x").status_code == 400
    assert client.get("/organizations?page=0").status_code == 400
    mangled = _page(client, "/organizations?after=bm9uc2Vuc2U")
    assert "Lead Org" in mangled and "not valid any more" in mangled
    assert client.get("/organizations?q=zeta&page=1").location.endswith("/organizations?q=zeta")
    kept = client.get("/organizations?q=zeta&page=2").location
    assert "q=zeta" in kept and _names(_page(client, kept)) == ["Zeta 03", "Zeta 04", "Zeta 05"]
    assert client.get("/organizations?q=zeta&page=3").status_code == 404


def test_filters_stay_in_the_pagination_links(world, signed_in):
    for n in range(26):
        f.make_org(f"Start-up {n:02d}", kind="startup")
    client = signed_in(world.admin)
    following = _link(_page(client, "/organizations?kind=startup"), "next")
    assert "kind=startup" in following and "after=" in following
    second = _page(client, following)
    assert "kind=startup" in _link(second, "prev") and "Start-up 25" in second


def test_patron_may_not_open_the_directory(world, signed_in):
    client = signed_in(world.patron)
    assert client.get("/organizations").status_code == 403
    assert client.get(f"/organizations/{world.lead_org.id}").status_code == 403


def test_list_issues_the_same_number_of_queries_for_5_and_40_organizations(app, world, signed_in):
    """The first page and a page by cursor (a position before every name, as page 2)."""
    client = signed_in(world.admin)
    by_cursor = f"/organizations?after={keyset.encode(('a', 1), 2)}"
    for n in range(2):
        f.make_org(f"Few {n}", sites=[world.lingen], themes=[world.ai])
    few = [_count_queries(app, client, url) for url in ("/organizations", by_cursor)]
    for n in range(35):
        f.make_org(f"Many {n}", sites=[world.lingen, world.berlin], themes=[world.ai])
    many = [_count_queries(app, client, url) for url in ("/organizations", by_cursor)]
    assert few == many


def _count_queries(app, client, url) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


# --- detail -------------------------------------------------------------------------------


def test_detail_hides_consortium_projects_from_outsiders(world, signed_in):
    html = _page(signed_in(world.outsider), f"/organizations/{world.lead_org.id}")
    assert "Open hydrogen forecast" in html
    assert "Secret electrolyser twin" not in html


def test_detail_shows_consortium_projects_to_partners_with_role(world, signed_in):
    html = _page(signed_in(world.partner_member), f"/organizations/{world.partner_org.id}")
    assert "Secret electrolyser twin" in html
    assert "<td>Start-up</td>" in html


def test_detail_shows_the_profile_and_a_safe_website_link(world, signed_in):
    org = f.make_org(
        "Profiled",
        city="Lingen",
        website="https://profiled.example",
        member_since=date(2021, 3, 1),
        sites=[world.lingen],
    )
    html = _page(signed_in(world.outsider), f"/organizations/{org.id}")
    assert 'href="https://profiled.example" rel="noopener nofollow"' in html
    assert "Mar 1, 2021" in html  # the reader's date format (Babel)
    assert "Germany" in html
    assert f"/organizations/{org.id}/edit" not in html  # outsider may not edit


def test_own_organization_shows_edit_and_a_hint_to_keep_it_current(world, signed_in):
    html = _page(signed_in(world.lead_member), f"/organizations/{world.lead_org.id}")
    assert f"/organizations/{world.lead_org.id}/edit" in html
    assert "keep its profile current" in html


def test_unknown_organization_is_404(world, signed_in):
    assert signed_in(world.admin).get("/organizations/999999").status_code == 404


# --- create -------------------------------------------------------------------------------


def test_admin_creates_an_organization_and_it_is_audited(world, signed_in):
    client = signed_in(world.admin)
    form = _org_form(sites=[world.berlin.id], themes=[world.ai.id], country="se")
    response = client.post("/organizations/new", data=form)
    org = _org("Hydrogen Works")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organizations/{org.id}")
    assert org.country == "SE"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_id == org.id))
    assert event.action == "organization.create"
    assert event.changes["name"] == [None, "Hydrogen Works"]
    assert event.changes["sites"] == [[], ["berlin"]]
    assert "is added to the directory" in _page(client, response.headers["Location"])


def test_site_manager_creates_an_organization_at_an_own_site(world, signed_in):
    response = signed_in(world.manager).post(
        "/organizations/new", data=_org_form(sites=[world.lingen.id])
    )
    assert response.status_code == 302
    assert _org("Hydrogen Works") is not None


def test_site_manager_may_not_use_a_foreign_site(world, signed_in):
    client = signed_in(world.manager)
    response = client.post(
        "/organizations/new", data=_org_form(sites=[world.lingen.id, world.berlin.id])
    )
    assert response.status_code == 200
    assert "You can only choose sites you manage." in response.get_data(as_text=True)
    assert _org("Hydrogen Works") is None


def test_site_manager_must_pick_one_of_their_sites(world, signed_in):
    response = signed_in(world.manager).post("/organizations/new", data=_org_form())
    assert "Choose at least one of the sites you manage." in response.get_data(as_text=True)
    assert _org("Hydrogen Works") is None


def test_member_may_not_create_organizations(world, signed_in):
    client = signed_in(world.lead_member)
    assert client.get("/organizations/new").status_code == 403
    assert client.post("/organizations/new", data=_org_form()).status_code == 403
    assert _org("Hydrogen Works") is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "XX", "Choose a country"),
        ("country", "Germany", "Choose a country"),
        ("website", "javascript:alert(1)", "starts with http:// or https://"),
        ("website", "ftp://files.example", "starts with http:// or https://"),
        ("name", "", "This field is required."),
        ("description", "x" * 5001, "5000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(
    world, signed_in, field, value, message
):
    response = signed_in(world.admin).post(
        "/organizations/new", data=_org_form(sites=[world.lingen.id], **{field: value})
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "https://hydrogen.example" in html or field == "website"
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 3


def test_member_since_may_not_be_in_the_future(world, signed_in):
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = signed_in(world.admin).post(
        "/organizations/new", data=_org_form(member_since=tomorrow)
    )
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert _org("Hydrogen Works") is None


def test_duplicate_name_is_refused_whatever_the_case(world, signed_in):
    client = signed_in(world.admin)
    response = client.post("/organizations/new", data=_org_form(name="lead ORG"))
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 3
    response = client.post(
        f"/organizations/{world.partner_org.id}/edit",
        data=_org_form(name="Lead Org", sites=[world.lingen.id]),
    )
    assert "already exists" in response.get_data(as_text=True)
    assert _org("Partner Org").kind == "startup"
    assert _org_audit_count() == 0


# --- edit ---------------------------------------------------------------------------------


def test_member_edits_the_profile_of_their_own_organization_only(world, signed_in):
    client = signed_in(world.lead_member)
    form = client.get(f"/organizations/{world.lead_org.id}/edit").get_data(as_text=True)
    assert 'name="kind"' not in form and 'name="sites"' not in form
    response = client.post(
        f"/organizations/{world.lead_org.id}/edit",
        data=_org_form(name="Lead Org GmbH", kind="partner", sites=[world.berlin.id]),
    )
    assert response.status_code == 302
    org = _org("Lead Org GmbH")
    db.session.refresh(org)
    assert org.kind == "member_company"
    assert [site.slug for site in get_organization_or_404(org.id).sites] == ["lingen"]
    assert org.city == "Lingen"


def test_member_may_not_edit_another_organization(world, signed_in):
    client = signed_in(world.lead_member)
    url = f"/organizations/{world.partner_org.id}/edit"
    assert client.get(url).status_code == 403
    assert client.post(url, data=_org_form(name="Hijacked")).status_code == 403
    assert _org("Hijacked") is None


def test_service_refuses_standing_changes_by_members(world):
    org = get_organization_or_404(world.lead_org.id)
    with pytest.raises(services.DirectoryError, match="Only an admin or a site manager"):
        services.update_organization(world.lead_member, org, {"kind": "partner"}, org.version)


def test_site_manager_changes_only_their_own_sites_and_keeps_the_others(world, signed_in):
    org = f.make_org("Two Sites", sites=[world.lingen, world.berlin])
    client = signed_in(world.manager)
    form = _org_form(name="Two Sites", kind="member_company", sites=[])
    response = client.post(f"/organizations/{org.id}/edit", data=form)
    assert response.status_code == 302
    assert [s.slug for s in get_organization_or_404(org.id).sites] == ["berlin"]


def test_site_manager_may_not_edit_another_sites_organization(world, signed_in):
    url = f"/organizations/{world.other_org.id}/edit"
    assert signed_in(world.manager).get(url).status_code == 403


def test_edit_writes_an_audit_event_with_old_and_new_values(world, signed_in):
    client = signed_in(world.admin)
    response = client.post(
        f"/organizations/{world.partner_org.id}/edit",
        data=_org_form(
            name="Partner Org",
            kind="research_institution",
            city="Meppen",
            sites=[world.lingen.id, world.berlin.id],
            themes=[world.ai.id],
        ),
    )
    assert response.status_code == 302
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "organization.update")
    )
    assert event.actor_id == world.admin.id
    assert event.object_id == world.partner_org.id
    assert event.changes["kind"] == ["startup", "research_institution"]
    assert event.changes["city"] == ["", "Meppen"]
    assert event.changes["sites"] == [["lingen"], ["berlin", "lingen"]]
    assert event.changes["themes"] == [[], ["ai"]]
    assert "name" not in event.changes


def test_saving_without_changes_writes_no_audit_event(world, signed_in):
    client = signed_in(world.admin)
    page = client.get(f"/organizations/{world.lead_org.id}/edit").get_data(as_text=True)
    assert 'value="Lead Org"' in page
    data = _org_form(
        name="Lead Org",
        kind="member_company",
        city="",
        website="",
        description="",
        sites=[world.lingen.id],
    )
    response = client.post(f"/organizations/{world.lead_org.id}/edit", data=data)
    assert response.status_code == 302
    assert _org_audit_count() == 0


# --- optimistic locking -------------------------------------------------------------------


def _hidden_version(page: str) -> str:
    import re

    match = re.search(r'name="version" type="hidden" value="(\d+)"', page) or re.search(
        r'type="hidden" name="version" value="(\d+)"', page
    )
    assert match, "the edit form carries the version it shows"
    return match.group(1)


def test_a_stale_edit_is_refused_shows_what_changed_and_keeps_the_input(world, signed_in):
    client = signed_in(world.admin)
    read = _hidden_version(_page(client, f"/organizations/{world.partner_org.id}/edit"))
    assert read == "1"
    # Meanwhile the site manager saves the same organization.
    org = get_organization_or_404(world.partner_org.id)
    services.update_organization(world.manager, org, {"city": "Meppen"}, 1)

    mine = _org_form(
        name="Partner Org", kind="startup", city="Papenburg", description="Our own words.",
        sites=[world.lingen.id], version=read,
    )  # fmt: skip
    response = client.post(f"/organizations/{world.partner_org.id}/edit", data=mine)

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this organization since you opened it." in html
    assert "Nothing was saved." in html
    assert "<strong>City</strong>: Meppen" in html  # what changed, with the current value
    assert 'value="Papenburg"' in html and "Our own words." in html  # the input is kept
    assert _hidden_version(html) == "2"  # saving again overwrites deliberately
    org = _org("Partner Org")
    assert (org.city, org.description, org.version) == ("Meppen", "", 2)
    assert _org_audit_count() == 1  # only the manager's save

    again = client.post(
        f"/organizations/{world.partner_org.id}/edit", data={**mine, "version": "2"}
    )
    assert again.status_code == 302
    org = _org("Partner Org")
    assert (org.city, org.description, org.version) == ("Papenburg", "Our own words.", 3)


def test_an_edit_without_a_version_overwrites_nothing(world, signed_in):
    client = signed_in(world.lead_member)
    data = _org_form(name="Lead Org", city="Emden")
    del data["version"]
    response = client.post(f"/organizations/{world.lead_org.id}/edit", data=data)
    assert response.status_code == 409
    assert "Someone else saved this organization" in response.get_data(as_text=True)
    assert (_org("Lead Org").city, _org("Lead Org").version) == ("", 1)


def test_changing_only_the_themes_moves_the_version(world):
    org = get_organization_or_404(world.partner_org.id)
    changes = services.update_organization(world.admin, org, {"theme_ids": [world.ai.id]}, 1)
    assert changes == {"themes": [[], ["ai"]]}
    assert _org("Partner Org").version == 2
    with pytest.raises(services.OrganizationConflict) as refused:
        stale = get_organization_or_404(world.partner_org.id)
        services.update_organization(world.admin, stale, {"theme_ids": []}, 1)
    assert [(c.field, c.read, c.current) for c in refused.value.changes] == [("themes", [], ["ai"])]
    assert [t.slug for t in get_organization_or_404(world.partner_org.id).themes] == ["ai"]


def test_a_save_racing_another_one_is_refused_at_commit(world):
    """The version is checked again when writing (PostgreSQL reads do not lock the row)."""
    org = get_organization_or_404(world.partner_org.id)  # read at version 1
    session = db.session()
    session.expire_on_commit = False  # keep what we read, as a request would mid-way
    session.commit()  # (SQLite: end the read, as its write transactions begin IMMEDIATE)
    session.expire_on_commit = True
    with db.engine.begin() as other:  # another request saves after our read
        other.execute(
            sa.text("UPDATE organizations SET city = 'Raced', version = 2 WHERE id = :id"),
            {"id": org.id},
        )
    with pytest.raises(services.OrganizationConflict) as refused:
        services.update_organization(world.admin, org, {"city": "Mine"}, 1)
    assert refused.value.current_version == 2
    fresh = _org("Partner Org")
    assert (fresh.city, fresh.version) == ("Raced", 2)
    assert _org_audit_count() == 0


# --- sites --------------------------------------------------------------------------------


def test_pipeline_counts_per_site_follow_what_the_user_may_see(world):
    f.make_project(world.berlin, world.other_org, title="Berlin market", stage="market")
    admin_counts = services.pipeline_by_site(world.admin)
    assert admin_counts[world.lingen.id] == {"develop": 2, "test": 0, "market": 0}
    assert admin_counts[world.berlin.id] == {"develop": 0, "test": 0, "market": 1}
    assert services.pipeline_by_site(world.outsider)[world.lingen.id]["develop"] == 1


def test_sites_list_shows_each_site_with_its_counts(world, signed_in):
    html = _page(signed_in(world.admin), "/sites")
    assert "Lingen" in html and "Berlin" in html
    assert '<span class="badge badge-stage stage-develop">2</span>' in html


def test_site_detail_shows_focus_managers_organizations_and_pipeline(world, signed_in):
    site = services.get_site("lingen")
    site.focus = "AI with green hydrogen."
    site.themes = [world.ai]
    db.session.commit()
    html = _page(signed_in(world.outsider), "/sites/lingen")
    assert "AI with green hydrogen." in html
    assert world.manager.display_name in html
    assert f'href="/organizations/{world.partner_org.id}"' in html
    assert "Other Org" not in html  # affiliated with Berlin only
    assert "Artificial intelligence" in html
    assert '<td class="text-end fw-semibold">1</td>' in html  # the consortium one is hidden


def test_site_detail_links_the_board_when_it_exists(app, world, signed_in):
    html = _page(signed_in(world.admin), "/sites/lingen")
    has_board = "boards.board" in app.view_functions
    assert ("/board?site=lingen" in html) == has_board


def test_patron_sees_sites_without_the_organization_list(world, signed_in):
    client = signed_in(world.patron)
    assert client.get("/sites").status_code == 200
    html = _page(client, "/sites/lingen")
    assert "Partner Org" not in html
    assert "open to members of the network" in html


def test_unknown_site_is_404(world, signed_in):
    assert signed_in(world.admin).get("/sites/atlantis").status_code == 404
