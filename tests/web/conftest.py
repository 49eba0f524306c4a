"""Fixtures of the web tests alone: a fresh sheet, and the wizard at its Fields step
(alice and her connected install come from tests/conftest.py)."""

from __future__ import annotations

import uuid

import pytest

from connector.services import smartsheet_client_for
from tests.web.forms import post_settings


@pytest.fixture
def fresh_sheet(alice, connected_install) -> dict:
    """A new sheet of alice's with a primary "Account Name" column and a "Phone" column."""
    client = smartsheet_client_for(user=alice, install=connected_install)
    return client.create_sheet(f"Web wizard {uuid.uuid4().hex[:8]}", [
        {"title": "Account Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Phone", "type": "TEXT_NUMBER"},
    ])


@pytest.fixture
def at_fields(client, alice, connected_install, fresh_sheet):
    """alice signed in, the wizard past Settings (bidirectional Accounts ⇄ fresh_sheet):
    (alice, the install, the sheet)."""
    client.force_login(alice)
    assert client.get("/workflows/new/")["Location"] == "/wizard/settings/"
    response = post_settings(client, connected_install, fresh_sheet)
    assert response.status_code == 302 and response["Location"] == "/wizard/fields/"
    return alice, connected_install, fresh_sheet
