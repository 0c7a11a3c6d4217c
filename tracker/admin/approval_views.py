"""Pages for accounts waiting for approval: the list (/admin/users?pending=1), approve, reject."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.admin import approvals
from tracker.admin.blueprint import bp
from tracker.admin.services import AdminError
from tracker.auth import permissions
from tracker.auth.views import require

HOME_LIMIT = 5


def pending_page():
    """The waiting accounts of the actor's organizations, with approve and reject."""
    actor = current_user._get_current_object()
    return render_template("admin/users_pending.html", accounts=approvals.pending_accounts(actor))


def _decide(user_id: int, decision) -> dict | None:
    """Load, decide, and return the names the message shows (read before the commit)."""
    actor = current_user._get_current_object()
    require(permissions.can_view_users(actor))
    user = approvals.load_pending(actor, user_id)
    names = {
        "name": user.display_name,
        "email": user.email,
        "organization": user.organization.name if user.organization else "",
    }
    try:
        decision(actor, user)
    except AdminError as error:
        flash(str(error), "danger")
        return None
    return names


def _decided(user_id: int, decide, done):
    """Approve or reject: done(names) flashed on success; back to the waiting accounts."""
    names = _decide(user_id, decide)
    if names is not None:
        flash(done(names), "success")
    return redirect(url_for("admin.users", pending=1))


@bp.post("/users/<int:user_id>/approve")
@login_required
def approve_account(user_id: int):
    return _decided(
        user_id,
        approvals.approve,
        lambda names: _(
            "%(name)s (%(email)s) is now a member of %(organization)s and can sign in.", **names
        ),
    )


@bp.post("/users/<int:user_id>/reject")
@login_required
def reject_account(user_id: int):
    return _decided(
        user_id,
        approvals.reject,
        lambda names: _(
            "The request of %(email)s is rejected; the account stays off.", email=names["email"]
        ),
    )


@bp.app_context_processor
def inject_pending_accounts():
    def waiting_accounts() -> list:
        """For the managers' and admins' home: the first few accounts waiting for them."""
        if not current_user.is_authenticated:
            return []
        return approvals.pending_accounts(current_user._get_current_object(), HOME_LIMIT)

    return {"waiting_accounts": waiting_accounts}
