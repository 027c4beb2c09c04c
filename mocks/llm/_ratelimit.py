"""Requests-per-minute and tokens-per-minute budgets, the same for every API.

Each budget is a sliding one-minute window. `RateLimiter.take` spends a request and
its tokens and returns the `Window` (limits, use, resets), or raises
`RateLimitExceeded` saying which budget ran out and when enough of it frees up; each
API renders those in its own headers and error. `RateLimiter.acquire` is OpenAI's
rendering: the 429 ``rate_limit_exceeded`` (``type`` ``requests`` or ``tokens``) with
``retry-after``/``retry-after-ms``, and the ``x-ratelimit-*`` headers counting down.

>>> clock = iter([0.0, 1.0, 2.0]).__next__
>>> limiter = RateLimiter(requests_per_minute=2, clock=clock)
>>> limiter.acquire("gpt-4o", 10)["x-ratelimit-remaining-requests"]
'1'
>>> limiter.acquire("gpt-4o", 10)["x-ratelimit-remaining-requests"]
'0'
>>> from mocks.llm._errors import LLMError
>>> try:
...     limiter.acquire("gpt-4o", 10)
... except LLMError as err:
...     print(err.status, err.type, err.headers["retry-after"])
429 requests 58
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from ._errors import format_duration, rate_limit_exceeded

WINDOW = 60.0
#: Spends this close together (seconds) share one slot of the window.
SLOT = 0.01
#: What the headers show when no budget is set (a generous paid tier).
UNLIMITED_REQUESTS = 10_000
UNLIMITED_TOKENS = 30_000_000


class Window(NamedTuple):
    """The budgets as a request left them: limits, use, and seconds until each resets."""

    request_limit: int
    token_limit: int
    requests_used: int
    tokens_used: int
    requests_reset: float
    tokens_reset: float

    @property
    def requests_remaining(self) -> int:
        """Requests left in the window."""
        return max(0, self.request_limit - self.requests_used)

    @property
    def tokens_remaining(self) -> int:
        """Tokens left in the window."""
        return max(0, self.token_limit - self.tokens_used)


class RateLimitExceeded(Exception):
    """A budget is spent: ``kind`` (``requests`` or ``tokens``), its ``limit``, what was
    ``used`` and ``requested``, seconds until enough frees up, and the `Window`."""

    def __init__(
        self,
        model: str,
        kind: str,
        *,
        limit: int,
        used: int,
        requested: int,
        retry_after: float,
        window: Window,
    ) -> None:
        super().__init__(f"{kind} per minute budget of {limit} spent for {model}")
        self.model = model
        self.kind = kind
        self.limit = limit
        self.used = used
        self.requested = requested
        self.retry_after = retry_after
        self.window = window


class _Slot:
    """The spends of a short stretch of the window: its first spend's time, the requests
    and the tokens."""

    __slots__ = ("requests", "tokens", "when")

    def __init__(self, when: float) -> None:
        self.when = when
        self.requests = 0
        self.tokens = 0


class RateLimiter:
    """Sliding-window request and token budgets; ``None`` leaves a budget unlimited.

    The window keeps spends in slots of `SLOT` seconds (a slot's time is its first
    spend's, and a slot leaves the window whole), so it holds at most a minute's worth
    of slots however many requests arrive: at thousands of requests a second it used
    to keep one entry per request of the last minute.
    """

    def __init__(
        self,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.clock = clock
        self._slots: deque[_Slot] = deque()
        #: The requests and tokens in the slots, kept up to date: summing the window on
        #: every request cost O(its size) each, most of the mock's CPU under load.
        self._requests = 0
        self._tokens = 0
        #: The tokens the last spend counted (`settle` replaces them).
        self._last = 0

    def _expire(self, now: float) -> None:
        slots = self._slots
        while slots and slots[0].when <= now - WINDOW:
            gone = slots.popleft()
            self._requests -= gone.requests
            self._tokens -= gone.tokens

    def _free_after(self, now: float, needed_tokens: int) -> float:
        """Seconds until the window has room for ``needed_tokens`` more tokens."""
        budget = self.tokens_per_minute or 0
        used = self._tokens
        for slot in self._slots:
            used -= slot.tokens
            if used + needed_tokens <= budget:
                return max(0.001, slot.when + WINDOW - now)
        return WINDOW

    def take(self, model: str, tokens: int) -> Window:
        """Spend one request and ``tokens``; return the window, or raise `RateLimitExceeded`."""
        now = self.clock()
        self._expire(now)
        used_requests = self._requests
        used_tokens = self._tokens
        rpm, tpm = self.requests_per_minute, self.tokens_per_minute
        if rpm is not None and used_requests + 1 > rpm:
            wait = max(0.001, self._slots[0].when + WINDOW - now) if self._slots else WINDOW
            raise RateLimitExceeded(
                model,
                "requests",
                limit=rpm,
                used=used_requests,
                requested=1,
                retry_after=wait,
                window=self._window(now, used_requests, used_tokens),
            )
        if tpm is not None and used_tokens + tokens > tpm:
            wait = self._free_after(now, tokens) if tokens <= tpm else WINDOW
            raise RateLimitExceeded(
                model,
                "tokens",
                limit=tpm,
                used=used_tokens,
                requested=tokens,
                retry_after=wait,
                window=self._window(now, used_requests, used_tokens),
            )
        slots = self._slots
        if not slots or now - slots[-1].when >= SLOT:
            slots.append(_Slot(now))
        newest = slots[-1]
        newest.requests += 1
        newest.tokens += tokens
        self._requests += 1
        self._tokens += tokens
        self._last = tokens
        return self._window(now, used_requests + 1, used_tokens + tokens)

    def acquire(self, model: str, tokens: int) -> dict[str, str]:
        """`take`, rendered as OpenAI renders it: the ``x-ratelimit-*`` headers, or the
        429 `LLMError`."""
        try:
            return openai_headers(self.take(model, tokens))
        except RateLimitExceeded as exc:
            raise rate_limit_exceeded(
                exc.model,
                kind=exc.kind,
                limit=exc.limit,
                used=exc.used,
                requested=exc.requested,
                retry_after=exc.retry_after,
                headers=openai_headers(exc.window),
            ) from None

    def settle(self, tokens: int) -> None:
        """Replace the estimate of the last request with what it really used."""
        if self._slots:  # the newest slot holds the last spend
            self._slots[-1].tokens += tokens - self._last
            self._tokens += tokens - self._last
            self._last = tokens

    def _window(self, now: float, used_requests: int, used_tokens: int) -> Window:
        rpm = self.requests_per_minute or UNLIMITED_REQUESTS
        tpm = self.tokens_per_minute or UNLIMITED_TOKENS
        oldest = self._slots[0].when if self._slots else now
        reset_requests = (oldest + WINDOW - now) if used_requests else 0.0
        tokens_reset = WINDOW * (used_tokens / tpm) if used_tokens < tpm else WINDOW
        return Window(  # positionally: a named tuple's keywords cost a dict per request
            rpm,
            tpm,
            used_requests,
            used_tokens,
            reset_requests if reset_requests > 0.0 else 0.0,
            tokens_reset,
        )

    def clear(self) -> None:
        """Forget everything spent."""
        self._slots.clear()
        self._requests = self._tokens = self._last = 0


def openai_headers(window: Window) -> dict[str, str]:
    """OpenAI's ``x-ratelimit-*`` headers for ``window``."""
    return {
        "x-ratelimit-limit-requests": str(window.request_limit),
        "x-ratelimit-limit-tokens": str(window.token_limit),
        "x-ratelimit-remaining-requests": str(window.requests_remaining),
        "x-ratelimit-remaining-tokens": str(window.tokens_remaining),
        "x-ratelimit-reset-requests": format_duration(window.requests_reset),
        "x-ratelimit-reset-tokens": format_duration(window.tokens_reset),
    }
