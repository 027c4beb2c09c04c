"""Reading the bot's answer: invoke responses, expectReplies, refusals."""

from __future__ import annotations

import json
from types import SimpleNamespace

from mocks.teams._answers import answer_entries, parse_body, read_answer


def test_a_plain_message_answer(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    activity = kit.factory.message(kit.directory.personal(alice), alice, "hi")
    answer = read_answer(activity, 201, b"")
    assert answer.ok and answer.body is None and answer.replies == []
    assert answer_entries(answer) == []
    assert answer.to_dict() == {"status": 201, "body": None, "activity": activity, "error": None}


def test_refusals_and_unreachable_bots(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    activity = kit.factory.message(kit.directory.personal(alice), alice, "hi")
    refused = read_answer(activity, 401, b"401: Unauthorized")
    assert not refused.ok and refused.body == "401: Unauthorized"
    gone = read_answer(activity, None, b"", "connection refused")
    assert not gone.ok and gone.error == "connection refused"
    assert parse_body(b'{"a": 1}') == {"a": 1}
    assert parse_body(b"\xff") == "\ufffd"


def test_an_invoke_answer_lands_in_the_transcript(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    chat = kit.directory.personal(alice)
    invoke = kit.factory.adaptive_card_action(chat, alice, "approve")
    card = {
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Approved"}]},
    }
    answer = read_answer(invoke, 200, json.dumps(card).encode())
    assert answer.body == card
    [entry] = answer_entries(answer)
    assert (entry.direction, entry.kind, entry.text) == ("out", "invoke", "Approved")
    assert entry.conversation_id == chat.id and entry.activity_id == invoke["id"]


def test_expect_replies_come_back_in_the_body(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    chat = kit.directory.personal(alice)
    message = kit.factory.message(chat, alice, "hi", delivery_mode="expectReplies")
    body = {"activities": [{"type": "message", "text": "echo: hi"}, {"type": "typing"}]}
    kit.assert_valid("expected_replies", body)
    answer = read_answer(message, 200, json.dumps(body).encode())
    assert [r["type"] for r in answer.replies] == ["message", "typing"]
    assert [(e.kind, e.text) for e in answer_entries(answer)] == [
        ("message", "echo: hi"),
        ("typing", ""),
    ]
    plain = kit.factory.message(chat, alice, "hi")
    assert read_answer(plain, 200, json.dumps(body).encode()).replies == []
