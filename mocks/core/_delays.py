"""Delay distributions, sampled from the mock's seeded generator.

WireMock's vocabulary: a fixed delay, a uniform one between two bounds, a lognormal
one (median and sigma, optionally capped), and a chunked dribble that spreads the body
over a duration in N chunks.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


async def sleep_at_least(seconds: float) -> None:
    """Sleep `seconds`, never less: uvloop's timers count whole milliseconds and may wake
    a little early, and a programmed delay is a promise to the client."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        await asyncio.sleep(left)


class _Delay(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    def sample(self, rng: random.Random) -> float:
        """One delay in seconds."""
        raise NotImplementedError


class FixedDelay(_Delay):
    """Always the same delay."""

    kind: Literal["fixed"] = "fixed"
    ms: float = Field(ge=0)

    def sample(self, rng: random.Random) -> float:
        return self.ms / 1000


class UniformDelay(_Delay):
    """A delay drawn uniformly between `lower_ms` and `upper_ms`."""

    kind: Literal["uniform"] = "uniform"
    lower_ms: float = Field(ge=0)
    upper_ms: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> UniformDelay:
        if self.upper_ms < self.lower_ms:
            raise ValueError("upper_ms: must not be below lower_ms")
        return self

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.lower_ms, self.upper_ms) / 1000


class LogNormalDelay(_Delay):
    """A lognormal delay: half the draws fall below `median_ms`; `sigma` sets the tail."""

    kind: Literal["lognormal"] = "lognormal"
    median_ms: float = Field(gt=0)
    sigma: float = Field(ge=0)
    max_ms: float | None = Field(None, gt=0)

    def sample(self, rng: random.Random) -> float:
        value = rng.lognormvariate(math.log(self.median_ms), self.sigma)
        if self.max_ms is not None:
            value = min(value, self.max_ms)
        return value / 1000


Delay = Annotated[FixedDelay | UniformDelay | LogNormalDelay, Field(discriminator="kind")]


class ChunkedDribble(BaseModel):
    """Send the body in `chunks` pieces spread evenly over `duration_ms`."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    kind: Literal["dribble"] = "dribble"
    chunks: int = Field(ge=1)
    duration_ms: float = Field(ge=0)


def as_delay(value: Any) -> FixedDelay | UniformDelay | LogNormalDelay:
    """Accept milliseconds (a number) or a delay object."""
    if isinstance(value, FixedDelay | UniformDelay | LogNormalDelay):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return FixedDelay(ms=value)
    raise TypeError(f"a delay is milliseconds or a delay object, not {value!r}")
