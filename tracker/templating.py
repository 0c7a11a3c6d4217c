"""Template filters and globals: relative dates, endpoint checks."""

from datetime import UTC, datetime

from flask import Flask, current_app

from tracker.i18n import ago


def days_since(value: datetime | None, now: datetime | None = None) -> int:
    if value is None:
        return 0
    return max(0, ((now or datetime.now(UTC)) - value).days)


def url_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def init_app(app: Flask) -> None:
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["days_since"] = days_since
    app.jinja_env.globals["url_exists"] = url_exists
