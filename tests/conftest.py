"""Shared fixtures for the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mocks import MockHTTP


@pytest.fixture
def fresh_mock() -> Iterator[MockHTTP]:
    """A MockHTTP of its own (for tests that change options the shared fixture must not keep)."""
    with MockHTTP.start(seed=7, check_responses=True) as mock:
        yield mock


pytest_plugins = ["pytester"]
