"""Anthropic's Message Batches API driven by the real ``anthropic`` SDK (sync and async).

The SDK is configured only by base URL and key. The ``mock_llm`` fixture runs in
checking mode and verifies the mock after each passing test, so every batch object,
listing and deletion here also conforms to ``contracts/llm/anthropic_*.json``; each
line of the results is checked against ``anthropic_batch_result`` by the test.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import pytest
import requests
from anthropic import Anthropic, AsyncAnthropic

from mocks.core import Contracts
from mocks.llm import MockLLM

MODEL = "claude-sonnet-4-5"
VERSION = {"anthropic-version": "2023-06-01", "x-api-key": "sk-ant-test"}


def _params(prompt: str, **extra: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "max_tokens": 200,
        "messages": [{"role": "user", "content": prompt}],
        **extra,
    }


def _request(custom_id: str, prompt: str, **extra: Any) -> Any:
    return {"custom_id": custom_id, "params": _params(prompt, **extra)}


@pytest.fixture
def client(mock_llm: MockLLM) -> Iterator[Anthropic]:
    with Anthropic(base_url=mock_llm.url, api_key="sk-ant-test", max_retries=0) as sdk:
        yield sdk


def _results(client: Anthropic, batch_id: str) -> dict[str, Any]:
    """The results by custom_id, each line checked against the contract as it came."""
    contracts = Contracts("llm")
    lines = {}
    with client.messages.batches.with_streaming_response.results(batch_id) as raw:
        assert raw.headers["content-type"].startswith("application/x-jsonl")
        for line in raw.iter_lines():
            violation = contracts.check("anthropic_batch_result", json.loads(line))
            assert violation is None, violation
    for entry in client.messages.batches.results(batch_id):
        lines[entry.custom_id] = entry.result
    return lines


def test_each_request_is_answered_as_the_messages_api_would(
    client: Anthropic, mock_llm: MockLLM
) -> None:
    capital = mock_llm.expect_completion(prompt_contains="capital of France", response="Paris.")
    batch = client.messages.batches.create(
        requests=[
            _request("france", "What is the capital of France?"),
            _request("free", "Tell me something about batches."),
            {"custom_id": "no-max", "params": {"model": MODEL, "messages": []}},
            _request("hot", "Too hot", temperature=3),
        ]
    )
    assert batch.id.startswith("msgbatch_01") and batch.type == "message_batch"
    assert batch.processing_status == "ended" and batch.ended_at is not None
    counts = batch.request_counts
    assert (counts.succeeded, counts.errored, counts.processing) == (2, 2, 0)
    assert batch.results_url == f"{mock_llm.url}/v1/messages/batches/{batch.id}/results"
    assert batch.expires_at.timestamp() - batch.created_at.timestamp() == pytest.approx(86_400)
    results = _results(client, batch.id)
    assert list(results) == ["france", "free", "no-max", "hot"]
    france = results["france"]
    assert isinstance(france, anthropic.types.messages.MessageBatchSucceededResult)
    assert france.message.content[0].type == "text"
    assert france.message.content[0].text == "Paris."
    assert france.message.model == MODEL and france.message.usage.input_tokens > 0
    assert results["free"].type == "succeeded"
    errored = results["no-max"]
    assert isinstance(errored, anthropic.types.messages.MessageBatchErroredResult)
    assert errored.error.error.type == "invalid_request_error"
    assert errored.error.error.message == "max_tokens: Field required"
    assert results["hot"].type == "errored"
    assert "temperature" in results["hot"].error.error.message  # type: ignore[union-attr]
    # the expectation answered its request once, and verify() counts it
    assert len(capital.calls) == 1 and capital.calls[0].path == "/v1/messages"
    # the journal holds the API calls, not the batch's inner requests
    assert all(entry.path.startswith("/v1/messages/batches") for entry in mock_llm.requests)


def test_an_expectation_with_an_error_makes_an_errored_result(
    client: Anthropic, mock_llm: MockLLM
) -> None:
    mock_llm.expect_completion(prompt_contains="busy").with_error(529)
    batch = client.messages.batches.create(
        requests=[_request("busy", "You are busy"), _request("fine", "You are fine")]
    )
    results = _results(client, batch.id)
    busy = results["busy"]
    assert busy.type == "errored" and busy.error.error.type == "overloaded_error"
    assert results["fine"].type == "succeeded"
    assert batch.request_counts.errored == 1


def test_a_batch_takes_the_time_it_is_given_and_can_be_canceled(
    client: Anthropic, mock_llm: MockLLM
) -> None:
    settings = f"{mock_llm.url}/__admin/llm/settings"
    changed = requests.patch(settings, json={"batch_processing_seconds": 0.3}, timeout=5)
    assert changed.json()["batch_processing_seconds"] == 0.3
    batch = client.messages.batches.create(requests=[_request("a", "Hi"), _request("b", "Yo")])
    assert batch.processing_status == "in_progress" and batch.results_url is None
    assert batch.request_counts.processing == 2 and batch.ended_at is None
    with pytest.raises(anthropic.AnthropicError, match="No `results_url`"):
        client.messages.batches.results(batch.id)  # the SDK itself refuses
    early = httpx.get(f"{mock_llm.url}/v1/messages/batches/{batch.id}/results", headers=VERSION)
    assert early.status_code == 400 and "still processing" in early.json()["error"]["message"]
    with pytest.raises(anthropic.BadRequestError, match="cancel it before deleting"):
        client.messages.batches.delete(batch.id)
    deadline = time.monotonic() + 10
    while batch.processing_status != "ended" and time.monotonic() < deadline:
        time.sleep(0.05)
        batch = client.messages.batches.retrieve(batch.id)
    assert batch.processing_status == "ended" and batch.request_counts.succeeded == 2
    assert {result.type for result in _results(client, batch.id).values()} == {"succeeded"}
    with pytest.raises(anthropic.BadRequestError, match="already ended"):
        client.messages.batches.cancel(batch.id)

    doomed = client.messages.batches.create(requests=[_request("c", "Hi")])
    canceling = client.messages.batches.cancel(doomed.id)
    assert canceling.processing_status == "canceling"
    assert canceling.cancel_initiated_at is not None
    ended = client.messages.batches.retrieve(doomed.id)
    assert ended.processing_status == "ended"
    counts = ended.request_counts
    assert (counts.canceled, counts.succeeded, counts.processing) == (1, 0, 0)
    assert _results(client, doomed.id)["c"].type == "canceled"
    mock_llm.reset()
    assert requests.get(settings, timeout=5).json()["batch_processing_seconds"] == 0


def test_batches_are_listed_newest_first_a_page_at_a_time_and_deleted(
    client: Anthropic, mock_llm: MockLLM
) -> None:
    made = [
        client.messages.batches.create(requests=[_request(f"r{i}", f"Question {i}")]).id
        for i in range(3)
    ]
    newest_first = made[::-1]
    page = client.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == newest_first[:2] and page.has_more
    assert (page.first_id, page.last_id) == (newest_first[0], newest_first[1])
    assert [b.id for b in client.messages.batches.list(limit=2)] == newest_first  # all pages
    before = client.messages.batches.list(before_id=newest_first[2], limit=1)
    assert [b.id for b in before.data] == [newest_first[1]] and before.has_more
    deleted = client.messages.batches.delete(made[0])
    assert (deleted.id, deleted.type) == (made[0], "message_batch_deleted")
    with pytest.raises(anthropic.NotFoundError) as gone:
        client.messages.batches.retrieve(made[0])
    assert gone.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    assert [b.id for b in client.messages.batches.list()] == newest_first[:2]


async def test_the_async_client_creates_and_reads_a_batch(mock_llm: MockLLM) -> None:
    mock_llm.expect_completion(prompt_contains="async", response="Awaited.")
    async with AsyncAnthropic(base_url=mock_llm.url, api_key="k", max_retries=0) as client:
        batch = await client.messages.batches.create(requests=[_request("x", "Say async")])
        again = await client.messages.batches.retrieve(batch.id)
        assert again.processing_status == "ended"
        texts = [
            entry.result.message.content[0].text  # type: ignore[union-attr]
            async for entry in await client.messages.batches.results(batch.id)
        ]
    assert texts == ["Awaited."]


def test_batches_belong_to_the_scope_they_were_made_in(mock_llm: MockLLM) -> None:
    mine, theirs = "sk-ant-worker-a", "sk-ant-worker-b"
    for key in (mine, theirs):  # the scopes are named after the keys (see scope_key)
        requests.post(
            f"{mock_llm.url}/__admin/expectations",
            headers={"X-Mock-Scope": key},
            json={
                "matcher": {
                    "kind": "llm_prompt",
                    "field": "last_user",
                    "value": "worker",
                    "op": "contains",
                },
                "response": {"kind": "llm_reply", "content": f"answered in {key}"},
            },
            timeout=5,
        ).raise_for_status()
    with (
        Anthropic(base_url=mock_llm.url, api_key=mine, max_retries=0) as a,
        Anthropic(base_url=mock_llm.url, api_key=theirs, max_retries=0) as b,
    ):
        batch = a.messages.batches.create(requests=[_request("w", "Hello worker")])
        result = next(iter(a.messages.batches.results(batch.id))).result
        assert result.message.content[0].text == f"answered in {mine}"  # type: ignore[union-attr]
        assert [x.id for x in b.messages.batches.list()] == []
        with pytest.raises(anthropic.NotFoundError):
            b.messages.batches.retrieve(batch.id)


@pytest.mark.no_mock_verify
def test_a_bad_batch_gets_the_api_error_naming_the_field(mock_llm: MockLLM) -> None:
    url = f"{mock_llm.url}/v1/messages/batches"
    one = _request("same", "Hi")
    cases: list[tuple[Any, str]] = [
        ({}, "requests: Field required"),
        ({"requests": "all of them"}, "requests: Input should be a valid list"),
        ({"requests": []}, "requests: a batch holds from 1 to 100,000 requests, not 0"),
        ({"requests": [one, one]}, "requests.1.custom_id: custom_id 'same' is used by more"),
        ({"requests": [{"params": _params("Hi")}]}, "requests.0.custom_id: Field required"),
        (
            {"requests": [_request("has space", "Hi")]},
            "requests.0.custom_id: String should match pattern",
        ),
        ({"requests": [{"custom_id": "p"}]}, "requests.0.params: Field required"),
        (
            {"requests": [{"custom_id": "p", "params": [1]}]},
            "requests.0.params: Input should be a valid dictionary",
        ),
    ]
    for body, message in cases:
        answer = httpx.post(url, json=body, headers=VERSION)
        assert answer.status_code == 400, body
        error = answer.json()
        assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
        assert error["error"]["message"].startswith(message), error
        assert error["request_id"] == answer.headers["request-id"]
    for garbage in (b"{", b'{"requests": ' + b"[" * 2000 + b"]" * 2000 + b"}"):
        not_json = httpx.post(
            url, content=garbage, headers={**VERSION, "content-type": "application/json"}
        )
        assert not_json.status_code == 400
        assert not_json.json()["error"]["message"] == "body: Invalid JSON payload received."
    assert httpx.get(f"{url}?limit=0", headers=VERSION).status_code == 400
    assert httpx.get(f"{url}?limit=x", headers=VERSION).json()["error"]["message"] == (
        "limit: Input should be a valid integer"
    )
    missing = httpx.get(f"{url}/msgbatch_01nothing", headers=VERSION)
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found_error"
    assert httpx.post(url, json={"requests": [one]}, headers=VERSION).status_code == 200
    assert "anthropic_batch_request" in str(mock_llm.report())  # the violations are reported


async def test_a_large_batch_is_processed_once_while_others_are_served(
    mock_llm: MockLLM,
) -> None:
    counted = mock_llm.expect_completion(prompt_contains="item", response="done")
    mock_llm.with_batch_processing(0.05)
    async with AsyncAnthropic(base_url=mock_llm.url, api_key="k", max_retries=0) as client:
        batch = await client.messages.batches.create(
            requests=[_request(f"n{i}", f"item {i}") for i in range(600)]
        )
        await asyncio.sleep(0.1)  # due now: the next calls process it, a slice at a time
        polled, models, again = await asyncio.gather(
            client.messages.batches.retrieve(batch.id),
            client.models.list(),
            client.messages.batches.retrieve(batch.id),
        )
        assert models.data  # served while the batch was being processed
        assert polled.processing_status == again.processing_status == "ended"
        assert polled.request_counts.succeeded == again.request_counts.succeeded == 600
    assert len(counted.calls) == 600  # answered once, not once per concurrent call
