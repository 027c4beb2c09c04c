"""Scopes by app id: test workers sharing one MockTeams each run a bot with its own
Microsoft App ID; the token requests and connector calls of that bot land in the scope
named after its app id, over a real socket, with the stock botbuilder adapter."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from multidict import CIMultiDict, MultiDict

from mocks.core import RecordedRequest
from mocks.jose import b64url_encode
from mocks.remote import RemoteMock
from mocks.teams import ConnectorError, MockTeams, bot_framework_authentication
from mocks.teams._errors import AUTH_DENIED_BODY

APP_A = "aaaaaaaa-0000-4000-8000-00000000000a"
APP_B = "bbbbbbbb-0000-4000-8000-00000000000b"
CONNECTOR_SCOPE = "https://api.botframework.com/.default"


@pytest.fixture
def teams(mock_teams: MockTeams) -> MockTeams:
    return mock_teams


def _worker(teams: MockTeams, app_id: str, says: str | None = None) -> RemoteMock:
    """The scope of the worker whose bot has `app_id`, made by programming in it: one
    message saying `says` (anything, without it) is expected."""
    worker = RemoteMock("teams", teams.url, app_id)
    matcher: dict[str, Any] = {"kind": "path", "value": "/activities", "op": "contains"}
    if says is not None:
        matcher = {
            "kind": "and",
            "all": [matcher, {"kind": "body", "value": says, "op": "contains"}],
        }
    worker.expect({"matcher": matcher, "times": 1})
    return worker


def _bot_sends(teams: MockTeams, app_id: str, conversation_id: str, text: str) -> None:
    """A stock CloudAdapter configured from the mock's environment, but with its own app
    id, sends `text` proactively (token request, then the connector call)."""
    environment = {**teams.stack_environment(), "MicrosoftAppId": app_id}
    adapter = CloudAdapter(bot_framework_authentication(environment))
    reference = ConversationReference(
        channel_id="msteams",
        service_url=teams.service_url,
        conversation=ConversationAccount(id=conversation_id),
        bot=ChannelAccount(id=f"28:{app_id}"),
    )

    async def say(turn_context: TurnContext) -> None:
        await turn_context.send_activity(text)

    asyncio.run(adapter.continue_conversation(reference, say, app_id))


def _token(teams: MockTeams, app_id: str, secret: str | None = None) -> requests.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": app_id,
        "client_secret": secret or teams.app_password,
        "scope": CONNECTOR_SCOPE,
    }
    return requests.post(teams.token_url, data=form, timeout=5)


def _send(
    teams: MockTeams, token: str, text: str, headers: dict[str, str] | None = None
) -> requests.Response:
    url = f"{teams.url}/v3/conversations/{teams.conversation('alice').id}/activities"
    return requests.post(
        url,
        json={"type": "message", "text": text},
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
        timeout=5,
    )


def _traffic(worker: RemoteMock) -> list[tuple[str, int]]:
    return [(entry["path"].rsplit("/", 1)[-1], entry["status"]) for entry in worker.requests()]


def test_each_bot_lands_in_the_scope_named_after_its_app_id(teams: MockTeams) -> None:
    chat = teams.conversation("alice").id
    first, second = _worker(teams, APP_A, "from A"), _worker(teams, APP_B, "from B")
    _bot_sends(teams, APP_A, chat, "from A")
    _bot_sends(teams, APP_B, chat, "from B")
    for worker, text in ((first, "from A"), (second, "from B")):
        token, send = worker.requests()
        assert (token["path"], token["status"]) == ("/botframework.com/oauth2/v2.0/token", 200)
        assert send["status"] == 201 and f'"text": "{text}"' in send["body"]
        assert token["scope"] == send["scope"] == worker.scope
        worker.verify()
    assert len(teams.requests) == 0  # nothing in the default scope
    assert [entry.text for entry in teams.transcript] == ["from A", "from B"]


def test_an_expectation_in_one_scope_does_not_answer_the_other(teams: MockTeams) -> None:
    first, second = RemoteMock("teams", teams.url, APP_A), _worker(teams, APP_B)
    first.expect(
        {
            "matcher": {"kind": "path", "value": "/activities", "op": "contains"},
            "response": {"status": 503, "json": ConnectorError.for_status(503, "down").body()},
        }
    )
    token_a, token_b = _token(teams, APP_A).json(), _token(teams, APP_B).json()
    assert _send(teams, token_a["access_token"], "a").status_code == 503
    assert _send(teams, token_b["access_token"], "b").status_code == 201
    assert _traffic(first) == [("token", 200), ("activities", 503)]
    assert _traffic(second) == [("token", 200), ("activities", 201)]
    second.verify()


def test_a_token_for_one_app_is_refused_in_another_scope(teams: MockTeams) -> None:
    first, second = _worker(teams, APP_A), _worker(teams, APP_B)
    token_a = _token(teams, APP_A).json()["access_token"]
    refused = _send(teams, token_a, "sneaky", {"X-Mock-Scope": APP_B})
    assert refused.status_code == 401
    assert refused.json() == AUTH_DENIED_BODY
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="botframework"'
    assert _traffic(second) == [("activities", 401)]
    assert _send(teams, token_a, "mine").status_code == 201
    assert _traffic(first) == [("token", 200), ("activities", 201)]
    first.verify()
    # the mock's own bot keeps working everywhere, in the default scope and in a named one
    default_token = _token(teams, teams.app_id).json()["access_token"]
    assert _send(teams, default_token, "default").status_code == 201
    assert _send(teams, default_token, "in B", {"X-Mock-Scope": APP_B}).status_code == 201
    second.verify()
    assert [entry.status for entry in teams.requests] == [200, 201]


def test_an_app_id_that_names_no_scope_gets_the_entra_errors(teams: MockTeams) -> None:
    worker = _worker(teams, APP_A)
    unknown = _token(teams, APP_B)  # B names no scope: an unknown application
    assert unknown.status_code == 400
    assert (unknown.json()["error"], unknown.json()["error_codes"]) == (
        "unauthorized_client",
        [700016],
    )
    wrong = _token(teams, APP_A, secret="not the password")
    assert wrong.status_code == 401
    assert (wrong.json()["error"], wrong.json()["error_codes"]) == ("invalid_client", [7000215])
    assert _traffic(worker) == [("token", 401)]
    token_a = _token(teams, APP_A).json()["access_token"]
    teams.reset()  # every scope is gone: A's token is just another app's now
    assert _send(teams, token_a, "late").status_code == 401
    assert _token(teams, APP_A).status_code == 400


def _request(path: str, headers: dict[str, str], body: bytes = b"") -> RecordedRequest:
    return RecordedRequest("POST", path, MultiDict(), CIMultiDict(headers), body)


def _forged(claims: Any) -> str:
    segment = b64url_encode(json.dumps(claims).encode())
    return f"Bearer {b64url_encode(b'{}')}.{segment}.c2ln"


def test_scope_key_reads_the_app_id_and_never_raises(teams: MockTeams) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    token = _token(teams, teams.app_id).json()["access_token"]
    basic = base64.b64encode(f"{APP_B}:secret".encode()).decode()
    nested = f"Bearer e30.{b64url_encode(b'[' * 5000)}.c2ln"
    token_path = "/botframework.com/oauth2/v2.0/token"
    cases = {
        APP_A: _request(token_path, form, f"client_id={APP_A}&client_secret=x".encode()),
        APP_B: _request(token_path, {"Authorization": f"Basic {basic}"}),
        teams.app_id: _request("/v3/conversations", {"Authorization": f"Bearer {token}"}),
        "forged": _request("/v3/conversations", {"Authorization": _forged({"appid": "forged"})}),
    }
    assert [teams.scope_key(request) for request in cases.values()] == list(cases)
    nothing = [
        _request(token_path, form, b"grant_type=client_credentials"),
        _request("/v3/conversations", {}),
        _request("/v3/conversations", {"Authorization": "Basic " + basic}),
        _request("/v3/conversations", {"Authorization": "Bearer"}),
        _request("/v3/conversations", {"Authorization": "Bearer !!!.@@@.###"}),
        _request("/v3/conversations", {"Authorization": _forged(["appid"])}),
        _request("/v3/conversations", {"Authorization": _forged({"appid": 7})}),
        _request("/v3/conversations", {"Authorization": nested}),
        _request("/v1/.well-known/keys", {"Authorization": f"Bearer {token}"}),
    ]
    assert [teams.scope_key(request) for request in nothing] == [None] * len(nothing)
    # over the socket, with a scope in place: garbage still gets the connector's 401
    _worker(teams, "forged")
    for header in ("Bearer !!!.@@@.###", nested, _forged({"appid": "forged"})):
        refused = _send(teams, "", "x", {"Authorization": header})
        assert (refused.status_code, refused.json()) == (401, AUTH_DENIED_BODY)


# ---- the channel side: each scope's bot gets its own activities ----------------------------


class _ScopeBot(ActivityHandler):
    """Echoes a message with the app id it answers as, keeping what it received."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        self.received.append(text)
        await turn_context.send_activity(f"{activity.recipient.id} heard {text}")


class _BotServer:
    """A stock CloudAdapter bot with its own app id, on its own port, loop and thread."""

    def __init__(self, teams: MockTeams, app_id: str) -> None:
        environment = {**teams.stack_environment(), "MicrosoftAppId": app_id}
        self.adapter = CloudAdapter(bot_framework_authentication(environment))
        self.bot = _ScopeBot()
        self.loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_post("/api/messages", self._messages)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/api/messages"
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        response = await self.adapter.process(request, self.bot)
        return response if response is not None else web.Response(status=201)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def bots(teams: MockTeams) -> Iterator[dict[str, _BotServer]]:
    servers = {app: _BotServer(teams, app) for app in (APP_A, APP_B)}
    yield servers
    for server in servers.values():
        server.stop()


def _register(teams: MockTeams, app_id: str, bot: _BotServer) -> RemoteMock:
    worker = RemoteMock("teams", teams.url, app_id)
    status, settings = worker.call("PUT", "/teams/bot", {"bot_url": bot.url})
    assert status == 200
    assert (settings["app_id"], settings["bot_id"], settings["bot_url"]) == (
        app_id,
        f"28:{app_id}",
        bot.url,
    )
    assert settings["environment"]["MicrosoftAppId"] == app_id
    return worker


def _says(worker: RemoteMock, text: str, **fields: Any) -> dict[str, Any]:
    status, answer = worker.call("POST", "/teams/simulate/message", {"text": text, **fields})
    assert status == 200, answer
    result: dict[str, Any] = answer
    return result


def test_each_scope_posts_to_its_own_bot_with_its_app_as_audience(
    teams: MockTeams, bots: dict[str, _BotServer]
) -> None:
    first, second = (_register(teams, app, bots[app]) for app in (APP_A, APP_B))
    assert teams.settings_document()["bot_url"] is None  # the default bot is untouched
    assert teams.settings_document()["app_id"] == teams.app_id
    for worker, user in ((first, "ann"), (second, "ben")):
        answer = _says(worker, "hello", user=user)
        assert answer["status"] == 201 and answer["error"] is None
        assert answer["activity"]["recipient"] == {"id": f"28:{worker.scope}", "name": "Bot"}
        assert [(e["path"].rsplit("/", 1)[-1], e["status"]) for e in worker.requests()] == [
            ("token", 200),
            (answer["activity"]["id"], 201),  # the bot's reply, in its own scope
        ]
    assert bots[APP_A].bot.received == bots[APP_B].bot.received == ["hello"]
    replies = [e.text for e in teams.transcript if e.direction == "out"]
    assert replies == [f"28:{APP_A} heard hello", f"28:{APP_B} heard hello"]
    # the default scope saw at most the channel's keys fetched (botbuilder caches them)
    assert {r.path.rsplit("/", 1)[-1] for r in teams.requests} <= {"openidconfiguration", "keys"}
    # in a channel the mention names the scope's bot, so the bot strips it
    channel = _says(first, "status", conversation="channel")
    mentioned = [e["mentioned"] for e in channel["activity"]["entities"] if "mentioned" in e]
    assert mentioned == [{"id": f"28:{APP_A}", "name": "Bot"}]
    assert bots[APP_A].bot.received[-1] == "status"


def test_each_scope_reads_and_forgets_its_own_transcript(
    teams: MockTeams, bots: dict[str, _BotServer]
) -> None:
    first, second = (_register(teams, app, bots[app]) for app in (APP_A, APP_B))
    for worker, user in ((first, "ann"), (second, "ben")):
        assert _says(worker, f"hello from {user}", user=user)["status"] == 201

    def texts(worker: RemoteMock) -> list[tuple[str, str]]:
        status, listing = worker.call("GET", "/teams/transcript")
        assert status == 200
        return [(entry["direction"], entry["text"]) for entry in listing["entries"]]

    assert texts(first) == [("in", "hello from ann"), ("out", f"28:{APP_A} heard hello from ann")]
    assert texts(second) == [("in", "hello from ben"), ("out", f"28:{APP_B} heard hello from ben")]
    assert requests.get(f"{teams.url}/__admin/teams/transcript", timeout=5).json() == {
        "entries": []  # nothing happened in the default scope
    }
    # in-process, the whole transcript, each entry with its scope
    assert [e.scope for e in teams.transcript] == [APP_A, APP_A, APP_B, APP_B]
    assert first.call("DELETE", "/teams/transcript")[0] == 204
    assert texts(first) == [] and len(texts(second)) == 2


def test_a_token_for_another_audience_is_refused_by_the_scopes_bot(
    teams: MockTeams, bots: dict[str, _BotServer]
) -> None:
    worker = _register(teams, APP_A, bots[APP_A])
    status, refused = worker.call(
        "POST", "/teams/simulate/message", {"text": "hi", "token": "wrong_audience"}
    )
    assert (status, refused["status"]) == (200, 401)  # botbuilder checks aud against its id
    assert bots[APP_A].bot.received == [] and worker.requests() == []
    assert _says(worker, "hi")["status"] == 201


def test_scopes_without_a_bot_and_resets(teams: MockTeams, bots: dict[str, _BotServer]) -> None:
    first, second = (_register(teams, app, bots[app]) for app in (APP_A, APP_B))
    nobody = RemoteMock("teams", teams.url, "app-without-a-bot")
    status, error = nobody.call("POST", "/teams/simulate/message", {"text": "hi"})
    assert status == 409 and "app-without-a-bot" in error["error"]["message"]
    assert nobody.call("GET", "/teams/settings")[1]["bot_url"] is None
    first.reset()  # a scope's reset keeps its bot, and the other scopes'
    assert _says(first, "again")["status"] == _says(second, "again")["status"] == 201
    teams.reset()  # every scope is gone, with its bot
    assert first.call("GET", "/teams/settings")[1]["bot_url"] is None
    assert first.call("POST", "/teams/simulate/message", {"text": "hi"})[0] == 409


def test_a_wrong_audience_token_never_names_the_app_it_is_sent_to(teams: MockTeams) -> None:
    tokens = teams.domain.channel_tokens
    assert tokens.claims(teams.service_url, "wrong_audience")["aud"] == tokens.other_app_id
    other = tokens.claims(teams.service_url, "wrong_audience", tokens.other_app_id)
    assert other["aud"] == teams.app_id
    assert tokens.claims(teams.service_url, "valid", APP_A)["aud"] == APP_A


def test_a_scope_bot_lists_the_conversations_it_has_been_in(teams: MockTeams) -> None:
    chat = teams.conversation("alice").id
    group = teams.group_chat("bob", "carol").id
    _worker(teams, APP_A, "hello from A")
    RemoteMock("teams", teams.url, APP_B).expect(
        {"matcher": {"kind": "path", "value": "/activities", "op": "contains"}, "optional": True}
    )
    _bot_sends(teams, APP_A, chat, "hello from A")

    def listed(app_id: str) -> list[str]:
        token = _token(teams, app_id).json()["access_token"]
        answer = requests.get(
            f"{teams.url}/v3/conversations",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text
        return [conversation["id"] for conversation in answer.json()["conversations"]]

    assert listed(APP_A) == [chat]  # A's bot has been in alice's chat, nowhere else
    assert listed(APP_B) == []  # B's bot has been in none
    assert sorted(listed(teams.app_id)) == sorted([chat, group])  # the mock's own bot: all
