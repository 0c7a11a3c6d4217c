"""The page actions in the API (design §13): criteria, milestones, conditions, status changes,
updates mended by their author, lessons, /me, the review queue, project list sort and sync."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.test_api_read import API, bearer
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    GateCondition,
    GateReview,
    Milestone,
    Project,
    StageCriterion,
    Update,
    utcnow,
)

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")


def call(client, method: str, url: str, user, status: int, body=None, **headers):
    send = getattr(client, method.lower())
    kwargs = {"json": body} if body is not None else {}
    response = send(API + url, headers={**bearer(user), **headers}, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def fresh(model, object_id):
    db.session.expire_all()
    found = db.session.get(model, object_id)
    db.session.rollback()
    return found


def problem_type(response) -> str:
    return response.get_json()["type"]


# --- criteria -------------------------------------------------------------------------------


def _criteria(site=None):
    rows = [
        StageCriterion(stage="develop", site_id=site, title="Data-sharing agreement signed"),
        StageCriterion(stage="develop", site_id=site, title="Test site booked", position=1),
        StageCriterion(stage="test", site_id=site, title="Go-to-market owner named"),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def test_criteria_of_the_current_stage_are_listed_ticked_and_unticked(client, world):
    develop_a, develop_b, test_only = _criteria()
    project = world.network_project.id
    listed = call(client, "GET", f"/projects/{project}/criteria", world.partner_member, 200)
    body = listed.get_json()
    assert body["stage"] == "develop"
    assert [(c["id"], c["ticked"]) for c in body["items"]] == [
        (develop_a, False),
        (develop_b, False),
    ]
    ticked = call(
        client, "POST", f"/projects/{project}/criteria/{develop_a}/tick", world.partner_member, 200
    ).get_json()
    assert ticked["ticked"] is True and ticked["text"] == "Data-sharing agreement signed"
    again = call(client, "POST", f"/projects/{project}/criteria/{develop_a}/tick", world.admin, 200)
    assert again.get_json()["ticked"] is True  # ticking twice changes nothing
    untick = call(
        client, "POST", f"/projects/{project}/criteria/{develop_a}/untick", world.manager, 200
    )
    assert untick.get_json()["ticked"] is False
    # A criterion of another stage does not apply: 404; outsiders 403; patrons 404.
    call(client, "POST", f"/projects/{project}/criteria/{test_only}/tick", world.lead_member, 404)
    response = call(
        client, "POST", f"/projects/{project}/criteria/{develop_a}/tick", world.outsider, 403
    )
    assert problem_type(response) == "http://localhost/api/v1/problems/forbidden"
    call(client, "GET", f"/projects/{project}/criteria", world.patron, 403)
    hidden = world.consortium_project.id
    call(client, "POST", f"/projects/{hidden}/criteria/{develop_a}/tick", world.outsider, 404)


# --- milestones -----------------------------------------------------------------------------


def test_milestones_are_added_listed_changed_and_deleted_with_overdue(client, world):
    project = world.network_project.id
    past = (utcnow() - timedelta(days=3)).date().isoformat()
    created = call(
        client,
        "POST",
        f"/projects/{project}/milestones",
        world.partner_member,
        201,
        {"title": "Pilot signed", "due_on": past},
    )
    milestone = created.get_json()
    assert milestone["overdue"] is True and milestone["done"] is False
    assert created.headers["Location"].endswith(f"/api/v1/milestones/{milestone['id']}")
    page = call(client, "GET", f"/projects/{project}/milestones", world.lead_member, 200)
    assert [m["title"] for m in page.get_json()["items"]] == ["Pilot signed"]
    url = f"/milestones/{milestone['id']}"
    done = call(client, "PATCH", url, world.lead_member, 200, {"done": True}).get_json()
    assert done["done"] is True and done["overdue"] is False and done["done_at"]
    renamed = call(client, "PATCH", url, world.manager, 200, {"title": "Pilot", "due_on": None})
    assert renamed.get_json()["title"] == "Pilot" and renamed.get_json()["due_on"] is None
    call(client, "PATCH", url, world.outsider, 403, {"title": "Mine now"})
    call(client, "PATCH", url, world.patron, 403, {"title": "x"})
    call(client, "PATCH", url, world.lead_member, 422, {"title": " "})
    call(client, "DELETE", url, world.outsider, 403)
    call(client, "DELETE", url, world.partner_member, 204)
    assert fresh(Milestone, milestone["id"]) is None
    db.session.expire_all()
    history = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.project_id == project)
    ).all()
    db.session.rollback()
    assert {"milestone_added", "milestone_edited", "milestone_deleted"} <= set(history)
    call(client, "GET", url, world.lead_member, 404)


def test_milestones_of_a_hidden_project_answer_404(client, world):
    hidden = world.consortium_project.id
    call(client, "GET", f"/projects/{hidden}/milestones", world.outsider, 404)
    call(client, "POST", f"/projects/{hidden}/milestones", world.outsider, 404, {"title": "x"})
    milestone = Milestone(project_id=hidden, title="Secret")
    db.session.add(milestone)
    db.session.commit()
    call(client, "GET", f"/milestones/{milestone.id}", world.outsider, 404)
    call(client, "DELETE", f"/milestones/{milestone.id}", world.outsider, 404)


# --- conditions and the gate journey ---------------------------------------------------------


def test_a_conditional_go_through_the_api_can_be_closed_and_the_next_gate_requested(client, world):
    project = world.network_project.id
    review = call(
        client,
        "POST",
        f"/projects/{project}/gate-requests",
        world.lead_member,
        201,
        {"evidence": "Prototype runs."},
    ).get_json()
    assert review["reason"] is None  # null until decided, not ""
    due = (utcnow() - timedelta(days=1)).date().isoformat()
    decided = call(
        client,
        "POST",
        f"/gate-requests/{review['id']}/decision",
        world.manager,
        200,
        {
            "decision": "conditional_go",
            "reason": "Good, with two things to close.",
            "conditions": [
                "Sign the data agreement",
                {"text": "Book the test site", "due_on": due},
            ],
        },
    ).get_json()
    assert [c["due_on"] for c in decided["conditions"]] == [None, due]
    listed = call(
        client, "GET", f"/gate-requests/{review['id']}/conditions", world.lead_member, 200
    )
    conditions = listed.get_json()["items"]
    assert [c["overdue"] for c in conditions] == [False, True]
    # The next request is refused while any is open, with a type to branch on.
    refused = call(
        client,
        "POST",
        f"/projects/{project}/gate-requests",
        world.lead_member,
        409,
        {"evidence": "Ready for market."},
    )
    assert problem_type(refused) == "http://localhost/api/v1/problems/conditions-open"
    for condition in conditions:
        done = call(client, "POST", f"/conditions/{condition['id']}/done", world.lead_member, 200)
        assert done.get_json()["done"] is True
    again = call(client, "POST", f"/conditions/{conditions[0]['id']}/done", world.lead_member, 409)
    assert problem_type(again) == "http://localhost/api/v1/problems/wrong-state"
    reopened = call(
        client, "POST", f"/conditions/{conditions[0]['id']}/reopen", world.partner_member, 200
    )
    assert reopened.get_json()["done"] is False
    call(client, "POST", f"/conditions/{conditions[0]['id']}/done", world.outsider, 403)
    call(client, "POST", f"/conditions/{conditions[0]['id']}/done", world.patron, 403)
    call(client, "POST", f"/conditions/{conditions[0]['id']}/done", world.manager, 200)
    next_request = call(
        client,
        "POST",
        f"/projects/{project}/gate-requests",
        world.lead_member,
        201,
        {"evidence": "Ready for market."},
    )
    assert next_request.get_json()["from_stage"] == "test"
    pending = call(
        client,
        "POST",
        f"/projects/{project}/gate-requests",
        world.lead_member,
        409,
        {"evidence": "Twice."},
    )
    assert problem_type(pending) == "http://localhost/api/v1/problems/gate-pending"


def test_a_conditional_go_needs_conditions_and_says_so_without_lines(client, world):
    review = call(
        client,
        "POST",
        f"/projects/{world.network_project.id}/gate-requests",
        world.lead_member,
        201,
        {"evidence": "Ready."},
    ).get_json()
    body = {"decision": "conditional_go", "reason": "Almost."}
    response = call(
        client, "POST", f"/gate-requests/{review['id']}/decision", world.manager, 422, body
    )
    problem = response.get_json()
    assert problem["type"] == "http://localhost/api/v1/problems/validation"
    assert "line" not in problem["detail"] and "conditions" in problem["errors"]
    bad = {**body, "conditions": [{"text": "x", "due_on": "soon"}]}
    call(client, "POST", f"/gate-requests/{review['id']}/decision", world.manager, 422, bad)
    assert fresh(GateReview, review["id"]).decision == "pending"


# --- status changes -------------------------------------------------------------------------


def test_status_changes_through_the_api_follow_the_page_rules(client, world):
    project = world.network_project.id
    url = f"/projects/{project}/status"
    call(client, "POST", url, world.lead_member, 403, {"action": "hold", "reason": "Paused."})
    held = call(client, "POST", url, world.manager, 200, {"action": "hold", "reason": "Paused."})
    assert held.get_json()["status"] == "on_hold"
    twice = call(client, "POST", url, world.manager, 409, {"action": "hold", "reason": "Again."})
    assert problem_type(twice) == "http://localhost/api/v1/problems/wrong-state"
    back = call(client, "POST", url, world.admin, 200, {"action": "reactivate", "reason": "Back."})
    assert back.get_json()["status"] == "active"
    call(client, "POST", url, world.manager, 409, {"action": "send_back", "reason": "x"})
    call(client, "POST", url, world.manager, 422, {"action": "hold", "reason": ""})
    call(client, "POST", url, world.manager, 422, {"action": "pause", "reason": "x"})
    call(client, "POST", url, world.patron, 403, {"action": "hold", "reason": "x"})
    stopped = call(
        client, "POST", url, world.manager, 200, {"action": "stop", "reason": "No pilot."}
    )
    assert stopped.get_json()["status"] == "stopped"
    lessons = call(client, "GET", "/lessons", world.partner_member, 200).get_json()["items"]
    assert lessons == [
        {
            "project": {"id": project, "title": "Open hydrogen forecast", "site": "lingen"},
            "reason": "No pilot.",
            "stopped_at": lessons[0]["stopped_at"],
        }
    ]
    call(client, "GET", "/lessons", world.patron, 403)
    assert call(client, "GET", "/lessons?q=pilot", world.admin, 200).get_json()["items"]
    assert not call(client, "GET", "/lessons?q=zebra", world.admin, 200).get_json()["items"]


def test_a_withdrawn_project_leaves_lists_and_stays_reachable(client, world):
    project = world.network_project.id
    url = f"/projects/{project}/status"
    call(client, "POST", url, world.partner_member, 403, {"action": "withdraw", "reason": "x"})
    withdrawn = call(
        client, "POST", url, world.lead_member, 200, {"action": "withdraw", "reason": "Merged."}
    )
    assert withdrawn.get_json()["status"] == "withdrawn"
    listed = call(client, "GET", "/projects", world.lead_member, 200).get_json()["items"]
    assert project not in {p["id"] for p in listed}
    only = call(client, "GET", "/projects?status=withdrawn", world.lead_member, 200).get_json()
    assert [p["id"] for p in only["items"]] == [project]
    assert call(client, "GET", f"/projects/{project}", world.outsider, 200).get_json()[
        "status"
    ] == ("withdrawn")
    history = call(client, "GET", f"/projects/{project}/history", world.lead_member, 200)
    assert history.get_json()["items"][-1]["to_status"] == "withdrawn"
    again = call(client, "POST", url, world.admin, 409, {"action": "withdraw", "reason": "x"})
    assert problem_type(again) == "http://localhost/api/v1/problems/wrong-state"
    call(client, "POST", url, world.manager, 409, {"action": "reactivate", "reason": "x"})


# --- updates mended by their author -----------------------------------------------------------


def test_an_update_is_edited_and_deleted_by_its_author_within_24_hours(client, world):
    project = world.network_project.id
    posted = call(
        client, "POST", f"/projects/{project}/updates", world.partner_member, 201, {"body": "Tpyo."}
    ).get_json()
    url = f"/updates/{posted['id']}"
    call(client, "PATCH", url, world.lead_member, 403, {"body": "Not mine."})
    call(client, "PATCH", url, world.patron, 403, {"body": "x"})
    edited = call(client, "PATCH", url, world.partner_member, 200, {"body": "Typo."}).get_json()
    assert edited["body"] == "Typo." and edited["edited_at"]
    old = Update(project_id=project, author_id=world.partner_member.id, body="Yesterday.")
    old.created_at = utcnow() - timedelta(hours=25)
    db.session.add(old)
    db.session.commit()
    late = call(client, "DELETE", f"/updates/{old.id}", world.partner_member, 403)
    assert "24" in late.get_json()["detail"]
    call(client, "DELETE", url, world.partner_member, 204)
    assert fresh(Update, posted["id"]) is None
    db.session.expire_all()
    kept = db.session.scalars(
        sa.select(AuditEvent.changes).where(AuditEvent.action == "update_deleted")
    ).one()
    db.session.rollback()
    assert kept["update"] == ["Typo.", None]  # the text stays in the history


# --- me, review queue, project lists -----------------------------------------------------------


def test_me_tells_who_the_token_belongs_to(client, world):
    me = call(client, "GET", "/me", world.manager, 200).get_json()
    assert me == {
        "id": world.manager.id,
        "email": "mgr@example.org",
        "name": world.manager.display_name,
        "role": "site_manager",
        "organization": None,
        "sites": ["lingen"],
        "token_scope": "write",
    }
    member = call(client, "GET", "/me", world.lead_member, 200).get_json()
    assert member["organization"] == {"id": world.lead_org.id, "name": "Lead Org"}


def test_the_review_queue_is_the_managers_sites_oldest_first_with_the_project(client, world):
    berlin_project = factories.make_project(world.berlin, world.other_org, title="Berlin twin")
    now = utcnow()
    reviews = [
        GateReview(
            project_id=pid,
            from_stage="develop",
            to_stage="test",
            requested_at=now - timedelta(days=d),
        )
        for pid, d in (
            (world.network_project.id, 2),
            (world.consortium_project.id, 9),
            (berlin_project.id, 30),
        )
    ]
    db.session.add_all(reviews)
    db.session.commit()
    queue = call(client, "GET", "/gate-requests?status=pending", world.manager, 200).get_json()
    assert [item["project"]["title"] for item in queue["items"]] == [
        "Secret electrolyser twin",
        "Open hydrogen forecast",
    ]
    assert queue["items"][0]["project"] == {
        "id": world.consortium_project.id,
        "title": "Secret electrolyser twin",
        "site": "lingen",
    }
    berlin = call(client, "GET", "/gate-requests?status=pending&site=berlin", world.manager, 200)
    assert [i["project"]["title"] for i in berlin.get_json()["items"]] == ["Berlin twin"]
    everything = call(client, "GET", "/gate-requests?status=pending&limit=1", world.admin, 200)
    page = everything.get_json()
    assert page["items"][0]["project"]["title"] == "Berlin twin" and page["next_cursor"]
    second = call(
        client,
        "GET",
        f"/gate-requests?status=pending&limit=1&cursor={page['next_cursor']}",
        world.admin,
        200,
    ).get_json()
    assert second["items"][0]["project"]["title"] == "Secret electrolyser twin"
    call(client, "GET", "/gate-requests?site=nowhere", world.manager, 422)
    call(client, "GET", "/gate-requests?cursor=%%%", world.manager, 422)


def test_project_lists_sort_filter_mine_and_updated_since(client, world):
    other = factories.make_project(world.berlin, world.other_org, title="Berlin twin")
    db.session.execute(
        sa.update(Project)
        .where(Project.id == world.network_project.id)
        .values(updated_at=utcnow() + timedelta(minutes=5))
    )
    db.session.commit()
    newest = call(client, "GET", "/projects?sort=-updated_at&limit=1", world.admin, 200).get_json()
    assert newest["items"][0]["id"] == world.network_project.id and newest["next_cursor"]
    rest = call(
        client,
        "GET",
        f"/projects?sort=-updated_at&limit=5&cursor={newest['next_cursor']}",
        world.admin,
        200,
    ).get_json()
    assert world.network_project.id not in {p["id"] for p in rest["items"]}
    assert len(rest["items"]) == 2
    since = (utcnow() + timedelta(minutes=1)).isoformat()
    changed = client.get(
        API + "/projects", query_string={"updated_since": since}, headers=bearer(world.admin)
    ).get_json()
    assert [p["id"] for p in changed["items"]] == [world.network_project.id]
    mine = call(client, "GET", "/projects?mine=true", world.outsider, 200).get_json()
    assert [p["id"] for p in mine["items"]] == [other.id]
    call(client, "GET", "/projects?sort=title", world.admin, 422)


def test_patrons_see_withheld_fields_as_null_and_named(client, world):
    project = call(client, "GET", f"/projects/{world.network_project.id}", world.patron, 200)
    body = project.get_json()
    assert body["partners"] is None and body["lead_organization"] is None
    assert body["description"] is None
    assert body["withheld"] == ["description", "lead_organization", "partners"]
    member = call(client, "GET", f"/projects/{world.network_project.id}", world.lead_member, 200)
    assert member.get_json()["withheld"] == [] and member.get_json()["partners"]


def test_condition_rows_keep_their_due_dates(client, world):
    """The service writes the due dates in the decision's transaction."""
    review = GateReview(project_id=world.network_project.id, from_stage="develop", to_stage="test")
    db.session.add(review)
    db.session.commit()
    due = (utcnow() + timedelta(days=10)).date().isoformat()
    call(
        client,
        "POST",
        f"/gate-requests/{review.id}/decision",
        world.admin,
        200,
        {
            "decision": "conditional_go",
            "reason": "ok",
            "conditions": [{"text": "A", "due_on": due}],
        },
    )
    db.session.expire_all()
    row = db.session.scalars(sa.select(GateCondition)).one()
    assert row.due_on.isoformat() == due
    db.session.rollback()


def test_a_withdrawn_project_leaves_the_board_and_the_list_page(client, world, login):
    url = f"/projects/{world.network_project.id}/status"
    call(client, "POST", url, world.lead_member, 200, {"action": "withdraw", "reason": "Merged."})
    login(world.lead_member)
    board = client.get("/board?status=all").get_data(as_text=True)
    assert "Open hydrogen forecast" not in board and "Secret electrolyser twin" in board
    listed = client.get("/projects").get_data(as_text=True)
    assert "Open hydrogen forecast" not in listed
    only = client.get("/projects?status=withdrawn").get_data(as_text=True)
    assert "Open hydrogen forecast" in only and "Secret electrolyser twin" not in only
    page = client.get(f"/projects/{world.network_project.id}")
    assert page.status_code == 200  # reachable by its address
