"""Request bodies: every field typed and bounded; an unknown field is refused (422 naming it)."""

from datetime import date

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import Length, OneOf, Range

from tracker.api.condition_field import condition_list
from tracker.api.ids import id_field
from tracker.directory.countries import COUNTRIES
from tracker.models.base import ORG_KINDS, PROJECT_KINDS, VISIBILITIES
from tracker.projects.domain import PARTNER_ROLES, TEXT_LIMITS
from tracker.projects.progress import UPDATE_LIMIT
from tracker.reviews.rules import DECISION_LABELS, MAX_EVIDENCE, MAX_REASON

MAX_LIST = 100  # themes, partners, sites or conditions in one body
SLUG_LIMIT = 60


class Body(ma.Schema):
    """A JSON object with only the documented fields."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"type": "The body must be a JSON object."}


class Text(fields.String):
    """A string with surrounding whitespace removed before it is checked."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def text(
    limit: int, description: str, required: bool = False, check=None, blank: bool = True
) -> Text:
    length = Length(min=0 if blank and not required else 1, max=limit)
    return Text(
        required=required,
        validate=[length, check] if check else length,
        metadata={"description": f"{description} At most {limit} characters."},
    )


def slug_list(description: str) -> fields.List:
    return fields.List(
        fields.String(validate=Length(min=1, max=SLUG_LIMIT)),
        validate=Length(max=MAX_LIST),
        metadata={"description": description},
    )


# --- projects -------------------------------------------------------------------------------


class PartnerInputSchema(Body):
    organization_id = id_field("Id of the partner organization.", required=True)
    role = fields.String(
        load_default="partner",
        validate=OneOf(PARTNER_ROLES),
        metadata={"description": "Its role (not lead); partner when left out."},
    )


def _project_fields(creating: bool) -> dict:
    """The editable project fields; on create, title and site are required."""
    return {
        "title": text(TEXT_LIMITS["title"], "Title.", required=creating, blank=False),
        "summary": text(TEXT_LIMITS["summary"], "One or two sentences."),
        "description": text(TEXT_LIMITS["description"], "Longer description."),
        "site": fields.String(
            required=creating,
            validate=Length(min=1, max=SLUG_LIMIT),
            metadata={"description": "Slug of the host site (see GET /api/v1/sites)."},
        ),
        "kind": fields.String(validate=OneOf(PROJECT_KINDS), metadata={"description": "Kind."}),
        "visibility": fields.String(
            validate=OneOf(VISIBILITIES),
            metadata={"description": "network: every member sees it; consortium: participants."},
        ),
        "themes": slug_list("Theme slugs (see GET /api/v1/themes); replaces the list."),
        "partners": fields.List(
            fields.Nested(PartnerInputSchema),
            validate=Length(max=MAX_LIST),
            metadata={"description": "The participants besides the lead; replaces the list."},
        ),
        "target_test_on": fields.Date(allow_none=True),
        "target_market_on": fields.Date(allow_none=True),
    }


def _version_field() -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=Range(min=1, max=2**31 - 1),
        metadata={"description": 'The version read; or send If-Match: "<version>".'},
    )


def body_schema(name: str, doc: str, fields_: dict) -> type[Body]:
    """A Body subclass named name (the OpenAPI component is name without "Schema")."""
    return type(name, (Body,), {"__doc__": doc, **fields_})


ProjectCreateSchema = body_schema(
    "ProjectCreateSchema",
    'A new project. Left out: summary and description "", kind product, visibility '
    "network, no themes, no partners. Members lead with their own organization.",
    _project_fields(creating=True)
    | {
        "lead_organization_id": id_field(
            "The lead: members' own organization (the default, the only choice for them); "
            "required for site managers and admins without an organization."
        )
    },
)
ProjectPatchSchema = body_schema(
    "ProjectPatchSchema",
    "The fields to change (others stay), and the version read (or an If-Match header).",
    _project_fields(creating=False)
    | {
        "lead_organization_id": id_field("A new lead (site managers and admins only)."),
        "version": _version_field(),
    },
)


class IfMatchArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    if_match = fields.String(
        data_key="If-Match",
        validate=Length(max=100),
        metadata={"description": 'The version read, as an entity tag: "3" (the ETag of GET).'},
    )


# --- gates and progress ---------------------------------------------------------------------


class GateRequestInputSchema(Body):
    evidence = text(MAX_EVIDENCE, "What shows the project is ready for the next stage.", True)


class DecisionInputSchema(Body):
    decision = fields.String(required=True, validate=OneOf(list(DECISION_LABELS)))
    reason = text(MAX_REASON, "Why; for stop it appears under lessons learned.", True)
    conditions = condition_list(
        "Only with conditional_go, and then at least one: each a text, or an object with "
        "text and due_on.",
        MAX_LIST,
    )

    @ma.validates_schema
    def _conditions_with_conditional_go(self, data: dict, **_kwargs) -> None:
        if data.get("decision") == "conditional_go" and not data.get("conditions"):
            raise ma.ValidationError(
                "A conditional go needs at least one condition in the list.", "conditions"
            )


class UpdateInputSchema(Body):
    body = text(UPDATE_LIMIT, "What happened.", required=True)


# --- organizations --------------------------------------------------------------------------


def _country(value: str) -> None:
    if value not in COUNTRIES:
        raise ma.ValidationError("Not an ISO 3166-1 alpha-2 country code (such as DE or SE).")


def _web_address(value: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if value and (parts.scheme not in {"http", "https"} or not parts.netloc or " " in value):
        raise ma.ValidationError("Enter a web address that starts with http:// or https://.")


def _not_in_future(value: date) -> None:
    from tracker.models import utcnow

    if value > utcnow().date():
        raise ma.ValidationError("The date cannot be in the future.")


def _organization_fields(creating: bool) -> dict:
    return {
        "name": text(200, "Name, unique.", required=creating, blank=False),
        "kind": fields.String(required=creating, validate=OneOf(ORG_KINDS)),
        "country": fields.String(
            required=creating,
            validate=[Length(equal=2), _country],
            metadata={"description": "ISO 3166-1 alpha-2, upper case."},
        ),
        "city": text(120, "City."),
        "website": text(300, "http:// or https:// address, or empty.", check=_web_address),
        "description": text(5000, "What the organization does."),
        "member_since": fields.Date(
            allow_none=True, validate=_not_in_future, metadata={"description": "Null if none."}
        ),
        "sites": slug_list("Slugs of the affiliated sites (site managers: their own)."),
        "themes": slug_list("Slugs of the expertise themes."),
        "email_domains": fields.List(
            fields.String(validate=Length(min=1, max=253)),
            validate=Length(max=20),
            metadata={"description": "Admins only: e-mail domains such as example.org."},
        ),
    }


OrganizationCreateSchema = body_schema(
    "OrganizationCreateSchema",
    "A new organization (admins; site managers with at least one of their sites).",
    _organization_fields(creating=True),
)
OrganizationPatchSchema = body_schema(
    "OrganizationPatchSchema",
    "Fields to change. Members edit their own organization's profile only: name, country, "
    "city, website, description, themes. With the version read (or an If-Match header).",
    _organization_fields(creating=False) | {"version": _version_field()},
)
