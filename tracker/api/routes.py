"""The api blueprint with all its routes, and the OpenAPI document bound to the app.

The package's __init__ stays empty, so importing one of its modules does not load every
endpoint (and what they import) first."""

from flask import Flask

from tracker.api import auth, errors, integration  # noqa: F401  (hooks on bp)
from tracker.api.blueprint import bp
from tracker.api.ids import IdConverter
from tracker.api.schemas import PROBLEM_JSON, ProblemSchema
from tracker.api.views import (  # noqa: F401  (each module adds its routes to bp)
    account,
    actions,
    directory,
    downloads,
    gates,
    matchmaking,
    metrics,
    notifications,
    nudges,
    organizations,
    progress,
    project_writes,
    projects,
    review_queue,
    webhooks,
)
from tracker.extensions import api

TAGS = (
    {"name": "directory", "description": "Sites, themes and member organizations."},
    {"name": "projects", "description": "Cooperation projects, as the token's user sees them."},
    {"name": "metrics", "description": "Pipeline figures, with the dashboard's rules."},
    {"name": "gates", "description": "Gate requests, partner confirmations and decisions."},
    {"name": "account", "description": "The token's own user."},
    {"name": "webhooks", "description": "Calls to your systems when projects change."},
    {"name": "matchmaking", "description": "Partner requests, suggestions and the network."},
)
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token from /account or `flask create-api-token EMAIL`.",
}


def init_app(app: Flask) -> None:
    """Bind the OpenAPI document (public, /api/v1/openapi.json) and register the API."""
    api.ERROR_SCHEMA = ProblemSchema
    app.url_map.converters["id"] = IdConverter
    api.init_app(app, spec_kwargs={"security": [{"bearerAuth": []}]})
    api.spec.components.security_scheme("bearerAuth", BEARER)
    _document_errors_as_problems(api.spec)
    api.register_blueprint(bp)
    from tracker.api.document import install

    install(api)  # named enums, examples, servers, description (tracker/api/document.py)
    for tag in TAGS:
        api.spec.tag(tag)
    from tracker.api.docs import docs_bp

    app.register_blueprint(docs_bp)


def _document_errors_as_problems(spec) -> None:
    # flask-smorest documents its stock error responses as application/json; ours are problems.
    for response in spec.components.responses_lazy.values():
        content = response.get("content") or {}
        if "application/json" in content:
            content[PROBLEM_JSON] = content.pop("application/json")
