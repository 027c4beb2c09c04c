"""Record mode keeps secrets out of cassettes and the request log keeps them out of logs,
wherever they hide: names in any case style, URLs and fragments, streams, mislabelled JSON."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests

from mocks import MockHTTP, RecordedRequest, Reply
from mocks.core import StreamChunk, load_cassettes, sse_event
from mocks.core.cli import build_parser, prepare

SECRETS = [f"LEAK{n}" for n in range(12)]


def _events(request: RecordedRequest) -> Reply:
    return Reply.sse([sse_event({"access_token": SECRETS[2], "n": 1})])


def _chunked(request: RecordedRequest) -> Reply:
    pieces = [b'{"clientSecret": "', SECRETS[3].encode() + b'"}']  # a secret split in two
    return Reply(200, {"Content-Type": "application/json"}, stream=map(StreamChunk, pieces))


def _upstream() -> MockHTTP:
    upstream = MockHTTP.start()
    location = f"http://app.example/cb?code={SECRETS[0]}#access_token={SECRETS[1]}"
    upstream.expect("GET", "/login").respond(302, headers={"Location": location})
    upstream.expect("GET", "/events").respond_with(_events)
    upstream.expect("GET", "/chunked").respond_with(_chunked)
    plain = {"accessToken": SECRETS[4], "total_tokens": 7}
    upstream.expect("POST", "/plain").respond(200, json=plain)
    upstream.expect("POST", "/token").respond(200, json={"token_type": "Bearer"})
    upstream.expect("GET", "/signed").respond(204)
    return upstream


def test_recordings_hold_no_secret(tmp_path: Path) -> None:
    upstream = _upstream()
    recorder = MockHTTP(seed=1)
    args = build_parser(MockHTTP).parse_args(
        ["--upstream", upstream.url, "--record-to", str(tmp_path / "tape.yaml")]
    )
    prepare(recorder, args)
    recorder.serve()
    base = recorder.url
    try:
        requests.get(f"{base}/login", allow_redirects=False, timeout=5)
        requests.get(f"{base}/events", timeout=5)
        requests.get(f"{base}/chunked", timeout=5)
        requests.post(
            f"{base}/plain",
            data=f'{{"clientSecret": "{SECRETS[5]}"}}',
            headers={"Content-Type": "text/plain"},
            timeout=5,
        )
        requests.post(
            f"{base}/token",
            timeout=5,
            data={
                "grant_type": "authorization_code",
                "code": SECRETS[6],
                "subject_token": SECRETS[7],
                "code_verifier": SECRETS[8],
            },
        )
        requests.get(
            f"{base}/signed",
            timeout=5,
            headers={"X-Client-Credentials": SECRETS[9]},
            params={"X-Amz-Signature": SECRETS[10], "id_token_hint": SECRETS[11]},
        )
    finally:
        recorder.stop()
        upstream.stop()
    text = (tmp_path / "tape.yaml").read_text()
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == []
    assert "<redacted>" in text and "Bearer" in text and "total_tokens" in text
    [(_, cassette)] = load_cassettes(tmp_path / "tape.yaml")
    assert len(cassette.interactions) == 6


def test_the_request_log_redacts_query_secrets(
    fresh_mock: MockHTTP, caplog: pytest.LogCaptureFixture
) -> None:
    fresh_mock.expect("GET", "/v1/models").respond(200, json={"data": []})
    with caplog.at_level(logging.INFO, logger="mocks.http"):
        requests.get(
            f"{fresh_mock.url}/v1/models", params={"api_key": "sk-LOGLEAK", "n": 1}, timeout=5
        )
    line = next(r.getMessage() for r in caplog.records if "/v1/models" in r.getMessage())
    assert "sk-LOGLEAK" not in line and "api_key=<redacted>" in line and "n=1" in line
