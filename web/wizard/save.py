"""The Save step: name, the dry-run summary of updates, then save and start the sync."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from runs.services import workflow_save
from web.wizard.base import WizardStepView
from web.wizard.rows import row_action
from workflows.models import Direction
from workflows.validation import WorkflowValidationError

log = logging.getLogger(__name__)


class SaveStep(WizardStepView):
    step = "save"
    template_name = "web/wizard/save.html"
    preconditions = ("settings", "fields")
    error_keys = ("name",)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show({})

    def preview(self) -> tuple[dict | None, str]:
        """The dry-run summary of updates, or why it is not available (never raises)."""
        errors = self.validate(keys=("mappings", "salesforce_filters", "smartsheet_filters", "row_groups"))
        if errors:
            return None, "Fix the problems in the earlier steps to see the summary."
        try:
            from runs.engine import preview

            return preview(self.spec, user=self.request.user, workflow=self.workflow), ""
        except Exception as exc:  # a failed preview must not block saving
            log.warning("wizard preview failed: %s", exc)
            return None, f"The summary of updates is not available: {getattr(exc, 'message', exc)}"

    def show(self, errors: dict, *, status: int = 200) -> HttpResponse:
        summary, problem = self.preview()
        return self.render_step({
            "name": self.wizard.get("name") or "", "errors": errors,
            "summary": summary, "preview_problem": problem,
            "mappings": self.wizard.get("mappings") or [],
            "salesforce_filters": self.wizard.get("salesforce_filters") or [],
            "smartsheet_filters": self.wizard.get("smartsheet_filters") or [],
            "row_groups": self.wizard.get("row_groups") or [],
            "direction_label": Direction(self.wizard.settings["direction"]).label
            if self.wizard.settings.get("direction") in Direction.values else "",
        }, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        name = request.POST.get("name", "").strip()
        self.wizard.set("name", name)
        action, _ = row_action(request.POST)
        if action == "back":
            return redirect("wizard_groups")
        errors = self.validate(keys=self.error_keys + ("mappings", "salesforce_filters",
                                                       "smartsheet_filters", "row_groups",
                                                       "direction", "sheet_id",
                                                       "new_sheet_name", "salesforce_object"),
                               name=name)
        if errors:
            return self.show(errors, status=400)
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
            return self.show({k: list(v) for k, v in exc.errors.items()}, status=400)
        self.wizard.clear()
        workflow = saved.workflow
        if saved.run is not None:
            started = ("The first sync has started." if saved.created else
                       "A sync has started to apply the changes to every row.")
            messages.success(request, f"Saved “{workflow.name}”. {started}")
        elif saved.refusal:
            messages.warning(request, f"Saved “{workflow.name}”. It will sync once it can: "
                                      f"{saved.refusal}")
        else:
            messages.success(request, f"Saved “{workflow.name}”.")
        return redirect("run_history", workflow_id=workflow.pk)
