"""The server lifecycle: the HTTP/1.1 server on its own event loop in a background thread.

The mock never shares the caller's loop, so sync tests, async tests and blocking
clients all work. `start` returns once the socket listens; `stop` ends hanging
requests and streams, closes the listener and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from ._http1 import DEFAULT_TIMEOUT, Handler, Http1Server

T = TypeVar("T")


def _new_loop(use_uvloop: bool | None) -> asyncio.AbstractEventLoop:
    """uvloop's loop when asked for or, by default (None), when installed (it serves the
    same requests with less CPU: see bench/README.md); asyncio's otherwise."""
    if use_uvloop is not False:
        try:
            import uvloop

            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
            return loop
        except ImportError:
            pass
    return asyncio.new_event_loop()


class ServerThread:
    """Serves `handler` on host:port from a background thread with its own loop."""

    def __init__(
        self,
        handler: Handler,
        *,
        on_stop: Callable[[], Coroutine[Any, Any, None]] | None = None,
        use_uvloop: bool | None = None,
        name: str = "mock",
        idle_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._handler = handler
        self._idle_timeout = idle_timeout
        self._on_stop = on_stop
        self._use_uvloop = use_uvloop
        self._name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping: asyncio.Event | None = None
        self.host = ""
        self.port = 0
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop_requested: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def running(self) -> bool:
        """Whether the server is listening."""
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set()

    def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Bind (port 0 picks a free port) and serve; return once listening."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(1024)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            reason = exc.strerror or str(exc)
            raise OSError(exc.errno, f"cannot listen on {host}:{port}: {reason}") from exc
        self.host, self.port = host, sock.getsockname()[1]
        self._ready.clear()
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name=f"{self._name}:{self.port}", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise RuntimeError(f"mock server failed to start: {self._error}") from self._error

    def _run(self, sock: socket.socket) -> None:
        loop = _new_loop(self._use_uvloop)
        self.loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve(sock))
        except BaseException as exc:  # reported to start() or logged by stop()
            self._error = exc
            self._ready.set()
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            sock.close()

    async def _serve(self, sock: socket.socket) -> None:
        self.stopping = asyncio.Event()
        self._stop_requested = asyncio.Event()
        loop = asyncio.get_running_loop()
        server = Http1Server(self._handler, loop, idle_timeout=self._idle_timeout)
        listener = await loop.create_server(server, sock=sock, backlog=1024)
        self._ready.set()
        try:
            await self._stop_requested.wait()
        finally:
            self.stopping.set()
            listener.close()
            # Idle keep-alive connections close now; busy ones after their response.
            await server.shutdown(timeout=0.5)
            await listener.wait_closed()
            if self._on_stop is not None:
                await self._on_stop()

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent)."""
        thread, loop, requested = self._thread, self.loop, self._stop_requested
        if thread is None:
            return
        if loop is not None and requested is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(requested.set)
        thread.join()
        self._thread = None
        self.loop = None

    def on_loop_thread(self) -> bool:
        """Whether the caller runs on the server's own thread (inside a handler)."""
        thread = self._thread
        return thread is not None and threading.get_ident() == thread.ident

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        """Run a coroutine on the server's loop from another thread."""
        if self.loop is None:
            coroutine.close()
            raise RuntimeError("the mock is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        return self.submit(coroutine).result(timeout)
