"""Bad input gets a clear error, never a crash or a hang, and the mock keeps serving."""

from __future__ import annotations

import logging
import socket

import pytest
import requests
from pydantic import ValidationError

from mocks import ExpectationSpec, MockHTTP


def _alive(mock: MockHTTP) -> None:
    mock.expect("GET", "/alive").respond(body="yes")
    assert requests.get(f"{mock.url}/alive", timeout=5).text == "yes"


def test_oversized_body_gets_413_and_is_journaled() -> None:
    with MockHTTP.start(max_body_size=1024) as mock:
        mock.expect("POST", "/up").respond(200)
        response = requests.post(f"{mock.url}/up", data=b"x" * 5000, timeout=5)
        assert response.status_code == 413
        assert "larger than 1024 bytes" in response.json()["error"]["message"]
        assert mock.requests.last.status == 413
        chunked = requests.post(f"{mock.url}/up", data=iter([b"y" * 800] * 3), timeout=5)
        assert chunked.status_code == 413
        assert len(mock.requests) == 2
        _alive(mock)


def test_malformed_json_and_wrong_content_type_do_not_break_matching(
    fresh_mock: MockHTTP,
) -> None:
    fresh_mock.expect("POST", "/j", json={"a": 1}).respond(200)
    bad = requests.post(
        f"{fresh_mock.url}/j",
        data="{not json",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert bad.status_code == 404
    assert "a JSON body" in bad.text
    wrong_type = requests.post(
        f"{fresh_mock.url}/j", data='{"a": 1}', headers={"Content-Type": "text/plain"}, timeout=5
    )
    assert wrong_type.status_code == 200
    assert fresh_mock.requests[0].json is None
    _alive(fresh_mock)
    fresh_mock.reset()


def test_garbage_on_the_socket_gets_400_and_the_mock_keeps_serving(fresh_mock: MockHTTP) -> None:
    with socket.create_connection(("127.0.0.1", fresh_mock.port), timeout=5) as raw:
        raw.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        answer = raw.recv(1024)
    assert answer.split(b"\r\n")[0].endswith(b" 400 Bad Request")
    _alive(fresh_mock)
    fresh_mock.reset()


def test_invalid_expectation_specs_are_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as negative:
        ExpectationSpec.model_validate({"matcher": {"kind": "any"}, "times": -1})
    assert negative.value.errors()[0]["loc"] == ("times",)
    with pytest.raises(ValidationError, match="unknown matcher kind"):
        ExpectationSpec.model_validate({"matcher": {"kind": "bogus"}})
    with pytest.raises(ValidationError, match="unknown response kind"):
        ExpectationSpec.model_validate({"matcher": {"kind": "any"}, "response": {"kind": "x"}})
    with pytest.raises(ValidationError) as extra:
        ExpectationSpec.model_validate({"matcher": {"kind": "any"}, "tiems": 1})
    assert extra.value.errors()[0]["loc"] == ("tiems",)
    with pytest.raises(ValueError, match="times"):
        MockHTTP().expect("GET", "/x").times(-2)


def test_unknown_method_on_known_path_and_unknown_path(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/only-get").respond(200)
    assert requests.request("OPTIONS", f"{fresh_mock.url}/only-get", timeout=5).status_code == 404
    # A method the HTTP parser does not know is refused before the mock sees it.
    assert requests.request("BREW", f"{fresh_mock.url}/only-get", timeout=5).status_code == 400
    assert requests.get(f"{fresh_mock.url}/missing/path", timeout=5).status_code == 404
    _alive(fresh_mock)
    fresh_mock.reset()


def test_an_over_long_header_is_one_log_line_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with MockHTTP.start() as mock, caplog.at_level(logging.WARNING, logger="mocks.server"):
        response = requests.get(f"{mock.url}/x", headers={"X-Big": "a" * 20_000}, timeout=5)
        assert response.status_code == 400
        assert "header field is too long" in response.text
        assert requests.get(f"{mock.url}/__admin/health", timeout=5).status_code == 200
    [record] = [r for r in caplog.records if r.name == "mocks.server"]
    assert record.exc_info is None
    assert "too long" in record.getMessage() and "\n" not in record.getMessage()
