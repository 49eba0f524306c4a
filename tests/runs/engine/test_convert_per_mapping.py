"""The per-mapping converters the planner hoists out of its record loop give exactly what
the per-value functions give, for every field type and any value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runs.engine.convert import (
    ConversionError,
    FieldInfo,
    sf_canonical,
    sf_canonical_for,
    to_cell,
    to_cell_for,
)

KINDS = ["string", "textarea", "email", "phone", "url", "picklist", "combobox", "id",
         "reference", "encryptedstring", "boolean", "int", "double", "currency", "percent",
         "date", "datetime", "multipicklist", "anyType"]

values = st.one_of(
    st.none(), st.just(""), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(["12.345", "2026-05-20", "2026-05-20T10:11:12.000+0000", "b;a;;c",
                     "abc", " 7 ", "1e3"]),
)


def _outcome(fn, value):
    try:
        return ("ok", fn(value))
    except (ConversionError, ValueError, ArithmeticError) as exc:
        # Whatever sf_canonical raises (even decimal's InvalidOperation for a float too
        # large to quantize), the converter must raise alike.
        return ("error", type(exc), str(exc))


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(KINDS), scale=st.sampled_from([0, 2, 5]), value=values)
def test_it_canonicalizes_like_sf_canonical(kind, scale, value):
    info = FieldInfo(name="F", type=kind, scale=scale)
    fast = _outcome(sf_canonical_for(info), value)
    assert fast == _outcome(lambda v: sf_canonical(v, info), value)
    if fast[0] == "ok":
        assert type(fast[1]) is type(sf_canonical(value, info))


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(KINDS), value=values, tz=st.sampled_from(["UTC", "Asia/Tokyo"]))
def test_it_builds_cells_like_to_cell(kind, value, tz):
    info = FieldInfo(name="F", type=kind)
    try:
        canonical = sf_canonical(value, info)
    except (ConversionError, ValueError, ArithmeticError):
        return  # not a canonical value: nothing to turn into a cell
    converter = to_cell_for(info, tz=tz)
    fast = canonical if converter is None else converter(canonical)
    assert fast == to_cell(canonical, info, tz=tz)


@pytest.mark.parametrize("kind", ["boolean", "datetime"])
def test_it_converts_cells_only_for_types_whose_cell_differs(kind):
    assert to_cell_for(FieldInfo(name="F", type=kind)) is not None
    assert to_cell_for(FieldInfo(name="F", type="string")) is None


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.integers(-10**16, 10**16),
                       st.integers(-10**16, 10**16).map(float),
                       st.floats(allow_nan=False, allow_infinity=False)),
       scale=st.sampled_from([None, 0, 2, 5]))
def test_it_rounds_numbers_as_the_decimal_path_does(value, scale):
    from runs.engine.convert import _number

    # Text always takes the Decimal path: the int/float shortcut must agree with it.
    fast = _outcome(lambda v: _number(v, scale), value)
    slow = _outcome(lambda v: _number(v, scale), repr(value))
    assert fast[0] == slow[0]
    if fast[0] == "ok":
        assert fast[1] == slow[1] and type(fast[1]) is type(slow[1])
