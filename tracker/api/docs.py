"""Browsable API docs at /api/v1/docs: Swagger UI from the installed flask-swagger-ui package,
and a page per problem type at /api/v1/problems/<kind> (the `type` URI of the API's problem
documents, design §13).

Public like the OpenAPI document. Our own page and script replace the package's index
page, whose inline script the Content-Security-Policy forbids.
"""

from importlib.resources import files

from flask import Blueprint, abort, jsonify, render_template, request, send_from_directory

from tracker.api import problems

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

# Only what the page loads; nothing else of the package is served.
ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}
ONE_DAY = 24 * 3600


def assets_directory() -> str:
    return str(files("flask_swagger_ui") / "dist")


@docs_bp.get("/docs")
def index():
    return render_template("api/docs.html")


@docs_bp.get("/problems/<kind>")
def problem_type(kind: str):
    """What a problem kind means, for people (HTML) and programs (JSON when Accept prefers
    it): its type URI, title, statuses and description. Public; an unknown kind is 404."""
    if kind not in problems.PROBLEM_KINDS:
        abort(404)
    about = {
        "type": problems.type_uri(kind),
        "kind": kind,
        "title": problems.kind_title(kind),
        "statuses": problems.kind_statuses(kind),
        "description": problems.PROBLEM_KINDS[kind],
    }
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best == "application/json":
        response = jsonify(about)
    else:
        response = render_template(
            "api/problem.html", about=about, kinds=sorted(problems.PROBLEM_KINDS)
        )
    return response, 200, {"Cache-Control": "public, max-age=3600", "Vary": "Accept"}


@docs_bp.get("/docs/assets/<name>")
def asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(assets_directory(), name, max_age=ONE_DAY)
