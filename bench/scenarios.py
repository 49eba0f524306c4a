"""The scenarios: each seeds the sandbox, saves a workflow, runs any unmeasured
preparation, and says what the measured run should cost (its floor) and do.

A scenario is a function ``(bench) -> Prepared``. Seeding goes through the sandbox's
control endpoint (Salesforce records) or the Smartsheet API as the sheet's owner
(rows); none of it is counted, because the harness resets the counts afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import data
from bench.floors import (
    NO_CHANGE_POLL_MAX,
    SLACK,
    Floor,
    floor_conflicts,
    floor_grouped,
    floor_incremental,
    floor_initial_to_salesforce,
    floor_initial_to_smartsheet,
    floor_lookup,
    floor_no_change_poll,
)
from bench.sandbox_process import SandboxProcess, column_ids
from bench.world import MappingDef, sync_in_process, workflow_make

#: How far the sandbox clock moves between a preparing run and the measured one: past
#: the engine's watermark overlap (60 s), as a poll minutes later would be.
POLL_GAP_SECONDS = 900
#: How old the seeded data is when the first sync runs. Real data exists long before
#: the connector's first sync; without this gap the seeding's SystemModstamps would fall
#: inside the first watermark's 60 s overlap, and the next poll would re-read every
#: record as a poll right after a bulk import does.
DATA_AGE_SECONDS = 900
EDITOR_EMAIL = "ada@example.com"
#: A real-time run starts this long after the edits (the debounce, a webhook's delay).
REALTIME_DELAY_SECONDS = 2
#: A real-time run of one change per side: read each side's change, write each back.
REALTIME_MAX_CALLS = 4


@dataclass
class Bench:
    """What a scenario works with."""

    sandbox: SandboxProcess
    owner: Any
    install: Any
    records: int
    fields: int
    #: Changes on each side (incremental); None: 1 % of the records.
    changes: int | None = None
    #: Measure the first poll after the initial sync (no warm-up poll in between).
    first_poll: bool = False

    @property
    def mapped(self) -> tuple[data.BenchField, ...]:
        return data.fields(self.fields)


@dataclass
class Prepared:
    """A scenario ready to measure."""

    workflow_id: int
    floor: Floor
    #: Most calls allowed (None: not bounded, e.g. the naive variants).
    max_calls: int | None
    #: Run counters the measured run must reach, e.g. ``{"rows_added": N}``.
    expect: dict[str, int] = field(default_factory=dict)
    mode: str = "engine"
    id_column_id: int | None = None
    #: Called after the measured run (uncounted): observed values, checked against
    #: ``expect`` like the run's counters (e.g. the sheet's row count).
    observe: Callable[[], dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)
    #: Changes made on each side before the measured run (polling scenarios).
    changes: int | None = None


def _changes(b: Bench) -> int:
    """Changes per side: ``--changes`` or 1 % of the records; at most half of them (the
    two sides change different items; the last item is the warm-up poll's)."""
    k = b.changes if b.changes is not None else max(1, b.records // 100)
    if not 1 <= k <= (b.records - 1) // 2:
        raise ValueError(f"--changes must be between 1 and {(b.records - 1) // 2} "
                         "(the two sides change different items, the last is the warm-up's)")
    return k


# -- building blocks ---------------------------------------------------------------------
def _seed_records(b: Bench, extra: Callable[[int], dict] | None = None) -> list[str]:
    rows = data.records(b.records, b.mapped)
    if extra is not None:
        for i, rec in enumerate(rows):
            rec.update(extra(i))
    return b.sandbox.salesforce_insert("Account", rows)


def _new_sheet_workflow(b: Bench, name: str, direction: str, mapping_direction: str,
                        **options) -> Any:
    """A workflow into a new sheet, as the wizard saves it: the sheet has only its
    primary column (the first mapping); the other mappings are new columns."""
    first = b.mapped[0]
    sheet = b.sandbox.smartsheet_create_sheet(
        name, [{"title": first.title, "type": "TEXT_NUMBER", "primary": True}])
    mappings = [MappingDef(first.name, first.title, mapping_direction,
                           column_id=column_ids(sheet)[first.title])]
    mappings += [MappingDef(f.name, f.title, mapping_direction, new_column=True)
                 for f in b.mapped[1:]]
    return workflow_make(owner=b.owner, install=b.install, name=name, direction=direction,
                         sheet_id=int(sheet["id"]), mappings=mappings, **options)


def _filled_sheet(b: Bench, name: str, extra: dict[str, Callable[[int], Any]] | None = None,
                  extra_columns: tuple[str, ...] = ()) -> tuple[int, dict[str, int]]:
    """A sheet someone filled by hand: mapped columns (+ extras) and N rows."""
    titles = (*tuple(extra or {}), *extra_columns)
    sheet = b.sandbox.smartsheet_create_sheet(name, data.sheet_columns(b.mapped, extra=titles))
    ids = column_ids(sheet)
    b.sandbox.smartsheet_add_rows(int(sheet["id"]),
                                  data.sheet_rows(b.records, b.mapped, ids, extra))
    return int(sheet["id"]), ids


def _bidirectional_synced(b: Bench, name: str) -> tuple[Any, list[str], dict[int, int], dict]:
    """N records synced both ways by one unmeasured run, then polled once (a person's
    edit synced): (workflow, record ids, {record index: row id}, column ids by title).

    The clock moves :data:`DATA_AGE_SECONDS` between seeding and that run, and
    :data:`POLL_GAP_SECONDS` before the warm-up poll — the workflow is in its steady
    state, as a real one is between polls (the first poll after a large initial sync
    also re-reads the rows written in that sync's last second: its watermark's second)
    — then half of :data:`POLL_GAP_SECONDS`; the caller makes its changes, and
    :func:`_poll_later` moves it the other half, so the measured poll comes a polling
    interval after the previous one with the changes in between.
    """
    record_ids = _seed_records(b)
    b.sandbox.advance_clock(DATA_AGE_SECONDS)
    workflow = _new_sheet_workflow(b, name, "bidirectional", "both")
    first = sync_in_process(workflow)
    if first["rows_added"] != b.records:
        raise RuntimeError(f"preparing run added {first['rows_added']} of {b.records} rows: "
                           f"{first}")
    sheet = b.sandbox.smartsheet_get_sheet(workflow.sheet_id)
    ids = column_ids(sheet)
    primary = ids[b.mapped[0].title]
    row_of: dict[int, int] = {}
    for row in sheet["rows"]:
        value = next((c.get("value") for c in row["cells"] if c["columnId"] == primary), None)
        if isinstance(value, str) and value.startswith("Account "):
            row_of[int(value.split()[1])] = row["id"]
    if b.first_poll:
        b.sandbox.advance_clock(POLL_GAP_SECONDS / 2)
        return workflow, record_ids, row_of, ids
    b.sandbox.advance_clock(POLL_GAP_SECONDS)
    warm = b.records - 1  # an item no scenario changes
    b.sandbox.smartsheet_edit_cells(sheet_id=workflow.sheet_id, email=EDITOR_EMAIL, rows=[
        {"id": row_of[warm], "cells": [{"columnId": ids["Account Number"], "value":
                                        data.changed_value("AccountNumber", warm, "warm")}]}])
    polled = sync_in_process(workflow)
    if polled["records_updated"] != 1:
        raise RuntimeError(f"the warm-up poll did not sync its one edit: {polled}")
    b.sandbox.advance_clock(POLL_GAP_SECONDS / 2)
    return workflow, record_ids, row_of, ids


def _poll_later(b: Bench) -> None:
    """The rest of the polling interval, after the scenario's changes."""
    b.sandbox.advance_clock(POLL_GAP_SECONDS / 2)


def _bounded(floor: Floor) -> int:
    return floor.total + SLACK


# -- the scenarios -----------------------------------------------------------------------
def initial_to_smartsheet(b: Bench) -> Prepared:
    _seed_records(b)
    workflow = _new_sheet_workflow(b, "Bench initial to Smartsheet", "to_smartsheet",
                                   "to_smartsheet")
    floor = floor_initial_to_smartsheet(records=b.records)
    return Prepared(workflow.pk, floor, _bounded(floor),
                    expect={"records_read": b.records, "rows_added": b.records})


def initial_to_salesforce(b: Bench) -> Prepared:
    sheet_id, ids = _filled_sheet(b, "Bench initial to Salesforce")
    mappings = [MappingDef(f.name, f.title, "to_salesforce", column_id=ids[f.title])
                for f in b.mapped]
    workflow = workflow_make(owner=b.owner, install=b.install, name="Bench to Salesforce",
                             direction="to_salesforce", sheet_id=sheet_id, mappings=mappings)
    floor = floor_initial_to_salesforce(rows=b.records)
    return Prepared(workflow.pk, floor, _bounded(floor),
                    expect={"records_created": b.records})


def lookup(b: Bench) -> Prepared:
    """Rows name their owner by full name; the engine resolves names with one SOQL."""
    owner_of = {"Owner": lambda i: data.OWNER_NAMES[i % len(data.OWNER_NAMES)]}
    sheet_id, ids = _filled_sheet(b, "Bench lookup", extra=owner_of)
    mappings = [MappingDef(f.name, f.title, "to_salesforce", column_id=ids[f.title])
                for f in b.mapped]
    mappings.append(MappingDef("OwnerId", "Owner", "to_salesforce", column_id=ids["Owner"],
                               lookup_field="Name"))
    workflow = workflow_make(owner=b.owner, install=b.install, name="Bench lookup",
                             direction="to_salesforce", sheet_id=sheet_id, mappings=mappings)
    distinct = len({owner_of["Owner"](i) for i in range(b.records)})
    floor = floor_lookup(rows=b.records, distinct_names=distinct)
    return Prepared(workflow.pk, floor, _bounded(floor),
                    expect={"records_created": b.records, "errors_count": 0})


def no_change_poll(b: Bench) -> Prepared:
    workflow, *_ = _bidirectional_synced(b, "Bench no-change poll")
    _poll_later(b)
    floor = floor_no_change_poll()
    return Prepared(workflow.pk, floor, min(NO_CHANGE_POLL_MAX, _bounded(floor)),
                    expect={"rows_added": 0, "rows_updated": 0, "records_created": 0,
                            "records_updated": 0, "errors_count": 0})


def incremental(b: Bench) -> Prepared:
    """1 % of the records (or ``--changes``) change in Salesforce (Phone) and as many
    other rows in the sheet (Account Number)."""
    workflow, record_ids, row_of, ids = _bidirectional_synced(b, "Bench incremental")
    k = _changes(b)
    step = max(1, b.records // k)
    sf_items = [j * step for j in range(k)]
    ss_items = [min(b.records - 1, j * step + step // 2) for j in range(k)]
    if set(sf_items) & set(ss_items):
        ss_items = [i for i in ss_items if i not in set(sf_items)]
    b.sandbox.salesforce_update("Account", [
        {"Id": record_ids[i], "Phone": data.changed_value("Phone", i, "sf")} for i in sf_items])
    column = ids["Account Number"]
    b.sandbox.smartsheet_edit_cells(sheet_id=workflow.sheet_id, email=EDITOR_EMAIL, rows=[
        {"id": row_of[i], "cells": [{"columnId": column,
                                     "value": data.changed_value("AccountNumber", i, "ss")}]}
        for i in ss_items])
    _poll_later(b)
    floor = floor_incremental(changed_records=len(sf_items), changed_rows=len(ss_items))
    return Prepared(workflow.pk, floor, _bounded(floor),
                    expect={"records_updated": len(ss_items), "rows_updated": len(sf_items),
                            "conflicts_count": 0, "errors_count": 0}, changes=k)


def realtime_change(b: Bench) -> Prepared:
    """One record changed in Salesforce and one row edited in the sheet, on an N-row
    two-way workflow polled a polling interval ago: the run a change event or webhook
    triggers seconds after the edits."""
    workflow, record_ids, row_of, ids = _bidirectional_synced(b, "Bench real-time change")
    _poll_later(b)
    quiet = sync_in_process(workflow)  # the last poll before the edits: nothing to do
    if quiet["rows_updated"] or quiet["records_updated"]:
        raise RuntimeError(f"the poll before the edits did work: {quiet}")
    sf_item, ss_item = 0, b.records // 2 - 1
    b.sandbox.salesforce_update("Account", [
        {"Id": record_ids[sf_item], "Phone": data.changed_value("Phone", sf_item, "sf")}])
    b.sandbox.smartsheet_edit_cells(sheet_id=workflow.sheet_id, email=EDITOR_EMAIL, rows=[
        {"id": row_of[ss_item], "cells": [{"columnId": ids["Account Number"], "value":
                                           data.changed_value("AccountNumber", ss_item, "ss")}]}])
    b.sandbox.advance_clock(REALTIME_DELAY_SECONDS)
    floor = floor_incremental(changed_records=1, changed_rows=1)
    return Prepared(workflow.pk, floor, min(REALTIME_MAX_CALLS, _bounded(floor)),
                    expect={"records_updated": 1, "rows_updated": 1, "conflicts_count": 0,
                            "errors_count": 0}, changes=1)


def bidirectional_conflicts(b: Bench) -> Prepared:
    """1 % of the pairs get a different Phone on both sides (policy: Salesforce wins)."""
    workflow, record_ids, row_of, ids = _bidirectional_synced(b, "Bench conflicts")
    k = _changes(b)
    items = [j * max(1, b.records // k) for j in range(k)]
    b.sandbox.salesforce_update("Account", [
        {"Id": record_ids[i], "Phone": data.changed_value("Phone", i, "sf")} for i in items])
    column = ids["Phone"]
    b.sandbox.smartsheet_edit_cells(sheet_id=workflow.sheet_id, email=EDITOR_EMAIL, rows=[
        {"id": row_of[i], "cells": [{"columnId": column,
                                     "value": data.changed_value("Phone", i, "ss")}]}
        for i in items])
    _poll_later(b)
    floor = floor_conflicts(conflicts=len(items))
    return Prepared(workflow.pk, floor, _bounded(floor),
                    expect={"conflicts_count": len(items), "rows_updated": len(items),
                            "records_updated": 0}, changes=k)


GROUP_LEVELS = [{"value": "All accounts"}, {"field": "Rating"}, {"field": "AccountSource"}]


def grouped(b: Bench) -> Prepared:
    """Three levels: a fixed "All accounts", then Rating, then Account Source."""
    if b.fields < 9:
        raise ValueError("grouped needs --fields 9 or more (it groups by mapped fields)")
    _seed_records(b)
    workflow = _new_sheet_workflow(b, "Bench grouped", "to_smartsheet", "to_smartsheet",
                                   row_groups=GROUP_LEVELS)
    by_field = {f.name: f for f in b.mapped}
    leaves = Counter((by_field["Rating"].value(i), by_field["AccountSource"].value(i))
                     for i in range(b.records))
    ratings = Counter(rating for rating, _ in leaves)
    parents = [{"(sheet)": 1}, {"All accounts": len(ratings)}, dict(ratings)]
    floor = floor_grouped(records=b.records, parents_per_level=parents,
                          leaf_sizes=list(leaves.values()))
    group_rows = 1 + len(ratings) + len(leaves)

    def observe() -> dict[str, Any]:
        rows = b.sandbox.smartsheet_get_sheet(workflow.sheet_id)["rows"]
        parents = {r["parentId"] for r in rows if r.get("parentId")}
        return {"sheet.rows": len(rows),
                "sheet.top_level_rows": sum(1 for r in rows if not r.get("parentId")),
                "sheet.leaf_rows": sum(1 for r in rows if r["id"] not in parents)}

    return Prepared(workflow.pk, floor, _bounded(floor),
                    expect={"rows_added": b.records, "sheet.rows": b.records + group_rows,
                            "sheet.top_level_rows": 1, "sheet.leaf_rows": b.records},
                    observe=observe)


def naive_initial_to_smartsheet(b: Bench) -> Prepared:
    _seed_records(b)
    titles = ("Salesforce ID",)
    sheet = b.sandbox.smartsheet_create_sheet(
        "Bench naive to Smartsheet", data.sheet_columns(b.mapped, extra=titles))
    ids = column_ids(sheet)
    mappings = [MappingDef(f.name, f.title, "to_smartsheet", column_id=ids[f.title])
                for f in b.mapped]
    workflow = workflow_make(owner=b.owner, install=b.install, name="Bench naive to SS",
                             direction="to_smartsheet", sheet_id=int(sheet["id"]),
                             mappings=mappings)
    # One call per row would hit 300 requests/minute at once: lift the limit so the
    # comparison measures the connector, not the waiting.
    b.sandbox.smartsheet_rate_limit(10_000_000)
    return Prepared(workflow.pk, floor_initial_to_smartsheet(records=b.records), None,
                    expect={"rows_added": b.records}, mode="naive_to_smartsheet",
                    id_column_id=ids["Salesforce ID"],
                    notes=["Smartsheet rate limit lifted: at 300 requests/minute this "
                           f"takes at least {b.records / 300:.0f} minutes"])


def naive_initial_to_salesforce(b: Bench) -> Prepared:
    sheet_id, ids = _filled_sheet(b, "Bench naive to Salesforce",
                                  extra_columns=("Salesforce ID",))
    mappings = [MappingDef(f.name, f.title, "to_salesforce", column_id=ids[f.title])
                for f in b.mapped]
    workflow = workflow_make(owner=b.owner, install=b.install, name="Bench naive to SF",
                             direction="to_salesforce", sheet_id=sheet_id, mappings=mappings)
    b.sandbox.smartsheet_rate_limit(10_000_000)
    return Prepared(workflow.pk, floor_initial_to_salesforce(rows=b.records), None,
                    expect={"records_created": b.records}, mode="naive_to_salesforce",
                    id_column_id=ids["Salesforce ID"],
                    notes=["one create and one id write-back call per row; Smartsheet "
                           "rate limit lifted"])


SCENARIOS: dict[str, Callable[[Bench], Prepared]] = {
    "initial_to_smartsheet": initial_to_smartsheet,
    "initial_to_salesforce": initial_to_salesforce,
    "no_change_poll": no_change_poll,
    "incremental": incremental,
    "realtime_change": realtime_change,
    "bidirectional_conflicts": bidirectional_conflicts,
    "grouped": grouped,
    "lookup": lookup,
    "naive_initial_to_salesforce": naive_initial_to_salesforce,
    "naive_initial_to_smartsheet": naive_initial_to_smartsheet,
}
