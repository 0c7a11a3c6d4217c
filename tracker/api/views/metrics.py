"""GET /api/v1/metrics/pipeline: the dashboard's pipeline figures, with the page's rules."""

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields
from werkzeug.exceptions import Forbidden, NotFound

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.operations import operation
from tracker.api.views import documented_errors
from tracker.auth import permissions
from tracker.dashboard.pipeline import UnknownSite, pipeline_metrics
from tracker.models.base import STAGES, STATUSES

WITHHELD = "Null for patrons when the figure rests on one or two projects."


def _counts(keys: tuple[str, ...], what: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(metadata={"enum": list(keys)}),
        values=fields.Integer(allow_none=True),
        required=True,
        metadata={"description": f"{what} {WITHHELD}"},
    )


class PipelineArgs(ma.Schema):
    site = fields.String(metadata={"description": "A site slug; all sites when left out."})


class FunnelSchema(ma.Schema):
    entered_develop = fields.Integer(allow_none=True, required=True)
    reached_test = fields.Integer(allow_none=True, required=True)
    reached_market = fields.Integer(allow_none=True, required=True)
    test_share = fields.Float(
        allow_none=True, required=True, metadata={"description": "reached_test / entered, 0-1."}
    )
    market_share = fields.Float(
        allow_none=True, required=True, metadata={"description": "reached_market / entered."}
    )


class QuarterThroughputSchema(ma.Schema):
    quarter = fields.String(required=True, metadata={"example": "2026-Q3"})
    test = fields.Integer(allow_none=True, required=True, metadata={"description": WITHHELD})
    market = fields.Integer(allow_none=True, required=True, metadata={"description": WITHHELD})


class PipelineSchema(ma.Schema):
    site = fields.String(allow_none=True, required=True)
    total = fields.Integer(allow_none=True, required=True)
    by_stage = _counts(STAGES, "Projects per stage, any status.")
    by_status = _counts(STATUSES, "Projects per status.")
    funnel = fields.Nested(FunnelSchema, required=True)
    median_days_in_stage = fields.Dict(
        keys=fields.String(metadata={"enum": list(STAGES)}),
        values=fields.Float(allow_none=True),
        required=True,
        metadata={"description": "Median days of completed stays per stage. " + WITHHELD},
    )
    throughput_by_quarter = fields.List(
        fields.Nested(QuarterThroughputSchema),
        required=True,
        metadata={"description": "Entries to test and market, last 8 quarters, oldest first."},
    )


@bp.route("/metrics/pipeline", tags=["metrics"])
@operation("getPipelineMetrics")
@bp.arguments(PipelineArgs, location="query")
@bp.response(200, PipelineSchema)
@documented_errors(401, 403, 404, 429)
def pipeline(args: dict):
    """Pipeline metrics

    Aggregates over every project (consortium ones included, never named); `site` narrows
    them to one host site. As on /dashboard, patrons get null for figures of one or two projects.
    """
    user = api_user()
    if not permissions.can_view_dashboard(user):
        raise Forbidden(_("This account may not see dashboards."))
    try:
        return pipeline_metrics(user, args.get("site"))
    except UnknownSite as error:
        raise NotFound(str(error)) from error
