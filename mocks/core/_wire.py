"""One HTTP/1.1 exchange on the wire: the request as it arrived, and the response written.

`WireRequest` is what the HTTP/1.1 server (`_http1`) hands the request path: method,
path, query, headers, the body (read on demand, bounded) and the connection. Its
`ResponseWriter` frames the answer: a whole reply in one write, or a head followed by
pieces (chunked, or close-delimited for an HTTP/1.0 client), waiting when the client
reads slower than the mock writes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Iterable
from email.utils import formatdate
from http import HTTPStatus
from typing import Protocol
from urllib.parse import parse_qsl, unquote

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

#: Written before the body when a client sent ``Expect: 100-continue``.
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
#: Statuses whose answers carry no body (and so no Content-Length).
_NO_BODY = frozenset({204, 304})
_REASONS = {status.value: status.phrase for status in HTTPStatus}
#: Framing headers the writer sets itself.
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection"})
_EMPTY_QUERY: MultiDictProxy[str] = MultiDictProxy(MultiDict())


class _Clock:
    """The ``Date`` header's value, formatted once a second."""

    __slots__ = ("_second", "_value")

    def __init__(self) -> None:
        self._second = 0
        self._value = b""

    def date(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._value = formatdate(now, usegmt=True).encode()
        return self._value


_CLOCK = _Clock()


def decode_query(raw: str) -> MultiDictProxy[str]:
    """A query string's parameters in order, ``+`` and percent escapes decoded, blank values
    kept (``?a&b=`` has ``a`` and ``b``, both empty)."""
    if not raw:
        return _EMPTY_QUERY
    return MultiDictProxy(MultiDict(parse_qsl(raw, keep_blank_values=True)))


def decode_path(raw: str) -> str:
    """The request path with percent escapes decoded (an invalid escape stays as it came)."""
    return unquote(raw) if "%" in raw else raw


#: Header blocks already written, without their Date line, by the hash of what they were
#: written from: a stub's answer repeats its head from request to request. A head is kept
#: once it was seen twice (`_SEEN` holds the hashes of heads seen once): an answer
#: carrying a request id or a counter never repeats, and keeping its head would only
#: give the cyclic collector a dozen new tuples to walk per request. Bounded: each is
#: emptied when full.
_HEADS: dict[int, tuple[tuple[object, ...], bytes]] = {}
_SEEN: set[int] = set()
_HEADS_KEPT = 512


def serialize_head(
    status: int,
    reason: str | None,
    headers: Iterable[tuple[str, str]],
    framing: str,
    keep_alive: bool,
    default_type: str | None = None,
) -> bytes:
    """The status line and header block; `framing` is the Content-Length or
    Transfer-Encoding line the writer chose ("" for none), `default_type` the
    Content-Type sent when `headers` name none. A line break inside a reason, name or
    value raises `ValueError` (it would split the response)."""
    key = (status, reason, tuple(headers), framing, keep_alive, default_type)
    try:
        hashed = hash(key)
    except TypeError:  # a value that cannot be a key (a list, say): written as it is
        return _head(*key) + _CLOCK.date() + b"\r\n\r\n"
    kept = _HEADS.get(hashed)
    if kept is not None and kept[0] == key:
        return kept[1] + _CLOCK.date() + b"\r\n\r\n"
    head = _head(*key)
    if hashed in _SEEN:
        if len(_HEADS) >= _HEADS_KEPT:
            _HEADS.clear()
        _HEADS[hashed] = (key, head)
    else:
        if len(_SEEN) >= 4 * _HEADS_KEPT:
            _SEEN.clear()
        _SEEN.add(hashed)
    return head + _CLOCK.date() + b"\r\n\r\n"


#: What a header name is to the writer: framing it writes itself, the Content-Type, or
#: any other (by the name as given, remembered: lower-casing each name of each head was
#: a tenth of the head's cost). Bounded: emptied when full.
_FRAMED, _TYPED, _OTHER = "framing", "content-type", "other"
_ROLES: dict[str, str] = {}


def _role_of(name: str) -> str:
    lowered = name.lower()
    role = _FRAMED if lowered in _FRAMING else _TYPED if lowered == "content-type" else _OTHER
    if len(_ROLES) >= 4096:
        _ROLES.clear()
    _ROLES[name] = role
    return role


def _head(
    status: int,
    reason: str | None,
    headers: tuple[tuple[str, str], ...],
    framing: str,
    keep_alive: bool,
    default_type: str | None,
) -> bytes:
    """`serialize_head` up to the Date line's value."""
    phrase = reason if reason is not None else _REASONS.get(status, "")
    lines = [f"HTTP/1.1 {status} {phrase}"]
    for name, value in headers:
        role = _ROLES.get(name)
        if role is None:
            role = _role_of(name)
        if role is _FRAMED:
            continue
        if role is _TYPED:
            default_type = None
        lines.append(f"{name}: {value}")
    if default_type is not None:
        lines.append(f"Content-Type: {default_type}")
    if framing:
        lines.append(framing)
    if not keep_alive:
        lines.append("Connection: close")
    lines.append("Date: ")
    # One look for every line at once, on the lines joined without breaks (`in` is a
    # vectorised search; counting the joined head's breaks walked it byte by byte).
    unbroken = "".join(lines)
    if "\n" in unbroken or "\r" in unbroken:
        broken = next(line for line in lines if "\r" in line or "\n" in line)
        raise ValueError(f"a line break in a response header or status line: {broken!r}")
    return "\r\n".join(lines).encode()


class ResponseWriter:
    """Writes one response on a connection, and remembers how far it got."""

    __slots__ = (
        "_bodyless",
        "_chunked",
        "connection",
        "finished",
        "keep_alive",
        "method",
        "started",
        "version",
    )

    def __init__(self, connection: Connection, method: str, version: str, keep_alive: bool) -> None:
        self.connection = connection
        self.method = method
        self.version = version
        #: Whether the connection stays open after this response.
        self.keep_alive = keep_alive
        #: The head is on the wire (a failure now can only cut the connection).
        self.started = False
        #: The whole response is on the wire.
        self.finished = False
        self._chunked = False
        self._bodyless = False

    def _begin(self, status: int) -> None:
        if self.started:
            raise RuntimeError("the response was already started")
        self._bodyless = self.method == "HEAD" or status in _NO_BODY or status < 200

    def send(
        self,
        status: int,
        headers: Collection[tuple[str, str]],
        body: bytes = b"",
        reason: str | None = None,
        default_type: str | None = None,
    ) -> None:
        """Write a whole response at once (`default_type`: the Content-Type of a body
        whose headers name none)."""
        self._begin(status)
        if status in _NO_BODY or status < 200:
            framing = ""
        else:
            framing = f"Content-Length: {len(body)}"
            if not body and self.method == "HEAD":
                given = [value for name, value in headers if name.lower() == "content-length"]
                framing = f"Content-Length: {given[0]}" if given else framing
        if not body:
            default_type = None
        head = serialize_head(status, reason, headers, framing, self.keep_alive, default_type)
        self.started = True
        self.connection.write(head if self._bodyless or not body else head + body)
        self.finished = True

    def start(
        self,
        status: int,
        headers: Iterable[tuple[str, str]],
        content_length: int | None = None,
        reason: str | None = None,
    ) -> None:
        """Write the head of a response whose body follows in pieces (`write`, `end`);
        without a length, the body is chunked (or ends with the connection for HTTP/1.0)."""
        self._begin(status)
        if self._bodyless:
            framing = ""
        elif content_length is not None:
            framing = f"Content-Length: {content_length}"
        elif self.version == "1.1":
            framing = "Transfer-Encoding: chunked"
            self._chunked = True
        else:
            framing = ""
            self.keep_alive = False
        head = serialize_head(status, reason, headers, framing, self.keep_alive)
        self.started = True
        self.connection.write(head)

    async def write(self, data: bytes) -> None:
        """Write one piece of the body, waiting while the client is slow to read."""
        if not self.started:
            raise RuntimeError("write() before start()")
        connection = self.connection
        if connection.closing:
            raise ConnectionResetError("the client closed the connection")
        if self._bodyless or not data:
            return
        if self._chunked:
            connection.write(b"%x\r\n%b\r\n" % (len(data), data))
        else:
            connection.write(data)
        await connection.drain()

    def end(self) -> None:
        """Finish the body."""
        if self.finished:
            return
        if self._chunked and not self.connection.closing:
            self.connection.write(b"0\r\n\r\n")
        self.finished = True


class Connection(Protocol):
    """What a request and its response need of their connection."""

    @property
    def transport(self) -> asyncio.Transport:
        """The transport (connection faults write on it, reset or abort it)."""
        ...

    @property
    def closing(self) -> bool:
        """Whether the connection is closed or closing."""
        ...

    def write(self, data: bytes) -> None:
        """Write bytes as they are."""
        ...

    async def drain(self) -> None:
        """Wait until the client has read enough of what was written."""
        ...

    def resume_reading(self) -> None:
        """Read from the client again (a reader wants the body it held back)."""
        ...


class WireRequest:
    """One request as the server parsed it; the body arrives as the client sends it."""

    __slots__ = (
        "_complete",
        "_expect_continue",
        "_limit",
        "_lost",
        "_over",
        "_parts",
        "_path",
        "_query",
        "_size",
        "_waiter",
        "connection",
        "headers",
        "method",
        "raw_path",
        "raw_query",
        "response",
        "version",
    )

    def __init__(
        self,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: CIMultiDict[str],
        version: str,
        keep_alive: bool,
        connection: Connection,
    ) -> None:
        self.method = method
        self.raw_path = raw_path
        #: The query string as it arrived.
        self.raw_query = raw_query
        self.headers = CIMultiDictProxy(headers)
        self.version = version
        self.connection = connection
        #: Writes the answer (it holds no reference back: no cycle for the collector).
        self.response = ResponseWriter(connection, method, version, keep_alive)
        self._path: str | None = None
        self._query: MultiDictProxy[str] | None = None
        self._parts: list[bytes] = []
        self._size = 0
        self._complete = False
        self._over = False
        self._limit: int | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._expect_continue = headers.get("Expect", "").lower() == "100-continue"
        self._lost = False

    @property
    def path(self) -> str:
        """The path, percent escapes decoded."""
        if self._path is None:
            self._path = decode_path(self.raw_path)
        return self._path

    @property
    def query(self) -> MultiDictProxy[str]:
        """The query parameters, decoded."""
        if self._query is None:
            self._query = decode_query(self.raw_query)
        return self._query

    @property
    def keep_alive(self) -> bool:
        """Whether the connection stays open after this response."""
        return self.response.keep_alive

    @keep_alive.setter
    def keep_alive(self, value: bool) -> None:
        self.response.keep_alive = value

    @property
    def path_qs(self) -> str:
        """The path and query as they arrived."""
        return f"{self.raw_path}?{self.raw_query}" if self.raw_query else self.raw_path

    @property
    def transport(self) -> asyncio.Transport:
        """The connection's transport (for connection faults)."""
        return self.connection.transport

    @property
    def unread(self) -> int:
        """Body bytes held for a reader that has not asked for them yet."""
        return self._size if self._limit is None else 0

    @property
    def body_complete(self) -> bool:
        """Whether the whole body has arrived (or been dropped as too large)."""
        return self._complete

    # ---- fed by the protocol -------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """A piece of the body arrived; past the reader's limit it is dropped."""
        self._size += len(data)
        if self._over or (self._limit is not None and self._size > self._limit):
            self._over = True
            self._parts.clear()
        else:
            self._parts.append(data)
        self._wake()

    def complete(self) -> None:
        """The body ended."""
        self._complete = True
        self._wake()

    def lost(self) -> None:
        """The connection closed before the body ended."""
        self._lost = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # ---- read by the request path --------------------------------------------------------

    async def read_body(self, limit: int) -> tuple[bytes, bool]:
        """The body, and whether it was over `limit` bytes (then it is not kept)."""
        length = self.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > limit:
            self._over = True
            self._parts.clear()
            return b"", True
        self._limit = limit
        self.connection.resume_reading()
        if self._size > limit:
            self._over = True
            self._parts.clear()
        if self._expect_continue and not self._complete and not self._over:
            self._expect_continue = False
            self.connection.write(_CONTINUE)
        while not self._complete and not self._over:
            if self._lost:
                raise ConnectionResetError("the client closed the connection mid-body")
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
            self._waiter = None
        if self._over:
            return b"", True
        parts = self._parts
        return (parts[0] if len(parts) == 1 else b"".join(parts)), False


__all__ = [
    "Connection",
    "ResponseWriter",
    "WireRequest",
    "decode_path",
    "decode_query",
    "serialize_head",
]
