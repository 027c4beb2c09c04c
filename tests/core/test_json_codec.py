"""JSON in and out (orjson, the standard library where orjson declines): what a client
receives and what a matcher sees, over a real socket."""

from __future__ import annotations

import json

import requests

from mocks import MockHTTP
from mocks.core import json_text, sse_event


def test_replies_keep_non_ascii_as_utf8_and_encode_what_orjson_declines(
    mock_http: MockHTTP,
) -> None:
    mock_http.expect("GET", "/utf8").respond(json={"text": "été 東京"})
    mock_http.expect("GET", "/declined").respond(json={1: "int key", "big": 2**70})
    answer = requests.get(f"{mock_http.url}/utf8", timeout=5)
    assert answer.content == '{"text":"été 東京"}'.encode()
    assert answer.headers["Content-Length"] == str(len(answer.content))
    declined = requests.get(f"{mock_http.url}/declined", timeout=5)
    assert declined.json() == {"1": "int key", "big": 2**70}


def test_a_lone_surrogate_is_escaped_not_a_crash() -> None:
    assert json_text({"s": "\ud800"}) == '{"s":"\\ud800"}'
    assert sse_event({"s": "\ud800x"}).data == b'data: {"s":"\\ud800x"}\n\n'


def test_bodies_that_are_not_json_match_no_json_matcher(mock_http: MockHTTP) -> None:
    mock_http.expect("POST", "/j", json={"n": 1}).respond(body="matched")
    sent = [b'{"n": 1}', b'{"n": NaN}', b'"\\ud800"', b"[1,]", b"[" * 600 + b"]" * 600]
    statuses = [
        requests.post(f"{mock_http.url}/j", data=body, timeout=5).status_code for body in sent
    ]
    assert statuses[0] == 200
    assert all(status == 404 for status in statuses[1:4])
    assert statuses[4] == 404  # parsed (by the standard library: many brackets), no match
    bodies = [entry.json for entry in mock_http.requests[-5:]]
    assert bodies[:4] == [{"n": 1}, None, None, None]
    assert json.dumps(bodies[4]).startswith("[[[")
    mock_http.reset()  # the unmatched requests were the point
