"""Plan: a pure function of plain data → a :class:`~runs.engine.types.Plan`.

No I/O, no ORM. Rules (see DESIGN.md, "The engine"):

- each side is compared with what the Link snapshot says it held last time; a side that
  was not read this run (incremental) counts as unchanged (:mod:`.pairs`);
- a field changed on one side flows to the other when the mapping allows it; changed on
  both to different values is a conflict settled by the workflow's policy;
- rows that fail the sheet filters send nothing to Salesforce (their changes wait);
- a record deleted in Salesforce marks its row and unlinks it; a row deleted from the
  sheet (seen only when the whole sheet is read) unlinks and tombstones its record; a
  record that left the Salesforce filter (seen only on a full read) stops syncing;
- what is new on either side is linked, added or created (:mod:`.new`).
"""

from __future__ import annotations

from runs.engine.gcpause import gc_paused
from runs.engine.plan.builder import Planner
from runs.engine.plan.inputs import PlanInput, lookup_values_needed
from runs.engine.plan.new import add_rows, create_records, link_pasted_rows
from runs.engine.plan.pairs import plan_links
from runs.engine.types import Plan


def plan_sync(inp: PlanInput) -> Plan:
    """Plan one run. Pure: the same input always gives the same plan."""
    with gc_paused():  # thousands of small containers: see runs.engine.gcpause
        planner = Planner(inp)
        links_by_record = {link.record_id: link for link in inp.links}
        linked_rows = {link.row_id for link in inp.links}
        claimed = link_pasted_rows(planner, links_by_record, linked_rows)
        plan_links(planner)
        if planner.to_ss:
            add_rows(planner, links_by_record, claimed)
        if planner.to_sf:
            create_records(planner, linked_rows | set(claimed.values()))
        return planner.finish()


__all__ = ["PlanInput", "lookup_values_needed", "plan_sync"]
