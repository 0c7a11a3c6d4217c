"""Sign-in and sign-out, one-time links, and the account page."""

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload

from tracker.auth import services, sessions
from tracker.auth.blueprint import bp
from tracker.auth.forms import ChangePasswordForm, LoginForm, RedeemLinkForm
from tracker.extensions import db, limiter, login_manager
from tracker.models import User

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see this page."


def _localize(message: str) -> str:
    """Flask-Login flashes its login_message through this: in the reader's language."""
    if message == login_manager.login_message:
        return gettext("Please sign in to see this page.")
    return gettext(message)


login_manager.localize_callback = _localize
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Accept the session only while its session version matches the user's row."""
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    # managed_sites in the same statement: its selectin loader would cost every page a query.
    # populate_existing: a user already in the session (tests share it) is read the same way.
    user = db.session.get(
        User, int(raw_id), options=[joinedload(User.managed_sites)], populate_existing=True
    )
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """A same-site path only: no scheme, no host, no protocol-relative tricks."""
    if not target:
        return None
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_limit() -> str:
    return current_app.config["TRACKER_LOGIN_LIMIT"]


def _only_failures(response) -> bool:
    # Successful sign-ins (a redirect) do not use up the per-address allowance; nor does a
    # check a view marks as passed (g.credentials_accepted: pages that answer 200 on success).
    return response.status_code != 302 and not g.get("credentials_accepted")


# One allowance per client address for every password check: sign-in, the current password on
# /account, the password of two-factor set-up (design §8: refusal only after 100 failures).
credential_checks = limiter.shared_limit(
    _login_limit, scope="credentials", methods=["POST"], deduct_when=_only_failures
)


@bp.route("/login", methods=["GET", "POST"])
@credential_checks
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except services.AuthError as error:
            flash(str(error), "danger")
            return render_template("auth/login.html", form=form), 200
        return _sign_in(user, safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


def _sign_in(user: User, next_url: str):
    """Sign in with a fresh session, or first ask for the second factor when it is on."""
    if user.two_factor_enabled:
        sessions.await_second_factor(user, next_url)
        return redirect(url_for("auth.two_factor_login"))
    session.clear()  # a fresh session at every sign-in
    login_user(user)
    return redirect(next_url)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    from tracker.auth.sso import SSO, signed_out_page

    provider_session = session.get(SSO)
    services.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(gettext("You are signed out."), "success")
    return signed_out_page(provider_session) or redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def redeem(token: str):
    try:
        link = services.open_link(token)
    except services.AuthError as error:
        return render_template("auth/link_invalid.html", message=str(error)), 404
    form = RedeemLinkForm(display_name=link.user.display_name)
    if form.validate_on_submit():
        try:
            user = services.redeem_link(token, form.new_password.data, form.display_name.data)
        except services.AuthError as error:
            form.new_password.errors.append(str(error))
        else:
            response = _sign_in(user, url_for("main.home"))  # clears the session first
            flash(gettext("Your password is set. Welcome!"), "success")
            return response
    return render_template("auth/redeem.html", form=form, link=link)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@credential_checks
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(
                user, form.current_password.data, form.new_password.data, request.remote_addr
            )
        except services.AuthError as error:
            form.current_password.errors.append(str(error))
        else:
            # Every other copy of the session is now refused; keep this one signed in.
            session.clear()
            login_user(user)
            flash(gettext("Your password is changed. Other sessions are signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.app_context_processor
def inject_helpers():
    return {"safe_next": safe_next}


def require(condition: bool) -> None:
    """Abort 403 unless condition holds; for objects whose existence is not secret."""
    if not condition:
        abort(403)
