"""A sheet's rows: add and update (500 per call, serially, ``allowPartialSuccess``; one
RowResult per row, in input order), delete, a cell's history."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from connector.clients.errors import ClientError
from connector.clients.smartsheet.api import COLUMN_NOT_FOUND, SmartsheetApi
from connector.clients.types import RowResult

ROWS_PER_CALL = 500
#: Row ids travel in the URL of a delete: keep it well under common URL limits.
DELETE_IDS_PER_CALL = 200
#: Kinds that stop a batched write: nothing after them can succeed.
SYSTEMIC_KINDS = frozenset({"auth", "revoked", "limit", "permission", "not_found", "config"})
#: Smartsheet's codes for a failed item of a row write → the item kind callers decide on;
#: any other refused item is ``invalid``. 1042 (not of the column's strict type) and 5536
#: (outside a restricted column's values) are ``type`` unless the message names a
#: picklist column: see :func:`item_kind`.
ITEM_KINDS = {1006: "row_not_found", COLUMN_NOT_FOUND: "column_not_found",
              1039: "permission", 1046: "permission", 1302: "permission",
              1041: "too_long", 1042: "type", 5536: "type"}
#: The column type a 1042 / 5536 message names ("...for type PICKLIST.", "...restricted
#: to PICKLIST values only.").
_TYPE_IN_MESSAGE = re.compile(r"(?:for type|restricted to) (MULTI_PICKLIST|PICKLIST)\b")
#: The column a refused cell's message names: by id ("...in column 123, ...", "locked
#: column 123") or by title ('...saved in column "Stage".').
_COLUMN_ID_IN_MESSAGE = re.compile(r"\bcolumn (\d{3,})\b")
_COLUMN_TITLE_IN_MESSAGE = re.compile(r'\bin column "([^"]*)"')


class Rows:
    def __init__(self, api: SmartsheetApi) -> None:
        self.api = api

    def add(self, sheet_id: int, rows: list[dict]) -> list[RowResult]:
        """Add raw rows (with their location attributes), 500 per call, serially,
        ``allowPartialSuccess=true``; one RowResult per input row, in input order.

        A call refused as a whole (``invalid``) marks its rows failed. A systemic failure
        (auth, revoked, permission, not_found, rate after the SDK's retries) — or, for
        adds, a call whose outcome is unknown after retries (transient) — stops the
        remaining calls and raises ClientError whose ``.results`` holds every row's
        outcome, so the caller's crash recovery can reconcile instead of adding twice.
        """
        return self._write("POST", sheet_id, rows)

    def update(self, sheet_id: int, rows: list[dict]) -> list[RowResult]:
        """Update raw rows (each with ``id``); as :meth:`add`, except that a transient
        failure only marks the call's rows failed (updates are idempotent)."""
        return self._write("PUT", sheet_id, rows)

    def _write(self, method: str, sheet_id: int, rows: list[dict]) -> list[RowResult]:
        path = f"/sheets/{int(sheet_id)}/rows"
        params = {"allowPartialSuccess": "true"}
        results: list[RowResult] = []
        stop: ClientError | None = None
        for start in range(0, len(rows), ROWS_PER_CALL):
            chunk = rows[start:start + ROWS_PER_CALL]
            if stop is not None:
                results.extend(row_results_failed(start, chunk, stop))
                continue
            try:
                if method == "POST":
                    body = self.api._post(path, chunk, params)
                else:
                    body = self.api._put(path, chunk, params)
            except ClientError as error:
                if error.kind in SYSTEMIC_KINDS or error.kind == "rate" or (
                        method == "POST" and error.kind == "transient"):
                    stop = error
                results.extend(row_results_failed(start, chunk, error))
                continue
            results.extend(row_results(start, chunk, body))
        if stop is not None:
            raise stop.with_results(results)
        return results

    def delete(self, sheet_id: int, row_ids: Iterable[int]) -> list[int]:
        """Delete rows (and their children); the ids actually deleted. Missing rows are
        ignored."""
        ids = [int(r) for r in row_ids]
        deleted: list[int] = []
        for start in range(0, len(ids), DELETE_IDS_PER_CALL):
            chunk = ids[start:start + DELETE_IDS_PER_CALL]
            path = (f"/sheets/{int(sheet_id)}/rows?ids={','.join(map(str, chunk))}"
                    "&ignoreRowsNotFound=true")
            deleted.extend(int(i) for i in (self.api._delete(path).get("result") or []))
        return deleted

    def cell_history(self, sheet_id: int, row_id: int, column_id: int) -> list[dict]:
        """A cell's history, newest first (costs 10 requests of the rate limit)."""
        return self.api._list(
            f"/sheets/{int(sheet_id)}/rows/{int(row_id)}/columns/{int(column_id)}/history")


def row_results(start: int, chunk: list[dict], body: dict) -> list[RowResult]:
    """Map a (partial) success answer to one RowResult per input row.

    ``result`` lists the rows that succeeded, in input order; ``failedItems`` name the
    failed ones by input index.
    """
    version = body.get("version")
    version = int(version) if version is not None else None
    failed: dict[int, dict] = {}
    for item in body.get("failedItems") or []:
        failed[int(item.get("index", -1))] = item
    succeeded = iter(body.get("result") or [])
    out: list[RowResult] = []
    for i, sent in enumerate(chunk):
        item = failed.get(i)
        if item is not None:
            error = item.get("error") or {}
            code = str(error.get("errorCode", ""))
            message = error.get("message") or ""
            by_id = _COLUMN_ID_IN_MESSAGE.search(message)
            by_title = _COLUMN_TITLE_IN_MESSAGE.search(message)
            out.append(RowResult(index=start + i, row_id=item.get("rowId") or sent.get("id"),
                                 success=False, error_code=code, message=error.get("message"),
                                 version=version, kind=item_kind(code, message),
                                 column_id=int(by_id.group(1)) if by_id else None,
                                 column_title=by_title.group(1) if by_title else None))
            continue
        row = next(succeeded, None)
        if row is None:
            out.append(RowResult(index=start + i, row_id=sent.get("id"), success=False,
                                 error_code="missing",
                                 message=_("Smartsheet did not return this row."),
                                 version=version, kind="transient"))
        else:
            out.append(RowResult(index=start + i, row_id=row.get("id"), success=True, row=row,
                                 version=version))
    return out


def item_kind(code: str, message: str | None) -> str:
    """The kind of one refused row of a write (see :data:`ITEM_KINDS`)."""
    kind = ITEM_KINDS.get(int(code) if code.isdigit() else 0, "invalid")
    if kind == "type" and _TYPE_IN_MESSAGE.search(message or ""):
        return "picklist"
    return kind


def row_results_failed(start: int, chunk: list[dict], error: ClientError) -> list[RowResult]:
    """Every row of a call that failed as a whole (or was never sent)."""
    return [RowResult(index=start + i, row_id=row.get("id"), success=False,
                      error_code=error.code or error.kind, message=error.message,
                      kind=error.kind)
            for i, row in enumerate(chunk)]
