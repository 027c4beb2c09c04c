"""Matchers that read chat, Responses and legacy completion bodies alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from multidict import CIMultiDict, MultiDict
from pydantic import ValidationError

from mocks.core import RecordedRequest, parse_matcher
from mocks.llm import EmbeddingInput, MockLLM, PromptField, ToolCallSpec, ToolOffered


def request(path: str, body: Any) -> RecordedRequest:
    return RecordedRequest("POST", path, MultiDict(), CIMultiDict(), json.dumps(body).encode())


CHAT = request(
    "/v1/chat/completions",
    {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "18C"},
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather"}}],
    },
)
RESPONSES = request(
    "/v1/responses",
    {"model": "gpt-4.1", "instructions": "Be kind.", "input": "Hello Rome", "tools": []},
)
LEGACY = request("/v1/completions", {"model": "davinci-002", "prompt": ["Once upon", "a time"]})


@pytest.mark.parametrize(
    ("matcher", "matching", "other"),
    [
        (PromptField(field="last_user", value="paris", op="contains"), CHAT, RESPONSES),
        (PromptField(field="system", value="Be kind.", op="eq"), RESPONSES, CHAT),
        (PromptField(field="model", value="gpt-4.1"), RESPONSES, CHAT),
        (PromptField(field="last_role", value="tool"), CHAT, RESPONSES),
        (PromptField(field="tool_result", value="18C", op="contains"), CHAT, RESPONSES),
        (PromptField(field="conversation", value=r"upon\sa time", op="regex"), LEGACY, CHAT),
        (PromptField(field="tool_result", op="absent"), RESPONSES, CHAT),
        (ToolOffered(name="get_weather"), CHAT, RESPONSES),
    ],
)
def test_matchers_read_every_endpoint(matcher: Any, matching: Any, other: Any) -> None:
    assert matcher.matches(matching)
    assert not matcher.matches(other)
    (difference,) = matcher.differences(other)
    assert difference.field and difference.expected


def test_differences_read_like_a_report() -> None:
    (difference,) = ToolOffered(name="lookup").differences(RESPONSES)
    assert str(difference) == "tools offered: expected a function 'lookup', got no tools"
    (difference,) = PromptField(field="last_user", value="Oslo", op="contains").differences(CHAT)
    assert str(difference) == "last user message: expected contains 'Oslo', got 'Weather in Paris?'"


def test_embedding_input_matcher() -> None:
    body = {"model": "text-embedding-3-small", "input": ["alpha", "Beta text"]}
    embedding = request("/v1/embeddings", body)
    assert EmbeddingInput(value="beta").matches(embedding)
    assert not EmbeddingInput(value="gamma").matches(embedding)


def test_matchers_travel_as_json() -> None:
    matcher = MockLLM.generation_matcher("weather", model="gpt-4o", tools_offered=["get_weather"])
    restored = parse_matcher(json.loads(matcher.model_dump_json()))
    assert restored.matches(CHAT) and not restored.matches(RESPONSES)


def test_bad_programming_is_refused_when_programmed() -> None:
    mock = MockLLM()
    with pytest.raises(ValueError, match="name must be a function name"):
        mock.expect_tool_call("not a valid name!")
    with pytest.raises(ValidationError):
        ToolCallSpec(name="f", arguments={"when": object()})
    with pytest.raises(ValueError, match="unknown error code"):
        mock.expect_completion().with_api_error("teapot")
