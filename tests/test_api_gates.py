"""Gate requests through the API: request, list, show, confirm, decide; 401, 403, 404 for
hidden projects, 409 for states that forbid it, 422 for bad bodies; refusals write nothing."""

import pytest
import sqlalchemy as sa

from tests.test_api_read import assert_problem, bearer, get_json
from tests.test_api_write import count
from tracker.extensions import db
from tracker.models import GateConfirmation, GateReview, Project

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")

EVIDENCE = {"evidence": "Forecast error below 5 % on last winter's data."}


def gate_url(project) -> str:
    return f"/api/v1/projects/{project.id}/gate-requests"


def request_gate(client, world, project=None, user=None) -> dict:
    project = project or world.network_project
    response = client.post(
        gate_url(project), json=EVIDENCE, headers=bearer(user or world.lead_member)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


# --- requesting -----------------------------------------------------------------------------


def test_the_lead_requests_the_next_stage(client, world):
    response = client.post(gate_url(world.network_project), json=EVIDENCE,
                           headers=bearer(world.lead_member))  # fmt: skip
    assert response.status_code == 201
    review = response.get_json()
    assert response.headers["Location"] == f"/api/v1/gate-requests/{review['id']}"
    assert review["project_id"] == world.network_project.id
    assert (review["from_stage"], review["to_stage"], review["decision"]) == (
        "develop", "test", "pending"
    )  # fmt: skip
    assert review["evidence"] == EVIDENCE["evidence"] and review["reason"] is None
    assert review["requested_by"] == world.lead_member.display_name
    assert review["decided_at"] is None and review["decided_by"] is None
    # The requesting (lead) organization asked: its confirmation counts from the start.
    assert [(c["organization_id"], c["name"]) for c in review["confirmations"]] == [
        (world.lead_org.id, "Lead Org")
    ]
    assert review["conditions"] == []
    assert (
        review
        == client.get(response.headers["Location"], headers=bearer(world.lead_member)).get_json()
    )


def test_requesting_a_gate_is_refused_without_token_outside_the_lead_and_when_hidden(client, world):
    assert_problem(client.post(gate_url(world.network_project), json=EVIDENCE), 401)
    for user in (world.partner_member, world.outsider, world.patron):
        response = client.post(gate_url(world.network_project), json=EVIDENCE, headers=bearer(user))
        assert response.status_code in {403, 404}
        assert response.status_code == (404 if user is world.patron else 403)
    hidden = client.post(gate_url(world.consortium_project), json=EVIDENCE,
                         headers=bearer(world.outsider))  # fmt: skip
    assert_problem(hidden, 404)
    assert count(GateReview) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "evidence"), ({"evidence": "   "}, "evidence"), ({"evidence": "x" * 5001}, "evidence"),
     ({"evidence": 42}, "evidence"), ({**EVIDENCE, "urgent": True}, "urgent")],
)  # fmt: skip
def test_bad_gate_request_bodies_get_422_naming_the_field(client, world, body, field):
    response = client.post(gate_url(world.network_project), json=body,
                           headers=bearer(world.lead_member))  # fmt: skip
    assert field in assert_problem(response, 422)["errors"]
    assert count(GateReview) == 0


def test_a_second_request_while_one_is_pending_gets_409(client, world):
    request_gate(client, world)
    again = client.post(gate_url(world.network_project), json=EVIDENCE,
                        headers=bearer(world.manager))  # fmt: skip
    assert "already pending" in assert_problem(again, 409)["detail"]
    assert count(GateReview) == 1


# --- listing and showing --------------------------------------------------------------------


def test_the_list_filters_by_status_and_project_and_pages(client, world):
    network = request_gate(client, world)
    consortium = request_gate(client, world, world.consortium_project)
    headers = bearer(world.manager)
    decision = {"decision": "recycle", "reason": "More winter data first."}
    client.post(f"/api/v1/gate-requests/{network['id']}/decision", json=decision, headers=headers)
    ids = lambda query: [r["id"] for r in get_json(client, "/api/v1/gate-requests" + query,  # noqa: E731
                                                   headers)["items"]]  # fmt: skip
    assert ids("") == [network["id"], consortium["id"]]
    assert ids("?status=pending") == [consortium["id"]]
    assert ids("?status=decided") == [network["id"]]
    assert ids(f"?project_id={world.network_project.id}") == [network["id"]]
    first = get_json(client, "/api/v1/gate-requests?limit=1", headers)
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = get_json(client, f"/api/v1/gate-requests?limit=1&cursor={first['next_cursor']}", headers)
    assert [r["id"] for r in rest["items"]] == [consortium["id"]] and rest["next_cursor"] is None


def test_the_list_shows_only_requests_of_projects_the_user_may_see(client, world):
    network = request_gate(client, world)
    request_gate(client, world, world.consortium_project)
    page = get_json(client, "/api/v1/gate-requests?status=pending", bearer(world.outsider))
    assert [r["id"] for r in page["items"]] == [network["id"]]
    assert_problem(client.get("/api/v1/gate-requests", headers=bearer(world.patron)), 403)
    assert_problem(client.get("/api/v1/gate-requests"), 401)
    bad = client.get("/api/v1/gate-requests?status=open", headers=bearer(world.admin))
    assert "status" in assert_problem(bad, 422)["errors"]


def test_one_request_is_shown_to_those_who_see_its_project(client, world):
    hidden = request_gate(client, world, world.consortium_project)
    url = f"/api/v1/gate-requests/{hidden['id']}"
    assert get_json(client, url, bearer(world.partner_member)) == hidden
    assert_problem(client.get(url, headers=bearer(world.outsider)), 404)
    assert_problem(client.get("/api/v1/gate-requests/999999", headers=bearer(world.admin)), 404)


# --- confirming -----------------------------------------------------------------------------


def test_a_partner_confirms_once_for_its_organization(client, world):
    review = request_gate(client, world)
    url = f"/api/v1/gate-requests/{review['id']}/confirmations"
    confirmed = client.post(url, headers=bearer(world.partner_member))
    assert confirmed.status_code == 201
    assert [(c["organization_id"], c["name"]) for c in confirmed.get_json()["confirmations"]] == [
        (world.lead_org.id, "Lead Org"),  # with the request
        (world.partner_org.id, "Partner Org"),
    ]
    assert confirmed.headers["Location"] == f"/api/v1/gate-requests/{review['id']}"
    again = client.post(url, headers=bearer(world.partner_member))
    assert "already confirmed" in assert_problem(again, 409)["detail"]
    assert count(GateConfirmation) == 2


def test_confirming_is_refused_to_non_participants_and_hidden_requests(client, world):
    network = request_gate(client, world)
    hidden = request_gate(client, world, world.consortium_project)
    url = "/api/v1/gate-requests/{}/confirmations"
    assert_problem(client.post(url.format(network["id"]), headers=bearer(world.outsider)), 403)
    assert_problem(client.post(url.format(hidden["id"]), headers=bearer(world.outsider)), 404)
    assert_problem(client.post(url.format(network["id"])), 401)
    assert count(GateConfirmation) == 2  # only the two requesting organizations' own


# --- deciding -------------------------------------------------------------------------------


def test_the_site_manager_decides_go_and_the_project_advances(client, world):
    review = request_gate(client, world)
    url = f"/api/v1/gate-requests/{review['id']}/decision"
    body = {"decision": "go", "reason": "Convincing results."}
    decided = client.post(url, json=body, headers=bearer(world.manager))
    assert decided.status_code == 200, decided.get_data(as_text=True)
    result = decided.get_json()
    assert (result["decision"], result["reason"]) == ("go", "Convincing results.")
    assert result["decided_by"] == world.manager.display_name and result["decided_at"]
    project = f"/api/v1/projects/{world.network_project.id}"
    assert get_json(client, project, bearer(world.lead_member))["stage"] == "test"
    history = get_json(client, project + "/history", bearer(world.lead_member))["items"]
    assert (history[-1]["from_stage"], history[-1]["to_stage"]) == ("develop", "test")
    assert history[-1]["actor"] == world.manager.display_name
    assert history[-1]["gate_request_id"] == review["id"]
    again = client.post(url, json=body, headers=bearer(world.admin))
    assert "already decided" in assert_problem(again, 409)["detail"]


def test_a_conditional_go_records_its_conditions(client, world):
    review = request_gate(client, world)
    body = {"decision": "conditional_go", "reason": "Promising.",
            "conditions": [" Sign the data agreement ", "Book the test site"]}  # fmt: skip
    url = f"/api/v1/gate-requests/{review['id']}/decision"
    result = client.post(url, json=body, headers=bearer(world.admin)).get_json()
    texts = [c["text"] for c in result["conditions"]]
    assert texts == ["Sign the data agreement", "Book the test site"]
    assert all(c["done_at"] is None for c in result["conditions"])
    blocked = client.post(gate_url(world.network_project), json=EVIDENCE,
                          headers=bearer(world.lead_member))  # fmt: skip
    assert "Open conditions" in assert_problem(blocked, 409)["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe", "reason": "x"}, "decision"),
        ({"decision": "go"}, "reason"),
        ({"decision": "go", "reason": " "}, "reason"),
        ({"decision": "conditional_go", "reason": "x"}, "conditions"),
        (
            {"decision": "go", "reason": "x", "conditions": ["Only with conditional go"]},
            "conditions",
        ),
        ({"decision": "go", "reason": "x", "conditions": "one"}, "conditions"),
        ({"decision": "go", "reason": "x", "by": "me"}, "by"),
    ],
)
def test_bad_decisions_get_422_and_leave_the_request_pending(client, world, body, field):
    review = request_gate(client, world)
    url = f"/api/v1/gate-requests/{review['id']}/decision"
    response = client.post(url, json=body, headers=bearer(world.manager))
    assert field in assert_problem(response, 422)["errors"]
    db.session.expire_all()
    assert db.session.get(GateReview, review["id"]).decision == "pending"
    assert db.session.get(Project, world.network_project.id).stage == "develop"


def test_deciding_is_for_the_host_sites_managers_and_admins(client, world):
    review = request_gate(client, world)
    hidden = request_gate(client, world, world.consortium_project)
    url = "/api/v1/gate-requests/{}/decision"
    body = {"decision": "stop", "reason": "No."}
    for user in (world.lead_member, world.partner_member, world.other_manager):
        response = client.post(url.format(review["id"]), json=body, headers=bearer(user))
        assert_problem(response, 403)
    hidden_answer = client.post(url.format(hidden["id"]), json=body, headers=bearer(world.outsider))
    assert_problem(hidden_answer, 404)
    assert_problem(client.post(url.format(review["id"]), json=body), 401)
    db.session.expire_all()
    pending = sa.select(sa.func.count()).where(GateReview.decision == "pending")
    assert db.session.scalar(pending) == 2
