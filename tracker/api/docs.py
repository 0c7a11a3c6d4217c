"""Browsable API docs at /api/v1/docs: Swagger UI from the installed flask-swagger-ui package.

Public like the OpenAPI document. Our own page and script replace the package's index
page, whose inline script the Content-Security-Policy forbids.
"""

from importlib.resources import files

from flask import Blueprint, abort, render_template, send_from_directory

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")

# Only what the page loads; nothing else of the package is served.
ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}
ONE_DAY = 24 * 3600


def assets_directory() -> str:
    return str(files("flask_swagger_ui") / "dist")


@docs_bp.get("")
def index():
    return render_template("api/docs.html")


@docs_bp.get("/assets/<name>")
def asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(assets_directory(), name, max_age=ONE_DAY)
