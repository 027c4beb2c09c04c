"""The Microsoft 365 Agents SDK for Python (microsoft-agents-hosting-aiohttp) as a second
judge of MockTeams' wire shapes.

What the SDK does itself here: parse the channel's activities into its (pydantic)
Activity model, check the token's ``serviceurl`` claim against the activity's
``serviceUrl``, ask a connection for a connector token with its own scope, and call the
connector (reply, update, delete) with its own REST client, then answer invokes.

What it cannot do against a loopback: validate the channel token itself. Its
``JwtTokenValidator`` fetches keys from a URL hard-coded per issuer
(``login.botframework.com``), so the agent's app uses a small middleware of its own that
validates the token against the mock's OpenID metadata (as the SDK's validator would
against the real one) and hands the SDK the claims, as the SDK's middleware does. Token
acquisition is likewise the agent's own connection (MSAL cannot reach plain HTTP).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ActivityHandler, TurnContext
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    ClaimsIdentity,
)

from mocks.teams import MockTeams


class MockTokenProvider:
    """An access token provider whose tokens come from the mock's token endpoint."""

    def __init__(self, teams: MockTeams) -> None:
        self.teams = teams
        self.scopes_asked: list[list[str]] = []
        self._configuration = AgentAuthConfiguration(
            client_id=teams.app_id, client_secret=teams.app_password, tenant_id=teams.tenant_id
        )

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        self.scopes_asked.append(list(scopes))
        form = {
            "grant_type": "client_credentials",
            "client_id": self.teams.app_id,
            "client_secret": self.teams.app_password,
            "scope": scopes[0],
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.teams.token_url, data=form) as response,
        ):
            body = await response.json()
        return str(body["access_token"])

    def get_token_credential(self) -> Any:
        raise NotImplementedError

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise NotImplementedError


class MockConnections:
    """The agent's connections: one, backed by the mock."""

    def __init__(self, provider: MockTokenProvider) -> None:
        self.provider = provider

    def get_connection(self, connection_name: str) -> MockTokenProvider:
        return self.provider

    def get_default_connection(self) -> MockTokenProvider:
        return self.provider

    def get_token_provider(self, claims_identity: Any, service_url: str) -> MockTokenProvider:
        return self.provider

    def get_token_provider_from_activity(
        self, claims_identity: Any, activity: Any
    ) -> MockTokenProvider:
        return self.provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return self.provider.configuration


class EchoAgent(ActivityHandler):
    """An echo agent built from the SDK's ActivityHandler."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = (turn_context.activity.text or "").strip()
        if text == "edit":
            sent = await turn_context.send_activity("draft")
            await turn_context.update_activity(
                Activity(type=ActivityTypes.message, id=sent.id, text="final")
            )
            return
        if text == "delete":
            sent = await turn_context.send_activity("temporary")
            await turn_context.delete_activity(sent.id)
            return
        await turn_context.send_activity(f"echo: {text}")

    async def on_members_added_activity(
        self, members_added: Any, turn_context: TurnContext
    ) -> None:
        await turn_context.send_activity("hello from the agent")


def _channel_auth(teams: MockTeams) -> Callable[..., Awaitable[web.StreamResponse]]:
    """The agent's middleware: the channel token checked against the mock's keys."""
    metadata_url = teams.openid_metadata_url
    keys: dict[str, jwt.PyJWKClient] = {}

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return web.json_response({"error": "Authorization header not found"}, status=401)
        token = header.removeprefix("Bearer ")
        try:
            if "client" not in keys:
                async with (
                    aiohttp.ClientSession() as session,
                    session.get(metadata_url) as response,
                ):
                    jwks_uri = (await response.json())["jwks_uri"]
                keys["client"] = jwt.PyJWKClient(jwks_uri)
            key = await asyncio.to_thread(keys["client"].get_signing_key_from_jwt, token)
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=teams.app_id,
                issuer=teams.token_issuer,
                leeway=300,
            )
        except jwt.PyJWTError:
            return web.json_response(
                {"error": "Invalid token or authentication failed."}, status=401
            )
        request["claims_identity"] = ClaimsIdentity(claims, "Bearer", token)
        return await handler(request)

    return middleware


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AgentServer:
    """The agent's aiohttp app on its own port, loop and thread."""

    def __init__(self, teams: MockTeams) -> None:
        self.provider = MockTokenProvider(teams)
        self.adapter = CloudAdapter(connection_manager=MockConnections(self.provider))
        self.agent = EchoAgent()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/messages"
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._run, args=(teams,), daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        response = await self.adapter.process(request, self.agent)
        return response if response is not None else web.Response(status=202)

    def _run(self, teams: MockTeams) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application(middlewares=[_channel_auth(teams)])
        app.router.add_post("/api/messages", self._messages)
        self._runner = web.AppRunner(app)
        self.loop.run_until_complete(self._runner.setup())
        self.loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def agent(mock_servers: Any) -> Iterator[AgentServer]:
    server = AgentServer(mock_servers.get("mocks.teams:MockTeams"))
    yield server
    server.stop()


@pytest.fixture
def teams(mock_teams: MockTeams, agent: AgentServer) -> MockTeams:
    mock_teams.bot_url = agent.url
    return mock_teams


def _out(teams: MockTeams) -> list[tuple[str, str]]:
    return [(e.kind, e.text) for e in teams.transcript if e.direction == "out"]


def test_the_agent_echoes_through_the_connector(teams: MockTeams, agent: AgentServer) -> None:
    answer = teams.simulate_incoming("hello agent", user="alice")
    assert answer.ok, answer
    assert _out(teams) == [("message", "echo: hello agent")]
    reply = teams.transcript[-1].raw
    assert reply["replyToId"] == answer.activity["id"]
    assert agent.provider.scopes_asked[-1] == ["https://api.botframework.com/.default"]
    sends = [r for r in teams.requests if r.path.startswith("/v3/conversations/")]
    assert sends and all(r.headers["Authorization"].startswith("Bearer ") for r in sends)


def test_updates_deletes_channels_and_installs(teams: MockTeams) -> None:
    teams.simulate_incoming("edit")
    teams.simulate_incoming("delete")
    thread = teams.simulate_incoming("in the channel", user="bob", conversation="channel")
    teams.simulate_members_added()
    assert _out(teams) == [
        ("message", "draft"),
        ("update", "final"),
        ("message", "temporary"),
        ("delete", "temporary"),
        ("message", f"echo: @{teams.bot_name} in the channel"),
        ("message", "hello from the agent"),
    ]
    assert teams.transcript[-3].conversation_id == thread.activity["conversation"]["id"]


def test_token_variants_reach_the_agent(teams: MockTeams) -> None:
    alice = teams.user("alice")
    expired = teams.simulate_activity(teams.domain.message("hi", alice, None), token="expired")
    assert expired.status == 401
    assert _out(teams) == []
    # The SDK compares the serviceurl claim's host with the activity's, but with its
    # outbound host validator off (it only allows https hosts) a mismatch is only logged.
    mismatch = teams.simulate_activity(
        teams.domain.message("hi", alice, None), token="serviceurl_mismatch"
    )
    assert mismatch.status == 202
    assert _out(teams) == [("message", "echo: hi")]


def test_expect_replies_come_back_in_the_answer(teams: MockTeams) -> None:
    answer = teams.simulate_incoming("quick", delivery_mode="expectReplies")
    assert answer.status == 200
    assert [reply["text"] for reply in answer.replies] == ["echo: quick"]
    assert _out(teams) == [("message", "echo: quick")]
    assert [r for r in teams.requests if r.path.startswith("/v3/")] == []
