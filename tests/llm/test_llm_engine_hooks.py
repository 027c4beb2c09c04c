"""Replies programmed with the generic engine API still look like OpenAI's."""

from __future__ import annotations

import requests

from mocks.llm import MockLLM

KEY = {"Authorization": "Bearer sk-test"}


def test_generic_programmed_reply_carries_openai_headers(mock_llm: MockLLM) -> None:
    mock_llm.expect("GET", "/v1/models").respond(200, json={"object": "list", "data": []})
    response = requests.get(f"{mock_llm.url}/v1/models", headers=KEY, timeout=5)
    assert response.json() == {"object": "list", "data": []}
    assert response.headers["x-request-id"].startswith("req_")
    assert response.headers["openai-version"] == "2020-10-01"


def test_missing_key_is_401_before_any_programmed_reply(mock_llm: MockLLM) -> None:
    expectation = (
        mock_llm.expect("GET", "/v1/models")
        .respond(200, json={"object": "list", "data": []})
        .optional()
    )  # never reached: the 401 comes first
    response = requests.get(f"{mock_llm.url}/v1/models", timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert expectation.call_count == 0


def test_injected_error_without_message_gets_the_realistic_one(mock_llm: MockLLM) -> None:
    mock_llm.expect("POST", "/v1/chat/completions").with_error(503)
    response = requests.post(
        f"{mock_llm.url}/v1/chat/completions",
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        headers=KEY,
        timeout=5,
    )
    assert response.status_code == 503
    message = response.json()["error"]["message"]
    assert message and message != "Service Unavailable"
    assert "x-request-id" in response.headers


def test_a_generated_answer_carries_each_api_header_once_in_the_apis_order(
    mock_llm: MockLLM,
) -> None:
    import http.client
    import json
    from urllib.parse import urlsplit

    address = urlsplit(mock_llm.url)
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    seen = []
    for _ in range(2):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
        connection.request(
            "POST", "/v1/chat/completions", body, {**KEY, "Content-Type": "application/json"}
        )
        answer = connection.getresponse()
        assert answer.status == 200 and json.loads(answer.read())["object"] == "chat.completion"
        names = [name.lower() for name, _value in answer.getheaders()]
        connection.close()
        assert len(names) == len(set(names)), names
        assert names.index("x-ratelimit-remaining-requests") < names.index("x-request-id")
        assert {"openai-version", "openai-organization", "openai-processing-ms"} <= set(names)
        assert 20 <= int(answer.getheader("openai-processing-ms") or "") <= 400
        seen.append(answer.getheader("x-request-id"))
    assert seen[0] != seen[1]


def test_an_anthropic_answer_carries_each_header_once_and_resets_as_utc_seconds(
    mock_llm: MockLLM,
) -> None:
    import http.client
    import json
    import time
    from datetime import UTC, datetime
    from urllib.parse import urlsplit

    address = urlsplit(mock_llm.url)
    body = json.dumps(
        {
            "model": "claude-sonnet-4-5",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": "hi"}],
        }
    )
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    seen = []
    for _ in range(2):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
        before = int(time.time())
        connection.request("POST", "/v1/messages", body, headers)
        answer = connection.getresponse()
        assert answer.status == 200 and json.loads(answer.read())["type"] == "message"
        after = time.time()
        names = [name.lower() for name, _value in answer.getheaders()]
        connection.close()
        assert len(names) == len(set(names)), names
        assert names.index("anthropic-ratelimit-output-tokens-reset") < names.index("request-id")
        assert answer.getheader("anthropic-organization-id")
        for kind in ("requests", "tokens", "input-tokens", "output-tokens"):
            reset = answer.getheader(f"anthropic-ratelimit-{kind}-reset") or ""
            when = datetime.strptime(reset, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            assert before <= when.timestamp() <= after + 61, (kind, reset)
        seen.append(answer.getheader("request-id"))
    assert seen[0] != seen[1] and all(rid and rid.startswith("req_") for rid in seen)
