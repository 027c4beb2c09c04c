"""Shared fixtures for the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mocks import MockHTTP


@pytest.fixture
def fresh_mock() -> Iterator[MockHTTP]:
    """A MockHTTP of its own (for tests that change options the shared fixture must not keep)."""
    with MockHTTP.start(seed=7, check_responses=True) as mock:
        yield mock


pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent
#: Folders whose tests start processes, browsers, whole client stacks or fuzz: the full run has
#: them, the contributor's quick run (``-m "not integration"``) leaves them out.
INTEGRATION = frozenset({"clients", "e2e", "fuzz", "standalone"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(item.path).resolve().relative_to(TESTS).parts
        if len(parts) > 1 and parts[0] in INTEGRATION:
            item.add_marker(pytest.mark.integration)
