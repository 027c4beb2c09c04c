"""The Responses API keeps responses: ``store``, ``previous_response_id``, retrieving,
deleting and listing input items, driven by the real ``openai`` SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai import OpenAI

from mocks.llm import MockLLM

MODEL = "gpt-4.1"
WEATHER: Any = {
    "type": "function",
    "name": "get_weather",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
}


@pytest.fixture
def client(mock_llm: MockLLM) -> Iterator[OpenAI]:
    with OpenAI(
        base_url=f"{mock_llm.url}/v1",
        api_key="sk-test",
        max_retries=0,
        _strict_response_validation=True,
    ) as sdk:
        yield sdk


def test_a_stored_response_can_be_retrieved_listed_and_deleted(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="Tell me about the ocean")
    retrieved = client.responses.retrieve(created.id)
    assert retrieved.id == created.id and retrieved.output_text == created.output_text
    assert retrieved.status == "completed" and retrieved.store is True
    items = list(client.responses.input_items.list(created.id))
    assert len(items) == 1 and items[0].type == "message"
    assert items[0].id.startswith("msg_") and items[0].role == "user"
    assert items[0].content[0].type == "input_text"
    assert items[0].content[0].text == "Tell me about the ocean"
    client.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve(created.id)
    assert f"Response with id '{created.id}' not found." in caught.value.message


def test_input_items_page_in_either_order(client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL,
        input=[
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "noted"},
            {"role": "user", "content": "second"},
        ],
    )
    newest_first = [item.id for item in client.responses.input_items.list(created.id)]
    oldest_first = [
        item.id for item in client.responses.input_items.list(created.id, order="asc", limit=1)
    ]
    assert len(newest_first) == 3 and oldest_first == list(reversed(newest_first))


def test_store_false_keeps_nothing(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="Hi", store=False)
    assert created.store is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=MODEL, input="Again", previous_response_id=created.id)
    assert caught.value.code == "previous_response_not_found"
    assert caught.value.param == "previous_response_id"


def test_a_follow_up_sees_the_earlier_turns(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_tool_call("get_weather", {"city": "Paris"}).once()
    first = client.responses.create(model=MODEL, input="Weather in Paris?", tools=[WEATHER])
    call = next(item for item in first.output if item.type == "function_call")
    follow_up = client.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "18C"}],
        tools=[WEATHER],
    )
    # The default answer names the tool: only the earlier turn says which tool it was.
    assert "get_weather returned 18C" in follow_up.output_text
    assert follow_up.previous_response_id == first.id
    assert follow_up.usage is not None and first.usage is not None
    assert follow_up.usage.input_tokens > first.usage.input_tokens
    chained = [item.type for item in client.responses.input_items.list(follow_up.id)]
    assert chained == ["function_call_output"]  # its own input only


def test_a_streamed_response_is_stored_too(client: OpenAI) -> None:
    with client.responses.stream(model=MODEL, input="Describe the moon") as stream:
        final = stream.get_final_response()
    assert client.responses.retrieve(final.id).output_text == final.output_text


def test_reset_forgets_stored_responses(client: OpenAI, mock_llm: MockLLM) -> None:
    created = client.responses.create(model=MODEL, input="Hi")
    mock_llm.reset()
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)
