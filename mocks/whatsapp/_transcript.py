"""The transcript: both sides of every conversation, in the order they happened.

Each entry says who spoke (``direction`` ``"in"``: to the bot, from a user or from
WhatsApp; ``"out"``: from the bot), what ``kind`` of message it was, its ``text`` as a
person reads it and the exact JSON (``raw``). Appending wakes whoever waits for a reply.

>>> transcript = Transcript()
>>> _ = transcript.append(TranscriptEntry("in", "text", "hi", {}, user="15551234567"))
>>> [entry.text for entry in transcript.entries("15551234567")]
['hi']
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["in", "out"]
#: Entry kinds that are not something the bot said (read receipts, statuses).
NOT_A_REPLY = ("read", "status")


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One line of a conversation.

    ``direction`` is ``"in"`` (to the bot: a user's message, a status) or ``"out"`` (sent
    by the bot); ``kind`` is ``"text"``, ``"template"``, ``"media"``, ``"interactive"``,
    ``"location"``, ``"contacts"``, ``"reaction"``, ``"status"`` or ``"read"``; ``text``
    is what a person would read; ``raw`` the exact JSON (a sent message's request body,
    an incoming message, a status).
    """

    direction: Direction
    kind: str
    text: str
    raw: dict[str, Any]
    user: str = ""
    wamid: str = ""
    timestamp: int = 0

    def __str__(self) -> str:
        arrow = "->" if self.direction == "in" else "<-"
        return f"{arrow} [{self.kind}] {self.text}"


@dataclass(slots=True)
class Transcript:
    """Every entry of every conversation; thread-safe, and waitable."""

    _entries: list[TranscriptEntry] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def append(self, entry: TranscriptEntry) -> TranscriptEntry:
        """Add an entry at the end and wake the waiters."""
        with self._changed:
            self._entries.append(entry)
            self._changed.notify_all()
        return entry

    def entries(self, user: str | None = None) -> list[TranscriptEntry]:
        """The entries so far, of one user (by phone number) or of everyone."""
        with self._changed:
            return [e for e in self._entries if user is None or e.user == user]

    def __len__(self) -> int:
        with self._changed:
            return len(self._entries)

    def wait_for(
        self,
        predicate: Callable[[TranscriptEntry], bool],
        *,
        start: int = 0,
        timeout: float = 5.0,
    ) -> TranscriptEntry | None:
        """The first entry from position `start` on that satisfies `predicate`, waiting up to
        `timeout` seconds for it to arrive; None if it does not."""
        deadline = time.monotonic() + timeout
        with self._changed:
            checked = start
            while True:
                for entry in self._entries[checked:]:
                    if predicate(entry):
                        return entry
                checked = max(checked, len(self._entries))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    def clear(self) -> None:
        """Forget every entry."""
        with self._changed:
            self._entries.clear()
            self._changed.notify_all()

    def render(self, user: str | None = None) -> str:
        """The entries as readable lines, for failure messages."""
        lines = [str(entry) for entry in self.entries(user)]
        return "\n".join(lines) if lines else "(empty)"


def is_reply(entry: TranscriptEntry, user: str, contains: str = "") -> bool:
    """Whether `entry` is something the bot said to `user` whose text contains `contains`."""
    return (
        entry.user == user
        and entry.direction == "out"
        and entry.kind not in NOT_A_REPLY
        and contains in entry.text
    )


def after_last_message(entries: list[TranscriptEntry], user: str) -> int:
    """The position after `user`'s last message: where replies to it are looked for."""
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if entry.user == user and entry.direction == "in" and entry.kind != "status":
            return index + 1
    return 0
