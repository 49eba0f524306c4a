"""Reading the sheet: only when its version changed, only the rows modified since the
watermark, only the tracked columns — and the columns the engine owns, found or made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from connector.clients import ClientError
from runs.engine import sfids
from runs.engine.columns import MULTI_PICKLIST, ColumnFacts, facts_of, multi_value
from runs.engine.context import RunContext
from runs.engine.convert import FieldInfo, column_for, normalize_cell
from runs.engine.mappings import ConfigurationError
from runs.engine.types import SheetRow
from workflows.columns import owned_column_titles, owned_title_choices

#: An incremental read asks for the rows modified since this long before the watermark:
#: an overlap, so that a row saved around the previous read is not missed.
SHEET_OVERLAP = timedelta(seconds=60)
#: ...unless the watermark is exact (the previous run's own writes were the sheet's only
#: changes after its read, see ``advance_state``): then from one second before it, in
#: case the service compares whole seconds strictly.
EXACT_OVERLAP = timedelta(seconds=1)


class SheetReader:
    """The Smartsheet half of the read phase; what it read stays on it as plain data."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.columns: list[dict] = []
        self.columns_by_title: dict[str, int] = {}
        self.rows: dict[int, SheetRow] = {}
        #: True when every row of the sheet was read (deleted rows are visible).
        self.full_sheet = False
        self.sheet_version: int | None = None
        #: The newest ``modifiedAt`` among the rows read.
        self.sheet_newest: str | None = None
        #: The columns read, as the engine needs them (empty: the sheet was not read).
        self.facts: dict[int, ColumnFacts] = {}
        #: Read MULTI_PICKLIST cells from their ``objectValue`` (set by the caller when a
        #: multi-select field is mapped).
        self.object_values = False
        #: The sheet's permalink, when the sheet was read.
        self.permalink: str = ""

    def read(self, *, sheet_version: int | None, since: datetime | None, force: bool,
             known_columns: list[int] | None, exact: bool = False) -> None:
        """Read the rows changed since ``since`` (all with None), unless the version is
        unchanged and nothing forces a read. ``known_columns=None`` reads every column;
        ``exact``: ``since`` needs no overlap (see :data:`EXACT_OVERLAP`)."""
        spec = self.ctx.spec
        self.full_sheet = since is None
        overlap = EXACT_OVERLAP if exact else SHEET_OVERLAP

        def get(column_ids):
            return self.ctx.smartsheet.get_sheet(
                spec.sheet_id, column_ids=column_ids,
                rows_modified_since=None if since is None else since - overlap,
                if_version_after=None if force or sheet_version is None else sheet_version,
                include=self._include())

        try:
            body = get(known_columns)
        except ClientError as exc:
            # A column we track was deleted by a person. Read every column so the
            # owned-column and mapping checks can recreate it or name it to the user.
            if known_columns is None or exc.kind != "column_not_found":
                raise
            body = get(None)
        self.sheet_version = body.get("version")
        if "rows" not in body and "columns" not in body:
            self.full_sheet = False
            return  # unchanged since sheet_version
        self.permalink = body.get("permalink") or ""
        self.columns = body.get("columns") or []
        self.columns_by_title = {c["title"]: c["id"] for c in self.columns}
        for column in self.columns:
            if column.get("primary"):
                self.ctx.primary_column_id = column["id"]
        self.facts = facts_of(self.columns)
        self.rows, self.sheet_newest = parse_rows(body.get("rows") or (),
                                                  multi=self.multi_columns())

    def _include(self) -> tuple[str, ...]:
        return ("objectValue",) if self.object_values else ()

    def multi_columns(self) -> frozenset[int]:
        """The MULTI_PICKLIST columns read (their cells are read as ``;``-joined)."""
        return frozenset(c for c, f in self.facts.items() if f.type == MULTI_PICKLIST)

    def read_rows_by_id(self, row_ids: list[int], *, known_columns: list[int] | None) -> int:
        """Read these rows (that the incremental read did not return) into ``rows``;
        return how many came back. One call per 200 rows."""
        found = 0
        for start in range(0, len(row_ids), 200):
            body = self.ctx.smartsheet.get_sheet(
                self.ctx.spec.sheet_id, row_ids=row_ids[start:start + 200],
                column_ids=known_columns, include=self._include())
            rows, _ = parse_rows(body.get("rows") or (),
                                 multi=frozenset(c["id"] for c in body.get("columns") or ()
                                                 if c.get("type") == MULTI_PICKLIST))
            for row_id, row in rows.items():
                if row_id not in self.rows:
                    self.rows[row_id] = row
                    found += 1
        return found

    def read_primary_rows(self) -> dict[int, SheetRow]:
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

    def pasted_ids(self) -> set[str]:
        """Valid record ids found in the Salesforce ID cells of the rows read."""
        column = self.ctx.id_column_id
        if column is None:
            return set()
        ids = (sfids.to18(str(r.cells[column]).strip()) for r in self.rows.values()
               if r.cells.get(column) is not None)
        return {i for i in ids if i}

    def owned_columns(self, *, create: bool, tracked: tuple[int | None, int | None],
                      infos: dict[str, FieldInfo], install_kind: str = "salesforce"
                      ) -> list[tuple[str, int]]:
        """Find (or create) the record id and Sync Error columns and "new column"
        mappings' columns (``infos``: the described fields). Returns the (title, id) of
        columns created.

        Owned columns are found by the id tracked, else by their title in any language
        (a "Service Cloud ID" column serves a Salesforce install and the other way
        round); a new one gets its title in the active language (the install's) — so a
        sheet prepared beforehand (by an Admin of the sheet) is found by the first run and
        never gets a second set. Without ``create`` (a preview), a column still to create
        gets a negative stand-in id, so the plan counts the cells the run will write."""
        ctx = self.ctx
        ids = {c["id"] for c in self.columns}
        id_choices, error_choices = owned_title_choices(install_kind)
        searches = (lambda: id_choices, lambda: error_choices)
        found = []
        for titles, tracked_id in zip(searches, tracked, strict=True):
            if tracked_id in ids:
                found.append(tracked_id)
                continue
            found.append(next((self.columns_by_title[t] for t in titles()
                               if t in self.columns_by_title), None))
        wanted = []
        new_titles = owned_column_titles(install_kind)
        for title, column_id in zip(new_titles, found, strict=True):
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
                    else infos[m.salesforce_field])
            wanted.append(column_for(info, m.column_title))
        created = []
        if wanted and create:
            index = len(self.columns)
            for offset, column in enumerate(wanted):
                column["index"] = index + offset
            for column in ctx.smartsheet.add_columns(ctx.spec.sheet_id, wanted):
                self.columns_by_title[column["title"]] = column["id"]
                self.facts[column["id"]] = ColumnFacts.from_column(column)
                self.columns.append(column)
                created.append((column["title"], column["id"]))
        elif wanted:
            self.plan_columns(wanted)
        ctx.id_column_id = (found[0] if found[0] is not None
                            else self.columns_by_title.get(new_titles[0]))
        ctx.error_column_id = (found[1] if found[1] is not None
                               else self.columns_by_title.get(new_titles[1]))
        return created

    def plan_columns(self, wanted: list[dict]) -> None:
        """Stand-ins (negative ids) for columns a run would create, for a preview."""
        for column in wanted:
            stand_in = -1 - len([c for c in self.columns if c["id"] < 0])
            column = {**column, "id": stand_in}
            self.columns.append(column)
            self.columns_by_title[column["title"]] = stand_in


def parse_rows(raw_rows: Iterable[dict], *, multi: frozenset[int] = frozenset()
               ) -> tuple[dict[int, SheetRow], str | None]:
    """Rows by id and the newest ``modifiedAt`` among them. Cells of the ``multi``
    (MULTI_PICKLIST) columns are read ``;``-joined; cells holding a formula are noted on
    their row (their computed value is the value)."""
    rows: dict[int, SheetRow] = {}
    newest: str | None = None
    for raw in raw_rows:
        row = SheetRow(id=raw["id"], parent_id=raw.get("parentId"),
                       modified_at=raw.get("modifiedAt"), row_number=raw.get("rowNumber"))
        formulas = None
        for cell in raw.get("cells") or ():
            column_id = cell["columnId"]
            if multi and column_id in multi:
                value = multi_value(cell)
            else:
                value = normalize_cell(cell.get("value"))
            if value is not None:
                row.cells[column_id] = value
            link = cell.get("hyperlink")
            if link and link.get("url"):
                row.links[column_id] = link["url"]
            if "formula" in cell:
                formulas = [*(formulas or ()), column_id]
        if formulas:
            row.formulas = frozenset(formulas)
        rows[row.id] = row
        if row.modified_at and (newest is None or row.modified_at > newest):
            newest = row.modified_at
    return rows, newest
