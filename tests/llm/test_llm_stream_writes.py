"""Streams go out in few writes when nothing asks for them one event at a time, and the
events are byte for byte the same either way."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from multidict import CIMultiDict, MultiDict

from mocks.core import RecordedRequest
from mocks.llm import MockLLM

REQUESTS: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    (
        "/v1/chat/completions",
        {"Authorization": "Bearer sk"},
        {
            "model": "gpt-4o-mini",
            "stream": True,
            "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": "Explain photosynthesis in detail"}],
        },
    ),
    (
        "/v1/messages",
        {"x-api-key": "k", "anthropic-version": "2023-06-01"},
        {
            "model": "claude-sonnet-4-5",
            "max_tokens": 300,
            "stream": True,
            "messages": [{"role": "user", "content": "Explain photosynthesis in detail"}],
        },
    ),
    (
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        {"x-goog-api-key": "k"},
        {"contents": [{"parts": [{"text": "Explain photosynthesis in detail"}]}]},
    ),
    (
        "/v1/responses",
        {"Authorization": "Bearer sk"},
        {"model": "gpt-4.1", "stream": True, "input": "Explain photosynthesis in detail"},
    ),
]


def stream_bytes(checking: bool) -> list[bytes]:
    with MockLLM.start(seed=5, created=1_700_000_000, check_responses=checking) as mock:
        bodies = [
            httpx.post(f"{mock.url}{path}", json=body, headers=headers).content
            for path, headers, body in REQUESTS
        ]
        mock.verify()
    return bodies


def test_coalesced_streams_carry_the_same_bytes() -> None:
    one_by_one, coalesced = stream_bytes(checking=True), stream_bytes(checking=False)
    assert [len(b) for b in coalesced] == [len(b) for b in one_by_one]
    assert coalesced == one_by_one
    assert all(body.count(b"data: ") > 20 for body in coalesced)


def test_the_sdk_reads_a_coalesced_stream_and_its_error() -> None:
    with MockLLM.start(check_responses=False) as mock:
        mock.expect_streaming(list("abcdefghijklmnopqrstuvwxyz")).once()
        mock.expect_streaming(["x"] * 40, "fail").with_stream_error(after=30).once()
        with openai.OpenAI(base_url=f"{mock.url}/v1", api_key="sk", max_retries=0) as client:
            stream = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
            )
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
            with pytest.raises(openai.APIError):
                for _ in client.chat.completions.create(
                    model="gpt-4o-mini",
                    messages=[{"role": "user", "content": "fail"}],
                    stream=True,
                ):
                    pass
        mock.verify()
    assert text == "abcdefghijklmnopqrstuvwxyz"


def test_paced_streams_are_written_event_by_event() -> None:
    mock = MockLLM()
    plain = mock.expect_streaming(["a", "b"], "plain")
    timed = mock.expect_streaming(["a", "b"], "timed").with_stream_delays(between_events=5)

    def request(matched: str | None, fault: str | None = None) -> RecordedRequest:
        entry = RecordedRequest("POST", "/v1/chat/completions", MultiDict(), CIMultiDict(), b"")
        entry.matched, entry.fault = matched, fault
        return entry

    assert not mock._paced(request(None))
    assert not mock._paced(request(plain.id))
    assert mock._paced(request(timed.id))
    assert mock._paced(request(plain.id, fault="STREAM_CUT"))


@pytest.mark.parametrize(
    ("endpoint", "extra"),
    [
        ("chat", {"stream_options": {"include_usage": True}, "n": 2}),
        ("chat", {"logprobs": True, "top_logprobs": 2}),
        (
            "chat",
            {"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "required"},
        ),
        ("chat", {"stream_options": {"include_obfuscation": False}}),
        ("completions", {"prompt": ["Tell me a story", "Another one"], "n": 2, "max_tokens": 40}),
    ],
)
def test_every_chunk_is_one_data_line_that_reads_back_as_its_document(
    endpoint: str, extra: dict[str, Any]
) -> None:
    import json
    import random

    from mocks.core import sse_event
    from mocks.llm._chat import stream_chat_completion
    from mocks.llm._completions import stream_completion

    if endpoint == "chat":
        body = {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": 'Explain \u00e9t\u00e9 "quotes"\n'}],
            **extra,
        }
        documents = stream_chat_completion(body, rng=random.Random(3), created=1)
    else:
        body = {"model": "gpt-3.5-turbo-instruct", **extra}
        documents = stream_completion(body, rng=random.Random(3), created=1)
    assert len(documents) > 3
    for document in documents:
        data = sse_event(document).data
        assert data.startswith(b"data: {") and data.endswith(b"}\n\n")
        assert data.count(b"\n") == 2  # one line: a line break in the text is escaped
        assert json.loads(data[len(b"data: ") :]) == document


def test_a_programmed_stream_is_planned_once_and_again_when_its_fields_change() -> None:
    from mocks.llm._responders import LLMReply

    chunks = ["Hel", "", "lo", "", " there"]
    with MockLLM.start() as mock:
        expectation = mock.expect_streaming(chunks, "hello").times(3)
        reply = expectation.spec.response
        assert isinstance(reply, LLMReply)
        with openai.OpenAI(base_url=f"{mock.url}/v1", api_key="sk", max_retries=0) as client:

            def deltas() -> list[str]:
                stream = client.chat.completions.create(
                    model="gpt-4o-mini",
                    messages=[{"role": "user", "content": "hello"}],
                    stream=True,
                )
                return [c.choices[0].delta.content for c in stream if c.choices]

            first, second = deltas(), deltas()
            # the empty chunks are dropped; each request gets the same pieces
            assert first == second
            assert [d for d in first if d] == ["Hel", "lo", " there"]
            assert reply.answer() is reply.answer()
            changed = reply.model_copy(update={"chunks": ["Bye"]})
            assert changed.answer() is not None and changed.answer().pieces == ("Bye",)
            reply.chunks = ["A", "B"]  # a field set anew is planned anew
            assert [d for d in deltas() if d] == ["A", "B"]
        mock.verify()
