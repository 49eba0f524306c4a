"""Clients of the Salesforce emulator: the real simple-salesforce over HTTPS on loopback."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce


def https_session(ca_bundle: str) -> requests.Session:
    session = requests.Session()
    session.verify = ca_bundle
    # REQUESTS_CA_BUNDLE in the environment would override session.verify.
    session.trust_env = False
    return session


@pytest.fixture
def org(sandbox):
    """The emulator, emptied (users stay) before the test."""
    emulator = sandbox.salesforce
    emulator.reset()
    return emulator


@pytest.fixture
def info(sandbox) -> dict:
    return sandbox.info["salesforce"]


@pytest.fixture
def connect(info):
    """``connect(token=None, version="59.0")``: a simple-salesforce client."""

    def make(token: str | None = None, version: str = "59.0") -> Salesforce:
        return Salesforce(instance_url=info["instance_url"],
                          session_id=token or info["access_token"],
                          session=https_session(info["ca_bundle"]), version=version)

    return make


@pytest.fixture
def sf(org, connect) -> Salesforce:
    """A client signed in as the admin (Ada) on a freshly reset org."""
    return connect()


@pytest.fixture
def token_for(org):
    """``token_for("bob")``: a fresh access token for a sandbox user (sandbox/personas.py)."""
    return lambda who: org.control("token", {"user": who})["access_token"]
