"""Scopes by credential: the anthropic and google-genai SDKs land in the scope named after
the API key they send (``x-api-key``, ``x-goog-api-key``), with no header of the test's."""

from __future__ import annotations

import requests
from anthropic import Anthropic
from google import genai
from google.genai import types

from mocks import MockLLM


def _program(mock: MockLLM, scope: str, path: str, content: str) -> None:
    created = requests.post(
        f"{mock.url}/__admin/expectations",
        headers={"X-Mock-Scope": scope},
        json={
            "matcher": {"kind": "path", "value": path, "op": "contains"},
            "response": {"kind": "llm_reply", "content": content},
            "times": 1,
        },
        timeout=5,
    )
    assert created.status_code == 201, created.text


def _scoped_paths(mock: MockLLM, scope: str) -> list[str]:
    journal = requests.get(
        f"{mock.url}/__admin/requests", headers={"X-Mock-Scope": scope}, timeout=5
    ).json()
    return [entry["path"] for entry in journal["requests"]]


def test_anthropic_and_gemini_keys_pick_their_scopes(mock_llm: MockLLM) -> None:
    _program(mock_llm, "sk-ant-worker", "/v1/messages", "from the anthropic scope")
    _program(mock_llm, "gk-worker", "generateContent", "from the gemini scope")
    with Anthropic(base_url=mock_llm.url, api_key="sk-ant-worker", max_retries=0) as claude:
        message = claude.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=64,
            messages=[{"role": "user", "content": "hi"}],
        )
    assert message.content[0].type == "text"
    assert message.content[0].text == "from the anthropic scope"
    gemini = genai.Client(
        api_key="gk-worker", http_options=types.HttpOptions(base_url=mock_llm.url)
    )
    answer = gemini.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert answer.text == "from the gemini scope"
    assert _scoped_paths(mock_llm, "sk-ant-worker") == ["/v1/messages"]
    [gemini_path] = _scoped_paths(mock_llm, "gk-worker")
    assert gemini_path.endswith("/models/gemini-2.5-flash:generateContent")
    assert len(mock_llm.requests) == 0  # nothing in the default scope
    mock_llm.verify()
