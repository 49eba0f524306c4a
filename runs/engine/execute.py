"""A run: read → plan → apply → record.

The engine acts as the workflow owner (their connections), counts every call on the
run, commits links and pending markers per batch, and advances watermarks only at the
end of a run whose writes all went through the apply phase.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from connector.clients import ClientError
from runs.engine import soql
from runs.engine.computed import prepare_computed
from runs.engine.context import RunContext, SyncFailed
from runs.engine.convert import FieldInfo, column_for, sf_canonical
from runs.engine.mappings import (
    ConfigurationError,
    field_infos_from_describe,
    needed_fields,
    query_paths,
    resolve_mappings,
)
from runs.engine.plan import PlanInput, lookup_values_needed, plan_sync
from runs.engine.read import parse_rows, read_records
from runs.engine.types import SALESFORCE_ID_TITLE, SYNC_ERROR_TITLE, LinkState, Plan
from workflows.spec import WorkflowSpec

SHEET_OVERLAP = timedelta(seconds=60)


def _stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-5] + text[-5:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


class Reader:
    """The read half of a run, shared by :func:`sync_workflow` and :func:`preview`."""

    def __init__(self, ctx: RunContext, *, full: bool, field_cache: dict | None = None,
                 state=None) -> None:
        self.ctx = ctx
        self.full = full
        self.field_cache = field_cache or {}
        self.state = state
        self.infos: dict[str, FieldInfo] = {}
        #: Leaf fields of relationship paths used in Salesforce filters.
        self.path_infos: dict[str, FieldInfo] = {}
        self.columns_by_title: dict[str, int] = {}
        self.columns: list[dict] = []
        self.rows: dict = {}
        self.full_sheet = False
        self.sheet_version: int | None = None
        self.sheet_newest: str | None = None
        self.records: dict[str, dict] = {}
        self.records_newest: str | None = None
        #: The Salesforce server's time when the record query ran (None: unknown).
        self.read_server_time: datetime | None = None
        self.cache_changed = False

    # -- describe --------------------------------------------------------------------------
    def describe(self) -> None:
        spec = self.ctx.spec
        names = needed_fields(spec)
        # Filters through relationships (Account.AnnualRevenue) need their leaf's type for
        # a typed literal: a number or date in quotes is refused by Salesforce.
        paths = sorted({f.field for f in spec.salesforce_filters if "." in f.field})
        cache = self.field_cache
        if (self.full or cache.get("object") != spec.salesforce_object
                or cache.get("names") != names or cache.get("filter_paths", []) != paths):
            describe = self.ctx.salesforce.describe(spec.salesforce_object)
            infos = field_infos_from_describe(describe, names)
            self.field_cache = {"object": spec.salesforce_object, "names": names,
                                "key_prefix": describe.get("keyPrefix") or "",
                                "fields": {n: i.as_dict() for n, i in infos.items()},
                                "filter_paths": paths,
                                "path_fields": self._describe_paths(describe, paths)}
            self.cache_changed = True
        self.infos = {n: FieldInfo.from_dict(d) for n, d in self.field_cache["fields"].items()}
        self.path_infos = {p: FieldInfo.from_dict(d)
                           for p, d in (self.field_cache.get("path_fields") or {}).items()}
        self.ctx.key_prefix = self.field_cache.get("key_prefix", "")

    def _describe_paths(self, describe: dict, paths: list[str]) -> dict[str, dict]:
        """The leaf field of each relationship path (one describe per related object)."""
        if not paths:
            return {}
        from workflows.validation import PathError, resolve_path

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

    # -- the sheet -------------------------------------------------------------------------
    def read_sheet(self, *, sheet_version: int | None, since: datetime | None,
                   force: bool, known_columns: list[int] | None) -> None:
        """Read the rows changed since ``since`` (all with None), unless the version is
        unchanged and nothing forces a read. ``known_columns=None`` reads every column."""
        spec = self.ctx.spec
        self.full_sheet = since is None
        def get(column_ids):
            return self.ctx.smartsheet.get_sheet(
                spec.sheet_id, column_ids=column_ids,
                rows_modified_since=None if since is None else since - SHEET_OVERLAP,
                if_version_after=None if force or sheet_version is None else sheet_version)

        try:
            body = get(known_columns)
        except ClientError as exc:
            # 1036: a column we track was deleted by a person. Read every column so the
            # owned-column and mapping checks can recreate it or name it to the user.
            if known_columns is None or exc.code != "1036":
                raise
            body = get(None)
        self.sheet_version = body.get("version")
        if "rows" not in body and "columns" not in body:
            self.full_sheet = False
            return  # unchanged since sheet_version
        self.columns = body.get("columns") or []
        self.columns_by_title = {c["title"]: c["id"] for c in self.columns}
        for column in self.columns:
            if column.get("primary"):
                self.ctx.primary_column_id = column["id"]
        self.rows, self.sheet_newest = parse_rows(body.get("rows") or ())

    def read_rows_by_id(self, row_ids: list[int], *, known_columns: list[int] | None) -> int:
        """Read these rows (that the incremental read did not return) into ``rows``;
        return how many came back. One call per 200 rows."""
        found = 0
        for start in range(0, len(row_ids), 200):
            body = self.ctx.smartsheet.get_sheet(
                self.ctx.spec.sheet_id, row_ids=row_ids[start:start + 200],
                column_ids=known_columns)
            rows, _ = parse_rows(body.get("rows") or ())
            for row_id, row in rows.items():
                if row_id not in self.rows:
                    self.rows[row_id] = row
                    found += 1
        return found

    def read_primary_rows(self) -> dict:
        """Every row of the sheet with only its primary value (one call), for finding an
        existing group parent row an incremental read did not see. Rows holding a
        Salesforce ID (record rows) are left out: they are never group rows."""
        ctx = self.ctx
        if ctx.primary_column_id is None:
            return {}
        columns = [ctx.primary_column_id]
        if ctx.id_column_id is not None:
            columns.append(ctx.id_column_id)
        body = ctx.smartsheet.get_sheet(ctx.spec.sheet_id, column_ids=columns)
        rows, _ = parse_rows(body.get("rows") or ())
        out = {}
        for row_id, row in rows.items():
            if ctx.id_column_id is not None and row.cells.get(ctx.id_column_id) is not None:
                continue
            row.cells = {k: v for k, v in row.cells.items() if k == ctx.primary_column_id}
            out[row_id] = row
        return out

    # -- Salesforce -------------------------------------------------------------------------
    def salesforce_filters(self) -> list[tuple]:
        out = []
        for f in self.ctx.spec.salesforce_filters:
            info = (self.infos.get(f.field) or self.path_infos.get(f.field)
                    or FieldInfo(name=f.field, type="string"))
            value = soql.localize_filter_value(f.value, info, self.ctx.tz)
            out.append((f.field, f.operator, value, info))
        return out

    def read_salesforce(self, *, since: datetime | None, after=None, on_page=None) -> None:
        spec = self.ctx.spec
        paths = query_paths(spec, self.ctx.mappings)
        query = soql.build_record_query(object_name=spec.salesforce_object, paths=paths,
                                        filters=self.salesforce_filters(), since=since,
                                        after=after)
        salesforce = self.ctx.salesforce

        def pages():
            # The server's time at the first page is when the query ran (its snapshot):
            # the base of the next incremental window (see sync.salesforce_since).
            first = True
            for page in salesforce.query_pages(query, include_deleted=True):
                if first:
                    first = False
                    server_time = getattr(salesforce, "server_time", None)
                    self.read_server_time = server_time() if server_time else None
                yield page

        self.records, self.records_newest = read_records(pages(), paths, on_page)

    def pasted_ids(self) -> set[str]:
        """Valid record ids found in the Salesforce ID cells of the rows read."""
        from runs.engine import sfids

        column = self.ctx.id_column_id
        if column is None:
            return set()
        ids = (sfids.to18(str(r.cells[column]).strip()) for r in self.rows.values()
               if r.cells.get(column) is not None)
        return {i for i in ids if i}

    def prefetch_pasted(self) -> None:
        """Records named in unlinked rows' Salesforce ID cells but not read: one query."""
        column = self.ctx.id_column_id
        if column is None:
            return
        from runs.engine import sfids

        linked = {link.row_id for link in self.ctx.links}
        wanted = set()
        for row in self.rows.values():
            value = row.cells.get(column)
            if value is None or row.id in linked:
                continue
            record_id = sfids.to18(str(value).strip())
            if record_id and record_id not in self.records:
                wanted.add(record_id)
        if not wanted:
            return
        spec = self.ctx.spec
        paths = query_paths(spec, self.ctx.mappings)
        wanted_list = sorted(wanted)
        for start in range(0, len(wanted_list), 500):
            # The workflow's filters apply: an id of a record outside them (one that
            # left the filter, its row kept) must not link a row again.
            query = soql.build_record_query(object_name=spec.salesforce_object, paths=paths,
                                            filters=self.salesforce_filters(),
                                            ids=wanted_list[start:start + 500])
            records, _ = read_records(self.ctx.salesforce.query_pages(query,
                                                                      include_deleted=True),
                                      paths)
            self.records.update(records)

    def resolve_lookups(self, inp: PlanInput) -> None:
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

    # -- planning --------------------------------------------------------------------------
    def plan_input(self, *, tombstoned_records=frozenset(), tombstoned_rows=frozenset(),
                   group_rows=None, left_filter_rows=frozenset()) -> PlanInput:
        spec, ctx = self.ctx.spec, self.ctx
        sheet_filters = []
        for f in spec.smartsheet_filters:
            sheet_filters.append((f.column_id or self.columns_by_title.get(f.field),
                                  f.operator, f.value))
        group_infos = {g.field: self.infos[g.field] for g in spec.row_groups
                       if g.field in self.infos}
        return PlanInput(
            spec=spec, mappings=ctx.mappings, records=self.records, rows=self.rows,
            links=ctx.links, id_column_id=ctx.id_column_id,
            error_column_id=ctx.error_column_id, primary_column_id=ctx.primary_column_id,
            key_prefix=ctx.key_prefix, tz=ctx.tz, full_salesforce=self.full,
            full_sheet=self.full_sheet, tombstoned_records=frozenset(tombstoned_records),
            tombstoned_rows=frozenset(tombstoned_rows),
            left_filter_rows=frozenset(left_filter_rows), group_rows=dict(group_rows or {}),
            group_infos=group_infos, sheet_filters=sheet_filters)

    def owned_columns(self, *, create: bool, tracked: tuple[int | None, int | None]
                      ) -> list[tuple[str, int]]:
        """Find (or create) the Salesforce ID and Sync Error columns and "new column"
        mappings' columns. Returns the (title, id) of columns created."""
        ctx = self.ctx
        ids = {c["id"] for c in self.columns}
        found = []
        for title, tracked_id in zip((SALESFORCE_ID_TITLE, SYNC_ERROR_TITLE), tracked,
                                     strict=True):
            found.append(tracked_id if tracked_id in ids else self.columns_by_title.get(title))
        wanted = []
        for title, column_id in zip((SALESFORCE_ID_TITLE, SYNC_ERROR_TITLE), found, strict=True):
            if column_id is None:
                wanted.append({"title": title, "type": "TEXT_NUMBER"})
        for m in ctx.spec.mappings:
            if m.column_id in ids or m.column_title in self.columns_by_title:
                continue
            if not m.new_column:
                raise ConfigurationError(
                    f"The column '{m.column_title}' is not in the sheet any more: edit the "
                    "workflow's mappings.")
            info = (FieldInfo(name=m.salesforce_field, type="string")
                    if "." in m.salesforce_field or m.lookup_field
                    else self.infos[m.salesforce_field])
            wanted.append(column_for(info, m.column_title))
        created = []
        if wanted and create:
            index = len(self.columns)
            for offset, column in enumerate(wanted):
                column["index"] = index + offset
            for column in ctx.smartsheet.add_columns(ctx.spec.sheet_id, wanted):
                self.columns_by_title[column["title"]] = column["id"]
                created.append((column["title"], column["id"]))
        ctx.id_column_id = (found[0] if found[0] is not None
                            else self.columns_by_title.get(SALESFORCE_ID_TITLE))
        ctx.error_column_id = (found[1] if found[1] is not None
                               else self.columns_by_title.get(SYNC_ERROR_TITLE))
        return created


def reconcile_pending_creates(ctx: RunContext, infos: dict[str, FieldInfo],
                              owner_sf_user_id: str) -> list:
    """Link rows whose Salesforce create may have landed before the run died.

    Looks for records the owner created since the oldest pending marker and matches them
    to pending rows by the values sent. Returns the Link objects to create.
    """
    from runs.models import Link

    pending = ctx.state.pending_creates or {}
    if not pending:
        return []
    oldest = min(_stamp(p["at"]) for p in pending.values())
    names = sorted({f for p in pending.values() for f in p["fields"]})
    where = (f"CreatedById = {soql.quote(owner_sf_user_id)} AND "
             f"CreatedDate >= {soql.soql_datetime(oldest - timedelta(seconds=60))}")
    object_name = soql.check_name(ctx.spec.salesforce_object)
    fields = ", ".join(soql.record_fields(names))
    # Names are checked and the one value is quoted: nothing here comes from a user as-is.
    query = f"SELECT {fields} FROM {object_name} WHERE {where} ORDER BY CreatedDate, Id"  # noqa: S608
    candidates = [r for page in ctx.salesforce.query_pages(query) for r in page]
    taken = set(Link.objects.filter(workflow=ctx.workflow,
                                    record_id__in=[r["Id"] for r in candidates])
                .values_list("record_id", flat=True))
    links = []
    for row_id, entry in sorted(pending.items(), key=lambda kv: kv[1]["at"]):
        for record in candidates:
            if record["Id"] in taken:
                continue
            same = all(
                sf_canonical(record.get(f), infos.get(f) or FieldInfo(name=f))
                == sf_canonical(v, infos.get(f) or FieldInfo(name=f))
                for f, v in entry["fields"].items())
            if same:
                taken.add(record["Id"])
                links.append(Link(workflow=ctx.workflow, record_id=record["Id"],
                                  row_id=int(row_id), snapshot=entry.get("snapshot") or {}))
                break
    return links


def links_of(workflow, *, record_ids=None, row_ids=None
             ) -> tuple[list[LinkState], dict[str, int]]:
    """The workflow's links as plain data: all of them, or (when ``record_ids`` or
    ``row_ids`` are given) only those touching these records or rows — a poll that read
    little loads little. Stamps are not loaded: the planner does not need them."""
    from django.db.models import Q

    from runs.models import Link

    query = Link.objects.filter(workflow=workflow)
    chunks: list = [None]
    if record_ids is not None or row_ids is not None:
        record_ids, row_ids = list(record_ids or ()), list(row_ids or ())
        if not record_ids and not row_ids:
            return [], {}
        size = 500
        chunks = [Q(record_id__in=record_ids[i:i + size]) for i in range(0, len(record_ids), size)]
        chunks += [Q(row_id__in=row_ids[i:i + size]) for i in range(0, len(row_ids), size)]
    states, pks = [], {}
    for condition in chunks:
        selected = query if condition is None else query.filter(condition)
        for pk, record_id, row_id, snapshot, parent in selected.values_list(
                "pk", "record_id", "row_id", "snapshot", "parent_row_id"):
            if record_id in pks:
                continue
            states.append(LinkState(record_id=record_id, row_id=row_id, snapshot=snapshot,
                                    parent_row_id=parent))
            pks[record_id] = pk
    return states, pks


def tombstones_of(workflow) -> tuple[set[str], set[int], set[int]]:
    """The workflow's tombstoned record ids, tombstoned row ids, and the rows kept after
    their record left the Salesforce filter (tombstones of reason ``filter_exit``: not
    skipped like the others, the record may come back into the filter)."""
    from runs.models import Tombstone

    records, rows, left = set(), set(), set()
    for record_id, row_id, reason in Tombstone.objects.filter(workflow=workflow).values_list(
            "record_id", "row_id", "reason"):
        if record_id:
            records.add(record_id)
        elif reason == "filter_exit":
            left.add(row_id)
        else:
            rows.add(row_id)
    return records, rows, left


def preview(spec: WorkflowSpec, *, user, workflow=None) -> dict:
    """The summary of updates a run of ``spec`` would make now; writes nothing.

    Works for an unsaved draft (``workflow=None``: no links, so every matching record is
    a row to add and every unlinked row of a to-Salesforce workflow a record to create).
    """
    from connector.models import Install
    from connector.services import (
        ConnectionMissing,
        salesforce_client_for,
        smartsheet_client_for,
    )

    install = Install.objects.get(pk=spec.install_id)
    try:
        salesforce = salesforce_client_for(user=user, install=install)
        smartsheet = smartsheet_client_for(user=user, install=install) if spec.sheet_id else None
    except ConnectionMissing as exc:
        raise SyncFailed(exc.message, "auth") from exc
    ctx = RunContext(spec=spec, salesforce=salesforce, smartsheet=smartsheet,
                     tz=install.time_zone or "UTC",
                     instance_url=salesforce.instance_url if hasattr(salesforce, "instance_url")
                     else install.salesforce_instance_url, dry_run=True)
    group_rows, tomb_records, tomb_rows, left_rows = {}, set(), set(), set()
    if workflow is not None:
        ctx.links, _ = links_of(workflow)
        state = getattr(workflow, "sync_state", None)
        if state is not None:
            group_rows = state.group_rows or {}
        tomb_records, tomb_rows, left_rows = tombstones_of(workflow)
    reader = Reader(ctx, full=True)
    try:
        reader.describe()
        if spec.sheet_id:
            reader.read_sheet(sheet_version=None, since=None, force=True, known_columns=None)
            reader.owned_columns(create=False, tracked=(None, None))
        ctx.mappings = resolve_mappings(spec, reader.infos, reader.columns_by_title)
        reader.read_salesforce(since=None)
        reader.prefetch_pasted()
        inp = reader.plan_input(tombstoned_records=tomb_records, tombstoned_rows=tomb_rows,
                                group_rows=group_rows, left_filter_rows=left_rows)
        prepare_computed(inp, install=install)
        reader.resolve_lookups(inp)
    except ConfigurationError as exc:
        raise SyncFailed(str(exc), "config") from exc
    except soql.FilterError as exc:
        raise filter_failure(exc) from exc
    except ClientError as exc:
        raise failure_from(exc, spec=spec) from exc
    plan: Plan = plan_sync(inp)
    return plan.summary()


def filter_failure(error: soql.FilterError) -> SyncFailed:
    """The SyncFailed a Salesforce filter that cannot compile becomes: the workflow's
    settings must change, retrying cannot help."""
    reason = str(error).rstrip(".")
    return SyncFailed(f"A Salesforce filter of this workflow cannot be used: {reason}. "
                      "Edit the workflow's filters.", "config")


def failure_from(error: ClientError, *, spec=None) -> SyncFailed:
    """The SyncFailed a systemic client error becomes, with a message a user can act on
    (naming the workflow's sheet or object when ``spec`` is given)."""
    service = "Salesforce" if error.service == "salesforce" else "Smartsheet"
    if error.kind in ("auth", "revoked"):
        return SyncFailed(f"Reconnect your {service} account: {service} refused the "
                          "workflow owner's sign-in.", error.kind)
    if error.kind == "limit":
        reset = (timezone.now() + timedelta(seconds=error.retry_after)
                 if error.retry_after else None)
        return SyncFailed(f"{service} API limit reached; the workflow resumes when it resets.",
                          "limit", reset_at=reset)
    if error.kind == "not_found":
        if error.service == "salesforce":
            what = "Salesforce object" + (f" '{spec.salesforce_object}'" if spec else "")
        else:
            what = "sheet" + (f" '{spec.sheet_name}' (id {spec.sheet_id})"
                              if spec and spec.sheet_name else
                              f" {spec.sheet_id}" if spec else "")
        return SyncFailed(f"The {what} of this workflow was not found or is not shared with "
                          f"its owner ({error.message}).", "not_found")
    if error.kind == "permission":
        return SyncFailed(f"The workflow owner has no access in {service}: {error.message}",
                          "permission")
    return SyncFailed(f"{service} failed: {error.message}", error.kind)


def full_due(state, run, full: bool | None, spec=None) -> bool:
    """Whether this run reads everything: asked for, never done, the workflow's sync
    settings changed since the last full read (``spec.sync_key``), or one is due."""
    if full is not None:
        return full
    if run is not None and run.full:
        return True
    if state.last_full_sync_at is None:
        return True
    if spec is not None and state.synced_spec_key != spec.sync_key:
        return True
    hours = getattr(settings, "FULL_RECONCILE_HOURS", 24)
    return timezone.now() - state.last_full_sync_at > timedelta(hours=hours)
