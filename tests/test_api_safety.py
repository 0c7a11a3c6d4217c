"""Errors a program can branch on, conditional requests, safe retries, token scopes and
rate-limit headers (design §13)."""

import pytest
import sqlalchemy as sa

from tests.test_api_read import API, assert_problem, bearer
from tracker.extensions import db
from tracker.models import IdempotencyKey, Milestone, Project, Update

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")


def count(model) -> int:
    db.session.expire_all()
    number = db.session.scalar(sa.select(sa.func.count()).select_from(model))
    db.session.rollback()
    return number


# --- problem types ----------------------------------------------------------------------------


def test_every_problem_names_its_kind_and_instance(client, world):
    headers = bearer(world.lead_member)
    missing = client.get(f"{API}/projects/999999", headers=headers)
    body = assert_problem(missing, 404)
    assert body["type"] == "http://localhost/api/v1/problems/not-found"
    assert body["instance"] == "/api/v1/projects/999999"
    unknown_path = client.get(f"{API}/no-such-thing", headers=headers)
    assert assert_problem(unknown_path, 404)["type"] == "http://localhost/api/v1/problems/not-found"
    invalid = client.post(f"{API}/projects", json={"title": ""}, headers=headers)
    assert assert_problem(invalid, 422)["type"] == "http://localhost/api/v1/problems/validation"
    unauthorized = client.get(f"{API}/projects")
    assert (
        assert_problem(unauthorized, 401)["type"] == "http://localhost/api/v1/problems/unauthorized"
    )
    not_object = client.post(f"{API}/projects", json=[1], headers=headers)
    problem = assert_problem(not_object, 422)
    assert "_schema" not in problem["errors"] and "request" in problem["errors"]


def test_a_stale_if_match_answers_412_and_a_stale_body_version_409(client, world):
    url = f"{API}/projects/{world.network_project.id}"
    headers = bearer(world.lead_member)
    assert (
        client.patch(url, json={"kind": "service", "version": 1}, headers=headers).status_code
        == 200
    )
    stale_header = client.patch(
        url, json={"summary": "Mine."}, headers={**headers, "If-Match": '"1"'}
    )
    body = assert_problem(stale_header, 412)
    assert (
        body["type"] == "http://localhost/api/v1/problems/stale-version"
        and body["current_version"] == 2
    )
    stale_body = client.patch(url, json={"summary": "Mine.", "version": 1}, headers=headers)
    body = assert_problem(stale_body, 409)
    assert (
        body["type"] == "http://localhost/api/v1/problems/stale-version"
        and body["current_version"] == 2
    )
    db.session.expire_all()
    assert db.session.get(Project, world.network_project.id).summary != "Mine."
    db.session.rollback()


# --- conditional reads --------------------------------------------------------------------------


def test_objects_and_lists_carry_etags_and_answer_304_when_unchanged(client, world):
    headers = bearer(world.lead_member)
    for url in (
        f"{API}/projects/{world.network_project.id}",
        f"{API}/projects",
        f"{API}/gate-requests",
        f"{API}/me",
    ):
        first = client.get(url, headers=headers)
        assert first.status_code == 200 and first.headers.get("ETag"), url
        again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"", url
        other = client.get(url, headers={**headers, "If-None-Match": '"nope"'})
        assert other.status_code == 200, url
    listed = client.get(f"{API}/projects", headers=headers)
    tag = listed.headers["ETag"]
    client.post(
        f"{API}/projects/{world.network_project.id}/updates", json={"body": "New."}, headers=headers
    )
    changed = client.get(f"{API}/projects", headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200  # last_activity_at moved: a new list


# --- Idempotency-Key ------------------------------------------------------------------------------


def test_a_repeated_post_with_the_same_key_returns_the_first_answer_and_changes_nothing(
    client, world
):
    headers = {**bearer(world.lead_member), "Idempotency-Key": "update-1"}
    url = f"{API}/projects/{world.network_project.id}/updates"
    first = client.post(url, json={"body": "Kick-off held."}, headers=headers)
    assert first.status_code == 201
    again = client.post(url, json={"body": "Kick-off held."}, headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(Update) == 1
    other = client.post(url, json={"body": "Something else."}, headers=headers)
    body = assert_problem(other, 422)
    assert body["type"] == "http://localhost/api/v1/problems/idempotency-key-reused"
    assert count(Update) == 1
    # Keys belong to their user: another user's same key is a new request.
    mine = {**bearer(world.partner_member), "Idempotency-Key": "update-1"}
    assert client.post(url, json={"body": "Kick-off held."}, headers=mine).status_code == 201
    assert count(Update) == 2 and count(IdempotencyKey) == 2


def test_a_refused_post_with_a_key_stores_nothing_and_may_be_retried(client, world):
    headers = {**bearer(world.lead_member), "Idempotency-Key": "milestone-1"}
    url = f"{API}/projects/{world.network_project.id}/milestones"
    assert client.post(url, json={"title": " "}, headers=headers).status_code == 422
    assert count(IdempotencyKey) == 0
    assert client.post(url, json={"title": "Pilot"}, headers=headers).status_code == 201
    assert client.post(url, json={"title": "Pilot"}, headers=headers).status_code == 201
    assert count(Milestone) == 1
    too_long = {**headers, "Idempotency-Key": "k" * 201}
    assert_problem(client.post(url, json={"title": "x"}, headers=too_long), 422)


def test_a_created_project_is_not_created_twice(client, world):
    headers = {**bearer(world.lead_member), "Idempotency-Key": "new-project"}
    body = {"title": "Hydrogen racks", "site": "lingen"}
    first = client.post(f"{API}/projects", json=body, headers=headers)
    second = client.post(f"{API}/projects", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.headers["Location"] == second.headers["Location"]
    assert second.get_json()["id"] == first.get_json()["id"]
    assert count(Project) == 3


# --- token scopes ---------------------------------------------------------------------------------


def test_a_read_token_reads_and_may_not_write(client, world):
    headers = bearer(world.lead_member, scope="read")
    assert client.get(f"{API}/projects", headers=headers).status_code == 200
    assert client.get(f"{API}/me", headers=headers).get_json()["token_scope"] == "read"
    url = f"{API}/projects/{world.network_project.id}/updates"
    refused = client.post(url, json={"body": "Hi."}, headers=headers)
    assert (
        assert_problem(refused, 403)["type"] == "http://localhost/api/v1/problems/read-only-token"
    )
    patch = client.patch(
        f"{API}/projects/{world.network_project.id}", json={"version": 1}, headers=headers
    )
    assert_problem(patch, 403)
    assert count(Update) == 0


def test_the_cli_creates_read_tokens(runner, world):
    result = runner.invoke(
        args=["create-api-token", world.lead_member.email, "--scope", "read", "--name", "BI"]
    )
    assert result.exit_code == 0, result.output
    assert "(read)" in result.output


# --- rate-limit headers ---------------------------------------------------------------------------


def test_rate_limit_headers_only_on_limited_answers(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_API_LIMIT", "2 per minute")
    headers = bearer(world.lead_member)
    ok = client.get(f"{API}/themes", headers=headers)
    missing = client.get(f"{API}/projects/999999", headers=headers)
    for answer in (ok, missing):
        assert "Retry-After" not in answer.headers
        assert not [name for name, _value in answer.headers.items() if name.startswith("X-Rate")]
    limited = client.get(f"{API}/projects", headers=headers)
    assert assert_problem(limited, 429)["type"] == "http://localhost/api/v1/problems/rate-limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.headers["X-RateLimit-Limit"] == "2"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    unauthorized = client.get(f"{API}/projects")
    assert "Retry-After" not in unauthorized.headers


# --- downloads and imports with a token ----------------------------------------------------


def test_csv_exports_take_a_token_and_organizations_carry_ids(client, world):
    headers = bearer(world.lead_member, scope="read")
    projects = client.get("/projects/export.csv", headers=headers)
    assert projects.status_code == 200, projects.headers.get("Location")
    assert "Open hydrogen forecast" in projects.get_data(as_text=True)
    organizations = client.get("/organizations/export.csv", headers=headers)
    assert organizations.status_code == 200
    text = organizations.get_data(as_text=True).lstrip("\ufeff")
    header, first = text.splitlines()[:2]
    assert header.split(",")[0] == "id"
    assert first.split(",")[0].isdigit()
    # A token does not open the pages.
    page = client.get("/projects", headers=headers)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.get("/projects/export.csv").status_code == 302  # no token, no session


def test_organizations_are_imported_with_a_token(client, world):
    exported = client.get("/organizations/export.csv", headers=bearer(world.admin))
    header = exported.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("id,")
    csv_text = (
        "name,kind,country,city,website,description,member_since,sites,themes\n"
        "Hydrogen Works,startup,DE,Lingen,,Electrolysers,,lingen,ai\n"
    )
    url = f"{API}/organizations/import"
    member = client.post(url, json={"csv": csv_text}, headers=bearer(world.lead_member))
    assert_problem(member, 403)
    dry = client.post(url, json={"csv": csv_text, "dry_run": True}, headers=bearer(world.admin))
    assert dry.status_code == 200 and dry.get_json() == {"rows": 1, "imported": 0, "errors": []}
    done = client.post(url, json={"csv": csv_text}, headers=bearer(world.admin))
    assert done.status_code == 200 and done.get_json()["imported"] == 1
    again = client.post(url, json={"csv": csv_text}, headers=bearer(world.admin))
    problem = assert_problem(again, 422)
    assert problem["rows"] and problem["rows"][0]["row"] == 2
    # An exported file (with its id column) imports elsewhere as it is: ids are ignored.
    exported_line = "7,Other Works,startup,DE,Lingen,,,,lingen,ai\n"
    reimport = client.post(
        url,
        json={"csv": "id," + csv_text.splitlines()[0] + "\n" + exported_line},
        headers=bearer(world.admin),
    )
    assert reimport.status_code == 200, reimport.get_data(as_text=True)
