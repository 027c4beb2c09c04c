"""An injectable clock, so tests can freeze, advance or skew the provider's time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime


class Clock:
    """The provider's notion of "now", in seconds since the epoch.

    By default it follows the wall clock. `freeze()` pins it to an instant, `advance()`
    moves it forward (frozen or not) and `skew` shifts it against the wall clock, which is
    how a test simulates a provider whose clock runs ahead of or behind its clients.

    Example::

        clock = Clock()
        clock.freeze(1_700_000_000)
        clock.advance(3600)
        assert clock.now() == 1_700_003_600
    """

    def __init__(
        self,
        *,
        fixed: float | None = None,
        skew: float = 0.0,
        source: Callable[[], float] = time.time,
    ) -> None:
        self._fixed = fixed
        self._source = source
        self.skew = skew

    def now(self) -> float:
        """The current time in seconds since the epoch, skew included."""
        base = self._fixed if self._fixed is not None else self._source()
        return base + self.skew

    def timestamp(self) -> int:
        """The current time as whole seconds, as JWT claims carry it."""
        return int(self.now())

    @property
    def frozen(self) -> bool:
        """Whether the clock is pinned to an instant."""
        return self._fixed is not None

    def freeze(self, at: float | datetime | None = None) -> None:
        """Pin the clock to `at` (default: the current time, skew excluded)."""
        if isinstance(at, datetime):
            at = at.timestamp()
        self._fixed = self._source() if at is None else float(at)

    def unfreeze(self) -> None:
        """Follow the wall clock again."""
        self._fixed = None

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` (a frozen clock stays frozen)."""
        if self._fixed is not None:
            self._fixed += seconds
        else:
            self.skew += seconds
