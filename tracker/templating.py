"""Template filters and globals: relative dates, can() for access rules, role labels."""

from datetime import UTC, datetime

from flask import Flask, has_request_context, request
from flask_login import current_user

from tracker.auth import permissions
from tracker.i18n import ago
from tracker.vocabulary import role_label


def days_since(value: datetime | None, now: datetime | None = None) -> int:
    if value is None:
        return 0
    return max(0, ((now or datetime.now(UTC)) - value).days)


def can(rule: str, *args) -> bool:
    """Ask an access rule of tracker/auth/permissions.py for the signed-in user, so templates
    never read roles: can("decide_gate", project) is permissions.can_decide_gate(current_user,
    project); a rule named is_… (is_admin, is_site_manager) is asked as it is named."""
    name = rule if rule.startswith("is_") else f"can_{rule}"
    return getattr(permissions, name)(current_user, *args)


# URLs kept by the templates' url_for: far more than the app's routes and files, a bound.
KEPT_URLS = 2000


def kept_url_for(app: Flask):
    """The templates' url_for, keeping the URLs that depend on nothing but the endpoint, the
    app's script root and a file name: routes without arguments (the navigation) and static
    files (their ?v= digest is fixed at start-up). Building one cost 15 µs, and every page
    builds twenty or thirty of them (issue 21). Anything else is built as before."""
    build = app.url_for
    kept: dict[tuple, str] = {}

    def url_for(endpoint: str, **values) -> str:
        if (
            endpoint.startswith(".")  # relative to the request's blueprint
            or len(values) > 1
            or (values and "filename" not in values)
            or not has_request_context()  # mails and the worker: their own server name
        ):
            return build(endpoint, **values)
        key = (request.script_root, endpoint, values.get("filename"))
        url = kept.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(kept) < KEPT_URLS:
                kept[key] = url
        return url

    return url_for


def init_app(app: Flask) -> None:
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["days_since"] = days_since
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["url_for"] = kept_url_for(app)
    app.jinja_env.globals["role_label"] = role_label
