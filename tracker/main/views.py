"""Home by role (rendered in place), navigation helpers and /healthz."""

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.main import services
from tracker.main.blueprint import bp

# (endpoint, label, who may see it: a rule of tracker/auth/permissions.py, None for everyone).
NAV = [
    ("main.home", _l("Home"), None),
    ("boards.board", _l("Board"), None),
    ("projects.index", _l("Projects"), permissions.can_list_projects),
    ("reviews.queue", _l("Reviews"), permissions.can_view_review_queue),
    ("dashboard.index", _l("Dashboard"), None),
    ("directory.organizations", _l("Directory"), permissions.can_view_directory),
    ("directory.sites", _l("Sites"), permissions.can_list_projects),
    ("projects.lessons", _l("Lessons"), permissions.can_list_projects),
    ("matchmaking.index", _l("Partners wanted"), permissions.can_view_partner_requests),
    ("matchmaking.network", _l("Network"), None),
    ("admin.users", _l("Admin"), permissions.can_view_users),
]


@bp.app_context_processor
def navigation():
    def nav_items():
        if not current_user.is_authenticated:
            return []
        user = current_user._get_current_object()
        return [(endpoint, label) for endpoint, label, may in NAV if may is None or may(user)]

    return {"nav_items": nav_items}


@bp.route("/")
@login_required
def home():
    user = current_user._get_current_object()
    builders = {
        "member": services.member_home,
        "site_manager": services.manager_home,
        "patron": services.patron_home,
        "admin": services.admin_home,
    }
    context = builders[user.role](user)
    context["notifications"] = services.recent_notifications(user)
    context["hints"] = services.hints_for(user, context, session.get("hidden_hints", ()))
    return render_template(f"main/home_{user.role}.html", **context)


@bp.route("/hints/hide", methods=["POST"])
@login_required
def hide_hint():
    """Hidden for this session only: the list of hint names is nothing secret."""
    key = request.form.get("hint", "")
    if key not in services.HINTS:
        abort(400)
    session["hidden_hints"] = sorted({*session.get("hidden_hints", ()), key})
    flash(_("Hint hidden."), "info")
    return redirect(url_for("main.home"))


@bp.route("/healthz")
def healthz():
    if services.database_answers():
        return jsonify(status="ok")
    return jsonify(status="unavailable", detail="The database does not answer."), 503
