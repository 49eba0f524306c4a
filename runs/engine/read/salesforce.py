"""Reading Salesforce: the describe (cached on the sync state), the records of one SOQL
query as flat dicts, the records named by pasted ids, and the lookups' ids.

Pages are flattened as they arrive and the raw JSON dropped, so a run never holds two
full copies of the records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from connector.clients import ClientError
from runs.engine import sfids, soql
from runs.engine.context import RunContext
from runs.engine.convert import FieldInfo
from runs.engine.gcpause import gc_paused
from runs.engine.mappings import (
    ConfigurationError,
    field_infos_from_describe,
    needed_fields,
    query_paths,
)
from runs.engine.plan import PlanInput, lookup_values_needed
from runs.engine.soql import AUDIT_FIELDS
from runs.engine.types import SheetRow
from workflows.validation import PathError, resolve_path


class SalesforceReader:
    """The Salesforce half of the read phase; what it read stays on it as plain data."""

    def __init__(self, ctx: RunContext, *, full: bool, field_cache: dict | None = None
                 ) -> None:
        self.ctx = ctx
        self.full = full
        self.field_cache = field_cache or {}
        self.cache_changed = False
        self.infos: dict[str, FieldInfo] = {}
        #: Fields a create must set (name → label): not nillable, not defaulted on
        #: create, createable. The planner refuses a create that leaves one blank.
        self.required: dict[str, str] = {}
        #: Leaf fields of relationship paths used in Salesforce filters.
        self.path_infos: dict[str, FieldInfo] = {}
        self.records: dict[str, dict] = {}
        #: The last ``(SystemModstamp, Id)`` read, in query order (the keyset cursor).
        self.records_newest: tuple[str, str] | None = None
        #: The Salesforce server's time when the record query ran (None: unknown).
        self.read_server_time: datetime | None = None

    # -- describe --------------------------------------------------------------------------
    def describe(self) -> None:
        spec = self.ctx.spec
        names = needed_fields(spec)
        # Filters through relationships (Account.AnnualRevenue) need their leaf's type for
        # a typed literal: a number or date in quotes is refused by Salesforce.
        paths = sorted({f.field for f in spec.salesforce_filters if "." in f.field})
        cache = self.field_cache
        if (self.full or cache.get("object") != spec.salesforce_object
                or cache.get("names") != names or cache.get("filter_paths", []) != paths
                or "required" not in cache):
            describe = self.ctx.salesforce.describe(spec.salesforce_object)
            infos = field_infos_from_describe(describe, names)
            self.field_cache = {"object": spec.salesforce_object, "names": names,
                                "key_prefix": describe.get("keyPrefix") or "",
                                "name_field": name_field_of(describe),
                                "fields": {n: i.as_dict() for n, i in infos.items()},
                                "filter_paths": paths,
                                "path_fields": self._describe_paths(describe, paths),
                                "required": required_on_create(describe)}
            self.cache_changed = True
        self.infos = {n: FieldInfo.from_dict(d) for n, d in self.field_cache["fields"].items()}
        self.path_infos = {p: FieldInfo.from_dict(d)
                           for p, d in (self.field_cache.get("path_fields") or {}).items()}
        self.ctx.key_prefix = self.field_cache.get("key_prefix", "")
        self.required = dict(self.field_cache.get("required") or {})

    def _describe_paths(self, describe: dict, paths: list[str]) -> dict[str, dict]:
        """The leaf field of each relationship path (one describe per related object)."""
        if not paths:
            return {}
        described = {str(describe.get("name", "")).lower(): describe}

        def describe_object(name: str) -> dict | None:
            if name.lower() not in described:
                try:
                    described[name.lower()] = self.ctx.salesforce.describe(name)
                except ClientError as exc:
                    if exc.kind not in ("not_found", "permission"):
                        raise
                    described[name.lower()] = None
            return described[name.lower()]

        out = {}
        for path in paths:
            try:
                resolved = resolve_path(describe_object, self.ctx.spec.salesforce_object, path)
            except PathError as exc:
                raise ConfigurationError(f"The filter on {path} cannot be used: {exc} Edit "
                                         "the workflow's filters.") from exc
            out[path] = {**FieldInfo.from_describe(resolved.field).as_dict(), "name": path}
        return out

    # -- records ---------------------------------------------------------------------------
    def filters(self) -> list[tuple]:
        """The workflow's Salesforce filters, each with the type its literal needs."""
        out = []
        for f in self.ctx.spec.salesforce_filters:
            info = (self.infos.get(f.field) or self.path_infos.get(f.field)
                    or FieldInfo(name=f.field, type="string"))
            value = soql.localize_filter_value(f.value, info, self.ctx.tz)
            out.append((f.field, f.operator, value, info))
        return out

    def paths(self) -> list[str]:
        """What the record query selects beyond the audit fields: the mappings' paths and
        the object's name field (errors name their record, at no extra call)."""
        paths = query_paths(self.ctx.spec, self.ctx.mappings)
        name_field = self.field_cache.get("name_field")
        if name_field and name_field not in paths:
            paths.append(name_field)
        return paths

    def record_name(self, record: dict | None) -> str:
        """The name of a record read (its name field's value), or ""."""
        name_field = self.field_cache.get("name_field")
        value = record.get(name_field) if record is not None and name_field else None
        return "" if value is None else str(value)

    def read(self, *, since: datetime | None, on_page: Callable[[int], None] | None = None
             ) -> None:
        """The records matching the filters (changed since ``since``, all with None)."""
        spec = self.ctx.spec
        paths = self.paths()
        query = soql.build_record_query(object_name=spec.salesforce_object, paths=paths,
                                        filters=self.filters(), since=since)
        salesforce = self.ctx.salesforce

        def pages():
            # The server's time at the first page is when the query ran (its snapshot):
            # the base of the next incremental window (see pipeline.salesforce_since).
            first = True
            for page in salesforce.query_pages(query, include_deleted=True):
                if first:
                    first = False
                    server_time = getattr(salesforce, "server_time", None)
                    self.read_server_time = server_time() if server_time else None
                yield page

        self.records, self.records_newest = read_records(pages(), paths, on_page)

    def prefetch_pasted(self, rows: dict[int, SheetRow]) -> None:
        """Records named in unlinked rows' Salesforce ID cells but not read: one query."""
        column = self.ctx.id_column_id
        if column is None:
            return
        linked = {link.row_id for link in self.ctx.links}
        wanted = set()
        for row in rows.values():
            value = row.cells.get(column)
            if value is None or row.id in linked:
                continue
            record_id = sfids.to18(str(value).strip())
            if record_id and record_id not in self.records:
                wanted.add(record_id)
        self.read_by_id(wanted)

    def read_by_id(self, record_ids: Iterable[str]) -> set[str]:
        """Read these records (those not read yet) into ``records``: one query per 500
        ids, with the workflow's filters — an id of a record outside them (one that left
        the filter, its row kept) is not read — and deleted records (``IsDeleted``).
        Returns the ids asked for: a record among them that did not come back is out of
        the workflow's scope."""
        wanted = sorted({i for i in record_ids if i and i not in self.records})
        if not wanted:
            return set()
        spec = self.ctx.spec
        paths = self.paths()
        for start in range(0, len(wanted), 500):
            query = soql.build_record_query(object_name=spec.salesforce_object, paths=paths,
                                            filters=self.filters(),
                                            ids=wanted[start:start + 500])
            records, _ = read_records(self.ctx.salesforce.query_pages(query,
                                                                      include_deleted=True),
                                      paths)
            self.records.update(records)
        return set(wanted)

    def resolve_lookups(self, inp: PlanInput) -> None:
        """The ids of the values typed in lookup columns (one query per lookup and
        batch of values, never one per row)."""
        for (object_name, field), values in lookup_values_needed(inp).items():
            found: dict[str, list[str]] = {}
            for query in soql.build_lookup_queries(object_name=object_name, field=field,
                                                   names=values):
                for page in self.ctx.salesforce.query_pages(query):
                    for record in page:
                        name = record.get(field)
                        if name is not None:
                            found.setdefault(str(name).casefold(), []).append(record["Id"])
            inp.lookups[(object_name, field)] = found


def required_on_create(describe: dict) -> dict[str, str]:
    """Name → label of the fields Salesforce refuses a create without (REQUIRED_FIELD_
    MISSING): createable, not nillable, not given a default (nor a default picklist
    value), not a checkbox."""
    return {f["name"]: f.get("label") or f["name"] for f in describe.get("fields", [])
            if f.get("createable") and f.get("nillable") is False
            and not f.get("defaultedOnCreate") and f.get("type") not in ("boolean", "id")
            and not any(p.get("defaultValue") and p.get("active", True)
                        for p in f.get("picklistValues") or ())}


def name_field_of(describe: dict) -> str:
    """The object's name field (``Name``; ``CaseNumber`` for cases), or ""."""
    for field in describe.get("fields") or ():
        if field.get("nameField"):
            return field.get("name") or ""
    return ""


def _get_path(record: dict, path: str) -> Any:
    if "." not in path:
        return record.get(path)
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _split_paths(paths: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    every = (*AUDIT_FIELDS, *paths)
    return (tuple(p for p in every if "." not in p), tuple(p for p in every if "." in p))


def _flatten(record: dict, simple: tuple[str, ...], dotted: tuple[str, ...]) -> dict:
    # Plain fields straight from the record (the common case, once per cell of a
    # 10,000-record read); relationship paths walked.
    get = record.get
    flat = {p: get(p) for p in simple}
    for path in dotted:
        flat[path] = _get_path(record, path)
    flat["IsDeleted"] = bool(get("IsDeleted"))
    return flat


def read_records(pages: Iterable[list[dict]], paths: list[str],
                 on_page: Callable[[int], None] | None = None
                 ) -> tuple[dict[str, dict], tuple[str, str] | None]:
    """Flatten every page into ``{Id: flat record}`` (``{path: value}`` for the audit
    fields, IsDeleted and ``paths``); also the last ``(SystemModstamp, Id)`` in query
    order (the keyset cursor)."""
    records: dict[str, dict] = {}
    newest: tuple[str, str] | None = None
    simple, dotted = _split_paths(tuple(paths))
    for page in pages:
        # Paused while flattening a page only (not while the next one is fetched):
        # 2,000 records of small dicts, see runs.engine.gcpause.
        with gc_paused():
            for raw in page:
                flat = _flatten(raw, simple, dotted)
                records[flat["Id"]] = flat
                stamp = flat.get("SystemModstamp")
                if stamp and (newest is None or (stamp, flat["Id"]) > newest):
                    newest = (stamp, flat["Id"])
        if on_page is not None:
            on_page(len(records))
    return records, newest
