"""What the database remembers of past runs, as plain data: links, tombstones and the
workflow's open errors — each by indexed look-ups for the ids a run touches."""

from __future__ import annotations

from django.db.models import Q

from runs.engine.types import LinkState
from runs.models import Link, OpenError, Tombstone


def links_of(workflow, *, record_ids=None, row_ids=None
             ) -> tuple[list[LinkState], dict[str, int]]:
    """The workflow's links as plain data: all of them, or (when ``record_ids`` or
    ``row_ids`` are given) only those touching these records or rows — a poll that read
    little loads little. Stamps are not loaded: the planner does not need them."""
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


def tombstones_of(workflow, *, record_ids=None, row_ids=None
                  ) -> tuple[set[str], set[int], set[int]]:
    """The workflow's tombstoned record ids, tombstoned row ids, and the rows kept after
    their record left the Salesforce filter (tombstones of reason ``filter_exit``: not
    skipped like the others, the record may come back into the filter) — all of them,
    or (``record_ids`` / ``row_ids`` given) those of these records and rows only."""
    query = Tombstone.objects.filter(workflow=workflow)
    conditions: list = [None]
    if record_ids is not None or row_ids is not None:
        record_ids, row_ids = list(record_ids or ()), list(row_ids or ())
        if len(record_ids) <= 500 and len(row_ids) <= 500:
            conditions = [Q(record_id__in=record_ids) | Q(row_id__in=row_ids)]  # one query
        else:
            conditions = [Q(record_id__in=record_ids[i:i + 500])
                          for i in range(0, len(record_ids), 500)]
            conditions += [Q(row_id__in=row_ids[i:i + 500])
                           for i in range(0, len(row_ids), 500)]
    records, rows, left = set(), set(), set()
    for condition in conditions:
        selected = query if condition is None else query.filter(condition)
        for record_id, row_id, reason in selected.values_list("record_id", "row_id", "reason"):
            if record_id:
                records.add(record_id)
            elif reason == "filter_exit":
                left.add(row_id)
            else:
                rows.add(row_id)
    return records, rows, left


def open_errors_of(workflow) -> list[OpenError]:
    """The workflow's open errors (an indexed look-up: open ones only), which the run
    retries and then keeps open or closes."""
    if workflow is None:
        return []
    return list(OpenError.objects.filter(workflow=workflow, resolved_at__isnull=True))
