#!/usr/bin/env python3
"""Talk to the Innovation Tracker API from a script: Python 3.10+, standard library only.

Set two environment variables, then run `python3 examples/api_client.py`:

  TRACKER_URL    the tracker's address, e.g. http://127.0.0.1:5000 (without /api/v1)
  TRACKER_TOKEN  an API token of your account: create one on /account ("API tokens"), or ask
                 an operator for `flask --app tracker create-api-token you@your-company.example`

Optional:

  TRACKER_SITE       slug of the site to host the new project (default: the first site listed)
  TRACKER_TITLE      title of the new project (default: "API pilot <date and time>")
  TRACKER_PAGE_SIZE  projects per page while listing, 1-100 (default 100)

The script learns every path, method and required field from the OpenAPI document at
/api/v1/openapi.json, finding operations by their operationId. It then

  1. lists the projects your account may see, page by page (following `next_cursor`),
  2. creates a project, led by your organization,
  3. requests the gate to the project's next stage (a site manager decides it),
  4. reads the pipeline metrics,

and prints what it did. An error answer is a problem document (RFC 9457): its status, title
and detail are printed and the script stops with exit status 1 (2: not configured, 3: the
server cannot be reached). Adapt the four steps, one function each, to your own needs.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

DOCUMENT_PATH = "/api/v1/openapi.json"
TIMEOUT_SECONDS = 30


class Problem(Exception):
    """An error answer of the API: a problem document with status, title and detail."""

    def __init__(self, status: int, title: str, detail: str, errors=None):
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


class TrackerApi:
    """The API as its OpenAPI document describes it: call(operationId, ...) answers JSON."""

    def __init__(self, base_url: str, token: str):
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise SystemExit(f"TRACKER_URL must start with https:// or http://, not {base_url!r}.")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.document = self._send("GET", self.base_url + DOCUMENT_PATH, authorize=False)
        self.operations = {
            operation["operationId"]: (method.upper(), path, operation)
            for path, item in self.document["paths"].items()
            for method, operation in item.items()
            if isinstance(operation, dict) and "operationId" in operation
        }

    def operation(self, operation_id: str) -> tuple[str, str, dict]:
        """(method, path template, operation object) of an operationId in the document."""
        if operation_id not in self.operations:
            raise SystemExit(f"The API document has no operation {operation_id!r}.")
        return self.operations[operation_id]

    def call(self, operation_id: str, path=None, query=None, body=None):
        """Send one request; the JSON answer, or Problem for an error answer."""
        method, template, operation = self.operation(operation_id)
        path_values = {name: urllib.parse.quote(str(v)) for name, v in (path or {}).items()}
        url = self.base_url + template.format(**path_values)
        query = {name: value for name, value in (query or {}).items() if value is not None}
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if set(query) - declared:  # the server would ignore them silently
            unknown = ", ".join(sorted(set(query) - declared))
            raise SystemExit(f"{operation_id} takes no query parameter {unknown}.")
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return self._send(method, url, body=body)

    def pages(self, operation_id: str, query=None):
        """Each item of a list operation, over all its pages (the cursor handed back each time)."""
        query = dict(query or {})
        while True:
            page = self.call(operation_id, query=query)
            yield from page["items"]
            if page["next_cursor"] is None:
                return
            query["cursor"] = page["next_cursor"]

    def body_schema(self, operation_id: str) -> dict:
        """The JSON schema of an operation's request body, its $ref resolved."""
        _method, _path, operation = self.operation(operation_id)
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        return self.resolve(schema)

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:  # e.g. "#/components/schemas/ProjectCreate"
            node = self.document
            for key in schema["$ref"].removeprefix("#/").split("/"):
                node = node[key]
            schema = node
        return schema

    def required_body(self, operation_id: str, values: dict) -> dict:
        """A body with the fields the document requires, taken from values (a value or a
        function giving one); a required field with a fixed choice (an enum) gets the first."""
        schema = self.body_schema(operation_id)
        body = {}
        for name in schema.get("required", []):
            field = self.resolve(schema["properties"][name])
            if name in values:
                value = values[name]
                body[name] = value() if callable(value) else value
            elif "enum" in field:
                body[name] = field["enum"][0]
            else:
                raise SystemExit(
                    f"{operation_id} now requires the field {name!r} ({field.get('description')})"
                    " and this script does not know what to send: add it to its values."
                )
        return body

    def _send(self, method: str, url: str, body=None, authorize: bool = True):
        headers = {"Accept": "application/json", "User-Agent": "tracker-api-example/1"}
        if authorize:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        # Only http(s): every URL starts with base_url, whose scheme __init__ checked.
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise _problem(error) from None


def _problem(error: urllib.error.HTTPError) -> Problem:
    """The problem document of an error answer (or what can be said without one)."""
    try:
        document = json.load(error)
    except ValueError:
        document = {}
    return Problem(
        document.get("status", error.code),
        document.get("title", error.reason),
        document.get("detail", "(the answer was not a problem document)"),
        document.get("errors"),
    )


def list_projects(api: TrackerApi, page_size: str) -> None:
    """1. Every project this account may see, page by page."""
    projects = list(api.pages("listProjects", {"limit": page_size}))
    print(f"You may see {len(projects)} projects:")
    for project in projects:
        state = f"{project['stage']}, {project['status']}"
        print(f"  #{project['id']} [{state}] {project['title']}")


def create_project(api: TrackerApi, title: str) -> dict:
    """2. A new project; the body holds what the document requires (title, site)."""

    def first_site() -> str:
        return os.environ.get("TRACKER_SITE") or next(api.pages("listSites"))["slug"]

    body = api.required_body("createProject", {"title": title, "site": first_site})
    project = api.call("createProject", body=body)
    lead = project["lead_organization"]["name"]
    print(
        f'Created project #{project["id"]} "{project["title"]}" at {project["site"]},'
        f" led by {lead}, in stage {project['stage']} (version {project['version']})."
    )
    return project


def request_gate(api: TrackerApi, project: dict) -> None:
    """3. Ask for the project's next stage, with the evidence the gate needs."""
    evidence = "Requirements agreed with the partners; a test site is booked."
    body = api.required_body("requestGate", {"evidence": evidence})
    gate = api.call("requestGate", path={"project_id": project["id"]}, body=body)
    print(
        f"Requested gate #{gate['id']}: {gate['from_stage']} -> {gate['to_stage']},"
        f" decision {gate['decision']}."
    )


def show_metrics(api: TrackerApi) -> None:
    """4. The network's pipeline figures (query={"site": slug} narrows them to one site)."""
    metrics = api.call("getPipelineMetrics")
    print("Pipeline metrics:")
    print(json.dumps(metrics, indent=2, sort_keys=True))


def main() -> int:
    base_url, token = os.environ.get("TRACKER_URL"), os.environ.get("TRACKER_TOKEN")
    if not base_url or not token:
        print("Set TRACKER_URL and TRACKER_TOKEN; see the top of this file.", file=sys.stderr)
        return 2
    page_size = os.environ.get("TRACKER_PAGE_SIZE", "100")
    if not page_size.isdigit():
        print("TRACKER_PAGE_SIZE must be a number from 1 to 100.", file=sys.stderr)
        return 2
    title = os.environ.get("TRACKER_TITLE") or f"API pilot {datetime.now():%Y-%m-%d %H:%M}"
    try:
        api = TrackerApi(base_url, token)
        print(f"Read the API document: {len(api.operations)} operations.")
        list_projects(api, page_size)
        project = create_project(api, title)
        request_gate(api, project)
        show_metrics(api)
    except Problem as problem:
        answer = f"{problem.status} {problem.title}: {problem.detail}"
        print(f"The API answered {answer}", file=sys.stderr)
        if problem.errors:
            print(f"  fields: {json.dumps(problem.errors, ensure_ascii=False)}", file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"Cannot reach {base_url}: {error.reason}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
