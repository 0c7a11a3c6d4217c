"""The app in bench mode: a bare route, an empty page and an X-Query-Count header.

    gunicorn bench.wsgi_bench:app

Only the benches (run.py, load.py, demo_pages.py) serve this module; wsgi.py never adds these.
"""

import sqlalchemy as sa
from flask import Flask, Response, g, has_request_context, render_template
from flask_login import login_required

from tracker import create_app
from tracker.extensions import db

# Transaction control and connection set-up are not queries a page asks for.
NOT_QUERIES = ("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


def bench_app() -> Flask:
    app = create_app()

    @app.get("/bench/bare")
    def bare() -> Response:
        # No database, no template: the floor every page is measured against.
        return Response("ok", mimetype="text/plain")

    # The full layout and nothing in it, signed in: what every page costs before its own
    # content (session and user, navigation, translations, the base template). Compiled once,
    # as the app's own templates are.
    empty = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}{% endblock %}')

    @app.get("/bench/page")
    @login_required
    def empty_page() -> str:
        return render_template(empty)

    with app.app_context():

        @sa.event.listens_for(db.engine, "before_cursor_execute")
        def count(conn, cursor, statement, parameters, context, executemany):
            if has_request_context() and not statement.lstrip().upper().startswith(NOT_QUERIES):
                g.bench_queries = g.get("bench_queries", 0) + 1

    @app.after_request
    def query_count_header(response: Response) -> Response:
        response.headers["X-Query-Count"] = str(g.get("bench_queries", 0))
        return response

    return app


app = bench_app()
