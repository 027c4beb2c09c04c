"""The one stubbed answer every HTTP server in the bench serves, alike."""

from __future__ import annotations

STUB_PATH = "/stub"
#: The small JSON document every peer serves at STUB_PATH (compact, as bytes too).
STUB_DOCUMENT = {"id": "item-1", "ok": True, "tags": ["a", "b"], "count": 3}
STUB_BYTES = b'{"id":"item-1","ok":true,"tags":["a","b"],"count":3}'
