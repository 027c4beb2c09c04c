"""Deterministic ids, secrets and opaque tokens drawn from one seeded generator."""

from __future__ import annotations

import base64
import random
import string

_ALNUM = string.ascii_letters + string.digits


class IdGenerator:
    """Everything random the provider hands out, drawn from one seeded generator.

    Zitadel's resource ids are 18-digit numeric strings that grow over time (they are
    Sonyflake ids); `next_id()` produces ids of that shape. The same seed yields the same
    sequence, so a test that makes the same calls gets the same bytes.

    Example::

        ids = IdGenerator(seed=7)
        user_id = ids.next_id()          # e.g. "312345678901234567"
        token = ids.token()              # 43 url-safe characters
    """

    def __init__(self, seed: int | str = 0) -> None:
        self.seed = seed
        self._rng = random.Random(f"mocks.zitadel:{seed}")
        self._last = 300_000_000_000_000_000 + self._rng.randrange(10**15)

    def branch(self, label: str) -> None:
        """Draw from here on from a stream of the seed and `label` (ids keep increasing).

        MockZitadel branches after building the instance from its configuration, by its
        instance and reset generation: the project, configured users and keys stay as
        configured, while everything a test creates or is issued (users, tokens, codes,
        sessions) differs from the test before, so a kept token never names another user.
        """
        self._rng = random.Random(f"mocks.zitadel:{self.seed}:{label}")

    def next_id(self) -> str:
        """The next 18-digit numeric id, larger than the previous one."""
        self._last += self._rng.randrange(1, 1 << 16)
        return str(self._last)

    def random_bytes(self, size: int) -> bytes:
        """`size` bytes from the seeded generator."""
        return self._rng.randbytes(size)

    def token(self, size: int = 32) -> str:
        """An opaque, url-safe token of `size` random bytes (base64url, no padding)."""
        return base64.urlsafe_b64encode(self.random_bytes(size)).rstrip(b"=").decode()

    def secret(self, length: int = 64) -> str:
        """An alphanumeric secret, shaped like the client secrets Zitadel generates."""
        return "".join(self._rng.choice(_ALNUM) for _ in range(length))

    def choice_string(self, charset: str, length: int) -> str:
        """`length` characters drawn from `charset`."""
        return "".join(self._rng.choice(charset) for _ in range(length))

    def derive_seed(self, purpose: str) -> str:
        """A seed for a sub-generator (a key pair, say), stable for this generator's seed."""
        return f"{self.seed}:{purpose}:{self._rng.getrandbits(64)}"
