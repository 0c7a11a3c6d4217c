"""Notification pages: the list, mark one or all as read; the unread count for the navbar."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker import paging
from tracker.auth.views import safe_next
from tracker.notifications import services
from tracker.notifications.blueprint import bp
from tracker.notifications.display import notification_text

bp.add_app_template_global(notification_text, "notification_text")


@bp.app_context_processor
def unread_notifications():
    def count() -> int:
        """One COUNT per request, and only when a signed-in user's page shows the navbar."""
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = services.unread_count(current_user)
        return g.unread_notifications

    return {"unread_notifications": count}


@bp.get("/notifications")
@login_required
def index():
    user = current_user._get_current_object()
    after, before = request.args.get("after"), request.args.get("before")
    number = paging.old_page_number()
    if number is not None and not (after or before):  # an old numbered link: by cursor
        return paging.to_cursor(number, lambda n: services.cursor_of_page(user, n))
    result = services.notification_page(user, after=after, before=None if after else before)
    return render_template("notifications/index.html", result=result)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    if not services.mark_read(current_user._get_current_object(), notification_id):
        abort(404)
    flash(_("Notification marked as read."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    count = services.mark_all_read(current_user._get_current_object())
    flash(
        ngettext(
            "%(num)s notification marked as read.", "%(num)s notifications marked as read.", count
        ),
        "success",
    )
    return redirect(url_for("notifications.index"))
