"""Fixtures of the web tests alone (alice and her connected install come from
tests/conftest.py)."""

from __future__ import annotations

import uuid

import pytest

from connector.services import smartsheet_client_for


@pytest.fixture
def fresh_sheet(alice, connected_install) -> dict:
    """A new sheet of alice's with a primary "Account Name" column and a "Phone" column."""
    client = smartsheet_client_for(user=alice, install=connected_install)
    return client.create_sheet(f"Web wizard {uuid.uuid4().hex[:8]}", [
        {"title": "Account Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Phone", "type": "TEXT_NUMBER"},
    ])
