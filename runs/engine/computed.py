"""Computed Service Cloud columns: Case metrics written to Smartsheet only.

A Case workflow may map ``$time_to_close``, ``$age``, ``$sla_target``, ``$sla_status`` or
``$escalated`` to a column. The record query then also selects the metrics' inputs
(:data:`~runs.service_cloud.metrics.INPUT_FIELDS`, plain fields of the Case: no extra
call) and the planner computes each value from them. The inputs are kept in the Link
snapshot under :data:`INPUTS_KEY`, so an *open* case's Age and SLA status — which move
with time, not with the record — are recomputed on every run from the snapshot, without
reading the record again.

Display precision (a cost decision): *Age* is shown in whole hours. With two decimals it
would change on every poll, and every open case's row would be rewritten each run (one
Smartsheet call per 500 open cases per poll, and a new sheet version that makes the next
poll read the sheet again). In whole hours a row changes about once an hour, plus when its
SLA status crosses a threshold. *Time to close* is fixed once a case is closed, so it
keeps two decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from runs.engine.convert import FieldInfo, _number
from runs.engine.types import LinkState
from runs.models import Link
from runs.service_cloud.metrics import INPUT_FIELDS, BusinessHours, case_metrics
from workflows.service_cloud import (
    COMPUTED_FIELDS,
    is_computed,
    sla_status_label,
    sla_status_options,
)

#: Snapshot key of a linked case's metric inputs: ``[inputs dict, None]`` (the pair shape
#: every snapshot entry has). ``$`` can never clash with a Salesforce field name.
INPUTS_KEY = "$case"
#: Decimals shown per numeric computed column (see the module docstring).
DISPLAY_DECIMALS = {"$time_to_close": 2, "$age": 0, "$sla_target": 2}


def computed_info(name: str) -> FieldInfo:
    """The FieldInfo of a computed column: decides its cell form and its "new column"
    type (numbers TEXT_NUMBER, SLA status PICKLIST, Escalated CHECKBOX)."""
    if name not in COMPUTED_FIELDS:
        raise KeyError(name)
    if name == "$sla_status":
        # The options in the run's language (the install's), as the values written.
        return FieldInfo(name=name, type="picklist", picklist=sla_status_options(),
                         restricted=True)
    if name == "$escalated":
        return FieldInfo(name=name, type="boolean")
    return FieldInfo(name=name, type="double", scale=DISPLAY_DECIMALS[name])


@dataclass(frozen=True)
class CaseSettings:
    """What the metrics need besides the case: the run's time and the install's policy."""

    now: datetime
    sla_hours: dict
    business: BusinessHours | None = None

    @classmethod
    def from_install(cls, install, *, now: datetime) -> CaseSettings:
        business = None
        if install.use_business_hours:
            business = BusinessHours.from_settings(install.business_hours or {},
                                                   install.time_zone or "UTC")
        return cls(now=now, sla_hours=dict(install.sla_hours or {}), business=business)


def case_inputs(record: dict) -> dict:
    """The metric inputs of a flat record, JSON-ready (stored in the snapshot)."""
    return {name: record.get(name) for name in INPUT_FIELDS}


def is_open(inputs: dict) -> bool:
    return not inputs.get("IsClosed")


def _display(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in DISPLAY_DECIMALS:
        # Half up (Python's round() would show 6.5 h as 6 and 7.5 h as 8).
        return _number(value, DISPLAY_DECIMALS[name])
    if name == "$sla_status":
        # No target: blank cell (a PICKLIST cell takes no ""); else the install's words.
        return sla_status_label(value) or None
    return value


def computed_values(inputs: dict, settings: CaseSettings) -> dict[str, Any]:
    """Every computed column's displayed value (Salesforce-canonical form) for one case."""
    metrics = case_metrics(inputs, now=settings.now, sla_hours=settings.sla_hours,
                           business=settings.business)
    raw = {
        "$time_to_close": metrics.time_to_close,
        "$age": metrics.age,
        "$sla_target": metrics.sla_target,
        "$sla_status": metrics.sla_status,
        "$escalated": metrics.escalated,
    }
    return {name: _display(name, value) for name, value in raw.items()}


def spec_has_computed(spec) -> bool:
    return any(is_computed(m.salesforce_field) for m in spec.mappings)


def prepare_computed(inp, *, install, run=None, workflow=None) -> None:
    """Give a :class:`~runs.engine.plan.PlanInput` what computed columns need.

    Sets ``inp.case_settings`` (the run's start time as *now*) and, when the links were
    loaded partially (an incremental run), adds the links of open cases not read this
    run, so that their Age and SLA status are refreshed from the snapshot — a database
    read, no API call. No-op for a workflow without computed columns.
    """
    if not spec_has_computed(inp.spec):
        return
    now = getattr(run, "started_at", None) or timezone.now()
    inp.case_settings = CaseSettings.from_install(install, now=now)
    if workflow is None or (inp.full_salesforce or inp.full_sheet):
        return  # a full read loads every link already
    inp.links = list(inp.links) + open_case_links(
        workflow, loaded={link.record_id for link in inp.links})


def open_case_links(workflow, *, loaded: set[str]) -> list:
    """LinkStates of the workflow's open cases (per their snapshot), except ``loaded``."""
    out = []
    rows = Link.objects.filter(workflow=workflow).values_list(
        "record_id", "row_id", "snapshot", "parent_row_id")
    for record_id, row_id, snapshot, parent in rows.iterator(chunk_size=2000):
        if record_id in loaded:
            continue
        entry = (snapshot or {}).get(INPUTS_KEY)
        if not entry or not is_open(entry[0] or {}):
            continue
        out.append(LinkState(record_id=record_id, row_id=row_id, snapshot=snapshot,
                             parent_row_id=parent))
    return out
