"""Callbacks as values: an outbound request to make (`Callback`), and how it went (`Delivery`).

A callback is a webhook sent after an expectation matched, one a route's reply carries
(`Reply.callbacks`), or one pushed with `mock.send()`. Strings in a `Callback` may hold
``{{request...}}`` placeholders, filled from the request that triggered it.
"""

from __future__ import annotations

import asyncio
import json as _json
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._request import RecordedRequest
from ._template import check_template, render


class Callback(BaseModel):
    """An outbound request; strings may hold ``{{request...}}`` placeholders."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, serialize_by_alias=True, defer_build=True
    )
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
    #: Which answers are retried: 408/425/429/5xx and unreachable receivers
    #: (``server_errors``), or every answer but a 2xx (``any_failure``, as Meta does).
    retry_on: Literal["server_errors", "any_failure"] = "server_errors"
    #: Fill ``{{request...}}`` placeholders; false sends every string as it is (a body
    #: that carries ``{{`` of its own, an Adaptive Card's, say).
    template: bool = True

    def model_post_init(self, context: Any) -> None:
        if self.template:
            check_template([self.url, self.headers, self.json_body, self.body])


@dataclass(slots=True)
class Attempt:
    """One try at delivering a callback, and the receiver's answer."""

    number: int
    started_at: float
    status: int | None = None
    error: str | None = None
    duration: float = 0.0
    #: The receiver's answer body (empty when it could not be reached).
    body: bytes = b""


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
        return _parse(self.body)

    @property
    def response_body(self) -> bytes:
        """The body of the last answer (empty when there was none)."""
        return self.attempts[-1].body if self.attempts else b""

    @property
    def response_json(self) -> Any:
        """The last answer's body parsed as JSON (None when it is not JSON)."""
        return _parse(self.response_body)

    def wait(self, timeout: float = 10.0) -> Delivery:
        """Block until delivery succeeded or gave up; raise TimeoutError after `timeout`."""
        if not self.done.wait(timeout):
            raise TimeoutError(f"callback to {self.url} not finished after {timeout}s")
        return self

    async def wait_async(self, timeout: float = 10.0) -> Delivery:
        """`wait` for a coroutine (an admin handler on the mock's loop, say)."""
        return await asyncio.to_thread(self.wait, timeout)


def _parse(body: bytes) -> Any:
    try:
        return _json.loads(body) if body else None
    except ValueError:
        return None


def render_callback(callback: Callback, request: RecordedRequest | None) -> Delivery:
    """Fill the callback's placeholders from the triggering request and encode its body."""

    def fill(value: Any) -> Any:
        return render(value, request) if request is not None and callback.template else value

    headers = dict(fill(callback.headers))
    json_body = fill(callback.json_body)
    if json_body is not None:
        body = _json.dumps(json_body, separators=(",", ":")).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        body = (fill(callback.body) or "").encode()
    return Delivery(callback.method, fill(callback.url), headers, body)


__all__ = ["Attempt", "Callback", "Delivery", "render_callback"]
