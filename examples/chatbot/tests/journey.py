"""One user journey across the whole bot, written once and run against two ways of
driving the mocks: their pytest fixtures (`FixtureStack`, the Python API) and a
standalone ``python -m mocks`` (`AdminStack`, its admin REST API only).

The journey: Ada logs in to the web chat and asks about an order (the model calls the
tool, then streams the answer); a WhatsApp user asks about another order (tool call,
answer); a Teams user says who she is and is remembered on the next turn. Every turn is
then read back from PostgreSQL, and the mocks' `verify()` must pass.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import aiohttp
import requests
from conftest import Database
from web_client import ChatSocket, cookie_header, log_in, socket_url

from mocks.core import ExpectationSpec
from mocks.llm import LLMReply, MockLLM, PromptField
from mocks.teams import MockTeams
from mocks.whatsapp import MockWhatsApp
from mocks.zitadel import MockZitadel

WEB_CHUNKS = ["Order ", "42 ", "shipped ", "on ", "Monday."]
WHATSAPP_USER = "+44 7700 900123"
WHATSAPP_WA_ID = "447700900123"


class Stack(Protocol):
    """What the journey asks of the mocks, whichever way they are driven."""

    def auto_login(self, email: str, given_name: str, family_name: str) -> str:
        """Add a user the provider logs in without its pages; the user's id."""

    def model_calls_tool(self, prompt: str, name: str, arguments: dict[str, Any]) -> None:
        """The model's answer to a prompt containing `prompt` is a call of the tool."""

    def model_answers(self, text: str, *, after_tool: str = "", stream: bool = False) -> None:
        """Once a tool result containing `after_tool` is back, the model says `text`
        (`stream`: in the pieces of `WEB_CHUNKS` exactly)."""

    def model_remembers(self, question: str, earlier: str, text: str) -> None:
        """The model answers `question` with `text`, only if the conversation shown to it
        holds `earlier`."""

    def model_says(self, prompt: str, text: str) -> None:
        """The model answers a prompt containing `prompt` with `text`."""

    def whatsapp_says(self, user: str, text: str) -> None:
        """A WhatsApp user writes to the bot."""

    def whatsapp_reply(self, user: str, contains: str) -> str:
        """The bot's next WhatsApp reply to `user` (it must contain `contains`)."""

    def teams_says(self, user: str, text: str) -> str:
        """A Teams user writes to the bot; the user's Entra object id."""

    def teams_reply(self, user: str, contains: str) -> str:
        """The bot's latest Teams reply to `user` (it must contain `contains`)."""

    def verify(self) -> None:
        """Every mock's verify() passes."""


async def run_journey(stack: Stack, bot_url: str, database: Database) -> None:
    """The journey; fails on the first thing that is not as a user expects."""
    ada = stack.auto_login("ada@example.com", "Ada", "Lovelace")
    stack.model_calls_tool("order 42", "get_order_status", {"order_id": "42"})
    stack.model_answers("".join(WEB_CHUNKS), after_tool="shipped on Monday", stream=True)
    stack.model_calls_tool("order 43", "get_order_status", {"order_id": "43"})
    stack.model_answers("Order 43 is being packed.", after_tool="being packed")
    stack.model_says("I am Grace", "Nice to meet you, Grace.")
    stack.model_remembers("What is my name?", "I am Grace", "You are Grace.")

    # The web chat: logged in through the provider, the answer streamed after a tool call.
    session = log_in(bot_url)
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(socket_url(bot_url), headers=cookie_header(session)) as socket,
    ):
        answer = await ChatSocket(socket).say("Where is my order 42?")
    assert answer.pieces == WEB_CHUNKS and answer.text == "Order 42 shipped on Monday."

    # WhatsApp: a tool call, answered through the Graph API.
    stack.whatsapp_says(WHATSAPP_USER, "Is order 43 on its way?")
    assert stack.whatsapp_reply(WHATSAPP_USER, "being packed") == "Order 43 is being packed."

    # Teams: two turns, the second answered from the first.
    grace = stack.teams_says("Grace Hopper", "I am Grace")
    assert stack.teams_reply("Grace Hopper", "Nice to meet you") == "Nice to meet you, Grace."
    stack.teams_says("Grace Hopper", "What is my name?")
    assert stack.teams_reply("Grace Hopper", "You are") == "You are Grace."

    assert database.turns("web", ada) == [
        ("user", "Where is my order 42?"),
        ("assistant", "Order 42 shipped on Monday."),
    ]
    assert database.turns("whatsapp", WHATSAPP_WA_ID) == [
        ("user", "Is order 43 on its way?"),
        ("assistant", "Order 43 is being packed."),
    ]
    assert [text for _, text in database.turns("teams", grace)] == [
        "I am Grace",
        "Nice to meet you, Grace.",
        "What is my name?",
        "You are Grace.",
    ]
    stack.verify()


# ---- the pytest fixtures, through their Python API -----------------------------------------


class FixtureStack:
    """The journey's steps on the session's mock fixtures."""

    def __init__(
        self, llm: MockLLM, whatsapp: MockWhatsApp, teams: MockTeams, zitadel: MockZitadel
    ) -> None:
        self.llm = llm
        self.whatsapp = whatsapp
        self.teams = teams
        self.zitadel = zitadel

    def auto_login(self, email: str, given_name: str, family_name: str) -> str:
        user = self.zitadel.create_test_user(email, given_name=given_name, family_name=family_name)
        self.zitadel.set_auto_login(user)
        return str(user.id)

    def model_calls_tool(self, prompt: str, name: str, arguments: dict[str, Any]) -> None:
        self.llm.expect_tool_call(name, arguments, prompt_contains=prompt).once()

    def model_answers(self, text: str, *, after_tool: str = "", stream: bool = False) -> None:
        if stream:
            self.llm.expect_streaming(WEB_CHUNKS, tool_result_contains=after_tool).once()
        else:
            self.llm.expect_completion(tool_result_contains=after_tool, response=text).once()

    def model_remembers(self, question: str, earlier: str, text: str) -> None:
        matcher = MockLLM.generation_matcher(question) & PromptField(
            field="conversation", value=earlier, op="contains"
        )
        spec = ExpectationSpec(matcher=matcher, response=LLMReply(content=text), times=1)
        self.llm.add_expectation(spec)

    def model_says(self, prompt: str, text: str) -> None:
        self.llm.expect_completion(prompt, text).once()

    def whatsapp_says(self, user: str, text: str) -> None:
        self.whatsapp.conversation(user).user_says(text)

    def whatsapp_reply(self, user: str, contains: str) -> str:
        return str(self.whatsapp.conversation(user).assert_response_contains(contains).text)

    def teams_says(self, user: str, text: str) -> str:
        answer = self.teams.conversation(user).user_says(text)
        assert answer.ok, answer
        return str(answer.activity["from"]["aadObjectId"])

    def teams_reply(self, user: str, contains: str) -> str:
        replies = [r.text for r in self.teams.conversation(user).replies if contains in r.text]
        assert replies, self.teams.conversation(user).transcript
        return str(replies[-1])

    def verify(self) -> None:
        for mock in (self.llm, self.whatsapp, self.teams, self.zitadel):
            mock.verify()


# ---- a standalone stack, through the admin REST API only ------------------------------------


class AdminStack:
    """The journey's steps over ``/__admin`` of the mocks ``python -m mocks`` started
    (their URLs are the ``MOCK_<SERVICE>_URL`` it printed)."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.llm = environ["MOCK_LLM_URL"]
        self.whatsapp = environ["MOCK_WHATSAPP_URL"]
        self.teams = environ["MOCK_TEAMS_URL"]
        self.zitadel = environ["MOCK_ZITADEL_URL"]
        self._teams_chats: dict[str, str] = {}  # user -> conversation id

    def auto_login(self, email: str, given_name: str, family_name: str) -> str:
        user = admin(
            "POST",
            f"{self.zitadel}/__admin/zitadel/users",
            {"email": email, "given_name": given_name, "family_name": family_name},
        )
        admin("POST", f"{self.zitadel}/__admin/zitadel/auto-login", {"user_id": user["id"]})
        return str(user["id"])

    def model_calls_tool(self, prompt: str, name: str, arguments: dict[str, Any]) -> None:
        self._expect(
            [
                _prompt("last_user", prompt, "contains"),
                {"kind": "llm_tool_offered", "name": name},
                {"kind": "not", "matcher": _prompt("last_role", "tool")},
            ],
            {"kind": "llm_reply", "tool_calls": [{"name": name, "arguments": arguments}]},
        )

    def model_answers(self, text: str, *, after_tool: str = "", stream: bool = False) -> None:
        reply: dict[str, Any] = {"kind": "llm_reply", "content": text}
        conditions = [_prompt("tool_result", after_tool, "contains")]
        if stream:
            reply = {"kind": "llm_reply", "chunks": WEB_CHUNKS}
            conditions.append({"kind": "json_path", "path": "$.stream", "value": True})
        self._expect(conditions, reply)

    def model_remembers(self, question: str, earlier: str, text: str) -> None:
        self._expect(
            [
                _prompt("last_user", question, "contains"),
                _prompt("conversation", earlier, "contains"),
            ],
            {"kind": "llm_reply", "content": text},
        )

    def model_says(self, prompt: str, text: str) -> None:
        self._expect(
            [_prompt("last_user", prompt, "contains")], {"kind": "llm_reply", "content": text}
        )

    def _expect(self, conditions: list[dict[str, Any]], reply: dict[str, Any]) -> None:
        matcher = {"kind": "and", "all": [{"kind": "method", "value": "POST"}, *conditions]}
        admin(
            "POST",
            f"{self.llm}/__admin/expectations",
            {"matcher": matcher, "response": reply, "times": 1},
        )

    def whatsapp_says(self, user: str, text: str) -> None:
        delivered = admin(
            "POST",
            f"{self.whatsapp}/__admin/whatsapp/conversations/{user}/messages",
            {"text": text},
        )
        assert delivered["delivered"], delivered

    def whatsapp_reply(self, user: str, contains: str) -> str:
        entry = admin(
            "GET",
            f"{self.whatsapp}/__admin/whatsapp/conversations/{user}/reply",
            params={"contains": contains, "timeout": 10},
        )
        return str(entry["text"])

    def teams_says(self, user: str, text: str) -> str:
        answer = admin(
            "POST", f"{self.teams}/__admin/teams/simulate/message", {"text": text, "user": user}
        )
        assert answer["status"] in (200, 201), answer
        self._teams_chats[user] = answer["activity"]["conversation"]["id"]
        return str(answer["activity"]["from"]["aadObjectId"])

    def teams_reply(self, user: str, contains: str) -> str:
        chat = self._teams_chats[user]
        entries = admin(
            "GET", f"{self.teams}/__admin/teams/transcript", params={"conversation": chat}
        )["entries"]
        said = [e["text"] for e in entries if e["direction"] == "out" and contains in e["text"]]
        assert said, entries
        return str(said[-1])

    def verify(self) -> None:
        for url in (self.llm, self.whatsapp, self.teams, self.zitadel):
            report = requests.get(f"{url}/__admin/verify", timeout=10)
            assert report.status_code == 200, report.text


def admin(method: str, url: str, body: Any = None, *, params: dict[str, Any] | None = None) -> Any:
    """Call an admin route; its JSON answer (any status >= 300 fails, showing it)."""
    started = time.monotonic()
    response = requests.request(method, url, json=body, params=params, timeout=30)
    assert response.status_code < 300, (
        f"{method} {url} -> {response.status_code} after {time.monotonic() - started:.1f}s: "
        f"{response.text}"
    )
    return response.json() if response.content else None


def _prompt(field: str, value: str, op: str = "eq") -> dict[str, Any]:
    return {"kind": "llm_prompt", "field": field, "value": value, "op": op}
