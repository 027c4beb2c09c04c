"""Callbacks: HTTP requests the mock makes (webhooks after a match, or pushed by `send`).

Delivery runs on the mock's event loop, retries with exponential backoff when the
receiver answers 5xx/429 or cannot be reached, and journals every attempt.
"""

from __future__ import annotations

import asyncio
import json as _json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from ._request import RecordedRequest
from ._template import check_template, render

#: A signing hook: gets (method, url, headers, body) and returns the headers to send.
Signer = Callable[[str, str, dict[str, str], bytes], dict[str, str]]


class Callback(BaseModel):
    """An outbound request; strings may hold ``{{request...}}`` placeholders."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)
    url: str
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(None, alias="json")
    body: str | None = None
    delay_ms: float = Field(0, ge=0)
    #: Attempts after the first one.
    retries: int = Field(3, ge=0, le=20)
    backoff_ms: float = Field(100, ge=0)
    timeout_ms: float = Field(5000, gt=0)
    #: Sign the request with the mock's signing hook (WhatsApp and Teams sign theirs).
    sign: bool = True

    def model_post_init(self, context: Any) -> None:
        check_template([self.url, self.headers, self.json_body, self.body])


@dataclass(slots=True)
class Attempt:
    """One try at delivering a callback."""

    number: int
    started_at: float
    status: int | None = None
    error: str | None = None
    duration: float = 0.0


@dataclass(eq=False)
class Delivery:
    """A callback being delivered: its final request, every attempt, and the outcome."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    attempts: list[Attempt] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def succeeded(self) -> bool:
        """Whether an attempt got a 2xx answer."""
        return any(a.status is not None and 200 <= a.status < 300 for a in self.attempts)

    @property
    def status(self) -> int | None:
        """Status of the last attempt, or None if it failed to connect."""
        return self.attempts[-1].status if self.attempts else None

    @property
    def json(self) -> Any:
        """The body sent, parsed as JSON (None when it is not JSON)."""
        try:
            return _json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def wait(self, timeout: float = 10.0) -> Delivery:
        """Block until delivery succeeded or gave up; raise TimeoutError after `timeout`."""
        if not self.done.wait(timeout):
            raise TimeoutError(f"callback to {self.url} not finished after {timeout}s")
        return self


def render_callback(callback: Callback, request: RecordedRequest | None) -> Delivery:
    """Fill the callback's placeholders from the matched request and encode its body."""

    def fill(value: Any) -> Any:
        return render(value, request) if request is not None else value

    headers = dict(fill(callback.headers))
    json_body = fill(callback.json_body)
    if json_body is not None:
        body = _json.dumps(json_body, separators=(",", ":")).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        body = (fill(callback.body) or "").encode()
    return Delivery(callback.method, fill(callback.url), headers, body)


_RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


class CallbackDispatcher:
    """Delivers callbacks on the mock's loop; keeps every delivery for tests to inspect."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

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
            if self._session is None:
                self._session = aiohttp.ClientSession()
            timeout = aiohttp.ClientTimeout(total=callback.timeout_ms / 1000)
            for number in range(1, callback.retries + 2):
                attempt = Attempt(number, time.time())
                delivery.attempts.append(attempt)
                started = time.perf_counter()
                try:
                    async with self._session.request(
                        delivery.method,
                        delivery.url,
                        data=delivery.body,
                        headers=delivery.headers,
                        timeout=timeout,
                    ) as response:
                        await response.read()
                        attempt.status = response.status
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    attempt.error = f"{type(exc).__name__}: {exc}"
                attempt.duration = time.perf_counter() - started
                if attempt.status is not None and attempt.status not in _RETRYABLE:
                    break
                if number <= callback.retries:
                    await asyncio.sleep(callback.backoff_ms / 1000 * 2 ** (number - 1))
        finally:
            delivery.done.set()

    def pending(self) -> list[Delivery]:
        """Deliveries not finished yet."""
        with self._lock:
            return [d for d in self.deliveries if not d.done.is_set()]

    def clear(self) -> None:
        """Forget finished deliveries (running ones go on)."""
        with self._lock:
            self.deliveries = [d for d in self.deliveries if not d.done.is_set()]

    async def close(self) -> None:
        """Cancel running deliveries and close the client session."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
