"""The bot's aiohttp application: every channel on one server, sharing one database,
one model client and one HTTP client."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from .assistant import Assistant
from .chat import ChatService
from .config import Settings
from .oidc import OidcClient
from .store import Store
from .tasks import Background
from .teams import TeamsChannel
from .web_auth import WebAuth
from .web_chat import WebChat
from .whatsapp import GraphClient, WhatsAppChannel

#: Bytes an HTTP request body may have (webhooks and activities are far smaller).
MAX_BODY = 1024 * 1024
#: Seconds an outbound HTTP call (Graph, the identity provider) may take.
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)


async def create_app(settings: Settings) -> web.Application:
    """Connect to the database and build the application; closing it releases all.

    Routes: ``/`` (chat page), ``/ws``, ``/login``, ``/callback``, ``/logout``, ``/bye``,
    ``/whatsapp/webhook``, ``/api/messages`` (Teams) and ``/healthz``.
    """
    store = await Store.open(settings.database_url)
    http = aiohttp.ClientSession(timeout=HTTP_TIMEOUT)
    assistant = Assistant(settings.llm)
    background = Background()
    chat = ChatService(store, assistant)
    auth = WebAuth(OidcClient(settings.zitadel, http), store)
    web_chat = WebChat(auth, chat)
    graph = GraphClient(settings.whatsapp, http)
    whatsapp = WhatsAppChannel(settings.whatsapp, chat, graph, background)
    teams = TeamsChannel(settings.teams, chat)

    app = web.Application(client_max_size=MAX_BODY)
    app.add_routes(
        [
            *auth.routes(),
            *web_chat.routes(),
            *whatsapp.routes(),
            *teams.routes(),
            web.get("/healthz", _healthz),
        ]
    )

    async def shutdown(app: web.Application) -> None:
        await web_chat.close_sockets()
        await background.drain()

    async def cleanup(app: web.Application) -> None:
        await assistant.close()
        await http.close()
        await store.close()

    app.on_shutdown.append(shutdown)
    app.on_cleanup.append(cleanup)
    return app


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})
