"""The deterministic ``demo`` seed: a few sheets owned by and shared with the personas.

- "Opportunities Pipeline" owned by Alice: Ada ADMIN, Bob EDITOR, Carol VIEWER (the sheet
  shared read-only with a non-owner).
- "Support Cases" owned by Ada, grouped by priority (parent rows): Alice EDITOR_SHARE,
  Dan EDITOR.
- "Project Tracker" owned by Bob: Erin EDITOR (Ada cannot see it).
"""

from __future__ import annotations

from . import rows as row_ops
from .columns import new_sheet_columns
from .model import Sheet

STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won",
          "Closed Lost"]
PRIORITIES = ["High", "Medium", "Low"]


def _sheet(emu, name: str, owner: str, columns: list[dict], shares: dict[str, str]) -> Sheet:
    owner_user = emu.users_by_email[owner]
    sheet = Sheet(emu.new_id(), name, owner_user["id"], emu.now_iso())
    sheet.columns = new_sheet_columns(columns, emu.new_id)
    for email, level in shares.items():
        sheet.shares[emu.users_by_email[email]["id"]] = level
    emu.sheets[sheet.id] = sheet
    return sheet


def _add(emu, sheet: Sheet, owner: str, values: list[list], parent_id: int | None = None
         ) -> list[int]:
    ctx = emu.write_context(None, "OWNER", user=emu.users_by_email[owner])
    body = []
    for row in values:
        cells = [{"columnId": c["id"], "value": v}
                 for c, v in zip(sheet.columns, row, strict=False) if v is not None]
        item = {"cells": cells}
        if parent_id is not None:
            item.update(parentId=parent_id, toBottom=True)
        body.append(item)
    result, _ = row_ops.add_rows(sheet, body, ctx, partial=False)
    return [r["id"] for r in result["result"]]


def make_demo(emu) -> None:
    people = ["alice@example.com", "bob@example.com", "carol@example.com"]
    pipeline = _sheet(emu, "Opportunities Pipeline", "alice@example.com", [
        {"title": "Opportunity", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Salesforce ID", "type": "TEXT_NUMBER"},
        {"title": "Stage", "type": "PICKLIST", "options": STAGES},
        {"title": "Close Date", "type": "DATE"},
        {"title": "Amount", "type": "TEXT_NUMBER"},
        {"title": "Owner", "type": "CONTACT_LIST"},
        {"title": "Committed", "type": "CHECKBOX"},
        {"title": "Sync Error", "type": "TEXT_NUMBER"},
    ], {"ada@example.com": "ADMIN", "bob@example.com": "EDITOR",
        "carol@example.com": "VIEWER"})
    _add(emu, pipeline, "alice@example.com", [
        [f"Deal {i + 1:02d}", None, STAGES[i % len(STAGES)],
         f"2026-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}", 5000 * (i + 1), people[i % 3],
         i % 2 == 0, None]
        for i in range(12)])

    cases = _sheet(emu, "Support Cases", "ada@example.com", [
        {"title": "Subject", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Case Number", "type": "TEXT_NUMBER", "systemColumnType": "AUTO_NUMBER",
         "autoNumberFormat": {"prefix": "CASE-", "fill": "0000"}},
        {"title": "Status", "type": "PICKLIST", "options": ["New", "Working", "Closed"]},
        {"title": "Opened", "type": "DATE"},
        {"title": "Escalated", "type": "CHECKBOX"},
        {"title": "Modified", "type": "DATETIME", "systemColumnType": "MODIFIED_DATE"},
    ], {"alice@example.com": "EDITOR_SHARE", "dan@example.com": "EDITOR"})
    for p, priority in enumerate(PRIORITIES):
        (parent,) = _add(emu, cases, "ada@example.com", [[f"{priority} priority"]])
        _add(emu, cases, "ada@example.com", [
            [f"{priority} case {i + 1}", None, ["New", "Working", "Closed"][(i + p) % 3],
             f"2026-03-{i + 10:02d}", priority == "High" and i == 0]
            for i in range(3)], parent_id=parent)

    tracker = _sheet(emu, "Project Tracker", "bob@example.com", [
        {"title": "Task", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Assigned To", "type": "CONTACT_LIST"},
        {"title": "Due", "type": "DATE"},
        {"title": "Done", "type": "CHECKBOX"},
    ], {"erin@example.com": "EDITOR"})
    _add(emu, tracker, "bob@example.com", [
        [f"Task {i + 1}", ["bob@example.com", "erin@example.com"][i % 2],
         f"2026-04-{i + 1:02d}", i < 2] for i in range(6)])
