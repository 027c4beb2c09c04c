"""Request and token budgets per minute."""

from __future__ import annotations

import pytest

from mocks.llm._errors import LLMError
from mocks.llm._ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_request_budget_counts_down_and_refills() -> None:
    clock = Clock()
    limiter = RateLimiter(requests_per_minute=3, clock=clock)
    remaining = [limiter.acquire("m", 1)["x-ratelimit-remaining-requests"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    clock.now += 10
    with pytest.raises(LLMError) as caught:
        limiter.acquire("m", 1)
    error = caught.value
    assert (error.status, error.type, error.code) == (429, "requests", "rate_limit_exceeded")
    assert error.headers["retry-after-ms"] == "50000" and error.headers["retry-after"] == "50"
    clock.now += 50  # the minute since the three requests has passed
    assert limiter.acquire("m", 1)["x-ratelimit-remaining-requests"] == "2"


def test_token_budget() -> None:
    clock = Clock()
    limiter = RateLimiter(tokens_per_minute=100, clock=clock)
    headers = limiter.acquire("m", 60)
    assert headers["x-ratelimit-remaining-tokens"] == "40"
    assert headers["x-ratelimit-limit-requests"] == "10000"  # no request budget set
    clock.now += 5
    with pytest.raises(LLMError) as caught:
        limiter.acquire("m", 50)
    assert caught.value.type == "tokens" and "TPM" in caught.value.message
    assert caught.value.headers["retry-after"] == "55"
    limiter.settle(10)  # nothing pending: settles the last request spent
    assert limiter.acquire("m", 50)["x-ratelimit-remaining-tokens"] == "40"


def test_clear_forgets_everything() -> None:
    limiter = RateLimiter(requests_per_minute=1)
    limiter.acquire("m", 1)
    limiter.clear()
    assert limiter.acquire("m", 1)["x-ratelimit-remaining-requests"] == "0"


def test_the_window_stays_small_however_many_requests_it_counts() -> None:
    """Ten thousand requests in one second are all counted, in about a hundred slots
    (one entry per request used to be kept for a minute)."""
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for _ in range(10_000):
        headers = limiter.acquire("m", 3)
        clock.now += 0.0001
    assert headers["x-ratelimit-remaining-requests"] == "0"  # all 10,000 counted
    assert headers["x-ratelimit-remaining-tokens"] == "29970000"
    assert len(limiter._slots) <= 101
    clock.now += 60  # the whole second's slots leave the window together
    headers = limiter.acquire("m", 3)
    assert headers["x-ratelimit-remaining-requests"] == "9999"
    assert len(limiter._slots) == 1
