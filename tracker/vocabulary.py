"""The words for the tracker's fixed values, in one place: pages, CSV, PDF and charts use these."""

from flask_babel import lazy_gettext as _l

# A participating organization's role in a project (Participation.role).
PARTICIPATION_ROLE_LABELS = {
    "lead": _l("Lead"),
    "partner": _l("Partner"),
    "research_partner": _l("Research partner"),
    "startup": _l("Start-up"),
    "pilot_customer": _l("Pilot customer"),
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
