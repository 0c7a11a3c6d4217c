"""The organization list as a CSV download, with the list's filters."""

from flask import abort, request
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.directory import services
from tracker.directory.blueprint import bp
from tracker.exports.csvfile import csv_response
from tracker.exports.rows import organization_header, organization_rows


@bp.get("/organizations/export.csv")
@login_required
def export_csv():
    if not permissions.can_view_directory(current_user):
        abort(403)
    filters = services.OrganizationFilters.from_args(request.args)
    rows = organization_rows(services.organization_query(filters))
    return csv_response("organizations", organization_header(), rows)
