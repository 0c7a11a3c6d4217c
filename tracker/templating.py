"""Template filters and globals: relative dates, can() for access rules, role labels."""

from datetime import UTC, datetime

from flask import Flask
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


def init_app(app: Flask) -> None:
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["days_since"] = days_since
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["role_label"] = role_label
