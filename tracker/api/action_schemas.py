"""Bodies and replies of the API's page actions: criteria, milestones, conditions, status
changes, edited updates, lessons and the token's own user (design §13)."""

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import Length, OneOf

from tracker.api.bodies import Body, text
from tracker.api.pagination import PageArgs
from tracker.api.schemas import page_schema
from tracker.models.base import ROLES, STAGES
from tracker.projects.progress import MILESTONE_TITLE_LIMIT, UPDATE_LIMIT
from tracker.reviews.rules import MAX_REASON

STATUS_ACTIONS = ("hold", "stop", "reactivate", "send_back", "withdraw")


class CriterionSchema(ma.Schema):
    """An exit criterion of the project's current stage and whether the project ticked it."""

    id = fields.Integer(required=True)
    text = fields.String(required=True)
    ticked = fields.Boolean(required=True)
    ticked_at = fields.DateTime(required=True, allow_none=True)


class CriteriaSchema(ma.Schema):
    stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    items = fields.List(fields.Nested(CriterionSchema), required=True)


class MilestoneSchema(ma.Schema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    title = fields.String(required=True)
    due_on = fields.Date(required=True, allow_none=True)
    done = fields.Boolean(required=True)
    done_at = fields.DateTime(required=True, allow_none=True)
    overdue = fields.Boolean(
        required=True, metadata={"description": "Past its due date and not done."}
    )


class MilestoneInputSchema(Body):
    """A new milestone."""

    title = text(MILESTONE_TITLE_LIMIT, "What is to be reached.", required=True)
    due_on = fields.Date(allow_none=True, metadata={"description": "May lie in the past."})


class MilestonePatchSchema(Body):
    """The fields to change; others stay."""

    title = text(MILESTONE_TITLE_LIMIT, "What is to be reached.", blank=False)
    due_on = fields.Date(allow_none=True, metadata={"description": "Null removes the date."})
    done = fields.Boolean(metadata={"description": "true marks it done, false opens it again."})


class ConditionDetailSchema(ma.Schema):
    """A condition of a conditional go; open ones block the project's next gate request."""

    id = fields.Integer(required=True)
    gate_request_id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    text = fields.String(required=True)
    due_on = fields.Date(required=True, allow_none=True)
    done = fields.Boolean(required=True)
    done_at = fields.DateTime(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)


class ConditionListSchema(ma.Schema):
    items = fields.List(fields.Nested(ConditionDetailSchema), required=True)


class StatusChangeSchema(Body):
    """A status change of the project, with the reason people will read."""

    action = fields.String(
        required=True,
        validate=OneOf(STATUS_ACTIONS),
        metadata={
            "description": "hold, stop, reactivate, send_back: the host site's managers and "
            "admins; withdraw: the lead organization's members and admins."
        },
    )
    reason = text(MAX_REASON, "Why; a stop reason appears under lessons.", required=True)


class UpdatePatchSchema(Body):
    body = text(UPDATE_LIMIT, "The new text.", required=True)


class LessonProjectSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    site = fields.String(required=True, metadata={"description": "Slug of the host site."})


class LessonSchema(ma.Schema):
    """A stopped project and the reason of its latest stop."""

    project = fields.Nested(LessonProjectSchema, required=True)
    reason = fields.String(required=True)
    stopped_at = fields.DateTime(required=True, allow_none=True)


class LessonArgs(PageArgs):
    q = fields.String(
        validate=Length(max=200),
        metadata={"description": "Text in the title, summary or stop reason."},
    )


class MeOrganizationSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MeSchema(ma.Schema):
    """The user the token belongs to."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": list(ROLES)})
    organization = fields.Nested(
        MeOrganizationSchema, required=True, allow_none=True, metadata={"description": "If any."}
    )
    sites = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Slugs of the sites a site manager manages; [] for others."},
    )
    token_scope = fields.String(
        required=True, metadata={"enum": ["read", "write"], "description": "This token's scope."}
    )


MilestonePageSchema = page_schema(MilestoneSchema, "MilestonePage")
LessonPageSchema = page_schema(LessonSchema, "LessonPage")
