"""The dashboard's figure filters on /projects: read from the URL, applied with its SQL, named."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
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
COOPERATION_LABELS = {key: label for key, label, _definition in COOPERATION}
PERIOD_HELP = "a stage, optionally with a period such as develop:2026-Q3 or develop:2026"
PROBLEMS = {
    "country": "a two-letter country code such as SE",
    "org_kind": "one of " + ", ".join(ORG_KINDS),
    "reached": "test or market",
    "coop": "one of " + ", ".join(metrics.COOPERATION_FLAGS),
    "stalled": "1",
    "completed": PERIOD_HELP,
    "entered": PERIOD_HELP.replace("develop", "test"),
    "decision": "a gate decision or any, optionally with a period such as go:2026-Q3",
}


@dataclass(frozen=True)
class Chip:
    name: str  # the URL argument, so the filter form can keep it in a hidden field
    value: str
    label: str
    remove: dict  # the URL arguments of the list without this filter


def split(value: str) -> tuple[str, Period]:
    """'develop:2026-Q3' → ('develop', that quarter); a value without a period means all time."""
    key, _, token = value.partition(":")
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
            problems.append(f"The filter {name}=“{raw[:60]}” was ignored: give {PROBLEMS[name]}.")
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


def _in(period: Period) -> str:
    return f" in {period.token}" if period.token else " (all time)"


def label(name: str, value: str, stalled_days: int) -> str:
    key, period = split(value)
    match name:
        case "country":
            return f"Participant country: {value}"
        case "org_kind":
            return f"Participant kind: {KIND_LABELS.get(value, value)}"
        case "reached":
            return f"Reached {value}"
        case "coop":
            return f"Cooperation: {COOPERATION_LABELS.get(value, value)}"
        case "stalled":
            return f"Stalled: no activity for {stalled_days} days"
        case "completed":
            return f"Completed a stay in {key}, ended{_in(period)}"
        case "entered":
            return f"Entered {key}{_in(period)}"
    if key == "any":
        return f"Any gate decision{_in(period)}"
    return f"Gate decision “{DECISION_LABELS.get(key, key)}”{_in(period)}"


def chips(f, site_names: dict[str, str], stalled_days: int) -> list[Chip]:
    """One removable chip per figure filter, and per site when several sites are chosen."""
    found = []
    if len(f.sites) > 1:
        for slug in f.sites:
            rest = [s for s in f.sites if s != slug]
            name = site_names.get(slug, slug)
            found.append(Chip("site", slug, f"Site: {name}", f.as_args(site=rest)))
    for name in NAMES:
        if value := getattr(f, name):
            text = label(name, value, stalled_days)
            found.append(Chip(name, value, text, f.as_args(**{name: None})))
    return found
