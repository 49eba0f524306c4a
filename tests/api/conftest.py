"""Fixtures of the API tests alone: a token-authenticated client, a run with an error and
a conflict, connecting through the API, a typed sheet (the personas, installs and
alice's workflow come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from runs.models import Conflict
from tests import factories


@pytest.fixture
def run(workflow):
    """A finished run of alice's workflow, partial: 3 rows added, one error, one conflict."""
    run = factories.run(workflow, status="partial", rows_added=3, errors_count=1,
                        conflicts_count=1, salesforce_calls=2, smartsheet_calls=4)
    factories.run_error(run, row_id=5, row_number=2, record_id="001000000000001AAA",
                        field="Name", message="Required field missing", culprit="Bob")
    Conflict.objects.create(run=run, record_id="001000000000001AAA", row_id=5, field="Name",
                            salesforce_value="A", smartsheet_value="B", winner="salesforce")
    return run


@pytest.fixture
def client_for():
    """An API client signed in as a persona (token auth), or anonymous for None."""
    from accounts.tokens import api_token_create

    keys: dict[int, str] = {}

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            if user.pk not in keys:
                keys[user.pk] = api_token_create(user=user)[1]
            client.credentials(HTTP_AUTHORIZATION=f"Token {keys[user.pk]}")
        return client

    return make



@pytest.fixture
def connect(sandbox, client_for):
    """Connect a persona to both services through the API with the sandbox's tokens."""

    def do(user, install) -> None:
        client = client_for(user)
        for service in ("salesforce", "smartsheet"):
            info = sandbox.info[service]
            response = client.post("/api/v1/connections/", {
                "install": install.pk, "service": service,
                "access_token": info["access_token"],
                "refresh_token": info.get("refresh_token", ""),
            }, format="json")
            assert response.status_code == 201, response.content

    return do


@pytest.fixture
def sheet(sandbox):
    """A fresh sheet in the sandbox (admin's account) with a few typed columns."""
    import uuid

    from connector.clients import SmartsheetClient

    info = sandbox.info["smartsheet"]
    client = SmartsheetClient(api_base=info["api_base"], access_token=info["access_token"])
    body = client.create_sheet(f"API {uuid.uuid4().hex[:8]}", [
        {"title": "Account", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Industry", "type": "PICKLIST", "options": ["Energy", "Retail"]},
        {"title": "Revenue", "type": "TEXT_NUMBER"},
        {"title": "Active", "type": "CHECKBOX"},
        {"title": "Since", "type": "DATE"},
    ])
    return body.get("result", body)
