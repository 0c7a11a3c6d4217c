"""Partner suggestions (design §14): up to ten organizations outside the project with a score
and reasons, only from what the asking user may see, deterministic; and the issue's journey on
the demo network (Krone asks for a research partner in green hydrogen)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.querycount import count_queries
from tracker.auth.tokens import create_token
from tracker.extensions import db
from tracker.matchmaking import suggest
from tracker.models import (
    Notification,
    Organization,
    Participation,
    PartnerInterest,
    PartnerRequest,
    Project,
    Theme,
    User,
    utcnow,
)

DEMO_PASSWORD = "demo-password-123"


def _loaded(project_id: int) -> Project:
    from tracker.loaders import PROJECT_DETAILS

    return db.session.get(Project, project_id, options=PROJECT_DETAILS, populate_existing=True)


@pytest.fixture
def hidden_work(world):
    """Partner Org worked with Hidden Partner on a consortium project the lead is not in, and
    with Open Partner on a network project."""
    hidden = f.make_org("Hidden Partner", sites=[world.berlin])
    shown = f.make_org("Open Partner", sites=[world.berlin])
    f.make_project(
        world.berlin, world.other_org, [(world.partner_org, "startup"), (hidden, "partner")],
        title="Closed twin", visibility="consortium",
    )  # fmt: skip
    f.make_project(
        world.berlin, shown, [(world.partner_org, "startup")], title="Open pilot",
        visibility="network",
    )  # fmt: skip
    return hidden, shown


def _names(items) -> list[str]:
    return [s.name for s in items]


def test_reasons_name_only_projects_the_user_may_see(world, hidden_work):
    project = _loaded(world.network_project.id)
    mine = suggest.for_project(world.lead_member, project)
    by_name = {s.name: s for s in mine}
    assert "Worked with Partner Org on “Open pilot”" in by_name["Open Partner"].reasons
    # The consortium project is invisible to the lead member: no reason, no score from it.
    assert "Hidden Partner" not in by_name
    assert not any("Closed twin" in r for s in mine for r in s.reasons)
    admin = {s.name: s for s in suggest.for_project(world.admin, project)}
    assert "Worked with Partner Org on “Closed twin”" in admin["Hidden Partner"].reasons
    # Participants are never suggested.
    assert not {"Lead Org", "Partner Org"} & set(by_name)


def test_suggestions_are_deterministic_and_at_most_ten(world):
    theme = world.ai
    for i in range(14):
        f.make_org(f"Candidate {i:02d}", themes=[theme], sites=[world.lingen])
    project = _loaded(world.network_project.id)
    first = suggest.for_project(world.lead_member, project)
    second = suggest.for_project(world.lead_member, project)
    assert len(first) == 10
    assert [(s.organization_id, s.score, s.reasons) for s in first] == [
        (s.organization_id, s.score, s.reasons) for s in second
    ]
    assert [s.score for s in first] == sorted((s.score for s in first), reverse=True)
    assert "Shares themes: Artificial intelligence" in first[0].reasons
    assert "Affiliated with the Lingen site" in first[0].reasons


def test_suggestion_statements_do_not_grow_with_the_network(world, client, login):
    def statements() -> int:
        db.session.commit()
        project = _loaded(world.network_project.id)
        with count_queries() as seen:
            suggest.for_project(world.lead_member, project)
        return len(seen)

    f.make_org("First candidate", themes=[world.ai])
    few = statements()
    for i in range(30):
        org = f.make_org(f"Grown {i}", themes=[world.ai], sites=[world.lingen])
        f.make_project(world.lingen, org, [(world.partner_org, "partner")])
    assert statements() == few <= 7


def test_project_suggestions_page_and_api(app, world, client, login, hidden_work):
    login(world.lead_member)
    page = client.get(f"/projects/{world.network_project.id}/suggestions")
    assert page.status_code == 200
    assert "Open Partner" in page.text and "Closed twin" not in page.text
    token, _ = create_token(world.lead_member, "t")
    db.session.commit()
    reply = client.get(
        f"/api/v1/projects/{world.network_project.id}/suggestions",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 200
    item = reply.json["items"][0]
    assert set(item) == {"organization", "score", "reasons"}
    assert set(item["organization"]) == {"id", "name", "kind"}
    patron = app.test_client()
    login(world.patron, test_client=patron)
    assert patron.get(f"/projects/{world.network_project.id}/suggestions").status_code == 404


# --- the "done when", on the demo network -------------------------------------------


def _demo_user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _org(name: str) -> Organization:
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def test_krone_finds_it_campus_and_takes_it_as_research_partner(
    app, runner, client, login, tmp_path, monkeypatch
):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    krone, itcampus = _org("Krone Group"), _org("IT-Campus Lingen")
    project = db.session.scalar(
        sa.select(Project).where(
            Project.title == "Baler sensor data platform for contractor fleets"
        )
    )
    hydrogen = db.session.scalar(sa.select(Theme).where(Theme.slug == "green-hydrogen"))
    project_id, hydrogen_id, itcampus_id = project.id, hydrogen.id, itcampus.id
    assert project.lead_organization_id == krone.id
    db.session.commit()

    assert login("member.krone@demo.example", DEMO_PASSWORD).status_code == 302
    response = client.post(
        f"/projects/{project_id}/partner-requests/new",
        data={
            "kind": "research_institution",
            "role": "",
            "theme_ids": [hydrogen_id],
            "site_id": "",
            "description": "A research partner in green hydrogen at Lingen",
            "closes_on": (utcnow().date() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"])
    assert "IT-Campus Lingen" in page.text
    request_id = db.session.scalar(sa.select(sa.func.max(PartnerRequest.id)))
    partner_request = db.session.get(PartnerRequest, request_id)
    project = _loaded(project_id)
    krone_member = _demo_user("member.krone@demo.example")
    found = {s.name: s for s in suggest.for_request(krone_member, partner_request, project)}
    reasons = found["IT-Campus Lingen"].reasons
    assert "Shares themes: Green hydrogen" in reasons
    assert "Is a Research institution, as sought" in reasons
    assert "Affiliated with the Lingen site" in reasons
    db.session.commit()
    client.post("/logout")

    assert login("member.itcampus@demo.example", DEMO_PASSWORD).status_code == 302
    listing = client.get("/partner-requests")
    assert "A research partner in green hydrogen at Lingen" in listing.text
    answered = client.post(
        f"/partner-requests/{request_id}/interest",
        data={"message": "Our hydrogen lab models electrolysers."},
    )
    assert answered.status_code == 302
    client.post("/logout")
    interest_id = db.session.scalar(
        sa.select(PartnerInterest.id).where(PartnerInterest.partner_request_id == request_id)
    )
    told = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == krone_member.id, Notification.kind == "partner_interest"
        )
    )
    assert told == 1
    db.session.commit()

    assert login("member.krone@demo.example", DEMO_PASSWORD).status_code == 302
    assert client.post(f"/interests/{interest_id}/accept").status_code == 302
    role = db.session.scalar(
        sa.select(Participation.role).where(
            Participation.project_id == project_id, Participation.organization_id == itcampus_id
        )
    )
    assert role == "research_partner"
    itcampus_member = _demo_user("member.itcampus@demo.example")
    assert db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == itcampus_member.id, Notification.kind == "partner_added"
        )
    )
