"""MockLLM's Gemini API driven by ``langchain-google-genai`` over a real socket.

The ``mock_llm`` fixture checks every answer against ``contracts/llm`` and verifies
the mock after each passing test.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_google_genai import ChatGoogleGenerativeAI, GoogleGenerativeAIEmbeddings
from pydantic import BaseModel

from mocks.llm import MockLLM
from mocks.llm._embeddings import cosine

MODEL = "gemini-2.5-flash"


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"18C and cloudy in {city}"


class Forecast(BaseModel):
    """A weather forecast."""

    city: str
    temperature_c: float
    conditions: list[str]


def chat_model(mock: MockLLM, **options: Any) -> ChatGoogleGenerativeAI:
    return ChatGoogleGenerativeAI(
        model=MODEL, base_url=mock.url, api_key="gk-test", max_retries=0, **options
    )


def test_invoke(mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("capital of France", "Paris.", system_contains="geography").once()
    reply = chat_model(mock_llm).invoke(
        [SystemMessage("You are a geography tutor."), HumanMessage("The capital of France?")]
    )
    assert isinstance(reply, AIMessage) and reply.text == "Paris."
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] == 2
    assert reply.response_metadata["finish_reason"] == "STOP"


async def test_ainvoke_default_answer(mock_llm: MockLLM) -> None:
    reply = await chat_model(mock_llm).ainvoke("Tell me about photosynthesis")
    assert "photosynthesis" in reply.text.lower()


def test_stream_with_cumulative_usage(mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["It ", "is ", "sunny."], "weather").once()
    chunks = list(chat_model(mock_llm).stream("What is the weather in Paris?"))
    assert "".join(chunk.text for chunk in chunks) == "It is sunny."
    total: AIMessageChunk = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.usage_metadata is not None
    assert total.usage_metadata["output_tokens"] == 4  # "It", " is", " sunny", "."
    assert total.usage_metadata["input_tokens"] > 0


def test_tools(mock_llm: MockLLM) -> None:
    mock_llm.expect_tool_call("get_weather", {"city": "Paris"}).once()
    mock_llm.expect_completion(tool_result_contains="18C", response="18C in Paris.").once()
    model = chat_model(mock_llm).bind_tools([get_weather])
    first = model.invoke("Weather in Paris?")
    assert isinstance(first, AIMessage)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    result = get_weather.invoke(first.tool_calls[0])
    second = model.invoke([HumanMessage("Weather in Paris?"), first, result])
    assert second.text == "18C in Paris."


def test_structured_output(mock_llm: MockLLM) -> None:
    forecast = chat_model(mock_llm).with_structured_output(Forecast).invoke("Forecast for Paris")
    assert isinstance(forecast, Forecast) and forecast.city == "Paris"
    config = mock_llm.requests[-1].json["generationConfig"]
    assert config["responseMimeType"] == "application/json" and "responseJsonSchema" in config


def test_embeddings(mock_llm: MockLLM) -> None:
    embeddings = GoogleGenerativeAIEmbeddings(
        model="gemini-embedding-001", base_url=mock_llm.url, api_key="gk-test"
    )
    query = embeddings.embed_query("the cat sat on the mat")
    documents = embeddings.embed_documents(["the cat sat on the rug", "quarterly revenue grew"])
    assert len(query) == 3072 and len(documents) == 2
    assert cosine(query, documents[0]) > cosine(query, documents[1])
