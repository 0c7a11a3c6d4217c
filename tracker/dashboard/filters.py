"""The dashboard's filters (site, theme, period) read from the URL into a Scope."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.auth import permissions
from tracker.dashboard.metrics import Scope
from tracker.dashboard.periods import Period, parse_period, period_choices
from tracker.extensions import db
from tracker.models import Site, Theme

NETWORK = "all"
MINE = "mine"


@dataclass
class Selection:
    """What the figures cover, how to say it, and the arguments that reproduce it on /projects."""

    scope: Scope
    site: str
    theme: str
    period: Period
    site_label: str
    link_args: dict
    sites: list[tuple[str, str]] = field(default_factory=list)  # (value, label) choices
    themes: list[tuple[str, str]] = field(default_factory=list)
    periods: list[tuple[str, str]] = field(default_factory=list)
    site_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (slug, name)
    theme_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def args(self, **changes) -> dict:
        """The current filters as URL arguments (for the filter form and print links)."""
        values = {"site": self.site, "theme": self.theme, "period": self.period.key} | changes
        return {key: value for key, value in values.items() if value}


def _default_site(user, managed: list[tuple[int, str, str]]) -> str:
    if not managed:
        return NETWORK
    return managed[0][1] if len(managed) == 1 else MINE


def _site_choices(user, sites, managed) -> list[tuple[str, str]]:
    choices = [(NETWORK, _l("Whole network"))]
    if len(managed) > 1:
        choices.append((MINE, _l("My sites")))
    return choices + [(slug, name) for _id, slug, name in sites]


def _site_scope(value: str, sites, managed) -> tuple[tuple[int, ...] | None, str, object]:
    """(site ids, label, link value) of a site choice; None ids mean the whole network."""
    if value == MINE and managed:
        return (
            tuple(sorted(i for i, _, _ in managed)),
            _l("My sites: %(names)s", names=", ".join(n for _i, _s, n in managed)),
            [s for _id, s, _name in managed],
        )
    for site_id, slug, name in sites:
        if slug == value:
            return (site_id,), name, slug
    return None, _l("Whole network"), None


def _sites_and_themes() -> tuple[list, list]:
    """(id, slug, name) of every site and of every theme, each by name, in one statement."""
    query = sa.union_all(
        sa.select(sa.literal("site").label("kind"), Site.id, Site.slug, Site.name),
        sa.select(sa.literal("theme").label("kind"), Theme.id, Theme.slug, Theme.name),
    )
    rows = db.session.execute(query.order_by(query.selected_columns.name)).all()
    sites = [(i, slug, name) for kind, i, slug, name in rows if kind == "site"]
    return sites, [(i, slug, name) for kind, i, slug, name in rows if kind == "theme"]


def read_selection(user, args) -> Selection:
    """Parse ?site=&theme=&period=; unknown values fall back to the default with a message."""
    sites, themes = _sites_and_themes()
    drill = permissions.dashboard_sites(user)
    managed = [s for s in sites if drill and s[0] in drill]
    problems = []
    site = args.get("site", "").strip() or _default_site(user, managed)
    known = {NETWORK} | ({MINE} if managed else set()) | {slug for _id, slug, _name in sites}
    if site not in known:
        problems.append(
            _("There is no site “%(site)s”; showing your default view.", site=site[:60])
        )
        site = _default_site(user, managed)
    site_ids, site_label, site_link = _site_scope(site, sites, managed)
    theme = args.get("theme", "").strip()
    theme_row = next((t for t in themes if t[1] == theme), None)
    if theme and theme_row is None:
        problems.append(_("There is no theme “%(theme)s”; showing every theme.", theme=theme[:60]))
        theme = ""
    period = parse_period(args.get("period"))
    if args.get("period") and args.get("period") != period.key:
        problems.append(_("That period is not known; showing all time."))
    link_args = {"site": site_link, "theme": theme or None}
    return Selection(
        scope=Scope(site_ids, theme_row[0] if theme_row else None, period),
        site=site,
        theme=theme,
        period=period,
        site_label=site_label,
        link_args={k: v for k, v in link_args.items() if v},
        sites=_site_choices(user, sites, managed),
        themes=[("", _l("Every theme"))] + [(slug, name) for _id, slug, name in themes],
        periods=period_choices(),
        site_names={i: (slug, name) for i, slug, name in sites},
        theme_names={i: (slug, name) for i, slug, name in themes},
        problems=problems,
    )
