"""The wizard's state: one wrapper around one session key (django-oscar's checkout
session, for a workflow draft).

Everything the steps know lives here: the draft in the shape ``workflows.services``
takes, the steps completed, what each step's form last held (rows being added, values
not valid yet) and the problems each step must show. Nothing reaches the database before
the Save step; a reload never re-posts (every POST redirects), so what a page shows is
always read from here.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from workflows.models import ConflictPolicy, Direction

#: Every step, in order; :func:`steps_for` drops those a direction has no use for.
STEPS = ("settings", "fields", "filters", "groups", "options", "save")
STEP_LABELS = {
    "settings": _("Settings"), "fields": _("Fields"), "filters": _("Filters"),
    "groups": _("Row groups"), "options": _("Options"), "save": _("Save"),
}
#: Which step shows a validation error of each key (``WorkflowValidationError``).
ERROR_STEPS = {
    "install": "settings", "direction": "settings", "sheet_id": "settings",
    "new_sheet_name": "settings", "salesforce_object": "settings",
    "salesforce": "settings", "smartsheet": "settings", "general": "settings",
    "mappings": "fields",
    "salesforce_filters": "filters", "smartsheet_filters": "filters",
    "row_groups": "groups",
    "conflict_policy": "options", "polling_interval_minutes": "options",
    "remove_rows_on_filter_exit": "options", "remove_rows_on_delete": "options",
    "allow_duplicates": "options",
    "name": "save",
}
#: The dashboard's banner after a save, read once: workflow, name, run, how it went.
SAVED_BANNER_KEY = "web_saved_workflow"
OPTION_DEFAULTS = {
    "conflict_policy": ConflictPolicy.SALESFORCE_WINS.value, "polling_interval_minutes": None,
    "remove_rows_on_filter_exit": False, "remove_rows_on_delete": False,
    "allow_duplicates": False,
}


def steps_for(direction: str | None) -> tuple[str, ...]:
    """The steps of a workflow of ``direction``: row groups arrange rows that come from
    Salesforce, so a Smartsheet to Salesforce workflow has no such step."""
    if direction == Direction.TO_SALESFORCE:
        return tuple(s for s in STEPS if s != "groups")
    return STEPS


class WizardSession:
    """Read and write the one draft workflow kept in the session."""

    KEY = "web_wizard"
    #: The draft id and workflow of the last save: a second click on "Save" (or a reload
    #: of a POST the browser kept) lands on the dashboard instead of a stale wizard.
    SAVED_KEY = "web_wizard_saved"

    def __init__(self, request: HttpRequest) -> None:
        self._session = request.session
        self.data: dict[str, Any] = dict(self._session.get(self.KEY) or {})

    # --- lifecycle ------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return bool(self.data.get("mode"))

    def _fresh(self, mode: str, workflow_id: int | None) -> dict:
        return {
            "mode": mode, "draft": secrets.token_urlsafe(9), "workflow_id": workflow_id,
            "done": [], "settings": {}, "mappings": [], "salesforce_filters": [],
            "smartsheet_filters": [], "row_groups": [], "options": dict(OPTION_DEFAULTS),
            "name": "", "forms": {}, "errors": {},
        }

    def start_create(self) -> None:
        self.data = self._fresh("create", None)
        self._save()

    def start_edit(self, workflow) -> None:
        """Load a saved workflow; its settings are read-only from now on."""
        self.data = self._fresh("edit", workflow.pk)
        self.data.update({
            "done": [s for s in steps_for(workflow.direction) if s != "save"],
            "settings": {
                "install_id": workflow.install_id, "direction": workflow.direction,
                "sheet_id": workflow.sheet_id, "sheet_name": workflow.sheet_name,
                "sheet_permalink": workflow.sheet_permalink, "new_sheet_name": "",
                "salesforce_object": workflow.salesforce_object,
            },
            "mappings": [
                {"salesforce_field": m.salesforce_field, "column": m.column_title,
                 "new_column": m.new_column, "direction": m.direction,
                 "lookup_field": m.lookup_field}
                for m in workflow.mappings.all()
            ],
            "salesforce_filters": [
                {"field": f.field, "operator": f.operator, "value": f.value}
                for f in workflow.filters.all() if f.side == "salesforce"
            ],
            "smartsheet_filters": [
                {"column": f.field, "operator": f.operator, "value": f.value}
                for f in workflow.filters.all() if f.side == "smartsheet"
            ],
            "row_groups": [
                {"field": g.field} if g.field else {"value": g.value}
                for g in workflow.row_groups.all()
            ],
            "options": {
                "conflict_policy": workflow.conflict_policy,
                "polling_interval_minutes": workflow.polling_interval_minutes,
                "remove_rows_on_filter_exit": workflow.remove_rows_on_filter_exit,
                "remove_rows_on_delete": workflow.remove_rows_on_delete,
                "allow_duplicates": workflow.allow_duplicates,
            },
            "name": workflow.name,
        })
        self._save()

    def clear(self, *, saved_workflow_id: int | None = None) -> None:
        if saved_workflow_id is not None:
            self._session[self.SAVED_KEY] = {"draft": self.draft_id,
                                             "workflow_id": saved_workflow_id}
        self.data = {}
        self._session.pop(self.KEY, None)

    def saved_draft(self, draft_id: str) -> int | None:
        """The workflow saved from draft ``draft_id`` (already cleared), or None."""
        saved = self._session.get(self.SAVED_KEY) or {}
        return saved.get("workflow_id") if draft_id and saved.get("draft") == draft_id else None

    # --- reading ----------------------------------------------------------------------
    @property
    def is_edit(self) -> bool:
        return self.data.get("mode") == "edit"

    @property
    def draft_id(self) -> str:
        """Names this draft: every step's form carries it, so a page left open in another
        tab after a new draft started cannot post into (or save) the new one."""
        return str(self.data.get("draft") or "")

    @property
    def workflow_id(self) -> int | None:
        return self.data.get("workflow_id")

    @property
    def settings(self) -> dict:
        return dict(self.data.get("settings") or {})

    @property
    def options(self) -> dict:
        return {**OPTION_DEFAULTS, **(self.data.get("options") or {})}

    @property
    def direction(self) -> str:
        return self.settings.get("direction") or ""

    @property
    def steps(self) -> tuple[str, ...]:
        return steps_for(self.direction)

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def is_done(self, step: str) -> bool:
        return step in self.data.get("done", [])

    def form(self, step: str) -> dict | None:
        """What the step's form last held when it was not taken as is (rows being added,
        values not valid yet), or None: show the draft."""
        return (self.data.get("forms") or {}).get(step)

    def errors(self, step: str) -> dict[str, list[str]]:
        """The problems the step shows, by key (``general`` for the step as a whole)."""
        return dict((self.data.get("errors") or {}).get(step) or {})

    def draft_kwargs(self) -> dict:
        """Everything ``workflow_validate`` takes apart from ``user`` and ``install``."""
        s = self.settings
        options = self.options
        direction = s.get("direction", "")
        return {
            "direction": direction,
            "salesforce_object": s.get("salesforce_object", ""),
            "sheet_id": s.get("sheet_id"),
            "new_sheet_name": s.get("new_sheet_name", ""),
            "mappings": list(self.data.get("mappings") or []),
            "salesforce_filters": list(self.data.get("salesforce_filters") or []),
            "smartsheet_filters": (list(self.data.get("smartsheet_filters") or [])
                                   if direction != Direction.TO_SMARTSHEET else []),
            "row_groups": (list(self.data.get("row_groups") or [])
                           if "groups" in steps_for(direction) else []),
            **options,
        }

    # --- writing ----------------------------------------------------------------------
    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self._save()

    def keep_form(self, step: str, values: dict | None) -> None:
        """Remember what the step's form held (None: it matches the draft)."""
        forms = self.data.setdefault("forms", {})
        if values is None:
            forms.pop(step, None)
        else:
            forms[step] = values
        self._save()

    def set_errors(self, by_step: dict[str, dict[str, list[str]]]) -> None:
        """Replace every step's problems (a whole-draft validation decides them all)."""
        self.data["errors"] = {step: errs for step, errs in by_step.items() if errs}
        for step in by_step:
            if by_step[step]:
                self.undo(step)
        self._save()

    def complete(self, step: str) -> None:
        done = self.data.setdefault("done", [])
        if step not in done:
            done.append(step)
        self._save()

    def undo(self, step: str) -> None:
        done = self.data.setdefault("done", [])
        if step in done:
            done.remove(step)
        self._save()

    def reset_after_settings(self) -> None:
        """New sheet, object or direction: the mappings, filters and groups no longer
        apply (the options stay: they do not depend on them)."""
        for key in ("mappings", "salesforce_filters", "smartsheet_filters", "row_groups"):
            self.data[key] = []
        self.data["forms"] = {}
        self.data["errors"] = {}
        self.data["done"] = [s for s in self.data.get("done", []) if s in ("settings",
                                                                           "options")]
        self._save()

    def _save(self) -> None:
        self._session[self.KEY] = self.data
        self._session.modified = True
