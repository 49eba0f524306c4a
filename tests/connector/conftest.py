"""Fixtures of the connector tests: our clients against the session's sandbox (which the
fixture home keeps calm: no faults, latency or tight rate limit left over).

Tests that kill tokens use their own sandbox users (dan, erin) and freshly minted tokens,
never the admin tokens in ``sandbox.info`` that other test modules share.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from connector.clients import CallCounter, SalesforceClient, SmartsheetClient


@pytest.fixture
def sf_info(sandbox) -> dict:
    return sandbox.info["salesforce"]


@pytest.fixture
def ss_info(sandbox) -> dict:
    return sandbox.info["smartsheet"]


@pytest.fixture
def ca_pem(sf_info) -> str:
    return Path(sf_info["ca_bundle"]).read_text()


@pytest.fixture
def make_salesforce(sf_info):
    """Build a SalesforceClient for the sandbox admin (or given tokens), fast backoff."""

    def make(**overrides) -> SalesforceClient:
        options = {
            "instance_url": sf_info["instance_url"], "login_url": sf_info["login_url"],
            "access_token": sf_info["access_token"], "refresh_token": sf_info["refresh_token"],
            "client_id": sf_info["client_id"], "client_secret": sf_info["client_secret"],
            "ca_bundle": sf_info["ca_bundle"], "counter": CallCounter(),
            "retry_backoff": 0.01, "timeout": 10,
        }
        options.update(overrides)
        return SalesforceClient(**options)

    return make


@pytest.fixture
def make_smartsheet(ss_info):
    def make(**overrides) -> SmartsheetClient:
        options = {
            "api_base": ss_info["api_base"], "access_token": ss_info["access_token"],
            "client_id": ss_info["client_id"], "client_secret": ss_info["client_secret"],
            "counter": CallCounter(), "retry_backoff": 0.01, "timeout": 10,
            "max_retry_time": 10,
        }
        options.update(overrides)
        return SmartsheetClient(**options)

    return make


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


def sf_server_calls(sandbox) -> int:
    return sandbox.control.counts()["salesforce"]["total"]


def ss_server_calls(sandbox) -> int:
    return sandbox.control.counts()["smartsheet"]["total"]


def new_sheet(client: SmartsheetClient, name: str) -> dict:
    """A sheet with a primary text column, a checkbox and a date column."""
    return client.create_sheet(name, [
        {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Done", "type": "CHECKBOX"},
        {"title": "Due", "type": "DATE"},
    ])
