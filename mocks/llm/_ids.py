"""The shapes of OpenAI's ids, drawn from the mock's seeded generator (`mocks.core` ids)."""

from __future__ import annotations

import hashlib
import random

from mocks.core import derived_rng, prefixed_id, random_token

_HEX = "0123456789abcdef"


def chat_completion_id(rng: random.Random) -> str:
    """An id shaped like ``chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG``."""
    return prefixed_id(rng, "chatcmpl-", 29)


def completion_id(rng: random.Random) -> str:
    """An id shaped like ``cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7``."""
    return prefixed_id(rng, "cmpl-", 29)


def tool_call_id(rng: random.Random) -> str:
    """An id shaped like ``call_abc123...`` (24 characters after the prefix)."""
    return prefixed_id(rng, "call_", 24)


def hex_id(prefix: str, rng: random.Random, length: int = 48) -> str:
    """An id of lower-case hex digits, as the Responses API uses (``resp_``, ``msg_``)."""
    return prefixed_id(rng, prefix, length, _HEX)


def system_fingerprint(model: str) -> str:
    """A fingerprint that is stable for a model, like ``fp_44709d6fcb``."""
    return "fp_" + hashlib.sha256(model.encode()).hexdigest()[:10]


__all__ = [
    "chat_completion_id",
    "completion_id",
    "derived_rng",
    "hex_id",
    "random_token",
    "system_fingerprint",
    "tool_call_id",
]
