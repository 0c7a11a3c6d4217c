"""Notifications in the reader's language: rebuilt from their kind and stored text."""

import re
from collections.abc import Callable
from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from tracker.dashboard.overview import DECISION_LABELS
from tracker.i18n import LANGUAGES, STAGE_NAMES
from tracker.models import Notification

# The texts the services store (tracker/reviews, tracker/projects). Stage and decision names
# were written in the actor's language, so they are matched in every language.
GATE_REQUESTED = re.compile(
    r"^(?P<actor>.+) requests the gate (?P<a>.+?) → (?P<b>.+?) for “(?P<title>.*)”\.$", re.S
)
GATE_DECIDED = re.compile(
    r"^Gate decision for “(?P<title>.*)”: (?P<decision>[^(]+?) \((?P<a>.+?) → (?P<b>.+?)\)\. "
    r"Reason: (?P<reason>.*)$",
    re.S,
)
STATUS_CHANGED = re.compile(
    r"^“(?P<title>.*)” was (?P<verb>put on hold|stopped|reactivated|sent back|withdrawn): "
    r"(?P<reason>.*)$",
    re.S,
)
PARTNER_ADDED = re.compile(
    r"^(?P<org>.+?) was added to “(?P<title>.*)” as (?P<role>[a-z -]+)\.$", re.S
)
GATE_CONFIRMATION = re.compile(
    r"^Please confirm the gate request for “(?P<title>.*)”: (?P<a>.+?) → (?P<b>.+?)\.$", re.S
)
GATE_CONFIRMED = re.compile(
    r"^(?P<org>.+?) confirmed the gate request (?P<a>.+?) → (?P<b>.+?) for “(?P<title>.*)”\.$",
    re.S,
)
UPDATE_POSTED = re.compile(r"^(?P<actor>.+?) posted an update on “(?P<title>.*)”\.$", re.S)
NEW_UPDATE = re.compile(r"^New update on “(?P<title>.*)”\.$", re.S)  # before the event table
NUDGE = re.compile(r"^(?P<actor>.+?) asks about “(?P<title>.*?)”: (?P<text>.*)$", re.S)
DUE = re.compile(
    r"^(?P<what>Milestone|Condition|Target date) “(?P<item>.*)” of “(?P<title>.*)” "
    r"(?P<verb>is due|was due) on (?P<date>\d{4}-\d{2}-\d{2})\.$",
    re.S,
)
STALLED = re.compile(
    r"^“(?P<title>.*)” has had no activity since (?P<date>\d{4}-\d{2}-\d{2})\.$", re.S
)
PARTNER_INTEREST = re.compile(
    r"^(?P<org>.+?) is interested in the partner request for “(?P<title>.*)”\.$", re.S
)
INTEREST_DECLINED = re.compile(  # tracker/matchmaking/services.py
    r"^(?P<org>.+?)'s interest in the partner request “(?P<excerpt>.*)” was declined\.$", re.S
)
_names: dict[str, dict[str, str]] = {}


def _key_for(labels: dict, text: str) -> str | None:
    """The key whose label, in any of the app's languages, is text (cached per label set)."""
    cache_key = str(id(labels))
    if cache_key not in _names:
        found = {}
        for code in LANGUAGES:
            with force_locale(code):
                found |= {str(label): key for key, label in labels.items()}
        _names[cache_key] = found
    return _names[cache_key].get(text.strip())


def _stage(text: str) -> str | None:
    key = _key_for(STAGE_NAMES, text)
    return str(STAGE_NAMES[key]) if key else None


def _gate_requested(m: re.Match) -> str | None:
    a, b = _stage(m["a"]), _stage(m["b"])
    if a is None or b is None:
        return None
    return _(
        "%(actor)s requests the gate %(from_stage)s → %(to_stage)s for “%(project_title)s”.",
        actor=m["actor"],
        from_stage=a,
        to_stage=b,
        project_title=m["title"],
    )


def _gate_decided(m: re.Match) -> str | None:
    a, b, key = _stage(m["a"]), _stage(m["b"]), _key_for(DECISION_LABELS, m["decision"])
    if a is None or b is None or key is None:
        return None
    return _(
        "Gate decision for “%(project_title)s”: %(decision)s (%(from_stage)s → %(to_stage)s). "
        "Reason: %(reason)s",
        project_title=m["title"],
        decision=DECISION_LABELS[key],
        from_stage=a,
        to_stage=b,
        reason=m["reason"],
    )


def _status_changed(m: re.Match) -> str:
    values = {"project_title": m["title"], "reason": m["reason"]}
    match m["verb"]:
        case "put on hold":
            return _("“%(project_title)s” was put on hold: %(reason)s", **values)
        case "stopped":
            return _("“%(project_title)s” was stopped: %(reason)s", **values)
        case "reactivated":
            return _("“%(project_title)s” was reactivated: %(reason)s", **values)
        case "withdrawn":
            return _("“%(project_title)s” was withdrawn: %(reason)s", **values)
    return _("“%(project_title)s” was sent back one stage: %(reason)s", **values)


def _partner_added(m: re.Match) -> str | None:
    role = {
        "partner": _("partner"),
        "research partner": _("research partner"),
        "start-up": _("start-up"),
        "startup": _("start-up"),
        "pilot customer": _("pilot customer"),
        "lead": _("lead"),
    }.get(m["role"])
    if role is None:
        return None
    return _(
        "%(organization)s was added to “%(project_title)s” as %(role)s.",
        organization=m["org"],
        project_title=m["title"],
        role=role,
    )


def _gate_confirmation(m: re.Match) -> str | None:
    a, b = _stage(m["a"]), _stage(m["b"])
    if a is None or b is None:
        return None
    return _(
        "Please confirm the gate request for “%(project_title)s”: %(from_stage)s → %(to_stage)s.",
        project_title=m["title"],
        from_stage=a,
        to_stage=b,
    )


def _new_update(m: re.Match) -> str:
    return _("New update on “%(project_title)s”.", project_title=m["title"])


def _update_posted(m: re.Match) -> str:
    return _(
        "%(actor)s posted an update on “%(project_title)s”.",
        actor=m["actor"],
        project_title=m["title"],
    )


def _gate_confirmed(m: re.Match) -> str | None:
    a, b = _stage(m["a"]), _stage(m["b"])
    if a is None or b is None:
        return None
    return _(
        "%(organization)s confirmed the gate request %(from_stage)s → %(to_stage)s "
        "for “%(project_title)s”.",
        organization=m["org"],
        from_stage=a,
        to_stage=b,
        project_title=m["title"],
    )


def _nudge(m: re.Match) -> str:
    return _(
        "%(actor)s asks about “%(project_title)s”: %(text)s",
        actor=m["actor"],
        project_title=m["title"],
        text=m["text"],
    )


def _due(m: re.Match) -> str | None:
    when = format_date(date.fromisoformat(m["date"]))
    values = {"item": m["item"], "project_title": m["title"], "date": when}
    soon = m["verb"] == "is due"
    match m["what"]:
        case "Milestone" if soon:
            return _("Milestone “%(item)s” of “%(project_title)s” is due on %(date)s.", **values)
        case "Milestone":
            return _("Milestone “%(item)s” of “%(project_title)s” was due on %(date)s.", **values)
        case "Condition" if soon:
            return _("Condition “%(item)s” of “%(project_title)s” is due on %(date)s.", **values)
        case "Condition":
            return _("Condition “%(item)s” of “%(project_title)s” was due on %(date)s.", **values)
    stage = _stage(m["item"])
    if stage is None:
        return None
    values["item"] = stage
    if soon:
        return _("The target date for %(item)s of “%(project_title)s” is %(date)s.", **values)
    return _("The target date for %(item)s of “%(project_title)s” was %(date)s.", **values)


def _stalled(m: re.Match) -> str:
    return _(
        "“%(project_title)s” has had no activity since %(date)s.",
        project_title=m["title"],
        date=format_date(date.fromisoformat(m["date"])),
    )


def _partner_interest(m: re.Match) -> str:
    return _(
        "%(organization)s is interested in the partner request for “%(project_title)s”.",
        organization=m["org"],
        project_title=m["title"],
    )


def _interest_declined(m: re.Match) -> str:
    return _(
        "The interest of %(organization)s in the partner request “%(excerpt)s” was declined.",
        organization=m["org"],
        excerpt=m["excerpt"],
    )


Form = tuple[re.Pattern, Callable[[re.Match], str | None]]
KINDS: dict[str, list[Form]] = {
    "update_posted": [(UPDATE_POSTED, _update_posted), (NEW_UPDATE, _new_update)],
    "gate_requested": [
        (GATE_REQUESTED, _gate_requested),  # to the site's managers: decide
        (GATE_CONFIRMATION, _gate_confirmation),  # to the partners: confirm
    ],
    "gate_confirmation": [(GATE_CONFIRMATION, _gate_confirmation)],  # the demo's, before
    "gate_confirmed": [(GATE_CONFIRMED, _gate_confirmed)],
    "gate_decided": [(GATE_DECIDED, _gate_decided)],
    "status_changed": [(STATUS_CHANGED, _status_changed)],
    "partner_added": [(PARTNER_ADDED, _partner_added)],
    "due_soon": [(DUE, _due)],
    "overdue": [(DUE, _due)],
    "nudge": [(NUDGE, _nudge)],
    "stalled": [(STALLED, _stalled)],
    "partner_interest": [(PARTNER_INTEREST, _partner_interest)],
    "partner_interest_declined": [(INTEREST_DECLINED, _interest_declined)],
}


def notification_text(notification: Notification) -> str:
    """The notification in the current language; the stored text when it is of another form."""
    message = notification.message or ""
    for pattern, show in KINDS.get(notification.kind, ()):
        match = pattern.match(message)
        if match is not None:
            return show(match) or message
    return message
