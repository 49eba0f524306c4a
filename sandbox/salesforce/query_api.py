"""``/query`` and ``/queryAll``: SOQL through :mod:`sandbox.salesforce.soql`, paged by
server-side cursors (``nextRecordsUrl`` = ``/services/data/vXX.X/query/01g...-2000``)."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from sandbox.salesforce import ids
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.soql import SoqlError, compile_query
from sandbox.salesforce.store import Store
from sandbox.salesforce.web import Context, json_response

if TYPE_CHECKING:
    from sandbox.salesforce.emulator import SalesforceEmulator

DEFAULT_BATCH = 2000
MIN_BATCH = 200
#: Before API 56.0 a user had at most 10 open cursors, the oldest dropped first; from 56.0
#: on there is no count limit and a cursor lives two days (REST API Developer Guide,
#: "Query"; Winter '23 release notes).
CURSORS_PER_USER_BEFORE_56 = 10
CURSOR_LIFETIME = timedelta(days=2)


class StoreSource:
    """The SOQL engine's view of the store: records with formula fields computed, and
    ``virtual`` objects computed for the query (UserPermissionAccess)."""

    def __init__(self, store: Store, now: datetime,
                 virtual: dict[str, list[dict]] | None = None) -> None:
        self.store = store
        self.now = now
        self.virtual = virtual or {}

    def records(self, object_name: str) -> Iterable[dict]:
        if object_name in self.virtual:
            return self.virtual[object_name]
        return self.store.iter_views(object_name, self.now)

    def get_by_id(self, record_id: str) -> tuple[str, dict] | None:
        found = self.store.find(record_id)
        if found is None:
            return None
        return found[0], self.store.view(found[0], found[1], self.now)


class OneRecordSource(StoreSource):
    """A source whose FROM object holds a single (candidate) record: for conditions
    evaluated against a record being written (validation and automation rules)."""

    def __init__(self, store: Store, now: datetime, object_name: str, record: dict) -> None:
        super().__init__(store, now)
        self.object_name, self.record = object_name, record

    def records(self, object_name: str) -> Iterable[dict]:
        return [self.record] if object_name == self.object_name else []


class Cursors:
    """Query results waiting to be paged, per user; they expire two days after they were
    opened (sandbox clock), and before API 56.0 the eleventh drops the oldest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[str, OrderedDict[str, tuple]] = {}
        self._numbers = itertools.count(1)

    def open(self, user_id: str, records: list[dict], batch: int, total: int, *,
             now: datetime, api_version: str) -> str:
        locator = ids.make_id("01g", next(self._numbers))[:15]
        with self._lock:
            self._expire(now)
            mine = self._by_user.setdefault(user_id, OrderedDict())
            mine[locator] = (records, batch, total, now)
            if float(api_version) < 56.0:
                while len(mine) > CURSORS_PER_USER_BEFORE_56:
                    mine.popitem(last=False)
        return locator

    def get(self, user_id: str, locator: str, now: datetime
            ) -> tuple[list[dict], int, int] | None:
        with self._lock:
            found = self._by_user.get(user_id, {}).get(locator)
            if found is None or now - found[3] > CURSOR_LIFETIME:
                return None
            return found[:3]

    def _expire(self, now: datetime) -> None:
        for mine in self._by_user.values():
            for locator in [k for k, v in mine.items() if now - v[3] > CURSOR_LIFETIME]:
                del mine[locator]

    def close(self, user_id: str, locator: str) -> None:
        with self._lock:
            self._by_user.get(user_id, {}).pop(locator, None)


def _batch_size(ctx: Context) -> int:
    options = ctx.request.headers.get("Sforce-Query-Options", "")
    for part in options.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(DEFAULT_BATCH, int(value)))
    return DEFAULT_BATCH


def _page(ctx: Context, endpoint: str, locator: str, records: list[dict], start: int,
          batch: int, total: int) -> dict:
    end = start + batch
    body: dict = {"totalSize": total, "done": end >= len(records),
                  "records": records[start:end]}
    if not body["done"]:
        body["nextRecordsUrl"] = f"/services/data/v{ctx.version}/{endpoint}/{locator}-{end}"
    return body


def handle(em: SalesforceEmulator, ctx: Context, endpoint: str, rest: list[str]) -> Response:
    if rest:
        return _more(em, ctx, endpoint, rest[0])
    text = ctx.request.args.get("q")
    if not text:
        raise ApiError("MALFORMED_QUERY", "A query string has to be specified")
    now = em.clock.now()
    with em.store.lock:
        try:
            query = compile_query(text, em.schema.describes())
            em.store.run_due()
            source = StoreSource(em.store, now, em.virtual_records(ctx.user_id))
            result = query.run(source, now=now,
                               include_deleted=endpoint == "queryAll", api_version=ctx.version)
        except SoqlError as error:
            raise ApiError(error.code, error.message) from None
    if query.is_count:
        return json_response({"totalSize": result.total_size, "done": True,
                              "records": result.records})
    batch = _batch_size(ctx)
    em.shared.delay("salesforce", records=min(batch, len(result.records)))
    locator = ""
    if len(result.records) > batch:
        locator = em.cursors.open(ctx.user_id, result.records, batch, result.total_size,
                                  now=now, api_version=ctx.version)
    return json_response(_page(ctx, endpoint, locator, result.records, 0, batch,
                               result.total_size))


def _more(em: SalesforceEmulator, ctx: Context, endpoint: str, token: str) -> Response:
    locator, _, offset = token.partition("-")
    cursor = em.cursors.get(ctx.user_id, locator, em.clock.now())
    if cursor is None or not offset.isdigit():
        raise ApiError("INVALID_QUERY_LOCATOR", "invalid query locator")
    records, batch, total = cursor
    start = int(offset)
    body = _page(ctx, endpoint, locator, records, start, batch, total)
    em.shared.delay("salesforce", records=len(body["records"]))
    # The cursor stays open after its last page (until it expires), so a client may retry.
    return json_response(body)
