"""The wizard's entry points and its first steps: Settings and Fields.

Filters and Row groups live in ``web.wizard.filters``, Options and Save in
``web.wizard.save``. Every POST stores what was entered in the session before anything
else and ends in a redirect, so going back, a reload or an error never loses input and
never posts twice. Only the Save step writes to the database.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connector.clients import ClientError
from connector.selectors import installs_visible_to
from runs.selectors import owned_column_ids_of
from web.views.workflows import get_visible_workflow
from web.wizard.base import WizardStepView
from web.wizard.metadata import WizardMetadata
from web.wizard.rows import errors_by_row, parse_rows, row_action
from web.wizard.session import ERROR_STEPS, WizardSession
from workflows import permissions
from workflows.models import Direction, MappingDirection
from workflows.selectors import workflows_syncing_sheet
from workflows.services import (
    WorkflowValidationError,
    sheet_prepare,
    sheet_readiness,
    workflow_validate,
)

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
#: The settings that decide what the later steps can hold.
CORE_SETTINGS = ("install_id", "direction", "salesforce_object", "sheet_id", "new_sheet_name")


@login_required
@require_GET
def wizard_start(request: HttpRequest) -> HttpResponse:
    """A fresh draft (any unfinished one is dropped: the wizard holds one at a time)."""
    installs = list(installs_visible_to(request.user).order_by("name"))
    if not any(permissions.user_can_create_workflows(user=request.user, install=i)[0]
               for i in installs):
        messages.error(request, _("You cannot create workflows yet; see below for why."))
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
    messages.info(request, _("Nothing was saved."))
    return redirect("dashboard")


class SettingsStep(WizardStepView):
    step = "settings"
    template_name = "web/wizard/settings.html"

    def allowed_installs(self) -> list:
        return [
            i for i in installs_visible_to(self.request.user).order_by("name")
            if permissions.user_can_create_workflows(user=self.request.user, install=i)[0]
        ]

    def get(self, request: HttpRequest) -> HttpResponse:
        installs = self.allowed_installs()
        if self.install is None and len(installs) == 1 and not self.wizard.is_edit:
            self.install = installs[0]
            self.wizard.set("settings", {**self.wizard.settings, "install_id": installs[0].pk})
            self.meta = WizardMetadata(user=request.user, install=self.install)
        form = self.wizard.form("settings") or self.wizard.settings
        context = {"installs": installs, "directions": Direction.choices, "sheets": [],
                   "objects": [], "form": form, "readiness": None, "others": [],
                   "NEW": NEW}
        if self.install is not None and not self.wizard.is_edit:
            context["sheets"] = self.meta.sheet_choices()
            context["objects"] = self.meta.object_choices()
        sheet_id = form.get("sheet_id")
        if self.install is not None and sheet_id:
            context["readiness"] = sheet_readiness(user=request.user, install=self.install,
                                                   sheet_id=sheet_id, meta=self.meta)
            context["others"] = list(workflows_syncing_sheet(
                user=request.user, install_id=self.install.pk, sheet_id=sheet_id,
                exclude_id=self.wizard.workflow_id))
        return self.render_step(context)

    def post(self, request: HttpRequest) -> HttpResponse:
        action, _index = row_action(request.POST)
        if self.wizard.is_edit:
            # Read-only once saved: nothing posted here can change the workflow.
            return self.advance(action)
        data = request.POST
        allowed = {str(i.pk): i for i in self.allowed_installs()}
        install_id = data.get("install", "")
        sheet = data.get("sheet", "")
        candidate = {
            "install_id": int(install_id) if install_id in allowed else None,
            "direction": data.get("direction", ""),
            "salesforce_object": data.get("salesforce_object", ""),
            "sheet_id": int(sheet) if sheet.isdigit() else None,
            "new_sheet_name": data.get("new_sheet_name", "").strip() if sheet == NEW else "",
            "sheet_choice": sheet,
        }
        if candidate["install_id"] is None:
            self.wizard.keep_form("settings", candidate)
            self._settings_errors({"install": [_("Choose an install you may create "
                                                 "workflows on.")]})
            return redirect("wizard_settings")
        self.install = allowed[install_id]
        self.meta = WizardMetadata(user=request.user, install=self.install)
        if self.wizard.settings.get("install_id") not in (None, candidate["install_id"]):
            # Another install has other sheets and objects: show them first.
            self.wizard.reset_after_settings()
            self.wizard.set("settings", {"install_id": candidate["install_id"]})
            self.wizard.undo("settings")
            self.wizard.keep_form("settings", None)
            self._settings_errors({})
            return redirect("wizard_settings")
        if action == "load":
            self.wizard.set("settings", {**self.wizard.settings,
                                         "install_id": candidate["install_id"]})
            self.wizard.keep_form("settings", candidate)
            return redirect("wizard_settings")
        if action == "prepare":
            return self.prepare(candidate)
        return self.take(candidate, action)

    def take(self, candidate: dict, action: str) -> HttpResponse:
        """Settings change only when they are valid: a half-filled form never empties
        what the later steps were built on."""
        kwargs = {**self.wizard.draft_kwargs(),
                  **{k: candidate[k] for k in CORE_SETTINGS if k != "install_id"}}
        errors: dict[str, list[str]] = {}
        try:
            workflow_validate(user=self.request.user, install=self.install, **kwargs)
        except PermissionDenied as exc:
            errors = {"general": [str(exc)]}
        except WorkflowValidationError as exc:
            errors = {k: v for k, v in exc.errors.items()
                      if ERROR_STEPS.get(k, "settings") == "settings"}
        if errors:
            self.wizard.keep_form("settings", candidate)
            self._settings_errors(errors)
            return redirect("wizard_settings")
        current = self.wizard.settings
        if any(current.get(k) != candidate.get(k) for k in CORE_SETTINGS):
            self.wizard.reset_after_settings()
        settings = {k: candidate[k] for k in CORE_SETTINGS}
        settings["salesforce_object_label"] = self.meta.object_label(candidate["salesforce_object"])
        if candidate["sheet_id"]:
            info = self.meta.sheet(candidate["sheet_id"])
            settings.update(sheet_name=info.name if info else "",
                            sheet_permalink=info.permalink if info else "")
        self.wizard.set("settings", settings)
        self.wizard.keep_form("settings", None)
        return self.advance(action)

    def prepare(self, candidate: dict) -> HttpResponse:
        """One click of a sheet Admin: the connector's own columns, added now."""
        self.wizard.keep_form("settings", candidate)
        if not candidate["sheet_id"]:
            return redirect("wizard_settings")
        try:
            added = sheet_prepare(user=self.request.user, install=self.install,
                                  sheet_id=candidate["sheet_id"])
        except PermissionDenied as exc:
            messages.error(self.request, str(exc))
        except ClientError as exc:
            messages.error(self.request, _("Smartsheet did not add the columns: %(why)s")
                           % {"why": exc.message})
        else:
            if added:
                messages.success(self.request, _("The sheet is prepared: %(columns)s added. "
                                                 "Its Editors can now sync it.")
                                 % {"columns": ", ".join(f"“{t}”" for t in added)})
        return redirect("wizard_settings")

    def _settings_errors(self, errors: dict[str, list[str]]) -> None:
        by_step = {s: self.wizard.errors(s) for s in self.wizard.steps}
        by_step["settings"] = errors
        self.wizard.set_errors(by_step)


class FieldsStep(WizardStepView):
    step = "fields"
    template_name = "web/wizard/fields.html"

    def read_form(self, data) -> dict:
        return {"rows": parse_rows(data, "m", ("field", "lookup", "column", "new_title",
                                               "direction"))}

    def row_change(self, values: dict, action: str, index: int | None) -> dict:
        rows = values["rows"]
        if action == "remove" and index is not None and 0 <= index < len(rows):
            rows.pop(index)
        if action == "add":
            rows.append(self.blank_row())
        if action not in ("add", "remove"):
            rows = [r for r in rows if not _blank(r)]
        return {"rows": rows or [self.blank_row()]}

    def store(self, values: dict) -> None:
        mappings = [m for m in (self.row_to_mapping(r) for r in values["rows"]) if m]
        self.wizard.set("mappings", mappings)
        self.wizard.keep_form("fields", values)

    # -- rows ⇄ mappings -------------------------------------------------------------------
    def blank_row(self) -> dict:
        return {"field": "", "lookup": "", "column": NEW, "new_title": "",
                "direction": DEFAULT_MAPPING_DIRECTION.get(self.wizard.direction, "")}

    def mapping_to_row(self, m: dict) -> dict:
        new = bool(m.get("new_column")) and m.get("column") not in self.column_titles()
        return {"field": m.get("salesforce_field", ""), "lookup": m.get("lookup_field", ""),
                "column": NEW if new else m.get("column", ""),
                "new_title": m.get("column", "") if new else "",
                "direction": m.get("direction", "")}

    def row_to_mapping(self, row: dict) -> dict | None:
        if _blank(row):
            return None
        choice = self.choices_by_value().get(row["field"])
        lookup = row.get("lookup", "") if choice is not None and choice.lookups else ""
        new = row["column"] == NEW or not row["column"]
        title = row["new_title"] if new else row["column"]
        if new and not title and choice is not None:
            title = choice.column_title or choice.label  # named after its field by default
        direction = row["direction"]
        if choice is not None and choice.locked and not (lookup and choice.lookup_unlocks):
            direction = MappingDirection.TO_SMARTSHEET
        return {"salesforce_field": row["field"], "column": title, "new_column": new,
                "direction": direction, "lookup_field": lookup}

    def columns(self) -> list[dict]:
        if not hasattr(self, "_columns"):
            exclude = owned_column_ids_of(workflow_id=self.workflow.pk) if self.workflow else set()
            self._columns = self.meta.column_choices(self.wizard.settings.get("sheet_id"),
                                                     exclude_ids=exclude)
        return self._columns

    def column_titles(self) -> list[str]:
        return [c["title"] for c in self.columns()]

    def field_choices(self):
        if not hasattr(self, "_choices"):
            self._choices = self.meta.field_choices(self.wizard.settings["salesforce_object"])
        return self._choices

    def choices_by_value(self) -> dict:
        return {c.value: c for c in self.field_choices()}

    # -- page --------------------------------------------------------------------------
    def get(self, request: HttpRequest) -> HttpResponse:
        kept = self.wizard.form("fields")
        rows = [dict(r) for r in kept["rows"]] if kept else (
            [self.mapping_to_row(m) for m in self.wizard.get("mappings") or []]
            or [self.blank_row()])
        errors = self.wizard.errors("fields")
        general, per_row = errors_by_row(errors.get("mappings", []), len(rows))
        by_value = self.choices_by_value()
        allowed = ALLOWED_MAPPING_DIRECTIONS.get(self.wizard.direction,
                                                 tuple(MappingDirection.values))
        for row, row_errors in zip(rows, per_row, strict=True):
            row["errors"] = row_errors
            choice = by_value.get(row["field"])
            row["lookups"] = choice.lookups if choice else ()
            unlocked = bool(choice and row.get("lookup") and choice.lookup_unlocks)
            row["locked"] = bool(choice and choice.locked and not unlocked)
            row["reason"] = choice.reason if row["locked"] else ""
        groups: dict[str, list] = {}
        for c in self.field_choices():
            groups.setdefault(c.group, []).append(c)
        other = [m for k, v in errors.items() if k != "mappings" for m in v]
        return self.render_step({
            "rows": rows, "choice_groups": list(groups.items()),
            "columns": self.column_titles(),
            "directions": [(v, label, v in allowed) for v, label in MappingDirection.choices],
            "general_errors": general + other,
            "field_meta": {c.value: c.meta() for c in self.field_choices()},
            "NEW": NEW,
        })


def _blank(row: dict) -> bool:
    return not row.get("field") and row.get("column") in ("", NEW) and not row.get("new_title")
