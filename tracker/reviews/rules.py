"""The gate and status state machine as pure functions: what may happen to a project now."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tracker.models.base import next_stage, previous_stage

DECISION_LABELS = {
    "go": _l("Go"),
    "conditional_go": _l("Conditional go"),
    "recycle": _l("Recycle"),
    "hold": _l("Hold"),
    "stop": _l("Stop"),
}
DECISION_HELP = {
    "go": "Advance to the next stage.",
    "conditional_go": "Advance, with conditions to close before the next gate request.",
    "recycle": "Stay in this stage; the reason is the feedback to the team.",
    "hold": "Pause the project (status on hold).",
    "stop": "Stop the project; the reason appears under Lessons.",
}
STAGE_LABELS = {"develop": _l("Develop"), "test": _l("Test"), "market": _l("Market")}
MAX_EVIDENCE = 5000
MAX_REASON = 5000
MAX_CONDITION = 500


@dataclass(frozen=True)
class StatusAction:
    label: str
    verb: str  # completes "The project was …"
    from_statuses: frozenset[str]
    to_status: str
    refusal: str
    confirm: str | None = None  # asked before submitting (destructive actions)


STATUS_ACTIONS = {
    "hold": StatusAction(
        "Put on hold",
        "put on hold",
        frozenset({"active"}),
        "on_hold",
        "Only active projects can be put on hold.",
    ),
    "stop": StatusAction(
        "Stop",
        "stopped",
        frozenset({"active", "on_hold"}),
        "stopped",
        "This project is already stopped.",
        "Stop this project? It leaves the pipeline and its reason appears under Lessons.",
    ),
    "reactivate": StatusAction(
        "Reactivate",
        "reactivated",
        frozenset({"on_hold", "stopped"}),
        "active",
        "Only projects on hold or stopped can be reactivated.",
    ),
    "send_back": StatusAction(
        "Send back one stage",
        "sent back",
        frozenset({"active"}),
        "active",
        "Only active projects can be sent back.",
        "Send this project back one stage? Its time in stage starts again.",
    ),
}


def gate_refusal(status: str, stage: str, pending: bool, open_conditions: list[str]) -> str | None:
    """Why a gate request is refused now, or None when one may be made."""
    if status != "active":
        return "Only active projects can request a gate."
    if next_stage(stage) is None:
        return "Projects in market have no further gate."
    if pending:
        return "A gate request is already pending."
    if open_conditions:
        listed = "; ".join(open_conditions)
        return f"Open conditions from the last conditional go must be closed first: {listed}"
    return None


def status_refusal(action: str, status: str, stage: str) -> str | None:
    """Why a hold / stop / reactivate / send back is refused now, or None."""
    rule = STATUS_ACTIONS.get(action)
    if rule is None:
        return "Unknown status change."
    if status not in rule.from_statuses:
        return rule.refusal
    if action == "send_back" and previous_stage(stage) is None:
        return "Projects in develop cannot be sent back further."
    return None


def target_stage(action: str, stage: str) -> str:
    if action == "send_back":
        return previous_stage(stage) or stage
    return stage
