"""A bidirectional Account ⇄ sheet world for the reliability tests, and an independent
model of the state both sides must converge to.

The model never asks the engine: it is the records and rows the test created, with the
edits the test made applied by the rules of DESIGN.md (a field changed on one side flows
to the other; a field changed on both sides is a conflict the policy settles).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests import factories

TITLES = ["Name", "Number", "Phone", "Employees"]
MAPPINGS = [("Name", "Name", "both"), ("AccountNumber", "Number", "both"),
            ("Phone", "Phone", "both"), ("NumberOfEmployees", "Employees", "both")]
#: Model field → (Salesforce field, column title). Name is the key and never edited.
FIELDS = {"Phone": ("Phone", "Phone"), "Employees": ("NumberOfEmployees", "Employees")}


def norm_employees(value) -> int | None:
    if value in (None, ""):
        return None
    return int(float(value))


@dataclass
class World:
    sandbox: object
    tag: str
    sheet_id: int
    columns: dict[str, int]
    workflow: object
    #: name → {"Phone": str, "Employees": int}
    expected: dict[str, dict] = field(default_factory=dict)
    #: (name, model field) pairs edited on both sides, settled for Salesforce
    expected_conflicts: set[tuple[str, str]] = field(default_factory=set)

    # -- building --------------------------------------------------------------------
    @classmethod
    def build(cls, sandbox, owner, install, tag: str, *, from_salesforce: int,
              from_sheet: int, policy: str = "salesforce_wins", make_workflow=None) -> World:
        """A sheet, ``from_salesforce`` records and ``from_sheet`` rows; the workflow comes
        from ``make_workflow(sheet_id)`` when given (another process's database)."""
        sheet_id, columns = factories.sheet(sandbox, TITLES)
        if make_workflow is not None:
            workflow = make_workflow(sheet_id)
        else:
            workflow = factories.workflow(
                owner, install, sheet_id=sheet_id, direction="bidirectional",
                conflict_policy=policy, mappings=MAPPINGS,
                filters=[("salesforce", "AccountNumber", "equals", tag)])
        world = cls(sandbox, tag, sheet_id, columns, workflow)
        world.add_records("SF", from_salesforce)
        world.add_rows("SS", from_sheet)
        sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com",
                                 access_level="EDITOR")
        return world

    def add_records(self, prefix: str, count: int) -> None:
        """New Salesforce records inside the workflow's filter."""
        records = [{"Name": f"{self.tag} {prefix} {i:05d}", "AccountNumber": self.tag,
                    "Phone": f"{prefix}-{i}", "NumberOfEmployees": i} for i in range(count)]
        for start in range(0, len(records), 1000):
            self.sandbox.salesforce.insert("Account", records[start:start + 1000])
        for rec in records:
            self.expected[rec["Name"]] = {"Phone": rec["Phone"],
                                          "Employees": rec["NumberOfEmployees"]}

    def add_rows(self, prefix: str, count: int) -> None:
        """New sheet rows (the engine creates their records)."""
        rows = []
        for i in range(count):
            name = f"{self.tag} {prefix} {i:05d}"
            rows.append({"toBottom": True, "cells": [
                {"columnId": self.columns["Name"], "value": name},
                {"columnId": self.columns["Number"], "value": self.tag},
                {"columnId": self.columns["Phone"], "value": f"{prefix}-{i}"},
                {"columnId": self.columns["Employees"], "value": 10_000 + i}]})
            self.expected[name] = {"Phone": f"{prefix}-{i}", "Employees": 10_000 + i}
        client = factories.smartsheet_client(self.sandbox)
        for start in range(0, len(rows), 500):
            client.add_rows(self.sheet_id, rows[start:start + 500])

    # -- reading both sides -------------------------------------------------------------
    def records(self) -> list[dict]:
        client = factories.salesforce_client(self.sandbox)
        return client.query_all(
            "SELECT Id, Name, Phone, NumberOfEmployees FROM Account "
            f"WHERE AccountNumber = '{self.tag}'")

    def rows(self) -> list[dict]:
        return factories.rows_by_title(self.sandbox, self.sheet_id)

    def record_ids_by_name(self) -> dict[str, str]:
        return {r["Name"]: r["Id"] for r in self.records()}

    def row_ids_by_name(self) -> dict[str, int]:
        return {r["Name"]: r["_id"] for r in self.rows()}

    # -- edits, applied to both the world and the model --------------------------------
    def edit_salesforce(self, edits: dict[str, dict], *, user: str = "Bob") -> None:
        """``edits``: name → {model field: value}; made as a person in Salesforce."""
        ids = self.record_ids_by_name()
        self.sandbox.salesforce.update("Account", [
            {"Id": ids[name], **{FIELDS[f][0]: v for f, v in values.items()}}
            for name, values in edits.items()], user=user)

    def edit_sheet(self, edits: dict[str, dict], *, email: str = "bob@example.com") -> None:
        """``edits``: name → {model field: value}; made as a person in Smartsheet."""
        ids = self.row_ids_by_name()
        self.sandbox.smartsheet.edit_cells(sheet_id=self.sheet_id, email=email, rows=[
            {"id": ids[name], "cells": [{"columnId": self.columns[FIELDS[f][1]], "value": v}
                                        for f, v in values.items()]}
            for name, values in edits.items()])

    def expect_cycle(self, salesforce: dict[str, dict], sheet: dict[str, dict]) -> None:
        """Fold one sync cycle's edits into the model (Salesforce wins a conflict)."""
        for name, values in sheet.items():
            for f, v in values.items():
                self.expected[name][f] = v
        for name, values in salesforce.items():
            for f, v in values.items():
                if f in sheet.get(name, {}) and sheet[name][f] != v:
                    self.expected_conflicts.add((name, f))
                self.expected[name][f] = v

    # -- the verdict ---------------------------------------------------------------------
    def differences(self) -> list[str]:
        """Everything that differs from the model on either side (empty: converged)."""
        problems: list[str] = []
        records, rows = self.records(), self.rows()
        for side, items, phone, employees in (
                ("salesforce", records, "Phone", "NumberOfEmployees"),
                ("smartsheet", rows, "Phone", "Employees")):
            names = [i["Name"] for i in items]
            if len(names) != len(set(names)):
                problems.append(f"{side}: {len(names) - len(set(names))} duplicates")
            if set(names) != set(self.expected):
                missing = set(self.expected) - set(names)
                extra = set(names) - set(self.expected)
                problems.append(f"{side}: missing {sorted(missing)[:3]} ({len(missing)}), "
                                f"unexpected {sorted(extra)[:3]} ({len(extra)})")
            for item in items:
                want = self.expected.get(item["Name"])
                if want is None:
                    continue
                got = {"Phone": item.get(phone),
                       "Employees": norm_employees(item.get(employees))}
                if got != want:
                    problems.append(f"{side}: {item['Name']} is {got}, expected {want}")
        ids = [r.get("Salesforce ID") for r in rows]
        if len(set(ids)) != len(ids) or set(ids) != {r["Id"] for r in records}:
            problems.append("smartsheet: Salesforce ID column does not pair rows and records")
        return problems
