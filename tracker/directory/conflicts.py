"""Optimistic locking of organizations: what someone else changed after an editor read one."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.activity import values_when_read
from tracker.extensions import db
from tracker.models import AuditEvent, Organization
from tracker.refusal import Refused

UPDATE_ACTION = "organization.update"
FIELD_LABELS = {
    "name": _l("Name"),
    "kind": _l("Kind"),
    "country": _l("Country"),
    "city": _l("City"),
    "website": _l("Website"),
    "description": _l("Description"),
    "member_since": _l("Member since"),
    "sites": _l("Sites"),
    "themes": _l("Expertise themes"),
}
COLUMNS = ("name", "kind", "country", "city", "website", "description", "member_since")


class DirectoryError(Refused):
    """A refused change, with a message for the user and the form field it concerns."""


@dataclass
class ChangedField:
    field: str
    label: str
    read: Any  # the value when the editor read the organization (None when unknown)
    current: Any


class OrganizationConflict(DirectoryError):
    """Someone saved the organization after the editor read it; nothing was written."""

    def __init__(self, changes: list[ChangedField], current_version: int):
        super().__init__(
            _("Someone else saved this organization since you opened it."), field="version"
        )
        self.changes = changes
        self.current_version = current_version


def snapshot(organization: Organization) -> dict[str, Any]:
    """The audited fields of an organization, as the audit trail stores them."""
    data = {name: getattr(organization, name) for name in COLUMNS}
    if isinstance(data["member_since"], date):
        data["member_since"] = data["member_since"].isoformat()
    data["sites"] = sorted(site.slug for site in organization.sites)
    data["themes"] = sorted(theme.slug for theme in organization.themes)
    return data


def conflict(organization: Organization, expected_version: int) -> OrganizationConflict:
    """What changed since expected_version, from the audit trail, with current values.

    Each update records the version pair it moved the organization from and to, so the
    events after expected_version tell which fields moved and what they were when read.
    """
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.object_type == "organization",
            AuditEvent.object_id == organization.id,
            AuditEvent.action == UPDATE_ACTION,
        )
        .order_by(AuditEvent.id.desc())
        .limit(50)
    ).all()
    read = values_when_read(reversed(events), expected_version)
    read = {name: value for name, value in read.items() if name in FIELD_LABELS}
    current = snapshot(organization)
    changes = [
        ChangedField(name, str(FIELD_LABELS[name]), old, current[name])
        for name, old in read.items()
        if old != current[name]
    ]
    return OrganizationConflict(changes, organization.version)
