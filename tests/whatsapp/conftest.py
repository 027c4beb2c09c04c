"""Fixtures for the MockWhatsApp domain tests: the contracts, and a cloud on a frozen clock."""

from __future__ import annotations

import random
from typing import Any

import pytest
from wa_support import ACCOUNT, T0, Check

from mocks.core import Contracts
from mocks.jose import Clock
from mocks.whatsapp._cloud import StatusPlan, WhatsAppCloud


@pytest.fixture(scope="session")
def contracts() -> Contracts:
    """The compiled WhatsApp contracts, loaded as the engine loads them."""
    return Contracts("whatsapp")


@pytest.fixture(scope="session")
def conforms(contracts: Contracts) -> Check:
    """Assert that a document satisfies the named contract, naming the field if not."""

    def check(name: str, document: Any) -> None:
        violation = contracts.check(name, document)
        assert violation is None, str(violation)

    return check


@pytest.fixture
def clock() -> Clock:
    """A clock frozen at T0."""
    return Clock(fixed=T0)


@pytest.fixture
def cloud(clock: Clock) -> WhatsAppCloud:
    """A fresh simulated platform on the frozen clock, seed 7."""
    return WhatsAppCloud(ACCOUNT, rng=random.Random(7), seed=7, clock=clock, statuses=StatusPlan())
