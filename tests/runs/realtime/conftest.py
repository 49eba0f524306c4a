"""Fixtures of the real-time tests: a sandbox of this package's own (token expiry and
resets here must not disturb the session sandbox), a bare Bayeux client, and waiting for
something another thread does (alice's world on that sandbox: world.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from sandbox.runner import start_sandbox
from tests.conftest import allow_sandbox_hosts


@pytest.fixture(scope="package")
def rt_sandbox():
    # Callbacks batched as the real service does, over a short delay; http loopback
    # callbacks allowed (the test server).
    box = start_sandbox(state_dir=None, seed="empty", allow_insecure_callbacks=True,
                        webhook_delay_seconds=0.3,
                        salesforce_options={"streaming_timeout_seconds": 20})
    yield allow_sandbox_hosts(box)
    box.stop()


@pytest.fixture
def org(rt_sandbox):
    rt_sandbox.salesforce.reset()
    return rt_sandbox.salesforce


def wait_for(predicate, *, timeout: float = 10.0, interval: float = 0.05):
    """``predicate()``'s first truthy value within ``timeout`` seconds, else None."""
    from django.db import OperationalError

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except OperationalError:  # the test database is shared in memory: "table locked"
            value = None
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


class Bayeux:
    """A bare Bayeux client over HTTPS (to test the emulator's protocol itself)."""

    def __init__(self, box, token: str | None = None) -> None:
        info = box.info["salesforce"]
        self.url = info["instance_url"] + "/cometd/59.0"
        self.session = requests.Session()
        self.session.verify = info["ca_bundle"]
        self.session.trust_env = False
        # A token of its own: other tests expire Ada's tokens on this sandbox.
        self.token = token or box.salesforce.control(
            "token", {"user": "ada@example.com"})["access_token"]
        self.client_id = None

    def post(self, *messages: dict) -> tuple[int, list[dict]]:
        response = self.session.post(self.url, json=list(messages), timeout=30,
                                     headers={"Authorization": f"Bearer {self.token}"})
        return response.status_code, response.json()

    def handshake(self) -> dict:
        _, replies = self.post({"channel": "/meta/handshake", "version": "1.0",
                                "supportedConnectionTypes": ["long-polling"]})
        self.client_id = replies[0].get("clientId")
        return replies[0]

    def subscribe(self, channel: str, replay: int = -1) -> dict:
        return self.post({"channel": "/meta/subscribe", "clientId": self.client_id,
                          "subscription": channel, "ext": {"replay": {channel: replay}}})[1][0]

    def connect(self, timeout_ms: int = 300) -> list[dict]:
        return self.post({"channel": "/meta/connect", "clientId": self.client_id,
                          "connectionType": "long-polling",
                          "advice": {"timeout": timeout_ms}})[1]


@pytest.fixture
def bayeux(rt_sandbox):
    return lambda token=None: Bayeux(rt_sandbox, token)


@pytest.fixture
def ca_text(rt_sandbox) -> str:
    return Path(rt_sandbox.info["salesforce"]["ca_bundle"]).read_text()
