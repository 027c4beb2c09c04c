"""The Teams channel: a botbuilder ``CloudAdapter`` with authentication on.

Every activity posted to ``/api/messages`` carries the channel's JWT, which the adapter
checks against ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL`` and the app id; replies go
back to the activity's ``serviceUrl`` with a token from ``TO_CHANNEL_FROM_BOT_LOGIN_URL``.
The adapter answers the channel once the turn (the model's answer included) is done.
"""

from __future__ import annotations

import logging

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext  # type: ignore[import-untyped,unused-ignore]
from botbuilder.integration.aiohttp import (  # type: ignore[import-untyped,unused-ignore]
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from .assistant import AssistantUnavailable
from .chat import APOLOGY, ChatService
from .config import TeamsSettings
from .teams_credentials import CredentialsFactory

log = logging.getLogger("chatbot.teams")


class TeamsBot(ActivityHandler):  # type: ignore[misc]
    """Answers each message with the model; the user is their Entra object id."""

    def __init__(self, chat: ChatService) -> None:
        self.chat = chat

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Answer the message (a channel message's @mention of the bot is removed)."""
        activity = turn_context.activity
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        if not text:
            return
        user = activity.from_property.aad_object_id or activity.from_property.id
        try:
            answer = await self.chat.reply("teams", user, text, external_id=f"teams:{activity.id}")
        except AssistantUnavailable as error:
            log.warning("no answer for %s: %s", user, error)
            answer = APOLOGY
        if answer is not None:
            await turn_context.send_activity(answer)


class TeamsChannel:
    """``POST /api/messages``, where the Teams channel posts activities."""

    def __init__(self, settings: TeamsSettings, chat: ChatService) -> None:
        factory = CredentialsFactory(settings.APP_ID, settings.APP_PASSWORD, settings.APP_TENANTID)
        authentication = ConfigurationBotFrameworkAuthentication(
            settings, credentials_factory=factory
        )
        self.adapter = CloudAdapter(authentication)
        self.adapter.on_turn_error = self._on_error
        self.bot = TeamsBot(chat)

    def routes(self) -> list[web.RouteDef]:
        """The messaging endpoint."""
        return [web.post("/api/messages", self.messages)]

    async def messages(self, request: web.Request) -> web.StreamResponse:
        """Hand the activity to the adapter (it checks the token and runs the turn).

        An activity without any token is refused here: botbuilder 4.17 fails on it with
        an AttributeError (a 500) instead of its 401.
        """
        if not request.headers.get("Authorization"):
            raise web.HTTPUnauthorized(text="no channel token")
        response = await self.adapter.process(request, self.bot)
        return response if response is not None else web.Response(status=201)

    async def _on_error(self, turn_context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed", exc_info=error)
        raise error
