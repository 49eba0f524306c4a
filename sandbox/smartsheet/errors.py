"""Smartsheet's error shape ``{errorCode, message, refId}`` and the codes the sandbox uses.

Messages follow Smartsheet's published error-code list so that a connector's error
handling sees the same text it would see against the real service.
"""

from __future__ import annotations

import itertools
import json

_ref_ids = itertools.count(1)

#: errorCode -> (HTTP status, message template)
CODES: dict[int, tuple[int, str]] = {
    1001: (401, "An Access Token is required."),
    1002: (401, "Your Access Token is invalid."),
    1003: (401, "Your Access Token has expired."),
    1004: (403, "You are not authorized to perform this action."),
    1006: (404, "Not Found."),
    1008: (400, "Unable to parse request. The following error occurred: {0}"),
    1009: (400, "A required parameter is missing from your request: {0}."),
    1010: (405, "HTTP Method not supported."),
    1012: (400, "A required object attribute is missing from your request: {0}."),
    1018: (400, "The value {0} was not valid for the parameter {1}."),
    1020: (404, "User not found."),
    1024: (400, "The HTTP request body is required for this Method."),
    1025: (400, "The share already exists."),
    1031: (400, "The value {0} was not valid for the attribute {1}."),
    1032: (400, "The attribute(s) {0} are not allowed for this operation."),
    1036: (400, "The columnId {0} is invalid."),
    1037: (400, "The columnId {0} is included more than once in a single row."),
    1038: (400, "Invalid Cell value. Must be numeric or a string."),
    # Smartsheet's published error table answers a locked column with HTTP 403.
    1039: (403, "Cannot edit a locked column {0}."),
    1042: (400, "The value for cell in column {0}, {1}, did not conform to the strict "
                "requirements for type {2}."),
    1046: (400, "Cells containing system values cannot be inserted or updated through the "
                "API, columnId : {0}."),
    1054: (400, "The new sheet requires either a fromId or columns."),
    1055: (400, "One and only one column must be primary."),
    1056: (400, "Column titles must be unique."),
    1057: (400, "Primary columns must be of type TEXT_NUMBER."),
    1060: (400, "Column options are not allowed for column type {0}."),
    # The sandbox also answers 1061 for its size limits (rows per call, columns, cells).
    # 1061 and its message are in Smartsheet's published table, but which code the real
    # service gives for "more than 500 rows" or "more than 500,000 cells" is not documented.
    1061: (400, "Max count exceeded for field {0}."),
    1062: (400, "Invalid row location."),
    1063: (400, "Invalid parentId: {0}."),
    1064: (400, "Invalid siblingId: {0}."),
    1065: (400, "The column specified cannot be deleted."),
    1067: (401, "Invalid client_id"),
    1068: (400, "Unsupported grant type."),
    1069: (400, "Invalid Request. The authorization_code has expired."),
    1070: (400, "Invalid Request. Required parameter is missing: {0}."),
    1071: (400, "Invalid Grant. The authorization code or refresh token provided was invalid."),
    1072: (400, "Invalid hash value. The hash provided did not match the expected value."),
    1073: (400, "The redirect_uri did not match the expected value."),
    1077: (400, "Duplicate system column type: {0}."),
    1079: (400, "Column type {0} is not supported for system column type {1}"),
    # Recorded scenario "Add Rows - Invalid - Assign Hyperlink URL and SheetId".
    1112: (400, "hyperlink.url must be null for sheet, report, or Sight hyperlinks."),
    1113: (400, "cell.value must be a string when the cell is a hyperlink."),
    1117: (400, "One of the following cell.hyperlink fields must be non-null: url, sheetId, "
                "or reportId."),
    1142: (400, "Column type {0} is reserved for project sheets and may not be manually set "
                "on a column."),
    # "Webhook errors" guide.
    1151: (400, "Scope '{0}', object id {1} was not found."),
    1152: (400, "Only URLs with a protocol of 'https' are supported for attribute '{0}'."),
    1162: (400, "A formula must always start with an equal sign (=)."),
    # Recorded scenario "Add Rows - Invalid - Assign Value and Formulae".
    1163: (400, "If cell.formula is specified, then value, objectValue, image, hyperlink, and "
                "linkInFromCell must not be specified."),
    1123: (400, "Specifying multiple row locations is not yet supported. Each row must use "
                "the same row location attribute and value (toBottom, toTop, parentId, "
                "siblingId, above)."),
    1130: (400, "One of cell.value or objectValue may be set, but not both."),
    1185: (400, "Cannot create a child of a parent row that has no data in it."),
    1210: (400, "Column validation is not supported for column type '{0}'."),
    1212: (403, "You must be a sheet admin to override validation."),
    1302: (400, "Cannot edit column formula cells."),
    1303: (400, "Unsupported column type for column formulas."),
    1310: (400, "Column formula syntax not supported."),
    # Python SDK issue #167 (a DATE column restricted to dates); the type word for other
    # restricted columns is the sandbox's guess.
    5536: (400, 'The value "{0}" could not be saved in column "{1}". This column is restricted '
                "to {2} values only."),
    4000: (500, "An unexpected error has occurred. Please contact api@smartsheet.com for "
                "assistance."),
    4001: (503, "Smartsheet.com is currently offline for system maintenance. Please check "
                "back again shortly."),
    4002: (500, "Server timeout exceeded. Request has failed."),
    4003: (429, "Rate limit exceeded."),
    4004: (500, "An unexpected error has occurred. Please retry your request. If you "
                "encounter this error repeatedly, please contact api@smartsheet.com for "
                "assistance."),
}

#: OAuth token-endpoint errors carry an OAuth ``error`` word as well.
OAUTH_ERRORS = {
    1067: "invalid_client", 1068: "unsupported_grant_type", 1069: "invalid_grant",
    1070: "invalid_request", 1071: "invalid_grant", 1072: "invalid_grant",
    1073: "invalid_grant",
}


class ApiError(Exception):
    """An API error; ``detail`` (e.g. ``{"index": 3}``) goes into the body when set."""

    def __init__(self, code: int, *args: object, detail: dict | None = None) -> None:
        status, template = CODES[code]
        self.code = code
        self.status = status
        self.message = template.format(*args)
        self.detail = detail
        super().__init__(f"{code}: {self.message}")

    def body(self) -> dict:
        """The error object as Smartsheet sends it (also used inside ``failedItems``)."""
        out = {"errorCode": self.code, "message": self.message, "refId": new_ref_id()}
        if self.detail is not None:
            out["detail"] = self.detail
        return out

    def oauth_body(self) -> dict:
        return {"errorCode": self.code, "error": OAUTH_ERRORS.get(self.code, "invalid_request"),
                "error_description": self.message}


def new_ref_id() -> str:
    return f"sbx{next(_ref_ids):09x}"


def error_response_parts(code: int) -> tuple[int, list, bytes]:
    """(status, headers, body) of a bare error, for injected faults."""
    err = ApiError(code)
    return err.status, [("Content-Type", "application/json;charset=UTF-8")], json.dumps(
        err.body()).encode()
