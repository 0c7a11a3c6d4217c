"""Single sign-on pages: go to a provider, come back signed in (or waiting), sign out there."""

import requests
from authlib.integrations.base_client import OAuthError
from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from joserfc.errors import JoseError

from tracker.auth import sessions, sso
from tracker.auth.blueprint import bp
from tracker.auth.services import security_log
from tracker.auth.sso import SSO
from tracker.auth.views import _login_limit, _only_failures, safe_next
from tracker.extensions import limiter

NEXT = "sso_next"
# In the signed-in session: the provider, whether it vouched for a second factor, and the
# ID token for RP-initiated logout.


def _page(name: str, message: str, status: int):
    return render_template("auth/sso_refused.html", message=message, provider=sso.label(name)), (
        status
    )


def _unavailable(name: str):
    security_log.info("sso_unavailable provider=%s", name)
    return _page(name, str(sso.UNAVAILABLE % {"provider": sso.label(name)}), 503)


@bp.route("/login/oidc/<name>")
def sso_start(name: str):
    if sso.provider(name) is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    try:
        sso.metadata(name)
        response = sso.client(name).authorize_redirect(
            url_for("auth.sso_callback", name=name, _external=True)
        )
    except (requests.RequestException, ValueError):
        return _unavailable(name)
    except sso.SsoError as error:
        return _page(name, str(error), error.status)
    session[NEXT] = safe_next(request.args.get("next"))
    return response


@bp.route("/login/oidc/<name>/callback")
@limiter.limit(_login_limit, deduct_when=_only_failures)
def sso_callback(name: str):
    if sso.provider(name) is None:
        abort(404)
    app = sso.client(name)
    state = request.args.get("state")
    failed = str(sso.FAILED % {"provider": sso.label(name)})
    if not state or app.framework.get_state_data(session, state) is None:
        # Not started in this browser, started twice, or a link replayed: nothing to finish.
        security_log.info("sso_refused provider=%s reason=state ip=%r", name, request.remote_addr)
        return _page(name, failed, 400)
    try:
        sso.metadata(name)
        token = app.authorize_access_token()
    except OAuthError as error:  # refused at the provider, a used code, a bad ID token
        security_log.info("sso_refused provider=%s reason=%s", name, error.error)
        return _page(name, failed, 400)
    except (requests.RequestException, ValueError):
        return _unavailable(name)
    except (JoseError, sso.SsoError) as error:
        security_log.info("sso_refused provider=%s reason=%s", name, type(error).__name__)
        return _page(name, failed, 400)
    if not token.get("userinfo"):  # no ID token: nothing vouches for the e-mail or the nonce
        return _page(name, failed, 400)
    try:
        outcome = sso.sign_in(name, dict(token["userinfo"]), request.remote_addr)
    except sso.SsoError as error:
        return _page(name, str(error), error.status)
    if outcome.pending:
        return render_template(
            "auth/sso_pending.html", user=outcome.user, provider=sso.label(name)
        ), 200
    return _finish(name, outcome.user, token.get("id_token"))


def _finish(name: str, user, id_token: str | None):
    next_url = session.get(NEXT) or url_for("main.home")
    mfa = sso.provider(name)["mfa"]
    if user.two_factor_enabled and not mfa:
        sessions.await_second_factor(user, next_url)  # the code step signs in, as for passwords
        return redirect(url_for("auth.two_factor_login"))
    session.clear()  # a fresh session at every sign-in
    login_user(user)
    session[SSO] = {"provider": name, "mfa": mfa, "id_token": id_token}
    return redirect(next_url)


@bp.app_context_processor
def inject_sso():
    def sso_buttons() -> list[tuple[str, str]]:
        return [(name, settings["label"]) for name, settings in sso.providers().items()]

    return {"sso_buttons": sso_buttons}
