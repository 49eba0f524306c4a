"""Settings of the test suite: the product's own settings, with what only tests want.

pytest points ``DJANGO_SETTINGS_MODULE`` here (pyproject.toml). Subprocesses that run the
product itself — the demo, the benchmarks, the qcluster workers of tests/runs/e2e, the
crash worker of tests/reliability — set ``sheetforce.settings`` explicitly: they test
the product as it ships, not this module.
"""

from __future__ import annotations

from sheetforce.settings import *  # noqa: F403 - the product's settings, then the overrides

#: Personas sign in with passwords; the default hasher costs most of a second per user.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

#: An in-memory cache per process, emptied around every test (tests/conftest.py), so that
#: throttles and debounces never leak from one test into the next.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "LOCATION": "sheetforce-tests"}}

#: The factories' installs point at a closed loopback port (tests never reach a network):
#: the outbound policy admits it, as it admits the sandbox (tests/conftest.py).
SHEETFORCE_ALLOWED_API_HOSTS = [*SHEETFORCE_ALLOWED_API_HOSTS,  # noqa: F405
                                "127.0.0.1:9", "http://127.0.0.1:9"]

#: The test sandboxes call webhooks back on http://127.0.0.1 (their
#: ``allow_insecure_callbacks``): the product may create such webhooks here. The refusal
#: of a URL the real Smartsheet would not call is tested with this off.
SHEETFORCE_ALLOW_INSECURE_CALLBACKS = True

#: On SQLite, the test database is a file, not Django's shared-cache in-memory database:
#: there a second connection (the live server's thread, a worker thread) fails at once
#: with "database table is locked", where the product's file database waits its busy
#: timeout. One file per test session (xdist's run id, shared by its workers, else the
#: process), and pytest-django gives each xdist worker its own (a ``_gw<n>`` suffix).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os as _os
    import tempfile as _tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": _os.path.join(_tempfile.gettempdir(), "sheetforce-test-{}.sqlite3".format(
            _os.environ.get("PYTEST_XDIST_TESTRUNUID", _os.getpid())))}

#: The shared rate budgets are off, as the session sandboxes' rate limit is lifted
#: (tests/conftest.py): every test of a worker uses the same persona tokens. The budgets
#: are tested on purpose (tests/connector/test_budgets.py, tests/runs/e2e), which turn
#: them on with a small limit.
RATE_BUDGET_SMARTSHEET_PER_MINUTE = 0
RATE_BUDGET_SALESFORCE_PER_MINUTE = 0
import os as _os_env  # noqa: E402

#: Each xdist worker counts under its own keys (they share one Redis database).
RATE_BUDGET_PREFIX = f"sheetforce-test-{_os_env.environ.get('PYTEST_XDIST_WORKER', 'main')}"
