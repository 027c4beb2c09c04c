"""Request bodies sent compressed (``Content-Encoding: gzip``), undone before anything
reads them.

Clients that compress what they send (Java's and Go's HTTP clients on request, log and
telemetry shippers, a browser's ``CompressionStream``) label the body with
``Content-Encoding``. A mock matches, journals, templates and forwards the body as it
was before compression, like WireMock does, while the journal keeps the headers as they
arrived. Decoding stops at the mock's body limit, so a small body that inflates to
gigabytes is refused (413) instead of filling the memory.

>>> import gzip
>>> decode_content(gzip.compress(b'{"a": 1}'), "gzip", limit=1024)
b'{"a": 1}'
>>> decode_content(b"plain", "identity", limit=1024)
b'plain'
"""

from __future__ import annotations

import zlib

from multidict import MultiMapping

#: What a mock can undo, as the ``Accept-Encoding`` of its 415 says.
ACCEPTED = "gzip, deflate"

#: zlib's window bits for each coding: gzip's header and trailer, or zlib's (RFC 1950).
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class UnreadableBody(Exception):
    """A request body the mock cannot read: its HTTP ``status`` (400, 413 or 415), the
    message the error reply carries, and the request log's ``outcome``."""

    def __init__(self, status: int, message: str, outcome: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.outcome = outcome


def decoded_body(body: bytes, headers: MultiMapping[str], limit: int) -> bytes:
    """`body` as it was before the codings its ``Content-Encoding`` lines name (itself
    when none); raises `UnreadableBody` as `decode_content` does."""
    if not body or "Content-Encoding" not in headers:
        return body
    return decode_content(body, ",".join(headers.getall("Content-Encoding")), limit)


def decode_content(body: bytes, content_encoding: str, limit: int) -> bytes:
    """`body` with the codings ``content_encoding`` lists undone, last applied first.

    Raises `UnreadableBody`: 415 for a coding the mock cannot undo (``br``, ``zstd``),
    400 for bytes that are not what the header says, 413 when the decoded body is over
    `limit` bytes.
    """
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    for coding in reversed(codings):
        if coding in ("", "identity"):
            continue
        wbits = _WBITS.get(coding)
        if wbits is None:
            raise UnreadableBody(
                415,
                f"Content-Encoding {coding!r} is not supported: send the body as it is, "
                f"or compressed with {ACCEPTED}",
                "unsupported coding",
            )
        body = _inflate(body, coding, wbits, limit)
    return body


def _inflate(body: bytes, coding: str, wbits: int, limit: int) -> bytes:
    """One coding undone, over members (gzip allows several in a row) and bounded."""
    parts: list[bytes] = []
    size = 0
    rest = body
    while rest:
        inflater = zlib.decompressobj(wbits)
        try:
            part = inflater.decompress(rest, limit + 1 - size)
        except zlib.error as exc:
            if coding == "deflate" and wbits > 0:
                # Some clients send "deflate" as the raw stream, without zlib's wrapper.
                return _inflate(body, coding, -zlib.MAX_WBITS, limit)
            raise _undecodable(coding, str(exc)) from None
        size += len(part)
        if size > limit or inflater.unconsumed_tail:
            raise UnreadableBody(
                413, f"request body is larger than {limit} bytes once decoded", "too large"
            )
        if not inflater.eof:
            raise _undecodable(coding, "the compressed data ends early")
        parts.append(part)
        rest = inflater.unused_data if coding != "deflate" else b""
    return b"".join(parts)


def _undecodable(coding: str, reason: str) -> UnreadableBody:
    return UnreadableBody(
        400,
        f"request body is not valid {coding} data (Content-Encoding: {coding}): {reason}",
        "undecodable",
    )


__all__ = ["ACCEPTED", "UnreadableBody", "decode_content", "decoded_body"]
