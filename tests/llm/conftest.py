"""Fixtures for the MockLLM domain tests: contract checks and SDK type checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mocks.core import Contracts

Check = Callable[[str, Any], None]


@pytest.fixture(scope="session")
def contracts() -> Contracts:
    """The compiled contracts of the LLM service, loaded as the engine loads them."""
    return Contracts("llm")


@pytest.fixture(scope="session")
def conforms(contracts: Contracts) -> Check:
    """Assert that a document satisfies the named contract, naming the field if not."""

    def check(name: str, document: Any) -> None:
        violation = contracts.check(name, document)
        assert violation is None, str(violation)

    return check
