"""Gate pages: request, review queue, decision page, confirmations, status changes, conditions."""

import html
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.extensions import db
from tracker.models import (
    GateCondition,
    GateReview,
    Project,
    StageCriterion,
    StageEvent,
    utcnow,
)
from tracker.reviews import services

EVIDENCE = "Six-week pilot finished; both partners signed the report."


@contextmanager
def counting_queries():
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def review_of(project) -> GateReview | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(GateReview).where(GateReview.project_id == project.id))


def request(world, project, who="lead_member") -> GateReview:
    return services.request_gate(world.user(who), project, EVIDENCE)


# --- the whole flow -------------------------------------------------------------------------


def test_member_requests_and_manager_decides_through_the_pages(world, signed_in, app):
    project = world.network_project
    client = signed_in(world.lead_member)
    page = client.get(f"/projects/{project.id}/gate")
    assert page.status_code == 200 and 'name="evidence"' in page.get_data(as_text=True)

    sent = client.post(f"/projects/{project.id}/gate", data={"evidence": EVIDENCE})
    assert sent.status_code == 302
    review = review_of(project)
    assert review.decision == "pending" and review.evidence == EVIDENCE

    client = signed_in(world.manager)
    queue = client.get("/reviews").get_data(as_text=True)
    assert project.title in queue and f"/reviews/{review.id}" in queue
    decision_page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert EVIDENCE in decision_page and "Record the decision" in decision_page

    decided = client.post(
        f"/reviews/{review.id}/decide", data={"decision": "go", "reason": "Convincing pilot."}
    )
    assert decided.status_code == 302 and decided.headers["Location"].endswith("/reviews")
    assert review_of(project).decision == "go"
    assert db.session.get(Project, project.id).stage == "test"
    if "projects.detail" in app.view_functions:
        detail = client.get(f"/projects/{project.id}").get_data(as_text=True)
        assert "stage-test" in detail
        # The manager decides gates: the panel says so instead of "ask the site's managers".
        assert "Decide the gate to Market" in detail
        assert "Ask the site's managers" not in detail


def test_the_queue_lists_the_longest_wait_first(world, signed_in):
    newer = request(world, world.network_project)
    older = request(world, world.consortium_project)
    older.requested_at = newer.requested_at - timedelta(days=9)
    db.session.commit()

    html = signed_in(world.manager).get("/reviews").get_data(as_text=True)
    assert html.index(world.consortium_project.title) < html.index(world.network_project.title)
    assert "9 days" in html


def test_the_queue_counts_criteria_and_confirmations(world, signed_in):
    for position, title in enumerate(["Data agreement signed", "Test site booked"]):
        db.session.add(StageCriterion(stage="develop", title=title, position=position))
    db.session.commit()
    review = request(world, world.network_project)
    services.confirm(world.partner_member, review)

    html = signed_in(world.manager).get("/reviews").get_data(as_text=True)
    assert "0/2" in html  # criteria ticked
    assert "2/2" in html  # the requesting lead organization and the partner confirmed


def test_admins_see_every_site_and_can_filter(world, signed_in):
    berlin_project = factories.make_project(world.berlin, world.other_org, title="Berlin twin")
    request(world, berlin_project, who="admin")
    request(world, world.network_project)
    client = signed_in(world.admin)

    everything = client.get("/reviews").get_data(as_text=True)
    assert "Berlin twin" in everything and world.network_project.title in everything
    berlin = client.get("/reviews?site=berlin").get_data(as_text=True)
    assert "Berlin twin" in berlin and world.network_project.title not in berlin
    assert "Berlin twin" not in signed_in(world.manager).get("/reviews").get_data(as_text=True)


def test_the_queue_needs_a_fixed_number_of_queries(world, signed_in):
    client = signed_in(world.manager)
    request(world, world.network_project)
    with counting_queries() as few:
        assert client.get("/reviews").status_code == 200
    for _n in range(4):
        project = factories.make_project(
            world.lingen, world.lead_org, [(world.partner_org, "startup")]
        )
        request(world, project)
    with counting_queries() as many:
        assert client.get("/reviews").status_code == 200
    assert len(many) == len(few)


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead_member", "partner_member", "patron"])
def test_the_queue_is_for_site_managers_and_admins(world, signed_in, who):
    assert signed_in(world.user(who)).get("/reviews").status_code == 403


def test_outsiders_get_404_for_everything_about_a_consortium_project(world, signed_in):
    project = world.consortium_project
    review = request(world, project)
    services.decide(world.manager, review, "conditional_go", "Ok.", ["Name an owner"])
    condition_id = db.session.scalar(sa.select(GateCondition.id))
    client = signed_in(world.outsider)

    assert client.get(f"/reviews/{review.id}").status_code == 404
    assert client.post(f"/reviews/{review.id}/confirm").status_code == 404
    assert client.post(f"/reviews/{review.id}/decide", data={"decision": "go"}).status_code == 404
    assert client.get(f"/projects/{project.id}/gate").status_code == 404
    assert client.post(f"/projects/{project.id}/gate", data={"evidence": "x"}).status_code == 404
    assert (
        client.post(f"/projects/{project.id}/status", data={"action": "hold", "reason": "x"})
    ).status_code == 404
    assert client.post(f"/conditions/{condition_id}/done").status_code == 404
    assert client.get("/reviews/999999").status_code == 404


def test_a_partner_may_see_but_not_request_or_decide(world, signed_in):
    project = world.network_project
    review = request(world, project)
    client = signed_in(world.partner_member)
    assert client.get(f"/projects/{project.id}/gate").status_code == 403
    assert client.get(f"/reviews/{review.id}").status_code == 200
    decided = client.post(f"/reviews/{review.id}/decide", data={"decision": "go", "reason": "x"})
    assert decided.status_code == 403
    assert client.post(f"/projects/{project.id}/status", data={"action": "hold"}).status_code == 403
    assert review_of(project).decision == "pending"


# --- refusals and validation on the forms ---------------------------------------------------


def test_a_refused_request_shows_why_and_writes_nothing(world, signed_in):
    project = world.network_project
    request(world, project)
    client = signed_in(world.lead_member)
    assert "A gate request is already pending." in client.get(
        f"/projects/{project.id}/gate"
    ).get_data(as_text=True)
    answer = client.post(f"/projects/{project.id}/gate", data={"evidence": "Another try"})
    assert answer.status_code == 422
    assert "A gate request is already pending." in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(GateReview.id))) == 1


def test_the_request_page_warns_about_unticked_criteria_without_blocking(world, signed_in):
    db.session.add(StageCriterion(stage="develop", title="Go-to-market owner named"))
    db.session.commit()
    client = signed_in(world.lead_member)
    page = client.get(f"/projects/{world.network_project.id}/gate").get_data(as_text=True)
    assert "Go-to-market owner named" in page and "not ticked" in page
    sent = client.post(f"/projects/{world.network_project.id}/gate", data={"evidence": EVIDENCE})
    assert sent.status_code == 302


def test_blank_evidence_is_refused_beside_the_field(world, signed_in):
    client = signed_in(world.lead_member)
    answer = client.post(f"/projects/{world.network_project.id}/gate", data={"evidence": "  "})
    assert answer.status_code == 422
    assert "invalid-feedback" in answer.get_data(as_text=True)
    assert review_of(world.network_project) is None


def test_a_decision_without_reason_or_conditions_keeps_what_was_typed(world, signed_in):
    review = request(world, world.network_project)
    client = signed_in(world.manager)
    blank = client.post(f"/reviews/{review.id}/decide", data={"decision": "go", "reason": ""})
    assert blank.status_code == 422 and "A reason is required." in blank.get_data(as_text=True)

    answer = client.post(
        f"/reviews/{review.id}/decide",
        data={"decision": "conditional_go", "reason": "Typed reason stays", "conditions": "\n  \n"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "A conditional go needs at least one condition" in html
    assert "Typed reason stays" in html
    assert review_of(world.network_project).decision == "pending"


def test_a_conditional_go_records_one_condition_per_line(world, signed_in):
    review = request(world, world.network_project)
    client = signed_in(world.manager)
    client.post(
        f"/reviews/{review.id}/decide",
        data={
            "decision": "conditional_go",
            "reason": "Good, with two conditions.",
            "conditions": "Book the test site\n\nName a product owner\n",
        },
    )
    texts = db.session.scalars(sa.select(GateCondition.text).order_by(GateCondition.id)).all()
    assert texts == ["Book the test site", "Name a product owner"]

    client = signed_in(world.partner_member)
    condition_id = db.session.scalar(sa.select(GateCondition.id).order_by(GateCondition.id))
    assert client.post(f"/conditions/{condition_id}/done").status_code == 302
    db.session.expire_all()
    assert db.session.get(GateCondition, condition_id).done_at is not None
    assert client.post(f"/conditions/{condition_id}/reopen").status_code == 302
    db.session.expire_all()
    assert db.session.get(GateCondition, condition_id).done_at is None


# --- confirmations and the decision page ----------------------------------------------------


def test_partners_confirm_and_the_page_shows_who_has_not(world, signed_in):
    review = request(world, world.network_project)
    client = signed_in(world.partner_member)
    before = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    # The lead organization asked, so it counts from the start.
    assert "Confirm for Partner Org" in before and "1 of 2" in before
    assert "not confirmed yet" in before  # the partner has not

    assert client.post(f"/reviews/{review.id}/confirm").status_code == 302
    after = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "2 of 2" in after and "Confirm for Partner Org" not in after

    again = client.post(f"/reviews/{review.id}/confirm", follow_redirects=True)
    assert "Your organization has already confirmed this request." in again.get_data(as_text=True)


def test_the_decision_page_shows_criteria_and_history(world, signed_in):
    db.session.add(StageCriterion(stage="develop", title="Data-sharing agreement signed"))
    db.session.commit()
    review = request(world, world.network_project)
    html = signed_in(world.manager).get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Data-sharing agreement signed" in html
    assert "Stage history" in html and "created" in html


# --- status changes -------------------------------------------------------------------------


def test_a_manager_holds_and_reactivates_through_the_page(world, signed_in):
    project = world.network_project
    client = signed_in(world.manager)
    form = client.get(f"/projects/{project.id}/status?action=hold")
    assert form.status_code == 200 and "Put on hold" in form.get_data(as_text=True)

    held = client.post(
        f"/projects/{project.id}/status", data={"action": "hold", "reason": "Budget freeze."}
    )
    assert held.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == "on_hold"
    client.post(f"/projects/{project.id}/status", data={"action": "reactivate", "reason": "Go."})
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == "active"
    notes = db.session.scalars(sa.select(StageEvent.note).order_by(StageEvent.id)).all()
    assert notes[-2:] == ["Budget freeze.", "Go."]


def test_a_stop_without_reason_is_refused_on_the_form(world, signed_in):
    project = world.network_project
    answer = signed_in(world.manager).post(
        f"/projects/{project.id}/status", data={"action": "stop", "reason": ""}
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "A reason is required." in html
    assert "data-confirm" in html
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == "active"


def test_a_refused_send_back_says_why(world, signed_in):
    project = world.network_project
    answer = signed_in(world.manager).post(
        f"/projects/{project.id}/status", data={"action": "send_back", "reason": "Redo tests."}
    )
    assert answer.status_code == 422
    assert "Projects in develop cannot be sent back further." in answer.get_data(as_text=True)


# --- the panel on the project page ----------------------------------------------------------


def test_the_project_page_panel_offers_each_user_their_actions(world, signed_in, app):
    if "projects.detail" not in app.view_functions:
        pytest.skip("the project page is not there yet")
    project = world.network_project
    review = request(world, project)

    partner = signed_in(world.partner_member).get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Stage gate" in partner and "Confirm for Partner Org" in partner
    assert f"/reviews/{review.id}" in partner and "Decide the gate" not in partner

    manager = signed_in(world.manager).get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Decide the gate" in manager and "Put on hold" in manager
    assert 'data-confirm="Stop this project?' in manager

    patron = signed_in(world.patron).get(f"/projects/{project.id}")
    assert "Stage gate" not in patron.get_data(as_text=True)


def test_an_onlooker_sees_why_the_gate_panel_offers_nothing(world, signed_in):
    """Before: a member of an unrelated organization saw an empty 'Stage gate' card."""
    page = (
        signed_in(world.outsider)
        .get(f"/projects/{world.network_project.id}")
        .get_data(as_text=True)
    )
    panel = page.split('id="gate-panel-heading"', 1)[1].split("</section>", 1)[0]
    assert "No gate request is open. The lead organization asks for the gate to" in panel


def test_the_panel_needs_a_fixed_number_of_queries(world):
    from tracker.loaders import get_visible_project_or_404
    from tracker.reviews.queries import gate_panel

    project = world.network_project
    review = request(world, project)
    services.confirm(world.partner_member, review)
    db.session.expire_all()
    loaded = get_visible_project_or_404(world.manager, project.id)
    with counting_queries() as statements:
        panel = gate_panel(world.manager, loaded)
    assert panel.can_decide and panel.confirmed_count == 2  # the lead's and the partner's
    assert len(statements) <= 3


def _queue(world, monkeypatch, requests: int) -> None:
    """requests pending gate requests, oldest first ("Queued 0" …), three to a queue page."""
    from tracker.reviews import queue as queue_module

    monkeypatch.setattr(queue_module, "QUEUE_PAGE_SIZE", 3)
    now = utcnow()
    for i in range(requests):
        project = factories.make_project(world.lingen, world.lead_org, title=f"Queued {i}")
        db.session.add(
            GateReview(
                project_id=project.id,
                from_stage="develop",
                to_stage="test",
                requested_at=now - timedelta(days=10 - i),
            )
        )
    db.session.commit()


def test_the_queue_pages_by_cursor_and_old_numbered_links_redirect(world, signed_in, monkeypatch):
    _queue(world, monkeypatch, 7)
    client = signed_in(world.manager)
    first = client.get("/reviews").get_data(as_text=True)
    assert "Queued 0" in first and "Queued 3" not in first and "Page 1 of 3" in first
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    assert "after=" in following and "page=" not in following
    second = client.get(following).get_data(as_text=True)
    assert "Queued 3" in second and "Queued 0" not in second and "Page 2 of 3" in second
    back = html.unescape(re.search(r'href="([^"]+)" rel="prev"', second).group(1))
    assert "Queued 0" in client.get(back).get_data(as_text=True)
    moved = client.get("/reviews?page=3")
    assert moved.status_code == 302 and "after=" in moved.location
    third = client.get(moved.location).get_data(as_text=True)
    assert "Queued 6" in third and "Page 3 of 3" in third and 'rel="next"' not in third
    assert client.get("/reviews?page=4").status_code == 404
    assert client.get("/reviews?page=x").status_code == 400
    assert "Queued 0" in client.get("/reviews?after=bm9uc2Vuc2U").get_data(as_text=True)


def test_a_page_number_just_beyond_a_full_last_page_is_404(world, signed_in, monkeypatch):
    _queue(world, monkeypatch, 6)  # two full pages
    client = signed_in(world.manager)
    assert client.get("/reviews?page=2").status_code == 302
    assert client.get("/reviews?page=3").status_code == 404
