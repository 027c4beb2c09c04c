"""The business rules on the mock's clock: window, allow-list, throughput, pair limit."""

from __future__ import annotations

import pytest

from mocks.jose import Clock
from mocks.whatsapp._errors import GraphError
from mocks.whatsapp._rules import (
    BusinessRules,
    Limits,
    RateLimiter,
    RuleSwitches,
    ServiceWindow,
    TokenBucket,
)

USER = "15551234567"


def test_window_is_closed_until_the_user_writes(clock: Clock) -> None:
    window = ServiceWindow(clock)
    assert not window.is_open(USER)
    assert window.closes_at(USER) is None
    window.opened(USER)
    assert window.is_open(USER)
    assert window.closes_at(USER) == clock.now() + 24 * 3600


def test_window_closes_after_24_hours_and_reopens(clock: Clock) -> None:
    window = ServiceWindow(clock)
    window.opened(USER)
    clock.advance(24 * 3600 - 1)
    assert window.is_open(USER)
    clock.advance(1)
    assert not window.is_open(USER)
    window.opened(USER)
    assert window.is_open(USER)


def test_token_bucket_refills_with_the_clock(clock: Clock) -> None:
    bucket = TokenBucket(clock, capacity=2, rate=1)
    assert bucket.take() and bucket.take()
    assert not bucket.take()
    clock.advance(1)
    assert bucket.take()
    assert not bucket.take()
    clock.advance(100)
    assert bucket.take() and bucket.take() and not bucket.take()


def test_throughput_is_130429_past_the_per_second_limit(clock: Clock) -> None:
    limiter = RateLimiter(clock, Limits(messages_per_second=3))
    for _ in range(3):
        limiter.check_throughput()
    with pytest.raises(GraphError) as caught:
        limiter.check_throughput()
    assert caught.value.code == 130429
    clock.advance(1)
    limiter.check_throughput()


def test_pair_limit_is_131056_per_user(clock: Clock) -> None:
    limiter = RateLimiter(clock, Limits(pair_burst=2, pair_seconds_per_message=6))
    limiter.check_pair(USER)
    limiter.check_pair(USER)
    with pytest.raises(GraphError) as caught:
        limiter.check_pair(USER)
    assert caught.value.code == 131056
    limiter.check_pair("15559999999")  # another user has a bucket of their own
    clock.advance(6)
    limiter.check_pair(USER)
    limiter.clear()
    limiter.check_pair(USER)
    limiter.check_pair(USER)


def test_default_limits_are_whatsapps() -> None:
    limits = Limits()
    assert (limits.messages_per_second, limits.pair_burst, limits.pair_seconds_per_message) == (
        80,
        45,
        6,
    )


def test_admit_checks_the_allow_list_first(clock: Clock) -> None:
    rules = BusinessRules(clock)
    with pytest.raises(GraphError) as caught:
        rules.admit(USER)
    assert caught.value.code == 131030
    rules.allowed.allow(USER)
    rules.admit(USER)
    assert rules.allowed.numbers() == [USER]


def test_every_rule_can_be_switched_off(clock: Clock) -> None:
    switches = RuleSwitches(
        allow_list=False, throughput=False, pair_rate_limit=False, service_window=False
    )
    rules = BusinessRules(clock, switches)
    for _ in range(200):
        rules.admit(USER)
    assert rules.later_failure(USER, is_template=False) is None


def test_later_failure_is_131047_outside_the_window_except_for_templates(clock: Clock) -> None:
    rules = BusinessRules(clock)
    failure = rules.later_failure(USER, is_template=False)
    assert failure is not None and failure.code == 131047
    assert rules.later_failure(USER, is_template=True) is None
    rules.window.opened(USER)
    assert rules.later_failure(USER, is_template=False) is None
    clock.advance(24 * 3600)
    assert rules.later_failure(USER, is_template=False) is not None


def test_clear_forgets_windows_list_and_buckets(clock: Clock) -> None:
    rules = BusinessRules(clock)
    rules.allowed.allow(USER)
    rules.window.opened(USER)
    rules.clear()
    assert USER not in rules.allowed
    assert not rules.window.is_open(USER)
