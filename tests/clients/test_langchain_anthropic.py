"""MockLLM's Anthropic Messages API driven by ``langchain-anthropic`` over a real socket.

The ``mock_llm`` fixture checks every answer against ``contracts/llm`` and verifies
the mock after each passing test.
"""

from __future__ import annotations

from typing import Any

from langchain_anthropic import ChatAnthropic
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from mocks.llm import MockLLM

MODEL = "claude-sonnet-4-5"


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"18C and cloudy in {city}"


class Forecast(BaseModel):
    """A weather forecast."""

    city: str
    temperature_c: float
    conditions: list[str]


def chat_model(mock: MockLLM, **options: Any) -> ChatAnthropic:
    return ChatAnthropic(  # type: ignore[call-arg]
        model=MODEL, base_url=mock.url, api_key="sk-ant-test", max_retries=0, **options
    )


def test_invoke(mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("capital of France", "Paris.", system_contains="geography").once()
    reply = chat_model(mock_llm, temperature=0).invoke(
        [SystemMessage("You are a geography tutor."), HumanMessage("The capital of France?")]
    )
    assert isinstance(reply, AIMessage) and reply.content == "Paris."
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] == 2
    assert reply.response_metadata["stop_reason"] == "end_turn"
    assert mock_llm.requests[-1].json["temperature"] == 0


async def test_ainvoke_default_answer(mock_llm: MockLLM) -> None:
    reply = await chat_model(mock_llm).ainvoke("Tell me about photosynthesis")
    assert isinstance(reply.content, str) and "photosynthesis" in reply.content.lower()


def test_stream_reports_usage_with_input_tokens(mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["It ", "is ", "sunny."], "weather").once()
    chunks = list(chat_model(mock_llm).stream("What is the weather in Paris?"))
    text = "".join(c.content for c in chunks if isinstance(c.content, str))
    assert text == "It is sunny."
    total: AIMessageChunk = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.usage_metadata is not None
    assert total.usage_metadata["input_tokens"] > 0
    assert total.usage_metadata["output_tokens"] == 4  # "It", " is", " sunny", "."


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
    assert second.content == "18C in Paris."


def test_structured_output_by_forced_tool(mock_llm: MockLLM) -> None:
    forecast = chat_model(mock_llm).with_structured_output(Forecast).invoke("Forecast for Paris")
    assert isinstance(forecast, Forecast) and forecast.city == "Paris"
    sent = mock_llm.requests[-1].json
    assert sent["tool_choice"] == {"type": "tool", "name": "Forecast"}


def test_structured_output_by_json_schema(mock_llm: MockLLM) -> None:
    model = chat_model(mock_llm).with_structured_output(Forecast, method="json_schema")
    forecast = model.invoke("Forecast for Paris")
    assert isinstance(forecast, Forecast) and forecast.city == "Paris"
    assert mock_llm.requests[-1].json["output_config"]["format"]["type"] == "json_schema"
