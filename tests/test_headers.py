"""Security headers, HSTS over HTTPS and behind a proxy, cookie flags, pages without inline code."""

import re

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEvent


def directives(csp: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in csp.split(";") if d.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize(
    "path", ["/login", "/healthz", "/api/v1/sites", "/api/v1/openapi.json", "/no/such/page"]
)
def test_pages_json_and_errors_carry_a_strict_policy(client, path):
    response = client.get(path)
    csp = directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]  # no inline style="" either
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_hsts_over_https(client):
    hsts = client.get("/login", base_url="https://tracker.example").headers
    assert hsts["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.fixture
def proxied_app(fresh_app, tmp_path):
    """An app behind one proxy, with Secure cookies, on a database of its own."""
    app = fresh_app(
        {
            "TESTING": True,
            "SECRET_KEY": "proxy-test",
            "WTF_CSRF_ENABLED": False,
            "TRACKER_PROXY_FIX": 1,
            "SESSION_COOKIE_SECURE": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.db'}",
        }
    )
    with app.app_context():
        db.create_all()
        yield app


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_behind_a_trusted_proxy_https_is_recognised(proxied_app):
    client = proxied_app.test_client()
    assert "Strict-Transport-Security" in client.get("/login", headers=FORWARDED).headers
    redirect = client.get("/", headers=FORWARDED)
    assert redirect.status_code == 302
    assert "Strict-Transport-Security" in redirect.headers


def test_behind_a_trusted_proxy_sign_in_records_the_client_address_and_sets_a_secure_cookie(
    proxied_app,
):
    user = factories.make_user("patron", email="patron@example.org")
    response = proxied_app.test_client().post(
        "/login",
        data={"email": user.email, "password": factories.PASSWORD},
        headers=FORWARDED,
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "sign_in"))
    assert event.changes == {"ip": "203.0.113.7"}


def test_without_proxy_fix_forwarded_headers_are_ignored(client):
    response = client.get("/login", headers=FORWARDED)
    assert "Strict-Transport-Security" not in response.headers


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/account",
        "/account/two-factor/setup",
        "/admin/security",
        "/admin/users",
        "/projects",
        "/board",
    ],
)
def test_pages_have_no_inline_script_style_or_handlers(client, login, world, path):
    login(world.admin)
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
        assert not pattern.search(html), pattern.search(html).group(0)
