"""``python -m mocks.llm``: the standalone server, programmed over its admin API and
called by the real ``openai`` SDK."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from openai import OpenAI


@pytest.fixture
def server() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks.llm", "--port", "0", "--seed", "3", "--log-level", "ERROR"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"MockLLM listening on (http://\S+)", line)
        assert found, line
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_standalone_server_programmed_over_http(server: str) -> None:
    expectation = {
        "matcher": {
            "kind": "and",
            "all": [
                {"kind": "method", "value": "POST"},
                {"kind": "llm_prompt", "field": "last_user", "value": "ping", "op": "contains"},
            ],
        },
        "response": {"kind": "llm_reply", "content": "pong"},
        "times": 1,
    }
    created = httpx.post(f"{server}/__admin/expectations", json=expectation)
    assert created.status_code == 201, created.text
    client = OpenAI(base_url=f"{server}/v1", api_key="sk-any", _strict_response_validation=True)
    with client:
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "ping?"}]
        )
        default = client.responses.create(model="gpt-4.1", input="Describe the ocean")
    assert reply.choices[0].message.content == "pong"
    assert "ocean" in default.output_text
    assert httpx.get(f"{server}/__admin/verify").status_code == 200


def test_each_worker_is_scoped_by_the_api_key_its_client_sends(server: str) -> None:
    """Two workers share the server: each programs the scope named after its key; the
    openai SDK (which cannot be told to add X-Mock-Scope) lands in it by its key alone."""
    for key in ("sk-worker-1", "sk-worker-2"):
        created = httpx.post(
            f"{server}/__admin/expectations",
            headers={"X-Mock-Scope": key},
            json={
                "matcher": {"kind": "path", "value": "/v1/chat/completions"},
                "response": {"kind": "llm_reply", "content": f"hello {key}"},
                "times": 1,
            },
        )
        assert created.status_code == 201, created.text
    answers = {}
    for key in ("sk-worker-2", "sk-worker-1", "sk-stranger"):
        with OpenAI(base_url=f"{server}/v1", api_key=key) as client:
            reply = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
            )
        answers[key] = reply.choices[0].message.content
    assert answers["sk-worker-1"] == "hello sk-worker-1"
    assert answers["sk-worker-2"] == "hello sk-worker-2"
    assert "sk-worker" not in (answers["sk-stranger"] or "")  # no scope: the default answer
    for key in ("sk-worker-1", "sk-worker-2"):
        scoped = {"X-Mock-Scope": key}
        journal = httpx.get(f"{server}/__admin/requests", headers=scoped).json()
        assert [e["scope"] for e in journal["requests"]] == [key]
        assert httpx.get(f"{server}/__admin/verify", headers=scoped).status_code == 200
    default = httpx.get(f"{server}/__admin/requests").json()["requests"]
    assert [e["headers"]["Authorization"] for e in default] == ["Bearer sk-stranger"]
