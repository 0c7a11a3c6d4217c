"""The OpenAPI document as client generators like it (design §13).

flask-smorest writes each field's allowed values inline, so a generator made one enum class
per field (`StageEventFromStageType1`, …) and a project's stage could not be passed to the
list's `stage` filter. Here, on the finished document:

- every set of allowed values that names a domain concept becomes one component (`Stage`,
  `Status`, `Decision`, `OrganizationKind`, `PartnerRole`, …) referenced everywhere, in
  bodies, replies and query parameters alike; a nullable one is `anyOf [$ref, null]`, so
  no enum lists `null`;
- every request body gets an example; the document gets `servers` and a description of the
  conventions (tokens, errors, cursors, entity tags, retries, scopes, limits);
- every POST declares the optional `Idempotency-Key` header (inline, so that a simple client
  reading `parameters` needs no `$ref` resolution) and the 422 its reuse with another request
  answers;
- components nothing refers to are dropped.
"""

import copy
from typing import Any

from flask import has_request_context, request

from tracker.api.problems import PROBLEM_KINDS, type_uri
from tracker.api.schemas import PROJECT_SORTS
from tracker.models.base import (
    ALL_STATUSES,
    DECISIONS,
    ORG_KINDS,
    PARTICIPATION_ROLES,
    PROJECT_KINDS,
    ROLES,
    SITE_KINDS,
    STAGES,
    TOKEN_SCOPES,
    VISIBILITIES,
)
from tracker.models.integration import DELIVERY_STATES, WEBHOOK_EVENTS
from tracker.models.matchmaking import INTEREST_STATUSES

# name -> (values, description); a field whose allowed values are exactly one of these sets
# refers to the component.
ENUMS: dict[str, tuple[tuple, str]] = {
    "Stage": (STAGES, "A stage of the pipeline."),
    "Status": (ALL_STATUSES, "A project's status; withdrawn projects leave lists and counts."),
    "Decision": (DECISIONS[1:], "A gate decision."),
    "GateDecision": (DECISIONS, "A gate request's decision: pending until decided."),
    "OrganizationKind": (ORG_KINDS, "The kind of an organization."),
    "PartnerRole": (PARTICIPATION_ROLES[1:], "A partner's role in a project (not lead)."),
    "SoughtKind": (
        ("startup", "research_institution", "member_company", "partner"),
        "The kind of partner a partner request seeks.",
    ),
    "ProjectKind": (PROJECT_KINDS, "The kind of a project."),
    "Visibility": (VISIBILITIES, "network: every member sees it; consortium: participants."),
    "SiteKind": (SITE_KINDS, "The kind of a site."),
    "Role": (ROLES, "A user's role."),
    "TokenScope": (TOKEN_SCOPES, "What an API token may do."),
    "StatusAction": (
        ("hold", "stop", "reactivate", "send_back", "withdraw"),
        "A status change of a project.",
    ),
    "GateRequestState": (("pending", "decided", "all"), "Which gate requests to list."),
    "ProjectSort": (PROJECT_SORTS, "The order of a project list; a leading minus: newest first."),
    "InterestStatus": (INTEREST_STATUSES, "The state of an interest."),
    "PartnerRequestStatus": (
        ("open", "filled", "withdrawn", "closed"),
        "The state of a partner request.",
    ),
    "NetworkPeriod": (("12m", "24m", "all"), "The period of the cooperation network."),
    "NetworkDetail": (("organizations", "sites"), "What the network shows."),
    "DeliveryState": (DELIVERY_STATES, "The state of a webhook delivery."),
    "WebhookEvent": (WEBHOOK_EVENTS, "An event a webhook can receive."),
}
_BY_VALUES = {frozenset(values): name for name, (values, _d) in ENUMS.items()}

DESCRIPTION = """\
JSON API of the Innovation Tracker, with the same rules as the pages.

**Tokens.** Every call but this document needs `Authorization: Bearer <token>`. Create a token
on /account (or `flask --app tracker create-api-token EMAIL [--scope read]`). A `read` token
may only GET; its writes answer 403 with type `/api/v1/problems/read-only-token`.
`GET /api/v1/me` tells whose token it is.

**Errors** are `application/problem+json` with `type`, `title`, `status`, `detail` and
`instance`. Branch on `type` (compare it as a string: an absolute URI on the host you
called; each one is also a page saying what the kind means, JSON with
`Accept: application/json`); 422 names each field in `errors`. Kinds: {kinds}.

**Lists** page with a cursor: `?limit=` (1 to 100, default 50) and `?cursor=` with the
`next_cursor` of the previous page (null on the last page).

**Versions.** Projects and organizations carry `version`; their ETag is
`"<version>-<digest>"`. Send the version back with changes in the body (`version`, stale:
409) or the ETag as `If-Match` (its version stale: 412); nothing is changed then, and
`current_version` says what to read.

**Conditional reads.** Every successful read carries an `ETag`, a digest of the reply (it
changes whenever anything shown does, e.g. a project's `last_activity_at`); send it as
`If-None-Match` and an unchanged answer is `304 Not Modified` without a body.

**Safe retries.** Send `Idempotency-Key: <unique key>` with any POST: a repeat with the same
key and request gets the first answer (header `Idempotent-Replayed: true`) and changes
nothing; the same key with another request answers 422. Keys are kept 24 hours.

**Limits.** {limit} per token (all endpoints together). A limited answer is 429 with
`Retry-After` and `X-RateLimit-Limit`, `-Remaining` and `-Reset`; other answers carry none.

**Patrons** see network projects' summaries only: fields they may not see are `null` and
named in `withheld`.
"""


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _named_enum(node: dict) -> dict | None:
    """The replacement of a schema node listing allowed values, or None to keep it."""
    values = node.get("enum")
    if not isinstance(values, list):
        return None
    types = node.get("type")
    nullable = None in values or (isinstance(types, list) and "null" in types)
    plain = [value for value in values if value is not None]
    name = _BY_VALUES.get(frozenset(plain))
    extra = {key: node[key] for key in ("description", "default") if key in node}
    if name is None:
        if None not in values:
            return None
        kept = {key: value for key, value in node.items() if key not in {"enum", "type"}}
        return {"anyOf": [{"type": "string", "enum": plain}, {"type": "null"}], **kept}
    if nullable:
        return {"anyOf": [_ref(name), {"type": "null"}], **extra}
    return {**_ref(name), **extra}


def _walk(node: Any, inside_components_enum: bool = False) -> Any:
    if isinstance(node, dict):
        replaced = None if inside_components_enum else _named_enum(node)
        if replaced is not None:
            return replaced
        return {key: _walk(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(value) for value in node]
    return node


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _drop_unused(document: dict) -> None:
    """Remove components that neither paths nor used components refer to."""
    components = document.get("components", {})
    used: set[str] = set()
    _refs(document.get("paths", {}), used)
    pending = set(used)
    while pending:
        ref = pending.pop()
        _section, kind, name = ref.removeprefix("#/").split("/", 2)[0:3]
        target = components.get(kind, {}).get(name)
        found: set[str] = set()
        _refs(target, found)
        pending |= found - used
        used |= found
    for kind in ("schemas", "responses", "parameters", "examples", "requestBodies", "headers"):
        section = components.get(kind)
        if not section:
            continue
        for name in list(section):
            if f"#/components/{kind}/{name}" not in used:
                del section[name]


def _example_value(schema: dict, components: dict, depth: int = 0) -> Any:
    if depth > 4:
        return None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in ENUMS:
            return ENUMS[name][0][0]
        return _example_value(components.get(name, {}), components, depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return _example_value(schema[key][0], components, depth + 1)
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {
            name: _example_value(prop, components, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2027-03-31"
    if schema.get("format") == "date-time":
        return "2027-03-31T09:00:00+00:00"
    return "text"


# Hand-written examples of the main request bodies (by component name).
EXAMPLES = {
    "ProjectCreate": {
        "title": "Hydrogen-cooled server racks",
        "summary": "Cooling a data centre's racks with green hydrogen.",
        "site": "lingen",
        "kind": "product",
        "visibility": "network",
        "themes": ["ai", "green-hydrogen"],
        "partners": [{"organization_id": 12, "role": "research_partner"}],
    },
    "ProjectPatch": {"summary": "Now with a pilot customer.", "version": 3},
    "UpdateInput": {"body": "Pilot rack running for two weeks without incident."},
    "UpdatePatch": {"body": "Pilot rack running for three weeks without incident."},
    "GateRequestInput": {"evidence": "Prototype tested on site; data-sharing agreement signed."},
    "DecisionInput": {
        "decision": "conditional_go",
        "reason": "Convincing results; two things to close before market.",
        "conditions": [
            "Name a data protection officer",
            {"text": "Book the certification audit", "due_on": "2027-03-31"},
        ],
    },
    "MilestoneInput": {"title": "Pilot contract signed", "due_on": "2027-03-31"},
    "MilestonePatch": {"done": True},
    "StatusChange": {"action": "hold", "reason": "Waiting for the funding decision."},
    "WebhookInput": {
        "url": "https://erp.example.com/hooks/tracker",
        "events": ["gate.decided", "update.posted"],
    },
}


def _examples(document: dict) -> None:
    components = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                if "example" in media or "examples" in media:
                    continue
                schema = media.get("schema", {})
                name = schema.get("$ref", "").rsplit("/", 1)[-1]
                media["example"] = copy.deepcopy(EXAMPLES.get(name)) or _example_value(
                    schema, components
                )


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A key of your choice, unique per change you mean (e.g. a UUID). A repeat of this POST "
        "with the same key and request within 24 hours answers the first answer again "
        "(`Idempotent-Replayed: true`) and changes nothing; the same key with another request "
        "answers 422 (type …/problems/idempotency-key-reused)."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[!-~]+$",
        "example": "5f0c6c1e-8d9b-4d1e-9a39-2f1c0b7b8a11",
    },
}


def _idempotency_keys(document: dict) -> None:
    """Declare Idempotency-Key on every POST, and the 422 a reused key answers."""
    for operations in document.get("paths", {}).values():
        operation = operations.get("post")
        if not isinstance(operation, dict):
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
            parameters.append(copy.deepcopy(IDEMPOTENCY_KEY))
        responses = operation.setdefault("responses", {})
        if "422" not in responses:
            responses["422"] = {
                "description": "The Idempotency-Key was used with another request.",
                "content": {"application/problem+json": {"schema": _ref("Problem")}},
            }


def _body_limits(document: dict) -> None:
    """Declare the 413 that any request body over the size limit answers."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault(
                    "413",
                    {
                        "description": "The request body is larger than the limit.",
                        "content": {"application/problem+json": {"schema": _ref("Problem")}},
                    },
                )


def polish(document: dict, limit: str = "600 per minute") -> dict:
    """The generator-friendly document (a new dict; the input is not changed)."""
    document = _walk(copy.deepcopy(document))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, (values, description) in ENUMS.items():
        schemas[name] = {"type": "string", "enum": list(values), "description": description}
    _examples(document)
    _idempotency_keys(document)
    _body_limits(document)
    _drop_unused(document)
    kinds = ", ".join(f"`{type_uri(kind)}`" for kind in PROBLEM_KINDS)
    info = document.setdefault("info", {})
    info["description"] = DESCRIPTION.format(kinds=kinds, limit=limit)
    if has_request_context():
        document["servers"] = [
            {"url": request.host_url.rstrip("/"), "description": "This Innovation Tracker."}
        ]
    else:
        document["servers"] = [{"url": "/", "description": "This Innovation Tracker."}]
    return dict(sorted(document.items(), key=lambda item: _ORDER.get(item[0], 99)))


_ORDER = {"openapi": 0, "info": 1, "servers": 2, "tags": 3, "paths": 4, "components": 5}


def install(api) -> None:
    """Serve the polished document at /api/v1/openapi.json (and to api.spec.to_dict())."""
    from flask import current_app

    spec = api.spec
    raw = spec.to_dict

    def polished() -> dict:
        limit = current_app.config.get("TRACKER_API_LIMIT", "600 per minute")
        return polish(raw(), limit)

    spec.to_dict = polished
