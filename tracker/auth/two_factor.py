"""Two-factor pages: set up, turn off, new recovery codes, and the second sign-in step."""

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tracker.auth import sessions
from tracker.auth import two_factor_services as services
from tracker.auth.blueprint import bp
from tracker.auth.passwords import MAX_LENGTH
from tracker.auth.sso import satisfies_two_factor
from tracker.auth.views import _login_limit, _only_failures, credential_checks
from tracker.extensions import db, limiter
from tracker.models import User

PENDING_SETUP = "two_factor_setup"
# While two-factor sign-in is required but not set up, only these endpoints answer.
ALLOWED_BEFORE_SETUP = {"auth.two_factor_setup", "auth.logout", "auth.login", "static"}
_CODE = {"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off"}


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        render_kw=_CODE | {"autofocus": True},
    )


class SetupForm(CodeForm):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class ReauthenticateForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    code = StringField(
        _l("Code from your app or a recovery code"),
        validators=[DataRequired(), Length(max=40)],
        render_kw=_CODE,
    )


def _user() -> User:
    return current_user._get_current_object()


def _required(user: User) -> bool:
    return services.is_required(user, current_app.config["TRACKER_REQUIRE_2FA"])


def _keep_signed_in(user: User) -> None:
    """The session version moved on (other sessions end); renew this session's copy."""
    login_user(user)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_only_failures)
def two_factor_login():
    pending = sessions.pending_sign_in()
    user = db.session.get(User, pending["user_id"]) if pending else None
    if user is None or not user.active or user.session_version != pending["version"]:
        session.pop(sessions.PENDING, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            services.complete_sign_in(user, form.code.data, request.remote_addr)
        except services.AccountLocked as error:
            session.pop(sessions.PENDING, None)
            flash(str(error), "danger")
            return redirect(url_for("auth.login"))
        except services.TwoFactorError as error:
            form.code.errors.append(str(error))
        else:
            session.clear()
            login_user(user)
            return redirect(pending["next"] or url_for("main.home"))
    return render_template("auth/two_factor_login.html", form=form), 200


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
@credential_checks
def two_factor_setup():
    user = _user()
    if user.two_factor_enabled:
        flash(_("Two-factor sign-in is already on."), "info")
        return redirect(url_for("auth.account"))
    # The secret stays in the session until a code confirms it; a reload keeps the same QR code.
    secret = session.get(PENDING_SETUP) or services.new_secret()
    session[PENDING_SETUP] = secret
    form = SetupForm() if user.password_hash else CodeForm()  # SSO-only accounts: no password
    if form.validate_on_submit():
        try:
            password = form.password.data if user.password_hash else None
            codes = services.enable(user, secret, form.code.data, password, request.remote_addr)
        except services.TwoFactorError as error:
            form.code.errors.append(str(error))
        else:
            session.pop(PENDING_SETUP, None)
            g.credentials_accepted = True
            _keep_signed_in(user)
            flash(_("Two-factor sign-in is on. Other sessions are signed out."), "success")
            return render_template("auth/two_factor_codes.html", codes=codes)
    uri = services.provisioning_uri(user, secret)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr=services.qr_svg(uri),
        secret_groups=[secret[i : i + 4] for i in range(0, len(secret), 4)],
        required=_required(user),
    )


@bp.route("/account/two-factor/disable", methods=["GET", "POST"])
@login_required
def two_factor_disable():
    user = _user()
    if not user.two_factor_enabled:
        return redirect(url_for("auth.account"))
    form = ReauthenticateForm()
    if form.validate_on_submit():
        try:
            services.disable(
                user, form.password.data, form.code.data, _required(user), request.remote_addr
            )
        except services.TwoFactorError as error:
            form.code.errors.append(str(error))
        else:
            _keep_signed_in(user)
            flash(_("Two-factor sign-in is off. Other sessions are signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/two_factor_disable.html", form=form, required=_required(user))


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@login_required
def two_factor_recovery_codes():
    user = _user()
    if not user.two_factor_enabled:
        return redirect(url_for("auth.account"))
    form = ReauthenticateForm()
    if form.validate_on_submit():
        try:
            codes = services.replace_recovery_codes(
                user, form.password.data, form.code.data, request.remote_addr
            )
        except services.TwoFactorError as error:
            form.code.errors.append(str(error))
        else:
            flash(_("New recovery codes are ready; the old ones no longer work."), "success")
            return render_template("auth/two_factor_codes.html", codes=codes)
    return render_template("auth/two_factor_recovery.html", form=form)


@bp.before_app_request
def require_two_factor():
    """With TRACKER_REQUIRE_2FA, admins and site managers set up two-factor sign-in first."""
    if request.endpoint in ALLOWED_BEFORE_SETUP or request.blueprint == "api":
        return None
    if not current_app.config["TRACKER_REQUIRE_2FA"] or not current_user.is_authenticated:
        return None
    user = _user()
    if user.two_factor_enabled or not _required(user) or satisfies_two_factor():
        return None  # a provider with TRACKER_OIDC_<NAME>_MFA=1 checked a second factor
    flash(_("Your role requires two-factor sign-in. Please set it up to continue."), "warning")
    return redirect(url_for("auth.two_factor_setup"))


@bp.app_context_processor
def inject_two_factor_state():
    def two_factor_state() -> dict:
        """For the account page: whether it is on, required, and recovery codes left."""
        user = _user()
        return {
            "enabled": user.two_factor_enabled,
            "required": _required(user),
            "codes_left": services.codes_left(user) if user.two_factor_enabled else 0,
        }

    return {"two_factor_state": two_factor_state}
