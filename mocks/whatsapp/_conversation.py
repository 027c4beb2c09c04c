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

from typing import Protocol

from ._transcript import Transcript, TranscriptEntry, after_last_message, is_reply


class ConversationHost(Protocol):
    """What a conversation needs of the mock: delivering a user's text."""

    def simulate_incoming(self, from_number: str, text: str, *, name: str | None = None) -> str:
        """Deliver a text from `from_number` to the bot; return its wamid."""

    def normalize_user(self, number: str) -> str:
        """A user's phone number as international digits."""


class Conversation:
    """One user's conversation with the bot under test."""

    def __init__(
        self,
        host: ConversationHost,
        transcript: Transcript,
        user: str,
        *,
        name: str | None = None,
    ) -> None:
        self.host = host
        self.log = transcript
        self.user = host.normalize_user(user)
        self.name = name

    def user_says(self, text: str) -> str:
        """Send `text` from the user as a webhook; returns its wamid once the bot took it."""
        return self.host.simulate_incoming(self.user, text, name=self.name)

    def assert_response_contains(self, text: str, timeout: float = 5.0) -> TranscriptEntry:
        """Wait until the bot sends this user a message whose text contains `text`.

        Only messages after the user's last message count (what they said, tapped or
        sent). Raises AssertionError with the transcript when none arrives within
        `timeout` seconds.
        """
        start = after_last_message(self.log.entries(), self.user)
        found = self.log.wait_for(
            lambda entry: is_reply(entry, self.user, text), start=start, timeout=timeout
        )
        if found is None:
            raise AssertionError(
                f"the bot sent {self.user} no message containing {text!r} within {timeout}s; "
                f"transcript:\n{self.log.render(self.user)}"
            )
        return found

    def replies(self) -> list[TranscriptEntry]:
        """What the bot has sent this user so far (read receipts left out)."""
        return [e for e in self.transcript if is_reply(e, self.user)]

    @property
    def transcript(self) -> list[TranscriptEntry]:
        """Both sides of this conversation, in order."""
        return self.log.entries(self.user)

    def __str__(self) -> str:
        return self.log.render(self.user)
