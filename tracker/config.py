"""Settings: defaults, then TRACKER_*, DATABASE_URL, SECRET_KEY, REDIS_URL from the environment."""

import os
import secrets
from pathlib import Path


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip().isdigit() else default


def from_environment(instance_path: str) -> dict:
    """Read every setting the app knows from the environment, with safe defaults."""
    production = os.environ.get("TRACKER_ENV", "development") == "production"
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "tracker.db")
    )
    return {
        "TRACKER_ENV": "production" if production else "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "SESSION_COOKIE_SECURE": production or _flag("TRACKER_SECURE_COOKIES"),
        "REMEMBER_COOKIE_SECURE": production or _flag("TRACKER_SECURE_COOKIES"),
        "TRACKER_STALLED_DAYS": _int("TRACKER_STALLED_DAYS", 60),
        "TRACKER_SMTP_URL": os.environ.get("TRACKER_SMTP_URL"),
        "TRACKER_MAIL_FROM": os.environ.get("TRACKER_MAIL_FROM", "tracker@localhost"),
        "TRACKER_LOGIN_LIMIT": os.environ.get("TRACKER_LOGIN_LIMIT", "100 per 15 minutes"),
        "TRACKER_API_LIMIT": os.environ.get("TRACKER_API_LIMIT", "600 per minute"),
        "TRACKER_LOCKOUT_THRESHOLD": _int("TRACKER_LOCKOUT_THRESHOLD", 10),
        "TRACKER_LOCKOUT_MINUTES": _int("TRACKER_LOCKOUT_MINUTES", 15),
        "TRACKER_LINK_HOURS": _int("TRACKER_LINK_HOURS", 72),
        "TRACKER_DEMO_PASSWORD": os.environ.get("TRACKER_DEMO_PASSWORD"),
        # Number of proxies in front that set X-Forwarded-For/-Proto/-Host (0: none trusted).
        "TRACKER_PROXY_FIX": _int("TRACKER_PROXY_FIX", 0),
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    "BOOTSTRAP_SERVE_LOCAL": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "PAGE_SIZE": 25,
    "API_TITLE": "Innovation Tracker API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


def ensure_secret_key(config: dict, instance_path: str) -> str:
    """Return the configured key; on the embedded default, create one in instance/ once."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if config.get("TRACKER_ENV") == "production":
        raise RuntimeError("SECRET_KEY must be set when TRACKER_ENV=production")
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
