"""Conversation-level testing: a user says something, the bot's reply is awaited and checked.

A :class:`Conversation` works for any bot that talks to the mock, in any language: the
user's message goes out as a signed webhook, and the reply is whatever the bot then sends
through the Graph API to that user.

Example::

    chat = mock.conversation("15551234567")
    chat.user_says("hi")
    chat.assert_response_contains("Welcome")
    print(chat.transcript)
"""

from __future__ import annotations

from typing import Any, Protocol

from ._transcript import Transcript, TranscriptEntry

#: Entry kinds that are not something the bot said (receipts and statuses).
_NOT_A_REPLY = ("read", "status")


class ConversationHost(Protocol):
    """What a conversation needs of the mock: sending a user's text, and the transcript."""

    transcript: Transcript

    def simulate_incoming(self, from_number: str, text: str, **options: Any) -> str:
        """Deliver a text from `from_number` to the bot; return its wamid."""

    def normalize_user(self, number: str) -> str:
        """A user's phone number as international digits."""


class Conversation:
    """One user's conversation with the bot under test."""

    def __init__(self, host: ConversationHost, user: str, *, name: str | None = None) -> None:
        self.host = host
        self.user = host.normalize_user(user)
        self.name = name
        self._mark = len(host.transcript)

    def user_says(self, text: str) -> str:
        """Send `text` from the user as a webhook (returns its wamid once the bot took it).

        Replies are looked for from here on.
        """
        self._mark = len(self.host.transcript)
        options = {"name": self.name} if self.name else {}
        return self.host.simulate_incoming(self.user, text, **options)

    def assert_response_contains(self, text: str, timeout: float = 5.0) -> TranscriptEntry:
        """Wait until the bot sends this user a message whose text contains `text`.

        Only messages since the last `user_says` count. Raises AssertionError with the
        transcript when none arrives within `timeout` seconds.
        """

        def is_reply(entry: TranscriptEntry) -> bool:
            return (
                entry.user == self.user
                and entry.direction == "out"
                and entry.kind not in _NOT_A_REPLY
                and text in entry.text
            )

        found = self.host.transcript.wait_for(is_reply, start=self._mark, timeout=timeout)
        if found is None:
            raise AssertionError(
                f"the bot sent {self.user} no message containing {text!r} within {timeout}s; "
                f"transcript:\n{self.host.transcript.render(self.user)}"
            )
        return found

    def replies(self) -> list[TranscriptEntry]:
        """What the bot has sent this user so far (read receipts left out)."""
        return [e for e in self.transcript if e.direction == "out" and e.kind not in _NOT_A_REPLY]

    @property
    def transcript(self) -> list[TranscriptEntry]:
        """Both sides of this conversation, in order."""
        return self.host.transcript.entries(self.user)

    def __str__(self) -> str:
        return self.host.transcript.render(self.user)
