"""The read API: bearer tokens, problem documents, scoping, filters, cursor pages, limits."""

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker.auth.tokens import create_token, revoke_token
from tracker.extensions import db

API = "/api/v1"
PROBLEM = "application/problem+json"


def bearer(user, scope: str = "write") -> dict:
    """The Authorization header of a new token of user's ("write" or "read" scope)."""
    token, _row = create_token(user, "test", scope=scope)
    return {"Authorization": f"Bearer {token}"}


def get_json(client, url: str, headers: dict, status: int = 200):
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def titles(page: dict) -> set[str]:
    return {item["title"] for item in page["items"]}


# --- tokens ---------------------------------------------------------------------------------


def test_a_valid_token_is_accepted(client, world):
    page = get_json(client, "/api/v1/sites", bearer(world.lead_member))
    assert {item["slug"] for item in page["items"]} == {"lingen", "berlin"}


def test_a_missing_token_gets_401_with_www_authenticate(client, world):
    response = client.get("/api/v1/projects")
    body = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in body["detail"]


def test_a_signed_in_session_is_not_enough_for_the_api(client, world, login):
    assert login(world.admin).status_code == 302
    assert_problem(client.get("/api/v1/projects"), 401)


@pytest.mark.parametrize(
    "header", ["Bearer trk_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "trk_abc"]
)
def test_an_unknown_token_or_other_scheme_gets_401(client, world, header):
    response = client.get("/api/v1/projects", headers={"Authorization": header})
    assert_problem(response, 401)
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_revoked_token_gets_401(client, world):
    token, row = create_token(world.lead_member, "laptop")
    revoke_token(row, world.lead_member)
    response = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401)
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_a_deactivated_users_token_gets_401(client, world):
    headers = bearer(world.lead_member)
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    db.session.rollback()  # the request shared this session; start from a fresh snapshot
    world.lead_member.active = False
    db.session.commit()
    assert_problem(client.get("/api/v1/projects", headers=headers), 401)


# --- directory ------------------------------------------------------------------------------


def test_sites_and_themes_have_their_documented_fields(client, world):
    headers = bearer(world.patron)
    sites = get_json(client, "/api/v1/sites", headers)
    berlin = next(item for item in sites["items"] if item["slug"] == "berlin")
    assert berlin == {
        "slug": "berlin",
        "name": "Berlin",
        "city": world.berlin.city,
        "country": "DE",
        "kind": "headquarters",
    }
    assert sites["next_cursor"] is None
    themes = get_json(client, "/api/v1/themes", headers)
    assert themes == {
        "items": [{"slug": "ai", "name": "Artificial intelligence"}],
        "next_cursor": None,
    }


def test_organization_detail_lists_sites_and_themes_as_slugs(client, world):
    hydrogen = f.make_theme("green-hydrogen", "Green hydrogen")
    org = f.make_org(
        "Krone Group",
        sites=[world.lingen, world.berlin],
        themes=[hydrogen, world.ai],
        city="Spelle",
        website="https://krone.example",
    )
    body = get_json(client, f"/api/v1/organizations/{org.id}", bearer(world.outsider))
    assert body["id"] == org.id
    assert body["name"] == "Krone Group"
    assert body["kind"] == "member_company"
    assert body["country"] == "DE"
    assert body["city"] == "Spelle"
    assert body["website"] == "https://krone.example"
    assert body["member_since"] is None
    assert sorted(body["sites"]) == ["berlin", "lingen"]
    assert sorted(body["themes"]) == ["ai", "green-hydrogen"]


def test_a_missing_organization_answers_404_problem(client, world):
    response = client.get("/api/v1/organizations/999999", headers=bearer(world.admin))
    assert "999999" in assert_problem(response, 404)["detail"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=startup", {"Partner Org"}),
        ("site=berlin", {"Other Org"}),
        ("theme=ai", {"AI Lab"}),
        ("q=partner", {"Partner Org"}),
        ("country=fr", {"French Lab"}),
        ("site=lingen&kind=member_company", {"Lead Org"}),
        ("q=100%25", {"100% Solar"}),  # % and _ are letters here, not wildcards
        ("q=%25", {"100% Solar"}),
        ("q=_", set()),
    ],
)
def test_organization_filters_narrow_the_list(client, world, query, expected):
    f.make_org("AI Lab", kind="research_institution", themes=[world.ai], country="AT")
    f.make_org("French Lab", kind="research_institution", country="FR")
    f.make_org("100% Solar", kind="public_body", country="DE")
    page = get_json(client, f"/api/v1/organizations?{query}", bearer(world.manager))
    assert {item["name"] for item in page["items"]} == expected


def test_patrons_get_403_on_the_organization_directory(client, world):
    headers = bearer(world.patron)
    assert_problem(client.get("/api/v1/organizations", headers=headers), 403)
    response = client.get(f"/api/v1/organizations/{world.lead_org.id}", headers=headers)
    assert_problem(response, 403)


# --- projects -------------------------------------------------------------------------------


def test_a_member_of_an_unrelated_org_does_not_see_the_consortium_project(client, world):
    headers = bearer(world.outsider)
    page = get_json(client, "/api/v1/projects", headers)
    assert titles(page) == {"Open hydrogen forecast"}
    response = client.get(f"/api/v1/projects/{world.consortium_project.id}", headers=headers)
    assert_problem(response, 404)


def test_a_member_of_a_partner_org_sees_the_consortium_project(client, world):
    headers = bearer(world.partner_member)
    page = get_json(client, "/api/v1/projects", headers)
    assert titles(page) == {"Open hydrogen forecast", "Secret electrolyser twin"}
    body = get_json(client, f"/api/v1/projects/{world.consortium_project.id}", headers)
    assert body["lead_organization"] == {"id": world.lead_org.id, "name": "Lead Org"}
    assert body["partners"] == [
        {
            "organization_id": world.partner_org.id,
            "name": "Partner Org",
            "kind": "startup",
            "role": "startup",
        }
    ]


def test_admins_and_the_host_sites_manager_see_every_project(client, world):
    hidden = f.make_project(world.berlin, world.other_org, visibility="consortium", title="Berlin")
    everything = {"Open hydrogen forecast", "Secret electrolyser twin", "Berlin"}
    assert titles(get_json(client, "/api/v1/projects", bearer(world.admin))) == everything
    seen_by_manager = titles(get_json(client, "/api/v1/projects", bearer(world.manager)))
    assert seen_by_manager == everything - {"Berlin"}
    response = client.get(f"/api/v1/projects/{hidden.id}", headers=bearer(world.manager))
    assert_problem(response, 404)


def test_project_detail_carries_every_documented_field(client, world):
    project = world.network_project
    body = get_json(client, f"/api/v1/projects/{project.id}", bearer(world.lead_member))
    assert set(body) == {
        "id", "title", "summary", "description", "site", "kind", "stage", "status",
        "visibility", "themes", "lead_organization", "partners", "target_test_on",
        "target_market_on", "launched_on", "stage_entered_at", "last_activity_at",
        "created_at", "updated_at", "version", "withheld",
    }  # fmt: skip
    assert body["site"] == "lingen"
    assert body["themes"] == ["ai"]
    assert body["stage"] == "develop"
    assert body["version"] == project.version
    assert body["stage_entered_at"].endswith("+00:00")
    listed = get_json(client, "/api/v1/projects", bearer(world.lead_member))["items"]
    assert next(item for item in listed if item["id"] == project.id) == body


def test_patrons_see_network_projects_as_summaries_only(client, world):
    world.network_project.description = "Confidential cost model"
    db.session.commit()
    headers = bearer(world.patron)
    page = get_json(client, "/api/v1/projects", headers)
    assert titles(page) == {"Open hydrogen forecast"}
    body = get_json(client, f"/api/v1/projects/{world.network_project.id}", headers)
    assert body["title"] == "Open hydrogen forecast"
    assert body["stage"] == "develop"
    # Withheld, not empty look-alikes: null, and named in `withheld`.
    assert body["description"] is None
    assert body["partners"] is None
    assert body["lead_organization"] is None
    assert body["withheld"] == ["description", "lead_organization", "partners"]
    response = client.get(f"/api/v1/projects/{world.consortium_project.id}", headers=headers)
    assert_problem(response, 404)


@pytest.fixture
def filtered_world(world):
    hydrogen = f.make_theme("green-hydrogen", "Green hydrogen")
    f.make_project(world.berlin, world.other_org, themes=[hydrogen], title="Wind twin")
    f.make_project(world.lingen, world.other_org, stage="test", title="Field test")
    f.make_project(world.lingen, world.lead_org, status="on_hold", title="Paused pilot")
    f.make_project(
        world.lingen, world.other_org, [(world.lead_org, "partner")], title="Shared grid"
    )
    f.make_project(world.lingen, world.other_org, summary="A 100% electrolyser", title="Quiet")
    return world


@pytest.mark.parametrize(
    "query, expected",
    [
        ("site=berlin", {"Wind twin"}),
        ("stage=test", {"Field test"}),
        ("status=on_hold", {"Paused pilot"}),
        ("theme=green-hydrogen", {"Wind twin"}),
        ("q=TWIN", {"Wind twin", "Secret electrolyser twin"}),
        ("q=100%25", {"Quiet"}),
        ("site=lingen&stage=test", {"Field test"}),
    ],
)
def test_project_filters_narrow_the_list(client, filtered_world, query, expected):
    page = get_json(client, f"/api/v1/projects?{query}", bearer(filtered_world.admin))
    assert titles(page) == expected


def test_the_organization_filter_matches_any_participation(client, filtered_world):
    w = filtered_world
    page = get_json(client, f"/api/v1/projects?organization={w.lead_org.id}", bearer(w.admin))
    assert titles(page) == {
        "Open hydrogen forecast",
        "Secret electrolyser twin",
        "Paused pilot",
        "Shared grid",
    }


def test_filters_never_widen_what_a_user_may_see(client, world):
    query = f"/api/v1/projects?organization={world.lead_org.id}"
    assert titles(get_json(client, query, bearer(world.outsider))) == {"Open hydrogen forecast"}


# --- pages ----------------------------------------------------------------------------------


def test_cursor_pages_cover_every_visible_project_exactly_once(client, world):
    for n in range(5):
        f.make_project(world.lingen, world.other_org, title=f"Extra {n}")
    f.make_project(world.berlin, world.other_org, visibility="consortium", title="Hidden")
    headers = bearer(world.lead_member)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/projects?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = get_json(client, url, headers)
        pages += 1
        assert len(page["items"]) <= 2
        seen.extend(item["title"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == 7
    assert "Hidden" not in seen


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90LWFuLWlk", "cursor"),  # base64 of "not-an-id"
        ("stage=launched", "stage"),
        ("organization=x", "organization"),
    ],
)
def test_bad_query_parameters_get_422_naming_the_parameter(client, world, query, parameter):
    response = client.get(f"/api/v1/projects?{query}", headers=bearer(world.admin))
    body = assert_problem(response, 422)
    assert list(body["errors"]) == [parameter]
    assert parameter in body["detail"]


def test_unknown_query_parameters_are_ignored(client, world):
    page = get_json(client, "/api/v1/projects?colour=blue", bearer(world.admin))
    assert len(page["items"]) == 2


def count_statements(client, url: str, headers: dict) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_project_list_issues_the_same_queries_for_5_and_50_projects(client, world):
    theme = f.make_theme()
    partner = f.make_org()

    def add(count: int):
        for _ in range(count):
            f.make_project(world.lingen, world.lead_org, [(partner, "partner")], [theme])

    headers = bearer(world.lead_member)
    client.get("/api/v1/projects", headers=headers)  # records last use of the token once
    add(3)  # five projects
    few = count_statements(client, "/api/v1/projects?limit=100", headers)
    add(45)
    many = count_statements(client, "/api/v1/projects?limit=100", headers)
    assert few == many


# --- errors and limits ----------------------------------------------------------------------


def test_an_unknown_api_path_answers_404_problem(client, world):
    assert_problem(client.get("/api/v1/nothing-here", headers=bearer(world.admin)), 404)


def test_pages_outside_the_api_keep_html_error_pages(client, world, login):
    login(world.admin)
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_body_over_one_megabyte_gets_413_problem(client, world):
    response = client.post(
        "/api/v1/projects",
        data=b"x" * (1024 * 1024 + 1),
        headers=bearer(world.admin),
        content_type="application/json",
    )
    assert "limit" in assert_problem(response, 413)["detail"]


def test_too_many_requests_with_one_token_get_429_with_retry_after(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_API_LIMIT", "2 per minute")
    headers = bearer(world.lead_member)
    assert client.get("/api/v1/themes", headers=headers).status_code == 200
    assert client.get("/api/v1/sites", headers=headers).status_code == 200
    response = client.get("/api/v1/projects", headers=headers)  # one allowance for all of it
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    # The counter belongs to the token, not to the address all test requests share.
    assert client.get("/api/v1/themes", headers=bearer(world.admin)).status_code == 200


def test_the_openapi_document_is_public_and_lists_the_endpoints(client, world):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/projects", "/api/v1/projects/{project_id}", "/api/v1/sites"} <= set(
        spec["paths"]
    )
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    errors = spec["paths"]["/api/v1/projects"]["get"]["responses"]["401"]["content"]
    assert PROBLEM in errors
