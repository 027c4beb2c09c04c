"""Seeded identifiers: the random part of every id a mock hands out.

A mock draws ids from its own seeded generator (`BaseMock.rng`), so the same test gives
the same bytes. Content that must not depend on request order (a simulated answer, an
embedding) uses `derived_rng`, seeded from the content itself.
"""

from __future__ import annotations

import hashlib
import random
import string

#: Letters and digits, the alphabet of most API ids.
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def random_token(rng: random.Random, length: int, alphabet: str = ALNUM) -> str:
    """``length`` characters drawn from ``alphabet``."""
    return "".join(rng.choice(alphabet) for _ in range(length))


def prefixed_id(rng: random.Random, prefix: str, length: int, alphabet: str = ALNUM) -> str:
    """An id such as ``chatcmpl-B9MHDbslfk...``: a fixed prefix and a seeded random part."""
    return prefix + random_token(rng, length, alphabet)


def derived_rng(seed: int | str, *parts: str) -> random.Random:
    """A generator seeded from ``seed`` and ``parts`` only, the same in every process.

    Python's ``hash()`` is salted per process, so a digest is used instead.

    >>> derived_rng(1, "hi").random() == derived_rng(1, "hi").random()
    True
    """
    digest = hashlib.sha256(repr((seed, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


__all__ = ["ALNUM", "HEX", "derived_rng", "prefixed_id", "random_token"]
