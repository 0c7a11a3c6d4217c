"""GET /api/v1/gate-requests: the review queue as the pages show it (design §13).

A site manager's default is their own sites, the longest waiting first; `site=` picks one
site (of the projects the user may see). Each item carries its project {id, title, site}.
"""

import marshmallow as ma
import sqlalchemy as sa
from flask_babel import gettext as _
from marshmallow import fields
from marshmallow.validate import Length, OneOf
from werkzeug.exceptions import Forbidden

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.gate_schemas import GateRequestSchema
from tracker.api.ids import id_field
from tracker.api.keyset import page as keyset_page
from tracker.api.operations import operation
from tracker.api.pagination import PageArgs
from tracker.api.schemas import page_schema
from tracker.api.views import documented_errors, invalid
from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import GateReview, Project, Site
from tracker.reviews.queries import gate_requests


class QueueArgs(PageArgs):
    status = fields.String(
        load_default="all",
        validate=OneOf(["pending", "decided", "all"]),
        metadata={"description": "pending (the review queue), decided, or all (the default)."},
    )
    project_id = id_field("Only this project's requests.", strict=False)
    site = fields.String(
        validate=Length(min=1, max=60),
        metadata={
            "description": "Slug of the host site. Without it a site manager gets the "
            "requests of their own sites; others every site they may see."
        },
    )
    cursor = fields.String(
        validate=Length(max=200),
        metadata={"description": "The next_cursor of the previous page; omit for the first."},
    )


class QueueProjectSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    site = fields.String(required=True, metadata={"description": "Slug of the host site."})


class QueueItemSchema(GateRequestSchema):
    """A gate request with its project, as the review queue lists it."""

    project = fields.Nested(QueueProjectSchema, required=True)


QueuePageSchema = page_schema(QueueItemSchema, "GateRequestQueuePage")


def _site_ids(user, slug: str | None) -> list[int] | None:
    if slug:
        site_id = db.session.scalar(sa.select(Site.id).where(Site.slug == slug))
        if site_id is None:
            raise invalid(
                "site",
                _("There is no site with the slug “%(slug)s”; see GET /api/v1/sites.", slug=slug),
            )
        return [site_id]
    if permissions.is_site_manager(user):
        return permissions.managed_site_ids(user)
    return None


@bp.route("/gate-requests", tags=["gates"])
@operation("listGateRequests")
@bp.arguments(QueueArgs, location="query")
@bp.response(200, QueuePageSchema)
@documented_errors(401, 403, 429)
def list_gate_requests(args: dict):
    """List gate requests, the longest waiting first

    Of the projects the token's user may see. `status=pending` is the review queue. A site
    manager's default is their own sites (pass `site=` for another); each item carries its
    project's id, title and site.
    """
    user = api_user()
    if permissions.is_patron(user):
        raise Forbidden(_("Gate requests are project details, which patrons do not see."))
    visible = permissions.visible_projects(user).with_only_columns(Project.id)
    sites = _site_ids(user, args.get("site"))
    if sites is not None:
        visible = visible.where(Project.site_id.in_(sites))
    query = sa.select(GateReview).where(GateReview.project_id.in_(visible))
    if args["status"] == "pending":
        query = query.where(GateReview.decision == "pending")
    elif args["status"] == "decided":
        query = query.where(GateReview.decision != "pending")
    if args.get("project_id") is not None:
        query = query.where(GateReview.project_id == args["project_id"])
    page = keyset_page(
        query, GateReview.requested_at, GateReview.id, args.get("cursor"), args["limit"]
    )
    reviews = page["items"]
    projects = {
        row.id: {"id": row.id, "title": row.title, "site": row.slug}
        for row in db.session.execute(
            sa.select(Project.id, Project.title, Site.slug)
            .join(Site, Site.id == Project.site_id)
            .where(Project.id.in_({r.project_id for r in reviews}))
        )
    }
    page["items"] = [
        data | {"project": projects[data["project_id"]]} for data in gate_requests(reviews)
    ]
    return page
