"""Identifiers and seeded generators.

Every id the mock hands out comes from a :class:`random.Random` that the caller owns,
so the same seed yields the same ids. Content that must not depend on request order
(simulated answers, embeddings) uses :func:`derived_rng`, seeded from the text itself.
"""

from __future__ import annotations

import hashlib
import random
import string

_ALNUM = string.ascii_letters + string.digits


def derived_rng(seed: int, *parts: str) -> random.Random:
    """Return a generator seeded from ``seed`` and ``parts`` only.

    Python's ``hash()`` is salted per process, so a digest is used instead: the same
    inputs give the same generator in every process.

    >>> derived_rng(1, "hi").random() == derived_rng(1, "hi").random()
    True
    """
    digest = hashlib.sha256(repr((seed, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def random_token(rng: random.Random, length: int, alphabet: str = _ALNUM) -> str:
    """Return ``length`` characters drawn from ``alphabet``."""
    return "".join(rng.choice(alphabet) for _ in range(length))


def chat_completion_id(rng: random.Random) -> str:
    """An id shaped like ``chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG``."""
    return "chatcmpl-" + random_token(rng, 29)


def completion_id(rng: random.Random) -> str:
    """An id shaped like ``cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7``."""
    return "cmpl-" + random_token(rng, 29)


def tool_call_id(rng: random.Random) -> str:
    """An id shaped like ``call_abc123...`` (24 characters after the prefix)."""
    return "call_" + random_token(rng, 24)


def hex_id(prefix: str, rng: random.Random, length: int = 48) -> str:
    """An id of lower-case hex digits, as the Responses API uses (``resp_``, ``msg_``)."""
    return prefix + random_token(rng, length, "0123456789abcdef")


def system_fingerprint(model: str) -> str:
    """A fingerprint that is stable for a model, like ``fp_44709d6fcb``."""
    return "fp_" + hashlib.sha256(model.encode()).hexdigest()[:10]
