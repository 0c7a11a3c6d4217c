"""GET /api/v1/metrics/pipeline: shape, known answers, the patron rule, errors, OpenAPI."""

from tests import factories as f
from tests import test_metrics
from tests.test_api_read import assert_problem, bearer, get_json

URL = "/api/v1/metrics/pipeline"
net = test_metrics.net  # the hand-built network whose answers are known


def test_pipeline_metrics_match_the_hand_built_network(client, net):
    admin = f.make_user("admin", email="api-admin@example.org")
    body = get_json(client, URL, bearer(admin))
    assert body["site"] is None and body["total"] == 5
    assert body["by_stage"] == {"develop": 2, "test": 2, "market": 1}
    assert body["by_status"] == {"active": 4, "on_hold": 1, "stopped": 0}
    assert body["funnel"] == {
        "entered_develop": 5,
        "reached_test": 3,
        "reached_market": 1,
        "test_share": 0.6,
        "market_share": 0.2,
    }
    assert body["median_days_in_stage"] == {"develop": 20.0, "test": 30.0, "market": None}
    quarters = {q["quarter"]: q for q in body["throughput_by_quarter"]}
    assert len(quarters) == 8
    assert quarters[net.q1.key] == {"quarter": net.q1.key, "test": 2, "market": 0}
    assert quarters[net.q2.key] == {"quarter": net.q2.key, "test": 1, "market": 1}


def test_pipeline_metrics_for_one_site(client, net):
    admin = f.make_user("admin", email="api-admin@example.org")
    body = get_json(client, URL + "?site=berlin", bearer(admin))
    assert body["site"] == "berlin" and body["by_stage"] == {"develop": 1, "test": 0, "market": 0}


def test_patron_gets_null_for_figures_of_one_or_two_projects(client, net):
    patron = f.make_user("patron", email="api-patron@example.org")
    body = get_json(client, URL, bearer(patron))
    assert body["total"] == 5
    assert body["by_stage"] == {"develop": None, "test": None, "market": None}
    assert body["by_status"]["active"] == 4 and body["by_status"]["on_hold"] is None
    assert body["funnel"]["reached_test"] == 3 and body["funnel"]["reached_market"] is None
    assert body["median_days_in_stage"]["develop"] == 20.0
    assert body["median_days_in_stage"]["test"] is None  # one stay only
    assert get_json(client, URL + "?site=berlin", bearer(patron))["total"] is None


def test_unknown_site_is_a_404_problem(client, world):
    response = client.get(URL + "?site=atlantis", headers=bearer(world.admin))
    assert "atlantis" in assert_problem(response, 404)["detail"]


def test_pipeline_metrics_need_a_token(client, world):
    assert_problem(client.get(URL), 401)


def test_pipeline_metrics_are_in_the_openapi_document(client, world):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/metrics/pipeline"]["get"]
    schema_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert {"by_stage", "by_status", "funnel", "median_days_in_stage"} <= set(schema["properties"])
    assert "throughput_by_quarter" in schema["properties"]
