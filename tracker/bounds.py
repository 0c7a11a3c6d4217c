"""Bounds on what a request may carry, checked before any view: every failure is a clear
4xx (a problem document on the API), never a 500 from the database or the parser.

- ids in paths (<int:...>) beyond the 32-bit range of the database's keys match no row (404);
- page numbers and id-like query arguments (page, org, organization, *_id) beyond that range:
  404 (no such page or row); the API's schemas bound their own (422);
- JSON bodies nested deeper than MAX_JSON_DEPTH, or holding a lone UTF-16 surrogate (which no
  database text column can store): 400;
- request lines and headers over MAX_URL / MAX_HEADER: 414 / 431. gunicorn.conf.py raises
  gunicorn's own limits so that these answers, not gunicorn's plain-text ones, reach clients.
"""

import json

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestHeaderFieldsTooLarge, RequestURITooLarge
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # integer keys on PostgreSQL; SQLite's are wider, the rule is the same
MAX_JSON_DEPTH = 32
MAX_URL = 8190
MAX_HEADER = 8190
MAX_HEADERS_TOTAL = 65536
ID_ARGS = {"page", "org", "organization"}

TOO_DEEP = _l("The JSON body is nested more than %(depth)s levels deep.")
SURROGATE = _l(
    "The JSON body holds a lone surrogate (\\ud800 to \\udfff without its pair), which is "
    "not a character. Send the text as UTF-8."
)
LONG_NUMBER = _l("A number in the JSON body has more than %(digits)s digits.")
MAX_DIGITS = 30
BAD_NUMBER = _l("“%(name)s” must be a number from 1 to %(max)s.")


class BoundedIntConverter(IntegerConverter):
    """`<int:name>` for ids and numbers in paths: up to 30 digits; beyond MAX_ID it becomes 0,
    which no row has, so the view answers 404 as for any missing id."""

    regex = r"\d{1,30}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0


def init_converters(app: Flask) -> None:
    """Before the blueprints: rules pick their converters when they are added."""
    app.url_map.converters["int"] = BoundedIntConverter


def _id_like(name: str) -> bool:
    return name in ID_ARGS or name.endswith("_id")


def _too_big(value: str) -> bool:
    text = value.strip()
    return text.isdigit() and (len(text) > 10 or int(text) > MAX_ID)


def json_problem(data: bytes) -> str | None:
    """Why a JSON body is refused (too deep, lone surrogate), or None. Bodies that are not
    valid JSON at all are left to the views, which say so."""
    try:
        document = json.loads(data, parse_int=_bounded_int)
    except RecursionError:
        return str(TOO_DEEP % {"depth": MAX_JSON_DEPTH})
    except _TooManyDigits:
        return str(LONG_NUMBER % {"digits": MAX_DIGITS})
    except ValueError:
        return None
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return str(TOO_DEEP % {"depth": MAX_JSON_DEPTH})
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and _lone_surrogate(key):
                    return str(SURROGATE)
                stack.append((item, depth + 1))
        elif isinstance(value, str) and _lone_surrogate(value):
            return str(SURROGATE)
    return None


class _TooManyDigits(ValueError):
    pass


def _bounded_int(text: str) -> int:
    """Integers of any sensible size; thousands of digits would fail in every parser after."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _TooManyDigits(text[:10])
    return int(text)


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def check_bounds():
        raw = request.environ.get("RAW_URI") or request.full_path
        if len(raw) > MAX_URL:
            raise RequestURITooLarge()
        sizes = [len(name) + len(value) for name, value in request.headers.items()]
        if sizes and (max(sizes) > MAX_HEADER or sum(sizes) > MAX_HEADERS_TOTAL):
            raise RequestHeaderFieldsTooLarge()
        for name, value in request.args.items(multi=True):
            if _id_like(name) and _too_big(value):
                if request.path.startswith("/api/"):
                    abort(422, description=str(BAD_NUMBER % {"name": name, "max": MAX_ID}))
                abort(404)
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and (
            request.is_json or request.path.startswith("/api/")
        ):
            problem = json_problem(request.get_data(cache=True))
            if problem:
                abort(400, description=problem)
