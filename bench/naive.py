"""Per-record integrations, for comparison: one API call per record through our clients.

This is what a connector that writes one record (or row) per call costs; the engine's
batched writes are measured against it. Reads are paged as any integration would.
"""

from __future__ import annotations

from typing import Any


def _clients(workflow):
    from connector.clients import CallCounter
    from connector.services import salesforce_client_for, smartsheet_client_for

    counter = CallCounter()
    owner, install = workflow.owner, workflow.install
    return (salesforce_client_for(user=owner, install=install, counter=counter),
            smartsheet_client_for(user=owner, install=install, counter=counter), counter)


def _plain(value: Any) -> Any:
    # Sheet numbers come back as floats; Salesforce int fields refuse 5.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def naive_to_smartsheet(workflow, *, id_column_id: int) -> dict:
    """Query every record, then add each as its own row (one add call per record)."""
    salesforce, smartsheet, counter = _clients(workflow)
    mappings = list(workflow.mappings.all())
    fields = [m.salesforce_field for m in mappings]
    soql = f"SELECT Id, {', '.join(fields)} FROM {workflow.salesforce_object} ORDER BY Id"
    added = failed = 0
    for page in salesforce.query_pages(soql):
        for record in page:
            cells = [{"columnId": m.column_id, "value": record.get(m.salesforce_field)}
                     for m in mappings if record.get(m.salesforce_field) is not None]
            cells.append({"columnId": id_column_id, "value": record["Id"],
                          "hyperlink": {"url": f"{salesforce.instance_url}/{record['Id']}"}})
            result = smartsheet.add_rows(workflow.sheet_id, [{"toBottom": True, "cells": cells}])
            added += result[0].success
            failed += not result[0].success
    return {"rows_added": added, "errors": failed, "calls": counter.snapshot()}


def naive_to_salesforce(workflow, *, id_column_id: int) -> dict:
    """Read the sheet, create each row's record with its own call, and write each new id
    back to its row with its own call."""
    salesforce, smartsheet, counter = _clients(workflow)
    mappings = list(workflow.mappings.all())
    sheet = smartsheet.get_sheet(workflow.sheet_id)
    created = failed = 0
    for row in sheet.get("rows") or []:
        values = {c["columnId"]: c.get("value") for c in row.get("cells") or []}
        record = {m.salesforce_field: _plain(values.get(m.column_id)) for m in mappings
                  if values.get(m.column_id) is not None}
        result = salesforce.create(workflow.salesforce_object, [record])[0]
        if not result.success:
            failed += 1
            continue
        created += 1
        smartsheet.update_rows(workflow.sheet_id, [{"id": row["id"], "cells": [
            {"columnId": id_column_id, "value": result.id,
             "hyperlink": {"url": f"{salesforce.instance_url}/{result.id}"}}]}])
    return {"records_created": created, "errors": failed, "calls": counter.snapshot()}
