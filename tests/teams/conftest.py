"""Shared helpers of the Teams unit tests, handed out through the `kit` fixture so the
tests run under any pytest import mode."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from mocks.core import Contracts
from mocks.jose import Clock
from mocks.teams._activities import ActivityFactory
from mocks.teams._connector import Connector
from mocks.teams._directory import Account, Directory
from mocks.teams._ids import TeamsIds
from mocks.teams._transcript import Transcript

NOW = 1_700_000_000
APP_ID = "11111111-2222-4333-8444-555555555555"
TENANT_ID = "a0c11c4f-6d0e-4a51-9f42-7e1d2b3c4d5e"
SERVICE_URL = "http://127.0.0.1:9999/"
CONTRACTS = Contracts("teams")


def assert_valid(name: str, document: Any) -> None:
    """Fail naming the field when `document` breaks contract `name` (file name without .json)."""
    violation = CONTRACTS.check(name, document)
    assert violation is None, str(violation)


def assert_invalid(name: str, document: Any) -> None:
    """Fail when `document` satisfies contract `name`."""
    assert CONTRACTS.check(name, document) is not None


@pytest.fixture
def kit() -> SimpleNamespace:
    """A tenant on a frozen clock: ids, directory, transcript, connector and activity factory."""
    clock = Clock(fixed=NOW)
    ids = TeamsIds(seed=1)
    bot = Account(id=f"28:{APP_ID}", name="EchoBot")
    directory = Directory(ids, TENANT_ID, bot)
    transcript = Transcript()
    return SimpleNamespace(
        clock=clock,
        ids=ids,
        bot=bot,
        directory=directory,
        transcript=transcript,
        connector=Connector(directory, transcript, ids),
        factory=ActivityFactory(ids, clock, bot, service_url=SERVICE_URL),
        assert_valid=assert_valid,
        assert_invalid=assert_invalid,
        APP_ID=APP_ID,
        TENANT_ID=TENANT_ID,
        SERVICE_URL=SERVICE_URL,
        NOW=NOW,
    )
