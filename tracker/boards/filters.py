"""Board filters: parsed from the URL, applied to a scoped project query."""

from dataclasses import dataclass, field, fields
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.models import GateReview, Project, Site, utcnow
from tracker.models.base import PROJECT_KINDS, STATUSES
from tracker.projects import filtering

STATUS_CHOICES = ("open", "all", *STATUSES)
WHOLE_NETWORK = "all"  # ?site=all: a site manager's way from their own sites to every site


@dataclass
class BoardFilters:
    site: str = ""
    theme: str = ""
    org: int | None = None
    kind: str = ""
    status: str = "open"
    q: str = ""
    mine: bool = False
    needs_review: bool = False
    stalled: bool = False
    # A site manager's board without ?site= shows their own sites (design §16); set by the
    # view, never read from or written to the URL.
    own_sites: tuple[int, ...] = field(default=(), compare=False, metadata={"url": False})

    @property
    def site_slug(self) -> str:
        """The one site filtered on, or '' (every site, or ?site=all)."""
        return "" if self.site == WHOLE_NETWORK else self.site

    @classmethod
    def from_args(cls, args) -> tuple["BoardFilters", list[str]]:
        """Read filters from request args; unusable values are dropped with a message."""
        problems = []
        org = args.get("org", "").strip()
        if org and not org.isdigit():
            problems.append(_("The organization filter must be a number; it was ignored."))
        kind = args.get("kind", "").strip()
        if kind and kind not in PROJECT_KINDS:
            problems.append(_("Unknown kind “%(kind)s”; it was ignored.", kind=kind))
        status = args.get("status", "open").strip() or "open"
        if status not in STATUS_CHOICES:
            problems.append(_("Unknown status “%(status)s”; showing open projects.", status=status))
            status = "open"
        found = cls(
            site=args.get("site", "").strip()[:60],
            theme=args.get("theme", "").strip()[:60],
            org=int(org) if org.isdigit() else None,
            kind=kind if kind in PROJECT_KINDS else "",
            status=status,
            q=args.get("q", "").strip()[:200],
            mine=args.get("mine") == "1",
            needs_review=args.get("needs_review") == "1",
            stalled=args.get("stalled") == "1",
        )
        return found, problems

    def as_args(self, **changes) -> dict:
        """The non-default filters as URL arguments (for links that keep the filter)."""
        values = {
            f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("url", True)
        } | changes
        args = {}
        for key, value in values.items():
            if value in ("", None, False) or (key == "status" and value == "open"):
                continue
            args[key] = "1" if value is True else value
        return args

    @property
    def active(self) -> bool:
        return bool(self.as_args())


def stalled_clause(stalled_days: int):
    cutoff = utcnow() - timedelta(days=stalled_days)
    return sa.and_(
        Project.status == "active",
        Project.stage.in_(("develop", "test")),
        Project.last_activity_at < cutoff,
    )


def pending_review_exists():
    return sa.exists().where(GateReview.project_id == Project.id, GateReview.decision == "pending")


def _org(filters: BoardFilters, user) -> int | None:
    """The participant filtered on: ?mine=1 the user's own organization, else ?org=."""
    return user.organization_id if filters.mine else (filters.org or None)


def apply(query: sa.Select, filters: BoardFilters, user, stalled_days: int) -> sa.Select:
    """Narrow a visible_projects(user) query by the filters."""
    if filters.site_slug:
        query = query.where(
            Project.site_id
            == sa.select(Site.id).where(Site.slug == filters.site_slug).scalar_subquery()
        )
    elif filters.own_sites and not filters.site:
        query = query.where(Project.site_id.in_(filters.own_sites))
    # The project filter of the list and the API (tracker/projects/filtering.py); the rest is
    # the board's own.
    query = query.where(
        *filtering.conditions(
            theme=filters.theme, org=_org(filters, user), kind=filters.kind, q=filters.q
        )
    )
    if filters.mine and user.organization_id is None:  # my organization's, and I have none
        query = query.where(sa.false())
    query = query.where(Project.status != "withdrawn")  # withdrawn projects leave the board
    if filters.status == "open":
        query = query.where(Project.status != "stopped")
    elif filters.status != "all":
        query = query.where(Project.status == filters.status)
    if filters.needs_review:
        query = query.where(pending_review_exists())
    if filters.stalled:
        query = query.where(stalled_clause(stalled_days))
    return query
