"""MockLLM's Gemini API driven by the real ``google-genai`` SDK (sync and async).

The SDK is pointed at the mock by ``HttpOptions(base_url=...)`` and a key only. The
``mock_llm`` fixture runs in checking mode and verifies the mock after each passing
test, so every answer here also conforms to ``contracts/llm/gemini_*.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import errors, types
from pydantic import BaseModel

from mocks.llm import MockLLM

MODEL = "gemini-2.5-flash"
QUESTION = "What is the weather in Paris today?"


class Forecast(BaseModel):
    city: str
    temperature_c: float
    conditions: list[str]


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"18C and cloudy in {city}"


def make_client(mock: MockLLM, **options: Any) -> genai.Client:
    http = types.HttpOptions(base_url=mock.url, **options)
    return genai.Client(api_key="gk-test", http_options=http)


@pytest.fixture
def client(mock_llm: MockLLM) -> Iterator[genai.Client]:
    sdk = make_client(mock_llm)
    yield sdk
    sdk.close()


# -- generate --------------------------------------------------------------------------


def test_default_answer(client: genai.Client, mock_llm: MockLLM) -> None:
    response = client.models.generate_content(model=MODEL, contents=QUESTION)
    assert response.text is not None and "Paris" in response.text
    candidate = (response.candidates or [])[0]
    assert candidate.finish_reason == types.FinishReason.STOP
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_token_count and usage.candidates_token_count
    assert usage.total_token_count == usage.prompt_token_count + usage.candidates_token_count
    assert response.model_version == MODEL and response.response_id
    again = client.models.generate_content(model=MODEL, contents=QUESTION)
    assert again.text == response.text
    assert mock_llm.requests[0].path == f"/v1/models/{MODEL}:generateContent"


async def test_default_answer_async(client: genai.Client) -> None:
    response = await client.aio.models.generate_content(model=MODEL, contents=QUESTION)
    assert response.text


def test_system_instruction_is_not_the_last_user_turn(
    client: genai.Client, mock_llm: MockLLM
) -> None:
    mock_llm.expect_completion("weather", "Arr, sunny!", system_contains="pirate").once()
    response = client.models.generate_content(
        model=MODEL,
        contents=QUESTION,
        config=types.GenerateContentConfig(system_instruction="Talk like a pirate."),
    )
    assert response.text == "Arr, sunny!"
    sent = mock_llm.requests[-1].json
    assert sent["systemInstruction"]["role"] == "user"  # what the SDK sends


def test_max_output_tokens_and_stop_sequences(client: genai.Client, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("count", "one, two, three, four").times(2)
    cut = client.models.generate_content(
        model=MODEL, contents="count", config=types.GenerateContentConfig(max_output_tokens=2)
    )
    assert (cut.candidates or [])[0].finish_reason == types.FinishReason.MAX_TOKENS
    stopped = client.models.generate_content(
        model=MODEL, contents="count", config=types.GenerateContentConfig(stop_sequences=["three"])
    )
    assert stopped.text == "one, two, "


def test_json_schema_output_from_a_pydantic_model(client: genai.Client, mock_llm: MockLLM) -> None:
    response = client.models.generate_content(
        model=MODEL,
        contents="Forecast for Paris",
        config=types.GenerateContentConfig(
            response_mime_type="application/json", response_schema=Forecast
        ),
    )
    assert isinstance(response.parsed, Forecast) and response.parsed.city == "Paris"
    schema = mock_llm.requests[-1].json["generationConfig"]["responseSchema"]
    assert schema["type"] == "OBJECT"  # upper-case types, converted by the mock
    plain = client.models.generate_content(
        model=MODEL,
        contents="Forecast for Paris",
        config=types.GenerateContentConfig(
            response_mime_type="application/json",
            response_json_schema=Forecast.model_json_schema(),
        ),
    )
    assert Forecast.model_validate_json(plain.text or "").city == "Paris"


def test_v1beta_and_key_in_the_query(mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("hello", "Hi!", provider="gemini").once()
    url = f"{mock_llm.url}/v1beta/models/{MODEL}:generateContent?key=gk-query"
    body = {"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}
    response = httpx.post(url, json=body)
    assert response.status_code == 200
    assert response.json()["candidates"][0]["content"]["parts"] == [{"text": "Hi!"}]
    assert response.json()["candidates"][0]["content"]["role"] == "model"


# -- streaming -------------------------------------------------------------------------


def test_stream(client: genai.Client, mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["It is ", "sunny ", "today."], "weather").once()
    chunks = list(client.models.generate_content_stream(model=MODEL, contents=QUESTION))
    assert [c.text for c in chunks] == ["It is ", "sunny ", "today."]
    last = chunks[-1]
    assert (last.candidates or [])[0].finish_reason == types.FinishReason.STOP
    assert last.usage_metadata is not None and last.usage_metadata.candidates_token_count
    assert mock_llm.requests[-1].query["alt"] == "sse"


def test_stream_ends_without_done_marker(mock_llm: MockLLM) -> None:
    url = f"{mock_llm.url}/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
    body = {"contents": [{"parts": [{"text": "Hello there"}]}]}
    response = httpx.post(url, json=body, headers={"x-goog-api-key": "gk"})
    events = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert events and "[DONE]" not in response.text
    assert all("candidates" in json.loads(event) for event in events)
    as_array = httpx.post(url.removesuffix("?alt=sse"), json=body, headers={"x-goog-api-key": "k"})
    assert isinstance(as_array.json(), list) and len(as_array.json()) == len(events)


async def test_stream_async(client: genai.Client, mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["Bon", "jour"]).once()
    stream = await client.aio.models.generate_content_stream(model=MODEL, contents="Hi")
    texts = [chunk.text async for chunk in stream]
    assert texts == ["Bon", "jour"]


def test_error_mid_stream(client: genai.Client, mock_llm: MockLLM) -> None:
    mock_llm.expect_streaming(["a", "b", "c"]).with_stream_error(after=1, message="Overloaded")
    received: list[str | None] = []
    with pytest.raises(errors.ServerError) as caught:
        received.extend(
            c.text for c in client.models.generate_content_stream(model=MODEL, contents="Hi")
        )
    assert received == ["a"]
    assert caught.value.code == 503 and caught.value.status == "UNAVAILABLE"


# -- function calling ------------------------------------------------------------------


def test_function_call_without_automatic_calling(client: genai.Client, mock_llm: MockLLM) -> None:
    mock_llm.expect_tool_call("get_weather", {"city": "Paris"}).once()
    response = client.models.generate_content(
        model=MODEL,
        contents=QUESTION,
        config=types.GenerateContentConfig(
            tools=[get_weather],
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        ),
    )
    calls = response.function_calls or []
    assert [(c.name, c.args) for c in calls] == [("get_weather", {"city": "Paris"})]


def test_automatic_function_calling_round_trip(client: genai.Client, mock_llm: MockLLM) -> None:
    call = mock_llm.expect_tool_call("get_weather", {"city": "Paris"}).once()
    answer = mock_llm.expect_completion(
        tool_result_contains="18C and cloudy", response="It is 18C and cloudy in Paris."
    ).once()
    response = client.models.generate_content(
        model=MODEL, contents=QUESTION, config=types.GenerateContentConfig(tools=[get_weather])
    )
    assert response.text == "It is 18C and cloudy in Paris."
    assert call.call_count == 1 and answer.call_count == 1
    history = response.automatic_function_calling_history or []
    assert [content.role for content in history] == ["user", "model", "user"]
    sent = mock_llm.requests[-1].json["contents"][-1]["parts"][0]
    assert sent["functionResponse"]["name"] == "get_weather"


def test_forced_function_call_fits_the_declaration(client: genai.Client) -> None:
    declaration = types.FunctionDeclaration(
        name="book_table",
        description="Book a table",
        parameters=types.Schema(
            type=types.Type.OBJECT,
            properties={
                "guests": types.Schema(type=types.Type.INTEGER, minimum=1, maximum=8),
                "day": types.Schema(type=types.Type.STRING, enum=["friday", "saturday"]),
            },
            required=["guests", "day"],
        ),
    )
    response = client.models.generate_content(
        model=MODEL,
        contents="Book a table for Friday",
        config=types.GenerateContentConfig(
            tools=[types.Tool(function_declarations=[declaration])],
            tool_config=types.ToolConfig(
                function_calling_config=types.FunctionCallingConfig(
                    mode=types.FunctionCallingConfigMode.ANY
                )
            ),
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        ),
    )
    (call,) = response.function_calls or []
    assert call.name == "book_table" and call.args is not None
    assert 1 <= call.args["guests"] <= 8 and call.args["day"] in ("friday", "saturday")


# -- embeddings, tokens, models --------------------------------------------------------


def test_embeddings_always_batch_and_dimensionality_wins(
    client: genai.Client, mock_llm: MockLLM
) -> None:
    mock_llm.expect_embedding(16, input_contains="cat").times(2)
    sized = client.models.embed_content(model="gemini-embedding-001", contents=["a cat", "the cat"])
    assert [len(e.values or []) for e in sized.embeddings or []] == [16, 16]
    smaller = client.models.embed_content(
        model="gemini-embedding-001",
        contents="a cat",
        config=types.EmbedContentConfig(output_dimensionality=8),
    )
    assert [len(e.values or []) for e in smaller.embeddings or []] == [8]
    native = client.models.embed_content(model="text-embedding-004", contents="a dog")
    assert len((native.embeddings or [])[0].values or []) == 768
    assert all(r.path.endswith(":batchEmbedContents") for r in mock_llm.requests)


async def test_embeddings_async(client: genai.Client) -> None:
    result = await client.aio.models.embed_content(model="gemini-embedding-001", contents="hi")
    assert len((result.embeddings or [])[0].values or []) == 3072


def test_count_tokens_uses_up_no_expectation(client: genai.Client, mock_llm: MockLLM) -> None:
    expectation = mock_llm.expect_completion("weather", "Rain.").once()
    counted = client.models.count_tokens(model=MODEL, contents=QUESTION)
    assert counted.total_tokens and counted.total_tokens > 0
    assert expectation.call_count == 0
    response = client.models.generate_content(model=MODEL, contents=QUESTION)
    assert response.text == "Rain." and expectation.call_count == 1
    assert response.usage_metadata is not None
    assert response.usage_metadata.prompt_token_count == counted.total_tokens


def test_models_list_and_get(client: genai.Client, mock_llm: MockLLM) -> None:
    names = [model.name for model in client.models.list()]
    assert f"models/{MODEL}" in names and "models/gpt-4o" not in names
    model = client.models.get(model=MODEL)
    assert model.display_name == "Gemini 2.5 Flash"
    assert model.supported_actions and "generateContent" in model.supported_actions
    assert mock_llm.requests[0].path == "/v1/models"  # OpenAI's path, told apart by the key
    beta = httpx.get(f"{mock_llm.url}/v1beta/models", headers={"x-goog-api-key": "k"})
    assert [m["name"] for m in beta.json()["models"]] == names


async def test_models_list_async(client: genai.Client) -> None:
    pager = await client.aio.models.list()
    assert [model.name async for model in pager]


# -- errors ----------------------------------------------------------------------------


def test_errors_map_to_client_error(client: genai.Client, mock_llm: MockLLM) -> None:
    with pytest.raises(errors.ClientError) as missing:
        client.models.generate_content(model="gemini-unknown", contents="Hi")
    assert (missing.value.code, missing.value.status) == (404, "NOT_FOUND")
    assert "allow_unknown_models" in (missing.value.message or "")
    mock_llm.expect_completion("limit me").with_api_error("rate_limit_exceeded").once()
    with pytest.raises(errors.ClientError) as limited:
        client.models.generate_content(model=MODEL, contents="limit me")
    assert (limited.value.code, limited.value.status) == (429, "RESOURCE_EXHAUSTED")
    details = limited.value.details["error"]["details"]
    assert any(d["@type"].endswith("RetryInfo") and d["retryDelay"].endswith("s") for d in details)
    mock_llm.expect_completion("overload").with_api_error("overloaded").once()
    with pytest.raises(errors.ServerError) as overloaded:
        client.models.generate_content(model=MODEL, contents="overload")
    assert (overloaded.value.code, overloaded.value.status) == (503, "UNAVAILABLE")


def test_out_of_range_generation_config_names_the_field(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(
            model=MODEL, contents="Hi", config=types.GenerateContentConfig(candidate_count=9)
        )
    assert caught.value.status == "INVALID_ARGUMENT" and "candidateCount" in (
        caught.value.message or ""
    )
    violation = caught.value.details["error"]["details"][0]["fieldViolations"][0]
    assert violation["field"] == "generation_config.candidate_count"


def test_keys(mock_llm: MockLLM) -> None:
    url = f"{mock_llm.url}/v1beta/models/{MODEL}:generateContent"
    body = {"contents": [{"parts": [{"text": "Hi"}]}]}
    none = httpx.post(url, json=body)
    assert none.status_code == 403 and none.json()["error"]["status"] == "PERMISSION_DENIED"
    mock_llm.api_keys = ["gk-good"]
    wrong = make_client(mock_llm)
    with pytest.raises(errors.ClientError) as caught:
        wrong.models.generate_content(model=MODEL, contents="Hi")
    assert (caught.value.code, caught.value.status) == (400, "INVALID_ARGUMENT")
    reasons = [d.get("reason") for d in caught.value.details["error"]["details"]]
    assert "API_KEY_INVALID" in reasons
    good = httpx.post(url, json=body, headers={"x-goog-api-key": "gk-good"})
    assert good.status_code == 200


def test_unknown_fields_are_refused_like_protobuf(mock_llm: MockLLM) -> None:
    url = f"{mock_llm.url}/v1beta/models/{MODEL}:generateContent"
    body = {"contents": [{"parts": [{"text": "Hi"}]}], "generationConfig": {"maxTokens": 5}}
    response = httpx.post(url, json=body, headers={"x-goog-api-key": "k"})
    assert response.status_code == 400
    assert 'Unknown name "maxTokens"' in response.json()["error"]["message"]
    empty = httpx.post(url, json={"contents": []}, headers={"x-goog-api-key": "k"})
    assert empty.status_code == 400 and "contents" in empty.json()["error"]["message"]
