"""Writes with sObject Collections: 200 records per call, ``allOrNone=false``, up to
``max_parallel`` calls at once; one SaveResult per record, in input order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from connector.clients.errors import ClientError
from connector.clients.salesforce.api import SalesforceApi
from connector.clients.transport import json_body
from connector.clients.types import SaveResult

COLLECTION_SIZE = 200
#: Kinds that stop a batched write: nothing after them can succeed.
SYSTEMIC_KINDS = frozenset({"auth", "revoked", "limit", "permission", "config"})
#: A create that failed this way may or may not have been committed (a 500 or a dropped
#: connection after Salesforce saved): not a per-record error but a stop, so the caller's
#: crash recovery (pending creates) reconciles instead of writing the records again.
AMBIGUOUS_KINDS = frozenset({"transient", "rate"})


class Records:
    def __init__(self, api: SalesforceApi) -> None:
        self.api = api

    def create(self, object_name: str, records: list[dict]) -> list[SaveResult]:
        """Create ``records`` with sObject Collections (200 per call, ``allOrNone=false``).

        Results are in input order. A call refused as a whole (``invalid``) marks its
        records failed with the error's code. A systemic failure (auth, revoked, limit,
        permission) — or, for creates, a call whose outcome is unknown after retries
        (transient, rate) — stops further calls and raises ClientError whose ``.results``
        holds every record's outcome (those of calls that never ran or failed: failed).
        A create is retried only when it certainly was not applied (connecting failed,
        429, 503); after a failure that may have come after Salesforce committed it (other
        5xx, dropped connection, read timeout) it is not repeated: the ClientError has
        ``outcome_unknown`` and the caller reconciles (pending creates).
        """
        return self._collections("POST", object_name, records)

    def update(self, object_name: str, records: list[dict]) -> list[SaveResult]:
        """Update ``records`` (each with ``Id``) with sObject Collections; as ``create``,
        except that a call failing transiently (after retries) only marks its records
        failed: an update is idempotent, so the next run simply tries again."""
        for i, record in enumerate(records):
            if not (record.get("Id") or record.get("id")):
                raise ValueError(f"record {i} has no Id")
        return self._collections("PATCH", object_name, records)

    def _collections(self, method: str, object_name: str, records: list[dict]
                     ) -> list[SaveResult]:
        api, sf = self.api, self.api._sf
        chunks = [(start, records[start:start + COLLECTION_SIZE])
                  for start in range(0, len(records), COLLECTION_SIZE)]
        stop: list[ClientError] = []

        def run(chunk: tuple[int, list[dict]]) -> list[SaveResult]:
            start, items = chunk
            if stop:
                return save_results_failed(start, items, stop[0])
            body = {"allOrNone": False, "records": [
                {**item, "attributes": {"type": object_name}} for item in items]}
            try:
                # Encoded with orjson inside the call, where requests(json=...) encoded it
                # (simple-salesforce sends the JSON content type).
                answer = api._call(lambda: sf.restful(
                    "composite/sobjects", method=method,
                    data=json_body(body, allow_nan=False)), unsafe=method == "POST")
            except ClientError as error:
                if error.kind in SYSTEMIC_KINDS or (
                        method == "POST" and error.kind in AMBIGUOUS_KINDS):
                    stop.append(error)
                return save_results_failed(start, items, error)
            return [save_result(start + i, item) for i, item in enumerate(answer or [])]

        if len(chunks) <= 1 or api.max_parallel == 1:
            parts = [run(chunk) for chunk in chunks]
        else:
            with ThreadPoolExecutor(max_workers=min(api.max_parallel, len(chunks)),
                                    thread_name_prefix="sf-collections") as pool:
                parts = list(pool.map(run, chunks))
        results = [result for part in parts for result in part]
        if stop:
            raise stop[0].with_results(results)
        return results


def save_result(index: int, item: dict) -> SaveResult:
    """One record's answer (``statusCode`` renamed ``code``)."""
    errors = [{"code": e.get("statusCode") or e.get("errorCode") or "",
               "message": e.get("message", ""), "fields": list(e.get("fields") or [])}
              for e in item.get("errors") or []]
    return SaveResult(index=index, id=item.get("id"), success=bool(item.get("success")),
                      errors=errors)


def save_results_failed(start: int, items: list[dict], error: ClientError) -> list[SaveResult]:
    """Every record of a call that failed as a whole (or was never sent)."""
    detail = {"code": error.code or error.kind, "message": error.message, "fields": [],
              "kind": error.kind}
    return [SaveResult(index=start + i, id=item.get("Id") or item.get("id"), success=False,
                       errors=[dict(detail)]) for i, item in enumerate(items)]
