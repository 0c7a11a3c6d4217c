"""The dashboard's figure filters on /projects: read from the URL, applied with its SQL, named."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.dashboard import flows, metrics
from tracker.dashboard.overview import COOPERATION, DECISION_LABELS
from tracker.dashboard.periods import Period, parse_token
from tracker.models import Project
from tracker.models.base import ORG_KINDS, STAGES

NAMES = ("country", "org_kind", "reached", "coop", "stalled", "completed", "entered", "decision")
EVENT_NAMES = ("completed", "entered", "decision")  # figures that count events, not projects
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
KIND_LABELS = {
    "member_company": _l("Member company"),
    "startup": _l("Start-up"),
    "research_institution": _l("Research institution"),
    "partner": _l("Partner"),
    "public_body": _l("Public body"),
}
# Stage names inside a sentence ("Entered test"), lower case where the language wants it.
STAGE_WORDS = {"develop": _l("develop"), "test": _l("test"), "market": _l("market")}
COOPERATION_LABELS = {key: label for key, label, _definition in COOPERATION}
PERIOD_HELP = _l("a stage, optionally with a period such as %(example)s", example="develop:2026-Q3")
PROBLEMS = {
    "country": _l("a two-letter country code such as SE"),
    "org_kind": _l("one of %(values)s", values=", ".join(ORG_KINDS)),
    "reached": _l("test or market"),
    "coop": _l("one of %(values)s", values=", ".join(metrics.COOPERATION_FLAGS)),
    "stalled": "1",
    "completed": PERIOD_HELP,
    "entered": _l("a stage, optionally with a period such as %(example)s", example="test:2026"),
    "decision": _l("a gate decision or any, optionally with a period such as %(example)s",
                   example="go:2026-Q3"),
}  # fmt: skip


@dataclass(frozen=True)
class Chip:
    name: str  # the URL argument, so the filter form can keep it in a hidden field
    value: str
    label: str
    remove: dict  # the URL arguments of the list without this filter


def split(value: str) -> tuple[str, Period]:
    """'develop:2026-Q3' → ('develop', that quarter); a value without a period means all time."""
    key, _colon, token = value.partition(":")
    return key, parse_token(token) or parse_token("")


def _at(allowed) -> Callable[[str], str | None]:
    def parse(raw: str) -> str | None:
        key, colon, token = raw.partition(":")
        period = parse_token(token)
        if key not in allowed or period is None or (colon and not token):
            return None
        return f"{key}:{period.token}" if period.token else key

    return parse


PARSERS = {
    "country": lambda raw: raw.upper() if COUNTRY.match(raw) else None,
    "org_kind": lambda raw: raw if raw in ORG_KINDS else None,
    "reached": lambda raw: raw if raw in ("test", "market") else None,
    "coop": lambda raw: raw if raw in metrics.COOPERATION_FLAGS else None,
    "stalled": {"1": "1", "0": ""}.get,
    "completed": _at(STAGES),
    "entered": _at(STAGES),
    "decision": _at((*metrics.DECIDED, "any")),
}


def read(args) -> tuple[dict[str, str], list[str]]:
    """The figure filters in args, normalised; a malformed one is left out with a message."""
    values, problems = {}, []
    for name in NAMES:
        raw = args.get(name, "").strip()
        if not raw:
            continue
        value = PARSERS[name](raw)
        if value is None:
            problems.append(
                _(
                    "The filter %(name)s=“%(value)s” was ignored: give %(expected)s.",
                    name=name,
                    value=raw[:60],
                    expected=PROBLEMS[name],
                )
            )
        elif value:
            values[name] = value
    return values, problems


def conditions(f) -> list[sa.ColumnElement[bool]]:
    """WHERE conditions for the figure filters of f, built by the dashboard's own SQL."""
    found = []
    if f.country:
        found.append(metrics.participant_exists("country", f.country))
    if f.org_kind:
        found.append(metrics.participant_exists("kind", f.org_kind))
    if f.reached:
        found.append(metrics.project_flag(f"reached_{f.reached}"))
    if f.coop:
        found.append(metrics.project_flag(f.coop))
    if f.stalled:
        found.append(metrics.project_flag("stalled"))
    if f.completed:
        found.append(Project.id.in_(flows.completed_stay_projects(*split(f.completed))))
    if f.entered:
        found.append(flows.entry_exists(*split(f.entered)))
    if f.decision:
        found.append(flows.decision_exists(*split(f.decision)))
    return found


def _when(what: str, period: Period) -> str:
    """what, with its period as the reader writes it: "… in Q3 2026" or "… (all time)"."""
    if period.token:
        return _("%(what)s in %(period)s", what=what, period=period.label)
    return _("%(what)s (all time)", what=what)


def label(name: str, value: str, stalled_days: int) -> str:
    key, period = split(value)
    stage = str(STAGE_WORDS.get(key, key))
    match name:
        case "country":
            return _("Participant country: %(country)s", country=value)
        case "org_kind":
            return _("Participant kind: %(kind)s", kind=KIND_LABELS.get(value, value))
        case "reached":
            return _("Reached %(stage)s", stage=STAGE_WORDS.get(value, value))
        case "coop":
            return _("Cooperation: %(kind)s", kind=COOPERATION_LABELS.get(value, value))
        case "stalled":
            return _("Stalled: no activity for %(days)s days", days=stalled_days)
        case "completed":
            return _when(_("Completed a stay in %(stage)s, ended", stage=stage), period)
        case "entered":
            return _when(_("Entered %(stage)s", stage=stage), period)
    if key == "any":
        return _when(_("Any gate decision"), period)
    return _when(_("Gate decision “%(decision)s”", decision=DECISION_LABELS.get(key, key)), period)


def chips(f, site_names: dict[str, str], stalled_days: int) -> list[Chip]:
    """One removable chip per figure filter, and per site when several sites are chosen."""
    found = []
    if len(f.sites) > 1:
        for slug in f.sites:
            rest = [s for s in f.sites if s != slug]
            name = site_names.get(slug, slug)
            found.append(Chip("site", slug, _("Site: %(site)s", site=name), f.as_args(site=rest)))
    for name in NAMES:
        if value := getattr(f, name):
            text = label(name, value, stalled_days)
            found.append(Chip(name, value, text, f.as_args(**{name: None})))
    return found
