"""Settings: defaults, then TRACKER_*, DATABASE_URL, SECRET_KEY, REDIS_URL from the environment."""

import os
import re
import secrets
from pathlib import Path

from limits import parse_many

ENVIRONMENTS = ("development", "production")


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit():
        # A typo must not silently fall back to a default (e.g. a lock-out threshold).
        raise RuntimeError(f"{name} must be a whole number, not {value!r}.")
    return int(value)


def _limit(name: str, default: str) -> str:
    value = (os.environ.get(name) or "").strip() or default
    try:
        parse_many(value)
    except ValueError:
        raise RuntimeError(
            f"{name} must be a rate limit such as '100 per 15 minutes', not {value!r}."
        ) from None
    return value


def _environment() -> str:
    value = (os.environ.get("TRACKER_ENV") or "development").strip().lower()
    if value not in ENVIRONMENTS:
        raise RuntimeError(f"TRACKER_ENV must be one of {', '.join(ENVIRONMENTS)}, not {value!r}.")
    return value


OIDC_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def oidc_providers() -> dict[str, dict]:
    """Single sign-on providers: TRACKER_OIDC_PROVIDERS names them, TRACKER_OIDC_<NAME>_* set each.

    A provider without its issuer, client id or client secret stops start-up, naming the
    variable: a half-configured button would only fail for the first person who presses it.
    """
    names = [n.strip().lower() for n in os.environ.get("TRACKER_OIDC_PROVIDERS", "").split(",")]
    providers = {}
    for name in filter(None, names):
        if not OIDC_NAME.match(name):
            raise RuntimeError(
                f"TRACKER_OIDC_PROVIDERS: {name!r} is not a provider name "
                "(letters, digits and _, starting with a letter)."
            )
        prefix = f"TRACKER_OIDC_{name.upper()}_"
        settings = {}
        for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET"):
            value = (os.environ.get(prefix + key) or "").strip()
            if not value:
                raise RuntimeError(f"{prefix}{key} must be set for the provider {name!r}.")
            settings[key.lower()] = value
        if not settings["issuer"].startswith(("https://", "http://")):
            raise RuntimeError(f"{prefix}ISSUER must be an https:// URL.")
        settings["label"] = (os.environ.get(prefix + "LABEL") or "").strip() or name.title()
        settings["mfa"] = _flag(prefix + "MFA")
        # A provider's own administrators can mark any address verified: limit what it vouches for.
        domains = (os.environ.get(prefix + "DOMAINS") or "").replace(";", ",").split(",")
        settings["domains"] = [d.strip().lower().removeprefix("@") for d in domains if d.strip()]
        providers[name] = settings
    return providers


def database_url(instance_path: str) -> str:
    """DATABASE_URL with the psycopg 3 driver made explicit, or SQLite in the instance folder."""
    url = (os.environ.get("DATABASE_URL") or "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "tracker.db")
    # postgres:// (as many hosts hand it out) and postgresql:// would ask for psycopg2.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def from_environment(instance_path: str) -> dict:
    """Read every setting the app knows from the environment, with safe defaults."""
    production = _environment() == "production"
    return {
        "TRACKER_ENV": "production" if production else "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "SESSION_COOKIE_SECURE": production or _flag("TRACKER_SECURE_COOKIES"),
        "REMEMBER_COOKIE_SECURE": production or _flag("TRACKER_SECURE_COOKIES"),
        "TRACKER_STALLED_DAYS": _int("TRACKER_STALLED_DAYS", 60),
        "TRACKER_SMTP_URL": os.environ.get("TRACKER_SMTP_URL"),
        "TRACKER_MAIL_FROM": os.environ.get("TRACKER_MAIL_FROM", "tracker@localhost"),
        "TRACKER_LOGIN_LIMIT": _limit("TRACKER_LOGIN_LIMIT", "100 per 15 minutes"),
        "TRACKER_API_LIMIT": _limit("TRACKER_API_LIMIT", "600 per minute"),
        "TRACKER_LOCKOUT_THRESHOLD": _int("TRACKER_LOCKOUT_THRESHOLD", 10),
        "TRACKER_LOCKOUT_MINUTES": _int("TRACKER_LOCKOUT_MINUTES", 15),
        "TRACKER_LINK_HOURS": _int("TRACKER_LINK_HOURS", 72),
        "TRACKER_DEMO_PASSWORD": os.environ.get("TRACKER_DEMO_PASSWORD"),
        # Number of proxies in front that set X-Forwarded-For/-Proto/-Host (0: none trusted).
        "TRACKER_PROXY_FIX": _int("TRACKER_PROXY_FIX", 0),
        # Signed-in sessions end after this long without a request, and this long after sign-in.
        "TRACKER_IDLE_MINUTES": _int("TRACKER_IDLE_MINUTES", 30),
        "TRACKER_SESSION_HOURS": _int("TRACKER_SESSION_HOURS", 12),
        # Admins and site managers must set up two-factor sign-in before doing anything else.
        "TRACKER_REQUIRE_2FA": _flag("TRACKER_REQUIRE_2FA"),
        # Single sign-on (OpenID Connect) providers by name: issuer, client_id, client_secret,
        # label, mfa (the provider's sign-in counts as two-factor for TRACKER_REQUIRE_2FA).
        "TRACKER_OIDC_PROVIDERS": oidc_providers(),
        # Where static files are copied and compressed at start-up (tracker/assets.py); by
        # default instance/assets/. Must be writable by the app.
        "TRACKER_ASSETS_DIR": os.environ.get("TRACKER_ASSETS_DIR"),
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
    # Rate-limit headers go on refused answers (429) only: tracker.api.ratelimit adds them.
    "RATELIMIT_HEADERS_ENABLED": False,
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
        raise RuntimeError(
            "SECRET_KEY must be set when TRACKER_ENV=production "
            "(one value shared by every instance), e.g. python -c "
            "'import secrets; print(secrets.token_hex(32))'."
        )
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        _create_key_file(key_file)
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f"{key_file} is empty; delete it or set SECRET_KEY.")
    return key


def _create_key_file(key_file: Path) -> None:
    """Write the key owner-only and atomically: workers starting together agree on one key."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    draft = key_file.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        os.link(draft, key_file)  # fails if another process got there first; keep theirs
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)
