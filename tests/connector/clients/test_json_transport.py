"""The transport's orjson decoding and encoding give the answers ``requests`` and
``json`` give, errors included."""

from __future__ import annotations

import json
import math

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.clients.transport import FastJSONResponse, json_body


def _response(cls, content: bytes, encoding: str | None = None):
    response = cls()
    response._content = content
    response.status_code = 200
    response.encoding = encoding
    return response


def _outcome(response, **kwargs):
    try:
        return ("ok", response.json(**kwargs))
    except requests.exceptions.JSONDecodeError as exc:
        return ("error", type(exc))


BODIES = [
    b'{"records": [{"Id": "001", "Amount": 1.5, "Name": "Caf\xc3\xa9"}], "done": true}',
    b'{"a": NaN, "b": Infinity}',                 # orjson refuses: requests decodes
    b'\xef\xbb\xbf{"bom": 1}',                    # a BOM
    '{"utf16": "x"}'.encode("utf-16"),
    b'{"broken": ',
    b"",
    b'"\\ud800"',                                 # a lone surrogate
    b'{"a": 1, "a": 2}',
]


@pytest.mark.parametrize("content", BODIES)
@pytest.mark.parametrize("encoding", [None, "utf-8", "ISO-8859-1"])
@pytest.mark.parametrize("kwargs", [{}, {"object_pairs_hook": dict, "parse_float": None}])
def test_it_decodes_like_requests(content, encoding, kwargs):
    fast = _outcome(_response(FastJSONResponse, content, encoding), **kwargs)
    plain = _outcome(_response(requests.Response, content, encoding), **kwargs)
    assert repr(fast) == repr(plain)  # repr: NaN compares unequal to itself


def test_it_honours_other_decoding_options():
    from decimal import Decimal

    response = _response(FastJSONResponse, b'{"x": 1.10}')
    assert response.json(parse_float=Decimal) == {"x": Decimal("1.10")}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(payload=json_values)
def test_it_encodes_bodies_that_decode_to_the_payload(payload):
    assert json.loads(json_body(payload, allow_nan=False)) == json.loads(json.dumps(payload))


def test_it_refuses_or_spells_nan_as_json_does():
    with pytest.raises(requests.exceptions.InvalidJSONError):
        json_body({"x": math.nan}, allow_nan=False)
    assert json_body({"x": math.nan}, allow_nan=True) == b'{"x":NaN}'
    assert json_body({"big": 2**70}, allow_nan=False) == b'{"big":%d}' % 2**70
