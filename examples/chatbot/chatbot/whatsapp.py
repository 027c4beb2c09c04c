"""The WhatsApp channel: Meta's webhook in, the Graph API out.

``GET /whatsapp/webhook`` answers Meta's subscription handshake. ``POST`` takes
notifications: the body's ``X-Hub-Signature-256`` (HMAC-SHA256 with the app secret)
must match or the request is refused with 401; then the bot acknowledges at once and
answers each text message in the background, replying through
``POST /{version}/{phone_number_id}/messages``. A message delivered twice (Meta retries
until it gets a 2xx) is answered once.

A free-form reply is only allowed within 24 hours of the user's last message; outside
that window WhatsApp accepts the send and reports it ``failed`` (error 131047) in a
status notification, and the bot falls back to its approved template
(`FOLLOW_UP_TEMPLATE`), which may be sent at any time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from typing import Any

import aiohttp
from aiohttp import web

from .assistant import AssistantUnavailable
from .chat import APOLOGY, ChatService
from .config import WhatsAppSettings
from .tasks import Background

SIGNATURE_HEADER = "X-Hub-Signature-256"
#: Graph error code: a free-form message outside the customer-service window.
RE_ENGAGEMENT_REQUIRED = 131047
#: The template sent when a reply can no longer be sent as free text (name, language).
FOLLOW_UP_TEMPLATE = ("conversation_follow_up", "en_US")
NOT_TEXT = "I can only read text messages for now."
log = logging.getLogger("chatbot.whatsapp")
Json = dict[str, Any]


class GraphError(Exception):
    """The Graph API refused a call (its status, error code and message)."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"Graph API {status} (code {code}): {message}")
        self.status = status
        self.code = code


class GraphClient:
    """Sends messages as the business phone number."""

    def __init__(self, settings: WhatsAppSettings, http: aiohttp.ClientSession) -> None:
        self.settings = settings
        self.http = http

    async def send_text(self, to: str, text: str, reply_to: str | None = None) -> str:
        """Send `text` to `to` (quoting `reply_to`); the message's wamid."""
        body: Json = {"type": "text", "text": {"body": text, "preview_url": False}}
        if reply_to is not None:
            body["context"] = {"message_id": reply_to}
        return await self._send(to, body)

    async def send_template(self, to: str, name: str, language: str) -> str:
        """Send the approved template `name` to `to`; the message's wamid."""
        return await self._send(
            to, {"type": "template", "template": {"name": name, "language": {"code": language}}}
        )

    async def _send(self, to: str, body: Json) -> str:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        headers = {"Authorization": f"Bearer {self.settings.access_token}"}
        async with self.http.post(
            self.settings.messages_url, json={**payload, **body}, headers=headers
        ) as response:
            answer = await response.json(content_type=None)
        if response.status != 200:
            error = answer.get("error", {}) if isinstance(answer, dict) else {}
            raise GraphError(response.status, error.get("code"), str(error.get("message")))
        return str(answer["messages"][0]["id"])


def signature_matches(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` (``sha256=<hex>``) is the HMAC-SHA256 of `body` with the secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


class WhatsAppChannel:
    """The webhook routes and what the bot does with each notification."""

    def __init__(
        self,
        settings: WhatsAppSettings,
        chat: ChatService,
        graph: GraphClient,
        background: Background,
    ) -> None:
        self.settings = settings
        self.chat = chat
        self.graph = graph
        self.background = background

    def routes(self) -> list[web.RouteDef]:
        """The webhook: the handshake and the notifications."""
        return [
            web.get("/whatsapp/webhook", self.handshake),
            web.post("/whatsapp/webhook", self.notification),
        ]

    async def handshake(self, request: web.Request) -> web.Response:
        """Echo ``hub.challenge`` when ``hub.verify_token`` is ours."""
        query = request.query
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            query.get("hub.verify_token", ""), self.settings.verify_token
        ):
            return web.Response(text=query.get("hub.challenge", ""))
        raise web.HTTPForbidden(text="verify token mismatch")

    async def notification(self, request: web.Request) -> web.Response:
        """Check the signature, acknowledge, and handle the messages and statuses."""
        body = await request.read()
        if not signature_matches(
            self.settings.app_secret, body, request.headers.get(SIGNATURE_HEADER)
        ):
            log.warning("webhook refused: bad %s", SIGNATURE_HEADER)
            raise web.HTTPUnauthorized(text="signature mismatch")
        try:
            event = json.loads(body)
        except ValueError:
            raise web.HTTPBadRequest(text="the body is not JSON") from None
        for value in _change_values(event):
            for message in value.get("messages") or []:
                self.background.spawn(self._answer(message), f"answering {message.get('id')}")
            for status in value.get("statuses") or []:
                if _needs_template(status):
                    self.background.spawn(
                        self._follow_up(str(status["recipient_id"])), "the follow-up template"
                    )
        return web.Response(text="EVENT_RECEIVED")

    async def _answer(self, message: Json) -> None:
        user, wamid = str(message["from"]), str(message["id"])
        if message.get("type") != "text":
            await self._send(user, NOT_TEXT, wamid)
            return
        text = str(message.get("text", {}).get("body", ""))
        try:
            answer = await self.chat.reply("whatsapp", user, text, external_id=f"wa:{wamid}")
        except AssistantUnavailable as error:
            log.warning("no answer for %s: %s", user, error)
            answer = APOLOGY
        if answer is not None:  # None: this message was answered before
            await self._send(user, answer, wamid)

    async def _send(self, user: str, text: str, reply_to: str) -> None:
        try:
            await self.graph.send_text(user, text, reply_to)
        except GraphError as error:
            if error.code != RE_ENGAGEMENT_REQUIRED:
                raise
            await self._follow_up(user)

    async def _follow_up(self, user: str) -> None:
        log.info("reply to %s is outside the 24-hour window: sending the template", user)
        await self.graph.send_template(user, *FOLLOW_UP_TEMPLATE)


def _change_values(event: Any) -> Iterator[Json]:
    """The ``value`` of every change of a ``whatsapp_business_account`` notification."""
    if not isinstance(event, dict) or event.get("object") != "whatsapp_business_account":
        return
    for entry in event.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value")
            if isinstance(value, dict):
                yield value


def _needs_template(status: Json) -> bool:
    """A failed status saying a free-form reply came too late."""
    return status.get("status") == "failed" and any(
        error.get("code") == RE_ENGAGEMENT_REQUIRED for error in status.get("errors") or []
    )
