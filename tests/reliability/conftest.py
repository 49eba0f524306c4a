"""Fixtures for the reliability tests: personas and an install on the session's sandbox,
and a sandbox left without faults or latency whatever a test did."""

from __future__ import annotations

import pytest

from runs.engine import context
from tests.runs.engine import factories
from tests.runs.engine.fixtures import alice, install  # noqa: F401 - shared fixtures


@pytest.fixture
def tag() -> str:
    """A unique AccountNumber: each test's workflow filters on it."""
    return factories.unique("rel")


@pytest.fixture(autouse=True)
def calm_sandbox(request):
    """Whatever a test injected (faults, stalls, latency, hooks) ends with it."""
    yield
    context.after_batch_hook = None
    if "sandbox" in request.fixturenames:
        box = request.getfixturevalue("sandbox")
        for service in ("salesforce", "smartsheet"):
            box.control.configure(service, faults={}, latency_ms=0.0, stall_seconds=2.0,
                                  fault_path_contains=None)
