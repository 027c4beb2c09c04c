"""Chat completion objects and chunk streams, judged by the contracts and the real SDK."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import openai
import pytest
from jsonschema import Draft202012Validator
from openai.lib._parsing._completions import parse_chat_completion, type_to_response_format_param
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import BaseModel

from mocks.llm._chat import create_chat_completion, stream_chat_completion
from mocks.llm._planning import Answer, ToolCall
from mocks.llm._tokens import chat_prompt_tokens, count_tokens, tokenize

Check = Callable[[str, Any], None]

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
TIME_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Get the local time in a timezone",
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string"}},
            "required": ["timezone"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}


def chat(**extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "What is the weather in Paris today?"},
        ],
    }
    request.update(extra)
    return request


def complete(request: dict[str, Any], seed: int = 0, **kw: Any) -> dict[str, Any]:
    return create_chat_completion(request, rng=random.Random(seed), created=1_700_000_000, **kw)


def stream(request: dict[str, Any], seed: int = 0, **kw: Any) -> list[dict[str, Any]]:
    request = {**request, "stream": True}
    return stream_chat_completion(request, rng=random.Random(seed), created=1_700_000_000, **kw)


def accumulate(chunks: list[dict[str, Any]], **state_options: Any) -> tuple[Any, list[str]]:
    """Feed chunks through the SDK's stream helper state; return the final completion
    and the event types it fired."""
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState(**state_options)
    events: list[str] = []
    for chunk in chunks:
        events.extend(e.type for e in state.handle_chunk(ChatCompletionChunk.model_validate(chunk)))
    return state.get_final_completion(), events


def check_completion(conforms: Check, document: dict[str, Any]) -> ChatCompletion:
    conforms("chat_response", document)
    return ChatCompletion.model_validate(document)


def check_chunks(conforms: Check, chunks: list[dict[str, Any]]) -> None:
    for chunk in chunks:
        conforms("chat_chunk", chunk)
        ChatCompletionChunk.model_validate(chunk)


# -- non-streamed ----------------------------------------------------------------------


def test_default_answer_is_a_valid_chat_completion(conforms: Check) -> None:
    request = chat()
    document = complete(request)
    completion = check_completion(conforms, document)
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant" and choice.message.content
    assert "Paris" in choice.message.content or "weather" in choice.message.content
    assert document["id"].startswith("chatcmpl-") and document["created"] == 1_700_000_000
    usage = document["usage"]
    assert usage["prompt_tokens"] == chat_prompt_tokens(request["messages"])
    assert usage["completion_tokens"] == count_tokens(choice.message.content)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_same_seed_same_bytes_and_request_seed_changes_the_text() -> None:
    assert json.dumps(complete(chat())) == json.dumps(complete(chat()))
    assert complete(chat(), seed=1)["id"] != complete(chat(), seed=2)["id"]
    texts = {complete(chat(seed=s))["choices"][0]["message"]["content"] for s in range(6)}
    assert len(texts) > 1


def test_programmed_answer_replaces_the_simulator(conforms: Check) -> None:
    document = complete(chat(), answer=Answer.text("Sunny, 21 degrees."))
    check_completion(conforms, document)
    assert document["choices"][0]["message"]["content"] == "Sunny, 21 degrees."


def test_n_choices_are_indexed_and_differ(conforms: Check) -> None:
    document = complete(chat(n=3))
    check_completion(conforms, document)
    assert [c["index"] for c in document["choices"]] == [0, 1, 2]
    assert len({c["message"]["content"] for c in document["choices"]}) > 1
    total = sum(count_tokens(c["message"]["content"]) for c in document["choices"])
    assert document["usage"]["completion_tokens"] == total


def test_max_tokens_cuts_the_answer_with_length(conforms: Check) -> None:
    for key in ("max_tokens", "max_completion_tokens"):
        document = complete(chat(**{key: 5}))
        check_completion(conforms, document)
        choice = document["choices"][0]
        assert choice["finish_reason"] == "length"
        assert count_tokens(choice["message"]["content"]) == 5
        assert document["usage"]["completion_tokens"] == 5
    preferred = complete(chat(max_tokens=50, max_completion_tokens=3))
    assert preferred["usage"]["completion_tokens"] == 3


def test_stop_sequences_cut_before_the_stop(conforms: Check) -> None:
    document = complete(chat(stop=["STOP"]), answer=Answer.text("one two STOP three"))
    check_completion(conforms, document)
    assert document["choices"][0]["message"]["content"] == "one two "
    assert document["choices"][0]["finish_reason"] == "stop"


def test_logprobs_cover_every_token(conforms: Check) -> None:
    document = complete(chat(logprobs=True, top_logprobs=3))
    completion = check_completion(conforms, document)
    choice = completion.choices[0]
    entries = choice.logprobs.content if choice.logprobs else None
    assert entries is not None and choice.message.content is not None
    assert "".join(e.token for e in entries) == choice.message.content
    for entry in entries:
        assert entry.logprob <= 0 and bytes(entry.bytes or []) == entry.token.encode()
        assert len(entry.top_logprobs) == 3 and entry.top_logprobs[0].token == entry.token
        probabilities = [2.718281828**t.logprob for t in entry.top_logprobs]
        assert sum(probabilities) <= 1.0 + 1e-6
    assert complete(chat())["choices"][0]["logprobs"] is None


def test_refusal_has_no_content(conforms: Check) -> None:
    document = complete(chat(), answer=Answer(refusal="I can't help with that."))
    message = check_completion(conforms, document).choices[0].message
    assert message.content is None and message.refusal == "I can't help with that."


# -- tools -----------------------------------------------------------------------------


def test_required_tool_choice_calls_a_tool_with_valid_arguments(conforms: Check) -> None:
    request = chat(tools=[TIME_TOOL, WEATHER_TOOL], tool_choice="required")
    document = complete(request)
    completion = check_completion(conforms, document)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    calls = choice.message.tool_calls or []
    assert len(calls) == 1 and calls[0].type == "function"
    assert calls[0].function.name == "get_weather"  # the relevant one
    arguments = json.loads(calls[0].function.arguments)
    Draft202012Validator(WEATHER_TOOL["function"]["parameters"]).validate(arguments)
    assert arguments["city"] == "Paris"
    assert calls[0].id.startswith("call_")


def test_named_tool_choice_forces_that_function() -> None:
    choice = {"type": "function", "function": {"name": "get_time"}}
    document = complete(chat(tools=[WEATHER_TOOL, TIME_TOOL], tool_choice=choice))
    call = document["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "get_time"
    Draft202012Validator(TIME_TOOL["function"]["parameters"]).validate(
        json.loads(call["function"]["arguments"])
    )


def test_auto_and_none_tool_choice_answer_in_text() -> None:
    for tool_choice in ("auto", "none"):
        message = complete(chat(tools=[WEATHER_TOOL], tool_choice=tool_choice))["choices"][0]
        assert message["finish_reason"] == "stop" and "tool_calls" not in message["message"]


def test_tool_results_get_a_summary_answer() -> None:
    request = chat(
        tools=[WEATHER_TOOL],
        messages=[
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "18C and cloudy"},
        ],
    )
    content = complete(request)["choices"][0]["message"]["content"]
    assert "get_weather returned 18C and cloudy" in content


def test_truncated_tool_arguments_finish_with_length() -> None:
    answer = Answer.call("get_weather", {"city": "Paris", "unit": "celsius"})
    document = complete(chat(tools=[WEATHER_TOOL], max_tokens=4), answer=answer)
    choice = document["choices"][0]
    assert choice["finish_reason"] == "length"
    arguments = choice["message"]["tool_calls"][0]["function"]["arguments"]
    assert arguments != '{"city":"Paris","unit":"celsius"}'
    assert '{"city":"Paris","unit":"celsius"}'.startswith(arguments)


# -- structured output -----------------------------------------------------------------


class Weather(BaseModel):
    city: str
    temperature_c: float
    conditions: list[str]


def test_json_object_format_gives_a_json_object() -> None:
    request = chat(response_format={"type": "json_object"})
    content = complete(request)["choices"][0]["message"]["content"]
    assert isinstance(json.loads(content), dict)


def test_json_schema_format_validates_and_parses_like_the_sdk(conforms: Check) -> None:
    response_format: Any = type_to_response_format_param(Weather)
    request = chat(response_format=response_format)
    document = complete(request)
    completion = check_completion(conforms, document)
    content = completion.choices[0].message.content or ""
    schema = response_format["json_schema"]["schema"]
    Draft202012Validator(schema).validate(json.loads(content))
    parsed = parse_chat_completion(
        response_format=Weather, input_tools=[], chat_completion=completion
    )
    weather = parsed.choices[0].message.parsed
    assert isinstance(weather, Weather) and weather.city == "Paris"


def test_structured_output_streams_into_the_parsed_model(conforms: Check) -> None:
    request = chat(response_format=type_to_response_format_param(Weather))
    chunks = stream(request)
    check_chunks(conforms, chunks)
    final, events = accumulate(chunks, response_format=Weather)
    assert isinstance(final.choices[0].message.parsed, Weather)
    assert "content.done" in events


# -- streams ---------------------------------------------------------------------------


def test_stream_accumulates_to_the_non_streamed_answer(conforms: Check) -> None:
    request = chat()
    chunks = stream(request)
    check_chunks(conforms, chunks)
    final, events = accumulate(chunks)
    expected = complete(request)["choices"][0]["message"]["content"]
    assert final.choices[0].message.content == expected
    assert final.choices[0].message.role == "assistant"
    assert events.count("content.done") == 1
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks[1:-1]]
    assert pieces == tokenize(expected)  # one token per chunk


def test_stream_framing_rules(conforms: Check) -> None:
    chunks = stream(chat(n=2))
    check_chunks(conforms, chunks)
    assert len({(c["id"], c["created"], c["model"], c["system_fingerprint"]) for c in chunks}) == 1
    for index in (0, 1):
        mine = [c["choices"][0] for c in chunks if c["choices"][0]["index"] == index]
        assert mine[0]["delta"]["role"] == "assistant"
        assert all("role" not in c["delta"] for c in mine[1:])
        assert mine[-1]["delta"] == {} and mine[-1]["finish_reason"] == "stop"
        assert all(c["finish_reason"] is None for c in mine[:-1])
    assert all("usage" not in c for c in chunks)


def test_n_choices_interleave_and_first_appear_in_order(conforms: Check) -> None:
    request = chat(n=3)
    chunks = stream(request)
    check_chunks(conforms, chunks)
    order = [c["choices"][0]["index"] for c in chunks]
    assert order[:3] == [0, 1, 2]
    assert order != sorted(order)
    final, _events = accumulate(chunks)
    expected = [c["message"]["content"] for c in complete(request)["choices"]]
    assert [c.message.content for c in final.choices] == expected


def test_include_usage_adds_a_final_usage_chunk(conforms: Check) -> None:
    request = chat(stream_options={"include_usage": True})
    chunks = stream(request)
    check_chunks(conforms, chunks)
    *body, last = chunks
    assert all("usage" in c and c["usage"] is None for c in body)
    assert last["choices"] == [] and last["usage"] == complete(request)["usage"]
    final, _events = accumulate(chunks)
    assert final.usage is not None and final.usage.total_tokens == last["usage"]["total_tokens"]


def test_obfuscation_is_on_by_default_and_can_be_turned_off() -> None:
    assert all("obfuscation" in c for c in stream(chat()))
    quiet = stream(chat(stream_options={"include_obfuscation": False}))
    assert all("obfuscation" not in c for c in quiet)


def test_programmed_chunks_stream_exactly(conforms: Check) -> None:
    chunks = stream(chat(), answer=Answer.chunks(["Hel", "lo", " wor", "ld"]))
    check_chunks(conforms, chunks)
    assert [c["choices"][0]["delta"].get("content") for c in chunks[1:-1]] == [
        "Hel",
        "lo",
        " wor",
        "ld",
    ]


def test_parallel_tool_calls_stream_like_the_api(conforms: Check) -> None:
    arguments = [
        '{"city":"Paris","unit":"celsius"}',
        '{"city":"Berlin","unit":"celsius"}',
    ]
    answer = Answer(tool_calls=tuple(ToolCall("get_weather", a) for a in arguments))
    request = chat(tools=[WEATHER_TOOL])
    chunks = stream(request, answer=answer)
    check_chunks(conforms, chunks)
    fragments: dict[int, list[dict[str, Any]]] = {}
    for chunk in chunks:
        for call in chunk["choices"][0]["delta"].get("tool_calls", []):
            fragments.setdefault(call["index"], []).append(call)
    assert sorted(fragments) == [0, 1]
    for index, parts in fragments.items():
        first, rest = parts[0], parts[1:]
        assert first["id"].startswith("call_") and first["type"] == "function"
        assert first["function"]["name"] == "get_weather"
        assert all(
            set(p) == {"index", "function"} and set(p["function"]) == {"arguments"} for p in rest
        )
        assert len(rest) > 1  # the arguments arrive cut into several fragments
        assert "".join(p["function"].get("arguments", "") for p in parts) == arguments[index]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    final, events = accumulate(chunks, input_tools=[WEATHER_TOOL])
    calls = final.choices[0].message.tool_calls
    assert [c.function.parsed_arguments["city"] for c in calls] == ["Paris", "Berlin"]
    assert events.count("tool_calls.function.arguments.done") == 2


def test_streamed_logprobs_follow_the_content(conforms: Check) -> None:
    chunks = stream(chat(logprobs=True, top_logprobs=2))
    check_chunks(conforms, chunks)
    final, events = accumulate(chunks)
    logprobs = final.choices[0].logprobs
    assert logprobs is not None and logprobs.content is not None
    assert "".join(e.token for e in logprobs.content) == final.choices[0].message.content
    assert "logprobs.content.done" in events


def test_streamed_refusal(conforms: Check) -> None:
    chunks = stream(chat(), answer=Answer(refusal="I can't help with that."))
    check_chunks(conforms, chunks)
    final, events = accumulate(chunks)
    assert final.choices[0].message.refusal == "I can't help with that."
    assert final.choices[0].message.content is None
    assert "refusal.done" in events


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_streamed_length_limit(conforms: Check, limit: int) -> None:
    chunks = stream(chat(max_tokens=limit, stream_options={"include_usage": True}))
    check_chunks(conforms, chunks)
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["usage"]["completion_tokens"] == limit


def test_random_requests_always_conform(conforms: Check) -> None:
    """Seeded combinations of parameters: every answer fits the contract and the SDK,
    and every stream accumulates in the SDK's helper."""
    rng = random.Random(11)
    formats: list[Any] = [None, {"type": "json_object"}, type_to_response_format_param(Weather)]
    for _ in range(60):
        request = chat(
            n=rng.choice([1, 2, 3]),
            logprobs=rng.random() < 0.5,
            max_tokens=rng.choice([None, 1, 4, 40]),
            stop=rng.choice([None, ".", [",", "the"]]),
            response_format=rng.choice(formats),
            tools=rng.choice([None, [WEATHER_TOOL], [WEATHER_TOOL, TIME_TOOL]]),
            stream_options={"include_usage": rng.random() < 0.5},
            seed=rng.randint(0, 5),
        )
        request = {k: v for k, v in request.items() if v is not None}
        if request.get("tools"):
            request["tool_choice"] = rng.choice(["auto", "required", "none"])
        if request["logprobs"]:
            request["top_logprobs"] = rng.randint(0, 3)
        check_completion(conforms, complete(request, seed=rng.randint(0, 99)))
        chunks = stream(request, seed=rng.randint(0, 99))
        check_chunks(conforms, chunks)
        state: ChatCompletionStreamState[Any] = ChatCompletionStreamState(
            input_tools=request.get("tools", [])
        )
        for chunk in chunks:
            try:
                state.handle_chunk(ChatCompletionChunk.model_validate(chunk))
            except openai.LengthFinishReasonError:  # how the helper treats a cut tool call
                assert chunk["choices"][0]["finish_reason"] == "length"
        assert len(state.current_completion_snapshot.choices) == request["n"]
