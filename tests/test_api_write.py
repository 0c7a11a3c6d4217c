"""The write API for projects, updates, history and organizations: happy paths, 401, 403,
404 for hidden projects, 422 for bad bodies, 409/428 for versions; refusals write nothing."""

import pytest
import sqlalchemy as sa

from tests.test_api_read import assert_problem, bearer, get_json
from tracker.extensions import db
from tracker.models import AuditEvent, Organization, Project, Update

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")


NEW = {"title": "Hydrogen-cooled racks", "summary": "Cooling with H2.", "site": "lingen"}


def count(model) -> int:
    db.session.expire_all()
    number = db.session.scalar(sa.select(sa.func.count()).select_from(model))
    # End the read: requests share this session, and on SQLite a write cannot follow a read
    # transaction that began before another connection wrote (the token's last use).
    db.session.rollback()
    return number


def audited() -> int:
    """Audit events of changes (not of the tokens the test made)."""
    db.session.expire_all()
    query = sa.select(sa.func.count()).where(AuditEvent.action != "api_token_created")
    number = db.session.scalar(query)
    db.session.rollback()
    return number


def post(client, url: str, user, body, status: int):
    response = client.post(url, json=body, headers=bearer(user) if user else {})
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def patch(client, url: str, user, body, status: int, **headers):
    response = client.patch(url, json=body, headers={**bearer(user), **headers})
    assert response.status_code == status, response.get_data(as_text=True)
    return response


# --- POST /api/v1/projects ------------------------------------------------------------------


def test_a_member_creates_a_project_led_by_their_organization(client, world):
    body = {**NEW, "themes": ["ai"], "partners": [{"organization_id": world.other_org.id}]}
    response = post(client, "/api/v1/projects", world.lead_member, body, 201)
    project = response.get_json()
    assert response.headers["Location"] == f"/api/v1/projects/{project['id']}"
    assert response.headers["ETag"].startswith('"1-')
    assert project["lead_organization"] == {"id": world.lead_org.id, "name": "Lead Org"}
    assert project["site"] == "lingen" and project["themes"] == ["ai"]
    assert project["stage"] == "develop" and project["status"] == "active"
    assert project["kind"] == "product" and project["visibility"] == "network"
    assert project["partners"] == [
        {"organization_id": world.other_org.id, "name": "Other Org", "kind": "member_company",
         "role": "partner"}
    ]  # fmt: skip
    shown = get_json(client, response.headers["Location"], bearer(world.lead_member))
    assert shown == project
    events = get_json(client, f"/api/v1/projects/{project['id']}/history", bearer(world.admin))
    assert [e["note"] for e in events["items"]] == ["Project created"]


def test_creating_a_project_needs_a_token(client, world):
    assert_problem(post(client, "/api/v1/projects", None, NEW, 401), 401)
    assert count(Project) == 2


def test_patrons_may_not_create_projects(client, world):
    assert_problem(post(client, "/api/v1/projects", world.patron, NEW, 403), 403)
    assert count(Project) == 2


def test_a_member_may_not_choose_another_lead(client, world):
    body = {**NEW, "lead_organization_id": world.other_org.id}
    assert_problem(post(client, "/api/v1/projects", world.lead_member, body, 403), 403)
    assert count(Project) == 2


def test_an_admin_without_organization_must_name_the_lead(client, world):
    problem = post(client, "/api/v1/projects", world.admin, NEW, 422).get_json()
    assert "lead_organization_id" in problem["errors"]
    body = {**NEW, "lead_organization_id": world.other_org.id}
    created = post(client, "/api/v1/projects", world.admin, body, 201).get_json()
    assert created["lead_organization"]["name"] == "Other Org"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"title": 5}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "   "}, "title"),
        ({"summary": "x" * 501}, "summary"),
        ({"site": "atlantis"}, "site"),
        ({"themes": ["ai", "alchemy"]}, "themes"),
        ({"themes": "ai"}, "themes"),
        ({"kind": "toy"}, "kind"),
        ({"visibility": "secret"}, "visibility"),
        ({"target_test_on": "next week"}, "target_test_on"),
        ({"target_test_on": "2030-05-01", "target_market_on": "2030-01-01"}, "target_market_on"),
        ({"partners": [{"organization_id": "3"}]}, "partners.0.organization_id"),
        ({"partners": [{"organization_id": 2**40}]}, "partners.0.organization_id"),
        ({"partners": [{"organization_id": 999999}]}, "partners.0"),
        ({"partners": [{"organization_id": 1, "role": "lead"}]}, "partners.0.role"),
        ({"partners": [{"organization_id": 1, "extra": True}]}, "partners.0.extra"),
    ],
)
def test_bad_bodies_get_422_naming_the_field_and_create_nothing(client, world, change, field):
    problem = post(client, "/api/v1/projects", world.lead_member, {**NEW, **change}, 422)
    body = assert_problem(problem, 422)
    assert field in body["errors"], body
    assert field in body["detail"]
    assert count(Project) == 2 and audited() == 0


@pytest.mark.parametrize("missing", ["title", "site"])
def test_title_and_site_are_required(client, world, missing):
    body = {k: v for k, v in NEW.items() if k != missing}
    assert missing in post(client, "/api/v1/projects", world.lead_member, body, 422).json["errors"]


def test_a_body_that_is_not_a_json_object_gets_a_problem_not_a_crash(client, world):
    headers = {**bearer(world.lead_member), "Content-Type": "application/json"}
    broken = client.post("/api/v1/projects", data="{not json", headers=headers)
    assert "JSON" in assert_problem(broken, 400)["detail"]
    listed = client.post("/api/v1/projects", data="[1, 2]", headers=headers)
    assert "JSON object" in assert_problem(listed, 422)["detail"]
    form = client.post("/api/v1/projects", data={"title": "x"}, headers=bearer(world.lead_member))
    assert "application/json" in assert_problem(form, 415)["detail"]
    assert count(Project) == 2


# --- PATCH /api/v1/projects/<id> ------------------------------------------------------------


def test_the_lead_changes_fields_with_the_version_read(client, world):
    url = f"/api/v1/projects/{world.network_project.id}"
    read = client.get(url, headers=bearer(world.lead_member))
    assert read.headers["ETag"].startswith('"1-')
    body = {"version": 1, "title": "Open hydrogen forecast v2", "themes": []}
    changed = patch(client, url, world.lead_member, body, 200)
    project = changed.get_json()
    assert project["title"] == "Open hydrogen forecast v2" and project["themes"] == []
    assert project["version"] == 2 and changed.headers["ETag"].startswith('"2-')
    assert project["summary"] == read.get_json()["summary"]  # fields left out stay


@pytest.mark.parametrize("tag", ['"1"', 'W/"1"', "1"])
def test_if_match_can_carry_the_version(client, world, tag):
    url = f"/api/v1/projects/{world.network_project.id}"
    project = patch(client, url, world.lead_member, {"kind": "service"}, 200, **{"If-Match": tag})
    assert project.get_json()["kind"] == "service"


def test_a_patch_without_a_version_gets_428_and_changes_nothing(client, world):
    url = f"/api/v1/projects/{world.network_project.id}"
    body = assert_problem(patch(client, url, world.lead_member, {"title": "New"}, 428), 428)
    assert "version" in body["detail"] and "If-Match" in body["detail"]
    assert get_json(client, url, bearer(world.lead_member))["title"] == "Open hydrogen forecast"


def test_differing_versions_in_body_and_header_get_422(client, world):
    url = f"/api/v1/projects/{world.network_project.id}"
    response = patch(client, url, world.lead_member, {"version": 1}, 422, **{"If-Match": '"2"'})
    assert "version" in response.get_json()["errors"]


def test_a_stale_version_gets_409_listing_what_changed_and_saves_nothing(client, world):
    url = f"/api/v1/projects/{world.network_project.id}"
    patch(client, url, world.manager, {"version": 1, "title": "Renamed by the manager"}, 200)
    stale = {"version": 1, "summary": "My late summary", "target_test_on": "2031-01-01"}
    problem = assert_problem(patch(client, url, world.lead_member, stale, 409), 409)
    assert problem["current_version"] == 2
    assert problem["changes"] == [
        {"field": "title", "label": "Title", "read": "Open hydrogen forecast",
         "current": "Renamed by the manager"}
    ]  # fmt: skip
    project = get_json(client, url, bearer(world.lead_member))
    assert project["summary"] != "My late summary" and project["target_test_on"] is None
    assert project["version"] == 2


def test_patch_answers_404_for_hidden_and_403_for_visible_but_not_editable(client, world):
    hidden = f"/api/v1/projects/{world.consortium_project.id}"
    assert_problem(patch(client, hidden, world.outsider, {"version": 1, "title": "x"}, 404), 404)
    visible = f"/api/v1/projects/{world.network_project.id}"
    for user in (world.partner_member, world.outsider, world.patron):
        assert_problem(patch(client, visible, user, {"version": 1, "title": "x"}, 403), 403)
    assert_problem(client.patch(visible, json={"version": 1}), 401)
    assert_problem(patch(client, "/api/v1/projects/999999", world.admin, {"version": 1}, 404), 404)
    assert_problem(patch(client, "/api/v1/projects/99999999999", world.admin, {}, 404), 404)
    assert audited() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"site": "atlantis"}, "site"), ({"stage": "market"}, "stage"), ({"title": None}, "title")],
)
def test_a_bad_patch_gets_422_and_changes_nothing(client, world, change, field):
    url = f"/api/v1/projects/{world.network_project.id}"
    body = {"version": 1, "summary": "Changed?", **change}
    assert field in patch(client, url, world.lead_member, body, 422).get_json()["errors"]
    project = get_json(client, url, bearer(world.lead_member))
    assert project["version"] == 1 and project["summary"] != "Changed?"


def test_partners_in_a_patch_replace_the_partner_list(client, world):
    url = f"/api/v1/projects/{world.network_project.id}"
    partner = {"organization_id": world.other_org.id, "role": "pilot_customer"}
    body = {"version": 1, "partners": [partner]}
    project = patch(client, url, world.admin, body, 200).get_json()
    partners = [(p["name"], p["role"]) for p in project["partners"]]
    assert partners == [("Other Org", "pilot_customer")]
    assert project["lead_organization"]["name"] == "Lead Org"


def test_a_member_may_not_move_the_lead_by_patch(client, world):
    url = f"/api/v1/projects/{world.network_project.id}"
    body = {"version": 1, "lead_organization_id": world.partner_org.id}
    assert_problem(patch(client, url, world.lead_member, body, 403), 403)


# --- updates and history --------------------------------------------------------------------


def test_participants_post_updates_and_read_them_paged(client, world):
    url = f"/api/v1/projects/{world.consortium_project.id}/updates"
    first = post(client, url, world.partner_member, {"body": " Electrolyser arrived. "}, 201)
    assert first.get_json()["body"] == "Electrolyser arrived."
    assert first.get_json()["author"] == world.partner_member.display_name
    post(client, url, world.manager, {"body": "Test slot booked."}, 201)
    page = get_json(client, url + "?limit=1", bearer(world.lead_member))
    assert [u["body"] for u in page["items"]] == ["Electrolyser arrived."]
    rest = get_json(client, f"{url}?limit=1&cursor={page['next_cursor']}", bearer(world.admin))
    assert [u["body"] for u in rest["items"]] == ["Test slot booked."]
    assert rest["next_cursor"] is None


def test_updates_are_refused_to_outsiders_and_bad_bodies(client, world):
    network = f"/api/v1/projects/{world.network_project.id}/updates"
    hidden = f"/api/v1/projects/{world.consortium_project.id}/updates"
    assert_problem(post(client, network, world.outsider, {"body": "Hello"}, 403), 403)
    assert_problem(post(client, hidden, world.outsider, {"body": "Hello"}, 404), 404)
    assert_problem(client.get(hidden, headers=bearer(world.outsider)), 404)
    # a patron sees the network project's summary: its updates are forbidden (403), not hidden
    assert_problem(client.get(network, headers=bearer(world.patron)), 403)
    assert_problem(post(client, network, None, {"body": "Hello"}, 401), 401)
    for bad, field in (({}, "body"), ({"body": " "}, "body"), ({"body": "x" * 5001}, "body"),
                       ({"body": "ok", "pinned": True}, "pinned")):  # fmt: skip
        assert field in post(client, network, world.lead_member, bad, 422).get_json()["errors"]
    assert count(Update) == 0


def test_history_lists_stage_events_with_actor_names(client, world):
    url = f"/api/v1/projects/{world.network_project.id}/history"
    page = get_json(client, url, bearer(world.partner_member))
    assert page["next_cursor"] is None
    assert [(e["from_stage"], e["to_stage"], e["to_status"]) for e in page["items"]] == [
        (None, "develop", "active")
    ]
    assert set(page["items"][0]) == {
        "id", "from_stage", "to_stage", "from_status", "to_status", "at", "actor", "note",
        "gate_request_id",
    }  # fmt: skip


def test_history_of_a_hidden_project_is_404(client, world):
    url = f"/api/v1/projects/{world.consortium_project.id}/history"
    assert_problem(client.get(url, headers=bearer(world.outsider)), 404)
    assert_problem(client.get(url), 401)


# --- organizations --------------------------------------------------------------------------

ORG = {"name": "Emsland Hydrogen GmbH", "kind": "startup", "country": "DE", "sites": ["lingen"]}


def test_an_admin_adds_an_organization(client, world):
    body = {**ORG, "themes": ["ai"], "website": "https://h2.example", "member_since": "2024-01-01"}
    response = post(client, "/api/v1/organizations", world.admin, body, 201)
    org = response.get_json()
    assert response.headers["Location"] == f"/api/v1/organizations/{org['id']}"
    assert org["sites"] == ["lingen"] and org["themes"] == ["ai"] and org["city"] == ""
    assert org["member_since"] == "2024-01-01"


def test_a_site_manager_adds_organizations_only_at_their_sites(client, world):
    post(client, "/api/v1/organizations", world.manager, ORG, 201)
    other = {**ORG, "name": "Berlin only", "sites": ["berlin"]}
    assert (
        "sites" in post(client, "/api/v1/organizations", world.manager, other, 422).json["errors"]
    )


@pytest.mark.parametrize("who", ["lead_member", "patron"])
def test_members_and_patrons_may_not_add_organizations(client, world, who):
    assert_problem(post(client, "/api/v1/organizations", world.user(who), ORG, 403), 403)
    assert count(Organization) == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "lead org"}, "name"),
        ({"country": "XX"}, "country"),
        ({"country": "de"}, "country"),
        ({"website": "ftp://example.org"}, "website"),
        ({"member_since": "2999-01-01"}, "member_since"),
        ({"sites": ["atlantis"]}, "sites"),
        ({"kind": "club"}, "kind"),
        ({"employees": 10}, "employees"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_organization_bodies_get_422_naming_the_field(client, world, change, field):
    response = post(client, "/api/v1/organizations", world.admin, {**ORG, **change}, 422)
    assert field in response.get_json()["errors"]
    assert count(Organization) == 3


def test_members_edit_their_own_organizations_profile_only(client, world):
    url = f"/api/v1/organizations/{world.lead_org.id}"
    body = {"version": 1, "city": "Lingen (Ems)", "themes": ["ai"]}
    org = patch(client, url, world.lead_member, body, 200)
    assert org.get_json()["city"] == "Lingen (Ems)" and org.get_json()["themes"] == ["ai"]
    assert org.get_json()["version"] == 2 and org.headers["ETag"].startswith('"2-')
    standing = {"version": 2, "kind": "startup"}
    assert_problem(patch(client, url, world.lead_member, standing, 403), 403)
    assert_problem(patch(client, url, world.lead_member, {"version": 2, "sites": []}, 403), 403)
    other = f"/api/v1/organizations/{world.other_org.id}"
    mars = {"version": 1, "city": "Mars"}
    assert_problem(patch(client, other, world.lead_member, mars, 403), 403)
    assert_problem(patch(client, url, world.patron, mars, 403), 403)
    missing = "/api/v1/organizations/999999"
    assert_problem(patch(client, missing, world.admin, {"version": 1}, 404), 404)
    db.session.expire_all()
    organization = db.session.get(Organization, world.lead_org.id)
    assert (organization.kind, organization.version) == ("member_company", 2)


def test_site_managers_edit_organizations_of_their_sites(client, world):
    url = f"/api/v1/organizations/{world.partner_org.id}"
    body = {"version": 1, "kind": "research_institution", "name": "Partner Institute"}
    org = patch(client, url, world.manager, body, 200).get_json()
    assert org["kind"] == "research_institution" and org["name"] == "Partner Institute"
    berlin = f"/api/v1/organizations/{world.other_org.id}"
    assert_problem(patch(client, berlin, world.manager, {"version": 1, "city": "Lingen"}, 403), 403)
    clash = patch(client, url, world.manager, {"version": 2, "name": "LEAD ORG"}, 422)
    assert "name" in clash.get_json()["errors"]


def test_organizations_are_read_with_their_version_as_etag(client, world):
    url = f"/api/v1/organizations/{world.partner_org.id}"
    read = client.get(url, headers=bearer(world.lead_member))
    assert read.get_json()["version"] == 1 and read.headers["ETag"].startswith('"1-')
    listed = get_json(client, "/api/v1/organizations", bearer(world.lead_member))["items"]
    assert {item["version"] for item in listed} == {1}
    created = post(client, "/api/v1/organizations", world.admin, ORG, 201)
    assert created.get_json()["version"] == 1 and created.headers["ETag"].startswith('"1-')


@pytest.mark.parametrize("tag", ['"1"', 'W/"1"', "1"])
def test_if_match_can_carry_the_organization_version(client, world, tag):
    url = f"/api/v1/organizations/{world.partner_org.id}"
    changed = patch(client, url, world.manager, {"city": "Meppen"}, 200, **{"If-Match": tag})
    assert changed.get_json()["city"] == "Meppen" and changed.headers["ETag"].startswith('"2-')


def test_an_organization_patch_without_a_version_gets_428_and_changes_nothing(client, world):
    url = f"/api/v1/organizations/{world.partner_org.id}"
    body = assert_problem(patch(client, url, world.manager, {"city": "Meppen"}, 428), 428)
    assert "version" in body["detail"] and "If-Match" in body["detail"]
    org = get_json(client, url, bearer(world.manager))
    assert org["city"] == "" and org["version"] == 1
    assert audited() == 0


def test_differing_organization_versions_in_body_and_header_get_422(client, world):
    url = f"/api/v1/organizations/{world.partner_org.id}"
    body = {"version": 1, "city": "Meppen"}
    response = patch(client, url, world.manager, body, 422, **{"If-Match": '"2"'})
    assert "version" in response.get_json()["errors"]
    assert get_json(client, url, bearer(world.manager))["city"] == ""


def test_a_stale_organization_version_gets_409_listing_what_changed_and_saves_nothing(
    client, world
):
    url = f"/api/v1/organizations/{world.partner_org.id}"
    patch(client, url, world.admin, {"version": 1, "city": "Meppen", "themes": ["ai"]}, 200)
    stale = {"version": 1, "city": "Papenburg", "description": "Late words."}
    problem = assert_problem(patch(client, url, world.manager, stale, 409), 409)
    assert problem["current_version"] == 2
    assert problem["changes"] == [
        {"field": "city", "label": "City", "read": "", "current": "Meppen"},
        {"field": "themes", "label": "Expertise themes", "read": [], "current": ["ai"]},
    ]
    assert "City, Expertise themes changed" in problem["detail"]
    org = get_json(client, url, bearer(world.manager))
    assert (org["city"], org["description"], org["version"]) == ("Meppen", "", 2)
    assert audited() == 1


def test_a_version_not_yet_reached_gets_409_and_saves_nothing(client, world):
    url = f"/api/v1/organizations/{world.partner_org.id}"
    body = {"version": 7, "city": "Papenburg"}
    problem = assert_problem(patch(client, url, world.manager, body, 409), 409)
    assert problem["current_version"] == 1 and problem["changes"] == []
    assert "not the organization's current one (1)" in problem["detail"]
    assert get_json(client, url, bearer(world.manager))["city"] == ""


# --- a member's script ----------------------------------------------------------------------


def test_a_member_script_lists_creates_requests_a_gate_and_reads_metrics(client, world):
    """What a member company's script does, with only the OpenAPI document as its guide."""
    spec = client.get("/api/v1/openapi.json").get_json()
    own_org = world.lead_org.id
    headers = bearer(world.lead_member)
    paths = spec["paths"]
    assert "get" in paths["/api/v1/projects"] and "post" in paths["/api/v1/projects"]
    listed = get_json(client, f"/api/v1/projects?organization={own_org}", headers)
    assert {p["title"] for p in listed["items"]} == {
        "Open hydrogen forecast", "Secret electrolyser twin"
    }  # fmt: skip
    created = client.post("/api/v1/projects", json=NEW, headers=headers)
    assert created.status_code == 201
    gate_path = "/api/v1/projects/{project_id}/gate-requests"
    assert "post" in paths[gate_path]
    gate = client.post(
        gate_path.format(project_id=created.get_json()["id"]),
        json={"evidence": "Prototype runs on the test bench."},
        headers=headers,
    )
    assert gate.status_code == 201 and gate.get_json()["decision"] == "pending"
    assert "/api/v1/metrics/pipeline" in paths
    metrics = get_json(client, "/api/v1/metrics/pipeline", headers)
    assert metrics["by_stage"]["develop"] >= 1
