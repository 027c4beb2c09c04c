"""The web chat: the page at ``/`` and the WebSocket at ``/ws`` that streams answers.

The browser sends ``{"type": "message", "text": "..."}``; the bot answers with
``{"type": "start"}``, one ``{"type": "token", "text": piece}`` per piece the model
streams, and ``{"type": "done", "text": whole}``. Anything wrong is an
``{"type": "error", "code": ..., "message": ...}`` event and the socket stays open:
``invalid_json``, ``invalid_message``, ``message_too_long`` and, when the model fails
part-way, ``answer_interrupted``. A frame larger than `MAX_FRAME` bytes closes the
socket with 1009 (message too big).
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from .assistant import AssistantUnavailable
from .chat import APOLOGY, ChatService
from .store import WebSession
from .web_auth import COOKIE, WebAuth, origin

#: Characters one message may have.
MAX_TEXT = 2000
#: Bytes one WebSocket frame may have.
MAX_FRAME = 16 * 1024
PAGE = (Path(__file__).parent / "page.html").read_text(encoding="utf-8")
log = logging.getLogger("chatbot.web")


class WebChat:
    """The chat page and its WebSocket, for logged-in users only."""

    def __init__(self, auth: WebAuth, chat: ChatService) -> None:
        self.auth = auth
        self.chat = chat
        self._sockets: set[web.WebSocketResponse] = set()

    def routes(self) -> list[web.RouteDef]:
        """The page and the socket."""
        return [web.get("/", self.page), web.get("/ws", self.socket)]

    async def page(self, request: web.Request) -> web.StreamResponse:
        """The chat page, or the way to log in."""
        session = await self.auth.session_of(request)
        if session is None:
            response = web.HTTPFound("/login")
            if request.cookies.get(COOKIE):
                response.del_cookie(COOKIE, path="/")
            raise response
        return web.Response(
            text=PAGE.replace("{{name}}", html.escape(session.name)), content_type="text/html"
        )

    async def socket(self, request: web.Request) -> web.StreamResponse:
        """One browser's chat: each message is answered, streamed, before the next."""
        if request.headers.get("Origin", origin(request)) != origin(request):
            raise web.HTTPForbidden(text="cross-origin WebSocket refused")
        session = await self.auth.session_of(request)
        if session is None:
            raise web.HTTPUnauthorized(text="log in first")
        socket = web.WebSocketResponse(max_msg_size=MAX_FRAME, heartbeat=30)
        await socket.prepare(request)
        self._sockets.add(socket)
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    await self._message(socket, session, message.data)
                elif message.type == WSMsgType.BINARY:
                    await _error(socket, "invalid_message", "Send text frames holding JSON.")
        finally:
            self._sockets.discard(socket)
        return socket

    async def close_sockets(self) -> None:
        """Close every open chat (the bot is stopping): 1001, going away."""
        for socket in list(self._sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"the bot is stopping")

    async def _message(self, socket: web.WebSocketResponse, session: WebSession, data: str) -> None:
        text = await _text_of(socket, data)
        if text is None:
            return
        await socket.send_json({"type": "start"})
        pieces: list[str] = []
        try:
            async for piece in self.chat.stream("web", session.subject, text):
                pieces.append(piece)
                await socket.send_json({"type": "token", "text": piece})
        except AssistantUnavailable as error:
            log.warning("answer to %s interrupted: %s", session.subject, error)
            await _error(socket, "answer_interrupted", APOLOGY)
            return
        await socket.send_json({"type": "done", "text": "".join(pieces)})


async def _text_of(socket: web.WebSocketResponse, data: str) -> str | None:
    """The message's text, or None after telling the browser what is wrong with it."""
    try:
        event: Any = json.loads(data)
    except ValueError:
        await _error(socket, "invalid_json", "That was not JSON.")
        return None
    text = event.get("text") if isinstance(event, dict) else None
    if not isinstance(event, dict) or event.get("type") != "message" or not isinstance(text, str):
        await _error(socket, "invalid_message", 'Send {"type": "message", "text": "..."} objects.')
        return None
    text = text.strip()
    if not text:
        await _error(socket, "invalid_message", "The message is empty.")
        return None
    if len(text) > MAX_TEXT:
        await _error(
            socket,
            "message_too_long",
            f"A message may have {MAX_TEXT} characters; this one has {len(text)}.",
        )
        return None
    return text


async def _error(socket: web.WebSocketResponse, code: str, message: str) -> None:
    await socket.send_json({"type": "error", "code": code, "message": message})
