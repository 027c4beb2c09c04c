"""One conversation turn, the same on every channel: store what the user said, let the
model answer with the stored history, store the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

from .assistant import Assistant
from .store import Store

#: What a channel tells the user when the model could not answer.
APOLOGY = "Sorry, I could not finish my answer. Please try again in a moment."


class ChatService:
    """Turns on any channel, remembered in PostgreSQL."""

    def __init__(self, store: Store, assistant: Assistant) -> None:
        self.store = store
        self.assistant = assistant

    async def stream(self, channel: str, user_id: str, text: str) -> AsyncIterator[str]:
        """Store the user's `text`, then yield the answer as the model streams it; the
        whole answer is stored once it is complete. Raises `AssistantUnavailable`."""
        await self.store.add_turn(channel, user_id, "user", text)
        async for piece in self._answer(channel, user_id):
            yield piece

    async def reply(
        self, channel: str, user_id: str, text: str, external_id: str | None = None
    ) -> str | None:
        """The whole answer to the user's `text`; None when the message with this
        `external_id` was already taken (a webhook delivered again). Raises
        `AssistantUnavailable`."""
        if not await self.store.add_turn(channel, user_id, "user", text, external_id):
            return None
        return "".join([piece async for piece in self._answer(channel, user_id)])

    async def _answer(self, channel: str, user_id: str) -> AsyncIterator[str]:
        history = await self.store.history(channel, user_id)
        pieces: list[str] = []
        async for piece in self.assistant.stream(history):
            pieces.append(piece)
            yield piece
        await self.store.add_turn(channel, user_id, "assistant", "".join(pieces))
