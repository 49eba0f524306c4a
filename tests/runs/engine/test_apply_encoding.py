"""Link snapshots encoded with orjson read back exactly as ``json`` wrote them, and the
row-add shortcut only skips the returned-row check when every sent value came back."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runs.engine.apply import _stored_as_sent
from runs.engine.record.links import _ENCODE, encode_snapshot

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10))
entries = st.lists(scalars, min_size=2, max_size=2)


@settings(max_examples=200, deadline=None)
@given(snapshot=st.dictionaries(st.text(max_size=8), entries, max_size=8),
       inputs=st.none() | st.dictionaries(st.text(max_size=5), scalars, max_size=4))
def test_it_encodes_snapshots_that_decode_as_json_wrote_them(snapshot, inputs):
    if inputs is not None:
        snapshot = {**snapshot, "$case": [inputs, None]}
    assert json.loads(encode_snapshot(snapshot)) == json.loads(_ENCODE(snapshot))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_it_keeps_json_spelling_for_non_finite_numbers(bad):
    for snapshot in ({"Amount": [bad, None]}, {"$case": [{"age": bad}, None]}):
        assert encode_snapshot(snapshot) == _ENCODE(snapshot)


def test_it_falls_back_to_json_for_what_orjson_cannot_encode():
    snapshot = {"Big": [2**70, None]}
    assert encode_snapshot(snapshot) == _ENCODE(snapshot)


def _row(**cells):
    return {"id": 1, "cells": [{"columnId": int(c[1:]), "value": v} for c, v in cells.items()]}


def test_it_trusts_a_returned_row_holding_every_sent_value():
    sent = {1: "Acme", 2: 5, 3: None}
    assert _stored_as_sent(sent, _row(c1="Acme", c2=5.0, c3=None, c9="extra"))


@pytest.mark.parametrize("row", [
    _row(c1="Acme", c2="5", c3=None),   # a number stored as text
    _row(c1="Acm", c2=5, c3=None),      # truncated
    _row(c1="Acme", c3=None),           # a cell missing
    None,
    {"id": 1},
])
def test_it_checks_the_returned_row_when_anything_differs(row):
    assert not _stored_as_sent({1: "Acme", 2: 5, 3: None}, row)
