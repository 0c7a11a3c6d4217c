"""The OpenAPI document and the browsable docs: public, complete, and under the page CSP."""

import re

import pytest

from tracker.security import CSP

# design.md §7, plus organizations create/update, gate request detail and updates.
ENDPOINTS = {
    ("get", "/api/v1/sites"),
    ("get", "/api/v1/themes"),
    ("get", "/api/v1/organizations"),
    ("post", "/api/v1/organizations"),
    ("get", "/api/v1/organizations/{organization_id}"),
    ("patch", "/api/v1/organizations/{organization_id}"),
    ("get", "/api/v1/projects"),
    ("post", "/api/v1/projects"),
    ("get", "/api/v1/projects/{project_id}"),
    ("patch", "/api/v1/projects/{project_id}"),
    ("post", "/api/v1/projects/{project_id}/gate-requests"),
    ("get", "/api/v1/projects/{project_id}/history"),
    ("get", "/api/v1/projects/{project_id}/updates"),
    ("post", "/api/v1/projects/{project_id}/updates"),
    ("get", "/api/v1/gate-requests"),
    ("get", "/api/v1/gate-requests/{review_id}"),
    ("post", "/api/v1/gate-requests/{review_id}/confirmations"),
    ("post", "/api/v1/gate-requests/{review_id}/decision"),
    ("get", "/api/v1/metrics/pipeline"),
}


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")  # no token: the document is public
    assert response.status_code == 200
    return response.get_json()


def component(spec: dict, ref: str) -> dict:
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def body_schema(spec: dict, method: str, path: str) -> dict:
    content = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
    return component(spec, content["schema"]["$ref"])


def test_the_document_lists_every_endpoint(spec):
    assert spec["openapi"].startswith("3.")
    found = {(method, path) for path, item in spec["paths"].items() for method in item}
    missing = ENDPOINTS - found
    assert not missing


def test_request_bodies_are_strict_and_bounded(spec):
    create = body_schema(spec, "post", "/api/v1/projects")
    assert create["additionalProperties"] is False
    assert set(create["required"]) == {"title", "site"}
    assert create["properties"]["title"]["maxLength"] == 200
    # Allowed values are named components, shared by every field that takes them.
    enums = spec["components"]["schemas"]
    assert create["properties"]["kind"]["$ref"] == "#/components/schemas/ProjectKind"
    assert enums["ProjectKind"]["enum"] == ["strategy", "product", "service"]
    decision = body_schema(spec, "post", "/api/v1/gate-requests/{review_id}/decision")
    assert decision["properties"]["decision"]["$ref"] == "#/components/schemas/Decision"
    assert enums["Decision"]["enum"] == [
        "go", "conditional_go", "recycle", "hold", "stop"
    ]  # fmt: skip
    assert body_schema(spec, "post", "/api/v1/organizations")["additionalProperties"] is False


def test_patch_documents_versions_conflicts_and_if_match(spec):
    patch = spec["paths"]["/api/v1/projects/{project_id}"]["patch"]
    assert {"200", "401", "403", "404", "409", "422", "428"} <= set(patch["responses"])
    assert "application/problem+json" in patch["responses"]["409"]["content"]
    assert any(p["in"] == "header" and p["name"] == "If-Match" for p in patch["parameters"])
    assert "version" in body_schema(spec, "patch", "/api/v1/projects/{project_id}")["properties"]
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"current_version", "changes", "errors"} <= set(problem)


def test_answers_with_one_object_document_its_etag_for_if_match(spec):
    for path in ("/api/v1/projects/{project_id}", "/api/v1/organizations/{organization_id}"):
        for method in ("get", "patch"):
            assert "ETag" in spec["paths"][path][method]["responses"]["200"]["headers"], path
    for path in ("/api/v1/projects", "/api/v1/organizations"):
        created = spec["paths"][path]["post"]["responses"]["201"]["headers"]
        assert {"ETag", "Location"} <= set(created), path


def test_path_ids_are_bounded_integers(spec):
    parameters = spec["paths"]["/api/v1/projects/{project_id}"]["parameters"]
    assert parameters[0]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def test_the_docs_page_is_public_and_keeps_the_page_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CSP
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)  # nothing inline
    assert "style=" not in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    assert "https://" not in html  # no CDN


def test_swagger_ui_is_served_from_the_installed_package(client):
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.data
        assert bundle.headers["Cache-Control"] == "public, max-age=86400"
    with client.get("/api/v1/docs/assets/swagger-ui.css") as css:
        assert css.mimetype == "text/css"
    assert client.get("/api/v1/docs/assets/oauth2-redirect.html").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2f__init__.py").status_code == 404
    with client.get("/static/js/api-docs.js") as script:
        assert script.status_code == 200
