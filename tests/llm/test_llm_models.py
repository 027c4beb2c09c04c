"""The model catalogue behind GET /v1/models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openai.types import Model

from mocks.llm._models import DEFAULT_MODELS, ModelCatalog, ModelInfo

Check = Callable[[str, Any], None]


def test_model_list_fits_the_contract_and_the_sdk(conforms: Check) -> None:
    listing = ModelCatalog().list_json()
    conforms("model_list", listing)
    ids = [Model.model_validate(m).id for m in listing["data"]]
    assert ids == [m.id for m in DEFAULT_MODELS if m.provider == "openai"]
    for model in listing["data"]:
        conforms("model", model)


def test_lookup_knows_snapshots_and_refuses_strangers() -> None:
    catalog = ModelCatalog()
    info = catalog.get("gpt-4o-2024-08-06")
    assert info is not None and info.id == "gpt-4o"
    assert "o3-mini-2025-01-31" in catalog
    assert catalog.get("gpt-unknown") is None and "gpt-unknown" not in catalog
    embedding = catalog.get("text-embedding-3-large")
    assert embedding is not None and embedding.kind == "embedding" and embedding.dimensions == 3072


def test_tests_can_add_models() -> None:
    catalog = ModelCatalog()
    added = catalog.add("my-finetune", context_window=2048)
    assert catalog.get("my-finetune") == added == ModelInfo("my-finetune", context_window=2048)
    assert any(m.id == "my-finetune" for m in catalog)
