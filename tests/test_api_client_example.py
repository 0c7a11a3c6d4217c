"""examples/api_client.py run for real against a live server, and the document it relies on.

The script learns everything from /api/v1/openapi.json, so the document must name every
operation (operationId), say what it does (summary), list its error answers and refuse
unknown body fields; the second half of this file checks that for every operation.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context

from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import GateReview, Project, User

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "api_client.py"
MEMBER = "member.krone@demo.example"  # design.md: a named demo member (Krone Group)
DEMO_PASSWORD = "demo-password-for-tests"
TITLE = "Heat pump fleet pilot from a script"
PAGE_SIZE = 7  # small pages, so the script must follow next_cursor
SCRIPT_OPERATIONS = {"listProjects", "listSites", "createProject", "requestGate"}
SCRIPT_OPERATIONS |= {"getPipelineMetrics"}
PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def demo(app, runner, tmp_path, monkeypatch):
    """The demo network, seeded by the real command (its password file kept out of instance/)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output


HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def member_token(runner, email: str) -> str:
    """A token made as an operator would: the command prints it alone on its last line."""
    result = runner.invoke(args=["create-api-token", email, "--name", "example script"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def run_script(base_url: str, token: str, **settings: str) -> subprocess.CompletedProcess:
    if has_app_context():
        db.session.remove()  # the script's writes must not wait on a transaction of this test
    env = {"PATH": os.environ.get("PATH", ""), "TRACKER_URL": base_url, "TRACKER_TOKEN": token}
    env |= settings
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120
    )


def printed_metrics(output: str) -> dict:
    return json.loads(output.split("Pipeline metrics:\n", 1)[1])


def test_the_script_lists_creates_requests_a_gate_and_reads_metrics(app, runner, demo, live_server):
    token = member_token(runner, MEMBER)
    member = db.session.scalar(sa.select(User).where(User.email == MEMBER))
    visible = permissions.visible_projects(member).with_only_columns(Project.id)
    visible_ids = set(db.session.scalars(visible))
    assert len(visible_ids) > 2 * PAGE_SIZE  # the listing spans at least three pages

    result = run_script(live_server, token, TRACKER_TITLE=TITLE, TRACKER_PAGE_SIZE=str(PAGE_SIZE))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert f"You may see {len(visible_ids)} projects:" in out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  #")]
    assert {int(number.lstrip("#")) for number in listed} == visible_ids
    assert len(listed) == len(visible_ids)  # no page read twice

    db.session.remove()
    project = db.session.scalar(sa.select(Project).where(Project.title == TITLE))
    assert project is not None, out
    assert project.lead_organization_id == member.organization_id
    assert (project.stage, project.status) == ("develop", "active")
    assert f"Created project #{project.id} " in out
    reviews = db.session.scalars(sa.select(GateReview).where(GateReview.project_id == project.id))
    review = reviews.one()
    assert (review.decision, review.from_stage, review.to_stage) == ("pending", "develop", "test")
    assert review.requested_by_id == member.id
    assert f"Requested gate #{review.id}: develop -> test, decision pending." in out

    answer = app.test_client().get(
        "/api/v1/metrics/pipeline", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    metrics = printed_metrics(out)
    assert metrics == answer.get_json()
    in_develop = db.session.scalar(
        sa.select(sa.func.count()).select_from(Project).where(Project.stage == "develop")
    )
    assert metrics["by_stage"]["develop"] == in_develop  # the new project counted


def test_an_unknown_token_is_reported_from_the_problem_document(app, world, live_server, client):
    result = run_script(live_server, "trk_not-a-real-token")
    document = client.get("/api/v1/openapi.json").get_json()
    operations = sum(
        1 for item in document["paths"].values() for key in item if key in HTTP_METHODS
    )

    assert result.returncode == 1
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith("The API answered 401 Unauthorized: ")
    assert len(first_line) > len("The API answered 401 Unauthorized: ") + 10  # a detail
    assert f"Read the API document: {operations} operations." in result.stdout
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 2


def test_a_refused_body_names_the_field_and_creates_nothing(app, runner, world, live_server):
    token = member_token(runner, world.lead_member.email)

    result = run_script(live_server, token, TRACKER_SITE="atlantis", TRACKER_TITLE=TITLE)

    assert result.returncode == 1
    assert result.stderr.startswith("The API answered 422 Unprocessable Entity: ")
    assert "atlantis" in result.stderr
    assert '"site"' in result.stderr  # the fields line names it
    db.session.remove()
    assert db.session.scalar(sa.select(Project).where(Project.title == TITLE)) is None


def test_an_unreachable_server_is_said_plainly():
    with socket.socket() as probe:  # a port nothing listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = run_script(f"http://127.0.0.1:{port}", "trk_any")

    assert result.returncode == 3
    assert result.stderr.startswith(f"Cannot reach http://127.0.0.1:{port}: ")


def test_the_script_needs_its_two_settings():
    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TRACKER_URL and TRACKER_TOKEN" in result.stderr


# --- the document the script relies on ------------------------------------------------------


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                parameters = item.get("parameters", []) + operation.get("parameters", [])
                yield f"{method.upper()} {path}", operation, parameters


def resolve(spec: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def objects_in(spec: dict, schema: dict):
    """Every object schema a body may contain: the body and its nested objects."""
    schema = resolve(spec, schema)
    if schema.get("type") == "object" or "properties" in schema:
        yield schema
        for field in schema.get("properties", {}).values():
            yield from objects_in(spec, field)
    if "items" in schema:
        yield from objects_in(spec, schema["items"])


def test_every_operation_has_a_unique_operation_id_and_a_summary(spec):
    ids = [operation.get("operationId") for _label, operation, _p in operations(spec)]
    assert len(ids) >= 19 and None not in ids
    assert len(set(ids)) == len(ids)
    assert set(ids) >= SCRIPT_OPERATIONS
    for label, operation, _parameters in operations(spec):
        assert operation.get("summary", "").strip(), label


def test_every_operation_documents_its_error_answers_as_problems(spec):
    for label, operation, parameters in operations(spec):
        expected = {"401"}
        if any(p["in"] == "path" for p in parameters):
            expected.add("404")  # a hidden or missing object
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            expected.add("422")  # a refused body or query
        responses = operation["responses"]
        assert expected <= set(responses), f"{label}: {sorted(expected - set(responses))}"
        for status in expected:
            response = responses[status]
            if "$ref" in response:  # flask-smorest's shared 422, under components
                response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
            assert PROBLEM_JSON in response["content"], f"{label} {status}"


def test_every_request_body_refuses_unknown_fields(spec):
    bodies = 0
    for label, operation, _parameters in operations(spec):
        if "requestBody" not in operation:
            continue
        bodies += 1
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        for part in objects_in(spec, schema):
            assert part.get("additionalProperties") is False, (label, part)
    assert bodies >= 7


def test_links_name_real_operations_and_their_parameters(spec):
    by_id = {operation["operationId"]: parameters for _l, operation, parameters in operations(spec)}
    links = 0
    for label, operation, _parameters in operations(spec):
        for status, response in operation["responses"].items():
            for name, link in response.get("links", {}).items():
                links += 1
                target = by_id[link["operationId"]]  # KeyError: a link to nothing
                # A name, or one qualified by its location ("header.If-Match").
                names = {p["name"] for p in target} | {f"{p['in']}.{p['name']}" for p in target}
                assert set(link["parameters"]) <= names, f"{label} {status} {name}"
    assert links >= 10
