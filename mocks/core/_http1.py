"""The HTTP/1.1 server: one asyncio protocol per connection on httptools' parser.

A mock answers every request through one handler (`RequestPath.handle`) that reads the
body and writes its response itself, so the server only parses and frames: no request
object factory, no response object, no middleware. Per connection it keeps requests in
arrival order (pipelining), answers one at a time, and keeps the connection alive as
HTTP/1.1 says.

It also guards the connection, like nginx's ``client_header_timeout`` and
``keepalive_timeout``: a connection that brings no request for `idle_timeout` seconds is
closed, with ``408 Request Timeout`` first when it began a request head it never
finished (slowloris). A request being answered (a long stream, a ``HANG`` fault) is never
cut. Input that is not HTTP gets ``400`` and a closed connection, logged in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections import deque
from collections.abc import Awaitable, Callable
from typing import cast

import httptools
from multidict import CIMultiDict

from ._wire import WireRequest

log = logging.getLogger("mocks.server")

#: The handler every request goes to; it writes the response through `request.response`.
Handler = Callable[[WireRequest], Awaitable[None]]

#: Seconds a connection may stay without a request (nginx waits 60 s for a head, 75 s idle).
DEFAULT_TIMEOUT = 60.0
#: Longest request line, header name or header value (aiohttp's and nginx's 8 KiB).
MAX_LINE = 8190
#: Longest request head in all.
MAX_HEAD = 65536
#: Requests parsed ahead of the one being answered before the server stops reading.
MAX_PIPELINED = 32
#: Body bytes held for a request nobody reads yet before the server stops reading.
MAX_UNREAD = 1 << 20
#: Seconds the rest of an unread body may take to arrive after its answer.
LINGER = 2.0

#: Header names as the registry spells them: a client's ``authorization`` is journaled
#: (and shown, exported, replayed) as ``Authorization``, whatever case it was sent in.
_CANONICAL_NAMES = """
    Accept Accept-CH Accept-Charset Accept-Encoding Accept-Language Accept-Ranges
    Access-Control-Allow-Credentials Access-Control-Allow-Headers
    Access-Control-Allow-Methods Access-Control-Allow-Origin
    Access-Control-Expose-Headers Access-Control-Max-Age Access-Control-Request-Headers
    Access-Control-Request-Method Age Allow Alt-Svc Alt-Used Authentication-Info
    Authorization CDN-Cache-Control CDN-Loop Cache-Control Cache-Status Clear-Site-Data
    Connection Content-Digest Content-Disposition Content-Encoding Content-ID
    Content-Language Content-Length Content-Location Content-MD5 Content-Range
    Content-Security-Policy Content-Security-Policy-Report-Only
    Content-Transfer-Encoding Content-Type Cookie Cross-Origin-Embedder-Policy
    Cross-Origin-Opener-Policy Cross-Origin-Resource-Policy Date Destination Digest
    Early-Data Etag Expect Expires Forwarded From Host If-Match If-Modified-Since
    If-None-Match If-Range If-Unmodified-Since Keep-Alive Last-Event-ID Last-Modified
    Link Location Max-Forwards NEL Origin Origin-Agent-Cluster Permissions-Policy Pragma
    Priority Proxy-Authenticate Proxy-Authentication-Info Proxy-Authorization Range
    Referer Referrer-Policy Report-To Reporting-Endpoints Repr-Digest Retry-After
    Sec-CH-UA Sec-CH-UA-Mobile Sec-CH-UA-Platform Sec-Fetch-Dest Sec-Fetch-Mode
    Sec-Fetch-Site Sec-Fetch-User Sec-GPC Sec-Purpose Sec-WebSocket-Accept
    Sec-WebSocket-Extensions Sec-WebSocket-Key Sec-WebSocket-Key1 Sec-WebSocket-Protocol
    Sec-WebSocket-Version Server Server-Timing Set-Cookie Strict-Transport-Security TE
    Timing-Allow-Origin Trailer Transfer-Encoding URI Upgrade Upgrade-Insecure-Requests
    User-Agent Vary Via WWW-Authenticate Want-Content-Digest Want-Digest
    Want-Repr-Digest Warning X-Content-Type-Options X-Correlation-ID X-Forwarded-For
    X-Forwarded-Host X-Forwarded-Port X-Forwarded-Proto X-Frame-Options X-Powered-By
    X-RateLimit-Limit X-RateLimit-Remaining X-RateLimit-Reset X-Real-IP X-Request-ID
    X-Requested-With X-XSS-Protection
"""
_CANONICAL = {name.lower().encode(): name for name in _CANONICAL_NAMES.split()}
_CANONICAL.update({name.encode(): name for name in _CANONICAL_NAMES.split()})

_TIMEOUT_ANSWER = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


class BadRequest(Exception):
    """The client sent something that is not an acceptable HTTP/1.1 request."""


def _bad_request_answer(message: str) -> bytes:
    body = f"400 Bad Request: {message}\n".encode()
    head = (
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _comes_whole(headers: CIMultiDict[str]) -> bool:
    """Whether a request's body is small enough to wait for before answering it (none,
    or a known length up to `MAX_UNREAD`, without ``Expect: 100-continue``)."""
    if "Transfer-Encoding" in headers or "Expect" in headers:
        return False
    length = headers.get("Content-Length")
    return length is None or (length.isdigit() and int(length) <= MAX_UNREAD)


class Http1Protocol(asyncio.Protocol):
    """One client connection: parses requests, answers them in order, guards idleness."""

    def __init__(self, server: Http1Server) -> None:
        self._server = server
        self._loop = server.loop
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpRequestParser(self)
        self._queue: deque[WireRequest] = deque()
        self._parsing: WireRequest | None = None
        self._task: asyncio.Task[None] | None = None
        self._url = b""
        self._headers: CIMultiDict[str] = CIMultiDict()
        self._head_size = 0
        self._partial = False
        self._idle: asyncio.TimerHandle | None = None
        #: Loop time since when no request is being answered (None: one is).
        self._idle_since: float | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._reading_paused = False
        self._writing_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._closing = False
        #: The server stops: the request being answered is the connection's last.
        self._last_answer = False
        self._refusal: bytes | None = None

    # ---- the Connection a request sees ---------------------------------------------------

    @property
    def transport(self) -> asyncio.Transport:
        """The transport (connection faults write on it, reset or abort it)."""
        assert self._transport is not None
        return self._transport

    @property
    def closing(self) -> bool:
        """Whether the connection is closed or closing."""
        return self._closing or self._transport is None or self._transport.is_closing()

    def write(self, data: bytes) -> None:
        """Write bytes as they are (nothing once the connection is closing)."""
        if not self.closing:
            self.transport.write(data)

    async def drain(self) -> None:
        """Wait until the client has read enough of what was written."""
        if self._writing_paused and not self.closing:
            self._drain_waiter = self._loop.create_future()
            await self._drain_waiter

    def pause_reading(self) -> None:
        """Stop reading from the client (too much is waiting to be answered or read)."""
        if not self._reading_paused and not self.closing:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        """Read from the client again."""
        if self._reading_paused and not self.closing:
            self._reading_paused = False
            self.transport.resume_reading()

    def close(self) -> None:
        """Close now when idle, else once the request being answered is answered."""
        self._last_answer = True
        if self._task is None:
            self._close()
        else:
            for request in self._queue:
                request.keep_alive = False

    def abort(self) -> None:
        """Close at once, and stop answering."""
        self._close()
        if self._task is not None:
            self._task.cancel()
        if self._transport is not None:
            self._transport.abort()

    # ---- asyncio callbacks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but do what it does.
        self._transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # A head and the first event of a stream go out at once, not after the
            # client's delayed ACK (asyncio's server sockets keep Nagle's algorithm on).
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._server.connections.add(self)
        self._now_idle()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._closing = True
        self._server.connections.discard(self)
        self._cancel_timers()
        for request in self._queue:
            request.lost()
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # No protocol switch is served: the request is answered as plain HTTP/1.1 and
            # whatever the client sends after it ends the connection.
            if self._parsing is not None:
                self._parsing.keep_alive = False
                self._parsing.complete()
                self._parsing = None
            self.pause_reading()
        except httptools.HttpParserError as exc:
            cause = exc.__context__ if isinstance(exc.__context__, BadRequest) else exc
            self._refuse(str(cause) or type(cause).__name__)

    # ---- httptools callbacks -------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._partial = True
        self._url = b""
        self._headers = CIMultiDict()
        self._head_size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > MAX_LINE:
            raise BadRequest(f"the request line is too long (over {MAX_LINE} bytes)")

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(name) > MAX_LINE or len(value) > MAX_LINE:
            raise BadRequest(f"a header field is too long (over {MAX_LINE} bytes)")
        self._head_size += len(name) + len(value) + 4
        if self._head_size > MAX_HEAD:
            raise BadRequest(f"the request head is too long (over {MAX_HEAD} bytes)")
        known = _CANONICAL.get(name) or _CANONICAL.get(name.lower())
        self._headers.add(
            known or name.decode("utf-8", "surrogateescape"),
            value.decode("utf-8", "surrogateescape"),
        )

    def on_headers_complete(self) -> None:
        if self._closing:
            return
        self._partial = False
        self._idle_since = None
        parser = self._parser
        url = self._url
        path, _, query = url.partition(b"?")
        if not path.startswith(b"/"):
            path, query = self._absolute_form(url)
        request = WireRequest(
            parser.get_method().decode("ascii"),
            path.decode("utf-8", "surrogateescape"),
            query.decode("utf-8", "surrogateescape"),
            self._headers,
            parser.get_http_version(),
            parser.should_keep_alive() and not self._last_answer,
            self,
        )
        self._parsing = request
        self._queue.append(request)
        if len(self._queue) > MAX_PIPELINED:
            self.pause_reading()
        if self._task is None and not _comes_whole(self._headers):
            self._answer_next()  # read the body as it comes (bounded, or after 100 Continue)

    def on_body(self, body: bytes) -> None:
        request = self._parsing
        if request is not None:
            request.feed(body)
            if request.unread > MAX_UNREAD:
                self.pause_reading()

    def on_message_complete(self) -> None:
        request = self._parsing
        if request is not None:
            request.complete()
            self._parsing = None
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        if self._task is None and self._queue and not self.closing:
            self._answer_next()

    @staticmethod
    def _absolute_form(url: bytes) -> tuple[bytes, bytes]:
        """Path and query of ``http://host/path?query`` (a client talking as to a proxy)."""
        if url == b"*":
            return b"*", b""
        try:
            parsed = httptools.parse_url(url)
        except httptools.HttpParserInvalidURLError as exc:
            raise BadRequest(f"invalid request target {url[:100]!r}") from exc
        return parsed.path or b"/", parsed.query or b""

    # ---- answering -----------------------------------------------------------------------

    def _answer_next(self) -> None:
        """Start answering the parsed requests, in a task of its own (a responder may
        use what needs one: timeouts, an HTTP client)."""
        self._task = self._loop.create_task(self._answer_queue())

    async def _answer_queue(self) -> None:
        """Answer the parsed requests one after another, in the order they came."""
        queue = self._queue
        while queue:
            request = queue[0]
            try:
                await self._server.handler(request)
            except ConnectionError:  # the client left before its request was whole
                pass
            except Exception as exc:  # the handler answers its own errors: this is a bug
                self._failed(request, exc)
            if not self._answered(request):
                break
        self._task = None
        if self._refusal is not None:
            self._refuse_now()
        elif not self.closing:
            self._now_idle()

    def _failed(self, request: WireRequest, exc: Exception) -> None:
        log.error("error answering %s %s", request.method, request.path_qs, exc_info=exc)
        if not request.response.started and not self.closing:
            request.keep_alive = False
            request.response.send(500, [("Content-Type", "text/plain")], b"mock error\n")

    def _answered(self, request: WireRequest) -> bool:
        """Done with `request`: whether the connection goes on to the next."""
        self._queue.popleft()
        if len(self._queue) <= MAX_PIPELINED:
            self.resume_reading()
        if self.closing:
            return False
        if not request.response.finished or not request.keep_alive:
            self._close()  # a connection fault, or the answer ends the connection
            return False
        if not request.body_complete:
            # Answered before its whole body came (413): let the rest arrive, unread.
            self.resume_reading()
            self._linger = self._loop.call_later(LINGER, self._close)
        return True

    def _refuse(self, message: str) -> None:
        """Answer 400 and close: now, or after the requests before it are answered."""
        log.warning("bad request refused: %s", message)
        self._refusal = _bad_request_answer(message)
        if self._parsing is not None:
            self._parsing.lost()
        if self._task is None:
            self._refuse_now()
        else:
            self.pause_reading()

    def _refuse_now(self) -> None:
        assert self._refusal is not None
        self.write(self._refusal)
        self._close()

    def _close(self) -> None:
        self._closing = True
        self._cancel_timers()
        if self._transport is not None:
            self._transport.close()

    # ---- the idle guard ------------------------------------------------------------------

    def _now_idle(self) -> None:
        """No request is being answered: the idle period starts now.

        One timer per connection, not one per request: when it fires early (a request
        came meanwhile), it sets itself again for what is left of the period.
        """
        self._idle_since = self._loop.time()
        if self._idle is None:
            self._idle = self._loop.call_later(self._server.idle_timeout, self._idle_expired)

    def _idle_expired(self) -> None:
        self._idle = None
        if self.closing:
            return
        timeout = self._server.idle_timeout
        since = self._idle_since
        left = timeout if since is None else since + timeout - self._loop.time()
        if left > 0:  # busy, or idle for less than a period
            self._idle = self._loop.call_later(left, self._idle_expired)
            return
        if self._partial:  # it began a request head and never finished it
            self.write(_TIMEOUT_ANSWER)
        self._close()

    def _cancel_timers(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None


class Http1Server:
    """Makes a protocol for each connection and keeps the open ones, for a clean stop."""

    def __init__(
        self,
        handler: Handler,
        loop: asyncio.AbstractEventLoop,
        *,
        idle_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.handler = handler
        self.loop = loop
        self.idle_timeout = idle_timeout
        self.connections: set[Http1Protocol] = set()

    def __call__(self) -> Http1Protocol:
        return Http1Protocol(self)

    async def shutdown(self, timeout: float) -> None:
        """Close idle connections now and busy ones after their answer; after `timeout`
        seconds close what is left and cancel its handlers."""
        for connection in list(self.connections):
            connection.close()
        deadline = self.loop.time() + timeout
        while self.connections and self.loop.time() < deadline:
            await asyncio.sleep(0.01)
        for connection in list(self.connections):
            connection.abort()


__all__ = ["DEFAULT_TIMEOUT", "Handler", "Http1Protocol", "Http1Server"]
