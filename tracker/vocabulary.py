"""The words for the tracker's fixed values, in one place: pages, CSV, PDF and charts use these."""

from flask_babel import lazy_gettext as _l

# A project's stage and status (Project.stage, Project.status) and its kind (Project.kind).
STAGE_LABELS = {"develop": _l("Develop"), "test": _l("Test"), "market": _l("Market")}
STATUS_LABELS = {
    "active": _l("Active"),
    "on_hold": _l("On hold"),
    "stopped": _l("Stopped"),
    "withdrawn": _l("Withdrawn"),
}
PROJECT_KIND_LABELS = {
    "strategy": _l("Strategy"),
    "product": _l("Product"),
    "service": _l("Service"),
}

# A gate decision (GateReview.decision).
DECISION_LABELS = {
    "go": _l("Go"),
    "conditional_go": _l("Conditional go"),
    "recycle": _l("Recycle"),
    "hold": _l("Hold"),
    "stop": _l("Stop"),
}

# A participating organization's role in a project (Participation.role).
PARTICIPATION_ROLE_LABELS = {
    "lead": _l("Lead"),
    "partner": _l("Partner"),
    "research_partner": _l("Research partner"),
    "startup": _l("Start-up"),
    "pilot_customer": _l("Pilot customer"),
}

# An organization's kind (Organization.kind).
ORG_KIND_LABELS = {
    "member_company": _l("Member company"),
    "startup": _l("Start-up"),
    "research_institution": _l("Research institution"),
    "partner": _l("Partner"),
    "public_body": _l("Public body"),
}

# Account roles (User.role).
ROLE_LABELS = {
    "admin": _l("Admin"),
    "site_manager": _l("Site manager"),
    "member": _l("Member"),
    "patron": _l("Patron"),
}


def role_label(user_or_role) -> str:
    """The role of a user (or a role name) in the reader's language."""
    role = getattr(user_or_role, "role", user_or_role)
    return ROLE_LABELS.get(role, role)
