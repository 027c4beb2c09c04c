"""MockLLM's admin routes: its settings and model catalogue over HTTP.

They live under ``/__admin/llm`` beside the engine's own admin routes and are listed in
``/__admin/openapi.json``, so a test in any language can do what the Python options do::

    curl -X PATCH $MOCK/__admin/llm/settings -d '{"allow_unknown_models": true}'
    curl -X POST $MOCK/__admin/llm/models -d '{"id": "llama3.1:8b"}'
    curl $MOCK/__admin/llm/models

Bodies are validated with the models below: an unknown or missing field, or a value out
of range, is a 400 naming it. ``POST /__admin/reset`` restores the settings and the
catalogue the mock was started with.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from mocks.core import AdminCall, AdminRoute

from ._models import ModelCatalog, ModelInfo, Provider

PREFIX = "/__admin/llm"


class LLMSettings(BaseModel):
    """MockLLM's settings as the admin API shows them."""

    allow_unknown_models: bool = Field(
        description="serve any model name instead of answering 404 model_not_found"
    )
    context_window: int | None = Field(
        description="the context window every model has (null: each model's own)"
    )
    requests_per_minute: int | None = Field(description="request budget (null: unlimited)")
    tokens_per_minute: int | None = Field(description="token budget (null: unlimited)")
    batch_processing_seconds: float = Field(
        description="how long a new Message Batch stays in_progress (0: it ends when created)"
    )


class SettingsUpdate(BaseModel):
    """The settings to change; those left out keep their value, ``null`` clears one."""

    model_config = ConfigDict(extra="forbid")
    allow_unknown_models: bool | None = None
    context_window: int | None = Field(None, ge=1)
    requests_per_minute: int | None = Field(None, ge=1)
    tokens_per_minute: int | None = Field(None, ge=1)
    batch_processing_seconds: float = Field(0.0, ge=0, le=86_400)


class ModelEntry(BaseModel):
    """One model of the catalogue (what ``GET /v1/models`` lists and requests may name)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=256)
    kind: Literal["chat", "completion", "embedding"] = "chat"
    provider: Provider = "openai"
    context_window: int = Field(128_000, ge=1)
    max_output_tokens: int = Field(16_384, ge=1)
    dimensions: int = Field(0, ge=0, le=65_536, description="native embedding size")
    supports_dimensions: bool = False
    owned_by: str = "system"

    @classmethod
    def of(cls, info: ModelInfo) -> ModelEntry:
        """The entry describing ``info``."""
        return cls(
            id=info.id,
            kind=info.kind,
            provider=info.provider,
            context_window=info.context_window,
            max_output_tokens=info.max_output_tokens,
            dimensions=info.dimensions,
            supports_dimensions=info.supports_dimensions,
            owned_by=info.owned_by,
        )

    def info(self) -> ModelInfo:
        """The catalogue entry (an embedding model without a size gets 1536)."""
        dimensions = self.dimensions or (1536 if self.kind == "embedding" else 0)
        return ModelInfo(
            self.id,
            kind=self.kind,
            provider=self.provider,
            context_window=self.context_window,
            max_output_tokens=self.max_output_tokens,
            dimensions=dimensions,
            supports_dimensions=self.supports_dimensions,
            owned_by=self.owned_by,
        )


class ModelList(BaseModel):
    """The catalogue."""

    models: list[ModelEntry]


class LLMHost(Protocol):
    """What the admin routes use of `MockLLM`."""

    allow_unknown_models: bool
    context_window: int | None
    models: ModelCatalog

    def llm_settings(self) -> dict[str, Any]: ...

    def with_rate_limit(
        self, requests_per_minute: int | None = None, tokens_per_minute: int | None = None
    ) -> Any: ...

    def with_batch_processing(self, seconds: float) -> Any: ...


class LLMAdmin:
    """The ``/__admin/llm`` handlers of one mock."""

    def __init__(self, mock: LLMHost) -> None:
        self.mock = mock

    def get_settings(self, call: AdminCall) -> LLMSettings:
        return LLMSettings(**self.mock.llm_settings())

    def update_settings(self, call: AdminCall) -> LLMSettings:
        body: SettingsUpdate = call.body
        given = body.model_fields_set
        mock = self.mock
        if "allow_unknown_models" in given:
            mock.allow_unknown_models = bool(body.allow_unknown_models)
        if "context_window" in given:
            mock.context_window = body.context_window
        if "batch_processing_seconds" in given:
            mock.with_batch_processing(body.batch_processing_seconds)
        if given & {"requests_per_minute", "tokens_per_minute"}:
            current = mock.llm_settings()
            mock.with_rate_limit(
                body.requests_per_minute
                if "requests_per_minute" in given
                else current["requests_per_minute"],
                body.tokens_per_minute
                if "tokens_per_minute" in given
                else current["tokens_per_minute"],
            )
        return LLMSettings(**mock.llm_settings())

    def list_models(self, call: AdminCall) -> ModelList:
        return ModelList(models=[ModelEntry.of(info) for info in self.mock.models])

    def add_model(self, call: AdminCall) -> ModelEntry:
        entry: ModelEntry = call.body
        return ModelEntry.of(self.mock.models.add(entry.info()))

    def routes(self) -> list[AdminRoute]:
        """The ``/__admin/llm`` table."""
        return [
            AdminRoute(
                "GET",
                f"{PREFIX}/settings",
                self.get_settings,
                "MockLLM's settings (unknown models, context window, rate limits)",
                response=LLMSettings,
            ),
            AdminRoute(
                "PATCH",
                f"{PREFIX}/settings",
                self.update_settings,
                "Change settings (allow_unknown_models, context_window, rate limits)",
                body=SettingsUpdate,
                response=LLMSettings,
            ),
            AdminRoute(
                "GET",
                f"{PREFIX}/models",
                self.list_models,
                "The model catalogue",
                response=ModelList,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/models",
                self.add_model,
                "Add (or replace) a model of the catalogue",
                body=ModelEntry,
                response=ModelEntry,
                status=201,
            ),
        ]


__all__ = ["PREFIX", "LLMAdmin", "LLMSettings", "ModelEntry", "ModelList", "SettingsUpdate"]
