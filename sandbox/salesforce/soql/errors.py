"""The one error type of the SOQL engine, and Salesforce's message shapes.

Salesforce answers a bad query with HTTP 400 and ``[{"errorCode": ..., "message": ...}]``.
Errors tied to a place in the query quote the offending line with a caret under the
column, then ``ERROR at Row:r:Column:c`` and the reason; we reproduce that shape so a
client that parses or logs it sees what it would see against a real org.
"""

from __future__ import annotations

MALFORMED_QUERY = "MALFORMED_QUERY"
INVALID_FIELD = "INVALID_FIELD"
INVALID_TYPE = "INVALID_TYPE"
INVALID_QUERY_FILTER_OPERATOR = "INVALID_QUERY_FILTER_OPERATOR"
NUMBER_OUTSIDE_VALID_RANGE = "NUMBER_OUTSIDE_VALID_RANGE"

_WSDL_HINT = "Please reference your WSDL or the describe call for the appropriate names."


class SoqlError(Exception):
    """A query Salesforce would refuse. ``code`` is the REST ``errorCode``, ``message``
    the REST ``message``, both ready to serialise as they are."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def located(text: str, line: int, column: int, reason: str) -> str:
    """``reason`` prefixed with the query line and a caret under ``column`` (1-based)."""
    lines = text.split("\n")
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    caret = " " * max(column - 1, 0) + "^"
    return f"\n{shown}\n{caret}\nERROR at Row:{line}:Column:{column}\n{reason}"


def no_such_column(name: str, entity: str) -> str:
    return (
        f"No such column '{name}' on entity '{entity}'. If you are attempting to use a "
        "custom field, be sure to append the '__c' after the custom field name. "
        + _WSDL_HINT
    )


def unknown_relationship(name: str) -> str:
    return (
        f"Didn't understand relationship '{name}' in field path. If you are attempting to "
        "use a custom relationship, be sure to append the '__r' after the custom "
        "relationship name. " + _WSDL_HINT
    )


def unsupported_object(name: str) -> str:
    return (
        f"sObject type '{name}' is not supported. If you are attempting to use a custom "
        "object, be sure to append the '__c' after the entity name. " + _WSDL_HINT
    )
