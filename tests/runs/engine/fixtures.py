"""Fixtures shared by the suites that run workflows end to end on the session's sandbox
(``tests/runs/engine/e2e`` and ``tests/reliability``): Alice, and an install she is connected to.
Their conftests import them, which is how pytest shares fixtures across folders."""

from __future__ import annotations

import pytest

from tests.runs.engine import factories


@pytest.fixture
def alice(db):
    return factories.make_alice()


@pytest.fixture
def install(db, sandbox, alice):
    install = factories.make_install(sandbox)
    factories.connect(alice, install, sandbox)
    return install
