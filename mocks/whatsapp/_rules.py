"""The business rules WhatsApp enforces on sends, each switchable, on an injectable clock.

- The recipient allow-list of a test number (131030, answered at once).
- The 24-hour customer-service window: a free-form message to a user who has not written
  in 24 hours is accepted, then fails as a ``failed`` status with 131047; templates may
  always be sent.
- Throughput per sending number (130429) and the pair rate limit per user (131056).

Time is the mock's :class:`~mocks.jose.Clock`, so a test can move it forward instead of
waiting.

>>> from mocks.jose import Clock
>>> clock = Clock(fixed=0)
>>> window = ServiceWindow(clock)
>>> window.opened("15551234567")
>>> clock.advance(24 * 3600 + 1)
>>> window.is_open("15551234567")
False
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from mocks.jose import Clock

from ._errors import (
    GraphError,
    pair_rate_limited,
    recipient_not_allowed,
    reengagement_required,
    throughput_exceeded,
)

WINDOW_SECONDS = 24 * 3600


@dataclass(slots=True)
class RuleSwitches:
    """Which rules are on (all of them by default, as on a WhatsApp test number)."""

    allow_list: bool = True
    service_window: bool = True
    throughput: bool = True
    pair_rate_limit: bool = True
    templates: bool = True


class ServiceWindow:
    """When each user last wrote, and whether the business may still answer freely."""

    def __init__(self, clock: Clock, seconds: float = WINDOW_SECONDS) -> None:
        self.clock = clock
        self.seconds = seconds
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def opened(self, wa_id: str) -> None:
        """The user wrote now: the window (re)opens for 24 hours."""
        with self._lock:
            self._last[wa_id] = self.clock.now()

    def is_open(self, wa_id: str) -> bool:
        """Whether the user wrote less than 24 hours ago."""
        closes = self.closes_at(wa_id)
        return closes is not None and self.clock.now() < closes

    def closes_at(self, wa_id: str) -> float | None:
        """When the window closes (epoch seconds), None if the user never wrote."""
        with self._lock:
            last = self._last.get(wa_id)
        return None if last is None else last + self.seconds

    def clear(self) -> None:
        """Forget every window."""
        with self._lock:
            self._last.clear()


class AllowList:
    """The phone numbers a test number may message."""

    def __init__(self) -> None:
        self._numbers: set[str] = set()
        self._lock = threading.Lock()

    def allow(self, wa_id: str) -> None:
        """Add a number (international digits)."""
        with self._lock:
            self._numbers.add(wa_id)

    def __contains__(self, wa_id: object) -> bool:
        with self._lock:
            return wa_id in self._numbers

    def numbers(self) -> list[str]:
        """The numbers on the list, sorted."""
        with self._lock:
            return sorted(self._numbers)

    def clear(self) -> None:
        """Empty the list."""
        with self._lock:
            self._numbers.clear()


class TokenBucket:
    """`capacity` tokens, refilled at `rate` per second of the clock; one per message."""

    def __init__(self, clock: Clock, capacity: float, rate: float) -> None:
        self.clock = clock
        self.capacity = capacity
        self.rate = rate
        self._tokens = capacity
        self._at = clock.now()

    def take(self) -> bool:
        """Spend a token if there is one."""
        now = self.clock.now()
        self._tokens = min(self.capacity, self._tokens + max(0.0, now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


@dataclass(frozen=True, slots=True)
class Limits:
    """Rate limits: messages per second per number; burst and refill per user pair."""

    messages_per_second: float = 80.0
    pair_burst: float = 45.0
    pair_seconds_per_message: float = 6.0


class RateLimiter:
    """Throughput of the sending number and the pair rate limit of each recipient."""

    def __init__(self, clock: Clock, limits: Limits | None = None) -> None:
        self.clock = clock
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._number = self._new_number_bucket()
        self._pairs: dict[str, TokenBucket] = {}

    def _new_number_bucket(self) -> TokenBucket:
        rate = self.limits.messages_per_second
        return TokenBucket(self.clock, rate, rate)

    def check_throughput(self) -> None:
        """Raise 130429 when the number sends faster than its throughput."""
        with self._lock:
            if not self._number.take():
                raise throughput_exceeded()

    def check_pair(self, wa_id: str) -> None:
        """Raise 131056 when this user gets messages faster than the pair limit."""
        with self._lock:
            bucket = self._pairs.get(wa_id)
            if bucket is None:
                per_second = 1 / self.limits.pair_seconds_per_message
                bucket = TokenBucket(self.clock, self.limits.pair_burst, per_second)
                self._pairs[wa_id] = bucket
            if not bucket.take():
                raise pair_rate_limited()

    def clear(self) -> None:
        """Full buckets again."""
        with self._lock:
            self._number = self._new_number_bucket()
            self._pairs.clear()


class BusinessRules:
    """The rules together: `admit` a send at once, and tell whether it fails later."""

    def __init__(self, clock: Clock, switches: RuleSwitches | None = None) -> None:
        self.clock = clock
        self.switches = switches or RuleSwitches()
        self.window = ServiceWindow(clock)
        self.allowed = AllowList()
        self.limits = RateLimiter(clock)

    def admit(self, wa_id: str) -> None:
        """Raise what WhatsApp answers at once: 131030, 130429 or 131056 (in that order)."""
        if self.switches.allow_list and wa_id not in self.allowed:
            raise recipient_not_allowed()
        if self.switches.throughput:
            self.limits.check_throughput()
        if self.switches.pair_rate_limit:
            self.limits.check_pair(wa_id)

    def later_failure(self, wa_id: str, *, is_template: bool) -> GraphError | None:
        """The error a failed status reports for an accepted send (131047), or None."""
        if is_template or not self.switches.service_window or self.window.is_open(wa_id):
            return None
        return reengagement_required()

    def clear(self) -> None:
        """Forget windows, the allow-list and the rate-limit state."""
        self.window.clear()
        self.allowed.clear()
        self.limits.clear()
