"""The model catalogue: ``GET /v1/models`` and what each model can do.

Each :class:`ModelInfo` says which endpoints a model serves (``kind``), how large a
prompt it takes (``context_window``), how many tokens it may write
(``max_output_tokens``) and, for embedding models, its native vector size. Dated
snapshots (``gpt-4o-2024-08-06``) resolve to their family. A :class:`ModelCatalog`
is what a mock consults; tests may add their own models.

>>> catalog = ModelCatalog()
>>> catalog.get("gpt-4o-mini-2024-07-18").id
'gpt-4o-mini'
>>> catalog.get("no-such-model") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

Kind = Literal["chat", "completion", "embedding"]
#: Whose model it is: which API's model listing shows it. Any API serves any model of
#: the catalogue (the providers' OpenAI-compatible endpoints do the same).
Provider = Literal["openai", "anthropic", "gemini"]

#: Dated or numbered snapshots of a family: ``gpt-4o-2024-08-06``, ``gpt-4-0613``,
#: ``claude-haiku-4-5-20251001``, ``gemini-2.0-flash-001``, ``gemini-2.5-flash-latest``.
_SNAPSHOT = re.compile(r"^(?P<family>.+?)-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|latest)$")


@dataclass(frozen=True)
class ModelInfo:
    """One model the mock serves."""

    id: str
    kind: Kind = "chat"
    context_window: int = 128_000
    max_output_tokens: int = 16_384
    dimensions: int = 0
    """Native embedding size (embedding models only)."""
    supports_dimensions: bool = False
    """Whether the ``dimensions`` parameter may shorten the vectors."""
    created: int = 1_715_367_049
    owned_by: str = "system"
    provider: Provider = "openai"

    def to_json(self) -> dict[str, Any]:
        """The ``model`` object of ``GET /v1/models``."""
        return {
            "id": self.id,
            "object": "model",
            "created": self.created,
            "owned_by": self.owned_by,
        }


DEFAULT_MODELS: tuple[ModelInfo, ...] = (
    ModelInfo("gpt-4o", created=1_715_367_049),
    ModelInfo("gpt-4o-mini", created=1_721_172_741),
    ModelInfo("gpt-4.1", context_window=1_047_576, max_output_tokens=32_768, created=1_744_316_542),
    ModelInfo(
        "gpt-4.1-mini", context_window=1_047_576, max_output_tokens=32_768, created=1_744_318_173
    ),
    ModelInfo(
        "gpt-4.1-nano", context_window=1_047_576, max_output_tokens=32_768, created=1_744_321_707
    ),
    ModelInfo("gpt-5", context_window=400_000, max_output_tokens=128_000, created=1_754_425_777),
    ModelInfo(
        "gpt-5-mini", context_window=400_000, max_output_tokens=128_000, created=1_754_425_928
    ),
    ModelInfo("o3-mini", context_window=200_000, max_output_tokens=100_000, created=1_737_146_383),
    ModelInfo("gpt-4-turbo", max_output_tokens=4_096, created=1_712_361_441),
    ModelInfo(
        "gpt-3.5-turbo", context_window=16_385, max_output_tokens=4_096, created=1_677_610_602
    ),
    ModelInfo(
        "gpt-3.5-turbo-instruct",
        kind="completion",
        context_window=4_096,
        max_output_tokens=4_096,
        created=1_692_901_427,
    ),
    ModelInfo(
        "davinci-002",
        kind="completion",
        context_window=16_384,
        max_output_tokens=4_096,
        created=1_692_634_301,
    ),
    ModelInfo(
        "text-embedding-3-small",
        kind="embedding",
        context_window=8_191,
        dimensions=1_536,
        supports_dimensions=True,
        created=1_705_948_997,
    ),
    ModelInfo(
        "text-embedding-3-large",
        kind="embedding",
        context_window=8_191,
        dimensions=3_072,
        supports_dimensions=True,
        created=1_705_953_180,
    ),
    ModelInfo(
        "text-embedding-ada-002",
        kind="embedding",
        context_window=8_191,
        dimensions=1_536,
        created=1_671_217_299,
        owned_by="openai-internal",
    ),
    *(
        ModelInfo(
            name,
            provider="anthropic",
            context_window=200_000,
            max_output_tokens=output,
            created=created,
            owned_by="anthropic",
        )
        for name, output, created in (
            ("claude-opus-5", 128_000, 1_777_593_600),
            ("claude-sonnet-5", 128_000, 1_777_593_600),
            ("claude-opus-4-8", 64_000, 1_772_323_200),
            ("claude-opus-4-7", 64_000, 1_769_904_000),
            ("claude-opus-4-6", 64_000, 1_767_225_600),
            ("claude-sonnet-4-6", 64_000, 1_767_225_600),
            ("claude-opus-4-5", 64_000, 1_764_547_200),
            ("claude-sonnet-4-5", 64_000, 1_759_104_000),
            ("claude-haiku-4-5", 64_000, 1_759_276_800),
            ("claude-opus-4-1", 32_000, 1_754_352_000),
            ("claude-sonnet-4-0", 64_000, 1_747_872_000),
            ("claude-3-7-sonnet", 64_000, 1_740_355_200),
            ("claude-3-5-haiku", 8_192, 1_729_555_200),
        )
    ),
    *(
        ModelInfo(
            name,
            provider="gemini",
            context_window=1_048_576,
            max_output_tokens=output,
            created=1_750_000_000,
            owned_by="google",
        )
        for name, output in (
            ("gemini-3-pro-preview", 65_536),
            ("gemini-2.5-pro", 65_536),
            ("gemini-2.5-flash", 65_536),
            ("gemini-2.5-flash-lite", 65_536),
            ("gemini-2.0-flash", 8_192),
            ("gemini-2.0-flash-lite", 8_192),
        )
    ),
    ModelInfo(
        "gemini-embedding-001",
        kind="embedding",
        provider="gemini",
        context_window=2_048,
        dimensions=3_072,
        supports_dimensions=True,
        owned_by="google",
    ),
    ModelInfo(
        "text-embedding-004",
        kind="embedding",
        provider="gemini",
        context_window=2_048,
        dimensions=768,
        supports_dimensions=True,
        owned_by="google",
    ),
)


class ModelCatalog:
    """The models a mock knows, looked up by id or dated snapshot id."""

    def __init__(self, models: Iterable[ModelInfo] = DEFAULT_MODELS) -> None:
        self._models: dict[str, ModelInfo] = {m.id: m for m in models}

    def add(self, model: ModelInfo | str, **fields: Any) -> ModelInfo:
        """Add (or replace) a model; a bare id makes a chat model with defaults."""
        info = ModelInfo(model) if isinstance(model, str) else model
        info = replace(info, **fields) if fields else info
        self._models[info.id] = info
        return info

    def get(self, model_id: str) -> ModelInfo | None:
        """The model ``model_id`` names, or ``None`` when it does not exist (Gemini's
        ``models/`` prefix is allowed)."""
        model_id = model_id.removeprefix("models/")
        if model_id in self._models:
            return self._models[model_id]
        match = _SNAPSHOT.match(model_id)
        if match and match.group("family") in self._models:
            return self._models[match.group("family")]
        return None

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and self.get(model_id) is not None

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self._models.values())

    def of(self, provider: Provider) -> list[ModelInfo]:
        """The models of one provider, in catalogue order."""
        return [m for m in self._models.values() if m.provider == provider]

    def list_json(self) -> dict[str, Any]:
        """The body of OpenAI's ``GET /v1/models``."""
        return {"object": "list", "data": [m.to_json() for m in self.of("openai")]}


KINDS: tuple[Kind, ...] = ("chat", "completion", "embedding")


def parse_model(text: str) -> ModelInfo:
    """A catalogue entry written as ``ID``, ``ID=KIND`` or ``ID=embedding:DIMENSIONS``
    (the ``--extra-models`` flag); a bare id is a chat model.

    The id may itself hold colons (``ft:gpt-4o-mini:acme::abc123``, ``llama3.1:8b``):
    only what follows the last ``=`` is the kind.

    >>> parse_model("llama3.1:8b").kind
    'chat'
    >>> info = parse_model("nomic-embed-text=embedding:768")
    >>> (info.id, info.kind, info.dimensions)
    ('nomic-embed-text', 'embedding', 768)
    """
    model_id, equals, spec = text.rpartition("=") if "=" in text else (text, "", "")
    model_id = model_id.strip()
    if not model_id:
        raise ValueError(f"no model id in {text!r}; write ID, ID=KIND or ID=embedding:DIMENSIONS")
    if not equals:
        return ModelInfo(model_id)
    kind, _, size = spec.partition(":")
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r} in {text!r}; use one of {', '.join(KINDS)}")
    if size and kind != "embedding":
        raise ValueError(f"only embedding models take a size, not {kind!r} in {text!r}")
    if kind != "embedding":
        return ModelInfo(model_id, kind=kind)
    try:
        dimensions = int(size) if size else 1536
    except ValueError:
        raise ValueError(f"embedding size {size!r} in {text!r} is not a whole number") from None
    if dimensions < 1:
        raise ValueError(f"embedding size in {text!r} must be at least 1")
    return ModelInfo(model_id, kind="embedding", dimensions=dimensions, context_window=8_191)
