"""The Filters and Row groups steps (conditions on both sides; hierarchy levels)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from web.wizard.base import WizardStepView
from web.wizard.rows import errors_by_row, parse_rows
from workflows.models import VALUELESS_OPERATORS, Direction, FilterOperator
from workflows.validation import column_operators, column_type_for_field


def _valueless() -> set[str]:
    return {str(op) for op in VALUELESS_OPERATORS}


def _operators(allowed) -> list[tuple[str, str]]:
    """(value, label) of the allowed conditions, in the usual order (all when unknown)."""
    return [(v, label) for v, label in FilterOperator.choices if not allowed or v in allowed]


class FiltersStep(WizardStepView):
    step = "filters"
    template_name = "web/wizard/filters.html"

    @property
    def smartsheet_side(self) -> bool:
        """Smartsheet filters decide which rows go to Salesforce: not for a workflow that
        only sends Salesforce to the sheet."""
        return self.wizard.direction != Direction.TO_SMARTSHEET

    def read_form(self, data) -> dict:
        return {"sf": parse_rows(data, "sf", ("field", "operator", "value")),
                "ss": parse_rows(data, "ss", ("column", "operator", "value"))}

    def row_change(self, values: dict, action: str, index: int | None) -> dict:
        sf, ss = values["sf"], values["ss"]
        if action == "remove_sf" and index is not None and 0 <= index < len(sf):
            sf.pop(index)
        if action == "remove_ss" and index is not None and 0 <= index < len(ss):
            ss.pop(index)
        if action == "add_sf":
            sf.append({"field": "", "operator": "equals", "value": ""})
        if action == "add_ss":
            ss.append({"column": "", "operator": "equals", "value": ""})
        valueless = _valueless()
        for row in sf + ss:
            if row["operator"] in valueless:
                row["value"] = ""
        if not action.startswith(("add", "remove")):
            sf = [r for r in sf if r["field"]]
            ss = [r for r in ss if r["column"]]
        return {"sf": sf, "ss": ss if self.smartsheet_side else []}

    def store(self, values: dict) -> None:
        self.wizard.set("salesforce_filters", [r for r in values["sf"] if r["field"]])
        self.wizard.set("smartsheet_filters", [r for r in values["ss"] if r["column"]])
        self.wizard.keep_form("filters", values)

    def get(self, request: HttpRequest) -> HttpResponse:
        kept = self.wizard.form("filters")
        sf_rows = [dict(r) for r in (kept["sf"] if kept else
                                     self.wizard.get("salesforce_filters") or [])]
        ss_rows = [dict(r) for r in (kept["ss"] if kept else
                                     self.wizard.get("smartsheet_filters") or [])]
        errors = self.wizard.errors("filters")
        sf_general, sf_per_row = errors_by_row(errors.get("salesforce_filters", []), len(sf_rows))
        ss_general, ss_per_row = errors_by_row(errors.get("smartsheet_filters", []), len(ss_rows))
        choices = [c for c in self.meta.field_choices(self.wizard.settings["salesforce_object"])
                   if not c.value.startswith("$")]
        by_value = {c.value: c for c in choices}
        columns = self.filter_columns()
        by_title = {c["title"]: c for c in columns}
        for row, row_errors in zip(sf_rows, sf_per_row, strict=True):
            choice = by_value.get(row["field"])
            row["errors"], row["operators"] = row_errors, _operators(
                choice.operators if choice else ())
        for row, row_errors in zip(ss_rows, ss_per_row, strict=True):
            column = by_title.get(row["column"])
            row["errors"], row["operators"] = row_errors, _operators(
                column["operators"] if column else ())
        groups: dict[str, list] = {}
        for c in choices:
            if c.operators:
                groups.setdefault(c.group, []).append(c)
        other = [m for k, v in errors.items()
                 if k not in ("salesforce_filters", "smartsheet_filters") for m in v]
        return self.render_step({
            "sf_rows": sf_rows, "ss_rows": ss_rows, "choice_groups": list(groups.items()),
            "columns": columns, "smartsheet_side": self.smartsheet_side,
            "valueless": ",".join(sorted(_valueless())),
            "operator_meta": {
                "fields": {c.value: list(c.operators) for c in choices},
                "columns": {c["title"]: c["operators"] for c in columns},
                "labels": dict(FilterOperator.choices)},
            "sf_errors": sf_general, "ss_errors": ss_general, "general_errors": other,
        })

    def filter_columns(self) -> list[dict]:
        """The sheet's columns, and the columns the first run will add for "new column"
        mappings (typed after their field)."""
        if not self.smartsheet_side:
            return []
        columns = self.meta.column_choices(self.wizard.settings.get("sheet_id"))
        titles = {c["title"] for c in columns}
        describe = self.meta.describe(self.wizard.settings["salesforce_object"]) or {}
        raw = {f["name"]: f for f in describe.get("fields", [])}
        for m in self.wizard.get("mappings") or []:
            title = m.get("column")
            if not title or title in titles:
                continue
            field = raw.get(m.get("salesforce_field", ""), {}) if not m.get("lookup_field") \
                else {}
            ctype = column_type_for_field(field) if field else "TEXT_NUMBER"
            columns.append({"id": None, "title": title, "type": ctype,
                            "operators": [v for v in FilterOperator.values
                                          if v in column_operators(ctype)]})
            titles.add(title)
        return columns


class GroupsStep(WizardStepView):
    step = "groups"
    template_name = "web/wizard/groups.html"

    def read_form(self, data) -> dict:
        return {"rows": parse_rows(data, "g", ("kind", "field", "value"))}

    def row_change(self, values: dict, action: str, index: int | None) -> dict:
        rows = values["rows"]
        if action == "remove" and index is not None and 0 <= index < len(rows):
            rows.pop(index)
        if action == "add":
            rows.append({"kind": "field", "field": "", "value": ""})
        if action not in ("add", "remove"):
            rows = [r for r in rows if _group(r)]
        return {"rows": rows}

    def store(self, values: dict) -> None:
        self.wizard.set("row_groups", [g for g in (_group(r) for r in values["rows"]) if g])
        self.wizard.keep_form("groups", values)

    def get(self, request: HttpRequest) -> HttpResponse:
        kept = self.wizard.form("groups")
        rows = [dict(r) for r in kept["rows"]] if kept else [
            {"kind": "field" if g.get("field") else "value", "field": g.get("field", ""),
             "value": g.get("value", "")}
            for g in self.wizard.get("row_groups") or []]
        errors = self.wizard.errors("groups")
        general, per_row = errors_by_row(errors.get("row_groups", []), len(rows))
        for n, (row, row_errors) in enumerate(zip(rows, per_row, strict=True), start=1):
            row["errors"], row["level"] = row_errors, n
        fields = [c for c in self.meta.field_choices(self.wizard.settings["salesforce_object"],
                                                     related=False)
                  if not c.value.startswith("$") and not c.lookups]
        other = [m for k, v in errors.items() if k != "row_groups" for m in v]
        return self.render_step({"rows": rows, "fields": fields, "group_errors": general + other})


def _group(row: dict) -> dict | None:
    if row.get("kind") == "value":
        return {"value": row["value"]} if row.get("value") else None
    return {"field": row["field"]} if row.get("field") else None
