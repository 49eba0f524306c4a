"""The services' error codes stay inside the clients: everything else decides on the
clients' error kinds (``ClientError.kind``, ``RowResult.kind``), never on a Smartsheet
``errorCode`` or a Salesforce ``errorCode``/``statusCode``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Everything that talks to the clients; ``connector/clients/`` itself is exempt.
PACKAGES = ("core", "accounts", "connector", "workflows", "runs", "api", "web", "console",
            "sheetforce", "bench")
#: Smartsheet's error codes are four digits: 1xxx requests, 4xxx server and rate, 5xxx.
SMARTSHEET_CODE = re.compile(r"[145]\d{3}")
#: Salesforce's codes the product meets (and every code the sandbox's emulator raises).
SALESFORCE_CODES = {
    "ALL_OR_NONE_OPERATION_ROLLED_BACK", "API_DISABLED_FOR_ORG", "DUPLICATE_VALUE",
    "ENTITY_IS_DELETED", "EXCEEDED_ID_LIMIT", "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    "FIELD_INTEGRITY_EXCEPTION", "INSUFFICIENT_ACCESS_OR_READONLY",
    "INVALID_CROSS_REFERENCE_KEY", "INVALID_EMAIL_ADDRESS", "INVALID_FIELD",
    "INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    "INVALID_QUERY_LOCATOR", "INVALID_SESSION_ID", "INVALID_TYPE", "JSON_PARSER_ERROR",
    "MALFORMED_ID", "MALFORMED_QUERY", "NOT_FOUND", "REQUEST_LIMIT_EXCEEDED",
    "REQUIRED_FIELD_MISSING", "SERVER_UNAVAILABLE", "STRING_TOO_LONG", "UNABLE_TO_LOCK_ROW",
}
#: Attributes that hold a service's code (``ClientError.code``, ``RowResult.error_code``).
CODE_ATTRIBUTES = {"code", "error_code", "errorCode", "statusCode"}


def _salesforce_codes() -> set[str]:
    found = set(SALESFORCE_CODES)
    for path in (ROOT / "sandbox" / "salesforce").rglob("*.py"):
        found |= set(re.findall(r'ApiError\(\s*"([A-Z][A-Z_]+)"', path.read_text()))
    return found


def _violations(source: str, codes: set[str]) -> list[str]:
    """``line: what`` for every service code named and every code attribute compared."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SMARTSHEET_CODE.fullmatch(node.value) or node.value in codes:
                out.append(f"{node.lineno}: names {node.value!r}")
        elif isinstance(node, ast.Compare):
            out += [f"{node.lineno}: compares .{side.attr}"
                    for side in (node.left, *node.comparators)
                    if isinstance(side, ast.Attribute) and side.attr in CODE_ATTRIBUTES]
    return sorted(out)


def test_it_keeps_the_services_error_codes_inside_the_clients():
    codes = _salesforce_codes()
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or rel.parts[:2] == ("connector", "clients"):
                continue
            found += [f"{rel}:{v}" for v in _violations(path.read_text(), codes)]
    assert found == []


def test_it_sees_each_way_of_deciding_on_a_code():
    source = ('def f(exc, result):\n'
              '    if exc.code != "1036":\n'
              '        return result.error_code in ("1006",)\n'
              '    return exc.message == "ENTITY_IS_DELETED"\n')
    assert _violations(source, _salesforce_codes()) == [
        "2: compares .code", "2: names '1036'", "3: compares .error_code", "3: names '1006'",
        "4: names 'ENTITY_IS_DELETED'"]
