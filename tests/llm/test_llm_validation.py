"""Request validation: the API's errors, naming the offending parameter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mocks.llm._errors import (
    LLMError,
    error_for_status,
    format_duration,
    insufficient_quota,
    invalid_api_key,
    missing_api_key,
    rate_limit_exceeded,
)
from mocks.llm._models import ModelCatalog
from mocks.llm._validation import (
    validate_chat_request,
    validate_completion_request,
    validate_embedding_request,
    validate_responses_request,
)

Check = Callable[[str, Any], None]
CATALOG = ModelCatalog()
USER = {"role": "user", "content": "hi"}


def failure(validate: Callable[..., Any], body: Any, **options: Any) -> LLMError:
    with pytest.raises(LLMError) as caught:
        validate(body, CATALOG, **options)
    return caught.value


def chat(**fields: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [USER], **fields}


CHAT_CASES: list[tuple[Any, int, str | None, str | None]] = [
    ([1, 2], 400, None, None),
    ({"messages": [USER]}, 400, "model", "missing_required_parameter"),
    ({"model": "gpt-4o"}, 400, "messages", "missing_required_parameter"),
    (chat(messages="hi"), 400, "messages", "invalid_type"),
    (chat(messages=[]), 400, "messages", "empty_array"),
    (chat(messages=[{"content": "x"}]), 400, "messages[0].role", "missing_required_parameter"),
    (chat(messages=[{"role": "robot", "content": "x"}]), 400, "messages[0].role", "invalid_value"),
    (chat(messages=[{"role": "user", "content": 5}]), 400, "messages[0].content", "invalid_type"),
    (
        chat(messages=[{"role": "user", "content": [{"type": "text"}]}]),
        400,
        "messages[0].content[0].text",
        "missing_required_parameter",
    ),
    (
        chat(messages=[USER, {"role": "tool", "content": "x"}]),
        400,
        "messages[1].tool_call_id",
        "missing_required_parameter",
    ),
    (
        chat(messages=[USER, {"role": "tool", "content": "x", "tool_call_id": "nope"}]),
        400,
        "messages[1].role",
        "invalid_value",
    ),
    (chat(n=0), 400, "n", "integer_below_min_value"),
    (chat(n="2"), 400, "n", "invalid_type"),
    (chat(temperature=3), 400, "temperature", "decimal_above_max_value"),
    (chat(stop=["a", "b", "c", "d", "e"]), 400, "stop", "array_above_max_length"),
    (chat(stream_options={"include_usage": True}), 400, "stream_options", "invalid_value"),
    (chat(top_logprobs=2), 400, "top_logprobs", "invalid_value"),
    (chat(tool_choice="required"), 400, "tool_choice", "invalid_value"),
    (
        chat(tools=[{"type": "function", "function": {"name": "bad name"}}]),
        400,
        "tools[0].function.name",
        "invalid_value",
    ),
    (
        chat(
            tools=[{"type": "function", "function": {"name": "f"}}],
            tool_choice={"type": "function", "function": {"name": "g"}},
        ),
        400,
        "tool_choice",
        "invalid_value",
    ),
    (chat(response_format={"type": "json_object"}), 400, "messages", "invalid_value"),
    (
        chat(response_format={"type": "json_schema", "json_schema": {"schema": {}}}),
        400,
        "response_format.json_schema.name",
        "missing_required_parameter",
    ),
    (chat(model="gpt-9-ultra"), 404, None, "model_not_found"),
    (chat(model="text-embedding-3-small"), 400, "model", "invalid_value"),
    (chat(model="gpt-3.5-turbo-instruct"), 404, "model", None),
    (chat(max_tokens=10**6), 400, "max_tokens", "invalid_value"),
]


@pytest.mark.parametrize(("body", "status", "param", "code"), CHAT_CASES)
def test_chat_errors_name_the_parameter(
    conforms: Check, body: Any, status: int, param: str | None, code: str | None
) -> None:
    error = failure(validate_chat_request, body)
    assert (error.status, error.param, error.code) == (status, param, code)
    conforms("error", error.body())


def test_valid_chat_requests_pass() -> None:
    tool_call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    body = chat(
        messages=[
            {"role": "system", "content": "Reply in json."},
            USER,
            {"role": "assistant", "content": None, "tool_calls": [tool_call]},
            {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        ],
        tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
        tool_choice={"type": "function", "function": {"name": "f"}},
        response_format={"type": "json_object"},
        n=2,
        temperature=0.5,
        stream=True,
        stream_options={"include_usage": True},
        logprobs=True,
        top_logprobs=3,
        stop="\n",
        max_completion_tokens=100,
    )
    info = validate_chat_request(body, CATALOG)
    assert info is not None and info.id == "gpt-4o-mini"
    assert validate_chat_request(chat(model="gpt-4o-mini-2024-07-18"), CATALOG) is info
    assert validate_chat_request(chat(model="anything"), None) is None


def test_a_call_without_its_result_is_refused_once_the_conversation_moves_on() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    pending = [USER, {"role": "assistant", "tool_calls": [call]}, USER]
    error = failure(validate_chat_request, chat(messages=pending))
    assert error.param == "messages[1].role" and "c1" in error.message


def test_context_window_overflow() -> None:
    long = {"role": "user", "content": "word " * 300}
    error = failure(validate_chat_request, chat(messages=[long]), context_window=100)
    assert (error.status, error.code, error.param) == (400, "context_length_exceeded", "messages")
    assert "maximum context length is 100 tokens" in error.message
    with_limit = failure(validate_chat_request, chat(max_tokens=95), context_window=100)
    assert "in the completion" in with_limit.message


def test_completion_errors() -> None:
    model = "gpt-3.5-turbo-instruct"
    assert failure(validate_completion_request, {"model": model}).param == "prompt"
    bad = failure(validate_completion_request, {"model": model, "prompt": [[1, 2], [3, 2.5]]})
    assert bad.param == "prompt[1][1]" and bad.code == "invalid_type"
    empty = failure(validate_completion_request, {"model": model, "prompt": []})
    assert (empty.param, empty.code) == ("prompt", "empty_array")
    mixed = failure(validate_completion_request, {"model": model, "prompt": [[1, 2], "a"]})
    assert mixed.param == "prompt[1]"
    assert failure(validate_completion_request, {"model": "gpt-4o", "prompt": "x"}).status == 404
    big = failure(validate_completion_request, {"model": model, "prompt": "word " * 5000})
    assert big.code == "context_length_exceeded" and big.param == "prompt"
    assert validate_completion_request({"model": model, "prompt": [[1, 2], [3]]}, CATALOG)


def test_embedding_errors() -> None:
    ok = {"model": "text-embedding-3-small", "input": "x"}
    assert failure(validate_embedding_request, {**ok, "foo": 1}).message.endswith("foo")
    assert failure(validate_embedding_request, {**ok, "input": ""}).param == "input"
    assert failure(validate_embedding_request, {**ok, "input": ["a", ""]}).param == "input[1]"
    assert failure(validate_embedding_request, {**ok, "input": [[1, "x"]]}).param == "input[0][1]"
    mixed = failure(validate_embedding_request, {**ok, "input": [[1, 2], "x"]})
    assert (mixed.param, mixed.code) == ("input[1]", "invalid_type")
    too_many = failure(validate_embedding_request, {**ok, "input": ["a"] * 2049})
    assert too_many.code == "array_above_max_length"
    fmt = failure(validate_embedding_request, {**ok, "encoding_format": "int8"})
    assert fmt.param == "encoding_format"
    ada = failure(
        validate_embedding_request, {**ok, "model": "text-embedding-ada-002", "dimensions": 8}
    )
    assert ada.param == "dimensions"
    assert failure(validate_embedding_request, {**ok, "dimensions": 5000}).param == "dimensions"
    assert failure(validate_embedding_request, {**ok, "model": "gpt-4o"}).param == "model"
    info = validate_embedding_request({**ok, "input": [[1, 2], [3]], "dimensions": 64}, CATALOG)
    assert info is not None and info.dimensions == 1536


def test_responses_errors() -> None:
    assert failure(validate_responses_request, {"input": "x"}).param == "model"
    low = failure(validate_responses_request, {"model": "gpt-4.1", "max_output_tokens": 5})
    assert low.code == "integer_below_min_value"
    role = failure(
        validate_responses_request,
        {"model": "gpt-4.1", "input": [{"role": "robot", "content": "x"}]},
    )
    assert role.param == "input[0].role"
    output = failure(
        validate_responses_request,
        {"model": "gpt-4.1", "input": [{"type": "function_call_output"}]},
    )
    assert output.param == "input[0].call_id"
    fmt = failure(
        validate_responses_request,
        {"model": "gpt-4.1", "text": {"format": {"type": "json_schema"}}},
    )
    assert fmt.param == "text.format.name"
    choice = failure(
        validate_responses_request,
        {"model": "gpt-4.1", "tool_choice": {"type": "function", "name": "x"}},
    )
    assert choice.param == "tool_choice"
    assert validate_responses_request({"model": "gpt-4.1", "input": "hi"}, CATALOG)


def test_auth_quota_and_server_errors(conforms: Check) -> None:
    assert missing_api_key().status == 401
    shown = invalid_api_key("sk-proj-abcdefghijklmnop").message
    assert "abcdefgh" not in shown and "mnop" in shown
    quota = insufficient_quota()
    assert (quota.status, quota.code, quota.headers["x-should-retry"]) == (
        429,
        "insufficient_quota",
        "false",
    )
    for status in (400, 401, 403, 404, 409, 422, 429, 500, 502, 503):
        error = error_for_status(status)
        assert error.status == status
        conforms("error", error.body())


def test_rate_limit_error_carries_retry_headers() -> None:
    error = rate_limit_exceeded(
        "gpt-4o",
        kind="tokens",
        limit=1000,
        used=990,
        requested=50,
        retry_after=1.5,
        headers={"x-ratelimit-remaining-tokens": "10"},
    )
    assert (error.status, error.type, error.code) == (429, "tokens", "rate_limit_exceeded")
    assert error.headers["retry-after"] == "2" and error.headers["retry-after-ms"] == "1500"
    assert error.headers["x-ratelimit-remaining-tokens"] == "10"
    assert "TPM" in error.message and "1.5s" in error.message


def test_durations_read_like_the_ratelimit_headers() -> None:
    assert format_duration(0.02) == "20ms"
    assert format_duration(1.5) == "1.5s"
    assert format_duration(360) == "6m0s"
    assert format_duration(3725) == "1h2m5s"


def test_reset_times_round_to_the_millisecond_and_carry_into_minutes() -> None:
    assert format_duration(0.9996) == "1s"  # not "1000ms"
    assert format_duration(59.9999) == "1m0s"  # not "60s"
    assert format_duration(6.05) == "6.05s"
    assert format_duration(59.8123) == "59.812s"
    assert format_duration(-0.5) == "0ms"
