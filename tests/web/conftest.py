"""Fixtures for the web UI tests that talk to the sandbox through the real clients."""

from __future__ import annotations

import uuid

import pytest

from connector.models import Service
from connector.services import connection_create_from_token, smartsheet_client_for
from tests.web import factories


@pytest.fixture
def connected_alice(sandbox):
    """Alice with both connections on a sandbox install (the sandbox admin's tokens)."""
    alice = factories.alice()
    installation = factories.sandbox_install(sandbox)
    sf, ss = sandbox.info["salesforce"], sandbox.info["smartsheet"]
    connection_create_from_token(user=alice, install=installation, service=Service.SALESFORCE,
                                 access_token=sf["access_token"], refresh_token=sf["refresh_token"])
    connection_create_from_token(user=alice, install=installation, service=Service.SMARTSHEET,
                                 access_token=ss["access_token"])
    return alice, installation


@pytest.fixture
def fresh_sheet(connected_alice) -> dict:
    """A new sheet with a primary "Account Name" column and a "Phone" column."""
    alice, installation = connected_alice
    client = smartsheet_client_for(user=alice, install=installation)
    return client.create_sheet(f"Web wizard {uuid.uuid4().hex[:8]}", [
        {"title": "Account Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Phone", "type": "TEXT_NUMBER"},
    ])

