"""The wizard's state: one wrapper around one session key."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest

STEPS = ("settings", "fields", "filters", "groups", "save")
STEP_LABELS = {
    "settings": "Settings", "fields": "Fields", "filters": "Filters",
    "groups": "Row groups", "save": "Save",
}


class WizardSession:
    """Read and write the draft workflow kept in the session.

    The draft holds the values in the shape ``workflows.services`` takes
    (mappings, ``salesforce_filters``, ``smartsheet_filters``, ``row_groups`` as lists
    of dicts), so the save step hands them over unchanged.
    """

    KEY = "web_wizard"

    def __init__(self, request: HttpRequest) -> None:
        self._session = request.session
        self.data: dict[str, Any] = dict(self._session.get(self.KEY) or {})

    # --- lifecycle ------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return bool(self.data.get("mode"))

    def start_create(self) -> None:
        self.data = {
            "mode": "create", "draft": secrets.token_urlsafe(9), "workflow_id": None, "done": [],
            "settings": {}, "mappings": [], "salesforce_filters": [],
            "smartsheet_filters": [], "row_groups": [], "name": "",
        }
        self._save()

    def start_edit(self, workflow) -> None:
        """Load a saved workflow; its settings are read-only from now on."""
        self.data = {
            "mode": "edit", "draft": secrets.token_urlsafe(9), "workflow_id": workflow.pk,
            "done": ["settings", "fields", "filters", "groups"],
            "settings": {
                "install_id": workflow.install_id, "direction": workflow.direction,
                "sheet_id": workflow.sheet_id, "sheet_name": workflow.sheet_name,
                "new_sheet_name": "", "salesforce_object": workflow.salesforce_object,
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
            "name": workflow.name,
        }
        self._save()

    def clear(self) -> None:
        self.data = {}
        self._session.pop(self.KEY, None)

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

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def is_done(self, step: str) -> bool:
        return step in self.data.get("done", [])

    def draft_kwargs(self) -> dict:
        """Everything ``workflow_validate`` takes apart from ``user`` and ``install``."""
        s = self.settings
        return {
            "direction": s.get("direction", ""),
            "salesforce_object": s.get("salesforce_object", ""),
            "sheet_id": s.get("sheet_id"),
            "new_sheet_name": s.get("new_sheet_name", ""),
            "mappings": list(self.data.get("mappings") or []),
            "salesforce_filters": list(self.data.get("salesforce_filters") or []),
            "smartsheet_filters": list(self.data.get("smartsheet_filters") or []),
            "row_groups": list(self.data.get("row_groups") or []),
        }

    # --- writing ----------------------------------------------------------------------
    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self._save()

    def complete(self, step: str) -> None:
        done = self.data.setdefault("done", [])
        if step not in done:
            done.append(step)
        self._save()

    def reset_after_settings(self) -> None:
        """New sheet or object: the mappings, filters and groups no longer apply."""
        for key in ("mappings", "salesforce_filters", "smartsheet_filters", "row_groups"):
            self.data[key] = []
        self.data["done"] = [s for s in self.data.get("done", []) if s == "settings"]
        self._save()

    def _save(self) -> None:
        self._session[self.KEY] = self.data
        self._session.modified = True
