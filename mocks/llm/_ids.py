"""The shapes of OpenAI's ids, drawn from the mock's seeded generator (`mocks.core` ids)."""

from __future__ import annotations

import functools
import hashlib
import random
import string

from mocks.core import derived_rng, random_token

_HEX = "0123456789abcdef"
_ALNUM = string.ascii_letters + string.digits
#: Random bytes to letters and digits: ``bytes.translate`` maps a whole blob at C speed.
_BYTE_TO_ALNUM = bytes((_ALNUM[b % len(_ALNUM)]).encode()[0] for b in range(256))


def chat_completion_id(rng: random.Random) -> str:
    """An id shaped like ``chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG``."""
    return "chatcmpl-" + alnum_token(rng, 29)


def completion_id(rng: random.Random) -> str:
    """An id shaped like ``cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7``."""
    return "cmpl-" + alnum_token(rng, 29)


def tool_call_id(rng: random.Random) -> str:
    """An id shaped like ``call_abc123...`` (24 characters after the prefix)."""
    return "call_" + alnum_token(rng, 24)


def hex_id(prefix: str, rng: random.Random, length: int = 48) -> str:
    """An id of lower-case hex digits, as the Responses API uses (``resp_``, ``msg_``)."""
    return prefix + f"{rng.getrandbits(4 * length):0{length}x}"


@functools.lru_cache(maxsize=256)
def system_fingerprint(model: str) -> str:
    """A fingerprint that is stable for a model, like ``fp_44709d6fcb``."""
    return "fp_" + hashlib.sha256(model.encode()).hexdigest()[:10]


def alnum_token(rng: random.Random, length: int) -> str:
    """``length`` letters and digits from one draw of random bytes (the many short
    tokens of a stream cost one call, not one per character)."""
    return rng.randbytes(length).translate(_BYTE_TO_ALNUM).decode()


def request_id(rng: random.Random) -> str:
    """An ``x-request-id`` shaped like ``req_`` and 32 hex digits."""
    return f"req_{rng.getrandbits(128):032x}"


class Paddings:
    """The ``obfuscation`` padding of a stream's chunks, 1 to 12 characters each: a
    stream draws a size and a start for each chunk and one short run of letters (three
    calls, however long the stream), and each padding is cut out of the run when its
    chunk is written.

    >>> import random
    >>> paddings = Paddings(random.Random(0), 3)
    >>> [1 <= len(paddings[i]) <= 12 for i in range(3)]
    [True, True, True]
    """

    __slots__ = ("letters", "sizes", "starts")

    def __init__(self, rng: random.Random, count: int) -> None:
        self.sizes = rng.randbytes(count)
        self.starts = rng.randbytes(count)
        self.letters = alnum_token(rng, 256 + 12)

    def __getitem__(self, index: int) -> str:
        start = self.starts[index]
        return self.letters[start : start + 1 + self.sizes[index] % 12]


__all__ = [
    "Paddings",
    "alnum_token",
    "chat_completion_id",
    "completion_id",
    "derived_rng",
    "hex_id",
    "random_token",
    "request_id",
    "system_fingerprint",
    "tool_call_id",
]
