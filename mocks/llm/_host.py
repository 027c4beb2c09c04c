"""What the per-API answerers (Anthropic's, Gemini's) use of the mock that hosts them."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from mocks.core import RecordedRequest, Reply, StreamChunk

from ._models import ModelCatalog
from ._ratelimit import RateLimiter


class LLMHost(Protocol):
    """The parts of `MockLLM` every API shares: keys, catalogue, limits and draws."""

    api_keys: list[str] | None
    models: ModelCatalog
    allow_unknown_models: bool
    context_window: int | None
    limiter: RateLimiter

    @property
    def rng(self) -> random.Random: ...

    @property
    def seed(self) -> int: ...

    def catalog_for(self, request: RecordedRequest, model: Any) -> ModelCatalog | None:
        """The catalogue to check ``model`` against (``None``: serve any name)."""
        ...

    def now(self) -> int:
        """The timestamp answers carry."""
        ...

    def stream_reply(
        self,
        request: RecordedRequest,
        chunks: Iterable[StreamChunk],
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A streamed reply, its events written as the request allows."""
        ...
