"""First-use hints on the home page: shown in place, tell what to do next, hidden on request."""

from datetime import timedelta

from tests import factories
from tracker.extensions import db
from tracker.models import GateReview, utcnow

FIRST_PROJECT = "Start your first cooperation project"
EMPTY_QUEUE = "No gate request waits for you"
WELCOME = "Welcome to the Innovation Tracker"


def home_of(client, login, user) -> str:
    assert login(user).status_code == 302
    response = client.get("/")
    assert response.status_code == 200  # rendered in place, never a redirect
    return response.get_data(as_text=True)


def test_member_of_an_organization_without_projects_is_invited_to_start_one(client, login, world):
    newcomer = factories.make_user("member", factories.make_org("New Org", sites=[world.lingen]))
    page = home_of(client, login, newcomer)
    assert FIRST_PROJECT in page
    assert 'href="/projects/new"' in page


def test_member_whose_organization_has_a_project_gets_no_first_project_hint(client, login, world):
    assert FIRST_PROJECT not in home_of(client, login, world.lead_member)


def test_welcome_shows_on_the_first_sign_in_only(client, login, world):
    assert WELCOME in home_of(client, login, world.patron)
    client.post("/logout")
    assert WELCOME not in home_of(client, login, world.patron)


def test_a_hidden_hint_stays_hidden_for_the_session(client, login, world):
    newcomer = factories.make_user("member", factories.make_org("New Org", sites=[world.lingen]))
    assert FIRST_PROJECT in home_of(client, login, newcomer)
    response = client.post("/hints/hide", data={"hint": "first_project"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert FIRST_PROJECT not in page
    assert "Hint hidden." in page


def test_an_unknown_hint_is_refused(client, login, world):
    login(world.lead_member)
    assert client.post("/hints/hide", data={"hint": "anything"}).status_code == 400


def test_hiding_a_hint_needs_a_signed_in_user(client):
    response = client.post("/hints/hide", data={"hint": "first_project"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_site_manager_with_an_empty_queue_is_pointed_to_the_board(client, login, world):
    page = home_of(client, login, world.manager)
    assert EMPTY_QUEUE in page and 'href="/board"' in page


def test_site_manager_with_a_waiting_request_gets_no_empty_queue_hint(client, login, world):
    db.session.add(
        GateReview(
            project_id=world.network_project.id,
            from_stage="develop",
            to_stage="test",
            evidence="ready",
            requested_at=utcnow() - timedelta(days=1),
        )
    )
    db.session.commit()
    assert EMPTY_QUEUE not in home_of(client, login, world.manager)
