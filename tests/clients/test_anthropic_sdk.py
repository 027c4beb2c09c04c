"""MockLLM's Anthropic Messages API driven by the real ``anthropic`` SDK (sync and async).

The SDK is configured only by base URL and key. The ``mock_llm`` fixture runs in
checking mode and verifies the mock after each passing test, so every answer here also
conforms to ``contracts/llm/anthropic_*.json``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import httpx
import pytest
from anthropic import Anthropic, AsyncAnthropic
from jsonschema import Draft202012Validator

from mocks.llm import MockLLM

MODEL = "claude-sonnet-4-5"
USER: Any = [{"role": "user", "content": "What is the weather in Paris today?"}]
WEATHER_TOOL: Any = {
    "name": "get_weather",
    "description": "Get the current weather in a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
    },
}
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def make_client(mock: MockLLM, **options: Any) -> Anthropic:
    settings: dict[str, Any] = {"base_url": mock.url, "api_key": "sk-ant-test", "max_retries": 0}
    settings.update(options)
    return Anthropic(**settings)


@pytest.fixture
def client(mock_llm: MockLLM) -> Iterator[Anthropic]:
    with make_client(mock_llm) as sdk:
        yield sdk


@pytest.fixture
async def aclient(mock_llm: MockLLM) -> AsyncIterator[AsyncAnthropic]:
    async with AsyncAnthropic(base_url=mock_llm.url, api_key="sk-ant-test", max_retries=0) as sdk:
        yield sdk


# -- create ----------------------------------------------------------------------------


def test_default_answer(client: Anthropic, mock_llm: MockLLM) -> None:
    message = client.messages.create(model=MODEL, max_tokens=256, messages=USER)
    assert message.type == "message" and message.role == "assistant" and message.model == MODEL
    assert message.id.startswith("msg_01") and message.stop_reason == "end_turn"
    text = message.content[0]
    assert text.type == "text" and "Paris" in text.text
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert message.usage.cache_read_input_tokens == 0
    assert message._request_id is not None and message._request_id.startswith("req_")
    again = client.messages.create(model=MODEL, max_tokens=256, messages=USER)
    assert again.content == message.content  # the same prompt and seed, the same answer
    assert len(mock_llm.requests) == 2


async def test_default_answer_async(aclient: AsyncAnthropic) -> None:
    message = await aclient.messages.create(model=MODEL, max_tokens=256, messages=USER)
    assert message.content[0].type == "text" and message.content[0].text


def test_programmed_answer_matches_system_blocks_and_model(
    client: Anthropic, mock_llm: MockLLM
) -> None:
    expectation = mock_llm.expect_completion(
        "weather", "Arr, sunny!", system_contains="pirate", model=MODEL
    ).once()
    message = client.messages.create(
        model=MODEL,
        max_tokens=100,
        system=[{"type": "text", "text": "Talk like a pirate."}],
        messages=USER,
    )
    assert message.content[0].type == "text" and message.content[0].text == "Arr, sunny!"
    assert expectation.call_count == 1
    plain = client.messages.create(model=MODEL, max_tokens=100, system="Be brief.", messages=USER)
    assert plain.content[0].type == "text" and plain.content[0].text != "Arr, sunny!"


def test_multi_turn_with_image_and_document_blocks(client: Anthropic, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("quarterly revenue", "Revenue grew 12%.").once()
    messages: Any = [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi! How can I help?"},
        {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": PIXEL},
                },
                {
                    "type": "document",
                    "source": {"type": "text", "media_type": "text/plain", "data": "Q3 report"},
                    "title": "report",
                },
                {"type": "text", "text": "Summarize the quarterly revenue."},
            ],
        },
    ]
    message = client.messages.create(model=MODEL, max_tokens=100, messages=messages)
    assert message.content[0].type == "text" and message.content[0].text == "Revenue grew 12%."


def test_stop_sequences_and_max_tokens(client: Anthropic, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("count", "one, two, three, four").times(2)
    stopped = client.messages.create(
        model=MODEL,
        max_tokens=100,
        stop_sequences=["three"],
        messages=[{"role": "user", "content": "count"}],
    )
    assert stopped.stop_reason == "stop_sequence" and stopped.stop_sequence == "three"
    assert stopped.content[0].type == "text" and stopped.content[0].text == "one, two, "
    cut = client.messages.create(
        model=MODEL, max_tokens=2, messages=[{"role": "user", "content": "count"}]
    )
    assert cut.stop_reason == "max_tokens" and cut.usage.output_tokens == 2


def test_extended_thinking_has_a_signed_block(client: Anthropic) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=USER,
    )
    thinking, text = message.content
    assert thinking.type == "thinking" and thinking.thinking and thinking.signature
    assert base64.b64decode(thinking.signature)
    assert text.type == "text" and text.text


def test_structured_output_fits_the_schema(client: Anthropic) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "temperature_c": {"type": "number"}},
        "required": ["city", "temperature_c"],
        "additionalProperties": False,
    }
    message = client.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=USER,
        output_config={"format": {"type": "json_schema", "schema": schema}},
    )
    assert message.content[0].type == "text"
    document = json.loads(message.content[0].text)
    Draft202012Validator(schema).validate(document)
    assert document["city"] == "Paris"


# -- tools -----------------------------------------------------------------------------


def test_forced_tool_use_fits_the_input_schema(client: Anthropic) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=USER,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "any"},
    )
    assert message.stop_reason == "tool_use"
    call = message.content[-1]
    assert call.type == "tool_use" and call.id.startswith("toolu_01")
    Draft202012Validator(WEATHER_TOOL["input_schema"]).validate(call.input)
    assert call.input["city"] == "Paris"


def test_tool_use_round_trip(client: Anthropic, mock_llm: MockLLM) -> None:
    mock_llm.expect_tool_call("get_weather", {"city": "Paris", "unit": "celsius"}).once()
    mock_llm.expect_completion(tool_result_contains="18C", response="It is 18C in Paris.").once()
    messages: Any = list(USER)
    first = client.messages.create(
        model=MODEL, max_tokens=200, messages=messages, tools=[WEATHER_TOOL]
    )
    call = first.content[-1]
    assert call.type == "tool_use" and call.name == "get_weather"
    assert call.input == {"city": "Paris", "unit": "celsius"}
    messages += [
        {"role": "assistant", "content": [block.model_dump() for block in first.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "18C, cloudy"}],
        },
    ]
    second = client.messages.create(
        model=MODEL, max_tokens=200, messages=messages, tools=[WEATHER_TOOL]
    )
    assert second.content[0].type == "text" and second.content[0].text == "It is 18C in Paris."
    assert second.stop_reason == "end_turn"


def test_a_tool_result_without_its_tool_use_is_refused(client: Anthropic) -> None:
    messages: Any = [
        *USER,
        {"role": "assistant", "content": "Let me check."},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_x", "content": "18C"}],
        },
    ]
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model=MODEL, max_tokens=100, messages=messages)
    assert "messages.2.content: unexpected `tool_use_id`" in caught.value.message


# -- streaming -------------------------------------------------------------------------


def test_stream_helper_with_text(client: Anthropic, mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["Sunny ", "and ", "24C."], "weather").once()
    with client.messages.stream(model=MODEL, max_tokens=100, messages=USER) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert pieces == ["Sunny ", "and ", "24C."]
    assert final.content[0].type == "text" and final.content[0].text == "Sunny and 24C."
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0
    assert final.usage.input_tokens > 0


def test_raw_stream_event_sequence(client: Anthropic) -> None:
    events = list(client.messages.create(model=MODEL, max_tokens=100, messages=USER, stream=True))
    kinds = [event.type for event in events]
    assert kinds[:2] == ["message_start", "content_block_start"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    start, delta = events[0], events[-2]
    assert start.type == "message_start" and start.message.content == []
    assert start.message.stop_reason is None
    assert delta.type == "message_delta" and delta.delta.stop_reason == "end_turn"
    assert delta.usage.input_tokens == start.message.usage.input_tokens  # langchain reads it here


def test_stream_helper_with_tool_use(client: Anthropic, mock_llm: MockLLM) -> None:
    arguments = {"city": "Paris", "unit": "celsius"}
    mock_llm.expect_tool_call("get_weather", arguments).once()
    with client.messages.stream(
        model=MODEL, max_tokens=200, messages=USER, tools=[WEATHER_TOOL]
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    starts = [e for e in events if e.type == "content_block_start"]
    assert starts[-1].content_block.type == "tool_use"
    assert starts[-1].content_block.input == {}
    pieces = [
        e.delta.partial_json
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "input_json_delta"
    ]
    assert len(pieces) > 2 and json.loads("".join(pieces)) == arguments
    call = final.content[-1]
    assert call.type == "tool_use" and call.input == arguments and final.stop_reason == "tool_use"


def test_stream_with_thinking(client: Anthropic) -> None:
    with client.messages.stream(
        model=MODEL,
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=USER,
    ) as stream:
        kinds = [e.delta.type for e in stream if e.type == "content_block_delta"]
        final = stream.get_final_message()
    assert kinds[0] == "thinking_delta" and "signature_delta" in kinds
    assert final.content[0].type == "thinking" and final.content[0].signature


async def test_stream_helper_async(aclient: AsyncAnthropic, mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["Bonjour", " !"]).once()
    async with aclient.messages.stream(model=MODEL, max_tokens=50, messages=USER) as stream:
        text = "".join([piece async for piece in stream.text_stream])
        final = await stream.get_final_message()
    assert text == "Bonjour !" and final.content[0].type == "text"


def test_error_event_mid_stream(client: Anthropic, mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["a", "b", "c", "d"]).with_stream_error(after=4, message="Overloaded")
    received: list[str] = []
    with (
        pytest.raises(anthropic.APIStatusError) as caught,
        client.messages.stream(model=MODEL, max_tokens=50, messages=USER) as stream,
    ):
        received.extend(stream.text_stream)
    assert received == ["a"]  # message_start, block start, ping, then one delta
    assert "overloaded_error" in str(caught.value)


# -- count_tokens and models -----------------------------------------------------------


def test_count_tokens_uses_up_no_expectation(client: Anthropic, mock_llm: MockLLM) -> None:
    expectation = mock_llm.expect_completion("weather", "Rain.").once()
    counted = client.messages.count_tokens(model=MODEL, messages=USER, tools=[WEATHER_TOOL])
    assert counted.input_tokens > 10
    assert expectation.call_count == 0
    message = client.messages.create(
        model=MODEL, max_tokens=50, messages=USER, tools=[WEATHER_TOOL]
    )
    assert message.usage.input_tokens == counted.input_tokens
    assert expectation.call_count == 1


def test_models_list_and_retrieve(client: Anthropic, mock_llm: MockLLM) -> None:
    ids = [model.id for model in client.models.list()]
    assert MODEL in ids and "gpt-4o" not in ids
    model = client.models.retrieve(MODEL)
    assert model.display_name == "Claude Sonnet 4.5" and model.type == "model"
    with pytest.raises(anthropic.NotFoundError):
        client.models.retrieve("claude-unknown")
    openai_list = httpx.get(f"{mock_llm.url}/v1/models", headers={"Authorization": "Bearer sk"})
    assert openai_list.json()["object"] == "list"  # the same path, OpenAI's listing


# -- errors, auth, retries, limits -----------------------------------------------------


def test_errors_map_to_sdk_exceptions(client: Anthropic, mock_llm: MockLLM) -> None:
    with pytest.raises(anthropic.NotFoundError) as missing:
        client.messages.create(model="claude-unknown", max_tokens=10, messages=USER)
    assert missing.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    assert "allow_unknown_models" in missing.value.message
    mock_llm.expect_completion("overload me").with_api_error("overloaded").once()
    with pytest.raises(anthropic.OverloadedError) as overloaded:
        client.messages.create(
            model=MODEL, max_tokens=10, messages=[{"role": "user", "content": "overload me"}]
        )
    assert overloaded.value.status_code == 529
    assert overloaded.value.body["error"]["type"] == "overloaded_error"  # type: ignore[index]
    mock_llm.expect_completion("break").with_error(500).once()
    with pytest.raises(anthropic.InternalServerError) as failed:
        client.messages.create(
            model=MODEL, max_tokens=10, messages=[{"role": "user", "content": "break"}]
        )
    assert failed.value.body["error"]["type"] == "api_error"  # type: ignore[index]
    assert failed.value.request_id == failed.value.body["request_id"]  # type: ignore[index]


@pytest.mark.no_mock_verify
def test_contract_violations_get_the_api_error_and_are_reported(
    client: Anthropic, mock_llm: MockLLM
) -> None:
    with pytest.raises(anthropic.BadRequestError) as bad:
        client.messages.create(
            model=MODEL, max_tokens=10, messages=USER, extra_body={"temperature": 3}
        )
    assert "temperature: Input should be less than or equal to 1" in bad.value.message
    with pytest.raises(anthropic.BadRequestError) as empty:
        client.messages.create(model=MODEL, max_tokens=10, messages=[])
    assert "messages" in empty.value.message
    url = f"{mock_llm.url}/v1/messages"
    version = {"anthropic-version": "2023-06-01"}
    no_max = httpx.post(
        url, json={"model": MODEL, "messages": USER}, headers={"x-api-key": "k", **version}
    )
    assert no_max.json()["error"]["message"] == "max_tokens: Field required"
    report = str(mock_llm.report())
    assert "anthropic_request" in report and "temperature" in report
    assert "'max_tokens' is a required property" in report


def test_retries_honour_retry_after(mock_llm: MockLLM) -> None:
    answer = mock_llm.expect_completion("retry me", "Done.").once()
    limited = mock_llm.expect_completion("retry me").with_api_error("rate_limit_exceeded").once()
    with make_client(mock_llm, max_retries=2) as sdk:
        message = sdk.messages.create(
            model=MODEL, max_tokens=10, messages=[{"role": "user", "content": "retry me"}]
        )
    assert message.content[0].type == "text" and message.content[0].text == "Done."
    assert limited.call_count == 1 and answer.call_count == 1
    first, second = mock_llm.requests[-2:]
    assert first.status == 429 and second.headers["x-stainless-retry-count"] == "1"


def test_rate_limits_answer_429_with_anthropic_headers() -> None:
    with MockLLM.start(requests_per_minute=1, check_responses=True) as mock:
        client = make_client(mock)
        ok = client.messages.with_raw_response.create(model=MODEL, max_tokens=10, messages=USER)
        assert ok.headers["anthropic-ratelimit-requests-limit"] == "1"
        assert ok.headers["anthropic-ratelimit-requests-remaining"] == "0"
        assert ok.headers["anthropic-ratelimit-tokens-reset"].endswith("Z")
        with pytest.raises(anthropic.RateLimitError) as caught:
            client.messages.create(model=MODEL, max_tokens=10, messages=USER)
        headers = caught.value.response.headers
        assert int(headers["retry-after"]) >= 1
        assert headers["anthropic-ratelimit-requests-remaining"] == "0"
        assert caught.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
        mock.verify()


def test_wrong_key_is_401() -> None:
    with MockLLM.start(api_keys=["sk-ant-good"], check_responses=True) as mock:
        with (
            make_client(mock, api_key="sk-ant-bad") as bad,
            pytest.raises(anthropic.AuthenticationError) as caught,
        ):
            bad.messages.create(model=MODEL, max_tokens=10, messages=USER)
        assert caught.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]
        with make_client(mock, api_key="sk-ant-good") as good:
            assert good.messages.create(model=MODEL, max_tokens=10, messages=USER).content
        mock.verify()


def test_raw_http_auth_version_and_request_ids(mock_llm: MockLLM) -> None:
    url = f"{mock_llm.url}/v1/messages"
    body = {"model": MODEL, "max_tokens": 20, "messages": USER}
    version = {"anthropic-version": "2023-06-01"}
    with_key = httpx.post(url, json=body, headers={"x-api-key": "sk-ant-curl", **version})
    assert with_key.status_code == 200 and with_key.headers["request-id"].startswith("req_")
    no_key = httpx.post(url, json=body, headers=version)
    assert no_key.status_code == 401
    assert no_key.json()["error"] == {
        "type": "authentication_error",
        "message": "x-api-key header is required",
    }
    assert no_key.json()["request_id"] == no_key.headers["request-id"]
    no_version = httpx.post(url, json=body, headers={"x-api-key": "sk-ant-curl"})
    assert no_version.status_code == 400
    assert "anthropic-version" in no_version.json()["error"]["message"]
    not_json = httpx.post(url, content=b"{", headers={"x-api-key": "k", **version})
    assert not_json.status_code == 400 and not_json.json()["type"] == "error"
    assert mock_llm.requests[0].headers["x-api-key"] == "sk-ant-curl"


def test_request_too_large_is_413() -> None:
    with MockLLM.start(max_body_size=2000, check_responses=True) as mock:
        with make_client(mock) as client, pytest.raises(anthropic.APIStatusError) as caught:
            client.messages.create(
                model=MODEL, max_tokens=10, messages=[{"role": "user", "content": "x" * 5000}]
            )
        assert caught.value.status_code == 413
        assert caught.value.body["error"]["type"] == "request_too_large"  # type: ignore[index]
