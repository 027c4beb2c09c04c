"""Connection timeouts: a connection that sends no request for `timeout` seconds is closed.

aiohttp waits for a request head as long as a client likes, so slowloris connections
(headers dribbled byte by byte) and silent ones pile up until the process runs out of
descriptors. `GuardedServer` hands out request handlers that close such connections,
like nginx's ``client_header_timeout`` and ``keepalive_timeout``: a connection that began
a request it did not finish gets ``408 Request Timeout`` first; a silent one is closed.
A request being answered (a long stream, a ``HANG`` fault) is never cut by the guard.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

#: What a client that did not finish its request head is told before the close.
_TIMEOUT_ANSWER = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
#: Seconds a connection may stay without a request (nginx waits 60 s for a head, 75 s idle).
DEFAULT_TIMEOUT = 60.0


class _GuardedHandler(RequestHandler):
    """aiohttp's request handler, closing a connection idle for a whole period."""

    def __init__(self, manager: web.Server, *, idle_timeout: float, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._idle_timeout = idle_timeout
        self._guard: asyncio.TimerHandle | None = None
        self._seen_requests = 0
        self._was_busy = False
        self._partial = False

    def _busy(self) -> bool:
        return getattr(self, "_current_request", None) is not None or bool(
            getattr(self, "_messages", None)
        )

    def _arm(self) -> None:
        self._seen_requests = self._request_count
        self._was_busy = self._busy()
        self._guard = self._loop.call_later(self._idle_timeout, self._check)

    def _check(self) -> None:
        if self.transport is None:
            return
        if self._busy() or self._was_busy or self._request_count != self._seen_requests:
            self._partial = False
            self._arm()  # a request came or is being answered: a new period begins
            return
        if self._partial:  # it began a request head and never finished it
            self.transport.write(_TIMEOUT_ANSWER)
        self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        self._partial = True
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._guard is not None:
            self._guard.cancel()
            self._guard = None
        super().connection_lost(exc)


class GuardedServer(web.Server):
    """`aiohttp.web.Server` whose connections time out when they bring no request."""

    def __init__(self, *args: Any, idle_timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> None:
        # aiohttp's own keep-alive close is silent: it stays a backstop behind the guard.
        super().__init__(*args, keepalive_timeout=2 * idle_timeout + 1, **kwargs)
        self._idle_timeout = idle_timeout

    def __call__(self) -> RequestHandler:
        return _GuardedHandler(
            self, idle_timeout=self._idle_timeout, loop=self._loop, **self._kwargs
        )


__all__ = ["DEFAULT_TIMEOUT", "GuardedServer"]
