"""Every registered route answers each role as tests/route_table.py says."""

import re
from datetime import timedelta

import pytest

from tests.route_table import ROLES, TABLE
from tracker import create_app
from tracker.auth.tokens import create_token
from tracker.extensions import db
from tracker.models import (
    GateCondition,
    GateReview,
    Milestone,
    Notification,
    PartnerInterest,
    PartnerRequest,
    StageCriterion,
    Update,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from tracker.models.outbox import OutboxMessage

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def registered_routes() -> set[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_route_has_an_entry_in_the_table():
    missing = sorted(registered_routes() - TABLE.keys())
    assert not missing, "add these routes to tests/route_table.py: " + ", ".join(missing)


def test_the_table_names_no_route_that_does_not_exist():
    stale = sorted(TABLE.keys() - registered_routes())
    assert not stale, "routes gone, remove from tests/route_table.py: " + ", ".join(stale)


def _cases():
    for key, expected in sorted(TABLE.items()):
        if isinstance(expected, dict):
            for variant, letters in expected.items():
                yield pytest.param(key, variant, letters, id=f"{key} [{variant}]")
        else:
            yield pytest.param(key, "network", expected, id=key)


class Objects:
    """The objects a route's placeholders point at, for one project variant."""

    def __init__(self, world, variant: str):
        project = world.network_project if variant == "network" else world.consortium_project
        now = utcnow()
        criterion = StageCriterion(stage="develop", title="Data-sharing agreement signed")
        milestone = Milestone(project_id=project.id, title="Pilot plan")
        pending = GateReview(
            project_id=project.id,
            from_stage="develop",
            to_stage="test",
            evidence="ready",
            requested_at=now - timedelta(days=2),
        )
        earlier = GateReview(
            project_id=project.id,
            from_stage="develop",
            to_stage="test",
            evidence="first try",
            decision="conditional_go",
            reason="ok",
            requested_at=now - timedelta(days=30),
            decided_at=now,
        )
        db.session.add_all([criterion, milestone, pending, earlier])
        db.session.flush()
        condition = GateCondition(
            gate_review_id=earlier.id, project_id=project.id, text="Name a data protection officer"
        )
        note = Notification(
            user_id=world.lead_member.id, kind="test", message="hello", project_id=project.id
        )
        wanted = PartnerRequest(
            project_id=project.id,
            kind="member_company",
            role="partner",
            description="A pilot customer",
            closes_on=(now + timedelta(days=30)).date(),
            status="open",
        )
        update = Update(project_id=project.id, author_id=world.lead_member.id, body="Kick-off")
        db.session.add_all([condition, note, wanted, update])
        db.session.flush()
        interest = PartnerInterest(
            partner_request_id=wanted.id,
            organization_id=world.other_org.id,
            message="We pilot",
            status="pending",
        )
        db.session.add(interest)
        delivery = OutboxMessage(
            channel="email", event="invitation", template="invitation", state="failed"
        )
        db.session.add(delivery)
        hook = Webhook(
            user_id=world.lead_member.id,
            url="https://example.org/hook",
            events=["update.posted"],
            secret="s" * 32,
        )
        db.session.add(hook)
        db.session.flush()
        sent = WebhookDelivery(
            uuid="00000000-0000-4000-8000-000000000000",
            webhook_id=hook.id,
            event="update.posted",
            body="{}",
            state="delivered",
        )
        db.session.add(sent)
        db.session.commit()
        _, token = create_token(world.lead_member, "kept")
        self.values = {
            "project_id": project.id,
            "criterion_id": criterion.id,
            "milestone_id": milestone.id,
            "review_id": pending.id,
            "condition_id": condition.id,
            "notification_id": note.id,
            "update_id": update.id,
            "webhook_id": hook.id,
            "webhook_delivery_id": sent.id,
            "request_id": wanted.id,
            "interest_id": interest.id,
            "delivery_id": delivery.id,
            "organization_id": world.lead_org.id,
            "user_id": world.partner_member.id,
            "site_id": world.lingen.id,
            "theme_id": world.ai.id,
            "slug": "lingen",
            "stage": "develop",
            "token": "not-a-real-link-token",
            "token_id": token.id,
            "name": "swagger-ui.css",
            "kind": "stale-version",
            "path:filename": "css/tracker.css",
        }
        self.static = {"/bootstrap/static/": "css/bootstrap.min.css", "/assets/": "icons.svg"}

    def url(self, rule: str) -> str:
        def fill(match):
            name = (
                match.group(1).split(":")[-1] if "path:" not in match.group(1) else "path:filename"
            )
            for prefix, filename in self.static.items():
                if name == "path:filename" and rule.startswith(prefix):
                    return filename
            return str(self.values[name])

        return re.sub(r"<([^>]+)>", fill, rule)


def _outcome(response, api: bool) -> str:
    """L when sent to sign in: 401 on the API, a redirect to /login?next=… on pages."""
    status = response.status_code
    assert status < 500, f"server error {status}"
    location = response.headers.get("Location", "")
    if status == 401 or (status in (302, 303) and "/login?next=" in location and not api):
        return "L"
    return {403: "F", 404: "H"}.get(status, "K")


@pytest.mark.parametrize(("route", "variant", "letters"), list(_cases()))
def test_route_answers_each_role_as_the_table_says(
    app, backend, world, login, route, variant, letters
):
    if backend != "sqlite":
        pytest.skip("the access table runs once, on SQLite")
    method, rule = route.split(" ", 1)
    objects = Objects(world, variant)
    url = objects.url(rule)
    api = rule.startswith("/api/v1") and not rule.endswith("openapi.json")
    got = []
    for role in ROLES:
        client = app.test_client()
        headers = {}
        if role != "anonymous":
            user = world.user(role)
            if api:
                token, _ = create_token(user, "route table")
                headers["Authorization"] = f"Bearer {token}"
            else:
                assert login(user, test_client=client).status_code == 302
        body = {"json": {}} if api and method in ("POST", "PATCH") else {"data": {}}
        response = client.open(url, method=method, headers=headers, **body)
        outcome = _outcome(response, api)
        response.close()
        if outcome == "K" and response.status_code == 200:
            outcome = "P" if letters[ROLES.index(role)] == "P" else "K"
        got.append(outcome)
    assert "".join(got) == letters, f"{route} [{variant}] roles {ROLES}"
