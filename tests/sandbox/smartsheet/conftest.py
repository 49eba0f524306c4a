"""SDK clients against the Smartsheet emulator of the session sandbox."""

from __future__ import annotations

import json

import pytest
import smartsheet

from sandbox.smartsheet.emulator import persona_token

#: The sandbox's own users (sandbox/personas.py) — people of the emulators, not the test
#: personas of tests/personas.py (who share alice's and bob's emails on purpose).
ADA, ALICE, BOB, CAROL = ("ada@example.com", "alice@example.com", "bob@example.com",
                          "carol@example.com")


class QuickBackoff(smartsheet.AbstractUserCalcBackoff):
    """The SDK's retry hook with short waits, so retry tests stay fast."""

    def __init__(self, wait: float = 0.2, give_up_after: float = 10.0) -> None:
        self.wait = wait
        self.give_up_after = give_up_after
        self.attempts = 0

    def calc_backoff(self, previous_attempts, total_elapsed_time, error_result):
        self.attempts = previous_attempts
        if total_elapsed_time + self.wait > self.give_up_after:
            return -1
        return self.wait


@pytest.fixture
def emulator(sandbox):
    """The Smartsheet emulator, reset to an account with users only."""
    sandbox.smartsheet.reset("empty")
    yield sandbox.smartsheet
    sandbox.smartsheet.rate_limit(per_minute=sandbox.smartsheet.default_rate)


@pytest.fixture
def api_base(sandbox) -> str:
    return sandbox.info["smartsheet"]["api_base"]


@pytest.fixture
def client_for(emulator, api_base):
    """``client_for(email, raise_errors=True, backoff=None)``: an SDK client as that user."""

    def make(email: str = ADA, *, raise_errors: bool = True, backoff=None,
             token: str | None = None) -> smartsheet.Smartsheet:
        client = smartsheet.Smartsheet(access_token=token or persona_token(email),
                                       api_base=api_base,
                                       max_retry_time=backoff or QuickBackoff())
        client.errors_as_exceptions(raise_errors)
        return client

    return make


@pytest.fixture
def admin(client_for) -> smartsheet.Smartsheet:
    return client_for(ADA)


def column_ids(client, sheet_id: int) -> dict[str, int]:
    return {c.title: c.id for c in client.Sheets.get_columns(sheet_id, include_all=True).data}


def make_sheet(client, name: str = "Sheet", columns: list[dict] | None = None) -> tuple[int, dict]:
    """Create a sheet in the caller's home; return (sheet id, {title: column id})."""
    columns = columns or [
        {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Amount", "type": "TEXT_NUMBER"},
        {"title": "Due", "type": "DATE"},
        {"title": "Done", "type": "CHECKBOX"},
        {"title": "Stage", "type": "PICKLIST", "options": ["New", "Won", "Lost"]},
        {"title": "Owner", "type": "CONTACT_LIST"},
    ]
    result = client.Home.create_sheet(smartsheet.models.Sheet({"name": name,
                                                               "columns": columns})).result
    return result.id, {c.title: c.id for c in result.columns}


def add_rows(client, sheet_id: int, cols: dict[str, int], values: list[dict], **location):
    """Add rows given as {title: value}; return the new row ids."""
    rows = []
    for item in values:
        row = smartsheet.models.Row({"cells": [{"columnId": cols[k], "value": v}
                                               for k, v in item.items()], **location})
        rows.append(row)
    return [r.id for r in client.Sheets.add_rows(sheet_id, rows).result]


def error_of(caplog) -> dict:
    """The raw body of the last error response the SDK received.

    The SDK keeps only code and message on its Error; it logs the whole body (with
    ``detail`` and OAuth's ``error``) at ERROR level, which is where the test reads it.
    """
    for record in reversed(caplog.records):
        if record.name == "smartsheet.smartsheet":
            message = json.loads(record.getMessage())
            if "response" in message and "content" in message["response"]:
                return message["response"]["content"]
    raise AssertionError("the SDK logged no error response")
