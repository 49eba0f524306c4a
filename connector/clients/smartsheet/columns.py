"""A sheet's columns: list, add, change."""

from __future__ import annotations

from connector.clients.smartsheet.api import COLUMN_LEVEL, SmartsheetApi


class Columns:
    def __init__(self, api: SmartsheetApi) -> None:
        self.api = api

    def all(self, sheet_id: int) -> list[dict]:
        """The sheet's columns in order, without its rows (``GET /sheets/{id}/columns``),
        at :data:`~.api.COLUMN_LEVEL`."""
        return self.api._list(f"/sheets/{int(sheet_id)}/columns", {"level": COLUMN_LEVEL})

    def add(self, sheet_id: int, columns: list[dict]) -> list[dict]:
        result = self.api._post(f"/sheets/{int(sheet_id)}/columns", columns)["result"]
        return result if isinstance(result, list) else [result]

    def update(self, sheet_id: int, column_id: int, changes: dict) -> dict:
        return self.api._put(f"/sheets/{int(sheet_id)}/columns/{int(column_id)}",
                             changes)["result"]
