"""The organization search behind every organization picker (design §16): JSON, 20 at most."""

from flask import abort, jsonify, request
from flask_login import current_user, login_required

from tracker.auth import permissions
from tracker.directory import picker
from tracker.directory.blueprint import bp
from tracker.vocabulary import ORG_KIND_LABELS

# Pickers that offer fewer than all organizations name their scope (?scope=assignable: those a
# user may put people into, for the user forms).
SCOPES = {"assignable": permissions.assignable_organizations}


@bp.get("/organizations/search")
@login_required
def search_organizations():
    """Organizations whose name contains ``q`` (names starting with it first), for those who
    may see the directory. Pickers ask after a pause in typing and keep the answers, and the
    answer may be cached for a minute, so typing costs few requests."""
    user = current_user._get_current_object()
    if not permissions.can_view_directory(user):
        abort(403)
    scope = SCOPES.get(request.args.get("scope", ""))
    within = scope(user) if scope else None
    found = picker.search(request.args.get("q", ""), limit=picker.LIMIT + 1, within=within)
    response = jsonify(
        organizations=[
            {
                "id": choice.id,
                "name": choice.name,
                "kind": choice.kind,
                "kind_label": str(ORG_KIND_LABELS.get(choice.kind, choice.kind)),
            }
            for choice in found[: picker.LIMIT]
        ],
        more=len(found) > picker.LIMIT,
    )
    response.headers["Cache-Control"] = "private, max-age=60"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response
