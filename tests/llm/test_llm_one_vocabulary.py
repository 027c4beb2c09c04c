"""One expectation vocabulary for three APIs: the same expectation answers an OpenAI, an
Anthropic and a Gemini client, each in its own shape, and ``verify()`` counts them all.
Faults, rate limits and the stack's environment work the same way for all three."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from mocks.core import VerificationError
from mocks.llm import MockLLM

QUESTION = "What is the capital of France?"
TOOL_PARAMETERS: Any = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


class Clients:
    """An OpenAI, an Anthropic and a Gemini client of one mock, asked the same thing."""

    def __init__(self, mock: MockLLM) -> None:
        self.openai = openai.OpenAI(base_url=f"{mock.url}/v1", api_key="sk-test", max_retries=0)
        self.anthropic = anthropic.Anthropic(base_url=mock.url, api_key="sk-ant", max_retries=0)
        self.gemini = genai.Client(
            api_key="gk-test", http_options=types.HttpOptions(base_url=mock.url)
        )

    def ask_openai(self, text: str = QUESTION) -> str | None:
        reply = self.openai.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
        )
        return reply.choices[0].message.content

    def ask_anthropic(self, text: str = QUESTION) -> str | None:
        reply = self.anthropic.messages.create(
            model="claude-sonnet-4-5", max_tokens=100, messages=[{"role": "user", "content": text}]
        )
        block = reply.content[0]
        return block.text if block.type == "text" else None

    def ask_gemini(self, text: str = QUESTION) -> str | None:
        return self.gemini.models.generate_content(model="gemini-2.5-flash", contents=text).text

    def each(self) -> list[Callable[..., str | None]]:
        return [self.ask_openai, self.ask_anthropic, self.ask_gemini]

    def close(self) -> None:
        self.openai.close()
        self.anthropic.close()
        self.gemini.close()


@pytest.fixture
def clients(mock_llm: MockLLM) -> Iterator[Clients]:
    made = Clients(mock_llm)
    yield made
    made.close()


def test_one_expectation_answers_three_apis_and_verify_counts_them(
    clients: Clients, mock_llm: MockLLM
) -> None:
    expectation = mock_llm.expect_completion("capital of France", "Paris.").times(3)
    assert [ask() for ask in clients.each()] == ["Paris.", "Paris.", "Paris."]
    assert expectation.call_count == 3
    assert [r.path for r in expectation.calls] == [
        "/v1/chat/completions",
        "/v1/messages",
        "/v1/models/gemini-2.5-flash:generateContent",
    ]
    mock_llm.verify()


def test_verify_reports_a_missing_provider(clients: Clients, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("capital of France", "Paris.").times(3)
    clients.ask_openai()
    clients.ask_gemini()
    with pytest.raises(VerificationError) as caught:
        mock_llm.verify()
    assert "expected 3" in str(caught.value) and "got 2" in str(caught.value)
    mock_llm.reset()  # the fixture's own verify() would report the same


def test_a_provider_restricts_an_expectation(clients: Clients, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("capital of France", "Claude says Paris.", provider="anthropic")
    assert clients.ask_anthropic() == "Claude says Paris."
    assert clients.ask_openai() != "Claude says Paris."
    assert clients.ask_gemini() != "Claude says Paris."
    with pytest.raises(ValueError, match="unknown provider 'mistral'"):
        mock_llm.expect_completion("x", provider="mistral")  # type: ignore[arg-type]


def test_streamed_chunks_reach_three_apis(clients: Clients, mock_llm: MockLLM) -> None:
    expectation = mock_llm.expect_streaming(["Par", "is."]).times(3)
    stream = clients.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    from_openai = [
        c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content
    ]
    with clients.anthropic.messages.stream(
        model="claude-sonnet-4-5", max_tokens=50, messages=[{"role": "user", "content": QUESTION}]
    ) as anthropic_stream:
        from_anthropic = list(anthropic_stream.text_stream)
    from_gemini = [
        c.text
        for c in clients.gemini.models.generate_content_stream(
            model="gemini-2.5-flash", contents=QUESTION
        )
    ]
    assert from_openai == from_anthropic == from_gemini == ["Par", "is."]
    assert expectation.call_count == 3


def test_one_tool_call_in_three_shapes(clients: Clients, mock_llm: MockLLM) -> None:
    mock_llm.expect_tool_call("get_weather", {"city": "Paris"}).times(3)
    chat = clients.openai.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[
            {"type": "function", "function": {"name": "get_weather", "parameters": TOOL_PARAMETERS}}
        ],
    )
    call = (chat.choices[0].message.tool_calls or [])[0]
    assert call.type == "function" and call.function.arguments == '{"city":"Paris"}'
    message = clients.anthropic.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=100,
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[{"name": "get_weather", "input_schema": TOOL_PARAMETERS}],
    )
    use = message.content[-1]
    assert use.type == "tool_use" and use.input == {"city": "Paris"}
    content = clients.gemini.models.generate_content(
        model="gemini-2.5-flash",
        contents="Weather in Paris?",
        config=types.GenerateContentConfig(
            tools=[
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(
                            name="get_weather", parameters_json_schema=TOOL_PARAMETERS
                        )
                    ]
                )
            ],
        ),
    )
    assert [(c.name, c.args) for c in content.function_calls or []] == [
        ("get_weather", {"city": "Paris"})
    ]


def test_injected_errors_speak_each_api(clients: Clients, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("capital").with_api_error("overloaded").times(3)
    with pytest.raises(openai.InternalServerError) as from_openai:
        clients.ask_openai()
    with pytest.raises(anthropic.OverloadedError) as from_anthropic:
        clients.ask_anthropic()
    with pytest.raises(genai_errors.ServerError) as from_gemini:
        clients.ask_gemini()
    assert from_openai.value.status_code == 503
    assert from_anthropic.value.status_code == 529
    assert (from_gemini.value.code, from_gemini.value.status) == (503, "UNAVAILABLE")


def test_one_rate_limit_for_three_apis() -> None:
    with MockLLM.start(requests_per_minute=3, check_responses=True) as mock:
        made = Clients(mock)
        try:
            assert all(ask() for ask in made.each())
            with pytest.raises(openai.RateLimitError):
                made.ask_openai()
            with pytest.raises(anthropic.RateLimitError):
                made.ask_anthropic()
            with pytest.raises(genai_errors.ClientError) as caught:
                made.ask_gemini()
            assert caught.value.status == "RESOURCE_EXHAUSTED"
        finally:
            made.close()
        mock.verify()


def test_the_environment_switches_providers(
    mock_llm: MockLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = mock_llm.stack_environment()
    for name in (
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_API_KEY",
        "GOOGLE_GEMINI_BASE_URL",
        "GEMINI_API_KEY",
    ):
        assert environment[name]
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GOOGLE_API_KEY")  # google-genai warns when both keys are set
    mock_llm.expect_completion("capital of France", "Paris.").times(3)
    with openai.OpenAI() as from_env:
        reply = from_env.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": QUESTION}]
        )
    assert reply.choices[0].message.content == "Paris."
    with anthropic.Anthropic() as claude:
        message = claude.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=50,
            messages=[{"role": "user", "content": QUESTION}],
        )
    assert message.content[0].type == "text" and message.content[0].text == "Paris."
    gemini = genai.Client()
    assert (
        gemini.models.generate_content(model="gemini-2.5-flash", contents=QUESTION).text == "Paris."
    )
    gemini.close()
