"""The event table of design.md §12: who is told of what (never the actor, never anyone who
may not see the project's details), and the notification texts in the reader's language.

The issue's finding: after Krone (the lead) posted an update and requested a gate on a project
with IT-Campus (a partner), IT-Campus was told nothing.
"""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests import factories as f
from tracker import activity
from tracker.extensions import db
from tracker.models import GateConfirmation, Notification, Project
from tracker.notifications.display import notification_text
from tracker.reviews import services as gates

EVIDENCE = "Pilot done; partners agree."


@pytest.fixture
def people(world):
    """Beyond the world's: a colleague in each organization, an inactive partner member and
    a patron who belongs to the partner organization."""

    class People:
        lead_colleague = f.make_user("member", world.lead_org)
        partner_colleague = f.make_user("member", world.partner_org)
        inactive_partner = f.make_user("member", world.partner_org, active=False)
        patron_in_partner = f.make_user("patron", world.partner_org)

    db.session.commit()
    return People


def told(kind: str) -> dict[int, str]:
    """user id -> message of the notifications of this kind."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Notification.user_id, Notification.message).where(Notification.kind == kind)
    )
    return dict(rows.tuples().all())


def ids(*users) -> set[int]:
    return {user.id for user in users}


def test_an_update_tells_every_participating_organization_but_not_the_author(
    world, people, signed_in
):
    pid = world.network_project.id
    response = signed_in(world.lead_member).post(
        f"/projects/{pid}/updates", data={"body": "Prototype runs."}
    )
    assert response.status_code == 302
    notes = told("update_posted")
    assert set(notes) == ids(world.partner_member, people.partner_colleague, people.lead_colleague)
    assert all("posted an update on “Open hydrogen forecast”" in m for m in notes.values())


def test_a_gate_request_asks_the_managers_to_decide_and_the_partners_to_confirm(
    world, people, signed_in
):
    pid = world.network_project.id
    signed_in(world.lead_member).post(f"/projects/{pid}/gate", data={"evidence": EVIDENCE})
    notes = told("gate_requested")
    # The requesting organization asked; its members are not asked to confirm.
    assert set(notes) == ids(world.manager, world.partner_member, people.partner_colleague)
    assert notes[world.manager.id].endswith(
        "requests the gate Develop → Test for “Open hydrogen forecast”."
    )
    assert notes[world.partner_member.id] == (
        "Please confirm the gate request for “Open hydrogen forecast”: Develop → Test."
    )


def test_the_requesting_organization_confirms_at_once(world, signed_in):
    project = world.network_project
    review = gates.request_gate(world.lead_member, project, EVIDENCE)
    confirmations = db.session.scalars(
        sa.select(GateConfirmation).where(GateConfirmation.gate_review_id == review.id)
    ).all()
    assert [(c.organization_id, c.user_id) for c in confirmations] == [
        (world.lead_org.id, world.lead_member.id)
    ]
    page = signed_in(world.partner_member).get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Confirmed by 1 of 2 participating organizations" in page
    with pytest.raises(gates.GateError):
        gates.confirm(world.lead_member, review)


def test_a_manager_requesting_confirms_for_no_organization(world):
    review = gates.request_gate(world.manager, world.network_project, EVIDENCE)
    count = db.session.scalar(
        sa.select(sa.func.count(GateConfirmation.id)).where(
            GateConfirmation.gate_review_id == review.id
        )
    )
    assert count == 0
    # Both organizations are asked to confirm; the manager is the actor.
    assert set(told("gate_requested")) == ids(world.lead_member, world.partner_member)


def test_a_confirmation_tells_the_lead_organization(world, people):
    review = gates.request_gate(world.lead_member, world.network_project, EVIDENCE)
    gates.confirm(world.partner_member, review)
    notes = told("gate_confirmed")
    assert set(notes) == ids(world.lead_member, people.lead_colleague)
    assert notes[world.lead_member.id] == (
        "Partner Org confirmed the gate request Develop → Test for “Open hydrogen forecast”."
    )


def test_a_decision_tells_every_participating_organization(world, people):
    review = gates.request_gate(world.lead_member, world.network_project, EVIDENCE)
    gates.decide(world.manager, review, "recycle", "Show more data.")
    notes = told("gate_decided")
    everyone = ids(world.lead_member, people.lead_colleague, world.partner_member)
    assert set(notes) == everyone | ids(people.partner_colleague)
    assert "Recycle" in notes[world.partner_member.id]


@pytest.mark.parametrize("action", ["hold", "stop"])
def test_hold_and_stop_tell_every_participating_organization(world, people, action):
    getattr(gates, action)(world.manager, world.network_project, "Budget frozen.")
    notes = told("status_changed")
    assert set(notes) == ids(
        world.lead_member, people.lead_colleague, world.partner_member, people.partner_colleague
    )


def test_nobody_outside_the_project_nor_a_patron_nor_an_inactive_account_is_told(world, people):
    project = world.consortium_project
    review = gates.request_gate(world.lead_member, project, EVIDENCE)
    gates.decide(world.manager, review, "go", "Ready.")
    everyone = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(Notification.project_id == project.id)
        )
    )
    for user in (world.outsider, world.patron, people.patron_in_partner, people.inactive_partner):
        assert user.id not in everyone
    assert world.other_manager.id not in everyone and world.admin.id not in everyone


def test_the_stored_texts_are_english_whatever_the_actor_reads(world, people):
    world.lead_member.locale = "de"
    db.session.commit()
    gates.request_gate(world.lead_member, world.network_project, EVIDENCE)
    assert "Develop → Test" in told("gate_requested")[world.manager.id]


def _shown(kind: str, message: str, locale: str) -> str:
    with force_locale(locale):
        return notification_text(Notification(kind=kind, message=message))


@pytest.mark.parametrize(
    "kind, message, german",
    [
        (
            "update_posted",
            "Ann Lee posted an update on “Twin”.",
            "Ann Lee hat ein Update zu „Twin“ veröffentlicht.",
        ),
        (
            "gate_requested",
            "Please confirm the gate request for “Twin”: Develop → Test.",
            "Bitte bestätigen Sie die Gate-Anfrage für „Twin“: Entwicklung → Test.",
        ),
        (
            "gate_confirmed",
            "IT-Campus confirmed the gate request Develop → Test for “Twin”.",
            "IT-Campus hat die Gate-Anfrage Entwicklung → Test für „Twin“ bestätigt.",
        ),
        (
            "nudge",
            "Jana Kowalczyk asks about “Twin”: Any news?",
            "Jana Kowalczyk fragt nach „Twin“: Any news?",
        ),
    ],
)
def test_new_kinds_are_shown_in_the_readers_language(app, kind, message, german):
    with app.test_request_context():
        assert _shown(kind, message, "de") == german
        assert _shown(kind, message, "en") == message
        assert _shown(kind, message, "sv") != message


def test_due_and_stalled_texts_are_shown_in_the_readers_language(app):
    from datetime import date

    message = activity.due_message("overdue", "milestone", "Pilot", "Twin", date(2026, 3, 1))
    assert message == "Milestone “Pilot” of “Twin” was due on 2026-03-01."
    with app.test_request_context():
        # The date as the reader writes dates.
        assert (
            _shown("overdue", message, "en")
            == "Milestone “Pilot” of “Twin” was due on Mar 1, 2026."
        )
        german = _shown("overdue", message, "de")
        assert "„Pilot“" in german and "„Twin“" in german and german != message


def test_due_reminders_are_sent_once_per_item(world, people):
    from datetime import date

    project = db.session.get(Project, world.network_project.id)
    for _ in range(2):
        activity.tell_due(project, "overdue", "milestone", "Pilot", date(2026, 3, 1))
        db.session.commit()
    assert set(told("overdue")) == ids(world.lead_member, people.lead_colleague)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2


# --- statements: one INSERT … SELECT however many partners and members ---------------------


def _project_with_partners(world, n: int) -> Project:
    partners = [f.make_org(sites=[world.lingen]) for _ in range(n)]
    for org in partners:
        for _ in range(3):
            f.make_user("member", org)
    return f.make_project(world.lingen, world.lead_org, [(o, "partner") for o in partners])


def _statements(action) -> int:
    from tests.querycount import count_queries

    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        action()
    return len(statements)


def test_telling_many_partners_costs_no_more_statements(world):
    from tracker.loaders import get_visible_project_or_404
    from tracker.projects import progress

    counts = []
    for n in (2, 30):
        pid = _project_with_partners(world, n).id
        before = db.session.scalar(sa.select(sa.func.count(Notification.id)))

        def post(pid=pid):
            project = get_visible_project_or_404(world.lead_member, pid)
            progress.post_update(world.lead_member, project, "Prototype runs.")

        def ask(pid=pid):
            project = get_visible_project_or_404(world.lead_member, pid)
            gates.request_gate(world.lead_member, project, EVIDENCE)

        counts.append((_statements(post), _statements(ask)))
        told = db.session.scalar(sa.select(sa.func.count(Notification.id))) - before
        # every partner member twice (the update, the confirmation asked), the manager once
        assert told == 2 * 3 * n + 1
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "kind, message, german",
    [
        (
            "partner_interest",
            "IT-Campus Lingen is interested in the partner request for “Twin”.",
            "IT-Campus Lingen interessiert sich für das Partnergesuch zu „Twin“.",
        ),
        (
            "partner_interest_declined",
            "IT-Campus Lingen's interest in the partner request “Looking for a lab” was declined.",
            "Das Interesse von IT-Campus Lingen am Partnergesuch „Looking for a lab“ wurde "
            "abgelehnt.",
        ),
    ],
)
def test_matchmaking_texts_are_shown_in_the_readers_language(app, kind, message, german):
    with app.test_request_context():
        assert _shown(kind, message, "de") == german
