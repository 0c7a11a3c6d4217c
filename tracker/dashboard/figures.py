"""Turn raw numbers into figures a reader sees: formatted, linked, or withheld from patrons."""

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import g, url_for
from flask_babel import gettext as _

from tracker.auth import permissions
from tracker.disclosure import FEWER_THAN_3, state_text
from tracker.i18n import decimal, number, percent

QUERY_SAFE = "!$'()*,/:;?@"  # what Werkzeug's url_for leaves unescaped in a query
SMALL = range(1, 3)  # counts of 1 or 2 would let a patron single out a project


@dataclass(frozen=True)
class Figure:
    value: float | None
    text: str
    href: str | None = None
    hidden: bool = False
    events: bool = False  # counts events and says so in words ("19 decisions on 13 projects")

    @property
    def short(self) -> str:
        """The text a chart writes beside its bar: the number alone for an event figure."""
        if self.events and not self.hidden and self.value is not None:
            return _number(self.value)
        return self.text

    @property
    def bar(self) -> float:
        """The length a chart may draw: nothing for withheld or missing figures."""
        return 0.0 if self.hidden or self.value is None else float(self.value)


@dataclass(frozen=True)
class Audience:
    """What the reader may be shown: small counts, links to /projects, project names."""

    withhold_small: bool
    links: bool
    complete: bool  # every project counted is one the reader can open from the link
    names: bool


def audience_for(user, site_ids: tuple[int, ...] | None) -> Audience:
    patron = permissions.is_patron(user)
    drill = permissions.dashboard_sites(user)
    complete = drill is None or (site_ids is not None and set(site_ids) <= drill)
    return Audience(
        withhold_small=patron,
        links=not patron,
        complete=complete and not patron,
        names=complete and not patron,
    )


def _number(value: float) -> str:
    """number(value), each value formatted once per request (a dashboard shows ~140 figures,
    many of them the same small counts; Babel's formatting is ~40 µs a call)."""
    cache = g.setdefault("dashboard_numbers", {})
    text = cache.get(value)
    if text is None:
        text = cache[value] = number(value)
    return text


class Presenter:
    """Builds figures for one audience; links carry the current site/theme filters."""

    def __init__(self, audience: Audience, link_args: dict):
        self.audience = audience
        self.link_args = link_args
        self._base: str | None = None

    def _href(self, filters: dict | None) -> str | None:
        """url_for("projects.index", **args), its path built once per page, not per figure:
        the query is encoded as Werkzeug does (no sorting, a list one pair per item, None left
        out, the same safe marks)."""
        if filters is None or not self.audience.links:
            return None
        if self._base is None:
            self._base = url_for("projects.index")
        args = [
            (key, item)
            for key, value in (self.link_args | filters).items()
            for item in (value if isinstance(value, list | tuple) else (value,))
            if item is not None
        ]
        return f"{self._base}?{urlencode(args, safe=QUERY_SAFE)}" if args else self._base

    def _withheld(self, *counts: int | None) -> bool:
        return self.audience.withhold_small and any(n in SMALL for n in counts if n is not None)

    def count(self, n: int, link: dict | None = None) -> Figure:
        if self._withheld(n):
            return Figure(None, str(FEWER_THAN_3), hidden=True)
        return Figure(n, _number(n), self._href(link) if n else None)

    def disclosed(self, disclosure, key, link: dict | None = None) -> Figure:
        """A count looked up in a tracker.disclosure.Disclosure (the patron's figures)."""
        state = disclosure.state(key)
        if state != "shown":
            return Figure(None, state_text(state), hidden=True)
        n = disclosure.value(key)
        return Figure(n, _number(n), self._href(link) if n else None)

    def disclosed_share(self, part: Figure, whole: Figure, link: dict | None = None) -> Figure:
        """part of whole as a percentage of two disclosed figures; withheld with either."""
        if part.hidden or whole.hidden:  # says why: the withheld count's own text
            return Figure(None, part.text if part.hidden else whole.text, hidden=True)
        return self.share(int(part.value or 0), int(whole.value or 0), link)

    def events(self, n: int, projects: int, link: dict | None, words) -> Figure:
        """A count of events (decisions, stage entries) on some projects: linked figures say
        both, words(n, projects) ("19 decisions on 13 projects"), as the list they open does."""
        figure = self.count(n, link)
        if figure.hidden or figure.href is None:
            return figure
        return Figure(n, words(n, projects), figure.href, events=True)

    def share(self, part: int, whole: int, link: dict | None = None) -> Figure:
        """part of whole as a percentage; linked to the projects that make up part."""
        if self._withheld(part, whole):
            return Figure(None, str(FEWER_THAN_3), hidden=True)
        if not whole:
            return Figure(None, "—")
        value = 100.0 * part / whole
        return Figure(value, percent(round(value)), self._href(link) if part else None)

    def days(self, value: float | None, n: int, link: dict | None = None) -> Figure:
        """A duration in days computed over n stays or reviews."""
        if self._withheld(n):
            return Figure(None, str(FEWER_THAN_3), hidden=True)
        if value is None:
            return Figure(None, "—")
        return Figure(value, _("%(days)s days", days=decimal(value)), self._href(link))
