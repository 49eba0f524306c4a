"""The Options step, and the Save step: the summary of updates — the plan the next run
executes, counted — then the name, and saving (which starts that run)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connector.clients import ClientError
from runs.engine import SyncFailed
from runs.engine import preview as engine_preview
from runs.services import workflow_save
from web.wizard.base import STEP_URL_NAMES, WizardStepView
from web.wizard.rows import row_action
from web.wizard.session import SAVED_BANNER_KEY, STEP_LABELS
from workflows.models import ConflictPolicy, Direction
from workflows.validation import WorkflowValidationError

log = logging.getLogger(__name__)

FLAGS = ("remove_rows_on_filter_exit", "remove_rows_on_delete", "allow_duplicates")


class OptionsStep(WizardStepView):
    step = "options"
    template_name = "web/wizard/options.html"

    def read_form(self, data) -> dict:
        minutes = data.get("polling_interval_minutes", "").strip()
        values = {"conflict_policy": data.get("conflict_policy")
                  or self.wizard.options["conflict_policy"],
                  "polling_interval_minutes": int(minutes) if minutes.isdecimal() else (
                      minutes or None)}
        values.update({flag: data.get(flag) == "on" for flag in FLAGS})
        return values

    def store(self, values: dict) -> None:
        self.wizard.set("options", values)

    def get(self, request: HttpRequest) -> HttpResponse:
        direction = self.wizard.direction
        errors = self.wizard.errors("options")
        return self.render_step({
            "options": self.wizard.options, "policies": ConflictPolicy.choices,
            "show_policy": direction == Direction.BIDIRECTIONAL,
            "show_removal": direction != Direction.TO_SALESFORCE,
            "show_duplicates": direction != Direction.TO_SMARTSHEET,
            "install_minutes": self.install.polling_interval_minutes,
            "option_errors": [m for v in errors.values() for m in v],
        })


class SaveStep(WizardStepView):
    step = "save"
    template_name = "web/wizard/save.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        # This step's own problems (the name, a save Salesforce or Smartsheet refused) come
        # from its POST: validating the draft again here must not clear them.
        own = self.wizard.errors("save")
        spec = self.validate_all()
        if own:
            self.wizard.set_errors({**{s: self.wizard.errors(s) for s in self.wizard.steps},
                                    "save": own})
        first_bad = self.first_step_with_errors()
        if spec is None and first_bad not in (None, "save"):
            messages.error(request, _("The “%(step)s” step needs attention before saving.")
                           % {"step": STEP_LABELS[first_bad]})
            return redirect(STEP_URL_NAMES[first_bad])
        summary, problem = self.preview(spec)
        settings = self.wizard.settings
        return self.render_step({
            "name": self.wizard.get("name") or "", "summary": summary,
            "tiles": summary_tiles(summary, settings.get("direction")) if summary else [],
            "field_counts": sorted((summary or {}).get("fields_to_update", {}).items()),
            "error_items": [dict(e, subject=error_subject(e))
                            for e in (summary or {}).get("error_items", [])],
            "preview_problem": problem,
            "mappings": self.wizard.get("mappings") or [],
            "salesforce_filters": self.wizard.get("salesforce_filters") or [],
            "smartsheet_filters": self.wizard.get("smartsheet_filters") or [],
            "row_groups": self.wizard.get("row_groups") or [],
            "options": self.wizard.options,
            "direction_label": Direction(settings["direction"]).label
            if settings.get("direction") in Direction.values else "",
            "policy_label": ConflictPolicy(self.wizard.options["conflict_policy"]).label
            if self.wizard.options["conflict_policy"] in ConflictPolicy.values else "",
        })

    def preview(self, spec) -> tuple[dict | None, str]:
        """The dry-run summary of updates, or why it is not available (never raises)."""
        if spec is None:
            return None, ""
        try:
            return engine_preview(spec, user=self.request.user, workflow=self.workflow), ""
        except (SyncFailed, ClientError) as exc:
            return None, _("The summary of updates is not available: %(why)s") % {
                "why": exc.message}
        except Exception:  # a failed preview must not block saving
            log.exception("wizard preview failed")
            return None, _("The summary of updates is not available right now (the error "
                           "was logged). Saving still works.")

    def post(self, request: HttpRequest) -> HttpResponse:
        name = request.POST.get("name", "").strip()
        self.wizard.set("name", name)
        action, _index = row_action(request.POST)
        if action != "save":
            return self.advance(action)
        spec = self.validate_all(name=name)
        first_bad = self.first_step_with_errors()
        if spec is None:
            if first_bad not in (None, "save"):
                messages.error(request, _("The “%(step)s” step needs attention before "
                                          "saving.") % {"step": STEP_LABELS[first_bad]})
            return redirect(STEP_URL_NAMES[first_bad or "save"])
        draft = self.wizard.draft_kwargs()
        try:
            if self.workflow is None:
                saved = workflow_save(user=request.user, install=self.install, name=name,
                                      **draft)
            else:
                for fixed in ("direction", "salesforce_object", "sheet_id", "new_sheet_name"):
                    draft.pop(fixed)
                saved = workflow_save(user=request.user, workflow=self.workflow, name=name,
                                      **draft)
        except WorkflowValidationError as exc:
            self.wizard.set_errors({"save": {k: list(v) for k, v in exc.errors.items()}})
            return redirect("wizard_save")
        self.wizard.clear(saved_workflow_id=saved.workflow.pk)
        request.session[SAVED_BANNER_KEY] = {
            "workflow_id": saved.workflow.pk, "name": saved.workflow.name,
            "created": saved.created, "run_id": saved.run.pk if saved.run else None,
            "refusal": saved.refusal}
        return redirect("dashboard")


def summary_tiles(summary: dict, direction: str | None) -> list[dict]:
    """The counts shown, each with its own plural, for the sides the workflow writes."""
    ss, sf = summary.get("smartsheet", {}), summary.get("salesforce", {})
    tiles = []
    if direction != Direction.TO_SALESFORCE:
        tiles += [
            (ss.get("rows_to_add", 0), "rows_to_add",
             ngettext("row to add (a record)", "rows to add (records)", ss.get("rows_to_add", 0))),
            (ss.get("group_rows_to_add", 0), "group_rows_to_add",
             ngettext("group row to add", "group rows to add", ss.get("group_rows_to_add", 0))),
            (ss.get("rows_to_update", 0), "rows_to_update",
             ngettext("row to update", "rows to update", ss.get("rows_to_update", 0))),
            (ss.get("rows_to_move", 0), "rows_to_move",
             ngettext("row to move to its group", "rows to move to their groups",
                      ss.get("rows_to_move", 0))),
        ]
        if ss.get("rows_to_remove"):
            tiles.append((ss["rows_to_remove"], "rows_to_remove",
                          ngettext("row to remove", "rows to remove", ss["rows_to_remove"])))
    if direction != Direction.TO_SMARTSHEET:
        tiles += [
            (sf.get("records_to_create", 0), "records_to_create",
             ngettext("record to create in Salesforce", "records to create in Salesforce",
                      sf.get("records_to_create", 0))),
            (sf.get("records_to_update", 0), "records_to_update",
             ngettext("record to update in Salesforce", "records to update in Salesforce",
                      sf.get("records_to_update", 0))),
        ]
    return [{"count": n, "key": key, "text": text} for n, key, text in tiles]


def error_subject(item: dict) -> str:
    """Which row or record an error is about, as a person finds it."""
    if item.get("row_number"):
        return _("Row %(number)s") % {"number": item["row_number"]}
    if item.get("record_name"):
        return _("Record “%(name)s”") % {"name": item["record_name"]}
    if item.get("record_id"):
        return _("Record %(id)s") % {"id": item["record_id"]}
    return _("A new row")
