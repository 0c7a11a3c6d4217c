"""Response headers every page carries (CSP without inline script, framing and sniffing rules),
and the refusal of input no field may hold."""

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


NUL_REFUSED = _l(
    "The request contains a NUL character (\\0), which no field accepts. Remove it and try again."
)


def _any_nul(values) -> bool:
    return any("\x00" in value for listed in values.listvalues() for value in listed)


def _holds_nul() -> bool:
    if "\x00" in request.path or _any_nul(request.args):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.is_json:
        body = request.get_data(cache=True)
        return b"\x00" in body or b"\\u0000" in body
    return _any_nul(request.form)


JSON_TYPES = {"application/json", "application/problem+json"}
DOWNLOAD_TYPES = {"text/csv", "application/pdf", "text/calendar", "application/zip"}


def _private_download(response) -> bool:
    """A file for one reader (CSV, PDF, calendar, zip, any attachment): never stored."""
    disposition = response.headers.get("Content-Disposition", "")
    return response.mimetype in DOWNLOAD_TYPES or disposition.startswith("attachment")


def init_app(app: Flask) -> None:
    from tracker import bounds

    bounds.init_app(app)

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store NUL in text and no real input holds one: refuse it up front
        # with a clear 400 instead of failing in the database with a 500.
        if _holds_nul():
            abort(400, description=NUL_REFUSED)

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if _private_download(response):
            response.headers["Cache-Control"] = "no-store"
        elif response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        elif request.path.startswith("/api/") and response.mimetype in JSON_TYPES:
            # Browsers and proxies keep nothing shared; private caches revalidate every time,
            # so ETag / If-None-Match keep working.
            response.headers.setdefault("Cache-Control", "private, no-cache")
        return response
