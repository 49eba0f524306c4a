"""Check API responses against the generated OpenAPI document (jsonschema).

The document is generated once by drf-spectacular; OpenAPI 3.0's ``nullable`` becomes
JSON Schema's ``null`` type so that the standard validator can check bodies.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
from drf_spectacular.generators import SchemaGenerator


def _to_jsonschema(node: Any) -> Any:
    if isinstance(node, list):
        return [_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    # oneOf → anyOf: drf-spectacular writes blank-able URL fields as oneOf(uri, maxLength 0),
    # and without format checking "" matches both branches.
    out = {("anyOf" if k == "oneOf" else k): _to_jsonschema(v)
           for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operation(path: str, method: str) -> tuple[str, dict]:
    doc = document()
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def assert_matches_schema(response, *, path: str | None = None, method: str | None = None) -> None:
    """The response's status is documented for its operation and its body validates."""
    request = response.wsgi_request
    path = path or request.path
    method = method or request.method
    template, operation = _operation(path, method)
    code = str(response.status_code)
    responses = operation.get("responses", {})
    assert code in responses, (
        f"{method} {template} answered {code}, not documented (documented: {sorted(responses)})"
    )
    content = responses[code].get("content")
    if not content:
        assert not response.content, f"{method} {template} {code} should have no body"
        return
    schema = content["application/json"]["schema"]
    wrapper = _to_jsonschema({**schema, "components": document()["components"]})
    jsonschema.validate(response.json(), wrapper)
