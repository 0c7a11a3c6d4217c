"""Error pages for people, problem documents for programs, error ids in the log, headers."""

import logging
import re

import pytest

from tests import factories

SECRET_DETAIL = "connection string postgresql://admin:hunter2@db"


@pytest.fixture
def broken_app(fresh_app):
    """An app with a view that fails, as an unexpected bug would."""
    app = fresh_app({"WTF_CSRF_ENABLED": False})

    @app.route("/boom")
    def boom():
        raise ValueError(SECRET_DETAIL)

    return app


@pytest.fixture
def app_without_database(fresh_app, tmp_path):
    missing = tmp_path / "no-such-folder" / "tracker.db"
    return fresh_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}", "WTF_CSRF_ENABLED": False})


def error_id_in(html: str) -> str:
    match = re.search(r"<code>([0-9a-f]{12})</code>", html)
    assert match, "page shows no error id"
    return match.group(1)


def test_an_unknown_page_answers_404_in_html_for_a_signed_in_person(client, login):
    user = factories.make_user("admin")
    login(user)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert user.display_name in page  # the usual navigation is there to find the way back


def test_an_unknown_page_answers_a_problem_document_to_json_callers(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["detail"]


def test_a_bug_shows_an_error_id_that_is_also_in_the_log(broken_app, caplog):
    caplog.set_level(logging.ERROR, logger="tracker.errors")
    response = broken_app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    error_id = error_id_in(page)
    assert SECRET_DETAIL not in page and "Traceback" not in page
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged, caplog.text
    assert logged[0].exc_info is not None  # the traceback is in the log, not on the page
    assert "/boom" in logged[0].getMessage()


def test_a_bug_answers_json_callers_with_the_error_id(broken_app, caplog):
    caplog.set_level(logging.ERROR, logger="tracker.errors")
    response = broken_app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 500
    assert body["error_id"] in caplog.text
    assert SECRET_DETAIL not in response.get_data(as_text=True)


def test_healthz_answers_503_when_the_database_is_unreachable(app_without_database):
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_a_page_that_needs_the_missing_database_answers_503_with_an_error_id(
    app_without_database, caplog
):
    caplog.set_level(logging.ERROR, logger="tracker.errors")
    response = app_without_database.test_client().post(
        "/login", data={"email": "someone@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "temporarily unavailable" in page
    assert error_id_in(page) in caplog.text
    assert "no-such-folder" not in page


def test_a_wrong_method_says_which_methods_are_allowed(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.mimetype == "text/html"


def test_a_body_over_one_megabyte_is_refused(client):
    response = client.post("/login", data={"email": "x" * (1024 * 1024 + 1), "password": "y"})
    assert response.status_code == 413


# --- headers --------------------------------------------------------------------------------


def directives(csp: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in csp.split(";") if d.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/login", 200),
        ("GET", "/healthz", 200),
        ("GET", "/", 302),
        ("GET", "/no/such/page", 404),
        ("GET", "/logout", 405),
        ("POST", "/login", 200),
        ("GET", "/static/css/tracker.css", 200),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path, status):
    response = client.open(path, method=method)
    response.close()  # static files are streamed from an open file
    assert response.status_code == status
    csp = directives(response.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_are_not_cached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
