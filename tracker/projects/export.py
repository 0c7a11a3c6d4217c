"""The project list as a CSV download: the same filters and scoping as /projects."""

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.exports.csvfile import csv_response
from tracker.exports.rows import PROJECT_COLUMNS, project_rows
from tracker.projects import queries
from tracker.projects.blueprint import bp

# No import reads this file back, so the header follows the reader's language; in English it
# stays the machine names that scripts already use.
HEADERS = {
    "id": _l("id"),
    "title": _l("title"),
    "summary": _l("summary"),
    "site": _l("site"),
    "stage": _l("stage"),
    "status": _l("status"),
    "visibility": _l("visibility"),
    "kind": _l("kind"),
    "themes": _l("themes"),
    "lead_organization": _l("lead_organization"),
    "partners": _l("partners"),
    "stage_entered_at": _l("stage_entered_at"),
    "last_activity_at": _l("last_activity_at"),
    "target_test_on": _l("target_test_on"),
    "target_market_on": _l("target_market_on"),
}


@bp.get("/projects/export.csv")
@login_required
def export_csv():
    user = current_user._get_current_object()
    # As on /projects: patrons see summaries on the dashboard and board, never lists.
    if permissions.is_patron(user):
        abort(403)
    filters = queries.ListFilters.from_args(request.args)
    header = [str(HEADERS[name]) for name in PROJECT_COLUMNS]
    return csv_response("projects", header, project_rows(queries.filtered_projects(user, filters)))
