"""Stable operationIds and OpenAPI links: how a client finds an operation and chains the next.

A script finds `createProject` in /api/v1/openapi.json instead of guessing paths; a link
says which field of an answer feeds which parameter of the next call (the id of a created
project into `getProject`, its version into `updateProject`), for people and for stateful
testing tools alike.
"""

from tracker.api.blueprint import bp

_PROJECT_ID = "$response.body#/id"
_SAME_PROJECT = "$request.path.project_id"
# The answer's entity tag back as If-Match (a parameter name qualified by its location, as
# OpenAPI allows): what a client sends to change what it just read.
_IF_MATCH = {"header.If-Match": "$response.header.ETag"}


def _link(operation_id: str, description: str, **parameters: str) -> dict:
    return {"operationId": operation_id, "parameters": parameters, "description": description}


def _project_links(project_id: str) -> dict:
    return {
        "GetProject": {
            "operationId": "getProject",
            "parameters": {"project_id": project_id},
            "description": "Read the project again.",
        },
        "UpdateProject": {
            "operationId": "updateProject",
            "parameters": {"project_id": project_id, **_IF_MATCH},
            "requestBody": {"version": "$response.body#/version"},
            "description": "Change the project, sending the version just read (its ETag as "
            "If-Match, or the version in the body).",
        },
        "RequestGate": {
            "operationId": "requestGate",
            "parameters": {"project_id": project_id},
            "description": "Ask for the project's next stage.",
        },
        "ListCriteria": _link(
            "listCriteria", "The exit criteria of its current stage.", project_id=project_id
        ),
        "ListMilestones": _link("listMilestones", "Its milestones.", project_id=project_id),
        "CreateMilestone": _link("createMilestone", "Add a milestone.", project_id=project_id),
        "ListUpdates": _link("listProjectUpdates", "Its progress updates.", project_id=project_id),
        "PostUpdate": _link("createProjectUpdate", "Post an update.", project_id=project_id),
        "ListHistory": _link(
            "listProjectHistory", "Its stage and status changes.", project_id=project_id
        ),
        "ChangeStatus": _link(
            "changeProjectStatus",
            "Hold, stop, reactivate, send back or withdraw it.",
            project_id=project_id,
        ),
        "Nudge": _link("nudgeProject", "Ask its participants for news.", project_id=project_id),
        "CreatePartnerRequest": _link(
            "createPartnerRequest", "Look for a partner.", project_id=project_id
        ),
        "SuggestPartners": _link(
            "suggestPartners", "Organizations that might fit.", project_id=project_id
        ),
    }


_GATE_REQUEST_LINKS = {
    "GetGateRequest": {
        "operationId": "getGateRequest",
        "parameters": {"review_id": "$response.body#/id"},
        "description": "Read the gate request again.",
    },
    "ConfirmGateRequest": {
        "operationId": "confirmGateRequest",
        "parameters": {"review_id": "$response.body#/id"},
        "description": "Confirm it for your organization.",
    },
    "DecideGateRequest": _link(
        "decideGateRequest", "Decide it (site managers).", review_id="$response.body#/id"
    ),
    "ListConditions": _link(
        "listConditions", "The conditions of its decision.", review_id="$response.body#/id"
    ),
}
_FIRST = "$response.body#/items/0/id"
_CRITERIA_LINKS = {
    "TickCriterion": _link(
        "tickCriterion", "Tick the first one.", project_id=_SAME_PROJECT, criterion_id=_FIRST
    ),
    "UntickCriterion": _link(
        "untickCriterion", "Untick the first one.", project_id=_SAME_PROJECT, criterion_id=_FIRST
    ),
}
_CRITERION_LINKS = {
    "UntickCriterion": _link(
        "untickCriterion",
        "Untick it again.",
        project_id=_SAME_PROJECT,
        criterion_id="$request.path.criterion_id",
    ),
    "TickCriterion": _link(
        "tickCriterion",
        "Tick it again.",
        project_id=_SAME_PROJECT,
        criterion_id="$request.path.criterion_id",
    ),
    "RequestGate": _link("requestGate", "Ask for the next stage.", project_id=_SAME_PROJECT),
}


def _milestone_links(milestone_id: str) -> dict:
    return {
        "GetMilestone": _link("getMilestone", "Read it again.", milestone_id=milestone_id),
        "UpdateMilestone": _link(
            "updateMilestone", "Change it or mark it done.", milestone_id=milestone_id
        ),
        "DeleteMilestone": _link("deleteMilestone", "Delete it.", milestone_id=milestone_id),
    }


def _condition_links(condition_id: str) -> dict:
    return {
        "CompleteCondition": _link("completeCondition", "Mark it done.", condition_id=condition_id),
        "ReopenCondition": _link("reopenCondition", "Open it again.", condition_id=condition_id),
    }


def _update_links(update_id: str) -> dict:
    return {
        "EditUpdate": _link("editUpdate", "Mend it (author, 24 h).", update_id=update_id),
        "DeleteUpdate": _link("deleteUpdate", "Delete it (author, 24 h).", update_id=update_id),
    }


def _partner_request_links(request_id: str) -> dict:
    return {
        "ExpressInterest": _link(
            "expressPartnerInterest", "Say your organization is interested.", request_id=request_id
        )
    }


def _interest_links(interest_id: str) -> dict:
    return {
        "AcceptInterest": _link("acceptPartnerInterest", "Accept it.", interest_id=interest_id),
        "DeclineInterest": _link("declinePartnerInterest", "Decline it.", interest_id=interest_id),
    }


def _webhook_links(webhook_id: str) -> dict:
    return {
        "ListDeliveries": _link(
            "listWebhookDeliveries", "Its delivery log.", webhook_id=webhook_id
        ),
        "DeleteWebhook": _link("deleteWebhook", "Remove it.", webhook_id=webhook_id),
    }


def _organization_links(organization_id: str) -> dict:
    return {
        "GetOrganization": {
            "operationId": "getOrganization",
            "parameters": {"organization_id": organization_id},
            "description": "Read it again.",
        },
        "UpdateOrganization": {
            "operationId": "updateOrganization",
            "parameters": {"organization_id": organization_id, **_IF_MATCH},
            "requestBody": {"version": "$response.body#/version"},
            "description": "Change it, sending the version just read (its ETag as If-Match, "
            "or the version in the body).",
        },
    }


_ID = "$response.body#/id"
# Links per operationId and success status (an int, as flask-smorest keys its responses).
LINKS = {
    "createProject": {201: _project_links(_PROJECT_ID)},
    "getProject": {200: _project_links(_SAME_PROJECT)},
    "updateProject": {200: _project_links(_SAME_PROJECT)},
    "changeProjectStatus": {200: _project_links(_SAME_PROJECT)},
    "requestGate": {201: _GATE_REQUEST_LINKS},
    "getGateRequest": {200: _GATE_REQUEST_LINKS},
    "confirmGateRequest": {201: _GATE_REQUEST_LINKS},
    "decideGateRequest": {200: _GATE_REQUEST_LINKS},
    "listCriteria": {200: _CRITERIA_LINKS},
    "tickCriterion": {200: _CRITERION_LINKS},
    "untickCriterion": {200: _CRITERION_LINKS},
    "createMilestone": {201: _milestone_links(_ID)},
    "getMilestone": {200: _milestone_links(_ID)},
    "updateMilestone": {200: _milestone_links(_ID)},
    "listMilestones": {200: _milestone_links(_FIRST)},
    "listConditions": {200: _condition_links(_FIRST)},
    "completeCondition": {200: _condition_links(_ID)},
    "reopenCondition": {200: _condition_links(_ID)},
    "createProjectUpdate": {201: _update_links(_ID)},
    "listProjectUpdates": {200: _update_links(_FIRST)},
    "editUpdate": {200: _update_links(_ID)},
    "createPartnerRequest": {201: _partner_request_links(_ID)},
    "expressPartnerInterest": {201: _interest_links(_ID)},
    "createWebhook": {201: _webhook_links(_ID)},
    "createOrganization": {201: _organization_links(_ID)},
    "getOrganization": {200: _organization_links("$request.path.organization_id")},
    "updateOrganization": {200: _organization_links("$request.path.organization_id")},
    "listNotifications": {
        200: {
            "MarkRead": _link(
                "markNotificationRead", "Mark the newest read.", notification_id=_FIRST
            )
        }
    },
}


def operation(operation_id: str):
    """Name a view's operation in the OpenAPI document, with the links of its answers."""
    responses = {status: {"links": links} for status, links in LINKS.get(operation_id, {}).items()}
    return bp.doc(operationId=operation_id, **({"responses": responses} if responses else {}))
