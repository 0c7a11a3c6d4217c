"""The gate and status state machine as pure functions: what may happen to a project now."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.models.base import next_stage, previous_stage
from tracker.vocabulary import DECISION_LABELS, STAGE_LABELS  # noqa: F401  (rules.*_LABELS)

DECISION_HELP = {
    "go": _l("Advance to the next stage."),
    "conditional_go": _l("Advance, with conditions to close before the next gate request."),
    "recycle": _l("Stay in this stage; the reason is the feedback to the team."),
    "hold": _l("Pause the project (status on hold)."),
    "stop": _l("Stop the project; the reason appears under Lessons."),
}
MAX_EVIDENCE = 5000
MAX_REASON = 5000
MAX_CONDITION = 500


@dataclass(frozen=True)
class StatusAction:
    label: str
    verb: str  # completes "The project was …" in stored English texts (notifications, reviews)
    done: str  # the success message, with %(project_title)s
    from_statuses: frozenset[str]
    to_status: str
    refusal: str
    confirm: str | None = None  # asked before submitting (destructive actions)


STATUS_ACTIONS = {
    "hold": StatusAction(
        _l("Put on hold"),
        "put on hold",
        _l("“%(project_title)s” was put on hold."),
        frozenset({"active"}),
        "on_hold",
        _l("Only active projects can be put on hold."),
    ),
    "stop": StatusAction(
        _l("Stop"),
        "stopped",
        _l("“%(project_title)s” was stopped."),
        frozenset({"active", "on_hold"}),
        "stopped",
        _l("This project is already stopped."),
        _l("Stop this project? It leaves the pipeline and its reason appears under Lessons."),
    ),
    "reactivate": StatusAction(
        _l("Reactivate"),
        "reactivated",
        _l("“%(project_title)s” was reactivated."),
        frozenset({"on_hold", "stopped"}),
        "active",
        _l("Only projects on hold or stopped can be reactivated."),
    ),
    "send_back": StatusAction(
        _l("Send back one stage"),
        "sent back",
        _l("“%(project_title)s” was sent back one stage."),
        frozenset({"active"}),
        "active",
        _l("Only active projects can be sent back."),
        _l("Send this project back one stage? Its time in stage starts again."),
    ),
}


# A hold, stop or send back closes a pending request with this reason, stored in English
# (like every stored text) and shown in the reader's language by reason_text.
CLOSED_REASONS = {
    "put on hold": _l("Closed because the project was put on hold."),
    "stopped": _l("Closed because the project was stopped."),
    "sent back": _l("Closed because the project was sent back."),
    "withdrawn": _l("Closed because the project was withdrawn."),
}


def closed_reason(verb: str) -> str:
    return f"Closed because the project was {verb}."


# Notes the app itself writes on stage events (tracker/projects/services.py, the demo data).
SYSTEM_NOTES = {"Project created": _l("Project created")}


def reason_text(reason: str | None) -> str:
    """A reason or stage-event note for display: the app's own texts in the reader's language,
    what people wrote as they wrote it."""
    for verb, text in CLOSED_REASONS.items():
        if reason == closed_reason(verb):
            return str(text)
    note = SYSTEM_NOTES.get(reason or "")
    return str(note) if note is not None else reason or ""


def gate_refusal(status: str, stage: str, pending: bool, open_conditions: list[str]) -> str | None:
    """Why a gate request is refused now, or None when one may be made."""
    if status != "active":
        return _("Only active projects can request a gate.")
    if next_stage(stage) is None:
        return _("Projects in market have no further gate.")
    if pending:
        return _("A gate request is already pending.")
    if open_conditions:
        listed = "; ".join(open_conditions)
        return _(
            "Open conditions from the last conditional go must be closed first: %(listed)s",
            listed=listed,
        )
    return None


def status_refusal(action: str, status: str, stage: str) -> str | None:
    """Why a hold / stop / reactivate / send back is refused now, or None."""
    rule = STATUS_ACTIONS.get(action)
    if rule is None:
        return _("Unknown status change.")
    if status not in rule.from_statuses:
        return str(rule.refusal)
    if action == "send_back" and previous_stage(stage) is None:
        return _("Projects in develop cannot be sent back further.")
    return None


def target_stage(action: str, stage: str) -> str:
    if action == "send_back":
        return previous_stage(stage) or stage
    return stage
