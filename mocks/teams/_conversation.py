"""A user's conversation with the bot, as a test drives it: say something, read the
answer, look at the transcript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ._answers import BotAnswer
from ._directory import Account, Conversation
from ._transcript import Transcript, TranscriptEntry, thread_base

#: Entries that count as the bot answering.
_ANSWER_KINDS = ("message", "card", "update", "invoke")


class _Simulator(Protocol):
    """What a conversation needs from the mock: its simulate methods."""

    @property
    def simulate_incoming(self) -> Callable[..., BotAnswer]: ...

    @property
    def simulate_card_action(self) -> Callable[..., BotAnswer]: ...


class TeamsConversation:
    """One user in one conversation with the bot.

    Example::

        chat = mock_teams.conversation("alice")
        chat.user_says("hello")
        chat.assert_response_contains("hello")
        [str(e) for e in chat.transcript]   # ["user message: hello", "bot message: echo: hello"]
    """

    def __init__(
        self, mock: _Simulator, log: Transcript, user: Account, conversation: Conversation
    ) -> None:
        self._mock = mock
        self._log = log
        self.user = user
        self.conversation = conversation
        self._mark = len(log)

    @property
    def id(self) -> str:
        """The conversation id."""
        return self.conversation.id

    def user_says(self, text: str, **options: Any) -> BotAnswer:
        """The user sends `text` (options as `MockTeams.simulate_incoming`); returns the
        bot's answer."""
        self._mark = len(self._log)
        return self._mock.simulate_incoming(text, self.user, self.conversation, **options)

    def user_presses(
        self, verb: str, data: dict[str, Any] | None = None, **options: Any
    ) -> BotAnswer:
        """The user presses an Adaptive Card ``Action.Execute`` button with `verb`."""
        self._mark = len(self._log)
        return self._mock.simulate_card_action(verb, data, self.user, self.conversation, **options)

    @property
    def transcript(self) -> list[TranscriptEntry]:
        """Both sides of this conversation (its channel threads included), in order."""
        return self._log.entries(self.conversation.id)

    @property
    def replies(self) -> list[TranscriptEntry]:
        """What the bot sent here, in order."""
        return [entry for entry in self.transcript if entry.direction == "out"]

    def assert_response_contains(self, text: str, timeout: float = 5.0) -> TranscriptEntry:
        """Wait until the bot answers (since the user last spoke) with something whose
        readable text contains `text`; return that entry or fail showing the transcript."""
        base = thread_base(self.conversation.id)

        def answers(entry: TranscriptEntry) -> bool:
            return (
                entry.direction == "out"
                and entry.kind in _ANSWER_KINDS
                and thread_base(entry.conversation_id) == base
                and text in entry.text
            )

        found = self._log.wait_for(answers, timeout, start=self._mark)
        if found is None:
            shown = "\n".join(f"  {entry}" for entry in self.transcript) or "  (nothing)"
            raise AssertionError(
                f"the bot did not answer {text!r} within {timeout}s; transcript:\n{shown}"
            )
        return found
