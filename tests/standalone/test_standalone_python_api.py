"""The same features from Python: ``mock.replay(path)``, the ``mock_stack`` fixture, and the
admin API's view of expectations set up in-process."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from mocks import MockHTTP
from mocks.core import MockStack


def _cassette(tmp_path: Path) -> Path:
    answer = {"status": 200, "headers": {"Content-Type": "application/json"}}
    interactions = [
        {
            "request": {"method": "POST", "path": "/v1/next", "body": '{"q": 1}'},
            "response": {**answer, "body": f'{{"n": {n}}}'},
        }
        for n in (1, 2)
    ]
    interactions.append(
        {
            "request": {"method": "GET", "path": "/v1/bin", "query": {"k": ["<redacted>"]}},
            "response": {"status": 200, "body_base64": "AAEC/w=="},
        }
    )
    file = tmp_path / "cassette.json"
    file.write_text(json.dumps({"service": "http", "interactions": interactions}))
    return file


def test_replay_from_python(tmp_path: Path) -> None:
    with MockHTTP.start() as mock:
        replayed = mock.replay(_cassette(tmp_path))
        assert len(replayed) == 2  # the two identical requests share one expectation
        answers = [
            requests.post(f"{mock.url}/v1/next", json={"q": 1}, timeout=5).json() for _ in range(3)
        ]
        assert answers == [{"n": 1}, {"n": 2}, {"n": 2}]
        # A redacted query parameter is not required to match (the secret is unknown).
        binary = requests.get(f"{mock.url}/v1/bin", params={"k": "real-key"}, timeout=5)
        assert binary.content == b"\x00\x01\x02\xff"
        assert requests.post(f"{mock.url}/v1/next", json={"q": 2}, timeout=5).status_code == 404


def test_mock_stack_fixture(mock_stack: MockStack) -> None:
    assert mock_stack.environment["MOCK_HTTP_URL"] == mock_stack.http.url
    assert mock_stack["http"] is mock_stack.http
    assert "MockHTTP" in {type(mock).__name__ for mock in mock_stack}
    mock_stack.http.expect("GET", "/hi").respond(body="hello").once()
    assert requests.get(f"{mock_stack.http.url}/hi", timeout=5).text == "hello"
    assert not mock_stack.http.report()


def test_python_only_expectations_are_listed_as_not_serializable() -> None:
    with MockHTTP.start() as mock:
        mock.expect("GET", "/py", predicate=lambda r: True).respond_with(lambda r: "x")
        mock.expect("GET", "/json").respond(json={"ok": True})
        listed = requests.get(f"{mock.url}/__admin/expectations", timeout=5).json()
        flags = {e["matcher"]["all"][1]["value"]: e["serializable"] for e in listed["expectations"]}
        assert flags == {"/py": False, "/json": True}
