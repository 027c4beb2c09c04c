"""Azure OpenAI paths answer with Azure's own error envelope and headers, driven by the
real ``openai`` SDK's ``AzureOpenAI`` client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai import AzureOpenAI

from mocks.llm import MockLLM

USER: Any = [{"role": "user", "content": "What is the weather in Paris today?"}]
DEPLOYMENT = "my-gpt4o-deployment"


def make_client(mock: MockLLM, **options: Any) -> AzureOpenAI:
    settings: dict[str, Any] = {
        "azure_endpoint": mock.url,
        "api_key": "azure-key",
        "api_version": "2024-10-21",
        "max_retries": 0,
        "_strict_response_validation": True,
    }
    settings.update(options)
    return AzureOpenAI(**settings)


@pytest.fixture
def client(mock_llm: MockLLM) -> Iterator[AzureOpenAI]:
    with make_client(mock_llm) as sdk:
        yield sdk


def test_answers_carry_azure_headers(client: AzureOpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(model=DEPLOYMENT, messages=USER)
    assert raw.parse().choices[0].message.content
    headers = raw.headers
    assert headers["x-ms-deployment-name"] == DEPLOYMENT and headers["x-ms-region"]
    assert headers["apim-request-id"] == headers["x-request-id"]
    assert "openai-organization" not in headers and "openai-version" not in headers


def test_a_refused_key_gets_azures_envelope(mock_llm: MockLLM) -> None:
    mock_llm.api_keys = ["azure-right"]
    with (
        make_client(mock_llm, api_key="azure-wrong") as wrong,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        wrong.chat.completions.create(model=DEPLOYMENT, messages=USER)
    assert caught.value.code == "401" and isinstance(caught.value.body, dict)
    assert set(caught.value.body) == {"code", "message"}  # no OpenAI type or param
    assert "invalid subscription key" in caught.value.message
    assert "apim-request-id" in caught.value.response.headers


def test_raw_gateway_errors(mock_llm: MockLLM) -> None:
    url = f"{mock_llm.url}/openai/deployments/{DEPLOYMENT}/chat/completions"
    body = {"model": DEPLOYMENT, "messages": USER}
    no_key = httpx.post(f"{url}?api-version=2024-10-21", json=body)
    assert no_key.status_code == 401
    assert no_key.json()["error"]["code"] == "401"
    assert "missing subscription key" in no_key.json()["error"]["message"]
    no_version = httpx.post(url, json=body, headers={"api-key": "k"})
    assert no_version.status_code == 404
    assert no_version.json() == {"error": {"code": "404", "message": "Resource not found"}}
    bearer = httpx.post(
        f"{url}?api-version=2024-10-21", json=body, headers={"Authorization": "Bearer entra"}
    )
    assert bearer.status_code == 200


def test_rate_limit_is_azures_429() -> None:
    with MockLLM.start(requests_per_minute=1, check_responses=True) as mock:
        with make_client(mock) as client:
            client.chat.completions.create(model=DEPLOYMENT, messages=USER)
            with pytest.raises(openai.RateLimitError) as caught:
                client.chat.completions.create(model=DEPLOYMENT, messages=USER)
        assert caught.value.code == "429"
        assert "ChatCompletions_Create" in caught.value.message
        assert int(caught.value.response.headers["retry-after"]) >= 1
        mock.verify()


def test_injected_server_errors(client: AzureOpenAI, mock_llm: MockLLM) -> None:
    mock_llm.expect_completion("weather").with_error(503).once()
    with pytest.raises(openai.InternalServerError) as failed:
        client.chat.completions.create(model=DEPLOYMENT, messages=USER)
    assert failed.value.code == "503"


@pytest.mark.no_mock_verify  # the bad request is reported by verify(), as it should be
def test_the_models_own_400_passes_through_in_openais_envelope(client: AzureOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as invalid:
        client.chat.completions.create(model=DEPLOYMENT, messages=USER, temperature=5)
    assert invalid.value.param == "temperature" and invalid.value.type == "invalid_request_error"
