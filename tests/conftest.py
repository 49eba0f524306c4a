"""Shared fixtures: the sandbox (both emulators, in-process, on free loopback ports)."""

from __future__ import annotations

import pytest

from sandbox.runner import Sandbox, start_sandbox
from sheetforce.demo import sandbox_host_entries

#: Every test of a worker shares the admin persona's Smartsheet token, so the real
#: 300-requests-per-minute limit would make unrelated tests fail by their order. The
#: limit itself is tested on purpose (tests/sandbox/smartsheet/test_rate_limit.py,
#: tests/connector), which set it low and restore this session default.
TEST_SMARTSHEET_RATE = {"rate_per_minute": 1_000_000}
#: The session sandboxes behave as the real services except where a test suite cannot:
#: webhooks call the test server on http://127.0.0.1 (at once: a test does not wait a
#: minute), and the org's duplicate rules are off because unrelated tests reuse record
#: names (the rules themselves are tested with them on, tests/sandbox and the engine).
TEST_SANDBOX = {"smartsheet_options": TEST_SMARTSHEET_RATE, "allow_insecure_callbacks": True,
                "webhook_delay_seconds": 0,
                "salesforce_options": {"duplicate_rules": False}}


def allow_sandbox_hosts(box: Sandbox) -> Sandbox:
    """Add the sandbox's exact host:port entries to the outbound policy, as the demo
    does: https for Salesforce, http (written out) for Smartsheet."""
    from django.conf import settings

    entries = sandbox_host_entries(box.info)
    settings.SHEETFORCE_ALLOWED_API_HOSTS = [
        *settings.SHEETFORCE_ALLOWED_API_HOSTS,
        *(e for e in entries if e not in settings.SHEETFORCE_ALLOWED_API_HOSTS)]
    return box


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> Sandbox:
    """One empty-seeded sandbox for the whole session (tests create what they need)."""
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("sandbox"), seed="empty",
                        **TEST_SANDBOX)
    yield allow_sandbox_hosts(box)
    box.stop()


@pytest.fixture(scope="session")
def demo_sandbox(tmp_path_factory) -> Sandbox:
    """A sandbox with the deterministic demo seed (read-mostly: do not rely on exact
    counts after writing to it)."""
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("demo-sandbox"), seed="demo",
                        **TEST_SANDBOX)
    yield allow_sandbox_hosts(box)
    box.stop()


@pytest.fixture(scope="module")
def clock_sandbox(tmp_path_factory) -> Sandbox:
    """A sandbox of the module's own, for tests that move the clock back and forth:
    Salesforce stamps never go backwards, so rewinding the shared sandbox's clock would
    give later tests equal SystemModstamps."""
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("clock-sandbox"), seed="empty",
                        **TEST_SANDBOX)
    yield allow_sandbox_hosts(box)
    box.stop()


@pytest.fixture
def rotating_refresh_tokens(sandbox):
    """The sandbox's connected app rotates refresh tokens (an option of real connected
    apps, off by default) for one test."""
    sandbox.salesforce.set_refresh_rotation(True)
    yield
    sandbox.salesforce.set_refresh_rotation(False)


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own empty in-memory cache (throttles, debounces)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "sheetforce-tests"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
