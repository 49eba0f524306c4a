"""The API-call floor of each scenario, from the services' published batch sizes.

Pure arithmetic, no I/O: a scenario describes its data (how many records, rows, changes,
groups) and these functions say the fewest calls any connector could make for it. The
harness reports ``min_api_calls`` and checks ``api_calls <= min_api_calls + SLACK``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

#: Salesforce query page (the default and the maximum batch size).
QUERY_PAGE = 2000
#: Records per sObject Collections create/update call.
COLLECTION = 200
#: Rows per Smartsheet add/update call.
SHEET_ROWS = 500
#: Calls over the floor a scenario may spend.
SLACK = 3
#: A poll that finds nothing may cost at most this many calls in total.
NO_CHANGE_POLL_MAX = 2
#: One GET sheet with ``ifVersionAfter`` and ``rowsModifiedSince`` answers both "did the
#: sheet change?" and "which rows?".
SHEET_DELTA = "changed rows (ifVersionAfter + rowsModifiedSince, one GET)"


def query_pages(records: int) -> int:
    """Pages of one SOQL query returning ``records`` (an empty answer is still a call)."""
    return max(1, ceil(records / QUERY_PAGE))


def collection_calls(records: int) -> int:
    return ceil(records / COLLECTION)


def sheet_write_calls(rows: int) -> int:
    return ceil(rows / SHEET_ROWS)


@dataclass
class Floor:
    """The fewest calls per service, with the reason for each part."""

    salesforce: int = 0
    smartsheet: int = 0
    parts: list[str] = field(default_factory=list)

    def add(self, service: str, calls: int, why: str) -> Floor:
        if calls:
            setattr(self, service, getattr(self, service) + calls)
            self.parts.append(f"{service} {calls}: {why}")
        return self

    @property
    def total(self) -> int:
        return self.salesforce + self.smartsheet

    def as_dict(self) -> dict:
        return {"salesforce": self.salesforce, "smartsheet": self.smartsheet,
                "total": self.total, "parts": list(self.parts)}


def _first_run_setup(floor: Floor) -> Floor:
    """A first run learns the object's fields, the sheet's columns, and adds the owned
    columns ("Salesforce ID", "Sync Error") and any "new column" mappings in one call."""
    return (floor.add("salesforce", 1, "describe the object")
            .add("smartsheet", 1, "read the sheet (columns and rows)")
            .add("smartsheet", 1, "add the owned and new columns"))


def floor_initial_to_smartsheet(*, records: int) -> Floor:
    floor = _first_run_setup(Floor())
    floor.add("salesforce", query_pages(records), f"query {records} records, 2,000 a page")
    floor.add("smartsheet", sheet_write_calls(records), f"add {records} rows, 500 a call")
    return floor


def floor_initial_to_salesforce(*, rows: int, existing_records: int = 0) -> Floor:
    floor = _first_run_setup(Floor())
    floor.add("salesforce", query_pages(existing_records), "the run's one SOQL query")
    floor.add("salesforce", collection_calls(rows), f"create {rows} records, 200 a call")
    floor.add("smartsheet", sheet_write_calls(rows), f"write {rows} ids back, 500 a call")
    return floor


def floor_lookup(*, rows: int, distinct_names: int, names_per_query: int = 500) -> Floor:
    """``initial_to_salesforce`` plus the batched lookup of every distinct name."""
    floor = floor_initial_to_salesforce(rows=rows)
    floor.add("salesforce", max(1, ceil(distinct_names / names_per_query)),
              f"look up {distinct_names} distinct names in one SOQL")
    return floor


def floor_no_change_poll() -> Floor:
    return (Floor().add("salesforce", 1, "one empty incremental SOQL page")
            .add("smartsheet", 1, "sheet version unchanged"))


def floor_incremental(*, changed_records: int, changed_rows: int) -> Floor:
    floor = Floor()
    floor.add("salesforce", query_pages(changed_records), "incremental SOQL")
    floor.add("smartsheet", 1, SHEET_DELTA)
    floor.add("salesforce", collection_calls(changed_rows), "update changed records")
    floor.add("smartsheet", sheet_write_calls(changed_records), "update changed rows")
    return floor


def floor_conflicts(*, conflicts: int, salesforce_wins: bool = True) -> Floor:
    """Both sides changed the same field of ``conflicts`` linked pairs; the winner's
    value is written to the losing side only."""
    floor = Floor()
    floor.add("salesforce", query_pages(conflicts), "incremental SOQL")
    floor.add("smartsheet", 1, SHEET_DELTA)
    if salesforce_wins:
        floor.add("smartsheet", sheet_write_calls(conflicts), "write winners to rows")
    else:
        floor.add("salesforce", collection_calls(conflicts), "write winners to records")
    return floor


def floor_grouped(*, records: int, parents_per_level: list[dict[str, int]],
                  leaf_sizes: list[int]) -> Floor:
    """Rows of one add call share one location: every parent needs its own calls.

    ``parents_per_level[k]`` maps each parent (at level k-1; the sheet root for k=0) to
    the number of new group rows under it at level k; ``leaf_sizes`` are the numbers of
    records under each deepest group.
    """
    floor = _first_run_setup(Floor())
    floor.add("salesforce", query_pages(records), f"query {records} records")
    for level, children in enumerate(parents_per_level, start=1):
        calls = sum(sheet_write_calls(n) for n in children.values())
        floor.add("smartsheet", calls, f"group rows of level {level} "
                                       f"({sum(children.values())} under {len(children)} parents)")
    floor.add("smartsheet", sum(sheet_write_calls(n) for n in leaf_sizes),
              f"record rows under {len(leaf_sizes)} deepest groups")
    return floor
