"""A stock botbuilder bot (CloudAdapter, ConfigurationBotFrameworkAuthentication, app id and
password set, so authentication is on) against MockTeams, over real sockets.

The bot runs on its own port and event loop in a thread; the mock serves from its own
thread (the bot fetches the channel's keys with a blocking ``requests.get`` inside its
handler). What the bot's adapter answers is asserted as botbuilder 4.17.1 really answers:
401 for a wrong audience, issuer or serviceurl; 500 for an expired or tampered token, an
unknown key or a missing endorsement (exceptions other than ``PermissionError``).
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web
from botbuilder.core import (
    BotFrameworkAdapterSettings,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.integration.aiohttp import (
    BotFrameworkHttpAdapter,
    CloudAdapter,
)
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    ChannelAccount,
    ConversationParameters,
    HeroCard,
)
from botbuilder.schema.teams import (
    MessagingExtensionAttachment,
    MessagingExtensionResponse,
    MessagingExtensionResult,
)
from botframework.connector.auth import ChannelValidation
from botframework.connector.models import ErrorResponseException

from mocks.jose import Clock
from mocks.teams import MockTeams, bot_framework_authentication

T = TypeVar("T")

APPROVAL_CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Expense 42 EUR"}],
    "actions": [{"type": "Action.Execute", "title": "Approve", "verb": "approve"}],
}


class EchoBot(TeamsActivityHandler):
    """An echo bot with a few commands, built only from stock botbuilder calls."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.value is not None:  # an Action.Submit press
            await turn_context.send_activity(f"submitted: {activity.value.get('choice')}")
            return
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        command = text.split(" ", 1)[0]
        handler = getattr(self, f"_command_{command}", None)
        if handler is not None:
            await handler(turn_context, text)
        else:
            await turn_context.send_activity(f"echo: {text}")

    async def _command_typing(self, turn_context: TurnContext, text: str) -> None:
        await turn_context.send_activity(Activity(type=ActivityTypes.typing))
        await turn_context.send_activity("done thinking")

    async def _command_edit(self, turn_context: TurnContext, text: str) -> None:
        sent = await turn_context.send_activity("draft")
        final = MessageFactory.text("final answer")
        final.id = sent.id
        await turn_context.update_activity(final)

    async def _command_delete(self, turn_context: TurnContext, text: str) -> None:
        sent = await turn_context.send_activity("temporary")
        await turn_context.delete_activity(sent.id)

    async def _command_card(self, turn_context: TurnContext, text: str) -> None:
        hero = CardFactory.hero_card(HeroCard(title="Seattle", text="Rain all day"))
        adaptive = CardFactory.adaptive_card(APPROVAL_CARD)
        await turn_context.send_activity(MessageFactory.carousel([hero, adaptive]))

    async def _command_whoami(self, turn_context: TurnContext, text: str) -> None:
        member = await TeamsInfo.get_member(turn_context, turn_context.activity.from_property.id)
        await turn_context.send_activity(f"you are {member.name} <{member.email}>")

    async def _command_members(self, turn_context: TurnContext, text: str) -> None:
        names: list[str] = []
        token = None
        while True:
            page = await TeamsInfo.get_paged_members(turn_context, token, 2)
            names += [member.name for member in page.members]
            token = page.continuation_token
            if not token:
                break
        await turn_context.send_activity("members: " + ", ".join(names))

    async def _command_team(self, turn_context: TurnContext, text: str) -> None:
        details = await TeamsInfo.get_team_details(turn_context)
        channels = await TeamsInfo.get_team_channels(turn_context)
        await turn_context.send_activity(
            f"team {details.name}: {details.member_count} members, {len(channels)} channels"
        )

    async def _command_big(self, turn_context: TurnContext, text: str) -> None:
        try:
            await turn_context.send_activity("x" * 40_000)
        except ErrorResponseException as error:
            await turn_context.send_activity(f"too big: {error.error.error.code}")

    async def on_teams_members_added(  # type: ignore[override]
        self, teams_members_added: list[Any], team_info: Any, turn_context: TurnContext
    ) -> None:
        for member in teams_members_added:
            if member.id == turn_context.activity.recipient.id:
                await turn_context.send_activity("Thanks for installing me!")
            else:
                await turn_context.send_activity(f"Welcome, {member.id}!")

    async def on_reactions_added(  # type: ignore[override]
        self, message_reactions: list[Any], turn_context: TurnContext
    ) -> None:
        for reaction in message_reactions:
            await turn_context.send_activity(f"thanks for the {reaction.type}")

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Answers Action.Execute and searches itself: in botbuilder 4.17.1 the stock
        ``on_adaptive_card_invoke`` path answers 500 through CloudAdapter (the body is
        serialized twice), as `test_the_stock_adaptive_card_path_answers_500` shows."""
        activity = turn_context.activity
        if activity.name == "adaptiveCard/action" and activity.value["action"]["verb"] != "stock":
            action = activity.value["action"]
            card = {
                "type": "AdaptiveCard",
                "version": "1.5",
                "body": [
                    {
                        "type": "TextBlock",
                        "text": f"{action['verb']}d #{action['data'].get('id')} "
                        f"by {activity.from_property.name}",
                    }
                ],
            }
            body = AdaptiveCardInvokeResponse(
                status_code=200, type="application/vnd.microsoft.card.adaptive", value=card
            )
            return InvokeResponse(status=200, body=body)
        if activity.name == "composeExtension/query":
            query = activity.value["parameters"][0]["value"]
            hero = CardFactory.hero_card(HeroCard(title=f"Result for {query}"))
            result = MessagingExtensionResult(
                type="result",
                attachment_layout="list",
                attachments=[
                    MessagingExtensionAttachment(
                        content_type=hero.content_type, content=hero.content
                    )
                ],
            )
            return InvokeResponse(
                status=200, body=MessagingExtensionResponse(compose_extension=result)
            )
        return await super().on_invoke_activity(turn_context)

    async def on_adaptive_card_invoke(self, turn_context: TurnContext, invoke_value: Any) -> Any:
        return AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.activity.message", value="ok"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotServer:
    """A bot's aiohttp app on its own port, loop and thread."""

    def __init__(
        self, adapter: Any, bot: Any, *, legacy: bool = False, port: int | None = None
    ) -> None:
        self.adapter = adapter
        self.bot = bot
        self.legacy = legacy
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/messages"
        self.errors: list[BaseException] = []
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        adapter.on_turn_error = self._on_error
        self._thread = threading.Thread(target=self._run, name="echo-bot", daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    async def _on_error(self, turn_context: TurnContext, error: BaseException) -> None:
        self.errors.append(error)
        raise error

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        if self.legacy:  # BotFrameworkHttpAdapter.process(request, ws_response, bot)
            response = await self.adapter.process(request, None, self.bot)
        else:
            response = await self.adapter.process(request, self.bot)
        return response if response is not None else web.Response(status=201)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_post("/api/messages", self._messages)
        self._runner = web.AppRunner(app)
        self.loop.run_until_complete(self._runner.setup())
        self.loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self.loop.run_forever()

    def run(self, coroutine: Callable[[], Awaitable[T]], timeout: float = 20) -> T:
        """Run a coroutine on the bot's loop (a proactive send, say) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine(), self.loop).result(timeout)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def echo_bot(mock_servers: Any) -> Iterator[BotServer]:
    """The echo bot wired to the session's MockTeams in one call."""
    mock = mock_servers.get("mocks.teams:MockTeams")
    server = BotServer(CloudAdapter(mock.bot_framework_authentication()), EchoBot())
    yield server
    server.stop()


@pytest.fixture
def teams(mock_teams: MockTeams, echo_bot: BotServer) -> MockTeams:
    """The session's MockTeams (reset, verified after the test) pointed at the echo bot."""
    mock_teams.bot_url = echo_bot.url
    echo_bot.errors.clear()
    return mock_teams


def _out(teams: MockTeams) -> list[tuple[str, str]]:
    return [(e.kind, e.text) for e in teams.transcript if e.direction == "out"]


def _calls(teams: MockTeams, prefix: str) -> list[Any]:
    return [r for r in teams.requests if r.path.startswith(prefix)]


# ---- messages ------------------------------------------------------------------------


def test_a_message_is_echoed_through_the_connector(teams: MockTeams) -> None:
    answer = teams.simulate_incoming("hello there", user="alice")
    assert answer.status == 201 and answer.ok
    entries = teams.transcript
    assert [(e.direction, e.kind, e.text) for e in entries] == [
        ("in", "message", "hello there"),
        ("out", "message", "echo: hello there"),
    ]
    reply = entries[1].raw
    assert reply["replyToId"] == answer.activity["id"]
    assert reply["conversation"]["id"] == answer.activity["conversation"]["id"]
    assert reply["from"]["id"] == f"28:{teams.app_id}"
    [token_request] = _calls(teams, "/botframework.com/oauth2/v2.0/token")
    assert token_request.form["grant_type"] == "client_credentials"
    assert token_request.form["client_id"] == teams.app_id
    assert token_request.form["scope"] == "https://api.botframework.com/.default"
    [send] = _calls(teams, "/v3/conversations/")
    assert send.headers["Authorization"].startswith("Bearer ")
    assert (
        send.path
        == f"/v3/conversations/{reply['conversation']['id']}/activities/{answer.activity['id']}"
    )


def test_conversation_helper_and_expect_reply(teams: MockTeams) -> None:
    teams.expect_reply("echo: ping").once()
    chat = teams.conversation("bob")
    chat.user_says("ping")
    entry = chat.assert_response_contains("echo: ping")
    assert entry.direction == "out"
    assert [str(e) for e in chat.transcript] == ["user message: ping", "bot message: echo: ping"]
    with pytest.raises(AssertionError, match="did not answer 'nothing like this'"):
        chat.assert_response_contains("nothing like this", timeout=0.2)
    teams.verify()


def test_an_unmet_expect_reply_fails_verify(teams: MockTeams) -> None:
    teams.expect_reply("never said")
    teams.simulate_incoming("hi")
    with pytest.raises(AssertionError, match="never said"):
        teams.verify()
    teams.reset()


def test_typing_updates_and_deletes_land_in_the_transcript(teams: MockTeams) -> None:
    teams.simulate_incoming("typing")
    teams.simulate_incoming("edit")
    teams.simulate_incoming("delete")
    assert _out(teams) == [
        ("typing", ""),
        ("message", "done thinking"),
        ("message", "draft"),
        ("update", "final answer"),
        ("message", "temporary"),
        ("delete", "temporary"),
    ]
    methods = [r.method for r in _calls(teams, "/v3/conversations/")]
    assert methods == ["POST", "POST", "POST", "PUT", "POST", "DELETE"]


def test_cards_are_kept_whole_and_read_as_text(teams: MockTeams) -> None:
    teams.simulate_incoming("card")
    [entry] = [e for e in teams.transcript if e.direction == "out"]
    assert entry.kind == "card"
    hero, adaptive = entry.raw["attachments"]
    assert hero["contentType"] == "application/vnd.microsoft.card.hero"
    assert adaptive == {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": APPROVAL_CARD,
    }
    assert entry.text.splitlines() == ["Seattle", "Rain all day", "Expense 42 EUR", "[Approve]"]


def test_a_channel_message_mentions_the_bot_and_the_reply_stays_in_the_thread(
    teams: MockTeams,
) -> None:
    answer = teams.simulate_incoming("status?", user="carol", conversation="channel")
    thread = answer.activity["conversation"]["id"]
    assert ";messageid=" in thread
    assert answer.activity["text"] == f"<at>{teams.bot_name}</at> status?"
    [reply] = [e for e in teams.transcript if e.direction == "out"]
    assert reply.text == "echo: status?"
    assert reply.conversation_id == thread


def test_roster_calls(teams: MockTeams) -> None:
    teams.simulate_incoming("whoami", user="Alice Smith")
    for name in ("bob", "carol"):
        teams.simulate_members_added(name, by="Alice Smith", conversation="channel")
    teams.simulate_incoming("members", user="Alice Smith", conversation="channel")
    teams.simulate_incoming("team", user="bob", conversation="channel")
    texts = [text for kind, text in _out(teams) if text.startswith(("you", "members", "team"))]
    assert texts == [
        "you are Alice Smith <alice.smith@contoso.example>",
        "members: Alice Smith, bob, carol",
        "team Contoso: 3 members, 1 channels",
    ]
    paged = _calls(teams, "/v3/conversations/")
    assert any(r.path.endswith("/pagedmembers") and r.query.get("pageSize") == "2" for r in paged)
    assert _calls(teams, "/v3/teams/")


# ---- other activities ------------------------------------------------------------------


def test_installing_the_bot_and_adding_a_member_are_greeted(teams: MockTeams) -> None:
    answer = teams.simulate_members_added()
    assert answer.status == 201
    bob = teams.user("bob")
    teams.simulate_members_added("bob", conversation="channel")
    assert _out(teams) == [
        ("message", "Thanks for installing me!"),
        ("message", f"Welcome, {bob.id}!"),
    ]
    assert [e.kind for e in teams.transcript if e.direction == "in"] == ["event", "event"]


def test_an_adaptive_card_action_round_trip(teams: MockTeams) -> None:
    answer = teams.simulate_card_action("approve", {"id": 7}, user="alice")
    assert answer.status == 200
    assert answer.body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": "approved #7 by alice"}],
        },
    }
    assert [(e.direction, e.kind, e.text) for e in teams.transcript] == [
        ("in", "invoke", "adaptiveCard/action approve"),
        ("out", "invoke", "approved #7 by alice"),
    ]


def test_the_stock_adaptive_card_path_answers_500(teams: MockTeams) -> None:
    answer = teams.simulate_card_action("stock")
    assert answer.status == 500  # botbuilder 4.17.1 serializes the invoke body twice


def test_a_messaging_extension_query(teams: MockTeams) -> None:
    answer = teams.simulate_messaging_extension_query("search", "contoso")
    assert answer.status == 200
    result = answer.body["composeExtension"]
    assert result["type"] == "result"
    assert result["attachments"][0]["content"]["title"] == "Result for contoso"
    assert teams.transcript[-1].text == "Result for contoso"


def test_reactions_and_card_submits(teams: MockTeams) -> None:
    teams.simulate_reaction("1700000000001", "heart")
    teams.simulate_card_submit({"choice": "yes"}, reply_to="1700000000002")
    assert _out(teams) == [("message", "thanks for the heart"), ("message", "submitted: yes")]


def test_typing_from_the_user_gets_no_answer(teams: MockTeams) -> None:
    assert teams.simulate_typing().status == 201
    assert _out(teams) == []


# ---- authentication --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "status"),
    [
        ("wrong_audience", 401),
        ("wrong_issuer", 401),
        ("serviceurl_mismatch", 401),
        ("expired", 500),
        ("tampered", 500),
        ("unknown_key", 500),
        ("no_endorsement", 500),
        ("none", 500),
    ],
)
def test_the_bot_refuses_bad_tokens(teams: MockTeams, variant: str, status: int) -> None:
    alice = teams.user("alice")
    activity = teams.domain.message("let me in", alice, None)
    answer = teams.simulate_activity(activity, token=variant)
    assert answer.status == status
    assert _out(teams) == []
    assert _calls(teams, "/v3/") == []
    assert teams.simulate_activity(teams.domain.message("again", alice, None)).status == 201


def test_connector_calls_need_the_bots_token(teams: MockTeams) -> None:
    import requests

    chat = teams.conversation("alice")
    url = f"{teams.url}/v3/conversations/{chat.id}/activities"
    refused = requests.post(url, json={"type": "message", "text": "x"}, timeout=5)
    assert refused.status_code == 401
    assert refused.json() == {"message": "Authorization has been denied for this request."}
    channel_token = teams.domain.channel_tokens.authorization(teams.service_url)
    refused = requests.post(
        url, json={"type": "message"}, headers={"Authorization": channel_token or ""}, timeout=5
    )
    assert refused.status_code == 401
    token = requests.post(
        teams.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": teams.app_id,
            "client_secret": "wrong",
            "scope": "https://api.botframework.com/.default",
        },
        timeout=5,
    )
    assert token.status_code == 401
    assert token.json()["error"] == "invalid_client"
    assert token.json()["error_codes"] == [7000215]


# ---- delivery modes and proactive messages ----------------------------------------------


def test_expect_replies_through_cloud_adapter_posts_nothing(teams: MockTeams) -> None:
    answer = teams.simulate_incoming("hi", delivery_mode="expectReplies")
    # botbuilder 4.17.1's CloudAdapter serializes ExpectedReplies twice and answers 500,
    # but it neither asks for a token nor calls the connector.
    assert answer.status == 500
    assert _calls(teams, "/botframework.com/") == []
    assert _calls(teams, "/v3/") == []


def test_expect_replies_are_returned_in_the_answer(teams: MockTeams) -> None:
    """The stock legacy adapter (authentication on, keys from the mock) answers expectReplies
    with the replies in its body and no outbound token."""
    previous = ChannelValidation.open_id_metadata_endpoint
    ChannelValidation.open_id_metadata_endpoint = teams.openid_metadata_url
    settings = BotFrameworkAdapterSettings(teams.app_id, teams.app_password)
    legacy = BotServer(BotFrameworkHttpAdapter(settings), EchoBot(), legacy=True)
    try:
        teams.bot_url = legacy.url
        answer = teams.simulate_incoming("hi", delivery_mode="expectReplies")
        refused = teams.simulate_incoming(
            "hi", delivery_mode="expectReplies", token="wrong_audience"
        )
    finally:
        ChannelValidation.open_id_metadata_endpoint = previous
        legacy.stop()
    assert answer.status == 200
    assert [r["text"] for r in answer.replies] == ["echo: hi"]
    assert answer.replies[0]["replyToId"] == answer.activity["id"]
    assert _out(teams) == [("message", "echo: hi")]
    assert refused.status == 500  # the legacy integration lets PermissionError through
    assert _calls(teams, "/botframework.com/") == []
    assert _calls(teams, "/v3/") == []


def test_a_proactive_message_via_create_conversation(teams: MockTeams, echo_bot: BotServer) -> None:
    alice = teams.user("alice")
    teams.simulate_members_added()  # alice installs the bot
    teams.expect_reply("Reminder: stand-up at 10").once()
    chat = teams.conversation("alice")
    sent: list[str] = []

    async def remind(turn_context: TurnContext) -> None:
        sent.append(turn_context.activity.conversation.id)
        await turn_context.send_activity("Reminder: stand-up at 10")

    parameters = ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id=f"28:{teams.app_id}"),
        members=[ChannelAccount(id=alice.id)],
        tenant_id=teams.tenant_id,
    )
    echo_bot.run(
        lambda: echo_bot.adapter.create_conversation(
            teams.app_id,
            remind,
            parameters,
            channel_id="msteams",
            service_url=teams.service_url,
            audience="https://api.botframework.com",
        )
    )
    assert sent == [chat.id]
    chat.assert_response_contains("Reminder: stand-up at 10")
    [create] = [r for r in teams.requests if r.method == "POST" and r.path == "/v3/conversations"]
    assert create.json["members"] == [{"id": alice.id}]


def test_throttled_sends_and_a_removed_bot(teams: MockTeams, echo_bot: BotServer) -> None:
    answer = teams.simulate_incoming("hello")
    reference = TurnContext.get_conversation_reference(Activity().deserialize(answer.activity))

    def send(text: str) -> Callable[[], Awaitable[None]]:
        async def proactive() -> None:
            async def say(turn_context: TurnContext) -> None:
                await turn_context.send_activity(text)

            await echo_bot.adapter.continue_conversation(reference, say, teams.app_id)

        return proactive

    teams.throttle(times=1, retry_after=3)
    with pytest.raises(ErrorResponseException) as throttled:
        echo_bot.run(send("too soon"))
    assert throttled.value.error.error.code == "Throttled"
    assert throttled.value.response.headers["Retry-After"] == "3"
    echo_bot.run(send("after a pause"))
    statuses = [r.status for r in _calls(teams, "/v3/conversations/")][-2:]
    assert statuses == [429, 201]
    assert _out(teams)[-1] == ("message", "after a pause")

    teams.simulate_members_removed()
    with pytest.raises(ErrorResponseException) as refused:
        echo_bot.run(send("are you there?"))
    assert refused.value.error.error.code == "BotNotInConversationRoster"


def test_a_message_too_large_is_refused_with_413(teams: MockTeams) -> None:
    teams.simulate_incoming("big")
    assert _out(teams) == [("message", "too big: MessageSizeTooBig")]


# ---- keys and determinism ---------------------------------------------------------------


def test_a_bot_configured_after_a_key_rotation_accepts_the_new_key() -> None:
    with MockTeams.start(check_responses=True) as mock:
        kid = mock.rotate_signing_key()
        assert kid in mock.openid_metadata_url
        bot = BotServer(CloudAdapter(mock.bot_framework_authentication()), EchoBot())
        try:
            mock.bot_url = bot.url
            assert mock.simulate_incoming("after rotation").status == 201
        finally:
            bot.stop()
        assert mock.transcript[-1].text == "echo: after rotation"
        mock.verify()


def test_the_same_seed_and_clock_give_the_same_bytes(echo_bot: BotServer) -> None:
    """Two fresh mocks with one seed and a frozen clock post the same activities. The echo
    bot, configured against the session's mock, accepts them too: the channel's and the
    token endpoint's keys are the same in every MockTeams of the process."""
    sent: list[str] = []
    now = int(time.time())  # frozen, but recent enough for the bot to accept the tokens
    for _ in range(2):
        with MockTeams.start(seed=5, clock=Clock(fixed=now)) as mock:
            mock.bot_url = echo_bot.url
            first = mock.simulate_incoming("hi")
            second = mock.simulate_incoming("hi", conversation="channel")
            assert (first.status, second.status) == (201, 201)
            assert [e.text for e in mock.transcript if e.direction == "out"] == [
                "echo: hi",
                "echo: hi",
            ]
            sent.append(json.dumps([first.activity, second.activity]).replace(mock.url, "URL"))
    assert sent[0] == sent[1]


# ---- standalone: python -m mocks.teams, driven with curl ---------------------------------

ROOT = Path(__file__).resolve().parents[2]
STANDALONE_APP_ID = "6c1b8a8e-3f47-4b5e-9a4d-2f1e0c9b7a61"


def _curl(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    """Call the admin API with curl; the status and the parsed JSON answer."""
    command = ["curl", "-sS", "-X", method, "-w", "\n%{http_code}", url]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    text, _, code = done.stdout.rpartition("\n")
    return int(code), json.loads(text) if text.strip() else None


@pytest.fixture(scope="module")
def standalone() -> Iterator[tuple[str, BotServer]]:
    """``python -m mocks.teams`` in a subprocess, and the echo bot configured from the
    environment the mock's settings give."""
    bot_port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mocks.teams",
            "--port",
            "0",
            "--bot-url",
            f"http://127.0.0.1:{bot_port}/api/messages",
            "--app-id",
            STANDALONE_APP_ID,
            "--app-password",
            "standalone-secret",
            "--log-level",
            "WARNING",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("MockTeams listening on "), line
        url = line.rsplit(" ", 1)[1].strip()
        status, settings = _curl("GET", f"{url}/__admin/teams/settings")
        assert status == 200
        environment = settings["environment"]
        adapter = CloudAdapter(bot_framework_authentication(environment))
        bot = BotServer(adapter, EchoBot(), port=bot_port)
        yield url, bot
        bot.stop()
    finally:
        process.terminate()
        process.wait(10)


def test_the_echo_bot_driven_standalone_over_the_admin_api(
    standalone: tuple[str, BotServer],
) -> None:
    url, _ = standalone
    admin = f"{url}/__admin/teams"
    status, expectation = _curl("POST", f"{admin}/expect-reply", {"text_contains": "echo: again"})
    assert status == 201 and expectation["id"]
    status, answer = _curl(
        "POST", f"{admin}/simulate/message", {"text": "hi from curl", "user": "dora"}
    )
    assert status == 200
    assert answer["status"] == 201
    assert answer["activity"]["from"]["name"] == "dora"
    _curl("POST", f"{admin}/simulate/message", {"text": "again", "user": "dora"})
    status, card = _curl(
        "POST",
        f"{admin}/simulate/card-action",
        {"verb": "approve", "data": {"id": 3}, "user": "dora"},
    )
    assert (
        card["status"] == 200 and card["body"]["value"]["body"][0]["text"] == "approved #3 by dora"
    )
    status, refused = _curl(
        "POST", f"{admin}/simulate/message", {"text": "x", "token": "wrong_audience"}
    )
    assert refused["status"] == 401
    status, transcript = _curl("GET", f"{admin}/transcript")
    assert status == 200
    said = [(e["direction"], e["kind"], e["text"]) for e in transcript["entries"]]
    assert said[:4] == [
        ("in", "message", "hi from curl"),
        ("out", "message", "echo: hi from curl"),
        ("in", "message", "again"),
        ("out", "message", "echo: again"),
    ]
    assert ("out", "invoke", "approved #3 by dora") in said
    status, report = _curl("GET", f"{url}/__admin/verify")
    assert status == 200, report


def test_bad_admin_calls_get_clear_errors_and_the_mock_keeps_serving(
    standalone: tuple[str, BotServer],
) -> None:
    url, _ = standalone
    admin = f"{url}/__admin/teams"
    status, error = _curl("POST", f"{admin}/simulate/message", {"user": "dora"})
    assert status == 400 and error["error"]["field"].endswith("text")
    status, error = _curl(
        "POST", f"{admin}/simulate/message", {"text": "x", "conversation": "a:nope"}
    )
    assert status == 404 and "unknown conversation" in error["error"]["message"]
    status, error = _curl("POST", f"{admin}/simulate/message", {"text": "x", "token": "forged"})
    assert status == 400 and error["error"]["field"] == "token"
    status, error = _curl("POST", f"{url}/v3/conversations/a:nope/activities", {"type": "message"})
    assert status == 401 and error == {"message": "Authorization has been denied for this request."}
    status, _ = _curl("GET", f"{url}/__admin/health")
    assert status == 200
