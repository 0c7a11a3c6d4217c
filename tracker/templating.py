"""Template filters and globals: relative dates, endpoint checks."""

from datetime import UTC, date, datetime

from flask import Flask, current_app


def ago(value: datetime | date | None, now: datetime | None = None) -> str:
    """'3 days ago', 'in 2 weeks', 'just now'."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = int((now - value).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (
        ("year", 31536000),
        ("month", 2592000),
        ("week", 604800),
        ("day", 86400),
        ("hour", 3600),
        ("minute", 60),
    ):
        if seconds >= size:
            count = seconds // size
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


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
