"""The wizard's entry points and its first steps: Settings and Fields.

Filters and Row groups live in ``web.wizard.filters``, Save in ``web.wizard.save``.

Every POST stores what was entered in the session before anything else, so going
back (or an error) never loses input. Only the Save step writes to the database.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from connector.selectors import installs_visible_to
from web.views.workflows import get_visible_workflow
from web.wizard.base import WizardStepView
from web.wizard.metadata import LOOKUP_SEP, WizardMetadata
from web.wizard.rows import errors_by_row, parse_rows, row_action
from web.wizard.session import WizardSession
from workflows import permissions
from workflows.models import Direction, MappingDirection

log = logging.getLogger(__name__)

NEW = "__new__"
#: Mapping directions a workflow direction allows.
ALLOWED_MAPPING_DIRECTIONS = {
    Direction.TO_SMARTSHEET: (MappingDirection.TO_SMARTSHEET,),
    Direction.TO_SALESFORCE: (MappingDirection.TO_SALESFORCE,),
    Direction.BIDIRECTIONAL: tuple(MappingDirection.values),
}
DEFAULT_MAPPING_DIRECTION = {
    Direction.TO_SMARTSHEET: MappingDirection.TO_SMARTSHEET,
    Direction.TO_SALESFORCE: MappingDirection.TO_SALESFORCE,
    Direction.BIDIRECTIONAL: MappingDirection.BOTH,
}


@login_required
@require_GET
def wizard_start(request: HttpRequest) -> HttpResponse:
    """A fresh draft (any unfinished one is dropped: the wizard holds one at a time)."""
    installs = list(installs_visible_to(request.user).order_by("name"))
    if not any(permissions.user_can_create_workflows(user=request.user, install=i)[0] for i in installs):
        messages.error(request, "You cannot create workflows yet; see below for why.")
        return redirect("dashboard")
    WizardSession(request).start_create()
    return redirect("wizard_settings")


@login_required
@require_GET
def wizard_edit(request: HttpRequest, workflow_id: int) -> HttpResponse:
    workflow = get_visible_workflow(request, workflow_id, for_edit=True)
    WizardSession(request).start_edit(workflow)
    return redirect("wizard_fields")


@login_required
@require_POST
def wizard_cancel(request: HttpRequest) -> HttpResponse:
    WizardSession(request).clear()
    messages.info(request, "Nothing was saved.")
    return redirect("dashboard")


class SettingsStep(WizardStepView):
    step = "settings"
    template_name = "web/wizard/settings.html"
    error_keys = ("direction", "sheet_id", "new_sheet_name", "salesforce_object")

    def allowed_installs(self) -> list:
        return [
            i for i in installs_visible_to(self.request.user).order_by("name")
            if permissions.user_can_create_workflows(user=self.request.user, install=i)[0]
        ]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show({})

    def show(self, errors: dict, *, status: int = 200) -> HttpResponse:
        installs = self.allowed_installs()
        if self.install is None and len(installs) == 1 and not self.wizard.is_edit:
            self.install = installs[0]
            self.wizard.set("settings", {**self.wizard.settings, "install_id": installs[0].pk})
            self.meta = WizardMetadata(user=self.request.user, install=self.install)
        context = {
            "installs": installs, "errors": errors,
            "directions": Direction.choices, "sheets": [], "objects": [],
        }
        if self.install is not None and not self.wizard.is_edit:
            context["sheets"] = self.meta.editable_sheets()
            context["objects"] = self.meta.object_choices()
        return self.render_step(context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        if self.wizard.is_edit:
            # Read-only once saved: nothing posted here can change the workflow.
            return redirect("wizard_fields")
        data = request.POST
        previous = self.wizard.settings
        install_id = data.get("install", "")
        allowed = {str(i.pk): i for i in self.allowed_installs()}
        if install_id not in allowed:
            return self.show({"install": ["Choose an install you may create workflows on."]}, status=400)
        sheet = data.get("sheet", "")
        settings = {
            "install_id": int(install_id),
            "direction": data.get("direction", ""),
            "salesforce_object": data.get("salesforce_object", ""),
            "sheet_id": int(sheet) if sheet.isdigit() else None,
            "new_sheet_name": data.get("new_sheet_name", "").strip() if sheet == NEW else "",
            "sheet_name": "",
        }
        changed_install = previous.get("install_id") not in (None, settings["install_id"])
        self.wizard.set("settings", settings)
        self.install = allowed[install_id]
        self.meta = WizardMetadata(user=request.user, install=self.install)
        if changed_install or row_action(data)[0] == "load":
            # A different install has other sheets and objects: show them first.
            return self.show({})
        if settings["sheet_id"]:
            names = {s["id"]: s.get("name", "") for s in self.meta.editable_sheets()}
            settings["sheet_name"] = names.get(settings["sheet_id"], "")
            self.wizard.set("settings", settings)
        errors = self.validate()
        if errors:
            return self.show(errors, status=400)
        if any(previous.get(k) != settings.get(k) for k in ("direction", "salesforce_object", "sheet_id", "new_sheet_name")):
            self.wizard.reset_after_settings()
        self.wizard.complete("settings")
        return redirect("wizard_fields")


class FieldsStep(WizardStepView):
    step = "fields"
    template_name = "web/wizard/fields.html"
    preconditions = ("settings",)
    error_keys = ("mappings",)

    def get(self, request: HttpRequest) -> HttpResponse:
        mappings = self.wizard.get("mappings") or []
        rows = [self.mapping_to_row(m) for m in mappings] or [self.blank_row()]
        return self.show(rows, {})

    def blank_row(self) -> dict:
        return {"field": "", "column": NEW, "new_title": "",
                "direction": DEFAULT_MAPPING_DIRECTION.get(self.wizard.settings.get("direction"), "")}

    def mapping_to_row(self, m: dict) -> dict:
        field = m.get("salesforce_field", "") + (f"{LOOKUP_SEP}{m['lookup_field']}" if m.get("lookup_field") else "")
        new = bool(m.get("new_column")) and m.get("column") not in self._column_titles()
        return {"field": field, "column": NEW if new else m.get("column", ""),
                "new_title": m.get("column", "") if new else "", "direction": m.get("direction", "")}

    def _column_titles(self) -> list[str]:
        if not hasattr(self, "_columns"):
            self._columns = [c for c in self.meta.columns(self.wizard.settings.get("sheet_id"))
                             if not c.get("systemColumnType")]
        return [c["title"] for c in self._columns]

    def field_choices(self):
        if not hasattr(self, "_choices"):
            self._choices = self.meta.field_choices(self.wizard.settings["salesforce_object"])
        return self._choices

    def row_to_mapping(self, row: dict) -> dict | None:
        if not row["field"] and (not row["column"] or row["column"] == NEW) and not row["new_title"]:
            return None  # a blank row is not a mapping
        choice = {c.value: c for c in self.field_choices()}.get(row["field"])
        sf_field, _, lookup = row["field"].partition(LOOKUP_SEP)
        new = row["column"] == NEW or not row["column"]
        title = row["new_title"] if new else row["column"]
        if new and not title and choice is not None:
            title = choice.label  # a new column is named after its field by default
        direction = row["direction"]
        if choice is not None and choice.locked:
            direction = MappingDirection.TO_SMARTSHEET
        return {"salesforce_field": sf_field, "column": title, "new_column": new,
                "direction": direction, "lookup_field": lookup}

    def show(self, rows: list[dict], errors: dict, *, status: int = 200) -> HttpResponse:
        general, per_row = errors_by_row(errors.get("mappings", []), len(rows))
        choices = self.field_choices()
        by_value = {c.value: c for c in choices}
        direction = self.wizard.settings.get("direction")
        allowed = ALLOWED_MAPPING_DIRECTIONS.get(direction, tuple(MappingDirection.values))
        for row, row_errors in zip(rows, per_row, strict=True):
            row["errors"] = row_errors
            choice = by_value.get(row["field"])
            row["locked"] = bool(choice and choice.locked)
            row["reason"] = choice.reason if choice else ""
        other = {k: v for k, v in errors.items() if k != "mappings"}
        return self.render_step({
            "rows": rows, "choices": choices, "columns": self._column_titles(),
            "directions": [(v, label, v in allowed) for v, label in MappingDirection.choices],
            "general_errors": general + [m for v in other.values() for m in v],
            "field_meta": {c.value: {"locked": c.locked, "reason": c.reason} for c in choices},
            "NEW": NEW,
        }, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        rows = parse_rows(request.POST, "m", ("field", "column", "new_title", "direction"))
        action, index = row_action(request.POST)
        if action == "remove" and index is not None and 0 <= index < len(rows):
            rows.pop(index)
        mappings = [m for m in (self.row_to_mapping(r) for r in rows) if m is not None]
        self.wizard.set("mappings", mappings)
        if action == "add":
            return self.show(rows + [self.blank_row()], {})
        if action == "remove":
            return self.show(rows or [self.blank_row()], {})
        if action == "back":
            return redirect("wizard_settings")
        errors = self.validate()
        if errors:
            shown = [self.mapping_to_row(m) for m in mappings] or [self.blank_row()]
            return self.show(shown, errors, status=400)
        self.wizard.complete("fields")
        return redirect("wizard_filters")
