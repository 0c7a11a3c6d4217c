"""Marshmallow schemas of the API: replies, query parameters and problem documents."""

from datetime import UTC

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import Length, OneOf

from tracker.api.ids import id_field
from tracker.api.pagination import PageArgs
from tracker.models.base import ALL_STATUSES, ORG_KINDS, PARTICIPATION_ROLES, STAGES

PROBLEM_JSON = "application/problem+json"
PROJECT_SORTS = (
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "last_activity_at",
    "-last_activity_at",
)


class ChangedFieldSchema(ma.Schema):
    """One field someone else changed after the caller read the object."""

    field = fields.String(required=True)
    label = fields.String(required=True)
    read = fields.Raw(
        required=True, allow_none=True, metadata={"description": "Its value then (if known)."}
    )
    current = fields.Raw(required=True, allow_none=True, metadata={"description": "Its value now."})


class ProblemSchema(ma.Schema):
    """An error (RFC 9457): every API error carries status, title and a readable detail."""

    type = fields.String(
        metadata={
            "description": "The kind of error, to branch on: /api/v1/problems/<kind> (the "
            "kinds are listed in this document's description)."
        }
    )
    instance = fields.String(metadata={"description": "The path of the request that failed."})
    status = fields.Integer(metadata={"description": "The HTTP status code."})
    title = fields.String(metadata={"description": "Short name of the status."})
    detail = fields.String(metadata={"description": "What went wrong, in words."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "400 and 422: messages per parameter or field."},
    )
    error_id = fields.String(metadata={"description": "500 only: the id of the logged error."})
    current_version = fields.Integer(
        metadata={"description": "409 on a stale version only: the version to read again."}
    )
    changes = fields.List(
        fields.Nested(ChangedFieldSchema),
        metadata={"description": "409 on a stale version only: what others changed since."},
    )


class SlugSchema(ma.Schema):
    slug = fields.String()


def slugs(description: str) -> fields.Pluck:
    return fields.Pluck(
        SlugSchema, "slug", many=True, required=True, metadata={"description": description}
    )


class ThemeSchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(
        required=True,
        metadata={
            "description": "In the reply's language (Accept-Language, else the token user's "
            "setting) when an admin gave the name in it, else English; the slug never changes."
        },
    )


class SiteSchema(ThemeSchema):
    city = fields.String(required=True)
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2."})
    kind = fields.String(required=True, metadata={"enum": ["headquarters", "satellite"]})


def _shown_contacts() -> dict:
    """Contact persons the view looked up for this reply (organization id -> list)."""
    from flask import g

    return g.get("organization_contacts") or {}


class OrganizationSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(ORG_KINDS)})
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2."})
    city = fields.String(required=True)
    website = fields.String(required=True)
    description = fields.String(required=True)
    member_since = fields.Date(
        required=True, allow_none=True, metadata={"description": "Null for non-members."}
    )
    sites = slugs("Slugs of the affiliated sites.")
    themes = slugs("Slugs of the expertise themes.")
    email_domains = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "E-mail domains (set by admins): a verified single sign-on address "
            "at one of them may ask to join this organization as a member."
        },
    )
    offer = fields.String(required=True, metadata={"description": "What it offers."})
    seek = fields.String(required=True, metadata={"description": "What it seeks."})
    contacts = fields.Function(
        lambda organization: _shown_contacts().get(organization.id),
        allow_none=True,
        metadata={
            "description": "Contact persons [{name, role, email}]: in GET "
            "/api/v1/organizations/<id> only (null elsewhere)."
        },
    )
    version = fields.Integer(
        required=True, metadata={"description": "Send it back with changes (optimistic locking)."}
    )


class OrganizationRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PartnerSchema(ma.Schema):
    organization_id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(
        required=True, metadata={"enum": list(ORG_KINDS), "description": "The organization's."}
    )
    role = fields.String(required=True, metadata={"enum": list(PARTICIPATION_ROLES[1:])})


class ProjectSchema(ma.Schema):
    """A project. Patrons see network projects only, and only their summary: for them
    description, lead_organization and partners are null and named in `withheld`."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    description = fields.String(
        required=True, allow_none=True, metadata={"description": "Null when withheld."}
    )
    site = fields.String(required=True, metadata={"description": "Slug of the host site."})
    kind = fields.String(required=True, metadata={"enum": ["strategy", "product", "service"]})
    stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    status = fields.String(required=True, metadata={"enum": list(ALL_STATUSES)})
    visibility = fields.String(required=True, metadata={"enum": ["network", "consortium"]})
    themes = fields.List(fields.String(), required=True, metadata={"description": "Theme slugs."})
    lead_organization = fields.Nested(
        OrganizationRefSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Null when withheld."},
    )
    partners = fields.List(
        fields.Nested(PartnerSchema),
        required=True,
        allow_none=True,
        metadata={"description": "Participations other than the lead; null when withheld."},
    )
    withheld = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Fields set to null because the token's user may not see them "
            '(patrons: ["description", "lead_organization", "partners"]); [] otherwise.'
        },
    )
    target_test_on = fields.Date(required=True, allow_none=True)
    target_market_on = fields.Date(required=True, allow_none=True)
    launched_on = fields.Date(required=True, allow_none=True)
    stage_entered_at = fields.DateTime(required=True)
    last_activity_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(
        required=True, metadata={"description": "Send it back with changes (optimistic locking)."}
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """{"items": [...], "next_cursor": "..." | null} around item_schema."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as ?cursor= for the next page; null on the last."},
            ),
        },
        name=name,
    )


SitePageSchema = page_schema(SiteSchema, "SitePage")
ThemePageSchema = page_schema(ThemeSchema, "ThemePage")
OrganizationPageSchema = page_schema(OrganizationSchema, "OrganizationPage")
ProjectPageSchema = page_schema(ProjectSchema, "ProjectPage")


def _text(description: str, **kwargs) -> fields.String:
    return fields.String(metadata={"description": description}, **kwargs)


class OrganizationArgs(PageArgs):
    kind = _text("Organization kind.", validate=OneOf(ORG_KINDS))
    country = _text("ISO 3166-1 alpha-2 code.", validate=Length(equal=2))
    site = _text("Slug of an affiliated site.")
    theme = _text("Slug of an expertise theme.")
    q = _text("Text in the name.", validate=Length(max=200))


class ProjectArgs(PageArgs):
    site = _text("Slug of the host site.")
    stage = _text("Stage.", validate=OneOf(STAGES))
    status = _text(
        "Status; withdrawn projects are listed only with status=withdrawn.",
        validate=OneOf(ALL_STATUSES),
    )
    theme = _text("Slug of a theme.")
    organization = id_field("Id of a participating organization (any role).", strict=False)
    q = _text("Text in the title or summary.", validate=Length(max=200))
    mine = fields.Boolean(
        metadata={
            "description": "true: only projects of the user's own organization (and, for site "
            "managers, of their sites)."
        }
    )
    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={"description": "Only projects changed at or after this time (ISO 8601)."},
    )
    sort = _text(
        "Order: id (the default), created_at, updated_at or last_activity_at; a leading "
        "minus sorts newest first (e.g. -updated_at).",
        validate=OneOf(PROJECT_SORTS),
    )
    cursor = fields.String(
        validate=Length(max=200),
        metadata={"description": "The next_cursor of the previous page; omit for the first."},
    )
