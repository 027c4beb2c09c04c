"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import hypothesis
import pytest
import requests

from mocks import MockHTTP

if TYPE_CHECKING:
    from mocks import MockTeams

#: The fuzz tests' settings (``hypothesis.settings.get_profile("fuzz")``): repeatable,
#: no example database, no deadline; examples per target or operation CI-sized by
#: default, longer with ``MOCKS_FUZZ_EXAMPLES=500``.
hypothesis.settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("MOCKS_FUZZ_EXAMPLES", "8")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)


@pytest.fixture
def fresh_mock() -> Iterator[MockHTTP]:
    """A MockHTTP of its own (for tests that change options the shared fixture must not keep)."""
    with MockHTTP.start(seed=7, check_responses=True) as mock:
        yield mock


def _teams_token(teams: MockTeams) -> str:
    answer = requests.post(
        teams.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": teams.app_id,
            "client_secret": teams.app_password,
            "scope": "https://api.botframework.com/.default",
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.fixture(scope="session")
def teams_token() -> Callable[[MockTeams], str]:
    """Get a connector token from a MockTeams as its bot does: over the token endpoint."""
    return _teams_token


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
