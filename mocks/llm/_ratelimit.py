"""Requests-per-minute and tokens-per-minute budgets that behave like OpenAI's.

Each budget is a sliding one-minute window. A request that would overspend a budget
gets the API's 429 (``rate_limit_exceeded``, ``type`` ``requests`` or ``tokens``) with
``retry-after``/``retry-after-ms`` saying when enough of the window frees up; every
answered request carries the ``x-ratelimit-*`` headers counting down.

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

from ._errors import format_duration, rate_limit_exceeded

WINDOW = 60.0
#: What the headers show when no budget is set (a generous paid tier).
UNLIMITED_REQUESTS = 10_000
UNLIMITED_TOKENS = 30_000_000


class RateLimiter:
    """Sliding-window request and token budgets; ``None`` leaves a budget unlimited."""

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
        self._spent: deque[tuple[float, int]] = deque()
        #: The tokens in ``_spent``, kept up to date: summing the window on every request
        #: cost O(requests in the last minute) each, most of the mock's CPU under load.
        self._tokens = 0

    def _expire(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - WINDOW:
            self._tokens -= self._spent.popleft()[1]

    def _free_after(self, now: float, needed_tokens: int) -> float:
        """Seconds until the window has room for ``needed_tokens`` more tokens."""
        budget = self.tokens_per_minute or 0
        used = self._tokens
        for when, tokens in self._spent:
            used -= tokens
            if used + needed_tokens <= budget:
                return max(0.001, when + WINDOW - now)
        return WINDOW

    def acquire(self, model: str, tokens: int) -> dict[str, str]:
        """Spend one request and ``tokens``; return the headers, or raise the 429."""
        now = self.clock()
        self._expire(now)
        used_requests = len(self._spent)
        used_tokens = self._tokens
        rpm, tpm = self.requests_per_minute, self.tokens_per_minute
        if rpm is not None and used_requests + 1 > rpm:
            wait = max(0.001, self._spent[0][0] + WINDOW - now) if self._spent else WINDOW
            raise rate_limit_exceeded(
                model,
                kind="requests",
                limit=rpm,
                used=used_requests,
                requested=1,
                retry_after=wait,
                headers=self._headers(now, used_requests, used_tokens),
            )
        if tpm is not None and used_tokens + tokens > tpm:
            wait = self._free_after(now, tokens) if tokens <= tpm else WINDOW
            raise rate_limit_exceeded(
                model,
                kind="tokens",
                limit=tpm,
                used=used_tokens,
                requested=tokens,
                retry_after=wait,
                headers=self._headers(now, used_requests, used_tokens),
            )
        self._spent.append((now, tokens))
        self._tokens += tokens
        return self._headers(now, used_requests + 1, used_tokens + tokens)

    def settle(self, tokens: int) -> None:
        """Replace the estimate of the last request with what it really used."""
        if self._spent:
            when, estimate = self._spent.pop()
            self._spent.append((when, tokens))
            self._tokens += tokens - estimate

    def _headers(self, now: float, used_requests: int, used_tokens: int) -> dict[str, str]:
        rpm = self.requests_per_minute or UNLIMITED_REQUESTS
        tpm = self.tokens_per_minute or UNLIMITED_TOKENS
        oldest = self._spent[0][0] if self._spent else now
        reset_requests = (oldest + WINDOW - now) if used_requests else 0.0
        reset_tokens = WINDOW * min(1.0, used_tokens / tpm)
        return {
            "x-ratelimit-limit-requests": str(rpm),
            "x-ratelimit-limit-tokens": str(tpm),
            "x-ratelimit-remaining-requests": str(max(0, rpm - used_requests)),
            "x-ratelimit-remaining-tokens": str(max(0, tpm - used_tokens)),
            "x-ratelimit-reset-requests": format_duration(max(0.0, reset_requests)),
            "x-ratelimit-reset-tokens": format_duration(reset_tokens),
        }

    def clear(self) -> None:
        """Forget everything spent."""
        self._spent.clear()
        self._tokens = 0
