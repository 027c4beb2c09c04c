"""JSON in and out of the engine: orjson for speed, the standard library where orjson
declines.

orjson writes the same compact JSON as ``json.dumps(separators=(",", ":"))`` but keeps
non-ASCII characters as UTF-8 instead of ``\\u`` escapes (as the real APIs do), writes
NaN and infinities as ``null`` (they are not JSON), and is about fifteen times faster on
an API's answer (see bench/README.md). What it cannot encode (integers beyond 64 bits,
keys that are not strings, lone surrogates) goes to the standard library, ASCII-escaped,
so every document ``json.dumps`` encodes still encodes. Reading, orjson refuses what is
not JSON (``NaN``, an escaped lone surrogate), which the request path then treats as a
body that is not JSON.

A body that may nest deeper than the code walking it can recurse (matchers, the journal's
near miss, validators) is read by the standard library, whose parser refuses it with a
RecursionError near Python's recursion limit: orjson would accept up to 1,024 levels and
leave the walkers to fail.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

#: ASCII-escaped: what orjson declines may hold lone surrogates, which UTF-8 cannot carry.
_stdlib_encode = json.JSONEncoder(separators=(",", ":")).encode


def dumps(document: Any) -> bytes:
    """`document` as compact JSON in UTF-8."""
    try:
        return orjson.dumps(document)
    except TypeError:  # orjson.JSONEncodeError: a key that is not a string, a huge int...
        return _stdlib_encode(document).encode()


def json_text(document: Any) -> str:
    """`document` as compact JSON text, as the engine writes replies and events."""
    return dumps(document).decode()


#: Brackets from which a body may nest too deep for orjson's reader (see above).
_POSSIBLY_DEEP = 500


def loads(data: bytes) -> Any:
    """`data` parsed as JSON; raises ValueError (or RecursionError) when it is not JSON
    (or nests too deep to walk)."""
    if len(data) >= 2 * _POSSIBLY_DEEP and data.count(b"[") + data.count(b"{") >= _POSSIBLY_DEEP:
        return json.loads(data)
    return orjson.loads(data)
