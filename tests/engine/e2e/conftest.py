"""Fixtures for end-to-end engine runs against the session's sandbox."""

from __future__ import annotations

import pytest

from tests.engine import factories


@pytest.fixture
def alice(db):
    return factories.make_alice()


@pytest.fixture
def install(db, sandbox, alice):
    install = factories.make_install(sandbox)
    factories.connect(alice, install, sandbox)
    return install


@pytest.fixture
def tag() -> str:
    """A unique AccountNumber: each test's workflow filters on it, so tests sharing the
    session's sandbox never see each other's records."""
    return factories.unique("acct")
