"""Overdue work (project page, board chips, homes) and nudges (design.md §12).

The issue's findings: a milestone six months late is not marked, passed target dates are
flagged nowhere, the site manager's home has no stalled or overdue list, and the only actions
on a quiet project are hold or stop.
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.querycount import count_queries
from tracker import overdue
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    GateCondition,
    GateReview,
    Milestone,
    Notification,
    Nudge,
    Project,
    utcnow,
)
from tracker.reviews import nudges
from tracker.reviews.services import GateError, GateForbidden

TODAY = utcnow().date()


def _late_milestone(project, days: int = 180, title: str = "Pilot contract signed") -> Milestone:
    milestone = Milestone(project_id=project.id, title=title, due_on=TODAY - timedelta(days=days))
    db.session.add(milestone)
    db.session.commit()
    return milestone


def _late_condition(project, days: int = 10) -> GateCondition:
    review = GateReview(
        project_id=project.id,
        from_stage="develop",
        to_stage="test",
        evidence="ok",
        decision="conditional_go",
        reason="fine",
        decided_at=utcnow(),
    )
    db.session.add(review)
    db.session.flush()
    condition = GateCondition(
        gate_review_id=review.id,
        project_id=project.id,
        text="Name a data protection officer",
        due_on=TODAY - timedelta(days=days),
    )
    db.session.add(condition)
    db.session.commit()
    return condition


# --- what is overdue ------------------------------------------------------------------------


def test_overdue_items_are_late_milestones_conditions_and_the_current_stages_target(world):
    project = world.network_project
    late = _late_milestone(project)
    _late_milestone(project, days=-5, title="Not yet due")
    done = _late_milestone(project, title="Done late")
    done.done_at = utcnow()
    condition = _late_condition(project)
    project.target_test_on = TODAY - timedelta(days=1)
    project.target_market_on = TODAY - timedelta(days=1)  # not the current stage's target
    db.session.commit()

    items = overdue.overdue_items()
    assert [(i.what, i.item) for i in items] == [
        ("milestone", late.title),
        ("condition", condition.text),
        ("target", "test"),
    ]
    assert items[0].days_late(TODAY) == 180
    assert overdue.overdue_project_ids() == {project.id}
    soon = overdue.due_soon_items(days=14)
    assert [(i.what, i.item) for i in soon] == [("milestone", "Not yet due")]


def test_stopped_projects_have_nothing_overdue(world):
    project = world.network_project
    _late_milestone(project)
    project.status = "stopped"
    db.session.commit()
    assert overdue.overdue_items() == []


def test_the_project_page_marks_what_is_overdue(world, signed_in):
    project = world.network_project
    _late_milestone(project)
    _late_condition(project)
    project.target_test_on = TODAY - timedelta(days=3)
    db.session.commit()
    html = signed_in(world.partner_member).get(f"/projects/{project.id}").get_data(as_text=True)
    box = html[html.index('id="overdue"') :]
    assert "Milestone “Pilot contract signed” was due on" in box
    assert "180 days late" in box
    assert "The target date for Test was" in box and "3 days late" in box
    # the open condition is marked in the gate panel, with its date
    panel = html[html.index('id="gate-panel-heading"') :]
    assert "Name a data protection officer" in panel
    assert panel.index("Overdue") < panel.index("Mark done")


def test_board_cards_carry_an_overdue_chip_without_another_statement(world, signed_in):
    client = signed_in(world.partner_member)
    db.session.commit()
    with count_queries() as before:
        html = client.get("/board").get_data(as_text=True)
    assert '#alarm"' not in html  # the overdue chip's icon (sprite symbol)
    _late_milestone(world.network_project)
    db.session.commit()
    with count_queries() as after:
        html = client.get("/board").get_data(as_text=True)
    card = html[html.index(f'id="card-{world.network_project.id}"') :]
    card = card[: card.index("</li>")]
    assert "Overdue" in card
    other = html[html.index(f'id="card-{world.consortium_project.id}"') :]
    assert "Overdue" not in other[: other.index("</li>")]
    assert len(after) == len(before)


def _overdue_cards(html: str) -> set[int]:
    found = set()
    for part in html.split('<li class="board-card')[1:]:
        card = part[: part.index("</li>")]
        if "chip-danger" in card:
            found.add(int(card.split('data-project-id="', 1)[1].split('"', 1)[0]))
    return found


@pytest.mark.parametrize("late", ["condition", "target", "none", "done", "on_hold"])
def test_board_chips_say_what_overdue_project_ids_says(world, signed_in, late):
    # The cards read overdue from dates their statement already has (tracker.overdue.is_overdue);
    # the chips must agree with the one SQL definition of overdue.
    project = world.network_project
    if late == "condition":
        _late_condition(project)
    elif late == "target":
        project.target_test_on = TODAY - timedelta(days=1)
        project.target_market_on = TODAY - timedelta(days=30)  # not the current stage's target
    elif late == "done":
        _late_milestone(project).done_at = utcnow()
        _late_condition(project).done_at = utcnow()
        project.target_test_on = TODAY  # due today is not late
    elif late == "on_hold":
        _late_condition(project)
        project.status = "on_hold"
    db.session.commit()
    html = signed_in(world.manager).get("/board?status=all").get_data(as_text=True)
    assert f'id="card-{project.id}"' in html
    assert _overdue_cards(html) == overdue.overdue_project_ids()
    assert (project.id in overdue.overdue_project_ids()) == (late in ("condition", "target"))


def test_patrons_see_no_overdue_chip(world, signed_in):
    _late_milestone(world.network_project)
    html = signed_in(world.patron).get("/board").get_data(as_text=True)
    assert '#alarm"' not in html  # the overdue chip's icon (sprite symbol)


# --- homes ----------------------------------------------------------------------------------


def test_the_members_home_lists_what_needs_them(world, signed_in):
    from tracker.reviews import services as gates

    project = world.network_project
    _late_milestone(project)
    db.session.add(
        Milestone(project_id=project.id, title="Demo day", due_on=TODAY + timedelta(days=9))
    )
    db.session.commit()
    gates.request_gate(world.lead_member, world.consortium_project, "Ready.")

    html = signed_in(world.partner_member).get("/").get_data(as_text=True)
    needs = html[html.index('id="what-needs-you"') :]
    assert "Gate requests to confirm" in needs and world.consortium_project.title in needs
    assert "Overdue" in needs and "Milestone “Pilot contract signed”" in needs
    assert "Due in the next 14 days" in needs and "Milestone “Demo day”" in needs

    # the requesting organization confirmed with its request: nothing to confirm for it
    lead = signed_in(world.lead_member).get("/").get_data(as_text=True)
    assert "Gate requests to confirm" not in lead[lead.index('id="what-needs-you"') :]
    # an organization outside the project sees none of it
    outsider = signed_in(world.outsider).get("/").get_data(as_text=True)
    assert "Pilot contract signed" not in outsider


def test_open_criteria_are_listed_for_the_lead(world, signed_in):
    from tracker.models import StageCriterion

    for position, title in enumerate(["Data agreement signed", "Test site booked"]):
        db.session.add(StageCriterion(stage="develop", title=title, position=position))
    db.session.commit()
    html = signed_in(world.lead_member).get("/").get_data(as_text=True)
    needs = html[html.index('id="what-needs-you"') :]
    assert "Exit criteria still open" in needs and "2 of 2 open" in needs


def test_the_managers_home_lists_what_needs_attention(world, signed_in, app):
    project = world.network_project
    _late_milestone(project)
    quiet = world.consortium_project
    stalled_days = app.config["TRACKER_STALLED_DAYS"]
    quiet.last_activity_at = utcnow() - timedelta(days=stalled_days + 5)
    db.session.commit()
    nudges.nudge(world.manager, quiet, "Any news on the twin?")

    html = signed_in(world.manager).get("/").get_data(as_text=True)
    attention = html[html.index('id="needs-attention"') :]
    assert "Overdue" in attention and "Pilot contract signed" in attention
    assert "Stalled" in attention and quiet.title in attention
    assert "Nudges not answered yet" in attention and "Any news on the twin?" in attention

    other = signed_in(world.other_manager).get("/").get_data(as_text=True)
    assert "Pilot contract signed" not in other and "Any news on the twin?" not in other


# --- nudges ---------------------------------------------------------------------------------


def test_a_manager_nudges_the_lead_organization_once_a_week(world, signed_in):
    project = world.network_project
    lead_colleague = f.make_user("member", world.lead_org)
    client = signed_in(world.manager)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Nudge the lead organization" in page and f"/projects/{project.id}/nudge" in page

    sent = client.post(f"/projects/{project.id}/nudge", data={"message": "Any news?"})
    assert sent.status_code == 302
    nudge = db.session.scalars(sa.select(Nudge)).one()
    assert (nudge.project_id, nudge.sent_by_id, nudge.message) == (
        project.id,
        world.manager.id,
        "Any news?",
    )
    told = set(
        db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "nudge"))
    )
    assert told == {world.lead_member.id, lead_colleague.id}
    history = client.get(f"/projects/{project.id}?tab=history").get_data(as_text=True)
    assert "Nudged by the site&#39;s manager" in history and "Any news?" in history

    again = client.post(
        f"/projects/{project.id}/nudge", data={"message": "Again?"}, follow_redirects=True
    )
    assert "nudged less than a week ago" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Nudge.id))) == 1
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "At most one nudge a week" in page


def test_a_nudge_after_seven_days_is_allowed_and_is_no_activity(world):
    project = world.network_project
    before = project.last_activity_at
    first = nudges.nudge(world.manager, project, "Any news?")
    first.created_at = utcnow() - timedelta(days=7, minutes=1)
    db.session.commit()
    nudges.nudge(world.admin, project, "Still quiet?")
    assert db.session.scalar(sa.select(sa.func.count(Nudge.id))) == 2
    assert db.session.get(Project, project.id).last_activity_at == before
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "project_nudged")
        )
        == 2
    )


def test_only_the_host_sites_managers_and_admins_nudge(world, signed_in):
    for who in (world.lead_member, world.partner_member, world.other_manager):
        with pytest.raises(GateForbidden):
            nudges.nudge(who, world.network_project, "Hello?")
    response = signed_in(world.lead_member).post(
        f"/projects/{world.network_project.id}/nudge", data={"message": "Hi"}
    )
    assert response.status_code == 403
    page = signed_in(world.lead_member).get(f"/projects/{world.network_project.id}")
    assert "Nudge the lead organization" not in page.get_data(as_text=True)


def test_a_nudge_needs_a_message_and_an_open_project(world, signed_in):
    with pytest.raises(GateError, match="Write what you would like to know"):
        nudges.nudge(world.manager, world.network_project, "  ")
    world.network_project.status = "stopped"
    db.session.commit()
    with pytest.raises(GateError, match="Only active projects"):
        nudges.nudge(world.manager, world.network_project, "Hello?")
    assert db.session.scalar(sa.select(sa.func.count(Nudge.id))) == 0


def test_an_answered_nudge_leaves_the_unanswered_list(world):
    from tracker.projects import progress

    project = world.network_project
    nudges.nudge(world.manager, project, "Any news?")
    assert [n.message for n, _p in overdue.unanswered_nudges()] == ["Any news?"]
    from tracker.loaders import get_visible_project_or_404

    loaded = get_visible_project_or_404(world.lead_member, project.id)
    progress.post_update(world.lead_member, loaded, "Pilot runs; report next week.")
    assert overdue.unanswered_nudges() == []


def test_the_gate_panel_tells_managers_to_decide(world, signed_in):
    project = world.network_project
    manager = signed_in(world.manager).get(f"/projects/{project.id}").get_data(as_text=True)
    assert "You decide this gate" in manager and "Decide the gate to Test" in manager
    assert "Ask the site's managers" not in manager
    member = signed_in(world.lead_member).get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Ask the site's managers" in member and "Request the gate to Test" in member


def test_a_manager_requesting_goes_straight_to_the_decision(world, signed_in):
    project = world.network_project
    response = signed_in(world.manager).post(
        f"/projects/{project.id}/gate", data={"evidence": "Pilot done."}
    )
    review = db.session.scalars(sa.select(GateReview)).one()
    assert response.headers["Location"].endswith(f"/reviews/{review.id}")


def test_due_reminder_dates_are_iso_in_the_stored_text(world):
    from tracker import activity

    project = world.network_project
    activity.tell_due(project, "due_soon", "target", "Test", date(2027, 1, 4))
    db.session.commit()
    messages = set(db.session.scalars(sa.select(Notification.message)))
    assert messages == {"Target date “Test” of “Open hydrogen forecast” is due on 2027-01-04."}


def test_managers_are_told_once_when_a_project_becomes_stalled(world, app):
    from tracker import needs

    stalled_days = app.config["TRACKER_STALLED_DAYS"]
    quiet = world.network_project
    quiet.last_activity_at = utcnow() - timedelta(days=stalled_days + 1)
    db.session.commit()
    assert needs.remind_stalled(stalled_days) == 1
    db.session.commit()
    assert needs.remind_stalled(stalled_days) == 0  # the same quiet spell: told already
    [note] = db.session.scalars(sa.select(Notification).where(Notification.kind == "stalled"))
    assert note.user_id == world.manager.id and note.project_id == quiet.id
    assert note.message.startswith("“Open hydrogen forecast” has had no activity since ")


def test_the_api_nudges_once_a_week(client, world):
    from tracker.auth.tokens import create_token

    token, _row = create_token(world.manager, "nudge")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/projects/{world.network_project.id}/nudge"
    db.session.commit()
    answer = client.post(url, json={"message": "Any news?"}, headers=headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["message"] == "Any news?" and body["sent_by"] == world.manager.display_name
    assert body["project_id"] == world.network_project.id and body["next_nudge_at"]
    again = client.post(url, json={"message": "And now?"}, headers=headers)
    assert again.status_code == 409 and "less than a week ago" in again.get_json()["detail"]
    blank = client.post(url, json={"message": "  "}, headers=headers)
    assert blank.status_code == 422
    member, _row = create_token(world.lead_member, "nudge")
    db.session.commit()
    refused = client.post(
        url, json={"message": "Me?"}, headers={"Authorization": f"Bearer {member}"}
    )
    assert refused.status_code == 403
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/projects/{project_id}/nudge"]["post"]["operationId"] == (
        "nudgeProject"
    )
