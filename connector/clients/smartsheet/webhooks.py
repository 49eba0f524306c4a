"""Webhooks on a sheet (thin: create, change, delete, list)."""

from __future__ import annotations

from typing import Any

from connector.clients.smartsheet.api import SmartsheetApi


class Webhooks:
    def __init__(self, api: SmartsheetApi) -> None:
        self.api = api

    def create(self, *, name: str, callback_url: str, sheet_id: int,
               events: tuple[str, ...] = ("*.*",), column_ids: list[int] | None = None
               ) -> dict:
        payload: dict[str, Any] = {"name": name, "callbackUrl": callback_url, "scope": "sheet",
                                   "scopeObjectId": int(sheet_id), "events": list(events),
                                   "version": 1}
        if column_ids:
            payload["subscope"] = {"columnIds": [int(c) for c in column_ids]}
        return self.api._post("/webhooks", payload)["result"]

    def update(self, webhook_id: int, changes: dict) -> dict:
        return self.api._put(f"/webhooks/{int(webhook_id)}", changes)["result"]

    def delete(self, webhook_id: int) -> None:
        self.api._delete(f"/webhooks/{int(webhook_id)}")

    def all(self) -> list[dict]:
        return self.api._list("/webhooks")
