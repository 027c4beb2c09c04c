"""The cassettes in ``recordings/llm`` (the official API references' documented examples)
replay through MockLLM to the real clients, and hold the contracts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import openai
import pytest

from mocks.llm import MockLLM

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings" / "llm"


@pytest.fixture
def replaying() -> Iterator[MockLLM]:
    with MockLLM.start(check_responses=True) as mock:
        for cassette in sorted(RECORDINGS.glob("*.yaml")):
            mock.replay(cassette)
        yield mock
        mock.verify()


def test_every_cassette_names_its_source() -> None:
    cassettes = sorted(RECORDINGS.glob("*.yaml"))
    assert [c.name for c in cassettes] == [
        "anthropic-reference-examples.yaml",
        "gemini-reference-examples.yaml",
        "openai-reference-examples.yaml",
    ]
    for cassette in cassettes:
        text = cassette.read_text()
        assert text.startswith("# ") and "ource" in text.split("\n\n")[0]
        assert text.count("\n# ") >= text.count("- request:")  # a comment on each exchange


def test_openai_examples_replay_to_the_sdk(replaying: MockLLM) -> None:
    client = openai.OpenAI(
        base_url=f"{replaying.url}/v1", api_key="sk-x", _strict_response_validation=True
    )
    messages: list[dict[str, str]] = [
        {"role": "developer", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello!"},
    ]
    with client:
        chat = client.chat.completions.create(model="gpt-5.4", messages=messages)  # type: ignore[arg-type]
        stream = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=messages,  # type: ignore[arg-type]
            stream=True,
        )
        pieces = [chunk.choices[0].delta.content for chunk in stream]
        vectors = client.embeddings.create(
            input="The food was delicious and the waiter...",
            model="text-embedding-ada-002",
            encoding_format="float",
        )
        story = client.responses.create(
            model="gpt-5.4", input="Tell me a three sentence bedtime story about a unicorn."
        )
        models = [model.id for model in client.models.list()]
    assert chat.choices[0].message.content == "Hello! How can I assist you today?"
    assert chat.usage is not None and chat.usage.total_tokens == 29
    assert pieces == ["", "Hello", None]
    assert vectors.data[0].embedding[:2] == [0.0023064255, -0.009327292]
    assert story.output_text.startswith("In a peaceful grove beneath a silver moon")
    assert models == ["model-id-0", "model-id-1", "model-id-2"]


def test_anthropic_examples_replay_to_the_sdk(replaying: MockLLM) -> None:
    with anthropic.Anthropic(base_url=replaying.url, api_key="sk-ant-x", max_retries=0) as client:
        message = client.messages.create(
            model="claude-3-7-sonnet-20250219",
            max_tokens=1024,
            messages=[{"role": "user", "content": "Hello, world"}],
        )
        with client.messages.stream(
            model="claude-3-5-sonnet-20241022",
            messages=[{"role": "user", "content": "Hello"}],
            max_tokens=256,
        ) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
        counted = client.messages.count_tokens(
            model="claude-sonnet-4-5",
            system="You are a scientist",
            messages=[{"role": "user", "content": "Hello, Claude"}],
        )
        with pytest.raises(anthropic.NotFoundError) as missing:
            client.models.retrieve("claude-unknown-model")
    assert message.content[0].type == "text" and message.content[0].text == "Hi! My name is Claude."
    assert message.usage.input_tokens == 2095
    assert text == "Hello!" and final.usage.output_tokens == 15
    assert counted.input_tokens == 14
    assert missing.value.request_id == "req_011CSHoEeqs5C35K2UUqR7Fy"


def test_gemini_examples_replay_to_the_documented_requests(replaying: MockLLM) -> None:
    base = f"{replaying.url}/v1beta/models"
    headers = {"x-goog-api-key": "gk-x"}

    def post(action: str, text: str, **body: object) -> httpx.Response:
        document = {"contents": [{"parts": [{"text": text}]}], **body} if text else body
        return httpx.post(f"{base}/{action}", json=document, headers=headers)

    generated = post("gemini-2.5-flash:generateContent", "Explain how AI works in a few words")
    assert generated.json()["candidates"][0]["finishReason"] == "STOP"
    streamed = post(
        "gemini-2.5-flash:streamGenerateContent?alt=sse", "Write a story about a magic backpack."
    )
    assert streamed.text.count("data: ") == 2 and "[DONE]" not in streamed.text
    embedded = httpx.post(
        f"{base}/gemini-embedding-001:embedContent",
        json={
            "model": "models/gemini-embedding-001",
            "content": {"parts": [{"text": "What is the meaning of life?"}]},
        },
        headers=headers,
    )
    assert len(embedded.json()["embedding"]["values"]) == 4
    counted = post("gemini-2.5-flash:countTokens", "The quick brown fox jumps over the lazy dog.")
    assert counted.json()["totalTokens"] == 10
    refused = post("gemini-2.5-flash:generateContent", "Hello")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"


def test_the_contracts_checker_passes_the_recordings() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mocks.contracts", "check", str(RECORDINGS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked 14 interaction(s) in 3 cassette(s): ok" in done.stdout
