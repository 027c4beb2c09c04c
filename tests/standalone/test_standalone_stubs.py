"""Stub files loaded at start: they answer, verify counts them, reset restores them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]

YAML_STUBS = """\
expectations:
  - id: ping
    matcher: {kind: path, value: /ping}
    response: {json: {ok: true}}
  - id: order
    matcher:
      kind: and
      all:
        - {kind: method, value: POST}
        - {kind: path, value: /orders}
        - {kind: json, op: contains, value: {qty: 1}}
    response: {status: 201, json: {id: 7}}
    times: 1
"""


def test_stub_files_answer_and_are_verified(start_mock: Callable[..., Any], tmp_path: Path) -> None:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "main.yaml").write_text(YAML_STUBS)
    (stubs / "extra.json").write_text(
        json.dumps(
            [
                {
                    "id": "hello",
                    "matcher": {"kind": "path", "value": "/hello"},
                    "response": {"body": "hi"},
                }
            ]
        )
    )
    mock = start_mock("--stubs", str(stubs))
    ids = {e["id"] for e in mock.admin("GET", "/expectations").json()["expectations"]}
    assert ids == {"ping", "order", "hello"}

    assert requests.get(f"{mock.url}/ping", timeout=5).json() == {"ok": True}
    assert requests.get(f"{mock.url}/hello", timeout=5).text == "hi"
    assert mock.admin("GET", "/verify").status_code == 409  # the order never came
    created = requests.post(f"{mock.url}/orders", json={"qty": 1, "sku": "x"}, timeout=5)
    assert created.status_code == 201
    assert created.json() == {"id": 7}
    assert mock.admin("GET", "/verify").status_code == 200

    # Reset clears the journal and programmed expectations, and restores the stub files.
    mock.admin("POST", "/expectations", json={"matcher": {"kind": "path", "value": "/tmp"}})
    reset = mock.admin("POST", "/reset").json()
    assert reset["expectations"] == 3
    assert mock.admin("GET", "/expectations/order").json()["call_count"] == 0
    assert mock.admin("GET", "/verify").status_code == 409


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mocks.http", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_broken_stub_file_is_one_line_naming_file_line_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(YAML_STUBS.replace("times: 1", "times: -3"))
    result = _run("--stubs", str(broken))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{broken}:13: expectations[1].times:" in lines[0]
    assert "greater than or equal to 0" in lines[0]


def test_a_stub_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "bad.json"
    broken.write_text('[\n  {"matcher": {"kind": "any"}},\n  {"matcher": }\n]\n')
    result = _run("--stubs", str(broken))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"python -m mocks.http: error: {broken}:3: invalid JSON: Expecting value"
    ]


def test_an_unknown_matcher_kind_in_a_stub_names_the_field(tmp_path: Path) -> None:
    stub = tmp_path / "one.json"
    stub.write_text('{\n  "matcher": {"kind": "colour", "value": "red"}\n}\n')
    result = _run("--stubs", str(stub))
    assert result.returncode == 2
    assert f"{stub}:2: matcher: unknown matcher kind 'colour'" in result.stderr
    missing = _run("--stubs", str(tmp_path / "nothing.yaml"))
    assert missing.returncode == 2
    assert "nothing.yaml: no such file or directory" in missing.stderr
