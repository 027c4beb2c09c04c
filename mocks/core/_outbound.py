"""Outbound HTTP: one pooled client session per mock, for callbacks, sends and recording.

Delivery runs on the mock's event loop, retries with exponential backoff (on 408, 425,
429, 5xx and unreachable receivers, or on every answer but a 2xx when the callback asks
for it), and keeps every attempt with the receiver's answer.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._callback import Attempt, Callback, Delivery

#: A signing hook: gets (method, url, headers, body) and returns the headers to send.
Signer = Callable[[str, str, dict[str, str], bytes], dict[str, str]]

if TYPE_CHECKING:  # the client loads with the first outbound call, not with every mock
    import aiohttp

_RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


class Outbound:
    """The mock's HTTP client side: delivers callbacks, keeps every delivery for tests."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def session(self) -> aiohttp.ClientSession:
        """The pooled client session (created on the mock's loop at first use)."""
        if self._session is None or self._session.closed:
            import aiohttp

            self._session = aiohttp.ClientSession()
        return self._session

    def schedule(self, delivery: Delivery, callback: Callback, signer: Signer | None) -> Delivery:
        """Start delivering (must run on the mock's loop)."""
        with self._lock:
            self.deliveries.append(delivery)
        task = asyncio.get_running_loop().create_task(self._deliver(delivery, callback, signer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return delivery

    async def _deliver(self, delivery: Delivery, callback: Callback, signer: Signer | None) -> None:
        try:
            if callback.delay_ms:
                await asyncio.sleep(callback.delay_ms / 1000)
            if signer is not None and callback.sign:
                delivery.headers = signer(
                    delivery.method, delivery.url, dict(delivery.headers), delivery.body
                )
            import aiohttp

            timeout = aiohttp.ClientTimeout(total=callback.timeout_ms / 1000)
            for number in range(1, callback.retries + 2):
                attempt = await self._attempt(delivery, number, timeout)
                if not _retry(attempt, callback):
                    break
                if number <= callback.retries:
                    await asyncio.sleep(callback.backoff_ms / 1000 * 2 ** (number - 1))
        finally:
            delivery.done.set()

    async def _attempt(
        self, delivery: Delivery, number: int, timeout: aiohttp.ClientTimeout
    ) -> Attempt:
        import aiohttp

        attempt = Attempt(number, time.time())
        delivery.attempts.append(attempt)
        started = time.perf_counter()
        try:
            async with self.session().request(
                delivery.method,
                delivery.url,
                data=delivery.body,
                headers=delivery.headers,
                timeout=timeout,
            ) as response:
                attempt.body = await response.read()
                attempt.status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
        attempt.duration = time.perf_counter() - started
        return attempt

    def pending(self) -> list[Delivery]:
        """Deliveries not finished yet."""
        with self._lock:
            return [d for d in self.deliveries if not d.done.is_set()]

    def clear(self) -> None:
        """Forget every delivery (call `cancel_running` on the loop first)."""
        with self._lock:
            self.deliveries = []

    async def cancel_running(self) -> None:
        """Stop deliveries still retrying (a reset: they belong to the test before)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        """Cancel running deliveries and close the client session."""
        await self.cancel_running()
        if self._session is not None:
            await self._session.close()
            self._session = None


def _retry(attempt: Attempt, callback: Callback) -> bool:
    """Whether an attempt's outcome calls for another try."""
    if attempt.status is None:
        return True
    if callback.retry_on == "any_failure":
        return not 200 <= attempt.status < 300
    return attempt.status in _RETRYABLE


__all__ = ["Outbound", "Signer"]
