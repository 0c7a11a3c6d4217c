"""CSV downloads and the organization import for programs with an API token (design §13).

The CSV exports (/projects/export.csv, /organizations/export.csv) also accept
`Authorization: Bearer <token>` (read or write scope): the same filters and scoping as for the
signed-in person. The organization import is POST /api/v1/organizations/import with the CSV
as text in JSON, checked with the page's rules, all or nothing.
"""

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields
from marshmallow.validate import Length
from werkzeug.exceptions import Forbidden

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.bodies import Body
from tracker.api.guards import before_body
from tracker.api.operations import operation
from tracker.api.views import BODY_ERRORS, documented_errors, invalid
from tracker.auth import permissions
from tracker.exports import org_import
from tracker.exports.csvfile import MAX_BYTES, CsvError
from tracker.extensions import login_manager

# Page endpoints that also take a bearer token (downloads only: nothing they do writes).
TOKEN_ENDPOINTS = {"projects.export_csv", "directory.export_csv"}


@login_manager.request_loader
def _user_from_token(incoming):
    if incoming.endpoint not in TOKEN_ENDPOINTS:
        return None
    from tracker.api.auth import bearer_token
    from tracker.auth.tokens import user_for_token

    token = bearer_token()
    return user_for_token(token) if token else None


class ImportInputSchema(Body):
    """An organization CSV (the columns of /organizations/export.csv; id is ignored)."""

    filename = fields.String(
        load_default="organizations.csv",
        validate=Length(min=5, max=200),
        metadata={"description": "A name ending in .csv (shown in messages)."},
    )
    csv = fields.String(
        required=True,
        validate=Length(min=1, max=MAX_BYTES),
        metadata={"description": "The file's text, UTF-8, first row the column names."},
    )
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "true: check only, import nothing."}
    )


class ImportErrorSchema(ma.Schema):
    row = fields.Integer(required=True)
    field = fields.String(required=True)
    message = fields.String(required=True)


class ImportResultSchema(ma.Schema):
    rows = fields.Integer(required=True, metadata={"description": "Data rows read."})
    imported = fields.Integer(required=True, metadata={"description": "0 on a dry run."})
    errors = fields.List(fields.Nested(ImportErrorSchema), required=True)


def _may_import(user, **_ignored) -> None:
    if not permissions.can_create_organization(user):
        raise Forbidden(_("Only admins and site managers may add organizations."))


@bp.route("/organizations/import", methods=["POST"], tags=["directory"])
@operation("importOrganizations")
@before_body(_may_import)
@bp.arguments(ImportInputSchema)
@bp.response(200, ImportResultSchema)
@documented_errors(401, 403, 429, *BODY_ERRORS)
def import_organizations(body: dict):
    """Import organizations from CSV text

    All or nothing: any row with a problem imports none and answers 422 with `errors`
    (row, field, message). `dry_run` checks without importing.
    """
    user = api_user()
    data = body["csv"].encode()
    check_only = body["dry_run"]
    try:
        run = org_import.check_import if check_only else org_import.import_organizations
        check = run(user, body["filename"], data)
    except (CsvError, org_import.ImportRefused) as error:
        raise invalid("csv", str(error)) from None
    errors = [{"row": e.row, "field": e.field, "message": str(e.message)} for e in check.errors]
    if errors:
        problem = invalid("csv", _("Rows have problems; nothing was imported."))
        problem.data["problem"] = {"rows": errors}
        raise problem
    return {"rows": len(check.rows), "imported": 0 if check_only else len(check.rows), "errors": []}
