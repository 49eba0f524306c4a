"""The Filters and Row groups steps (conditions on both sides; hierarchy levels)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from web.wizard.base import WizardStepView
from web.wizard.rows import errors_by_row, parse_rows, row_action
from workflows.models import VALUELESS_OPERATORS, Direction, FilterOperator


class FiltersStep(WizardStepView):
    step = "filters"
    template_name = "web/wizard/filters.html"
    preconditions = ("settings", "fields")
    error_keys = ("salesforce_filters", "smartsheet_filters")

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(list(self.wizard.get("salesforce_filters") or []),
                         list(self.wizard.get("smartsheet_filters") or []), {})

    def show(self, sf_rows, ss_rows, errors: dict, *, status: int = 200) -> HttpResponse:
        sf_general, sf_per_row = errors_by_row(errors.get("salesforce_filters", []), len(sf_rows))
        ss_general, ss_per_row = errors_by_row(errors.get("smartsheet_filters", []), len(ss_rows))
        for row, e in zip(sf_rows, sf_per_row, strict=True):
            row["errors"] = e
        for row, e in zip(ss_rows, ss_per_row, strict=True):
            row["errors"] = e
        columns = [c["title"] for c in self.meta.columns(self.wizard.settings.get("sheet_id"))
                   if not c.get("systemColumnType")]
        for m in self.wizard.get("mappings") or []:
            if m.get("column") and m["column"] not in columns:
                columns.append(m["column"])
        fields = [c for c in self.meta.field_choices(self.wizard.settings["salesforce_object"])
                  if not c.lookup_field]
        other = [m for k, v in errors.items() if k not in self.error_keys for m in v]
        return self.render_step({
            "sf_rows": sf_rows, "ss_rows": ss_rows, "fields": fields, "columns": columns,
            "operators": FilterOperator.choices,
            "valueless": ",".join(sorted(_valueless())),
            "sf_errors": sf_general, "ss_errors": ss_general, "general_errors": other,
        }, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        sf_rows = parse_rows(request.POST, "sf", ("field", "operator", "value"))
        ss_rows = parse_rows(request.POST, "ss", ("column", "operator", "value"))
        action, index = row_action(request.POST)
        if action == "remove_sf" and index is not None and 0 <= index < len(sf_rows):
            sf_rows.pop(index)
        if action == "remove_ss" and index is not None and 0 <= index < len(ss_rows):
            ss_rows.pop(index)
        valueless = _valueless()
        for row in sf_rows + ss_rows:
            if row["operator"] in valueless:
                row["value"] = ""
        sf = [r for r in sf_rows if r["field"]]
        ss = [r for r in ss_rows if r["column"]]
        self.wizard.set("salesforce_filters", sf)
        self.wizard.set("smartsheet_filters", ss)
        if action == "add_sf":
            return self.show(sf_rows + [{"field": "", "operator": "equals", "value": ""}], ss_rows, {})
        if action == "add_ss":
            return self.show(sf_rows, ss_rows + [{"column": "", "operator": "equals", "value": ""}], {})
        if action in ("remove_sf", "remove_ss"):
            return self.show(sf_rows, ss_rows, {})
        if action == "back":
            return redirect("wizard_fields")
        errors = self.validate()
        if errors:
            return self.show([dict(r) for r in sf], [dict(r) for r in ss], errors, status=400)
        self.wizard.complete("filters")
        return redirect("wizard_groups")


def _valueless() -> set[str]:

    return {str(op) for op in VALUELESS_OPERATORS}


class GroupsStep(WizardStepView):
    step = "groups"
    template_name = "web/wizard/groups.html"
    preconditions = ("settings", "fields")
    error_keys = ("row_groups",)

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = [
            {"kind": "field" if g.get("field") else "value", "field": g.get("field", ""),
             "value": g.get("value", "")}
            for g in self.wizard.get("row_groups") or []
        ]
        return self.show(rows, {})

    def show(self, rows: list[dict], errors: dict, *, status: int = 200) -> HttpResponse:
        general, per_row = errors_by_row(errors.get("row_groups", []), len(rows))
        for n, (row, e) in enumerate(zip(rows, per_row, strict=True), start=1):
            row["errors"], row["level"] = e, n
        fields = [c for c in self.meta.field_choices(self.wizard.settings["salesforce_object"])
                  if not c.lookup_field]
        other = [m for k, v in errors.items() if k not in self.error_keys for m in v]
        return self.render_step({
            "rows": rows, "fields": fields, "errors": general + other,
            "to_salesforce": self.wizard.settings.get("direction") == Direction.TO_SALESFORCE,
        }, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        rows = parse_rows(request.POST, "g", ("kind", "field", "value"))
        action, index = row_action(request.POST)
        if action == "remove" and index is not None and 0 <= index < len(rows):
            rows.pop(index)
        groups = []
        for row in rows:
            if row["kind"] == "value" and row["value"]:
                groups.append({"value": row["value"]})
            elif row["kind"] != "value" and row["field"]:
                groups.append({"field": row["field"]})
        self.wizard.set("row_groups", groups)
        if action == "add":
            return self.show(rows + [{"kind": "field", "field": "", "value": ""}], {})
        if action == "remove":
            return self.show(rows, {})
        if action == "back":
            return redirect("wizard_filters")
        errors = self.validate()
        if errors:
            return self.show(rows, errors, status=400)
        self.wizard.complete("groups")
        return redirect("wizard_save")
