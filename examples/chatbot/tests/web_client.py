"""A browser's part without a browser: log in over HTTP, chat over the WebSocket.

`log_in` follows the real redirects (bot → Zitadel's authorize endpoint → back to the
bot's callback) with the provider set to log the user in without its pages (auto
login); the browser journey drives the pages themselves. `ChatSocket` speaks the chat
page's WebSocket protocol.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import requests

COOKIE = "chatbot_session"


def log_in(bot_url: str) -> requests.Session:
    """A logged-in HTTP session (the provider must log someone in automatically)."""
    session = requests.Session()
    landed = session.get(f"{bot_url}/login", timeout=30)
    assert landed.status_code == 200 and landed.url == f"{bot_url}/", (landed.url, landed.text)
    assert session.cookies.get(COOKIE), "the bot set no session cookie"
    return session


@dataclass
class Answer:
    """What the bot sent for one message: its pieces, the whole text, or an error."""

    pieces: list[str] = field(default_factory=list)
    text: str | None = None
    error: dict[str, Any] | None = None

    @property
    def streamed(self) -> str:
        return "".join(self.pieces)


class ChatSocket:
    """The chat WebSocket of a logged-in session."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket

    async def say(self, text: str, timeout: float = 20) -> Answer:
        """Send a chat message and read the answer until ``done`` or ``error``."""
        await self.socket.send_json({"type": "message", "text": text})
        return await self.answer(timeout)

    async def answer(self, timeout: float = 20) -> Answer:
        """Read events until the answer is complete or an error came (`timeout` seconds)."""
        answer = Answer()
        async with asyncio.timeout(timeout):
            while True:
                event = await self.socket.receive_json()
                if event["type"] == "token":
                    answer.pieces.append(event["text"])
                elif event["type"] == "done":
                    answer.text = event["text"]
                    return answer
                elif event["type"] == "error":
                    answer.error = event
                    return answer

    async def error(self, timeout: float = 10) -> dict[str, Any]:
        """The next event, which must be an error."""
        async with asyncio.timeout(timeout):
            event: dict[str, Any] = await self.socket.receive_json()
        assert event["type"] == "error", event
        return event


def socket_url(bot_url: str) -> str:
    """The chat WebSocket's URL."""
    return bot_url.replace("http://", "ws://", 1) + "/ws"


def cookie_header(session: requests.Session) -> dict[str, str]:
    """The Cookie header that carries `session`'s login."""
    return {"Cookie": f"{COOKIE}={session.cookies[COOKIE]}"}
