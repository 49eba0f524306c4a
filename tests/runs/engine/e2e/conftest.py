"""Fixtures for end-to-end engine runs against the session's sandbox."""

from __future__ import annotations

import pytest

from tests.runs.engine import factories
from tests.runs.engine.fixtures import alice, install  # noqa: F401 - shared fixtures


@pytest.fixture
def tag() -> str:
    """A unique AccountNumber: each test's workflow filters on it, so tests sharing the
    session's sandbox never see each other's records."""
    return factories.unique("acct")
