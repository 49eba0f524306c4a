"""Writes with sObject Collections: 200 records per call, ``allOrNone=false``, up to
``max_parallel`` calls at once; one SaveResult per record, in input order.

Every call carries records of one object only: one "chunk" (a run of one type), well
within the ten a call may hold. A value Salesforce's JSON parser cannot read
(``JSON_PARSER_ERROR``) fails a whole call before anything is saved; the call is then
split in halves and each half sent again (every call counted), until the record at
fault is alone: it fails with that error, the others are written.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.utils.translation import gettext as _

from connector.clients.errors import ClientError
from connector.clients.salesforce.api import SalesforceApi
from connector.clients.transport import json_body
from connector.clients.types import SaveResult

COLLECTION_SIZE = 200
#: Kinds that stop a batched write: nothing after them can succeed.
SYSTEMIC_KINDS = frozenset({"auth", "revoked", "limit", "permission", "config"})
#: Salesforce's per-record status codes → the item kind callers decide on (anything else
#: is ``invalid``). The message stays Salesforce's own: it names the field and, for a
#: validation rule, says what the rule wants.
ITEM_KINDS = {
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": "picklist",
    "REQUIRED_FIELD_MISSING": "required",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": "validation_rule",
    "INSUFFICIENT_ACCESS_OR_READONLY": "permission",
    "INVALID_FIELD_FOR_INSERT_UPDATE": "permission",
    "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY": "permission",
    "DUPLICATES_DETECTED": "duplicate",
    "DUPLICATE_VALUE": "duplicate",
    "STRING_TOO_LONG": "too_long",
    "INVALID_TYPE_ON_FIELD_IN_RECORD": "type",
    "JSON_PARSER_ERROR": "type",
    "NUMBER_OUTSIDE_VALID_RANGE": "type",
    "INVALID_EMAIL_ADDRESS": "type",
    "FIELD_INTEGRITY_EXCEPTION": "type",
    "ENTITY_IS_DELETED": "record_not_found",
}
#: A create that failed this way may or may not have been committed (a 500 or a dropped
#: connection after Salesforce saved): not a per-record error but a stop, so the caller's
#: crash recovery (pending creates) reconciles instead of writing the records again.
AMBIGUOUS_KINDS = frozenset({"transient", "rate"})
#: Codes of a whole-call refusal that happens before any record is saved and is caused
#: by one record's value: the call is split to find it.
WHOLE_CALL_CODES = frozenset({"JSON_PARSER_ERROR"})
#: Salesforce's per-record refusal by an active duplicate rule.
DUPLICATES_DETECTED = "DUPLICATES_DETECTED"
#: Saves matching an active duplicate rule go through (REST API "DuplicateRuleHeader").
ALLOW_DUPLICATES_HEADER = {"Sforce-Duplicate-Rule-Header": "allowSave=true"}


class Records:
    def __init__(self, api: SalesforceApi) -> None:
        self.api = api

    def create(self, object_name: str, records: list[dict], *,
               allow_duplicates: bool = False) -> list[SaveResult]:
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

        A record matching an active duplicate rule fails with ``DUPLICATES_DETECTED``
        (its error names the existing records); ``allow_duplicates`` saves it anyway.
        """
        return self._collections("POST", object_name, records, allow_duplicates)

    def update(self, object_name: str, records: list[dict], *,
               allow_duplicates: bool = False) -> list[SaveResult]:
        """Update ``records`` (each with ``Id``) with sObject Collections; as ``create``,
        except that a call failing transiently (after retries) only marks its records
        failed: an update is idempotent, so the next run simply tries again."""
        for i, record in enumerate(records):
            if not (record.get("Id") or record.get("id")):
                raise ValueError(f"record {i} has no Id")
        return self._collections("PATCH", object_name, records, allow_duplicates)

    def _collections(self, method: str, object_name: str, records: list[dict],
                     allow_duplicates: bool) -> list[SaveResult]:
        api = self.api
        chunks = [(start, records[start:start + COLLECTION_SIZE])
                  for start in range(0, len(records), COLLECTION_SIZE)]
        stop: list[ClientError] = []
        headers = dict(ALLOW_DUPLICATES_HEADER) if allow_duplicates else {}

        def run(chunk: tuple[int, list[dict]]) -> list[SaveResult]:
            start, items = chunk
            if stop:
                return save_results_failed(start, items, stop[0])
            try:
                answer = self._send(method, object_name, items, headers)
            except ClientError as error:
                if error.code in WHOLE_CALL_CODES and len(items) > 1:
                    # Nothing was saved: find the record at fault, write the others.
                    half = len(items) // 2
                    return run((start, items[:half])) + run((start + half, items[half:]))
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


    def _send(self, method: str, object_name: str, items: list[dict], headers: dict
              ) -> list[dict]:
        """One collections call (every item of ``object_name``: a single chunk)."""
        sf = self.api._sf
        body = {"allOrNone": False, "records": [
            {**item, "attributes": {"type": object_name}} for item in items]}
        # Encoded with orjson inside the call, where requests(json=...) encoded it
        # (simple-salesforce sends the JSON content type).
        return self.api._call(lambda: sf.restful(
            "composite/sobjects", method=method, data=json_body(body, allow_nan=False),
            headers=headers), unsafe=method == "POST")


def save_result(index: int, item: dict) -> SaveResult:
    """One record's answer (``statusCode`` renamed ``code``, its ``kind`` added)."""
    errors = [_item_error(e) for e in item.get("errors") or []]
    return SaveResult(index=index, id=item.get("id"), success=bool(item.get("success")),
                      errors=errors)


def _item_error(error: dict) -> dict:
    code = error.get("statusCode") or error.get("errorCode") or ""
    out = {"code": code, "message": error.get("message", ""),
           "fields": list(error.get("fields") or []), "kind": ITEM_KINDS.get(code, "invalid")}
    if out["code"] == DUPLICATES_DETECTED:
        matches = duplicate_matches(error)
        out["kind"] = "duplicate"
        out["duplicates"] = matches
        if matches:
            out["message"] = _(
                "Salesforce's duplicate rule matches an existing record: %(records)s. Link "
                "this row to it (paste its id into the Salesforce ID column), or allow "
                "duplicates in the workflow's settings.") % {"records": ", ".join(matches)}
    return out


def duplicate_matches(error: dict) -> list[str]:
    """The ids of the existing records a ``DUPLICATES_DETECTED`` error names (its
    ``duplicateResult``)."""
    result = error.get("duplicateResult") or {}
    ids = []
    for match in result.get("matchResults") or ():
        for found in match.get("matchRecords") or ():
            record_id = (found.get("record") or {}).get("Id")
            if record_id and record_id not in ids:
                ids.append(str(record_id))
    return ids


def save_results_failed(start: int, items: list[dict], error: ClientError) -> list[SaveResult]:
    """Every record of a call that failed as a whole (or was never sent)."""
    detail = {"code": error.code or error.kind, "message": error.message, "fields": [],
              "kind": error.kind}
    return [SaveResult(index=start + i, id=item.get("Id") or item.get("id"), success=False,
                       errors=[dict(detail)]) for i, item in enumerate(items)]
