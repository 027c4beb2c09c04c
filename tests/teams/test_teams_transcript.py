"""The transcript: readable text for messages and cards, kinds, and waiting across threads."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from mocks.teams._cards import readable_text, render_activity, render_attachment
from mocks.teams._transcript import (
    Transcript,
    TranscriptEntry,
    incoming_entry,
    invoke_response_entry,
    outgoing_entry,
)

ADAPTIVE = {
    "contentType": "application/vnd.microsoft.card.adaptive",
    "content": {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Expense **report**", "weight": "Bolder"},
            {"type": "FactSet", "facts": [{"title": "Amount", "value": "42 EUR"}]},
            {
                "type": "ColumnSet",
                "columns": [{"type": "Column", "items": [{"type": "TextBlock", "text": "left"}]}],
            },
            {"type": "Image", "url": "https://x/y.png", "altText": "receipt"},
            {"type": "Input.Text", "id": "comment", "label": "Comment"},
            {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "rich"}, " tail"]},
        ],
        "actions": [
            {"type": "Action.Execute", "title": "Approve", "verb": "approve"},
            {"type": "Action.Execute", "title": "Reject", "verb": "reject"},
        ],
    },
}
HERO = {
    "contentType": "application/vnd.microsoft.card.hero",
    "content": {
        "title": "Seattle",
        "subtitle": "Rain",
        "text": "Take an umbrella",
        "buttons": [{"type": "openUrl", "title": "Forecast", "value": "https://x"}],
    },
}


def test_mentions_and_html_read_as_text() -> None:
    assert readable_text("<at>EchoBot</at> hi &amp; bye") == "@EchoBot hi & bye"
    assert readable_text("<p>one</p><p>two<br/>three</p>") == "one\ntwo\nthree"


def test_an_adaptive_card_reads_in_order() -> None:
    assert render_attachment(ADAPTIVE).splitlines() == [
        "Expense **report**",
        "Amount: 42 EUR",
        "left",
        "[image: receipt]",
        "[input: Comment]",
        "rich tail",
        "[Approve] [Reject]",
    ]


def test_a_hero_card_and_other_attachments() -> None:
    assert render_attachment(HERO) == "Seattle\nRain\nTake an umbrella\n[Forecast]"
    file = {"contentType": "application/pdf", "name": "a.pdf", "contentUrl": "https://x"}
    assert render_attachment(file) == "[attachment: a.pdf]"
    assert render_attachment({"contentType": "text/html", "content": "<div>x</div>"}) == ""
    assert render_attachment("junk") == "[attachment]"


def test_a_message_with_text_and_a_card() -> None:
    text = render_activity({"type": "message", "text": "Here:", "attachments": [HERO]})
    assert text.splitlines()[0] == "Here:"
    assert "Seattle" in text


def test_kinds_both_ways(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    chat = kit.directory.personal(alice)
    incoming = incoming_entry(kit.factory.message(chat, alice, "hi", mentions=[kit.bot]))
    assert (incoming.direction, incoming.kind, incoming.text) == ("in", "message", "@EchoBot hi")
    assert incoming.conversation_id == chat.id
    invoke = incoming_entry(kit.factory.adaptive_card_action(chat, alice, "approve"))
    assert (invoke.kind, invoke.text) == ("invoke", "adaptiveCard/action approve")
    update = incoming_entry(kit.factory.conversation_update(chat, alice, added=[kit.bot]))
    assert (update.kind, update.text) == ("event", f"added {kit.bot.id}")
    reaction = incoming_entry(
        kit.factory.message_reaction(chat, alice, "1", added=(), removed=["like"])
    )
    assert (reaction.kind, reaction.text) == ("reaction", "removed reaction like")
    submit = incoming_entry(kit.factory.card_submit(chat, alice, {"b": 1, "a": 2}, "1"))
    assert (submit.kind, submit.text) == ("message", '{"a":2,"b":1}')
    card = outgoing_entry({"type": "message", "attachments": [ADAPTIVE]}, "send", chat.id, "9")
    assert card.kind == "card" and card.text.startswith("Expense")
    assert str(card).startswith("bot card: Expense")
    assert str(incoming) == "user message: @EchoBot hi"


def test_invoke_answers_read_as_their_card_or_text(kit: SimpleNamespace) -> None:
    card = {
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": ADAPTIVE["content"],
    }
    kit.assert_valid("adaptive_card_invoke.response", card)
    entry = invoke_response_entry(200, card, "a:1", "f:1")
    assert (entry.direction, entry.kind) == ("out", "invoke")
    assert entry.text.startswith("Expense **report**")
    assert entry.raw == {"status": 200, "body": card}
    message = {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "ok",
    }
    assert invoke_response_entry(200, message, "a:1", None).text == "ok"
    compose = {"composeExtension": {"type": "result", "attachments": [HERO]}}
    kit.assert_valid("messaging_extension.response", compose)
    assert invoke_response_entry(200, compose, "a:1", None).text.startswith("Seattle")
    assert invoke_response_entry(501, None, "a:1", None).text == ""


def test_waiting_for_an_entry_from_another_thread() -> None:
    transcript = Transcript()
    entry = TranscriptEntry("out", "message", "pong", {}, "a:1", "1")
    timer = threading.Timer(0.05, transcript.append, args=(entry,))
    timer.start()
    found = transcript.wait_for(lambda e: "pong" in e.text, timeout=5)
    timer.join()
    assert found is entry
    assert transcript.wait_for(lambda e: "never" in e.text, timeout=0.01) is None
    assert transcript.wait_for(lambda e: True, timeout=0.01, start=1) is None
    assert len(transcript) == 1
    transcript.clear()
    assert transcript.entries() == []


def test_a_channel_thread_belongs_to_its_channel() -> None:
    transcript = Transcript()
    transcript.append(TranscriptEntry("in", "message", "a", {}, "19:c@thread.tacv2;messageid=5"))
    transcript.append(TranscriptEntry("in", "message", "b", {}, "a:1other"))
    assert [e.text for e in transcript.entries("19:c@thread.tacv2")] == ["a"]
