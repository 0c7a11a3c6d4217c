"""User administration pages."""

from flask_login import login_required

from tracker.admin import bp


@bp.route("/users")
@login_required
def users():
    return "users"
