"""MockLLM driven by ``langchain-openai`` over a real socket.

The ``mock_llm`` fixture checks every answer against ``contracts/llm`` and verifies
the mock after each passing test.
"""

from __future__ import annotations

import math
from typing import Any

import openai
import pytest
import tiktoken
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel

from mocks.llm import MockLLM


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"18C and cloudy in {city}"


class Forecast(BaseModel):
    """A weather forecast."""

    city: str
    temperature_c: float
    conditions: list[str]


def chat_model(mock: MockLLM, **options: Any) -> ChatOpenAI:
    # A fresh async HTTP client per model: langchain caches a default one per base URL,
    # which would outlive the event loop of the test that created it.
    return ChatOpenAI(
        model="gpt-4o-mini",
        base_url=f"{mock.url}/v1",
        api_key="sk-test",
        max_retries=0,
        http_async_client=openai.DefaultAsyncHttpxClient(),
        **options,
    )


def test_invoke(mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("capital of France", "Paris.", system_contains="geography").once()
    reply = chat_model(mock_llm).invoke(
        [SystemMessage("You are a geography tutor."), HumanMessage("The capital of France?")]
    )
    assert isinstance(reply, AIMessage) and reply.content == "Paris."
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] == 2
    assert reply.response_metadata["finish_reason"] == "stop"


async def test_invoke_async_default_answer(mock_llm: MockLLM) -> None:
    reply = await chat_model(mock_llm).ainvoke("Tell me about the Eiffel Tower")
    assert isinstance(reply.content, str) and "Eiffel" in reply.content


def test_stream(mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["Bon", "jour", " !"]).once()
    pieces = [chunk.content for chunk in chat_model(mock_llm, stream_usage=True).stream("Hello")]
    assert "".join(str(p) for p in pieces) == "Bonjour !"
    assert mock_llm.requests[-1].json["stream_options"] == {"include_usage": True}


async def test_stream_async(mock_llm: MockLLM) -> None:
    text = ""
    async for chunk in chat_model(mock_llm).astream("Describe the ocean"):
        text += str(chunk.content)
    assert "ocean" in text


def test_tools_and_agent_loop(mock_llm: MockLLM) -> None:
    mock_llm.expect_tool_call("get_weather", {"city": "Paris"}, prompt_contains="weather")
    mock_llm.expect_completion(tool_result_contains="18C", response="It's 18C in Paris.")
    model = chat_model(mock_llm).bind_tools([get_weather])
    messages: list[Any] = [HumanMessage("What is the weather in Paris?")]
    first = model.invoke(messages)
    assert isinstance(first, AIMessage)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    messages.append(first)
    for call in first.tool_calls:
        output = get_weather.invoke(call["args"])
        messages.append(ToolMessage(output, tool_call_id=call["id"]))
    final = model.invoke(messages)
    assert final.content == "It's 18C in Paris." and not final.tool_calls
    sent = mock_llm.requests[-1].json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]


def test_tool_choice_required_uses_the_simulator(mock_llm: MockLLM) -> None:
    model = chat_model(mock_llm).bind_tools([get_weather], tool_choice="required")
    reply = model.invoke("What is the weather in Berlin?")
    assert isinstance(reply, AIMessage)
    assert reply.tool_calls[0]["name"] == "get_weather"
    assert reply.tool_calls[0]["args"] == {"city": "Berlin"}


def test_with_structured_output(mock_llm: MockLLM) -> None:
    structured = chat_model(mock_llm).with_structured_output(Forecast)
    forecast = structured.invoke("Give me the forecast for Paris")
    assert isinstance(forecast, Forecast) and forecast.city == "Paris"
    mock_llm.expect_completion(
        "Oslo", '{"city":"Oslo","temperature_c":-2,"conditions":["snow"]}'
    ).once()
    assert structured.invoke("And Oslo?") == Forecast(
        city="Oslo", temperature_c=-2, conditions=["snow"]
    )


async def test_with_structured_output_as_function_calling_async(mock_llm: MockLLM) -> None:
    structured = chat_model(mock_llm).with_structured_output(Forecast, method="function_calling")
    forecast = await structured.ainvoke("Give me the forecast for Rome")
    assert isinstance(forecast, Forecast) and forecast.city == "Rome"


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_embeddings_without_context_length_check(mock_llm: MockLLM) -> None:
    embeddings = OpenAIEmbeddings(
        model="text-embedding-3-small",
        base_url=f"{mock_llm.url}/v1",
        api_key="sk-test",
        check_embedding_ctx_length=False,
        max_retries=0,
    )
    documents = embeddings.embed_documents(
        ["Cats sleep most of the day", "Stock prices fell", "A cat naps in the sun"]
    )
    query = embeddings.embed_query("Why do cats sleep so much?")
    assert [len(v) for v in documents] == [1536] * 3
    ranked = sorted(range(3), key=lambda i: -_cosine(query, documents[i]))
    assert ranked[-1] == 1
    assert isinstance(mock_llm.requests[0].json["input"][0], str)


@pytest.fixture
def local_tokenizer(monkeypatch: pytest.MonkeyPatch) -> tiktoken.Encoding:
    """A byte-level tiktoken encoding built in memory: tiktoken would otherwise download
    its tables from the internet, which tests must not do."""
    encoding = tiktoken.Encoding(
        name="bytes",
        pat_str=r"\S+|\s+",
        mergeable_ranks={bytes([i]): i for i in range(256)},
        special_tokens={},
    )
    monkeypatch.setattr(tiktoken, "encoding_for_model", lambda _model: encoding)
    monkeypatch.setattr(tiktoken, "get_encoding", lambda _name: encoding)
    return encoding


async def test_embeddings_with_token_arrays(
    mock_llm: MockLLM, local_tokenizer: tiktoken.Encoding
) -> None:
    embeddings = OpenAIEmbeddings(
        model="text-embedding-3-large",
        dimensions=256,
        base_url=f"{mock_llm.url}/v1",
        api_key="sk-test",
        max_retries=0,
        http_async_client=openai.DefaultAsyncHttpxClient(),
    )
    texts = ["first document", "second document"]
    vectors = await embeddings.aembed_documents(texts)
    assert [len(v) for v in vectors] == [256, 256]
    sent = mock_llm.requests[-1].json["input"]
    assert sent == [local_tokenizer.encode(text) for text in texts]
    assert vectors == embeddings.embed_documents(texts)
