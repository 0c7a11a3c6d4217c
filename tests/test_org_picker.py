"""Organization pickers (issue 19, design §16): a search endpoint and a text box instead of a
<select> of every organization, so pages do not grow with the directory."""

import sqlalchemy as sa

from tests import factories
from tests.projects_support import project_form
from tracker.extensions import db
from tracker.models import Organization


def add_organizations(count: int, prefix: str = "Bulk organization") -> None:
    """Insert many organizations in one statement."""
    start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Organization.id), 0))) + 1
    rows = [
        {"name": f"{prefix} {start + i:05d}", "kind": "member_company", "country": "DE"}
        for i in range(count)
    ]
    db.session.execute(sa.insert(Organization), rows)
    db.session.commit()


def organization_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Organization.id)))


def board_size(client) -> int:
    response = client.get("/board")
    assert response.status_code == 200
    return len(response.get_data())


def test_the_board_does_not_grow_with_the_directory(client, world, login):
    login(world.admin)
    add_organizations(50 - organization_count())
    small = board_size(client)
    add_organizations(950)
    assert organization_count() == 1000
    large = board_size(client)
    assert large <= small * 1.10, (small, large)


def test_the_project_and_user_lists_and_forms_do_not_grow_with_the_directory(client, world, login):
    login(world.admin)
    add_organizations(50 - organization_count())
    urls = ("/projects", "/projects/new", "/admin/users", "/admin/users/new")
    small = [len(client.get(url).get_data()) for url in urls]
    add_organizations(950)
    large = [len(client.get(url).get_data()) for url in urls]
    for before, after in zip(small, large, strict=True):
        assert after <= before * 1.10, (small, large)


def test_search_finds_names_containing_the_text_starting_ones_first(client, world, login):
    factories.make_org("Hydrogen Works", kind="startup")
    factories.make_org("Blue hydrogen lab", kind="research_institution")
    login(world.outsider)
    response = client.get("/organizations/search?q=hydro")
    assert response.status_code == 200
    found = response.get_json()["organizations"]
    assert [o["name"] for o in found] == ["Hydrogen Works", "Blue hydrogen lab"]
    assert found[1]["kind"] == "research_institution"
    assert found[1]["kind_label"] == "Research institution"
    assert "max-age" in response.headers["Cache-Control"]


def test_search_answers_twenty_at_most_and_says_there_are_more(client, world, login):
    add_organizations(30, prefix="Zeta")
    login(world.lead_member)
    answer = client.get("/organizations/search?q=zeta").get_json()
    assert len(answer["organizations"]) == 20
    assert answer["more"] is True
    assert client.get("/organizations/search?q=nothing-like-this").get_json() == {
        "organizations": [],
        "more": False,
    }


def test_search_treats_wildcards_as_text(client, world, login):
    factories.make_org("100% Solar")
    login(world.admin)
    names = [
        o["name"] for o in client.get("/organizations/search?q=%25").get_json()["organizations"]
    ]
    assert names == ["100% Solar"]


def test_the_user_forms_offer_only_the_organizations_one_may_put_people_into(client, world, login):
    login(world.manager)  # manages Lingen: Lead Org and Partner Org, not Berlin's Other Org
    found = client.get("/organizations/search?q=org&scope=assignable").get_json()
    assert [o["name"] for o in found["organizations"]] == ["Lead Org", "Partner Org"]
    everyone = client.get("/organizations/search?q=org").get_json()["organizations"]
    assert "Other Org" in [o["name"] for o in everyone]
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert "scope=assignable" in html
    data = {"email": "new@example.org", "display_name": "New", "role": "member",
            "organization": "", "organization_name": "Other Org"}  # fmt: skip
    html = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert "No organization matches “Other Org”" in html.replace("&#34;", '"')


def test_patrons_may_not_search_the_directory(client, world, login):
    login(world.patron)
    assert client.get("/organizations/search?q=org").status_code == 403


def test_the_board_filter_works_without_javascript_by_typed_text(client, world, login):
    other = factories.make_project(world.berlin, world.other_org, title="Berlin wind pilot")
    assert other.id
    login(world.admin)
    html = client.get("/board?org=&org_name=other+org").get_data(as_text=True)
    assert "Berlin wind pilot" in html
    assert "Open hydrogen forecast" not in html
    assert 'value="Other Org"' in html  # the box shows the matched name
    html = client.get("/board?org=&org_name=Org").get_data(as_text=True)
    assert "matches several organizations" in html
    assert "Open hydrogen forecast" in html  # the filter was dropped
    html = client.get("/board?org=&org_name=Nobody").get_data(as_text=True)
    assert "No organization matches" in html


def test_the_board_filter_keeps_the_picked_id_and_an_empty_box_clears_it(client, world, login):
    factories.make_project(world.berlin, world.other_org, title="Berlin wind pilot")
    login(world.admin)
    org = world.other_org.id
    html = client.get(f"/board?org={org}&org_name=Other+Org").get_data(as_text=True)
    assert "Berlin wind pilot" in html and "Open hydrogen forecast" not in html
    html = client.get(f"/board?org={org}&org_name=").get_data(as_text=True)
    assert "Open hydrogen forecast" in html
    html = client.get(f"/board?org={org}").get_data(as_text=True)  # an old link: the id
    assert "Berlin wind pilot" in html and "Open hydrogen forecast" not in html


def test_the_form_says_why_beside_the_row_and_shows_each_partners_kind(client, world, login):
    institute = factories.make_org("Emsland Institute", kind="research_institution")
    login(world.lead_member)
    data = project_form(world.lingen, partners=[(institute, "startup")])
    response = client.post("/projects/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is registered as “Research institution”" in html.replace("&#34;", '"')
    assert 'value="Emsland Institute"' in html  # the row keeps its organization
    assert "Research institution</div>" in html  # the kind under the picker
    data["partners-0-role"] = "research_partner"
    response = client.post("/projects/new", data=data)
    assert response.status_code == 302


def test_the_project_form_matches_typed_partner_names_without_javascript(client, world, login):
    login(world.lead_member)
    data = project_form(world.lingen, title="Typed partners")
    data |= {"partners-0-organization_id": "", "partners-0-organization_id_name": "partner org"}
    data |= {"partners-0-role": "startup"}
    data |= {"partners-1-organization_id": "", "partners-1-organization_id_name": "Org"}
    response = client.post("/projects/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "matches several organizations" in html  # row 2 is ambiguous: nothing is created
    assert 'value="Partner Org"' in html and 'value="Org"' in html  # both rows keep their text
    data["partners-1-organization_id_name"] = ""
    response = client.post("/projects/new", data=data)
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Partner Org" in detail
