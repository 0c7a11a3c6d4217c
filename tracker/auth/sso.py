"""Single sign-on (OpenID Connect through Authlib): provider clients and the sign-in rules.

Who may come in: the verified e-mail of the provider's ID token names an existing active
account, or its domain is one of an organization's `email_domains`; then a member account of
that organization is made, waiting for a manager of one of the organization's sites.
"""

import time
from dataclasses import dataclass

import requests
import sqlalchemy as sa
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from tracker import activity  # the module: tracker.activity imports tracker.auth itself
from tracker.auth.services import (
    LOCKED,
    find_user_by_email,
    is_locked,
    normalise_email,
    record_sign_in,
    security_log,
)
from tracker.extensions import db
from tracker.models import Organization, User, utcnow

SCOPE = "openid email profile"
TIMEOUT_SECONDS = 10
# The provider's discovery document (endpoints, keys) is read again after this long.
METADATA_SECONDS = 3600

UNAVAILABLE = _l(
    "%(provider)s does not answer right now, so signing in through it is not possible. "
    "Try again in a few minutes, or sign in with your password."
)
NOT_VERIFIED = _l(
    "%(provider)s did not confirm that the e-mail address belongs to you, so it cannot be "
    "used to sign in. Ask your IT department, or sign in with your password."
)
NO_ACCOUNT = _l(
    "There is no account for %(email)s, and %(domain)s is not the e-mail domain of a member "
    "organization. Ask your site manager or the network office for an invitation."
)
NOT_VOUCHED = _l(
    "%(provider)s may not sign in %(email)s: its addresses are another organization's. "
    "Use the button of your own organization, or sign in with your password."
)
INACTIVE = _l(
    "The account for %(email)s is switched off. Ask your site manager or the network office."
)
FAILED = _l("The sign-in through %(provider)s could not be completed. Please start again.")


class SsoError(Exception):
    """A refused single sign-on, with a message that is safe to show and a status code."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


@dataclass
class Outcome:
    """What a provider's sign-in led to: signed in, or a request waiting for approval."""

    user: User
    pending: bool = False


# --- providers ----------------------------------------------------------------------------

_clients: dict[tuple, FlaskOAuth2App] = {}


def providers() -> dict[str, dict]:
    return current_app.config.get("TRACKER_OIDC_PROVIDERS") or {}


def provider(name: str) -> dict | None:
    return providers().get(name)


def client(name: str) -> FlaskOAuth2App:
    """The Authlib client of a configured provider (one per provider settings, kept)."""
    settings = providers()[name]
    key = (name, settings["issuer"], settings["client_id"], settings["client_secret"])
    app = _clients.get(key)
    if app is None:
        app = FlaskOAuth2App(
            FlaskIntegration(f"oidc_{name}"),
            f"oidc_{name}",
            client_id=settings["client_id"],
            client_secret=settings["client_secret"],
            server_metadata_url=settings["issuer"].rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "timeout": TIMEOUT_SECONDS,
            },
        )
        _clients[key] = app
    loaded = app.server_metadata.get("_loaded_at")
    if loaded and time.time() - loaded > METADATA_SECONDS:
        app.server_metadata.clear()
    return app


def metadata(name: str) -> dict:
    """The provider's discovery document; its issuer must be the configured one (OIDC §4.3)."""
    document = client(name).load_server_metadata()
    expected = providers()[name]["issuer"].rstrip("/")
    if str(document.get("issuer", "")).rstrip("/") != expected:
        client(name).server_metadata.clear()
        raise SsoError(str(FAILED % {"provider": label(name)}), 502)
    return document


def label(name: str) -> str:
    settings = provider(name)
    return settings["label"] if settings else name


def logout_url(name: str, id_token: str | None, return_to: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None when it offers none."""
    if provider(name) is None:
        return None
    try:
        if not metadata(name).get("end_session_endpoint"):
            return None
        return client(name).create_logout_url(
            post_logout_redirect_uri=return_to,
            id_token_hint=id_token,
            client_id=providers()[name]["client_id"],
        )["url"]
    except (requests.RequestException, ValueError, SsoError):
        return None  # signed out here all the same; the provider's session is its own


# --- who comes in -------------------------------------------------------------------------


def verified_email(name: str, claims: dict) -> str:
    """The e-mail of the ID token when the provider vouches for it, else SsoError."""
    email = normalise_email(str(claims.get("email") or ""))
    # Entra ID states it as xms_edov ("e-mail domain owner verified") when configured.
    verified = claims.get("email_verified") is True or claims.get("xms_edov") is True
    if str(claims.get("email_verified")).lower() == "true":
        verified = True  # some providers send the JSON string "true"
    if not email or "@" not in email or not verified:
        security_log.info("sso_refused provider=%s reason=unverified_email", name)
        raise SsoError(str(NOT_VERIFIED % {"provider": label(name)}))
    allowed = providers()[name].get("domains") or []
    if allowed and email.rsplit("@", 1)[1] not in allowed:
        security_log.info("sso_refused provider=%s reason=domain_not_vouched", name)
        raise SsoError(str(NOT_VOUCHED % {"provider": label(name), "email": email}))
    return email


def organization_for_domain(domain: str) -> Organization | None:
    """The organization whose email_domains hold domain (stored as a JSON list of strings)."""
    # A text match narrows the rows in SQL on both databases; the list is then checked exactly.
    candidates = db.session.scalars(
        sa.select(Organization)
        .where(sa.cast(Organization.email_domains, sa.Text).contains(f'"{domain}"'))
        .order_by(Organization.id)
    )
    for organization in candidates:
        if domain in (organization.email_domains or []):
            return organization
    return None


def sign_in(name: str, claims: dict, ip: str | None) -> Outcome:
    """Sign in the account of the verified e-mail, or ask to join its domain's organization.

    Commits. A user with two-factor sign-in through a provider that does not vouch for a
    second factor is returned unrecorded: the code step records the sign-in, as for passwords.
    """
    email = verified_email(name, claims)
    user = find_user_by_email(email)
    if user is None:
        return _request_account(name, email, claims)
    if user.approval_requested_at is not None and not user.active:
        return Outcome(user, pending=True)
    if not user.active:
        _refuse(user, name, ip, "inactive")
        raise SsoError(str(INACTIVE % {"email": email}))
    if is_locked(user):
        _refuse(user, name, ip, "locked")
        raise SsoError(str(LOCKED), 403)
    if not user.two_factor_enabled or providers()[name]["mfa"]:
        record_sign_in(user, ip, method="sso", provider=name)
    return Outcome(user)


def _refuse(user: User, name: str, ip: str | None, reason: str) -> None:
    activity.audit(
        None, "sso_sign_in_refused", user, {"provider": name, "reason": reason, "ip": ip}
    )
    db.session.commit()
    security_log.info("sso_refused user_id=%s provider=%s ip=%r (%s)", user.id, name, ip, reason)


def _request_account(name: str, email: str, claims: dict) -> Outcome:
    domain = email.rsplit("@", 1)[1]
    organization = organization_for_domain(domain)
    if organization is None:
        security_log.info("sso_refused user=unknown provider=%s reason=unknown_domain", name)
        raise SsoError(str(NO_ACCOUNT % {"email": email, "domain": domain}))
    display_name = " ".join(str(claims.get("name") or "").split())[:120] or email.split("@")[0]
    user = User(
        email=email,
        display_name=display_name,
        role="member",
        organization_id=organization.id,
        password_hash=None,
        active=False,
        sso_provider=name,
        approval_requested_at=utcnow(),
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same person's request in another window came first
        db.session.rollback()
        return Outcome(find_user_by_email(email), pending=True)
    activity.audit(
        None,
        "sso_account_requested",
        user,
        {"provider": name, "organization": organization.name},
    )
    db.session.commit()
    security_log.info("sso_account_requested user_id=%s provider=%s", user.id, name)
    return Outcome(user, pending=True)


# --- the session's provider, for sign-out and the second factor ---------------------------------

SSO = "sso"  # the session key of the provider that signed this session in


def satisfies_two_factor() -> bool:
    """True when this session came from a provider that vouches for a second factor."""
    state = session.get(SSO)
    return isinstance(state, dict) and state.get("mfa") is True


def provider_sign_out(state) -> str | None:
    """After the local sign-out: the provider's end-session URL, when it offers one."""
    if not isinstance(state, dict) or not state.get("provider"):
        return None
    return logout_url(
        state["provider"], state.get("id_token"), url_for("auth.login", _external=True)
    )


def signed_out_page(state):
    """The local session is over; offer the provider's sign-out too (a link: CSP form-action)."""
    url = provider_sign_out(state)
    if url is None:
        return None
    return render_template("auth/sso_signed_out.html", url=url, provider=label(state["provider"]))
