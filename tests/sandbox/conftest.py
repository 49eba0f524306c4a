"""The emulators' own tests run against a sandbox with the real services' defaults: no
loopback webhook callbacks, one-minute callback batching, the org's duplicate rules on
(the product's test sandbox relaxes these, tests/conftest.py)."""

from __future__ import annotations

import pytest

from sandbox.runner import Sandbox, start_sandbox
from tests.conftest import TEST_SMARTSHEET_RATE


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> Sandbox:
    box = start_sandbox(state_dir=tmp_path_factory.mktemp("sandbox-defaults"), seed="empty",
                        smartsheet_options=TEST_SMARTSHEET_RATE)
    yield box
    box.stop()
