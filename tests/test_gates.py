"""The gate state machine at service level: every allowed and every refused transition."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker import activity
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    GateCondition,
    GateConfirmation,
    GateReview,
    Notification,
    Project,
    StageEvent,
    utcnow,
)
from tracker.reviews import services
from tracker.reviews.base import open_condition_texts
from tracker.reviews.services import GateError, GateForbidden

EVIDENCE = "Pilot at the Lingen electrolyser ran for six weeks; partners signed off."


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def snapshot() -> dict:
    """Row counts of everything a gate use case writes, to prove nothing was written."""
    models = (GateReview, GateConfirmation, GateCondition, StageEvent, AuditEvent, Notification)
    return {model.__name__: count(model) for model in models}


def refused(call, *args, message: str, error=GateError, **kwargs):
    before = snapshot()
    with pytest.raises(error, match=re.escape(message)):
        call(*args, **kwargs)
    db.session.rollback()
    assert snapshot() == before, "a refused change must write nothing"


def put(project: Project, **fields) -> Project:
    for key, value in fields.items():
        setattr(project, key, value)
    db.session.commit()
    return project


def notified(user, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )
    )


@pytest.fixture
def project(world):
    return world.network_project


@pytest.fixture
def pending(world, project):
    return services.request_gate(world.lead_member, project, EVIDENCE)


# --- requesting a gate ----------------------------------------------------------------------


def test_lead_member_requests_the_gate_from_develop_to_test(world, project):
    version, activity_before = project.version, project.last_activity_at
    review = services.request_gate(world.lead_member, project, f"  {EVIDENCE}  ")

    assert (review.from_stage, review.to_stage, review.decision) == ("develop", "test", "pending")
    assert review.evidence == EVIDENCE
    assert review.requested_by_id == world.lead_member.id
    assert project.version == version + 1
    assert project.last_activity_at > activity_before
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "gate_requested"))
    assert audit.project_id == project.id and audit.object_id == review.id
    assert len(notified(world.manager, "gate_requested")) == 1
    assert notified(world.other_manager, "gate_requested") == []
    assert notified(world.lead_member, "gate_requested") == []


def test_a_project_in_test_requests_the_gate_to_market(world, project):
    put(project, stage="test")
    review = services.request_gate(world.lead_member, project, EVIDENCE)
    assert (review.from_stage, review.to_stage) == ("test", "market")


def test_a_project_in_market_has_no_further_gate(world, project):
    put(project, stage="market")
    refused(
        services.request_gate,
        world.lead_member,
        project,
        EVIDENCE,
        message="Projects in market have no further gate.",
    )


def test_a_second_request_while_one_is_pending_is_refused(world, project, pending):
    refused(
        services.request_gate,
        world.manager,
        project,
        EVIDENCE,
        message="A gate request is already pending.",
    )


def test_the_database_index_backs_the_one_pending_rule(world, project, pending, monkeypatch):
    # Two requests racing past the check: the partial unique index refuses the second.
    monkeypatch.setattr(services, "_pending_and_open_conditions", lambda project_id: (False, []))
    refused(
        services.request_gate,
        world.manager,
        project,
        EVIDENCE,
        message="A gate request is already pending.",
    )


@pytest.mark.parametrize("status", ["on_hold", "stopped"])
def test_only_active_projects_can_request_a_gate(world, project, status):
    put(project, status=status)
    refused(
        services.request_gate,
        world.lead_member,
        project,
        EVIDENCE,
        message="Only active projects can request a gate.",
    )


def test_an_open_condition_blocks_the_next_request_until_it_is_done(world, project, pending):
    services.decide(
        world.manager, pending, "conditional_go", "Good pilot.", ["Sign the data agreement"]
    )
    refused(
        services.request_gate,
        world.lead_member,
        project,
        EVIDENCE,
        message=(
            "Open conditions from the last conditional go must be closed first: "
            "Sign the data agreement"
        ),
    )
    condition = db.session.scalar(sa.select(GateCondition))
    services.complete_condition(world.partner_member, condition)

    review = services.request_gate(world.lead_member, project, EVIDENCE)
    assert (review.from_stage, review.to_stage) == ("test", "market")


@pytest.mark.parametrize("who", ["partner_member", "outsider", "patron", "other_manager"])
def test_only_the_lead_organization_and_supervisors_may_request(world, project, who):
    refused(
        services.request_gate,
        world.user(who),
        project,
        EVIDENCE,
        message="Only members of the lead organization",
        error=GateForbidden,
    )


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_the_host_manager_and_admins_may_request(world, project, who):
    review = services.request_gate(world.user(who), project, EVIDENCE)
    assert review.decision == "pending"


@pytest.mark.parametrize(
    ("evidence", "message"),
    [("   ", "Evidence is required"), ("x" * 5001, "Evidence can be at most 5000 characters.")],
)
def test_evidence_must_be_given_and_bounded(world, project, evidence, message):
    refused(services.request_gate, world.lead_member, project, evidence, message=message)


# --- confirmations --------------------------------------------------------------------------


def test_each_participating_organization_confirms_once(world, pending):
    confirmation = services.confirm(world.partner_member, pending)
    assert confirmation.organization_id == world.partner_org.id
    assert count(AuditEvent, AuditEvent.action == "gate_confirmed") == 1

    refused(
        services.confirm,
        world.partner_member,
        pending,
        message="Your organization has already confirmed this request.",
    )
    # The lead organization asked, so its confirmation was recorded with the request.
    refused(
        services.confirm,
        world.lead_member,
        pending,
        message="Your organization has already confirmed this request.",
    )
    assert count(GateConfirmation) == 2


def test_a_non_participant_cannot_confirm(world, pending):
    refused(
        services.confirm,
        world.outsider,
        pending,
        message="Only members of a participating organization",
        error=GateForbidden,
    )


def test_a_decided_request_cannot_be_confirmed(world, pending):
    services.decide(world.manager, pending, "recycle", "Needs more data.")
    refused(
        services.confirm,
        world.partner_member,
        pending,
        message="This request was already decided.",
    )


# --- decisions ------------------------------------------------------------------------------


def test_go_advances_the_stage_and_tells_the_lead_organization(world, project, pending):
    entered, version = project.stage_entered_at, project.version
    services.decide(world.manager, pending, "go", "All criteria met.")

    assert project.stage == "test" and project.status == "active"
    assert project.stage_entered_at > entered
    assert project.version == version + 1
    assert project.launched_on is None
    assert (pending.decision, pending.decided_by_id, pending.reason) == (
        "go",
        world.manager.id,
        "All criteria met.",
    )
    event = db.session.scalar(sa.select(StageEvent).where(StageEvent.gate_review_id == pending.id))
    assert (event.from_stage, event.to_stage, event.note) == (
        "develop",
        "test",
        "All criteria met.",
    )
    assert event.actor_id == world.manager.id
    assert count(AuditEvent, AuditEvent.action == "gate_decided") == 1
    [note] = notified(world.lead_member, "gate_decided")
    assert "Go" in note.message and note.project_id == project.id
    assert len(notified(world.partner_member, "gate_decided")) == 1  # every participant
    assert notified(world.manager, "gate_decided") == []


def test_entering_market_records_the_launch_date(world, project):
    put(project, stage="test")
    review = services.request_gate(world.lead_member, project, EVIDENCE)
    services.decide(world.admin, review, "go", "Launched at Hannover Messe.")
    assert project.stage == "market"
    assert project.launched_on == utcnow().date()


def test_conditional_go_needs_at_least_one_condition(world, pending):
    refused(
        services.decide,
        world.manager,
        pending,
        "conditional_go",
        "Promising.",
        ["  ", ""],
        message="Conditions cannot be blank.",
    )
    refused(
        services.decide,
        world.manager,
        pending,
        "conditional_go",
        "Promising.",
        [],
        message="A conditional go needs at least one condition",
    )


def test_conditional_go_advances_and_stores_its_conditions(world, project, pending):
    services.decide(
        world.manager, pending, "conditional_go", "Promising.", ["Book the test site", "Name a PO"]
    )
    assert project.stage == "test"
    texts = db.session.scalars(sa.select(GateCondition.text).order_by(GateCondition.id)).all()
    assert texts == ["Book the test site", "Name a PO"]
    assert open_condition_texts(project.id) == texts


def test_conditions_belong_only_to_a_conditional_go(world, pending):
    refused(
        services.decide,
        world.manager,
        pending,
        "go",
        "Fine.",
        ["Stray condition"],
        message="Conditions are recorded only with a conditional go",
    )


def test_recycle_keeps_the_stage_and_stores_the_feedback(world, project, pending):
    events = count(StageEvent)
    services.decide(world.manager, pending, "recycle", "Show results from a second site.")
    assert project.stage == "develop" and project.status == "active"
    assert pending.decision == "recycle" and pending.reason == "Show results from a second site."
    assert count(StageEvent) == events  # neither stage nor status changed
    assert count(AuditEvent, AuditEvent.action == "gate_decided") == 1
    assert len(notified(world.lead_member, "gate_decided")) == 1
    assert services.request_gate(world.lead_member, project, EVIDENCE).decision == "pending"


def test_hold_decision_puts_the_project_on_hold(world, project, pending):
    services.decide(world.manager, pending, "hold", "Funding round pending.")
    assert project.status == "on_hold" and project.stage == "develop"
    event = db.session.scalar(sa.select(StageEvent).where(StageEvent.gate_review_id == pending.id))
    assert (event.from_status, event.to_status) == ("active", "on_hold")


def test_stop_decision_keeps_the_reason_as_the_lesson(world, project, pending):
    services.decide(world.manager, pending, "stop", "No market for forecasts below 1 MW.")
    assert project.status == "stopped"
    event = db.session.scalar(sa.select(StageEvent).where(StageEvent.gate_review_id == pending.id))
    assert event.to_status == "stopped"
    assert event.note == "No market for forecasts below 1 MW."


def test_every_decision_needs_a_reason(world, project, pending):
    refused(services.decide, world.manager, pending, "go", "   ", message="A reason is required.")
    assert project.stage == "develop" and pending.decision == "pending"


def test_an_unknown_decision_is_refused(world, pending):
    refused(services.decide, world.manager, pending, "maybe", "Hm.", message="Choose a decision")


def test_a_request_is_decided_only_once(world, pending):
    services.decide(world.manager, pending, "go", "Fine.")
    refused(
        services.decide,
        world.admin,
        pending,
        "stop",
        "Changed my mind.",
        message="This request was already decided.",
    )


@pytest.mark.parametrize("who", ["other_manager", "lead_member", "partner_member", "patron"])
def test_only_host_managers_and_admins_decide(world, pending, who):
    refused(
        services.decide,
        world.user(who),
        pending,
        "go",
        "Fine.",
        message="Only the host site's managers or an admin",
        error=GateForbidden,
    )


def test_a_failing_notification_leaves_nothing_of_the_decision(
    world, project, pending, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(activity, "notify", broken)
    before = snapshot()
    with pytest.raises(RuntimeError):
        services.decide(world.manager, pending, "go", "All criteria met.")

    db.session.expire_all()
    assert snapshot() == before
    assert db.session.get(Project, project.id).stage == "develop"
    assert db.session.get(GateReview, pending.id).decision == "pending"


def test_a_failing_notification_leaves_no_gate_request(world, project, monkeypatch):
    monkeypatch.setattr(activity, "_notify_users", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.request_gate(world.lead_member, project, EVIDENCE)
    assert count(GateReview) == 0 and count(AuditEvent) == 0


# --- status changes by site managers --------------------------------------------------------


def test_hold_closes_a_pending_request_and_tells_the_lead(world, project, pending):
    event = services.hold(world.manager, project, "Waiting for the grant decision.")
    assert project.status == "on_hold"
    assert (event.from_status, event.to_status, event.note) == (
        "active",
        "on_hold",
        "Waiting for the grant decision.",
    )
    assert pending.decision == "recycle"
    assert pending.reason == "Closed because the project was put on hold."
    assert count(AuditEvent, AuditEvent.action == "project_put_on_hold") == 1
    assert len(notified(world.lead_member, "status_changed")) == 1


def test_stop_closes_a_pending_request(world, project, pending):
    services.stop(world.admin, project, "Partner left the consortium.")
    assert project.status == "stopped"
    assert pending.reason == "Closed because the project was stopped."
    assert db.session.scalar(
        sa.select(StageEvent.note).where(StageEvent.to_status == "stopped")
    ) == ("Partner left the consortium.")


def test_an_on_hold_project_can_be_stopped_or_reactivated(world, project):
    put(project, status="on_hold")
    services.reactivate(world.manager, project, "Grant approved.")
    assert project.status == "active"
    services.hold(world.manager, project, "Again waiting.")
    services.stop(world.manager, project, "Grant withdrawn.")
    assert project.status == "stopped"
    services.reactivate(world.manager, project, "New sponsor found.")
    assert project.status == "active"
    assert count(StageEvent, StageEvent.project_id == project.id) == 5  # creation + four


def test_send_back_moves_one_stage_back_and_stays_active(world, project):
    put(project, stage="market", launched_on=date(2024, 5, 1))
    entered = project.stage_entered_at
    event = services.send_back(world.manager, project, "Certification was withdrawn.")
    assert (project.stage, project.status) == ("test", "active")
    assert (event.from_stage, event.to_stage) == ("market", "test")
    assert project.launched_on is None
    assert project.stage_entered_at > entered


def test_send_back_closes_a_pending_request(world, project):
    put(project, stage="test")
    review = services.request_gate(world.lead_member, project, EVIDENCE)
    services.send_back(world.manager, project, "Test results were invalid.")
    assert project.stage == "develop"
    assert review.reason == "Closed because the project was sent back."


@pytest.mark.parametrize(
    ("fields", "action", "message"),
    [
        ({}, "send_back", "Projects in develop cannot be sent back further."),
        ({}, "reactivate", "Only projects on hold or stopped can be reactivated."),
        ({"status": "on_hold"}, "hold", "Only active projects can be put on hold."),
        ({"status": "stopped"}, "stop", "This project is already stopped."),
        ({"status": "stopped"}, "hold", "Only active projects can be put on hold."),
        ({"stage": "test", "status": "on_hold"}, "send_back", "Only active projects can be sent"),
    ],
)
def test_refused_status_changes_say_why(world, project, fields, action, message):
    put(project, **fields)
    refused(getattr(services, action), world.manager, project, "Because.", message=message)


@pytest.mark.parametrize("who", ["lead_member", "partner_member", "other_manager", "patron"])
def test_only_host_managers_and_admins_change_the_status(world, project, who):
    refused(
        services.hold,
        world.user(who),
        project,
        "Because.",
        message="Only the host site's managers or an admin can change the status.",
        error=GateForbidden,
    )


def test_a_status_change_needs_a_reason(world, project):
    refused(services.stop, world.manager, project, "", message="A reason is required.")


def test_a_failing_notification_leaves_the_status_unchanged(world, project, pending, monkeypatch):
    monkeypatch.setattr(activity, "notify", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.stop(world.manager, project, "No budget.")
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == "active"
    assert db.session.get(GateReview, pending.id).decision == "pending"
    assert count(StageEvent, StageEvent.to_status == "stopped") == 0


# --- conditions -----------------------------------------------------------------------------


@pytest.fixture
def condition(world, pending):
    services.decide(world.manager, pending, "conditional_go", "Go on.", ["Name a product owner"])
    return db.session.scalar(sa.select(GateCondition))


def test_participants_complete_and_reopen_conditions(world, condition):
    services.complete_condition(world.partner_member, condition)
    assert condition.done_at is not None and condition.done_by_id == world.partner_member.id
    refused(
        services.complete_condition,
        world.lead_member,
        condition,
        message="This condition is already done.",
    )
    services.reopen_condition(world.lead_member, condition)
    assert condition.done_at is None
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "gatecondition")
    ).all()
    assert sorted(actions) == ["condition_completed", "condition_reopened"]


def test_outsiders_cannot_complete_conditions(world, condition):
    refused(
        services.complete_condition,
        world.outsider,
        condition,
        message="Only the project's participants",
        error=GateForbidden,
    )


def test_a_stale_stage_entered_at_is_not_reused(world, project, pending):
    # The time-in-stage clock restarts at the decision, not at the request.
    put(project, stage_entered_at=utcnow() - timedelta(days=400))
    services.decide(world.manager, pending, "go", "Fine.")
    assert utcnow() - project.stage_entered_at < timedelta(minutes=1)
