"""The Smartsheet client: one user's access, through one object.

A thin facade: calls, tokens and errors are :class:`~.api.SmartsheetApi`'s; each method
below hands over to its resource — :mod:`.sheets`, :mod:`.rows`, :mod:`.columns`,
:mod:`.webhooks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cached_property

from connector.clients.smartsheet.api import SmartsheetApi
from connector.clients.smartsheet.columns import Columns
from connector.clients.smartsheet.rows import Rows
from connector.clients.smartsheet.sheets import Sheets
from connector.clients.smartsheet.webhooks import Webhooks
from connector.clients.types import RowResult


class SmartsheetClient(SmartsheetApi):
    """One user's Smartsheet API access. Writes to a sheet are serial by design."""

    # The resources hold nothing but the client: made on first use.
    @cached_property
    def _sheets(self) -> Sheets:
        return Sheets(self)

    @cached_property
    def _rows(self) -> Rows:
        return Rows(self)

    @cached_property
    def _columns(self) -> Columns:
        return Columns(self)

    @cached_property
    def _webhooks(self) -> Webhooks:
        return Webhooks(self)

    # -- users and sheets ----------------------------------------------------------------
    def me(self) -> dict:
        return self._sheets.me()

    def list_sheets(self) -> list[dict]:
        return self._sheets.all()

    def get_sheet(self, sheet_id: int, *, column_ids: list[int] | None = None,
                  rows_modified_since: datetime | None = None,
                  row_ids: list[int] | None = None, include: tuple[str, ...] = (),
                  if_version_after: int | None = None) -> dict:
        return self._sheets.get(sheet_id, column_ids=column_ids,
                                rows_modified_since=rows_modified_since, row_ids=row_ids,
                                include=include, if_version_after=if_version_after)

    def get_version(self, sheet_id: int) -> int:
        return self._sheets.version(sheet_id)

    def list_shares(self, sheet_id: int) -> list[dict]:
        return self._sheets.shares(sheet_id)

    def create_sheet(self, name: str, columns: list[dict]) -> dict:
        return self._sheets.create(name, columns)

    # -- columns ---------------------------------------------------------------------------
    def list_columns(self, sheet_id: int) -> list[dict]:
        return self._columns.all(sheet_id)

    def add_columns(self, sheet_id: int, columns: list[dict]) -> list[dict]:
        return self._columns.add(sheet_id, columns)

    def update_column(self, sheet_id: int, column_id: int, changes: dict) -> dict:
        return self._columns.update(sheet_id, column_id, changes)

    # -- rows ------------------------------------------------------------------------------
    def add_rows(self, sheet_id: int, rows: list[dict]) -> list[RowResult]:
        return self._rows.add(sheet_id, rows)

    def update_rows(self, sheet_id: int, rows: list[dict]) -> list[RowResult]:
        return self._rows.update(sheet_id, rows)

    def delete_rows(self, sheet_id: int, row_ids: Iterable[int]) -> list[int]:
        return self._rows.delete(sheet_id, row_ids)

    def cell_history(self, sheet_id: int, row_id: int, column_id: int) -> list[dict]:
        return self._rows.cell_history(sheet_id, row_id, column_id)

    # -- webhooks --------------------------------------------------------------------------
    def create_webhook(self, *, name: str, callback_url: str, sheet_id: int,
                       events: tuple[str, ...] = ("*.*",),
                       column_ids: list[int] | None = None) -> dict:
        return self._webhooks.create(name=name, callback_url=callback_url, sheet_id=sheet_id,
                                     events=events, column_ids=column_ids)

    def update_webhook(self, webhook_id: int, changes: dict) -> dict:
        return self._webhooks.update(webhook_id, changes)

    def delete_webhook(self, webhook_id: int) -> None:
        self._webhooks.delete(webhook_id)

    def list_webhooks(self) -> list[dict]:
        return self._webhooks.all()
