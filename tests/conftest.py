"""Shared fixtures: the sandbox (both emulators, in-process, on free loopback ports)."""

from __future__ import annotations

import pytest

from sandbox.runner import Sandbox, start_sandbox

#: Every test of a worker shares the admin persona's Smartsheet token, so the real
#: 300-requests-per-minute limit would make unrelated tests fail by their order. The
#: limit itself is tested on purpose (tests/sandbox/smartsheet/test_rate_limit.py,
#: tests/connector), which set it low and restore this session default.
TEST_SMARTSHEET_RATE = {"rate_per_minute": 1_000_000}


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> Sandbox:
    """One empty-seeded sandbox for the whole session (tests create what they need)."""
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("sandbox"), seed="empty",
                        smartsheet_options=TEST_SMARTSHEET_RATE)
    yield box
    box.stop()


@pytest.fixture(scope="session")
def demo_sandbox(tmp_path_factory) -> Sandbox:
    """A sandbox with the deterministic demo seed (read-mostly: do not rely on exact
    counts after writing to it)."""
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("demo-sandbox"), seed="demo",
                        smartsheet_options=TEST_SMARTSHEET_RATE)
    yield box
    box.stop()


@pytest.fixture(scope="module")
def clock_sandbox(tmp_path_factory) -> Sandbox:
    """A sandbox of the module's own, for tests that move the clock back and forth:
    Salesforce stamps never go backwards, so rewinding the shared sandbox's clock would
    give later tests equal SystemModstamps."""
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("clock-sandbox"), seed="empty",
                        smartsheet_options=TEST_SMARTSHEET_RATE)
    yield box
    box.stop()


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts and ends with an empty cache (throttles, debounces): the cache is
    in memory (tests/settings.py)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
