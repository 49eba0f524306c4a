"""Shared fixtures: the sandbox (both emulators, in-process, on free loopback ports)."""

from __future__ import annotations

import pytest

from sandbox.runner import Sandbox, start_sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> Sandbox:
    """One empty-seeded sandbox for the whole session (tests create what they need)."""
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("sandbox"), seed="empty")
    yield box
    box.stop()


@pytest.fixture(scope="session")
def demo_sandbox(tmp_path_factory) -> Sandbox:
    """A sandbox with the deterministic demo seed (read-mostly: do not rely on exact
    counts after writing to it)."""
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("demo-sandbox"), seed="demo")
    yield box
    box.stop()


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own empty in-memory cache (throttles, debounces)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "sheetforce-tests"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
