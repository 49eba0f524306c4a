"""``/sobjects`` (describe, records, upsert, getUpdated/getDeleted) and ``/composite/sobjects``."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from sandbox.salesforce import ids, jsontypes
from sandbox.salesforce.errors import ApiError, not_found
from sandbox.salesforce.values import format_datetime, parse_datetime
from sandbox.salesforce.web import Context, json_response

if TYPE_CHECKING:
    from sandbox.salesforce.emulator import SalesforceEmulator

COLLECTION_LIMIT = 200
#: A chunk is a run of consecutive records of one type ("sObject Collections": at most ten
#: per call). The message is Salesforce's; the error code the REST API gives is the
#: sandbox's guess (EXCEEDED_MAX_TYPES_LIMIT), unconfirmed.
CHUNK_LIMIT = 10
_TOO_MANY_CHUNKS = ("Cannot have more than 10 chunks in a single operation. Please "
                    "rearrange the data to reduce chunking.")
_ROLLED_BACK = ApiError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)


class _Rollback(Exception):
    pass


def _object(em: SalesforceEmulator, name: str) -> str:
    canonical = em.schema.resolve(name)
    if canonical is None:
        raise not_found()
    return canonical


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() == "true"


def _parsed(em: SalesforceEmulator, ctx: Context, object_name: str, values: dict,
            locator: jsontypes.BodyLocator | None = None) -> dict:
    """``values`` once the JSON parser accepted every field's type (else 400
    JSON_PARSER_ERROR for the whole request)."""
    locator = locator or jsontypes.BodyLocator(ctx.request.get_data(as_text=True))
    jsontypes.check(em.schema.fields[object_name],
                    lambda key: em.schema.field_of(object_name, key), values, locator)
    return values


def _chunks(kinds: list[object]) -> int:
    return sum(1 for i, kind in enumerate(kinds) if i == 0 or kind != kinds[i - 1])


# -- /sobjects ----------------------------------------------------------------------------
def sobjects(em: SalesforceEmulator, ctx: Context, parts: list[str]) -> Response:
    method = ctx.request.method
    if not parts:
        if method != "GET":
            raise not_found()
        with em.store.lock:
            return json_response(em.schema.global_describe())
    object_name = _object(em, parts[0])
    rest = parts[1:]
    if not rest:
        if method == "GET":
            with em.store.lock:
                describe = em.schema.describe(object_name, ctx.user_id)
            info = {k: v for k, v in describe.items()
                    if k not in ("fields", "childRelationships", "recordTypeInfos",
                                 "supportedScopes", "namedLayoutInfos", "actionOverrides")}
            return json_response({"objectDescribe": info, "recentItems": []})
        if method == "POST":
            body = ctx.json()
            if not isinstance(body, dict):
                raise ApiError("JSON_PARSER_ERROR", "The request body must be a JSON object")
            record_id = em.store.create(object_name, _parsed(em, ctx, object_name, body),
                                        user_id=ctx.user_id)
            return json_response({"id": record_id, "success": True, "errors": []}, 201)
        raise not_found()
    if rest == ["describe"] and method == "GET":
        with em.store.lock:
            return json_response(em.schema.describe(object_name, ctx.user_id))
    if rest[0] in ("updated", "deleted") and len(rest) == 1 and method == "GET":
        return _changes(em, ctx, object_name, rest[0])
    if len(rest) == 1:
        return _record(em, ctx, object_name, rest[0])
    if len(rest) == 2:
        return _by_external_id(em, ctx, object_name, rest[0], rest[1])
    raise not_found()


def _record(em: SalesforceEmulator, ctx: Context, object_name: str, record_id: str) -> Response:
    method = ctx.request.method
    if not ids.is_valid(record_id):
        raise ApiError("NOT_FOUND", "Provided external ID field does not exist or is not "
                       f"accessible: {record_id}", status=404)
    if method == "GET":
        fields = _field_list(em, object_name, ctx.request.args.get("fields"))
        with em.store.lock:
            em.store.run_due()
            found = em.store.find(record_id)
            if found is None or found[0] != object_name:
                raise not_found()
            if found[1]["IsDeleted"]:
                raise ApiError("ENTITY_IS_DELETED", "entity is deleted", status=404)
            return json_response(em.render(object_name, found[1], ctx.version, fields))
    if method == "PATCH":
        body = ctx.json()
        if not isinstance(body, dict):
            raise ApiError("JSON_PARSER_ERROR", "The request body must be a JSON object")
        em.store.update(object_name, record_id, _parsed(em, ctx, object_name, body),
                        user_id=ctx.user_id)
        return Response(status=204)
    if method == "DELETE":
        em.store.delete(object_name, record_id, user_id=ctx.user_id)
        return Response(status=204)
    raise not_found()


def _field_list(em: SalesforceEmulator, object_name: str, text: str | None) -> list[str] | None:
    if not text:
        return None
    names = []
    for raw in text.split(","):
        f = em.schema.field_of(object_name, raw.strip())
        if f is None:
            raise ApiError("INVALID_FIELD", f"No such column '{raw.strip()}' on entity "
                           f"'{object_name}'. If you are attempting to use a custom field, be "
                           "sure to append the '__c' after the custom field name.")
        names.append(f["name"])
    return names


def _by_external_id(em: SalesforceEmulator, ctx: Context, object_name: str, field_name: str,
                    value: str) -> Response:
    f = em.schema.field_of(object_name, field_name)
    if f is None or not (f["externalId"] or f["idLookup"]):
        raise ApiError("NOT_FOUND", "Provided external ID field does not exist or is not "
                       f"accessible: {field_name}", status=404)
    with em.store.lock:
        if f["type"] == "id":
            found = em.store.find(value)
            matches = [found[1]] if found and found[0] == object_name else []
        else:
            folded = value if f["caseSensitive"] else value.lower()
            matches = [
                r for r in em.store.records[object_name].values()
                if not r["IsDeleted"] and r.get(f["name"]) is not None
                and (str(r[f["name"]]) if f["caseSensitive"] else str(r[f["name"]]).lower())
                == folded
            ]
        method = ctx.request.method
        if len(matches) > 1:
            return json_response([ctx.record_url(object_name, r["Id"]) for r in matches], 300)
        if method == "GET":
            if not matches:
                raise not_found()
            return json_response(em.render(object_name, matches[0], ctx.version))
        if method == "DELETE":
            if not matches:
                raise not_found()
            em.store.delete(object_name, matches[0]["Id"], user_id=ctx.user_id)
            return Response(status=204)
        if method != "PATCH":
            raise not_found()
        body = ctx.json()
        if not isinstance(body, dict):
            raise ApiError("JSON_PARSER_ERROR", "The request body must be a JSON object")
        _parsed(em, ctx, object_name, body)
        if any(k.lower() == f["name"].lower() for k in body):
            raise ApiError("INVALID_FIELD", f"The field {f['name']} is the external ID used to "
                           "upsert and cannot be set in the body", [f["name"]])
        if matches:
            em.store.update(object_name, matches[0]["Id"], body, user_id=ctx.user_id)
            return Response(status=204)
        values = dict(body)
        if f["type"] != "id":
            values[f["name"]] = value
        record_id = em.store.create(object_name, values, user_id=ctx.user_id)
        return json_response({"id": record_id, "success": True, "errors": [],
                              "created": True}, 201)


def _changes(em: SalesforceEmulator, ctx: Context, object_name: str, kind: str) -> Response:
    args = ctx.request.args
    try:
        start = parse_datetime(args["start"])
        end = parse_datetime(args["end"])
    except (KeyError, ValueError):
        raise ApiError("INVALID_REPLICATION_DATE",
                       "start and end must be valid dateTime values") from None
    now = em.clock.now()
    window = timedelta(days=30 if kind == "updated" else 15)
    if start < now - window:
        raise ApiError("INVALID_REPLICATION_DATE", "startDate cannot be more than "
                       f"{window.days} days ago")
    if end <= start:
        raise ApiError("INVALID_REPLICATION_DATE", "EndDate must chronologically follow the "
                       "StartDate")
    latest = min(end, now).replace(second=0, microsecond=0)
    low, high = format_datetime(start), format_datetime(latest)
    with em.store.lock:
        em.store.run_due()
        records = em.store.records[object_name].values()
        if kind == "updated":
            found = sorted(r["Id"] for r in records
                           if not r["IsDeleted"] and low <= r["SystemModstamp"] < high)
            return json_response({"ids": found, "latestDateCovered": high})
        deleted = sorted(
            ({"id": r["Id"], "deletedDate": em.store.deleted_at[r["Id"]]} for r in records
             if r["IsDeleted"] and low <= em.store.deleted_at.get(r["Id"], "") < high),
            key=lambda d: d["deletedDate"],
        )
        earliest = format_datetime(now - window)
        return json_response({"deletedRecords": deleted, "earliestDateAvailable": earliest,
                              "latestDateCovered": high})


# -- /composite/sobjects --------------------------------------------------------------------
def collections(em: SalesforceEmulator, ctx: Context, parts: list[str]) -> Response:
    method = ctx.request.method
    if parts:
        object_name = _object(em, parts[0])
        if method == "GET":
            wanted = [i for i in ctx.request.args.get("ids", "").split(",") if i]
            fields = ctx.request.args.get("fields")
        elif method == "POST":
            body = ctx.json()
            body = body if isinstance(body, dict) else {}
            wanted, fields = body.get("ids") or [], ",".join(body.get("fields") or [])
        else:
            raise not_found()
        return _retrieve(em, ctx, object_name, wanted, fields)
    if method == "DELETE":
        args = ctx.request.args
        items = [i for i in args.get("ids", "").split(",") if i]
        all_or_none = _truthy(args.get("allOrNone", "false"))
    elif method in ("POST", "PATCH"):
        body = ctx.json()
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise ApiError("JSON_PARSER_ERROR", "The request body must have a records list")
        items = body["records"]
        all_or_none = _truthy(body.get("allOrNone", False))
    else:
        raise not_found()
    if len(items) > COLLECTION_LIMIT:
        raise ApiError("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than "
                       f"{COLLECTION_LIMIT} records into this call")
    if method == "DELETE":
        kinds: list[object] = [str(i)[:3] for i in items]
    else:
        kinds = [(i.get("attributes") or {}).get("type") if isinstance(i, dict) else None
                 for i in items]
        locator = jsontypes.BodyLocator(ctx.request.get_data(as_text=True))
        for item, kind in zip(items, kinds, strict=True):
            object_name = em.schema.resolve(kind) if isinstance(kind, str) else None
            if object_name is not None:
                _parsed(em, ctx, object_name, item, locator)
    if _chunks(kinds) > CHUNK_LIMIT:
        raise ApiError("EXCEEDED_MAX_TYPES_LIMIT", _TOO_MANY_CHUNKS)
    em.shared.delay("salesforce", records=len(items))
    operation = {"POST": _create_item, "PATCH": _update_item, "DELETE": _delete_item}[method]
    results: list[dict] = []
    try:
        with em.store.transaction():
            for item in items:
                try:
                    results.append({"id": operation(em, ctx, item), "success": True,
                                    "errors": []})
                except ApiError as error:
                    item_id = item if isinstance(item, str) else (
                        item.get("id") if isinstance(item, dict) and method == "PATCH" else None)
                    results.append({"id": item_id, "success": False,
                                    "errors": [error.as_item()]})
            if all_or_none and not all(r["success"] for r in results):
                raise _Rollback
    except _Rollback:
        for r in results:
            if r["success"]:
                r.update(success=False, errors=[_ROLLED_BACK.as_item()],
                         id=r["id"] if method != "POST" else None)
    return json_response(results)


def _item_type(em: SalesforceEmulator, item: object) -> tuple[str, dict]:
    if not isinstance(item, dict):
        raise ApiError("INVALID_FIELD", "Each record must be a JSON object")
    type_name = (item.get("attributes") or {}).get("type")
    if not type_name:
        raise ApiError("INVALID_TYPE", "Must send a concrete entity type.")
    object_name = em.schema.resolve(type_name)
    if object_name is None:
        raise ApiError("INVALID_TYPE", f"sObject type '{type_name}' is not supported.")
    return object_name, {k: v for k, v in item.items() if k != "attributes"}


def _create_item(em: SalesforceEmulator, ctx: Context, item: object) -> str:
    object_name, values = _item_type(em, item)
    return em.store.create(object_name, values, user_id=ctx.user_id)


def _update_item(em: SalesforceEmulator, ctx: Context, item: object) -> str:
    object_name, values = _item_type(em, item)
    record_id = values.get("id") or values.get("Id")
    if not record_id:
        raise ApiError("MISSING_ARGUMENT", "Id not specified in an update call")
    if not ids.is_valid(record_id):
        raise ApiError("MALFORMED_ID", f"Id: id value of incorrect type: {record_id}", ["Id"])
    with em.store.lock:
        found = em.store.find(record_id)
        if found is None or found[0] != object_name:
            raise ApiError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        if found[1]["IsDeleted"]:
            raise ApiError("ENTITY_IS_DELETED", "entity is deleted")
        em.store.update(object_name, record_id, values, user_id=ctx.user_id)
    return ids.to18(record_id)


def _delete_item(em: SalesforceEmulator, ctx: Context, record_id: object) -> str:
    if not isinstance(record_id, str) or not ids.is_valid(record_id):
        raise ApiError("MALFORMED_ID", f"malformed id {record_id}")
    with em.store.lock:
        found = em.store.find(record_id)
        if found is None:
            raise ApiError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        if found[1]["IsDeleted"]:
            raise ApiError("ENTITY_IS_DELETED", "entity is deleted")
        em.store.delete(None, record_id, user_id=ctx.user_id)
    return ids.to18(record_id)


def _retrieve(em: SalesforceEmulator, ctx: Context, object_name: str, wanted: list[str],
              fields_text: str | None) -> Response:
    if not fields_text:
        raise ApiError("MISSING_ARGUMENT", "The fields parameter is required")
    if len(wanted) > 2000:
        raise ApiError("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than "
                       "2000 records into this call")
    fields = _field_list(em, object_name, fields_text)
    out: list[dict | None] = []
    with em.store.lock:
        em.store.run_due()
        for record_id in wanted:
            if not ids.is_valid(record_id):
                raise ApiError("MALFORMED_ID", f"malformed id {record_id}")
            found = em.store.find(record_id)
            if found is None or found[0] != object_name or found[1]["IsDeleted"]:
                out.append(None)
            else:
                out.append(em.render(object_name, found[1], ctx.version, fields))
    return json_response(out)
