"""Stable operationIds and OpenAPI links: how a client finds an operation and chains the next.

A script finds `createProject` in /api/v1/openapi.json instead of guessing paths; a link
says which field of an answer feeds which parameter of the next call (the id of a created
project into `getProject`, its version into `updateProject`), for people and for stateful
testing tools alike.
"""

from tracker.api.blueprint import bp

_PROJECT_ID = "$response.body#/id"
_SAME_PROJECT = "$request.path.project_id"


def _project_links(project_id: str) -> dict:
    return {
        "GetProject": {
            "operationId": "getProject",
            "parameters": {"project_id": project_id},
            "description": "Read the project again.",
        },
        "UpdateProject": {
            "operationId": "updateProject",
            "parameters": {"project_id": project_id},
            "requestBody": {"version": "$response.body#/version"},
            "description": "Change the project, sending the version just read.",
        },
        "RequestGate": {
            "operationId": "requestGate",
            "parameters": {"project_id": project_id},
            "description": "Ask for the project's next stage.",
        },
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
}

# Links per operationId and success status (an int, as flask-smorest keys its responses).
LINKS = {
    "createProject": {201: _project_links(_PROJECT_ID)},
    "getProject": {200: _project_links(_SAME_PROJECT)},
    "updateProject": {200: _project_links(_SAME_PROJECT)},
    "requestGate": {201: _GATE_REQUEST_LINKS},
}


def operation(operation_id: str):
    """Name a view's operation in the OpenAPI document, with the links of its answers."""
    responses = {status: {"links": links} for status, links in LINKS.get(operation_id, {}).items()}
    return bp.doc(operationId=operation_id, **({"responses": responses} if responses else {}))
