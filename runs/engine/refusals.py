"""Refused items in plain words: a record Salesforce refused (an error of its SaveResult)
or a row Smartsheet refused (its RowResult), as a :class:`RowError` naming the column and
field, what is wrong (the clients' item kind) and which edit caused it — never an API
error code (see :mod:`runs.engine.words`)."""

from __future__ import annotations

from typing import Any

from connector.clients import RowResult
from runs.engine import words
from runs.engine.context import RunContext
from runs.engine.types import SALESFORCE_EDIT, SHEET_EDIT, RowError


class Refusals:
    """Builds the RowErrors of one run's refused writes (its mappings, looked up by
    column id, column title and field name)."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.mapping_by_column = {m.column_id: m for m in ctx.mappings if m.column_id}
        self.mapping_by_title = {m.spec.column_title: m for m in ctx.mappings}
        self.mapping_by_field = {m.write_field.lower(): m for m in ctx.mappings
                                 if m.write_field}

    def from_salesforce(self, err: dict, *, row_id: int | None, record_id: str,
                        sent: dict, creating: bool) -> RowError:
        """A record Salesforce refused (one error of its SaveResult), in plain words: the
        sheet edit that sent it is what to change."""
        fields = [f for f in err.get("fields") or () if f]
        mapping = next((self.mapping_by_field[f.lower()] for f in fields
                        if f.lower() in self.mapping_by_field), None)
        labels = self.ctx.field_labels
        field = (mapping.field_label if mapping is not None
                 else ", ".join(labels.get(f, f) for f in fields))
        kind = err.get("kind") or "invalid"
        value = sent.get(mapping.write_field) if mapping is not None else None
        message = words.refused_by_salesforce(
            kind, column=mapping.spec.column_title if mapping is not None else "",
            field=field, value=value, detail=err.get("message", ""), creating=creating)
        # Whose edit it was: the refused field's cell, else (a rule on the whole record)
        # a cell of the row that was sent.
        edited = mapping or next((self.mapping_by_field[f.lower()] for f in sent
                                  if f.lower() in self.mapping_by_field), None)
        return RowError(message=message, row_id=row_id, record_id=record_id,
                        column=mapping.spec.column_title if mapping is not None else "",
                        field=field,
                        column_id=edited.column_id if edited is not None else None,
                        mapping_key=mapping.key if mapping is not None else ",".join(fields),
                        code=err.get("code") or "", kind=kind, cause=SHEET_EDIT)

    def from_smartsheet(self, result: RowResult, *, row_id: int | None, record_id: str,
                        cells: dict[int, Any], verb: str) -> RowError:
        """A row Smartsheet refused (its RowResult), in plain words: the sheet's setup or
        the record is what to change."""
        mapping = self.mapping_by_column.get(result.column_id) or (
            self.mapping_by_title.get(result.column_title) if result.column_title else None)
        column = mapping.spec.column_title if mapping is not None else (result.column_title
                                                                        or "")
        value = cells.get(mapping.column_id) if mapping is not None else None
        kind = result.kind or "invalid"
        message = words.refused_by_smartsheet(kind, column=column, value=value,
                                              detail=result.message or "", verb=verb)
        return RowError(message=message, row_id=row_id, record_id=record_id, column=column,
                        field=mapping.field_label if mapping is not None else "",
                        column_id=mapping.column_id if mapping is not None else None,
                        mapping_key=mapping.key if mapping is not None else column,
                        code=result.error_code or "", kind=kind, cause=SALESFORCE_EDIT)
