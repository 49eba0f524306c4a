"""Map the services' per-item write answers to SaveResult / RowResult, in input order."""

from __future__ import annotations

from connector.clients.errors import ClientError
from connector.clients.types import RowResult, SaveResult


def save_result(index: int, item: dict) -> SaveResult:
    errors = [{"code": e.get("statusCode") or e.get("errorCode") or "",
               "message": e.get("message", ""), "fields": list(e.get("fields") or [])}
              for e in item.get("errors") or []]
    return SaveResult(index=index, id=item.get("id"), success=bool(item.get("success")),
                      errors=errors)


def save_results_failed(start: int, items: list[dict], error: ClientError) -> list[SaveResult]:
    detail = {"code": error.code or error.kind, "message": error.message, "fields": [],
              "kind": error.kind}
    return [SaveResult(index=start + i, id=item.get("Id") or item.get("id"), success=False,
                       errors=[dict(detail)]) for i, item in enumerate(items)]


#: Smartsheet's codes for a row write's failed item that callers tell apart; any other
#: refused item is ``invalid``.
ITEM_KINDS = {1006: "row_not_found", 1036: "column_not_found"}


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
            out.append(RowResult(index=start + i, row_id=item.get("rowId") or sent.get("id"),
                                 success=False, error_code=code, message=error.get("message"),
                                 version=version,
                                 kind=ITEM_KINDS.get(int(code) if code.isdigit() else 0,
                                                     "invalid")))
            continue
        row = next(succeeded, None)
        if row is None:
            out.append(RowResult(index=start + i, row_id=sent.get("id"), success=False,
                                 error_code="missing",
                                 message="Smartsheet did not return this row.",
                                 version=version, kind="transient"))
        else:
            out.append(RowResult(index=start + i, row_id=row.get("id"), success=True, row=row,
                                 version=version))
    return out


def row_results_failed(start: int, chunk: list[dict], error: ClientError) -> list[RowResult]:
    return [RowResult(index=start + i, row_id=row.get("id"), success=False,
                      error_code=error.code or error.kind, message=error.message,
                      kind=error.kind)
            for i, row in enumerate(chunk)]
