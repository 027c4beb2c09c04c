"""``python -m mocks.contracts check``: cassettes against the contracts, for CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]

#: A mock of a small service with contracts, importable by the checker (PYTHONPATH).
DEMO_MOCK = """
from mocks.core import BaseMock, Reply, Route

class DemoMock(BaseMock):
    service = "demo"
    error_schema = "error"

    def build_routes(self):
        return [
            Route("POST", "/items", lambda r: Reply.json({}), request_schema="item_request",
                  response_schema="item", stream_schema="item"),
            Route("GET", "/items/{id}", lambda r: Reply.json({}), response_schema="item"),
        ]
"""

SCHEMAS = {
    "item_request": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
    },
    "item": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    },
    "error": {"type": "object", "required": ["error"]},
}


def _interaction(path: str, request: object, status: int, response: object) -> dict[str, object]:
    method = "GET" if request is None else "POST"
    recorded: dict[str, object] = {"method": method, "path": path}
    if request is not None:
        recorded["body"] = json.dumps(request)
    return {"request": recorded, "response": {"status": status, "body": json.dumps(response)}}


def _setup(tmp_path: Path, interactions: list[dict[str, object]]) -> tuple[Path, dict[str, str]]:
    (tmp_path / "demo_mock.py").write_text(DEMO_MOCK)
    folder = tmp_path / "contracts" / "demo"
    folder.mkdir(parents=True)
    for name, schema in SCHEMAS.items():
        (folder / f"{name}.json").write_text(json.dumps(schema))
    cassette = tmp_path / "recordings" / "demo" / "run.yaml"
    cassette.parent.mkdir(parents=True)
    cassette.write_text(yaml.safe_dump({"service": "demo", "interactions": interactions}))
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"}
    return cassette, env


def _check(tmp_path: Path, env: dict[str, str], *paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mocks.contracts",
            "check",
            *paths,
            "--mock",
            "demo_mock:DemoMock",
            "--contracts",
            str(tmp_path / "contracts"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


GOOD = [
    _interaction("/items", {"name": "pen", "qty": 2}, 201, {"id": "1", "name": "pen"}),
    _interaction("/items/1", None, 200, {"id": "1", "name": "pen"}),
    _interaction("/items", {"qty": 0}, 400, {"error": {"message": "name is required"}}),
    _interaction("/health", None, 200, {"anything": True}),
]


def test_cassettes_that_keep_the_contract_pass(tmp_path: Path) -> None:
    cassette, env = _setup(tmp_path, GOOD)
    result = _check(tmp_path, env, str(cassette.parent))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 3 interaction(s) in 1 cassette(s)" in result.stdout
    assert "1 on paths without a route" in result.stdout


def test_a_violation_names_the_cassette_the_interaction_and_the_field(tmp_path: Path) -> None:
    broken = [
        *GOOD,
        _interaction("/items", {"name": "pen"}, 201, {"id": 7, "name": "pen"}),
        _interaction("/items", {"name": 5}, 201, {"id": "2", "name": "x"}),
        _interaction("/items/2", None, 404, {"detail": "no"}),
    ]
    cassette, env = _setup(tmp_path, broken)
    result = _check(tmp_path, env, str(cassette))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith(f"{cassette}: interactions[4] POST /items: response: item: $.id")
        for line in lines
    ), lines
    assert any("interactions[5] POST /items: request: item_request: $.name" in x for x in lines)
    assert any("interactions[6] GET /items/2: response: error: $.error" in x for x in lines)
    assert lines[-1].endswith("3 problem(s)")


def test_streamed_events_are_checked_one_by_one(tmp_path: Path) -> None:
    events = 'data: {"id": "1", "name": "a"}\n\ndata: {"id": 2}\n\ndata: [DONE]\n\n'
    stream = {
        "request": {"method": "POST", "path": "/items", "body": '{"name": "a"}'},
        "response": {
            "status": 200,
            "chunks": [{"body": events[:20]}, {"body": events[20:], "delay_ms": 5}],
        },
    }
    cassette, env = _setup(tmp_path, [stream])
    result = _check(tmp_path, env, str(cassette))
    assert result.returncode == 1
    assert "interactions[0] POST /items: response: item: $.name" in result.stdout


def test_a_broken_cassette_is_exit_2_naming_file_and_line(tmp_path: Path) -> None:
    cassette, env = _setup(tmp_path, GOOD)
    cassette.write_text("interactions:\n  - request: {method: GET}\n    response: {status: 200}\n")
    result = _check(tmp_path, env, str(cassette))
    assert result.returncode == 2
    assert f"{cassette}:2: interactions[0].request.path: Field required" in result.stderr
    missing = _check(tmp_path, env, str(tmp_path / "none"))
    assert missing.returncode == 2


def test_the_repository_recordings_check_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mocks.contracts", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked" in result.stdout
