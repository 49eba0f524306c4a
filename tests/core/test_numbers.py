"""One number parser: linear in the input, bounded in magnitude."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.numbers import MAX_NUMBER_CHARS, NumberError, is_number, parse_decimal
from tests.guards import must_not_hang


@pytest.mark.parametrize(("text", "expected"), [
    ("5", Decimal(5)), ("-1.50", Decimal("-1.50")), (".5", Decimal("0.5")),
    ("+3.", Decimal(3)), ("1e3", Decimal(1000)), ("2.5E-2", Decimal("0.025")),
    (" 42 ", Decimal(42)), (7, Decimal(7)), (2.5, Decimal("2.5")),
    (Decimal("9.99"), Decimal("9.99")),
])
def test_it_parses_numbers(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", [
    "", "abc", "1,5", "nan", "inf", "-Infinity", "1e", "e5", "1.2.3", "0x10", "1_000",
    True, None, float("nan"), float("inf"), "٣",  # Arabic-Indic digit: not ours
])
def test_it_refuses_what_is_not_a_number(text):
    with pytest.raises(NumberError) as caught:
        parse_decimal(text)
    assert caught.value.kind == "invalid"
    assert not is_number(text)


@pytest.mark.parametrize("text", [
    "1e40", "-1e400000", "1e99999999", "1e999999999999", "9" * 41, 10**40, 1e300,
    Decimal("1e400000"),
])
def test_it_refuses_magnitudes_no_field_holds_without_a_slow_path(text):
    with must_not_hang(), pytest.raises(NumberError) as caught:
        parse_decimal(text)
    assert caught.value.kind == "range"
    assert "too large" in caught.value.message


def test_it_reads_vanishing_numbers_as_zero_without_a_slow_path():
    with must_not_hang():
        assert parse_decimal("1e-400000") == 0
        assert parse_decimal("-5e-99999999") == 0


def test_it_refuses_text_longer_than_any_number_quickly():
    with must_not_hang():
        for text in ("1" * (MAX_NUMBER_CHARS + 1), "1" * 10_000_000, "1." + "0" * 5_000_000):
            with pytest.raises(NumberError):
                parse_decimal(text)


def test_it_quotes_long_values_cut_short_in_its_message():
    with pytest.raises(NumberError) as caught:
        parse_decimal("x" * 500)
    assert len(caught.value.message) < 80
