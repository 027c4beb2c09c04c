"""The transcript (thread-safe, waitable) and the conversation helper over a fake host."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mocks.whatsapp._conversation import Conversation
from mocks.whatsapp._transcript import Transcript, TranscriptEntry

USER = "15551234567"


def entry(direction: str, kind: str, text: str, user: str = USER) -> TranscriptEntry:
    return TranscriptEntry(direction, kind, text, {"t": text}, user=user)  # type: ignore[arg-type]


def test_entries_filter_by_user_and_keep_order() -> None:
    transcript = Transcript()
    transcript.append(entry("in", "text", "hi"))
    transcript.append(entry("in", "text", "other", user="15559999999"))
    transcript.append(entry("out", "text", "hello"))
    assert [e.text for e in transcript.entries(USER)] == ["hi", "hello"]
    assert len(transcript) == 3
    assert transcript.render(USER) == "-> [text] hi\n<- [text] hello"
    transcript.clear()
    assert transcript.render() == "(empty)"


def test_wait_for_returns_an_entry_appended_by_another_thread() -> None:
    transcript = Transcript()
    timer = threading.Timer(0.05, lambda: transcript.append(entry("out", "text", "late")))
    timer.start()
    started = time.monotonic()
    found = transcript.wait_for(lambda e: e.text == "late", timeout=5)
    assert found is not None and found.text == "late"
    assert time.monotonic() - started < 4


def test_wait_for_starts_at_a_position_and_times_out() -> None:
    transcript = Transcript()
    transcript.append(entry("out", "text", "old"))
    assert transcript.wait_for(lambda e: e.text == "old", start=1, timeout=0.05) is None
    assert transcript.wait_for(lambda e: e.text == "old", start=0, timeout=0) is not None


class FakeHost:
    """Answers every message the user sends with "echo: <text>", from another thread."""

    def __init__(self) -> None:
        self.transcript = Transcript()
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def normalize_user(self, number: str) -> str:
        return number.lstrip("+").replace(" ", "")

    def simulate_incoming(self, from_number: str, text: str, *, name: str | None = None) -> str:
        self.sent.append((from_number, text, {"name": name}))
        self.transcript.append(entry("in", "text", text, from_number))
        reply = entry("out", "text", f"echo: {text}", from_number)
        threading.Timer(0.02, lambda: self.transcript.append(reply)).start()
        return f"wamid.{len(self.sent)}"


def test_conversation_waits_for_the_reply_to_the_last_message() -> None:
    host = FakeHost()
    chat = Conversation(host, host.transcript, "+1 5551234567", name="Alice")
    assert chat.user == USER
    assert chat.user_says("hi") == "wamid.1"
    assert host.sent == [(USER, "hi", {"name": "Alice"})]
    assert chat.assert_response_contains("echo: hi").text == "echo: hi"
    chat.user_says("again")
    chat.assert_response_contains("again")
    with pytest.raises(AssertionError) as caught:
        chat.assert_response_contains("echo: hi", timeout=0.1)
    assert "no message containing 'echo: hi'" in str(caught.value)
    assert "-> [text] again" in str(caught.value)
    assert [e.text for e in chat.replies()] == ["echo: hi", "echo: again"]
    assert [e.direction for e in chat.transcript] == ["in", "out", "in", "out"]


def test_receipts_and_statuses_are_not_replies() -> None:
    host = FakeHost()
    chat = Conversation(host, host.transcript, USER)
    host.transcript.append(entry("out", "read", "[read wamid.1]"))
    host.transcript.append(entry("in", "status", "delivered wamid.1"))
    with pytest.raises(AssertionError):
        chat.assert_response_contains("wamid.1", timeout=0.05)
    assert chat.replies() == []
