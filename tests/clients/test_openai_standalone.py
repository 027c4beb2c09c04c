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
