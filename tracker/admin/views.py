"""User administration pages: list, invite, edit, (de)activate, one-time links."""

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker import keyset, mail, outbox
from tracker.admin import approval_views, approvals, services
from tracker.admin.blueprint import bp
from tracker.admin.forms import InviteForm, ProfileForm, UserFilterForm
from tracker.auth import permissions
from tracker.auth.services import IssuedLink
from tracker.auth.views import require
from tracker.loaders import get_visible_user_or_404
from tracker.models import User

FILTERS = ("q", "role", "organization", "status")


def _actor() -> User:
    return current_user._get_current_object()


def _profile(form: ProfileForm) -> services.Profile:
    sites = form.managed_sites.data if "managed_sites" in form else []
    return services.Profile(
        display_name=form.display_name.data or "",
        role=form.role.data,
        organization_id=form.organization.data,
        site_ids=list(sites or []),
    )


def _show_error(form, error: services.AdminError) -> None:
    if error.field and error.field in form:
        form[error.field].errors.append(str(error))
    else:
        flash(str(error), "danger")


@bp.route("/users")
@login_required
def users():
    actor = _actor()
    require(permissions.can_view_users(actor))
    if request.args.get("pending") == "1":
        return approval_views.pending_page()
    form = UserFilterForm(formdata=request.args).set_choices(actor)
    query = services.user_query(
        actor, form.q.data or "", form.role.data, form.organization.data, form.status.data
    )
    page = keyset.requested_page(query, services.USER_KEYS, current_app.config["PAGE_SIZE"])
    if not isinstance(page, keyset.Page):  # an old numbered link, redirected
        return page
    # Only the known filters travel into page links (never url_for's own _scheme, _external...).
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        filters=filters,
        status_of=approvals.status_of,
        can_issue_link=permissions.can_issue_link,
        can_edit=permissions.can_manage_users(actor),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def invite():
    actor = _actor()
    require(permissions.can_invite(actor))
    form = InviteForm().set_choices(actor)
    if form.validate_on_submit():
        try:
            user, issued = services.invite_user(actor, form.email.data, _profile(form))
        except services.AdminError as error:
            _show_error(form, error)
        else:
            return _show_link(user, issued)
    return render_template("admin/users_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    actor = _actor()
    require(permissions.can_manage_users(actor))
    user = get_visible_user_or_404(actor, user_id)
    form = ProfileForm(
        data={
            "display_name": user.display_name,
            "role": user.role,
            "organization": user.organization_id,
            "managed_sites": sorted(user.managed_site_ids),
        }
    ).set_choices(actor)
    if form.validate_on_submit():
        try:
            changed = services.update_user(actor, user, _profile(form))
        except services.AdminError as error:
            _show_error(form, error)
        else:
            flash(_saved_message(user, changed), "success" if changed else "info")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template(
        "admin/users_edit.html",
        form=form,
        user=user,
        status=services.user_status(user),
        events=services.recent_events(user),
        is_self=user.id == actor.id,
    )


# The names update_user returns, as the saved message lists them.
FIELD_NAMES = {
    "display_name": _l("display name"),
    "role": _l("role"),
    "organization": _l("organization"),
    "managed_sites": _l("managed sites"),
}


def _saved_message(user: User, changed: list[str]) -> str:
    if not changed:
        return _("Nothing changed for %(name)s.", name=user.display_name)
    names = ", ".join(str(FIELD_NAMES.get(name, name.replace("_", " "))) for name in changed)
    message = _("Saved %(fields)s for %(name)s.", fields=names, name=user.display_name)
    if "role" in changed:
        message += " " + _("Their sessions have ended; they sign in again.")
    return message


def _switch_user(user_id: int, change, done):
    """Deactivate or reactivate a visible user: done(user) flashed on success, the error if
    the service refuses; back to the user's page either way."""
    actor = _actor()
    require(permissions.can_manage_users(actor))
    user = get_visible_user_or_404(actor, user_id)
    try:
        change(actor, user)
    except services.AdminError as error:
        flash(str(error), "danger")
    else:
        flash(done(user), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
def deactivate(user_id: int):
    return _switch_user(
        user_id,
        services.deactivate_user,
        lambda user: _(
            "%(display_name)s is deactivated: signed out everywhere and unable to sign in.",
            display_name=user.display_name,
        ),
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate(user_id: int):
    return _switch_user(
        user_id,
        services.reactivate_user,
        lambda user: _(
            "%(display_name)s is active again and may sign in.", display_name=user.display_name
        ),
    )


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@login_required
def unlock(user_id: int):
    actor = _actor()
    require(permissions.can_manage_users(actor))
    user = get_visible_user_or_404(actor, user_id)
    services.unlock_user(actor, user)
    flash(_("%(display_name)s can sign in again now.", display_name=user.display_name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@login_required
def reset_link(user_id: int):
    actor = _actor()
    require(permissions.can_view_users(actor))
    user = get_visible_user_or_404(actor, user_id)
    require(permissions.can_issue_link(actor, user))
    try:
        issued = services.issue_access_link(actor, user)
    except services.AdminError as error:
        flash(str(error), "danger")
        if permissions.can_manage_users(actor):
            return redirect(url_for("admin.edit_user", user_id=user.id))
        return redirect(url_for("admin.users"))
    return _show_link(user, issued)


def _show_link(user: User, issued: IssuedLink):
    """Render the one-time link once, right after the POST; it is never stored in clear."""
    kind = issued.link.kind
    url = url_for("auth.redeem", token=issued.token, _external=True)
    # Through the outbox (sent by the worker in the recipient's language; kept and listed at
    # /admin/deliveries when no SMTP server is configured).
    outbox.mail_link(user.id, kind, url, current_app.config["TRACKER_LINK_HOURS"])
    mailed = True if mail.mail_configured() else None
    if kind == "reset" and not permissions.reset_link_shown(mail.mail_configured()):
        # A way into an account in use goes to its owner only (issue 14, finding 4).
        flash(
            _(
                "A password reset link was sent to %(address)s. It is shown to no one else.",
                address=user.email,
            ),
            "success",
        )
        if permissions.can_manage_users(_actor()):
            return redirect(url_for("admin.edit_user", user_id=user.id))
        return redirect(url_for("admin.users"))
    response = make_response(
        render_template(
            "admin/users_link.html",
            user=user,
            kind=kind,
            url=url,
            hours=current_app.config["TRACKER_LINK_HOURS"],
            mailed=mailed,
            can_edit=permissions.can_manage_users(_actor()),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
