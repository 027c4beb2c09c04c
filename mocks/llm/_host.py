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


class Dialect(Protocol):
    """One API MockLLM speaks (`OpenAIAPI`, `AnthropicAPI`, `GeminiAPI`): what the
    engine's hooks ask of whichever API a request speaks."""

    def api_key(self, request: RecordedRequest) -> str:
        """The API key the request presents where this API reads it ("" without one)."""
        ...

    def authorize(self, request: RecordedRequest) -> None:
        """Raise the API's own error when the credentials do not do."""
        ...

    def error_reply(
        self, status: int, message: str, request: RecordedRequest | None, field: str | None
    ) -> Reply:
        """An error in the API's envelope."""
        ...

    def finish(self, request: RecordedRequest, reply: Reply) -> Reply:
        """The API's headers on an answer."""
        ...

    def contract_error(self, request: RecordedRequest, param: str, message: str) -> Reply:
        """The API's answer to a request breaking its contract."""
        ...

    def malformed(self) -> Reply:
        """The API's answer to a body that is not JSON."""
        ...

    def not_found_message(self, request: RecordedRequest) -> str:
        """What the API answers a path it does not have with."""
        ...

    def list_models(self, request: RecordedRequest | None = None) -> Reply:
        """The API's model listing."""
        ...

    def get_model(self, request: RecordedRequest, name: str) -> Reply:
        """One model, as the API describes it."""
        ...
