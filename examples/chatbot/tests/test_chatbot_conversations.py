"""Conversations with the bot on WhatsApp and Teams, driven through the mocks as a user
would talk: ``conversation(user).user_says(...)`` / ``assert_response_contains(...)``.

The model's side is scripted on MockLLM; what the bot remembers is read back from
PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from conftest import Chatbot, Database

from mocks.core import ExpectationSpec
from mocks.llm import LLMReply, MockLLM, PromptField
from mocks.teams import MockTeams
from mocks.whatsapp import MockWhatsApp

ADA = "+1 555 0100 201"
ADA_WA_ID = "15550100201"
TOOL_RESULT_42 = "Order 42: shipped on Monday; it arrives on Friday"


def expect_remembered(mock_llm: MockLLM, question: str, earlier: str, answer: str) -> None:
    """The model answers `question` with `answer` only if it is shown `earlier` too."""
    matcher = MockLLM.generation_matcher(question) & PromptField(
        field="conversation", value=earlier, op="contains"
    )
    mock_llm.add_expectation(
        ExpectationSpec(matcher=matcher, response=LLMReply(content=answer), times=1)
    )


def _change(event: Any) -> dict[str, Any]:
    """The ``value`` of a WhatsApp notification's first change."""
    value: dict[str, Any] = event["entry"][0]["changes"][0]["value"]
    return value


# ---- WhatsApp --------------------------------------------------------------------------


def test_whatsapp_order_question_is_answered_through_the_tool(
    chatbot: Chatbot, mock_llm: MockLLM, mock_whatsapp: MockWhatsApp, database: Database
) -> None:
    mock_llm.expect_tool_call(
        "get_order_status", {"order_id": "42"}, prompt_contains="order 42"
    ).once()
    mock_llm.expect_completion(
        tool_result_contains="shipped on Monday",
        response="Your order 42 shipped on Monday and arrives on Friday.",
    ).once()

    chat = mock_whatsapp.conversation(ADA, name="Ada")
    wamid = chat.user_says("Where is my order 42?")
    reply = chat.assert_response_contains("arrives on Friday")

    assert reply.raw["context"] == {"message_id": wamid}  # the answer quotes the question
    call, answer = mock_llm.requests.matching("POST", "/v1/chat/completions")
    assert [tool["function"]["name"] for tool in call.json["tools"]] == ["get_order_status"]
    sent_back = answer.json["messages"]
    [asked] = sent_back[-2]["tool_calls"]
    assert asked["function"]["name"] == "get_order_status"
    assert json.loads(asked["function"]["arguments"]) == {"order_id": "42"}
    assert sent_back[-1]["role"] == "tool" and sent_back[-1]["content"] == TOOL_RESULT_42
    assert sent_back[-1]["tool_call_id"] == asked["id"]
    assert database.turns("whatsapp", ADA_WA_ID) == [
        ("user", "Where is my order 42?"),
        ("assistant", "Your order 42 shipped on Monday and arrives on Friday."),
    ]


def test_whatsapp_remembers_earlier_turns_from_postgres(
    chatbot: Chatbot, mock_llm: MockLLM, mock_whatsapp: MockWhatsApp, database: Database
) -> None:
    mock_llm.expect_completion("My name is Ada", "Nice to meet you, Ada.").once()
    expect_remembered(mock_llm, "What is my name?", "My name is Ada", "Your name is Ada.")

    chat = mock_whatsapp.conversation(ADA)
    chat.user_says("My name is Ada")
    chat.assert_response_contains("Nice to meet you")
    chat.user_says("What is my name?")
    chat.assert_response_contains("Your name is Ada.")

    assert database.turns("whatsapp", ADA_WA_ID) == [
        ("user", "My name is Ada"),
        ("assistant", "Nice to meet you, Ada."),
        ("user", "What is my name?"),
        ("assistant", "Your name is Ada."),
    ]
    last = mock_llm.requests.matching("POST", "/v1/chat/completions")[-1].json["messages"]
    assert [m["role"] for m in last] == ["system", "user", "assistant", "user"]


def test_a_webhook_delivered_twice_is_answered_once(
    chatbot: Chatbot, mock_llm: MockLLM, mock_whatsapp: MockWhatsApp, database: Database
) -> None:
    mock_llm.expect_completion("opening hours", "We open at 9.").once()
    chat = mock_whatsapp.conversation(ADA)
    chat.user_says("What are your opening hours?")
    chat.assert_response_contains("We open at 9.")

    [first] = [d for d in mock_whatsapp.callbacks if _change(d.json).get("messages")]
    again = mock_whatsapp.simulate_webhook(first.json)  # Meta may deliver an event again
    assert again.status == 200

    assert [m.text for m in mock_whatsapp.sent_messages] == ["We open at 9."]
    assert len(database.turns("whatsapp", ADA_WA_ID)) == 2


def test_the_webhook_handshake_and_the_signature_check(
    chatbot: Chatbot, mock_whatsapp: MockWhatsApp, database: Database
) -> None:
    assert mock_whatsapp.verify_webhook().isdigit()
    webhook = f"{chatbot.url}/whatsapp/webhook"
    wrong_token = requests.get(
        webhook,
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        timeout=10,
    )
    assert wrong_token.status_code == 403

    event = {"object": "whatsapp_business_account", "entry": []}
    unsigned = requests.post(webhook, json=event, timeout=10)
    forged = requests.post(
        webhook, json=event, headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}, timeout=10
    )
    assert (unsigned.status_code, forged.status_code) == (401, 401)
    assert database.rows("SELECT * FROM messages") == []


# ---- Teams -----------------------------------------------------------------------------


def test_teams_order_question_is_answered_through_the_tool(
    chatbot: Chatbot, mock_llm: MockLLM, mock_teams: MockTeams, database: Database
) -> None:
    mock_llm.expect_tool_call(
        "get_order_status", {"order_id": "44"}, prompt_contains="order 44"
    ).once()
    mock_llm.expect_completion(
        tool_result_contains="delivered yesterday", response="Order 44 was delivered yesterday."
    ).once()

    chat = mock_teams.conversation("alice")
    answer = chat.user_says("Did order 44 arrive?")
    reply = chat.assert_response_contains("delivered yesterday")

    assert answer.status == 201 and reply.direction == "out"
    assert reply.raw["replyToId"] == answer.activity["id"]
    tool_turn = mock_llm.requests.matching("POST", "/v1/chat/completions")[-1].json["messages"]
    assert tool_turn[-1]["content"] == "Order 44: delivered yesterday"
    alice = mock_teams.user("alice").aad_object_id
    assert database.turns("teams", alice) == [
        ("user", "Did order 44 arrive?"),
        ("assistant", "Order 44 was delivered yesterday."),
    ]


def test_teams_remembers_earlier_turns_and_keeps_channels_apart(
    chatbot: Chatbot,
    mock_llm: MockLLM,
    mock_teams: MockTeams,
    mock_whatsapp: MockWhatsApp,
    database: Database,
) -> None:
    mock_llm.expect_completion("I like green", "Green it is.").once()
    mock_llm.expect_completion("I like red", "Red it is.").once()
    expect_remembered(mock_llm, "Which colour do I like?", "I like green", "You like green.")

    teams = mock_teams.conversation("bob")
    teams.user_says("I like green")
    teams.assert_response_contains("Green it is.")
    whatsapp = mock_whatsapp.conversation(ADA)  # another user, another channel
    whatsapp.user_says("I like red")
    whatsapp.assert_response_contains("Red it is.")
    teams.user_says("Which colour do I like?")
    teams.assert_response_contains("You like green.")

    bob = mock_teams.user("bob").aad_object_id
    assert bob is not None
    assert database.turns("teams", bob) == [
        ("user", "I like green"),
        ("assistant", "Green it is."),
        ("user", "Which colour do I like?"),
        ("assistant", "You like green."),
    ]
    last = mock_llm.requests.matching("POST", "/v1/chat/completions")[-1].json
    assert "I like red" not in str(last["messages"])


def test_teams_activities_without_a_valid_channel_token_are_refused(
    chatbot: Chatbot, mock_llm: MockLLM, mock_teams: MockTeams, database: Database
) -> None:
    for variant in ("wrong_audience", "wrong_issuer", "none"):
        answer = mock_teams.simulate_incoming("let me in", user="mallory", token=variant)
        assert answer.status == 401, (variant, answer.status)
    assert not mock_llm.requests.matching("POST", "/v1/chat/completions")
    assert database.rows("SELECT * FROM messages") == []
