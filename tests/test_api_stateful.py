"""Stateful property test: schemathesis follows the document's OpenAPI links as a member with
a token (create a project, read it, change it with the version it read, request its gate)
and checks every answer against the document: no server error, documented statuses and
bodies, a created project readable at once, no request accepted without the token."""

import itertools
from collections import Counter

import pytest
import schemathesis
import sqlalchemy as sa
from flask import request, request_started
from hypothesis import HealthCheck, settings

from tests.test_api_schemathesis import ACCEPTED_REFUSALS, NO_CONSTANTS
from tracker.auth.tokens import create_token
from tracker.extensions import db

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")

# The project workflow the links describe. Without the gate request's own links
# (getGateRequest, confirmGateRequest: checked in tests/test_api_client_example.py) the
# requests that start a scenario are createProject, getProject and updateProject: with
# them, schemathesis would start only from requestGate with made-up project ids, because
# its heuristics doubt that createProject can succeed (no operation "produces" the
# LeadOrganization its lead_organization_id names).
WORKFLOW = ["createProject", "getProject", "updateProject", "requestGate"]
CONFIG = {
    "analysis": NO_CONSTANTS,  # the same walk whatever the process loaded before (see there)
    "generation": {
        "allow-extra-parameters": False,
        "with-security-parameters": False,
        # Every request with a NUL character is refused up front (400, tracker/security.py),
        # which the document does not say of its string fields.
        "allow-x00": False,
    },
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_REFUSALS}},
    "phases": {
        "stateful": {
            # Only the links the document declares, no transitions guessed from names; valid
            # requests only (the stateless test also sends invalid ones).
            "inference": {"algorithms": []},
            "generation": {"mode": "positive"},
            "max-steps": 6,
        },
    },
}
SCENARIOS = settings(
    max_examples=15,
    stateful_step_count=6,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_schema(app, backend, world):
    if backend != "sqlite":
        pytest.skip("the generated requests do not depend on the database; SQLite suffices")
    return _schema(app, world.lead_member, WORKFLOW)


def _schema(app, user, operations: list[str]):
    """The API's schema, with a token of user's, narrowed to the operations."""
    token, _row = create_token(user, "stateful")
    # The token as configured auth: the ignored_auth check then also sends each successful
    # request without it and with a wrong one, expecting 401.
    auth = {
        "headers": {"Authorization": f"Bearer {token}"},
        # Also as the scheme's credentials: with a header parameter of their own (every POST's
        # Idempotency-Key) schemathesis takes a header-only token for a generated one.
        "auth": {"openapi": {"bearerAuth": {"bearer": token}}},
    }
    config = schemathesis.Config.from_dict(CONFIG | auth)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    return schema.include(operation_id=operations)


def _real_names(body: dict, sites, world) -> None:
    """A generated body with real site and theme slugs and no made-up partners (422)."""
    if "site" in body:
        body["site"] = next(sites)
    if "themes" in body:
        body["themes"] = [world.ai.slug] if body["themes"] else []
    body.pop("partners", None)  # made-up organization ids: 422


def _forget_scenario(world) -> None:
    """What a scenario made goes, so that each starts from the same data and the same choices
    take the same path (else Hypothesis finds its generation flaky, and a later scenario meets
    an earlier one's pending gate request)."""
    from tracker.models import GateReview, IdempotencyKey, Project

    kept = [world.network_project.id, world.consortium_project.id]
    db.session.rollback()
    db.session.execute(sa.delete(Project).where(Project.id.not_in(kept)))
    db.session.execute(sa.delete(GateReview).where(GateReview.project_id.in_(kept)))
    db.session.execute(sa.delete(IdempotencyKey))
    db.session.commit()


def test_the_project_workflow_follows_its_links_as_documented(api_schema, world):
    # Slugs are data, not schema: a made-up site or theme answers 422 and ends the scenario
    # before its links, so bodies name real ones, as a client would after GET /sites.
    sites = itertools.cycle([world.lingen.slug, world.berlin.slug])
    answers = Counter()

    class Workflow(api_schema.as_state_machine()):
        def before_call(self, case):
            if isinstance(case.body, dict):
                _real_names(case.body, sites, world)
                case.body.pop("lead_organization_id", None)  # a member leads with their own

        def after_call(self, response, case):
            answers[f"{case.operation.label} {response.status_code}"] += 1

        def teardown(self):
            _forget_scenario(world)

    ours = api_schema.config.headers["Authorization"]
    sent_tokens = Counter()  # True: our token; False: none, or a made-up one

    def count_token(sender, **extra):
        sent_tokens[request.headers.get("Authorization") == ours] += 1

    wanted = (
        "POST /api/v1/projects 201",
        "GET /api/v1/projects/{project_id} 200",
        "PATCH /api/v1/projects/{project_id} 200",
        "POST /api/v1/projects/{project_id}/gate-requests 201",
    )
    request_started.connect(count_token, weak=False)
    try:
        # The walk is derandomized, but which step it takes next depends on earlier answers
        # (ids, dates checked against today), and in two full CI runs it never reached a linked
        # PATCH that answered 200 (it passes alone, in CI's order and under xdist: the cause of
        # the difference is not found). Longer walks, until each wanted answer came, at most 3.
        for steps in (10, 14, 20):
            Workflow.run(settings=settings(SCENARIOS, stateful_step_count=steps))
            if all(answers[answer] for answer in wanted):
                break
    finally:
        request_started.disconnect(count_token)

    # The links were followed: projects created, then read, changed and put to a gate.
    for answer in wanted:
        assert answers[answer] > 0, sorted(answers.items())
    assert not any(key.endswith((" 500", " 400")) for key in answers), answers
    # The ignored_auth check sent successful requests again without the token or with a
    # wrong one (and they were refused, or the run would have failed).
    assert sent_tokens[False] > 0, sent_tokens


# The page actions the links lead to (design §13), walked by an admin, who may take each step
# (decide, hold, close conditions) on projects it creates for the lead organization.
ACTIONS = [
    *WORKFLOW,
    "listCriteria",
    "tickCriterion",
    "untickCriterion",
    "listMilestones",
    "createMilestone",
    "getMilestone",
    "updateMilestone",
    "deleteMilestone",
    "createProjectUpdate",
    "listProjectUpdates",
    "editUpdate",
    "deleteUpdate",
    "changeProjectStatus",
    "getGateRequest",
    "decideGateRequest",
    "listConditions",
    "completeCondition",
    "reopenCondition",
]


@pytest.fixture
def admin_schema(app, backend, world):
    if backend != "sqlite":
        pytest.skip("the generated requests do not depend on the database; SQLite suffices")
    from tracker.extensions import db
    from tracker.models import StageCriterion

    db.session.add_all(  # network default exit criteria, so a new project has some to tick
        [
            StageCriterion(stage="develop", title="Data-sharing agreement signed"),
            StageCriterion(stage="develop", title="Pilot customer named"),
            StageCriterion(stage="test", title="Pilot evaluated"),
        ]
    )
    db.session.commit()
    return _schema(app, world.admin, ACTIONS)


def _only_root(label: str):
    """Scenarios start at this operation alone. Schemathesis would start them at every POST
    with links onwards (ticking, completing a condition, deciding: all with made-up ids, so
    404) and leave createProject out (no operation produces its lead_organization_id)."""
    from schemathesis.specs.openapi import stateful

    def classify(operations, transitions, graph):
        roots = stateful.RootTransitions()
        roots.reliable.add(label)
        return roots

    return classify


def test_the_page_actions_follow_their_links_as_documented(admin_schema, world, monkeypatch):
    sites = itertools.cycle([world.lingen.slug, world.berlin.slug])
    answers = Counter()
    monkeypatch.setattr(
        "schemathesis.specs.openapi.stateful.classify_root_transitions",
        _only_root("POST /api/v1/projects"),
    )

    class Actions(admin_schema.as_state_machine()):
        def before_call(self, case):
            if isinstance(case.body, dict):
                _real_names(case.body, sites, world)
                if case.operation.label == "POST /api/v1/projects":
                    case.body["lead_organization_id"] = world.lead_org.id  # admins name it

        def after_call(self, response, case):
            answers[f"{case.operation.label} {response.status_code}"] += 1

        def teardown(self):
            _forget_scenario(world)

    # Longer scenarios: a decision's conditions are four links from a new project.
    Actions.run(settings=settings(SCENARIOS, max_examples=25, stateful_step_count=8))
    reached = {key.rsplit(" ", 1)[0] for key, n in answers.items() if key[-3] == "2"}
    # The links were walked (which ones varies: schemathesis learns which links pay off).
    assert {
        "POST /api/v1/projects",
        "GET /api/v1/projects/{project_id}/criteria",
        "POST /api/v1/projects/{project_id}/status",
        "POST /api/v1/projects/{project_id}/gate-requests",
    } <= reached, answers
    assert len(reached) >= 10, answers
    assert not any(key.endswith((" 500", " 400")) for key in answers), answers
