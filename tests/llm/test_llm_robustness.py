"""Seeded random request bodies: MockLLM never fails on one, answers valid ones within
the contracts, and answers the rest in the error envelope."""

from __future__ import annotations

import json
import random
from typing import Any

from multidict import CIMultiDict, MultiDict

from mocks.core import RecordedRequest, ReplyError
from mocks.llm import MockLLM
from mocks.llm._openai_api import endpoint_of

VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    "x",
    7,
    40,
    "required",
    "none",
    [],
    {},
    [1],
    ["a"],
    [[1]],
    [1, 2, 3],
    [[1, 2], [3]],
    {"a": 1},
    {"include_usage": True},
    {"type": "json_object"},
    [{"role": "user"}],
    [{"role": "user", "content": None}],
    [{"role": "tool", "content": "x"}],
    [{"role": "assistant", "tool_calls": [{}]}],
    [{"role": "user", "content": [{"type": "text", "text": 5}]}],
    [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
    [{"role": "developer", "content": "Be nice"}, {"role": "user", "content": "json please"}],
    [{"type": "function", "function": {"name": "f"}}],
    [
        {
            "type": "function",
            "name": "f",
            "parameters": {
                "type": "object",
                "properties": {"q": {"type": "string", "pattern": "^[a-z]{2}$"}},
                "required": ["q"],
            },
        }
    ],
    {"type": "function", "function": {"name": "f"}},
    {"type": "function", "name": "f"},
    {
        "type": "json_schema",
        "json_schema": {
            "name": "x",
            "schema": {
                "type": "object",
                "properties": {"a": {"type": "integer", "minimum": 5, "maximum": 1}},
            },
        },
    },
    {"format": {"type": "json_schema", "name": "x", "schema": {}}},
    [
        {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c", "output": "ok"},
    ],
    ["message.output_text.logprobs"],
]
KEYS = [
    "model",
    "messages",
    "input",
    "prompt",
    "n",
    "max_tokens",
    "max_completion_tokens",
    "max_output_tokens",
    "stream",
    "stream_options",
    "tools",
    "tool_choice",
    "response_format",
    "logprobs",
    "top_logprobs",
    "stop",
    "text",
    "instructions",
    "dimensions",
    "encoding_format",
    "seed",
    "echo",
    "suffix",
    "include",
]
PATHS = [
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/embeddings",
    "/v1/responses",
    "/openai/deployments/d/chat/completions",
]
SCHEMAS = {
    "chat": ("chat_request", "chat_response", "chat_chunk"),
    "completions": ("completion_request", "completion_response", "completion_chunk"),
    "embeddings": ("embedding_request", "embedding_response", None),
    "responses": ("responses_request", "response", "response_event"),
}


def test_random_bodies_never_break_the_mock() -> None:
    rng = random.Random(2024)
    mock = MockLLM()
    problems: list[str] = []
    for _ in range(1500):
        body: dict[str, Any] = {"model": rng.choice(["gpt-4o-mini", "gpt-4.1", "davinci-002"])}
        for key in rng.sample(KEYS, rng.randint(0, 6)):
            body[key] = rng.choice(VALUES)
        if rng.random() < 0.7:
            body.setdefault("messages", [{"role": "user", "content": "hi Paris"}])
        path = rng.choice(PATHS)
        headers = CIMultiDict({"Authorization": "Bearer sk-test"})
        request = RecordedRequest("POST", path, MultiDict(), headers, json.dumps(body).encode())
        if path.startswith("/openai/"):
            request.path_params = {"deployment": "d"}
        endpoint = endpoint_of(path)
        assert endpoint is not None
        request_schema, response_schema, chunk_schema = SCHEMAS[endpoint]
        violation = mock.contracts.check(request_schema, body)
        try:
            if violation is not None:  # the engine's path for a contract breach
                reply = mock.contract_error_reply(request, violation)
            elif endpoint == "embeddings":
                reply = mock.openai.embed(request)
            else:
                reply = mock.openai.generate(request)
        except ReplyError as answered:  # an API error: the engine writes its reply
            reply = answered.reply
        schema = response_schema if reply.status < 400 else "error"
        if violation is not None and reply.status < 400:
            problems.append(f"{path} {body}: a contract breach was answered {reply.status}")
        if reply.document is not None:
            found = mock.contracts.check(schema, reply.document)
            if found is not None:
                problems.append(f"{path} {body}: {found}")
        for chunk in reply.stream or ():  # type: ignore[union-attr]
            if chunk.document is not None and chunk_schema is not None:
                found = mock.contracts.check(chunk_schema, chunk.document)
                if found is not None:
                    problems.append(f"{path} {body}: {found}")
                    break
    assert problems == []
