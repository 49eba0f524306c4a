"""The server's time from ``Date``: the base of incremental windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.clients.transport import server_time_of


@pytest.fixture(scope="module")
def sandbox(clock_sandbox):
    """This module rewinds the sandbox clock: it gets a sandbox of its own."""
    return clock_sandbox


def test_it_reads_the_date_minus_the_round_trip():
    moment = server_time_of("Wed, 25 Nov 2026 13:01:12 GMT", 0.5)
    assert moment == datetime(2026, 11, 25, 13, 1, 11, 500000, tzinfo=UTC)


def test_it_takes_the_last_of_several_date_headers():
    joined = "Wed, 25 Nov 2026 13:01:12 GMT, Wed, 25 Nov 2026 13:16:12 GMT"
    assert server_time_of(joined) == datetime(2026, 11, 25, 13, 16, 12, tzinfo=UTC)


def test_it_knows_nothing_without_a_readable_date():
    assert server_time_of(None) is None
    assert server_time_of("yesterday") is None


def test_it_follows_the_sandbox_clock(sandbox):
    from tests import factories

    client = factories.salesforce_client(sandbox)
    sandbox.control.clock.advance(3600)
    try:
        client.query_all("SELECT Id FROM Account LIMIT 1")
        seen = client.server_time()
        expected = sandbox.control.clock.now()
    finally:
        sandbox.control.clock.advance(-3600)
    assert seen is not None
    assert expected - timedelta(seconds=5) <= seen <= expected
