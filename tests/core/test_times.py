"""One parser reads the timestamps of both services and of our own stored state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.times import parse_timestamp


def test_it_parses_salesforce_and_smartsheet_timestamps():
    moment = datetime(2026, 5, 20, 20, 49, 32, tzinfo=UTC)
    assert parse_timestamp("2026-05-20T20:49:32.000+0000") == moment
    assert parse_timestamp("2026-05-20T20:49:32Z") == moment
    assert parse_timestamp(moment.isoformat()) == moment


def test_it_keeps_an_offset():
    assert parse_timestamp("2026-05-20T15:49:32-0500").utcoffset() == timedelta(hours=-5)


def test_it_leaves_a_timestamp_without_offset_naive_unless_told_its_zone():
    assert parse_timestamp("2026-05-20T20:49:32").tzinfo is None
    zone = timezone(timedelta(hours=2))
    assert parse_timestamp("2026-05-20T20:49:32", naive_as=zone).tzinfo is zone
    assert parse_timestamp("2026-05-20T20:49:32Z", naive_as=zone).tzinfo is UTC


def test_it_reads_nothing_as_none_and_a_datetime_as_it_is():
    moment = datetime(2026, 5, 20, tzinfo=UTC)
    assert parse_timestamp(None) is None
    assert parse_timestamp("") is None
    assert parse_timestamp(moment) is moment


def test_it_refuses_what_is_not_a_timestamp():
    with pytest.raises(ValueError):
        parse_timestamp("next Tuesday")
