"""Models outside the catalogue: the 404 says how to serve them, and the Python option,
the command-line flags and the admin API each do it."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import openai
import pytest
import requests
from openai import OpenAI

from mocks.llm import MockLLM, ModelInfo
from mocks.llm._models import parse_model

KEY = {"Authorization": "Bearer sk-test"}
FINE_TUNE = "ft:gpt-4o-mini:acme::abc123"


def chat(mock_url: str, model: str) -> requests.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "Hello"}]}
    return requests.post(f"{mock_url}/v1/chat/completions", json=body, headers=KEY, timeout=5)


def test_the_404_names_every_way_to_serve_the_model(mock_llm: MockLLM) -> None:
    response = chat(mock_llm.url, "GPT-4o")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "model_not_found"
    message = error["message"]
    assert message.startswith("The model `GPT-4o` does not exist")
    for way in (
        "allow_unknown_models=True",
        "--allow-unknown-models",
        "PATCH /__admin/llm/settings",
        "--extra-models 'GPT-4o'",
        "POST /__admin/llm/models",
    ):
        assert way in message


def test_python_options_serve_unknown_and_extra_models() -> None:
    with MockLLM.start(allow_unknown_models=True) as anything:
        assert chat(anything.url, FINE_TUNE).status_code == 200
        assert chat(anything.url, "llama3.1").json()["model"] == "llama3.1"
        retrieved = requests.get(f"{anything.url}/v1/models/llama3.1", headers=KEY, timeout=5)
        assert retrieved.status_code == 200 and retrieved.json()["id"] == "llama3.1"
    extra = [FINE_TUNE, ModelInfo("nomic-embed-text", kind="embedding", dimensions=8)]
    with MockLLM.start(extra_models=extra) as listed:
        assert chat(listed.url, FINE_TUNE).status_code == 200
        assert chat(listed.url, "llama3.1").status_code == 404
        ids = [m["id"] for m in requests.get(f"{listed.url}/v1/models", headers=KEY).json()["data"]]
        assert FINE_TUNE in ids and "nomic-embed-text" in ids and "gpt-4o" in ids
        body = {"model": "nomic-embed-text", "input": "hi"}
        vectors = requests.post(f"{listed.url}/v1/embeddings", json=body, headers=KEY, timeout=5)
        assert len(vectors.json()["data"][0]["embedding"]) == 8


def test_admin_settings_allow_unknown_models_until_reset(mock_llm: MockLLM) -> None:
    admin = f"{mock_llm.url}/__admin/llm/settings"
    assert requests.get(admin, timeout=5).json()["allow_unknown_models"] is False
    changed = requests.patch(admin, json={"allow_unknown_models": True}, timeout=5)
    assert changed.status_code == 200 and changed.json()["allow_unknown_models"] is True
    assert chat(mock_llm.url, "llama3.1").status_code == 200
    requests.post(f"{mock_llm.url}/__admin/reset", timeout=5)
    assert chat(mock_llm.url, "llama3.1").status_code == 404
    assert mock_llm.allow_unknown_models is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"allow_unknown": True}, "allow_unknown"),
        ({"allow_unknown_models": "perhaps"}, "allow_unknown_models"),
        ({"context_window": 0}, "context_window"),
    ],
)
def test_admin_settings_refuse_bad_values_naming_the_field(
    mock_llm: MockLLM, body: dict[str, Any], field: str
) -> None:
    response = requests.patch(f"{mock_llm.url}/__admin/llm/settings", json=body, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert mock_llm.allow_unknown_models is False


def test_admin_models_add_to_the_catalogue(mock_llm: MockLLM) -> None:
    models = f"{mock_llm.url}/__admin/llm/models"
    added = requests.post(models, json={"id": FINE_TUNE, "context_window": 4096}, timeout=5)
    assert added.status_code == 201 and added.json()["context_window"] == 4096
    assert chat(mock_llm.url, FINE_TUNE).status_code == 200
    listed = [m["id"] for m in requests.get(models, timeout=5).json()["models"]]
    assert FINE_TUNE in listed
    bad = requests.post(models, json={"id": "x", "kind": "image"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "kind"
    paths = requests.get(f"{mock_llm.url}/__admin/openapi.json", timeout=5).json()["paths"]
    assert {"get", "patch"} <= set(paths["/__admin/llm/settings"])
    assert {"get", "post"} <= set(paths["/__admin/llm/models"])


def test_model_flag_syntax() -> None:
    assert parse_model(FINE_TUNE) == ModelInfo(FINE_TUNE)
    assert parse_model("davinci-x=completion").kind == "completion"
    embedding = parse_model("e5=embedding:384")
    assert (embedding.kind, embedding.dimensions) == ("embedding", 384)
    for text, named in (("x=image", "'image'"), ("=chat", "no model id"), ("x=chat:3", "size")):
        with pytest.raises(ValueError, match=named):
            parse_model(text)


@pytest.fixture
def standalone() -> Iterator[str]:
    args = ["--allow-unknown-models", "--extra-models", "e5-small=embedding:384"]
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks.llm", "--port", "0", "--log-level", "ERROR", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        found = re.search(r"listening on (http://\S+)", process.stdout.readline())
        assert found
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_command_line_flags(standalone: str) -> None:
    with OpenAI(base_url=f"{standalone}/v1", api_key="sk-test", max_retries=0) as client:
        reply = client.chat.completions.create(
            model=FINE_TUNE, messages=[{"role": "user", "content": "Hi"}]
        )
        assert reply.model == FINE_TUNE
        vectors = client.embeddings.create(model="e5-small", input="hello")
        assert len(vectors.data[0].embedding) == 384
        assert "e5-small" in [m.id for m in client.models.list()]
    settings = requests.get(f"{standalone}/__admin/llm/settings", timeout=5).json()
    assert settings["allow_unknown_models"] is True


def test_command_line_refuses_a_bad_model_flag() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mocks.llm", "--extra-models", "x=image"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "--extra-models" in done.stderr and "unknown model kind 'image'" in done.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "mocks.llm", "--help"], capture_output=True, text=True, timeout=30
    )
    assert "--allow-unknown-models" in helped.stdout and "--extra-models" in helped.stdout


def test_sdk_sees_not_found_with_the_hint(mock_llm: MockLLM) -> None:
    client = OpenAI(base_url=f"{mock_llm.url}/v1", api_key="sk-test", max_retries=0)
    with client, pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(
            model="llama3.1", messages=[{"role": "user", "content": "Hi"}]
        )
    assert caught.value.code == "model_not_found"
    assert "--allow-unknown-models" in str(caught.value)
