"""A withdrawn project leaves every count (design §16): the metrics API, the home pages' counts
and lists, "what needs me", the quarterly report; it stays reachable by its address."""

from datetime import timedelta

import pytest

from tests import factories
from tests.test_api_read import bearer
from tracker import needs
from tracker.dashboard import report
from tracker.dashboard.periods import Quarter
from tracker.extensions import db
from tracker.main import services as home
from tracker.models import GateCondition, GateReview, Nudge, Project, StageEvent, utcnow
from tracker.reviews.withdraw import withdraw

TITLE = "Withdrawn hydrogen pilot"


@pytest.fixture
def gone(world) -> Project:
    """A third project of the lead organization in test (entered this quarter), with an open
    condition and an unanswered nudge; then withdrawn by its lead."""
    now = utcnow()
    project = factories.make_project(
        world.lingen,
        world.lead_org,
        [(world.partner_org, "startup")],
        [world.ai],
        title=TITLE,
        stage="test",
        stage_entered_at=now - timedelta(days=3),
    )
    project.last_activity_at = now - timedelta(days=200)
    review = GateReview(
        project_id=project.id,
        from_stage="develop",
        to_stage="test",
        requested_by_id=world.lead_member.id,
        evidence="Prototype runs.",
        decision="conditional_go",
        reason="Needs a safety check.",
        decided_by_id=world.manager.id,
        decided_at=now - timedelta(days=3),
    )
    db.session.add(review)
    db.session.flush()
    db.session.add_all(
        [
            StageEvent(
                project_id=project.id,
                from_stage="develop",
                to_stage="test",
                from_status="active",
                to_status="active",
                at=now - timedelta(days=3),
            ),
            GateCondition(gate_review_id=review.id, project_id=project.id, text="Safety check"),
            Nudge(
                project_id=project.id,
                sent_by_id=world.manager.id,
                message="Any news?",
                created_at=now - timedelta(days=1),
            ),
        ]
    )
    db.session.commit()
    withdraw(world.lead_member, project, "Merged into another project.")
    project = db.session.get(Project, project.id)
    project.last_activity_at = now - timedelta(days=200)  # quiet for long: would be stalled
    db.session.commit()
    return project


def test_the_metrics_api_leaves_a_withdrawn_project_out(client, world, gone):
    figures = client.get("/api/v1/metrics/pipeline", headers=bearer(world.admin)).get_json()
    assert figures["total"] == 2
    assert figures["by_stage"] == {"develop": 2, "test": 0, "market": 0}
    assert figures["funnel"]["entered_develop"] == 2
    assert figures["funnel"]["reached_test"] == 0
    quarter = Quarter.containing(utcnow()).key
    this = next(q for q in figures["throughput_by_quarter"] if q["quarter"] == quarter)
    assert this["test"] == 0
    site = client.get(
        "/api/v1/metrics/pipeline?site=lingen", headers=bearer(world.admin)
    ).get_json()
    assert site["total"] == 2 and site["funnel"]["reached_test"] == 0


def test_home_pages_count_and_list_no_withdrawn_project(app, world, gone):
    with app.test_request_context():
        member = home.member_home(world.lead_member)
        assert member["counts"] == {"develop": 2, "test": 0, "market": 0}
        assert TITLE not in {p.title for p in member["projects"]}
        assert not member["needs"].open_conditions
        manager = home.manager_home(world.manager)
        assert manager["counts"] == {"develop": 2, "test": 0, "market": 0}
        assert not manager["needs"].nudges and not manager["needs"].stalled
        admin = home.admin_home(world.admin)
        assert admin["totals"]["projects"] == 2
        assert admin["counts"] == {"develop": 2, "test": 0, "market": 0}


def test_what_needs_me_leaves_a_withdrawn_project_out(app, world, gone):
    own = needs.own_projects(world.lead_member)
    assert not needs.open_conditions(own)
    managed = needs.managed_projects(world.manager)
    assert not needs.waiting_reviews(managed)
    assert not needs.manager_needs(world.manager, 60).nudges


def test_the_report_counts_no_withdrawn_project(app, world, gone):
    with app.test_request_context():
        content = report.compute(world.admin, Quarter.containing(utcnow()), None)
    assert content.headline_of("entered_test").current.value == 0
    assert {row["key"]: row["n"].value for row in content.funnel}["test"] == 0
    assert TITLE not in str(content.to_json())


def test_the_sites_pages_count_no_withdrawn_project(app, world, gone):
    from tracker.directory import services as directory

    assert directory.pipeline_by_site(world.admin)[world.lingen.id] == {
        "develop": 2,
        "test": 0,
        "market": 0,
    }
    pipeline = directory.site_pipeline(world.admin, world.lingen)
    assert pipeline["test"] == {"active": 0, "on_hold": 0, "stopped": 0}


def test_the_cooperation_network_counts_no_withdrawn_project(client, world, gone):
    from tracker.matchmaking import network

    graph = network.build(world.admin, network.NetworkFilters())
    ids = {node["name"]: node["id"] for node in graph["nodes"]}
    edges = {(e["source"], e["target"]): e["projects"] for e in graph["edges"]}
    # Lead and Partner Org share the two world projects; the withdrawn third is no cooperation.
    assert edges[tuple(sorted((ids["Lead Org"], ids["Partner Org"])))] == 2
