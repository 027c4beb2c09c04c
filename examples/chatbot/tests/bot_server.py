"""The chatbot served in-process for a test: its own event loop thread, a fixed port.

`stop()` and `start()` again on the same port are a bot that goes down and comes back
(its database, model client and HTTP client are closed and opened again, as a process
restart would).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from aiohttp import web
from chatbot import Settings, create_app

T = TypeVar("T")


class BotServer:
    """`chatbot.create_app` on 127.0.0.1:`port`, configured from `environ` only."""

    def __init__(self, environ: Mapping[str, str], port: int) -> None:
        self.settings = Settings.from_env(environ)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chatbot", daemon=True)
        self._thread.start()
        self._runner: web.AppRunner | None = None

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run `work` on the bot's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)

    def start(self) -> BotServer:
        """Serve (again)."""
        self.run(self._start())
        return self

    async def _start(self) -> None:
        runner = web.AppRunner(await create_app(self.settings), shutdown_timeout=5)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port, reuse_address=True).start()
        self._runner = runner

    def stop(self) -> None:
        """Stop serving: the port refuses connections until `start()`."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self.run(runner.cleanup())

    def close(self) -> None:
        """Stop, and end the loop thread."""
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
