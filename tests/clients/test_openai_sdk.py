"""MockLLM driven by the real ``openai`` SDK over a real socket (sync and async).

Every client validates responses strictly (``_strict_response_validation=True``)
except where the SDK itself cannot (said at the place), and the ``mock_llm`` fixture
runs in checking mode and calls ``verify()`` after each passing test, so every answer
the mock produced here also conforms to ``contracts/llm``.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import openai
import pytest
from jsonschema import Draft202012Validator
from openai import AsyncOpenAI, AzureOpenAI, OpenAI
from pydantic import BaseModel

from mocks.core import Fault
from mocks.llm import MockLLM

MODEL = "gpt-4o-mini"
USER: Any = [{"role": "user", "content": "What is the weather in Paris today?"}]


class GetWeather(BaseModel):
    """Get the current weather in a city."""

    city: str
    unit: str


class Forecast(BaseModel):
    city: str
    temperature_c: float
    conditions: list[str]


def make_client(mock: MockLLM, **options: Any) -> OpenAI:
    settings: dict[str, Any] = {
        "base_url": f"{mock.url}/v1",
        "api_key": "sk-test",
        "_strict_response_validation": True,
        "max_retries": 0,
    }
    settings.update(options)
    return OpenAI(**settings)


@pytest.fixture
def client(mock_llm: MockLLM) -> Iterator[OpenAI]:
    with make_client(mock_llm) as sdk:
        yield sdk


@pytest.fixture
async def aclient(mock_llm: MockLLM) -> AsyncIterator[AsyncOpenAI]:
    async with AsyncOpenAI(
        base_url=f"{mock_llm.url}/v1",
        api_key="sk-test",
        _strict_response_validation=True,
        max_retries=0,
    ) as sdk:
        yield sdk


# -- chat ------------------------------------------------------------------------------


def test_default_answer(client: OpenAI, mock_llm: MockLLM) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=USER)
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.content
    assert "Paris" in choice.message.content
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert completion._request_id is not None and completion._request_id.startswith("req_")
    again = client.chat.completions.create(model=MODEL, messages=USER)
    assert again.choices[0].message.content == choice.message.content
    assert len(mock_llm.requests) == 2


async def test_default_answer_async(aclient: AsyncOpenAI) -> None:
    completion = await aclient.chat.completions.create(model=MODEL, messages=USER)
    assert completion.choices[0].message.content


def test_programmed_completion(client: OpenAI, mock_llm: MockLLM) -> None:
    expectation = mock_llm.expect_completion("weather", "Sunny and 24C.").once()
    completion = client.chat.completions.create(model=MODEL, messages=USER)
    assert completion.choices[0].message.content == "Sunny and 24C."
    assert expectation.call_count == 1
    other = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "And tomorrow?"}]
    )
    assert other.choices[0].message.content != "Sunny and 24C."


def test_matching_on_system_prompt_and_model(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion(system_contains="pirate", response="Arr!", model="gpt-4o")
    messages: Any = [{"role": "system", "content": "Talk like a pirate."}, *USER]
    pirate = client.chat.completions.create(model="gpt-4o", messages=messages)
    plain = client.chat.completions.create(model=MODEL, messages=messages)
    assert pirate.choices[0].message.content == "Arr!"
    assert plain.choices[0].message.content != "Arr!"


def test_n_logprobs_and_length(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL,
        messages=USER,
        n=2,
        logprobs=True,
        top_logprobs=2,
        max_tokens=6,
    )
    assert [c.index for c in completion.choices] == [0, 1]
    for choice in completion.choices:
        assert choice.finish_reason == "length"
        assert choice.logprobs is not None and choice.logprobs.content is not None
        assert len(choice.logprobs.content) == 6
        assert all(len(t.top_logprobs) == 2 for t in choice.logprobs.content)
    assert completion.usage is not None and completion.usage.completion_tokens == 12


def test_streaming_with_usage(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["The ", "weather ", "is ", "fine."]).once()
    stream = client.chat.completions.create(
        model=MODEL,
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "The weather is fine."
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 5
    assert all(c.usage is None for c in chunks[:-1])
    assert len({c.id for c in chunks}) == 1


async def test_streaming_async(aclient: AsyncOpenAI) -> None:
    stream = await aclient.chat.completions.create(
        model=MODEL,
        messages=USER,
        stream=True,
        n=2,
    )
    texts = {0: "", 1: ""}
    async for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts[0] and texts[1] and texts[0] != texts[1]


# -- tools -----------------------------------------------------------------------------


def test_stream_helper_with_parallel_tool_calls(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_tool_calls(
        [
            ("GetWeather", {"city": "Paris", "unit": "c"}),
            ("GetWeather", {"city": "Rome", "unit": "c"}),
        ]
    ).once()
    tools = [openai.pydantic_function_tool(GetWeather)]
    with client.chat.completions.stream(model=MODEL, messages=USER, tools=tools) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_completion()
    assert kinds.count("tool_calls.function.arguments.done") == 2
    calls = final.choices[0].message.tool_calls or []
    assert [c.function.parsed_arguments for c in calls] == [
        GetWeather(city="Paris", unit="c"),
        GetWeather(city="Rome", unit="c"),
    ]
    assert len({c.id for c in calls}) == 2
    assert final.choices[0].finish_reason == "tool_calls"


async def test_stream_helper_async(aclient: AsyncOpenAI) -> None:
    tools = [openai.pydantic_function_tool(GetWeather)]
    async with aclient.chat.completions.stream(
        model=MODEL,
        messages=USER,
        tools=tools,
        tool_choice="required",
    ) as stream:
        final = await stream.get_final_completion()
    (call,) = final.choices[0].message.tool_calls or []
    parsed = call.function.parsed_arguments
    assert isinstance(parsed, GetWeather) and parsed.city == "Paris"


def test_required_tool_choice_arguments_fit_the_schema(client: OpenAI) -> None:
    parameters = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "unit": {"type": "string", "enum": ["c", "f"]},
        },
        "required": ["city", "days", "unit"],
        "additionalProperties": False,
    }
    tool: Any = {"type": "function", "function": {"name": "forecast", "parameters": parameters}}
    completion = client.chat.completions.create(
        model=MODEL,
        messages=USER,
        tools=[tool],
        tool_choice="required",
    )
    (call,) = completion.choices[0].message.tool_calls or []
    assert call.type == "function"
    Draft202012Validator(parameters).validate(json.loads(call.function.arguments))


def test_agent_loop(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_tool_call(
        "GetWeather", {"city": "Paris", "unit": "c"}, prompt_contains="weather"
    )
    mock_llm.expect_completion(tool_result_contains="18", response="It is 18C in Paris.")
    tools = [openai.pydantic_function_tool(GetWeather)]
    messages: list[Any] = list(USER)
    for _turn in range(5):
        completion = client.chat.completions.create(model=MODEL, messages=messages, tools=tools)
        message = completion.choices[0].message
        messages.append(message.model_dump(exclude_none=True))
        if not message.tool_calls:
            break
        for call in message.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": "18C, cloudy"})
    assert messages[-1]["content"] == "It is 18C in Paris."
    assert len(mock_llm.requests) == 2


# -- structured output -----------------------------------------------------------------


def test_parse_structured_output(client: OpenAI, mock_llm: MockLLM) -> None:
    completion = client.chat.completions.parse(model=MODEL, messages=USER, response_format=Forecast)
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Forecast) and parsed.city == "Paris"
    programmed = '{"city":"Oslo","temperature_c":-3.5,"conditions":["snow"]}'
    mock_llm.expect_completion("weather", programmed).once()
    completion = client.chat.completions.parse(model=MODEL, messages=USER, response_format=Forecast)
    assert completion.choices[0].message.parsed == Forecast(
        city="Oslo", temperature_c=-3.5, conditions=["snow"]
    )


async def test_parse_refusal_and_length_async(aclient: AsyncOpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("weather", refusal="I can't help with that.").once()
    completion = await aclient.chat.completions.parse(
        model=MODEL,
        messages=USER,
        response_format=Forecast,
    )
    assert completion.choices[0].message.refusal == "I can't help with that."
    assert completion.choices[0].message.parsed is None
    with pytest.raises(openai.LengthFinishReasonError):
        await aclient.chat.completions.parse(
            model=MODEL,
            messages=USER,
            response_format=Forecast,
            max_tokens=3,
        )


# -- embeddings ------------------------------------------------------------------------


def test_embeddings_in_both_encodings(client: OpenAI, mock_llm: MockLLM) -> None:
    texts = ["How do I reset my password?", "Password reset steps", "Quarterly revenue"]
    floats = client.embeddings.create(
        model="text-embedding-3-small", input=texts, encoding_format="float"
    )
    vectors = [d.embedding for d in floats.data]
    assert [len(v) for v in vectors] == [1536] * 3
    # The SDK asks for base64 by default and decodes it after validating, so its strict
    # mode cannot check that body (an SDK limitation, with the real API too).
    with make_client(mock_llm, _strict_response_validation=False) as lenient:
        decoded = lenient.embeddings.create(model="text-embedding-3-small", input=texts)
    assert [d.embedding for d in decoded.data] == vectors
    assert mock_llm.requests[-1].json["encoding_format"] == "base64"

    def cosine(a: list[float], b: list[float]) -> float:
        dot = sum(x * y for x, y in zip(a, b, strict=True))
        return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))

    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.2


async def test_embedding_dimensions_and_expectation_async(
    aclient: AsyncOpenAI, mock_llm: MockLLM
) -> None:
    shortened = await aclient.embeddings.create(
        model="text-embedding-3-large", input="hello", dimensions=256, encoding_format="float"
    )
    assert len(shortened.data[0].embedding) == 256
    mock_llm.expect_embedding(64, input_contains="special").once()
    special = await aclient.embeddings.create(
        model="text-embedding-3-small", input=["plain", "a special text"], encoding_format="float"
    )
    assert [len(d.embedding) for d in special.data] == [64, 64]
    tokens = await aclient.embeddings.create(
        model="text-embedding-3-small", input=[[1, 2, 3], [4, 5]], encoding_format="float"
    )
    assert [len(d.embedding) for d in tokens.data] == [1536, 1536]


# -- the Responses API -----------------------------------------------------------------


def test_responses_create_and_stream_helper(client: OpenAI) -> None:
    response = client.responses.create(model="gpt-4.1", input="Tell me about Paris.")
    assert response.status == "completed" and "Paris" in response.output_text
    with client.responses.stream(model="gpt-4.1", input="Tell me about Paris.") as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert "response.output_text.delta" in kinds
    assert final.output_text == response.output_text


async def test_responses_function_call_and_parse_async(
    aclient: AsyncOpenAI, mock_llm: MockLLM
) -> None:
    mock_llm.expect_tool_call("lookup", {"query": "Paris"}).once()
    tool: Any = {
        "type": "function",
        "name": "lookup",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
            "additionalProperties": False,
        },
        "strict": True,
    }
    async with aclient.responses.stream(
        model="gpt-4.1", input="Find Paris", tools=[tool]
    ) as stream:
        final = await stream.get_final_response()
    (call,) = [item for item in final.output if item.type == "function_call"]
    assert call.name == "lookup" and json.loads(call.arguments) == {"query": "Paris"}
    parsed = await aclient.responses.parse(
        model="gpt-4.1", input="Weather in Paris as JSON", text_format=Forecast
    )
    assert isinstance(parsed.output_parsed, Forecast)


# -- legacy completions and models -----------------------------------------------------


def test_legacy_completions(client: OpenAI, mock_llm: MockLLM) -> None:
    completion = client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=["Say hello", "Say bye"], max_tokens=5, n=2
    )
    assert [c.index for c in completion.choices] == [0, 1, 2, 3]
    assert all(c.finish_reason == "length" for c in completion.choices)
    # Streamed legacy chunks carry finish_reason null mid-stream, which the SDK's type
    # does not allow; its strict mode would refuse the real API's stream too.
    with make_client(mock_llm, _strict_response_validation=False) as lenient:
        stream = lenient.completions.create(
            model="gpt-3.5-turbo-instruct", prompt=[1, 2, 3], max_tokens=4, stream=True
        )
        text = "".join(chunk.choices[0].text for chunk in stream)
    assert text and mock_llm.requests[-1].json["prompt"] == [1, 2, 3]


def test_models(client: OpenAI) -> None:
    ids = [model.id for model in client.models.list()]
    assert "gpt-4o-mini" in ids and "text-embedding-3-small" in ids
    assert client.models.retrieve("gpt-4o-2024-08-06").id == "gpt-4o-2024-08-06"
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-unknown")
    assert caught.value.code == "model_not_found" and caught.value.param == "model"


# -- errors, retries, limits -----------------------------------------------------------


def test_errors_map_to_sdk_exceptions(client: OpenAI, mock_llm: MockLLM) -> None:
    cases: list[tuple[type[openai.APIStatusError], dict[str, Any], str | None]] = [
        (openai.NotFoundError, {"model": "gpt-9"}, "model_not_found"),
        (openai.BadRequestError, {"max_tokens": 10**7}, "invalid_value"),
        (openai.BadRequestError, {"tool_choice": "required"}, "invalid_value"),
    ]
    for kind, extra, code in cases:
        with pytest.raises(kind) as caught:
            client.chat.completions.create(**{"model": MODEL, "messages": USER, **extra})
        assert caught.value.code == code
        assert caught.value.request_id is not None and caught.value.request_id.startswith("req_")
    mock_llm.with_context_window(20)
    with pytest.raises(openai.BadRequestError) as overflow:
        client.chat.completions.create(model=MODEL, messages=USER, max_tokens=50)
    assert overflow.value.code == "context_length_exceeded" and overflow.value.param == "messages"


@pytest.mark.no_mock_verify
def test_contract_violations_get_the_api_error_and_are_reported(
    client: OpenAI, mock_llm: MockLLM
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=[])
    assert (caught.value.code, caught.value.param) == ("empty_array", "messages")
    with pytest.raises(openai.BadRequestError) as bad_role:
        robot: Any = [{"role": "robot", "content": "x"}]
        client.chat.completions.create(model=MODEL, messages=robot)
    assert bad_role.value.param == "messages[0].role"
    report = str(mock_llm.report())
    assert "messages" in report and "robot" in report


def test_authentication(mock_llm: MockLLM) -> None:
    mock_llm.api_keys = ["sk-right"]
    with (
        make_client(mock_llm, api_key="sk-wrong-key-123") as wrong,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        wrong.chat.completions.create(model=MODEL, messages=USER)
    assert caught.value.code == "invalid_api_key" and "sk-wrong" not in caught.value.message
    with make_client(mock_llm, api_key="sk-right") as right:
        assert right.models.list().data
    anonymous = httpx.post(
        f"{mock_llm.url}/v1/chat/completions", json={"model": MODEL, "messages": USER}
    )
    assert anonymous.status_code == 401 and anonymous.headers["x-request-id"].startswith("req_")
    assert anonymous.json()["error"]["type"] == "invalid_request_error"


def test_retry_on_429_honours_retry_after_ms(mock_llm: MockLLM) -> None:
    expectation = (
        mock_llm.expect_completion("weather")
        .with_error(429, "rate_limit_exceeded", headers={"retry-after-ms": "1200"})
        .once()
    )
    with make_client(mock_llm, max_retries=2) as sdk:
        completion = sdk.chat.completions.create(model=MODEL, messages=USER)
    assert completion.choices[0].message.content
    first, second = mock_llm.requests[0], mock_llm.requests[1]
    assert (first.status, second.status) == (429, 200)
    assert [r.headers.get("X-Stainless-Retry-Count") for r in (first, second)] == ["0", "1"]
    assert second.arrived_at - first.arrived_at >= 1.2  # the SDK waited as told
    assert expectation.call_count == 1
    assert len(mock_llm.logical_requests("POST", "/v1/chat/completions")) == 1


def test_logical_calls_apart_from_attempts(mock_llm: MockLLM) -> None:
    expectation = mock_llm.expect_completion("weather", "ok").count_logical_calls().times(1)
    mock_llm.with_error_rate(1.0, 503)  # every attempt fails, the SDK retries twice
    with make_client(mock_llm, max_retries=2) as sdk, pytest.raises(openai.InternalServerError):
        sdk.chat.completions.create(model=MODEL, messages=USER)
    mock_llm.with_error_rate(0)
    assert len(mock_llm.requests) == 3
    assert (expectation.call_count, expectation.retries) == (1, 2)
    assert expectation.logical_call_count == 1


def test_insufficient_quota_is_not_retried(mock_llm: MockLLM) -> None:
    mock_llm.expect_completion().with_api_error("insufficient_quota")
    with (
        make_client(mock_llm, max_retries=2) as sdk,
        pytest.raises(openai.RateLimitError) as caught,
    ):
        sdk.chat.completions.create(model=MODEL, messages=USER)
    assert caught.value.code == "insufficient_quota"
    assert len(mock_llm.requests) == 1


def test_rate_limits_count_down(mock_llm: MockLLM, client: OpenAI) -> None:
    mock_llm.with_rate_limit(requests_per_minute=2)
    remaining = []
    for _ in range(2):
        raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=USER)
        remaining.append(raw.headers["x-ratelimit-remaining-requests"])
    assert remaining == ["1", "0"]
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model=MODEL, messages=USER)
    headers = caught.value.response.headers
    assert caught.value.code == "rate_limit_exceeded" and caught.value.type == "requests"
    assert float(headers["retry-after-ms"]) > 0 and headers["x-ratelimit-remaining-requests"] == "0"


def test_injected_server_errors(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion().with_error(500).once()
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model=MODEL, messages=USER)
    assert caught.value.type == "server_error" and caught.value.request_id
    assert client.chat.completions.create(model=MODEL, messages=USER).choices


# -- streaming faults ------------------------------------------------------------------


def test_error_event_inside_the_stream(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("weather").with_stream_error(after=3, message="boom")
    stream = client.chat.completions.create(model=MODEL, messages=USER, stream=True)
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in stream:
            received.append(chunk)
    assert len(received) == 3 and "boom" in caught.value.message


def test_stream_cut_part_way(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("weather").with_fault(Fault.STREAM_CUT, after=4)
    stream = client.chat.completions.create(model=MODEL, messages=USER, stream=True)
    received = []
    with pytest.raises((openai.APIConnectionError, httpx.RemoteProtocolError)):
        for chunk in stream:
            received.append(chunk)
    assert len(received) == 4


def test_malformed_chunk(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("weather").with_malformed_chunk(after=2)
    stream = client.chat.completions.create(model=MODEL, messages=USER, stream=True)
    with pytest.raises(json.JSONDecodeError):
        list(stream)


def test_stream_delays(client: OpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["a", "b", "c"]).with_stream_delays(
        first_event=300, between_events=50
    )
    stream = client.chat.completions.create(model=MODEL, messages=USER, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream) == "abc"
    assert mock_llm.requests[-1].status == 200


# -- Azure -----------------------------------------------------------------------------


def test_azure_deployments(mock_llm: MockLLM) -> None:
    azure = AzureOpenAI(
        azure_endpoint=mock_llm.url,
        api_key="azure-key",
        api_version="2024-10-21",
        _strict_response_validation=True,
        max_retries=0,
    )
    with azure:
        completion = azure.chat.completions.create(model="my-gpt4o-deployment", messages=USER)
        vectors = azure.embeddings.create(
            model="my-embedding-deployment", input="hi", encoding_format="float"
        )
        response = azure.responses.create(model="my-gpt4o-deployment", input="Hello Paris")
    assert completion.choices[0].message.content and len(vectors.data[0].embedding) == 1536
    assert "Paris" in response.output_text
    chat_request = mock_llm.requests[0]
    assert chat_request.path == "/openai/deployments/my-gpt4o-deployment/chat/completions"
    assert chat_request.query["api-version"] == "2024-10-21"
    assert chat_request.headers["api-key"] == "azure-key"
    denied = httpx.post(
        f"{mock_llm.url}/openai/deployments/x/chat/completions?api-version=2024-10-21",
        json={"model": "x", "messages": USER},
    )
    assert denied.status_code == 401


# -- raw wire details ---------------------------------------------------------------


@pytest.mark.no_mock_verify
def test_paths_without_v1_and_malformed_json(mock_llm: MockLLM) -> None:
    headers = {"Authorization": "Bearer sk-test"}
    plain = httpx.post(
        f"{mock_llm.url}/chat/completions",
        headers=headers,
        json={"model": MODEL, "messages": USER},
    )
    assert plain.status_code == 200 and plain.json()["object"] == "chat.completion"
    assert plain.headers["x-request-id"].startswith("req_")
    assert plain.headers["x-ratelimit-remaining-requests"]
    broken = httpx.post(
        f"{mock_llm.url}/v1/chat/completions",
        headers={**headers, "Content-Type": "application/json"},
        content=b'{"model": ',
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["message"].startswith("We could not parse the JSON body")
    unknown = httpx.post(f"{mock_llm.url}/v1/nothing-here", headers=headers, json={})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "Invalid URL (POST /v1/nothing-here)"
    assert "POST /v1/nothing-here" in str(mock_llm.report())  # verify() would report it


def test_raw_stream_framing(mock_llm: MockLLM) -> None:
    with httpx.stream(
        "POST",
        f"{mock_llm.url}/v1/chat/completions",
        headers={"Authorization": "Bearer sk-test"},
        json={"model": MODEL, "messages": USER, "stream": True},
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    first = json.loads(lines[0].removeprefix("data: "))
    assert first["choices"][0]["delta"]["role"] == "assistant"
    with httpx.stream(
        "POST",
        f"{mock_llm.url}/v1/responses",
        headers={"Authorization": "Bearer sk-test"},
        json={"model": "gpt-4.1", "input": "hello there", "stream": True},
    ) as response:
        events = [line for line in response.iter_lines() if line.startswith("event: ")]
    assert events[0] == "event: response.created" and events[-1] == "event: response.completed"


def test_overloaded_is_retried_then_answered(mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("weather").with_api_error("overloaded").once()
    with make_client(mock_llm, max_retries=1) as sdk:
        assert sdk.chat.completions.create(model=MODEL, messages=USER).choices
    assert [r.status for r in mock_llm.requests] == [503, 200]


async def test_responses_stream_error_event_async(aclient: AsyncOpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("ocean").with_stream_error(after=4, message="overheated")
    async with aclient.responses.stream(model="gpt-4.1", input="Describe the ocean") as stream:
        kinds = [event.type async for event in stream]
    assert kinds[-1] == "error" and len(kinds) == 5
