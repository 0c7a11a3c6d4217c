"""Every model, importable from one place so Alembic and the app see the whole schema."""

from tracker.models.activity import AuditEvent, Milestone, Notification, Update
from tracker.models.base import Base, utcnow
from tracker.models.changes import network_changes
from tracker.models.directory import Organization, Site, Theme
from tracker.models.gate import GateCondition, GateConfirmation, GateReview, StageEvent
from tracker.models.integration import IdempotencyKey, Webhook, WebhookDelivery
from tracker.models.matchmaking import Contact, PartnerInterest, PartnerRequest
from tracker.models.nudge import Nudge
from tracker.models.project import CriterionTick, Participation, Project, StageCriterion
from tracker.models.report import ReportHighlight, ReportPublication
from tracker.models.submission import SubmitToken
from tracker.models.summary import dashboard_counts, dashboard_dirty, dashboard_facts
from tracker.models.user import ApiToken, OneTimeLink, RecoveryCode, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Contact",
    "CriterionTick",
    "GateCondition",
    "GateConfirmation",
    "GateReview",
    "IdempotencyKey",
    "Milestone",
    "Notification",
    "Nudge",
    "OneTimeLink",
    "Organization",
    "Participation",
    "PartnerInterest",
    "PartnerRequest",
    "Project",
    "RecoveryCode",
    "ReportHighlight",
    "ReportPublication",
    "Site",
    "StageCriterion",
    "StageEvent",
    "SubmitToken",
    "Theme",
    "Update",
    "User",
    "Webhook",
    "WebhookDelivery",
    "dashboard_counts",
    "dashboard_dirty",
    "dashboard_facts",
    "network_changes",
    "utcnow",
]
