"""The Responses API object and the event stream the SDK's stream helper accepts."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator
from openai import omit
from openai.lib._parsing._responses import type_to_text_format_param
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import BaseModel, TypeAdapter

from mocks.llm._planning import Answer, ToolCall
from mocks.llm._responses import create_response, stream_response
from mocks.llm._tokens import count_tokens, tokenize

Check = Callable[[str, Any], None]
EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def request(**extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4.1", "input": "What is the weather in Paris?", **extra}


def create(body: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return create_response(body, rng=random.Random(0), created=1_700_000_000, **kw)


def stream(body: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    body = {**body, "stream": True}
    return stream_response(body, rng=random.Random(0), created=1_700_000_000, **kw)


def replay(events: list[dict[str, Any]], **options: Any) -> tuple[Any, list[str]]:
    """Run events through the SDK's ``responses.stream()`` state; return the final
    parsed response and the event types it yielded."""
    state: ResponseStreamState[Any] = ResponseStreamState(
        input_tools=options.get("input_tools", omit), text_format=options.get("text_format", omit)
    )
    seen: list[str] = []
    for event in events:
        seen.extend(e.type for e in state.handle_event(EVENTS.validate_python(event)))
    return state._completed_response, seen


def check_events(conforms: Check, events: list[dict[str, Any]]) -> None:
    for event in events:
        conforms("response_event", event)
        EVENTS.validate_python(event)


def test_text_response(conforms: Check) -> None:
    body = request(instructions="Be brief.", metadata={"case": "1"})
    document = create(body)
    conforms("response", document)
    response = Response.model_validate(document)
    assert response.status == "completed" and response.id.startswith("resp_")
    assert response.output_text and "Paris" in response.output_text
    assert response.instructions == "Be brief." and response.metadata == {"case": "1"}
    assert response.usage is not None
    assert response.usage.output_tokens == count_tokens(response.output_text)
    message = document["output"][0]
    assert message["type"] == "message" and message["id"].startswith("msg_")


def test_function_call_with_valid_arguments(conforms: Check) -> None:
    document = create(request(tools=[WEATHER], tool_choice="required"))
    conforms("response", document)
    response = Response.model_validate(document)
    (call,) = response.output
    assert call.type == "function_call" and call.name == "get_weather"
    arguments = json.loads(call.arguments)
    Draft202012Validator(WEATHER["parameters"]).validate(arguments)
    assert arguments == {"city": "Paris"}
    named = create(
        request(tools=[WEATHER], tool_choice={"type": "function", "name": "get_weather"})
    )
    assert named["output"][0]["type"] == "function_call"


def test_function_call_output_gets_a_summary() -> None:
    body = request(
        tools=[WEATHER],
        input=[
            {"role": "user", "content": "Weather in Paris?"},
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_weather",
                "arguments": '{"city":"Paris"}',
            },
            {"type": "function_call_output", "call_id": "call_1", "output": "18C, cloudy"},
        ],
    )
    text = Response.model_validate(create(body)).output_text
    assert "get_weather returned 18C, cloudy" in text


def test_max_output_tokens_makes_the_response_incomplete(conforms: Check) -> None:
    document = create(request(max_output_tokens=16), answer=Answer.text("word " * 40))
    conforms("response", document)
    assert document["status"] == "incomplete"
    assert document["incomplete_details"] == {"reason": "max_output_tokens"}
    assert document["usage"]["output_tokens"] == 16
    events = stream(request(max_output_tokens=16), answer=Answer.text("word " * 40))
    assert events[-1]["type"] == "response.incomplete"


class City(BaseModel):
    name: str
    population: int


def test_structured_output_follows_the_text_format(conforms: Check) -> None:
    text_format: Any = type_to_text_format_param(City)
    body = request(text={"format": text_format})
    document = create(body)
    conforms("response", document)
    content = Response.model_validate(document).output_text
    Draft202012Validator(text_format["schema"]).validate(json.loads(content))
    final, _seen = replay(stream(body), text_format=City)
    assert isinstance(final.output_parsed, City)


def test_text_stream_sequence(conforms: Check) -> None:
    body = request()
    events = stream(body)
    check_events(conforms, events)
    kinds = [e["type"] for e in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert (
        events[0]["response"]["status"] == "in_progress" and events[0]["response"]["output"] == []
    )
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    text = create(body)["output"][0]["content"][0]["text"]
    assert deltas == tokenize(text)
    assert len({e["response"]["id"] for e in events if "response" in e}) == 1
    final, seen = replay(events)
    assert final.output_text == text
    assert seen == kinds  # the helper passed every event through


def test_function_call_stream_sequence(conforms: Check) -> None:
    answer = Answer(
        content="Checking.",
        tool_calls=(
            ToolCall("get_weather", '{"city":"Paris"}'),
            ToolCall("get_weather", '{"city":"Rome"}'),
        ),
    )
    events = stream(request(tools=[WEATHER]), answer=answer)
    check_events(conforms, events)
    added = [e for e in events if e["type"] == "response.output_item.added"]
    assert [e["output_index"] for e in added] == [0, 1, 2]
    assert [e["item"]["type"] for e in added] == ["message", "function_call", "function_call"]
    for index, city in ((1, "Paris"), (2, "Rome")):
        deltas = [
            e["delta"]
            for e in events
            if e["type"] == "response.function_call_arguments.delta" and e["output_index"] == index
        ]
        assert "".join(deltas) == f'{{"city":"{city}"}}'
    final, _seen = replay(events, input_tools=[WEATHER])
    calls = [o for o in final.output if o.type == "function_call"]
    assert [c.parsed_arguments for c in calls] == [{"city": "Paris"}, {"city": "Rome"}]
    assert final.output_text == "Checking."


def test_refusal_stream(conforms: Check) -> None:
    events = stream(request(), answer=Answer(refusal="I can't do that."))
    check_events(conforms, events)
    done = [e for e in events if e["type"] == "response.refusal.done"]
    assert done and done[0]["refusal"] == "I can't do that."
    final, _seen = replay(events)
    assert final.output[0].content[0].type == "refusal"


def test_logprobs_when_included(conforms: Check) -> None:
    body = request(include=["message.output_text.logprobs"], top_logprobs=0)
    document = create(body)
    conforms("response", document)
    part = document["output"][0]["content"][0]
    assert "".join(p["token"] for p in part["logprobs"]) == part["text"]
    assert create(request())["output"][0]["content"][0]["logprobs"] == []


def test_random_requests_always_conform(conforms: Check) -> None:
    rng = random.Random(5)
    formats: list[Any] = [None, {"type": "json_object"}, type_to_text_format_param(City)]
    for _ in range(40):
        body = request(
            tools=rng.choice([[], [WEATHER]]),
            max_output_tokens=rng.choice([None, 16, 200]),
            include=rng.choice([[], ["message.output_text.logprobs"]]),
        )
        fmt = rng.choice(formats)
        if fmt is not None:
            body["text"] = {"format": fmt}
        if body["tools"]:
            body["tool_choice"] = rng.choice(["auto", "required"])
        document = create(body)
        conforms("response", document)
        Response.model_validate(document)
        events = stream(body)
        check_events(conforms, events)
        _final, seen = replay(events)
        assert seen[0] == "response.created"
        assert seen[-1] in ("response.completed", "response.incomplete")
