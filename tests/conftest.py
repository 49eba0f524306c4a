"""The fixture home: sandboxes, the personas, installs, workflows.

Personas (tests/personas.py) — Acme: ``alice`` (connector user, owns the workflows),
``bob`` (her teammate), ``sam`` (System Admin), ``connie`` (Connector Admin), ``uma``
(unlicensed); Globex: ``charlie`` (outside). ``people`` is all six by name.

Installs — ``install``: Acme's, on a closed loopback port (never reaches a network);
``live_install``: Acme's, on the session's sandbox, nobody connected;
``connected_install``: the same with alice connected to both services.

Workflows — ``workflow``: alice's Energy Accounts workflow on ``install`` (a mapping, a
filter, a row group; nothing live). End-to-end tests build their own with
``tests.factories`` and filter on ``tag`` so that tests sharing the sandbox never see
each other's records.

Folder conftests add only what their folder alone needs (an API client, a browser page,
SDK clients of one emulator, a sandbox of their own).
"""

from __future__ import annotations

import os

import pytest

from sandbox.runner import Sandbox, start_sandbox
from sheetforce.demo import sandbox_host_entries
from tests import factories, personas

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
    # Processes the tests start (workers, crash scripts, clusters) read the environment.
    os.environ["SHEETFORCE_ALLOWED_API_HOSTS"] = ",".join(settings.SHEETFORCE_ALLOWED_API_HOSTS)
    return box


# -- sandboxes --------------------------------------------------------------------------------

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
def _calm_sandbox(request):
    """A test that uses the session's sandbox starts and ends with it calm: no injected
    faults, latency or stalls, the session's rate limit, no engine hook left armed."""
    if "sandbox" not in request.fixturenames:
        yield
        return
    from runs.engine import context

    box = request.getfixturevalue("sandbox")

    def calm() -> None:
        context.after_batch_hook = None
        for service in ("salesforce", "smartsheet"):
            box.control.configure(service, faults={}, latency_ms=0.0, stall_seconds=2.0,
                                  fault_path_contains=None)
        box.smartsheet.rate_limit(per_minute=box.smartsheet.default_rate)

    calm()
    yield
    calm()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language: a request in French (the test
    client runs it in this thread) leaves French active after it, as a worker would
    not."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts and ends with an empty cache (throttles, debounces): the cache is
    in memory (tests/settings.py)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# -- personas ---------------------------------------------------------------------------------

@pytest.fixture
def acme(db):
    return personas.acme()


@pytest.fixture
def globex(db):
    return personas.globex()


@pytest.fixture
def alice(db):
    return personas.alice()


@pytest.fixture
def bob(db):
    return personas.bob()


@pytest.fixture
def sam(db):
    return personas.sam()


@pytest.fixture
def connie(db):
    return personas.connie()


@pytest.fixture
def uma(db):
    return personas.uma()


@pytest.fixture
def charlie(db):
    return personas.charlie()


@pytest.fixture
def people(alice, bob, sam, connie, uma, charlie) -> dict:
    """All six personas by username."""
    return {"alice": alice, "bob": bob, "sam": sam, "connie": connie, "uma": uma,
            "charlie": charlie}


# -- installs and workflows -------------------------------------------------------------------

@pytest.fixture
def install(acme):
    """Acme's install; its endpoints point at a closed port."""
    return factories.install()


@pytest.fixture
def live_install(acme, sandbox):
    """Acme's install on the session's sandbox; nobody is connected yet."""
    return factories.install(sandbox=sandbox)


@pytest.fixture
def connected_install(alice, live_install, sandbox):
    """Acme's sandbox install, alice connected to both services (Ada's tokens)."""
    factories.connect(alice, live_install, sandbox)
    return live_install


@pytest.fixture
def workflow(alice, install):
    """Alice's Energy Accounts workflow (``factories.accounts_workflow``)."""
    return factories.accounts_workflow(alice, install)


@pytest.fixture
def tag() -> str:
    """A unique AccountNumber (or name prefix): each end-to-end test's workflow filters
    on it, so tests sharing the session's sandbox never see each other's records."""
    return factories.unique("acct")
