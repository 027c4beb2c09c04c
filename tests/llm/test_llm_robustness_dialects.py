"""Random Anthropic and Gemini bodies over a real socket never make the mock fail: every
answer is the API's own (no 500), and every answer the mock wrote holds its contract
(checking mode notes request violations only)."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from mocks.llm import MockLLM

VALUES: list[Any] = [None, True, 0, -1, 1, 3, 2.5, "", "x", [], {}, [1], ["a"], {"a": 1}]
ANTHROPIC_KEYS = [
    "model",
    "max_tokens",
    "messages",
    "system",
    "stream",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "metadata",
    "tools",
    "tool_choice",
    "thinking",
    "output_config",
]
GEMINI_KEYS = [
    "contents",
    "systemInstruction",
    "system_instruction",
    "tools",
    "toolConfig",
    "generationConfig",
    "safetySettings",
    "unknownField",
]
GEMINI_CONFIG_KEYS = [
    "maxOutputTokens",
    "temperature",
    "topP",
    "topK",
    "candidateCount",
    "stopSequences",
    "responseMimeType",
    "responseSchema",
    "seed",
    "thinkingConfig",
]


def anthropic_body(rng: random.Random) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "claude-sonnet-4-5", "max_tokens": 50}
    if rng.random() < 0.8:
        body["messages"] = [
            {"role": "user", "content": rng.choice(["hi", [{"type": "text", "text": "hi"}]])}
        ]
    for key in rng.sample(ANTHROPIC_KEYS, rng.randint(0, 4)):
        body[key] = rng.choice(VALUES)
    return body


def gemini_body(rng: random.Random) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if rng.random() < 0.8:
        body["contents"] = [{"role": "user", "parts": [{"text": "hi Paris"}]}]
    for key in rng.sample(GEMINI_KEYS, rng.randint(0, 3)):
        body[key] = rng.choice(VALUES)
    if rng.random() < 0.5:
        config = {key: rng.choice(VALUES) for key in rng.sample(GEMINI_CONFIG_KEYS, 2)}
        body["generationConfig"] = config
    return body


@pytest.mark.parametrize("api", ["anthropic", "gemini"])
def test_random_bodies_never_break_the_mock(api: str) -> None:
    rng = random.Random(7)
    with MockLLM.start(check_responses=True) as mock, httpx.Client(timeout=10) as http:
        statuses: list[int] = []
        for _ in range(300):
            if api == "anthropic":
                response = http.post(
                    f"{mock.url}/v1/messages",
                    json=anthropic_body(rng),
                    headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
                )
            else:
                action = rng.choice(
                    ["generateContent", "streamGenerateContent?alt=sse", "countTokens"]
                )
                response = http.post(
                    f"{mock.url}/v1beta/models/gemini-2.5-flash:{action}",
                    json=gemini_body(rng),
                    headers={"x-goog-api-key": "k"},
                )
            statuses.append(response.status_code)
        assert 500 not in statuses
        assert 200 in statuses and 400 in statuses
        written = [v for r in mock.requests for v in r.violations if not v.startswith("request:")]
        assert written == []
