"""Replies and query parameters of gate requests, stage history and progress updates."""

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import OneOf

from tracker.api.ids import id_field
from tracker.api.pagination import PageArgs
from tracker.api.schemas import page_schema
from tracker.models.base import ALL_STATUSES, DECISIONS, STAGES


class ConfirmationSchema(ma.Schema):
    organization_id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "The organization's name."})
    confirmed_at = fields.DateTime(required=True)


class ConditionSchema(ma.Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    done_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "Null while open."}
    )
    due_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "When it must be done, if set."}
    )


class GateRequestSchema(ma.Schema):
    """A request to move a project to its next stage, and its decision once made."""

    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    from_stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    to_stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    decision = fields.String(
        required=True, metadata={"enum": list(DECISIONS), "description": "pending until decided."}
    )
    evidence = fields.String(required=True)
    reason = fields.String(
        required=True, allow_none=True, metadata={"description": "Null until decided."}
    )
    requested_at = fields.DateTime(required=True)
    requested_by = fields.String(
        required=True, allow_none=True, metadata={"description": "Display name of the requester."}
    )
    decided_at = fields.DateTime(required=True, allow_none=True)
    decided_by = fields.String(required=True, allow_none=True)
    confirmations = fields.List(
        fields.Nested(ConfirmationSchema),
        required=True,
        metadata={"description": "Participating organizations that backed the request."},
    )
    conditions = fields.List(
        fields.Nested(ConditionSchema),
        required=True,
        metadata={"description": "Conditions recorded with a conditional go."},
    )


class GateRequestArgs(PageArgs):
    status = fields.String(
        load_default="all",
        validate=OneOf(["pending", "decided", "all"]),
        metadata={"description": "pending, decided, or all (the default)."},
    )
    project_id = id_field("Only this project's requests.", strict=False)


class StageEventSchema(ma.Schema):
    """One stage or status change; the first event (creation) has no from_ values."""

    id = fields.Integer(required=True)
    from_stage = fields.String(required=True, allow_none=True, metadata={"enum": [*STAGES, None]})
    to_stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    from_status = fields.String(
        required=True, allow_none=True, metadata={"enum": [*ALL_STATUSES, None]}
    )
    to_status = fields.String(required=True, metadata={"enum": list(ALL_STATUSES)})
    at = fields.DateTime(required=True)
    actor = fields.String(
        required=True, allow_none=True, metadata={"description": "Display name, if known."}
    )
    note = fields.String(required=True)
    gate_request_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The decided request, if any."}
    )


class UpdateSchema(ma.Schema):
    """A progress note on a project."""

    id = fields.Integer(required=True)
    body = fields.String(required=True)
    author = fields.String(
        required=True, allow_none=True, metadata={"description": "Display name, if known."}
    )
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "Null unless its author edited it."},
    )


GateRequestPageSchema = page_schema(GateRequestSchema, "GateRequestPage")
StageEventPageSchema = page_schema(StageEventSchema, "StageEventPage")
UpdatePageSchema = page_schema(UpdateSchema, "UpdatePage")
