"""Sheets (and the user who sees them): list, read (filtered by rows, columns, version),
their shares, create."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connector.clients.smartsheet.api import COLUMN_LEVEL, SmartsheetApi


class Sheets:
    def __init__(self, api: SmartsheetApi) -> None:
        self.api = api

    def me(self) -> dict:
        """``{id, email, name}`` of the token's user."""
        body = self.api._get("/users/me")
        name = body.get("name") or " ".join(
            part for part in (body.get("firstName"), body.get("lastName")) if part)
        return {"id": body.get("id"), "email": body.get("email", ""), "name": name}

    def all(self) -> list[dict]:
        """Every sheet the user can see: ``[{id, name, accessLevel, ...}]``."""
        return self.api._list("/sheets")

    def get(
        self,
        sheet_id: int,
        *,
        column_ids: list[int] | None = None,
        rows_modified_since: datetime | None = None,
        row_ids: list[int] | None = None,
        include: tuple[str, ...] = (),
        if_version_after: int | None = None,
    ) -> dict:
        """The raw sheet JSON (all rows unless filtered). With ``if_version_after`` and an
        unchanged sheet, Smartsheet answers with only ``{"version": n}``. Columns come at
        :data:`~.api.COLUMN_LEVEL` (MULTI_PICKLIST columns as themselves)."""
        params: dict[str, Any] = {"level": COLUMN_LEVEL}
        if column_ids:
            params["columnIds"] = ",".join(str(c) for c in column_ids)
        if row_ids:
            params["rowIds"] = ",".join(str(r) for r in row_ids)
        if rows_modified_since is not None:
            params["rowsModifiedSince"] = _format_time(rows_modified_since)
        if include:
            params["include"] = ",".join(include)
        if if_version_after is not None:
            params["ifVersionAfter"] = int(if_version_after)
        return self.api._get(f"/sheets/{int(sheet_id)}", params)

    def version(self, sheet_id: int) -> int:
        return int(self.api._get(f"/sheets/{int(sheet_id)}/version")["version"])

    def shares(self, sheet_id: int) -> list[dict]:
        """Who the sheet is shared with: ``[{type, userId, email, name, accessLevel}]``."""
        return self.api._list(f"/sheets/{int(sheet_id)}/shares")

    def create(self, name: str, columns: list[dict]) -> dict:
        """Create a sheet in the user's Sheets folder; the new sheet's raw JSON."""
        return self.api._post("/sheets", {"name": name, "columns": columns})["result"]


def _format_time(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
