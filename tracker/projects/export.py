"""The project list as a CSV download: the same filters and scoping as /projects."""

from flask import abort, request
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.exports.csvfile import csv_response
from tracker.exports.rows import PROJECT_COLUMNS, project_rows
from tracker.projects import bp, queries


@bp.get("/projects/export.csv")
@login_required
def export_csv():
    user = current_user._get_current_object()
    # As on /projects: patrons see summaries on the dashboard and board, never lists.
    if permissions.is_patron(user):
        abort(403)
    filters = queries.ListFilters.from_args(request.args)
    return csv_response(
        "projects", PROJECT_COLUMNS, project_rows(queries.filtered_projects(user, filters))
    )
