"""HTTP surface of the emulator: routing, authentication, API limits, response shapes.

``/services/data/`` (versions) needs no session and carries no ``Sforce-Limit-Info``;
every other ``/services/data/vXX.X/...`` call needs a live access token, counts against
the daily limit and answers with ``Sforce-Limit-Info: api-usage=USED/MAX``.
"""

from __future__ import annotations

import json
import re
from email.utils import format_datetime
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.salesforce import duplicates
from sandbox.salesforce.errors import ApiError, not_found
from sandbox.salesforce.streaming.events import change_origin

if TYPE_CHECKING:
    from sandbox.salesforce.emulator import SalesforceEmulator

VERSIONS = {
    "52.0": "Summer '21", "53.0": "Winter '22", "54.0": "Spring '22", "55.0": "Summer '22",
    "56.0": "Winter '23", "57.0": "Spring '23", "58.0": "Summer '23", "59.0": "Winter '24",
    "60.0": "Spring '24", "61.0": "Summer '24", "62.0": "Winter '25",
}
_DATA_PATH = re.compile(r"^/services/data/v(\d+\.\d)(?:/(.*))?$")
SESSION_EXPIRED = ApiError("INVALID_SESSION_ID", "Session expired or invalid", status=401)
API_DISABLED = ApiError("API_CURRENTLY_DISABLED", "API is disabled for this User", status=403)


class Context:
    """One authenticated API request."""

    def __init__(self, request: Request, version: str, user_id: str) -> None:
        self.request = request
        self.version = version
        self.user_id = user_id

    def json(self) -> object:
        try:
            return json.loads(self.request.get_data(as_text=True) or "null")
        except ValueError as exc:
            raise ApiError("JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None

    def record_url(self, object_name: str, record_id: str) -> str:
        return f"/services/data/v{self.version}/sobjects/{object_name}/{record_id}"


def json_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {},
                    content_type="application/json;charset=UTF-8")


def error_response(error: ApiError) -> Response:
    return json_response(error.as_body(), error.status)


def data_parts(path: str) -> tuple[str, list[str]] | None:
    """``(version, path parts after the version)`` for a ``/services/data/vXX.X`` path."""
    match = _DATA_PATH.match(path)
    if match is None:
        return None
    return match.group(1), [p for p in (match.group(2) or "").split("/") if p]


def endpoint_key(method: str, path: str) -> str | None:
    """The name a call is counted under (see the runner's emulator contract)."""
    if path.rstrip("/") == "/services/oauth2/authorize":
        return None
    if path.startswith("/services/oauth2/"):
        return f"{method} oauth2/{path.split('/')[3]}"
    if path.startswith("/id/"):
        return f"{method} id"
    if path.rstrip("/") == "/services/data":
        return f"{method} versions"
    if path.startswith("/cometd/"):
        return f"{method} cometd"
    parsed = data_parts(path)
    if parsed is None:
        return f"{method} other"
    parts = parsed[1]
    if not parts:
        return f"{method} resources"
    head = parts[0]
    if head in ("query", "queryAll", "limits"):
        return f"{method} {head}"
    if head == "composite" and parts[1:2] == ["sobjects"]:
        return f"{method} composite/sobjects"
    if head == "sobjects":
        if len(parts) == 1:
            return f"{method} sobjects"
        if len(parts) == 2:
            return f"{method} sobjects/{{type}}"
        if parts[2] in ("describe", "updated", "deleted"):
            return f"{method} sobjects/{{type}}/{parts[2]}"
        if len(parts) == 4:
            return f"{method} sobjects/{{type}}/{{field}}/{{value}}"
        return f"{method} sobjects/{{type}}/{{id}}"
    return f"{method} {head}"


def handle(em: SalesforceEmulator, request: Request) -> Response:
    """Answer one request. Like Salesforce, every answer carries ``Date``: here the
    sandbox clock's time, so a client that bases its incremental window on the server's
    time sees the time the sandbox's records are stamped with."""
    response = _answer(em, request)
    response.headers["Date"] = format_datetime(em.clock.now(), usegmt=True)
    return response


def _answer(em: SalesforceEmulator, request: Request) -> Response:
    from sandbox.salesforce import oauth_api, query_api, records_api

    path = request.path
    if path.rstrip("/") == "/services/data":
        return json_response([
            {"label": label, "url": f"/services/data/v{v}", "version": v}
            for v, label in VERSIONS.items()
        ])
    if path.startswith("/services/oauth2/") or path.startswith("/id/"):
        return oauth_api.handle(em, request)
    if path.startswith("/cometd/"):
        # The Streaming API (sandbox/salesforce/streaming): not an API call, no limit.
        return em.streaming.handle(request)
    parsed = data_parts(path)
    if parsed is None or parsed[0] not in VERSIONS:
        return error_response(not_found())
    version, parts = parsed
    grant = em.authenticate(request)
    if grant is None:
        return error_response(SESSION_EXPIRED)
    if not em.permissions_of(grant.user_id).get("PermissionsApiEnabled"):
        # A user without "API Enabled" signs in but every API call is refused.
        return error_response(API_DISABLED)
    allowed, usage = em.use_api_call()
    headers = {"Sforce-Limit-Info": f"api-usage={usage}"}
    if not allowed:
        response = error_response(ApiError("REQUEST_LIMIT_EXCEEDED",
                                           "TotalRequests Limit exceeded.", status=403))
    else:
        ctx = Context(request, version, grant.user_id)
        try:
            # Change events name the API that wrote (ChangeEventHeader.changeOrigin).
            with change_origin(_origin(version, request)), duplicates.api_request(
                    version, request.headers.get("Sforce-Duplicate-Rule-Header")):
                response = _route(em, ctx, parts, records_api, query_api)
        except ApiError as error:
            response = error_response(error)
    response.headers.update(headers)
    return response


def _origin(version: str, request: Request) -> str:
    """``com/salesforce/api/rest/59.0`` plus ``;client=X`` from ``Sforce-Call-Options``."""
    origin = f"com/salesforce/api/rest/{version}"
    for option in request.headers.get("Sforce-Call-Options", "").split(","):
        name, _, value = option.strip().partition("=")
        if name == "client" and value:
            origin += f";client={value}"
    return origin


def _route(em, ctx: Context, parts: list[str], records_api, query_api) -> Response:
    method = ctx.request.method
    head = parts[0] if parts else ""
    if not parts and method == "GET":
        base = f"/services/data/v{ctx.version}"
        names = ("tooling", "metadata", "eclair", "folders", "prechatForms", "chatter",
                 "tabs", "appMenu", "quickActions", "queryAll", "commerce", "wave",
                 "analytics", "search", "identity", "composite", "parameterizedSearch",
                 "theme", "nouns", "event", "serviceTemplates", "recent", "connect",
                 "licensing", "limits", "process", "async-queries", "query", "jobs",
                 "match", "emailConnect", "compactLayouts", "knowledgeManagement",
                 "sobjects", "actions", "support")
        body = {n: f"{base}/{n}" for n in names}
        body["identity"] = f"{em.base_url}/id/{em.org_id}/{ctx.user_id}"
        return json_response(body)
    if head == "limits" and len(parts) == 1 and method == "GET":
        return json_response(em.limits())
    if head in ("query", "queryAll") and method == "GET":
        return query_api.handle(em, ctx, head, parts[1:])
    if head == "composite" and parts[1:2] == ["sobjects"]:
        return records_api.collections(em, ctx, parts[2:])
    if head == "sobjects":
        return records_api.sobjects(em, ctx, parts[1:])
    raise not_found()
