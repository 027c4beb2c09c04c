"""Deterministic Teams-shaped ids drawn from one seeded generator.

Two kinds of id: those that name something a test refers to by name (a user "alice", a
team "Contoso") are derived from the seed and the name, so they do not depend on the
order of calls; those that are handed out in sequence (activity ids, new conversations)
come from the seeded generator. The same seed and the same calls give the same bytes.
"""

from __future__ import annotations

import hashlib
import random
import string
import uuid

_ID_CHARS = string.ascii_letters + string.digits + "-_"
_HEX = "0123456789abcdef"
#: Teams' message ids are epoch milliseconds; sequences start near this instant.
_ACTIVITY_ID_BASE = 1_700_000_000_000


class TeamsIds:
    """Every id the channel hands out.

    Example::

        ids = TeamsIds(seed=7)
        ids.user_id("alice")        # "29:1..." stable for seed 7
        ids.activity_id()           # "1700000123456", growing
        ids.conversation_id("personal")  # "a:1..."
    """

    def __init__(self, seed: int | str = 0) -> None:
        self.seed = seed
        self._rng = random.Random(f"mocks.teams:{seed}")
        self._last_activity = _ACTIVITY_ID_BASE + self._rng.randrange(10**9)

    # ids derived from a name ------------------------------------------------------------

    def _digest(self, kind: str, name: str) -> bytes:
        return hashlib.sha256(f"mocks.teams:{self.seed}:{kind}:{name}".encode()).digest()

    def _named_chars(self, kind: str, name: str, length: int, alphabet: str) -> str:
        rng = random.Random(self._digest(kind, name))
        return "".join(rng.choice(alphabet) for _ in range(length))

    def named_uuid(self, kind: str, name: str) -> str:
        """A GUID (version 4 layout) stable for this seed, `kind` and `name`."""
        return str(uuid.UUID(bytes=self._digest(kind, name)[:16], version=4))

    def user_id(self, name: str) -> str:
        """The Teams user id (``29:1...``) of the user called `name`."""
        return "29:1" + self._named_chars("user", name, 62, _ID_CHARS)

    def thread_id(self, kind: str, name: str, suffix: str) -> str:
        """A thread id ``19:<32 hex>@<suffix>`` (teams and channels: ``thread.tacv2``,
        group chats: ``thread.v2``) stable for this seed, `kind` and `name`."""
        return f"19:{self._named_chars(kind, name, 32, _HEX)}@{suffix}"

    def personal_conversation_id(self, user_id: str, bot_id: str) -> str:
        """The 1:1 conversation id (``a:1...``) of a user with the bot; Teams keeps one per
        pair, so it is derived from both."""
        return "a:1" + self._named_chars("personal", f"{user_id}|{bot_id}", 86, _ID_CHARS)

    # ids handed out in sequence ---------------------------------------------------------

    def activity_id(self) -> str:
        """The next message id: epoch-millisecond digits, larger than the previous one."""
        self._last_activity += self._rng.randrange(1, 5000)
        return str(self._last_activity)

    def invoke_id(self) -> str:
        """An id for a non-message activity (invoke, typing, update), ``f:<digits>``."""
        return "f:" + "".join(self._rng.choice(string.digits) for _ in range(19))

    def token(self, size: int = 24) -> str:
        """An opaque url-safe token (continuation tokens, attachment ids)."""
        return "".join(self._rng.choice(_ID_CHARS) for _ in range(size))

    def guid(self) -> str:
        """A GUID from the sequence (trace ids, correlation ids)."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def group_chat_id(self) -> str:
        """A new group chat thread id."""
        return f"19:{''.join(self._rng.choice(_HEX) for _ in range(32))}@thread.v2"
