"""The pipeline figures as plain data for GET /api/v1/metrics/pipeline (same rules as the page)."""

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker import disclosure
from tracker.auth import permissions
from tracker.dashboard import flows, metrics
from tracker.dashboard.metrics import Scope
from tracker.dashboard.periods import Quarter
from tracker.disclosure import ALL
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

    Patrons get the figures of tracker.disclosure, None wherever the page withholds one.
    """
    if permissions.is_patron(user):
        return _patron_pipeline(site_slug)

    def count(n: int) -> int:
        return n

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

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
            stage: None if stays[stage]["median"] is None else round(stays[stage]["median"], 2)
            for stage in STAGES
        },
        "throughput_by_quarter": [
            {"quarter": key, "test": count(n["test"]), "market": count(n["market"])}
            for key, n in entries.items()
        ],
    }


def _patron_pipeline(site_slug: str | None) -> dict:
    """The same figures from tracker.disclosure: what the patron's dashboard shows, null where
    it says "fewer than 3" or "withheld"."""
    site_ids = _site_ids(site_slug)
    site = site_ids[0] if site_ids else ALL
    quarters = Quarter.containing(utcnow()).last(flows.THROUGHPUT_QUARTERS)
    view = disclosure.pipeline_view(None, quarters)
    counts, flags = view.counts, view.flags

    def share(part: int | None, whole: int | None) -> float | None:
        return None if part is None or not whole else round(part / whole, 4)

    total = counts.value((site, ALL, ALL))
    reached_test, reached_market = (
        flags.value(("reached_test", site)), flags.value(("reached_market", site))
    )  # fmt: skip
    stays = flows.time_in_stage(Scope(site_ids=site_ids))
    return {
        "site": site_slug or None,
        "total": total,
        "by_stage": {stage: counts.value((site, stage, ALL)) for stage in STAGES},
        "by_status": {status: counts.value((site, ALL, status)) for status in STATUSES},
        "funnel": {
            "entered_develop": total,
            "reached_test": reached_test,
            "reached_market": reached_market,
            "test_share": share(reached_test, total),
            "market_share": share(reached_market, total),
        },
        "median_days_in_stage": {
            stage: None
            if stays[stage]["median"] is None or stays[stage]["n"] < disclosure.SMALL_LIMIT
            else round(stays[stage]["median"], 2)
            for stage in STAGES
        },
        "throughput_by_quarter": [
            {
                "quarter": q.key,
                "test": view.throughput.value(("test", q.key, site)),
                "market": view.throughput.value(("market", q.key, site)),
            }
            for q in quarters
        ],
    }
