"""Home by role (rendered in place), navigation helpers and /healthz."""

from flask import (
    abort,
    current_app,
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

from tracker.main import bp, services

ROLE_LABELS = {
    "admin": _l("Admin"),
    "site_manager": _l("Site manager"),
    "member": _l("Member"),
    "patron": _l("Patron"),
}

# (endpoint, label, roles); entries whose endpoint does not exist yet are left out.
NAV = [
    ("main.home", _l("Home"), None),
    ("boards.board", _l("Board"), None),
    ("projects.index", _l("Projects"), {"admin", "site_manager", "member"}),
    ("reviews.queue", _l("Reviews"), {"admin", "site_manager"}),
    ("dashboard.index", _l("Dashboard"), None),
    ("directory.organizations", _l("Directory"), {"admin", "site_manager", "member"}),
    ("directory.sites", _l("Sites"), {"admin", "site_manager", "member"}),
    ("projects.lessons", _l("Lessons"), {"admin", "site_manager", "member"}),
    ("matchmaking.index", _l("Partners wanted"), {"admin", "site_manager", "member"}),
    ("matchmaking.network", _l("Network"), None),
    ("admin.users", _l("Admin"), {"admin", "site_manager"}),
]


@bp.app_context_processor
def navigation():
    def nav_items():
        if not current_user.is_authenticated:
            return []
        known = current_app.view_functions
        return [
            (endpoint, label)
            for endpoint, label, roles in NAV
            if endpoint in known and (roles is None or current_user.role in roles)
        ]

    return {"nav_items": nav_items, "role_label": lambda role: ROLE_LABELS.get(role, role)}


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
