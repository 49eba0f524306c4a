"""Refusing JSON nested too deeply before it is parsed.

Python's JSON parser recurses once per level: a body of 100,000 ``[`` raises
``RecursionError`` (a 500) after burning the stack. :func:`json_too_deep` tells in time
linear in the body, without recursion, whether any value nests deeper than
:data:`MAX_JSON_DEPTH`.
"""

from __future__ import annotations

import re
from io import BytesIO
from itertools import accumulate

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 100
# A JSON string (escapes included): brackets inside strings are not structure.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


def json_too_deep(body: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` opens more than ``limit`` arrays/objects inside each other."""
    data = body.encode() if isinstance(body, str) else bytes(body)
    if data.count(b"[") + data.count(b"{") <= limit:
        return False  # cannot be deeper than the number of openings
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b'""', data))
    depths = accumulate(1 if c in b"[{" else -1 for c in brackets)
    return max(depths, default=0) > limit


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, answering 400 (not 500) for bodies nested too deeply."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        if json_too_deep(body):
            raise ParseError(_("JSON nested deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH})
        return super().parse(BytesIO(body), media_type, parser_context)
