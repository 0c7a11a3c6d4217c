"""The pipeline figures as plain data for GET /api/v1/metrics/pipeline (same rules as the page)."""

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.auth import permissions
from tracker.dashboard import flows, metrics
from tracker.dashboard.figures import SMALL
from tracker.dashboard.metrics import Scope
from tracker.dashboard.periods import Quarter
from tracker.extensions import db
from tracker.models import Site, utcnow
from tracker.models.base import STAGES, STATUSES


class UnknownSite(LookupError):
    """The site filter names no site."""


def _site_ids(site_slug: str | None) -> tuple[int, ...] | None:
    if not site_slug:
        return None
    site_id = db.session.scalar(sa.select(Site.id).where(Site.slug == site_slug))
    if site_id is None:
        raise UnknownSite(_("There is no site with the slug “%(slug)s”.", slug=site_slug[:60]))
    return (site_id,)


def pipeline_metrics(user, site_slug: str | None = None) -> dict:
    """Counts, funnel, median days per stage and throughput over every project (or one site).

    Patrons get None wherever a figure rests on one or two projects, as on the page.
    """
    withhold = permissions.is_patron(user)

    def count(n: int) -> int | None:
        return None if withhold and n in SMALL else n

    def share(part: int, whole: int) -> float | None:
        if not whole or (withhold and (part in SMALL or whole in SMALL)):
            return None
        return round(part / whole, 4)

    scope = Scope(site_ids=_site_ids(site_slug))
    counts = metrics.project_counts(scope)
    by_status_stage, totals = counts.by_stage_status, counts.summary
    stays = flows.time_in_stage(scope)
    quarters = Quarter.containing(utcnow()).last(flows.THROUGHPUT_QUARTERS)
    entries = flows.throughput(scope, quarters)
    total, reached_test, reached_market = (
        totals["total"], totals["reached_test"], totals["reached_market"]
    )  # fmt: skip
    return {
        "site": site_slug or None,
        "total": count(total),
        "by_stage": {
            stage: count(sum(by_status_stage.get((stage, s), 0) for s in STATUSES))
            for stage in STAGES
        },
        "by_status": {
            status: count(sum(by_status_stage.get((s, status), 0) for s in STAGES))
            for status in STATUSES
        },
        "funnel": {
            "entered_develop": count(total),
            "reached_test": count(reached_test),
            "reached_market": count(reached_market),
            "test_share": share(reached_test, total),
            "market_share": share(reached_market, total),
        },
        "median_days_in_stage": {
            stage: None
            if stays[stage]["median"] is None or (withhold and stays[stage]["n"] in SMALL)
            else round(stays[stage]["median"], 2)
            for stage in STAGES
        },
        "throughput_by_quarter": [
            {"quarter": key, "test": count(n["test"]), "market": count(n["market"])}
            for key, n in entries.items()
        ],
    }
