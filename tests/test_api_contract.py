"""What a member's integration relies on (design §13): Idempotency-Key declared on every POST,
absolute problem type URIs that are pages of their own, OpenAPI links from each created object
to what comes next, and entity tags that change whenever the representation does."""

from datetime import timedelta

import pytest

from tests.test_api_read import API, bearer
from tracker.api.problems import PROBLEM_KINDS
from tracker.extensions import db
from tracker.models import Project, utcnow

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")


@pytest.fixture
def spec(client) -> dict:
    return client.get(f"{API}/openapi.json").get_json()


def _resolve(spec: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if not ref:
        return node
    _hash, section, kind, name = ref.split("/")
    return spec[section][kind][name]


# --- Idempotency-Key ------------------------------------------------------------------------


def test_every_post_declares_the_idempotency_key_header(spec):
    posts = [(path, item["post"]) for path, item in spec["paths"].items() if "post" in item]
    assert len(posts) > 15
    for path, operation in posts:
        parameters = [_resolve(spec, p) for p in operation.get("parameters", [])]
        keys = [p for p in parameters if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert len(keys) == 1, path
        assert keys[0]["required"] is False and keys[0]["schema"]["maxLength"] == 200
        assert "422" in operation["responses"], path
    for path, item in spec["paths"].items():
        for method in set(item) - {"post", "parameters"}:
            names = [_resolve(spec, p).get("name") for p in item[method].get("parameters", [])]
            assert "Idempotency-Key" not in names, (method, path)


# --- links ----------------------------------------------------------------------------------

# The workflow a stateful tester walks: each reached from an answer through a link.
LINKED = {
    "getProject", "updateProject", "requestGate", "listCriteria", "tickCriterion",
    "untickCriterion", "listMilestones", "createMilestone", "getMilestone", "updateMilestone",
    "deleteMilestone", "listConditions", "completeCondition", "reopenCondition",
    "changeProjectStatus", "nudgeProject", "createProjectUpdate", "listProjectUpdates",
    "editUpdate", "deleteUpdate", "getGateRequest", "confirmGateRequest", "decideGateRequest",
    "expressPartnerInterest", "acceptPartnerInterest", "declinePartnerInterest",
    "listWebhookDeliveries", "deleteWebhook", "markNotificationRead",
}  # fmt: skip


def test_links_lead_from_each_created_object_to_what_comes_next(spec):
    operations = {  # operationId -> (operation, the parameters of its path)
        item[method]["operationId"]: (item[method], item.get("parameters", []))
        for item in spec["paths"].values()
        for method in item
        if isinstance(item[method], dict) and "operationId" in item[method]
    }
    targets = set()
    for operation, _shared in operations.values():
        for response in operation["responses"].values():
            for name, link in _resolve(spec, response).get("links", {}).items():
                target, shared = operations[link["operationId"]]  # an existing operation
                parameters = [*shared, *target.get("parameters", [])]
                resolved = [_resolve(spec, p) for p in parameters]
                # A name, or one qualified by its location ("header.If-Match").
                names = {p["name"] for p in resolved} | {f"{p['in']}.{p['name']}" for p in resolved}
                assert set(link["parameters"]) <= names, name
                targets.add(link["operationId"])
    assert targets >= LINKED, sorted(LINKED - targets)


# --- problem types --------------------------------------------------------------------------


def test_problem_types_are_absolute_uris_on_the_called_host(client, world):
    missing = client.get(f"{API}/projects/999999", headers=bearer(world.admin))
    body = missing.get_json()
    assert body["type"] == "http://localhost/api/v1/problems/not-found"
    assert body["instance"] == "/api/v1/projects/999999"
    elsewhere = client.get(
        f"{API}/projects/999999",
        headers=bearer(world.admin),
        base_url="https://tracker.example.org",
    )
    assert elsewhere.get_json()["type"] == "https://tracker.example.org/api/v1/problems/not-found"
    no_token = client.get(f"{API}/projects").get_json()
    assert no_token["type"] == "http://localhost/api/v1/problems/unauthorized"
    assert no_token["instance"] == "/api/v1/projects"


def test_each_problem_type_is_a_page_for_people_and_programs(client, spec):
    for kind in PROBLEM_KINDS:
        page = client.get(f"{API}/problems/{kind}")  # public: no token, no session
        assert page.status_code == 200 and page.mimetype == "text/html", kind
        assert f"http://localhost/api/v1/problems/{kind}" in page.get_data(as_text=True)
    about = client.get(
        f"{API}/problems/stale-version", headers={"Accept": "application/json"}
    ).get_json()
    assert about["type"] == "http://localhost/api/v1/problems/stale-version"
    assert about["statuses"] == [409, 412] and "If-Match" in about["description"]
    assert client.get(f"{API}/problems/no-such-kind").status_code == 404
    assert "http://localhost/api/v1/problems/validation" in spec["info"]["description"]


# --- entity tags ----------------------------------------------------------------------------


def _etag(client, url: str, user) -> str:
    response = client.get(API + url, headers=bearer(user))
    assert response.status_code == 200
    return response.headers["ETag"]


def test_a_project_etag_changes_with_what_the_reply_shows(client, world):
    project_id = world.network_project.id
    url = f"/projects/{project_id}"
    first = _etag(client, url, world.lead_member)
    again = client.get(API + url, headers={**bearer(world.lead_member), "If-None-Match": first})
    assert again.status_code == 304 and not again.get_data()
    listed = _etag(client, "/projects", world.lead_member)
    # Activity the version does not count (a posted update moves last_activity_at).
    project = db.session.get(Project, project_id)
    version = project.version
    db.session.execute(
        Project.__table__.update()
        .where(Project.id == project_id)
        .values(last_activity_at=utcnow() + timedelta(minutes=1))
    )
    db.session.commit()
    assert db.session.get(Project, project_id).version == version
    changed = _etag(client, url, world.lead_member)
    assert changed != first
    fresh = client.get(API + url, headers={**bearer(world.lead_member), "If-None-Match": first})
    assert fresh.status_code == 200
    assert _etag(client, "/projects", world.lead_member) != listed
    # The version still guards writes: a stale If-Match is 412, the current one passes.
    stale = client.patch(
        API + url,
        json={"summary": "Changed"},
        headers={**bearer(world.lead_member), "If-Match": f'"{version - 1}"'},
    )
    assert stale.status_code == 412, stale.get_data(as_text=True)
    current = client.patch(
        API + url,
        json={"summary": "Changed"},
        headers={**bearer(world.lead_member), "If-Match": changed},
    )
    assert current.status_code == 200, current.get_data(as_text=True)
