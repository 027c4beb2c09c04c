"""Record against a real local upstream, then replay: secrets never on disk, bytes identical."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import yaml
from standalone_upstream import BINARY, SECRETS, upstream

SENT_HEADERS = {
    "Authorization": SECRETS["authorization"],
    "X-Api-Key": SECRETS["api_key_header"],
    "Cookie": SECRETS["cookie"],
    "X-Hub-Signature-256": SECRETS["signature"],
}


def _traffic(url: str) -> list[tuple[int, bytes, str]]:
    """The same calls in record and replay: (status, body, content type) of each."""
    answers = []
    with requests.get(f"{url}/v1/stream", headers=SENT_HEADERS, stream=True, timeout=10) as r:
        chunks = list(r.iter_content(chunk_size=None))
        answers.append((r.status_code, b"".join(chunks), r.headers["Content-Type"]))
    for qty in (1, 1, 2):  # two identical requests, then another
        r = requests.post(
            f"{url}/v1/echo",
            params={"api_key": SECRETS["query"], "page": "1"},
            json={
                "qty": qty,
                "password": SECRETS["password"],
                "account_number": SECRETS["account"],
            },
            headers=SENT_HEADERS,
            timeout=10,
        )
        answers.append((r.status_code, r.content, r.headers["Content-Type"]))
    r = requests.get(f"{url}/v1/binary", timeout=10)
    answers.append((r.status_code, r.content, r.headers["Content-Type"]))
    return answers


def test_record_then_replay_byte_identical(start_mock: Callable[..., Any], tmp_path: Path) -> None:
    cassettes = tmp_path / "recordings"
    with upstream() as real:
        recorder = start_mock(
            "--upstream", real, "--record-to", str(cassettes), "--redact-field", "account_number"
        )
        recorded = _traffic(recorder.url)
        token = requests.post(f"{recorder.url}/oauth/token", data="grant_type=x", timeout=10)
        assert token.json()["access_token"] == SECRETS["token"]  # the caller gets it live
        assert recorder.stop() == 0

    assert recorded[0][1].count(b"data: ") == 5
    assert [answer[1] for answer in recorded[1:4]] == [
        b'{"call": 1, "qty": 1}',
        b'{"call": 2, "qty": 1}',
        b'{"call": 3, "qty": 2}',
    ]
    assert recorded[4][1] == BINARY

    files = list(cassettes.iterdir())
    assert len(files) == 1
    text = files[0].read_text()
    for secret in SECRETS.values():
        assert secret.split("=")[-1] not in text, f"{secret} reached the cassette"
    cassette = yaml.safe_load(text)
    interactions = cassette["interactions"]
    assert len(interactions) == 6
    stream = interactions[0]
    assert stream["request"]["headers"]["Authorization"] == "<redacted>"
    assert stream["request"]["headers"]["X-Hub-Signature-256"] == "<redacted>"
    assert stream["response"]["headers"]["Set-Cookie"] == "<redacted>"
    chunks = stream["response"]["chunks"]
    assert len(chunks) >= 2  # streamed chunk by chunk, each with its timing
    assert all(chunk["delay_ms"] >= 0 for chunk in chunks)
    assert sum(chunk["delay_ms"] for chunk in chunks) >= 100  # 4 sleeps of 50 ms upstream
    assert interactions[1]["request"]["query"]["api_key"] == ["<redacted>"]
    assert '"account_number":"<redacted>"' in interactions[1]["request"]["body"]
    assert interactions[5]["response"]["body"] == (
        '{"access_token":"<redacted>","token_type":"Bearer"}'
    )

    replayer = start_mock("--replay", str(cassettes))
    assert _traffic(replayer.url) == recorded
    # Repeated identical requests replayed in order; the last answer then repeats.
    again = requests.post(
        f"{replayer.url}/v1/echo", params={"page": "1"}, json={"qty": 1}, timeout=10
    )
    assert again.content == b'{"call": 2, "qty": 1}'
    assert replayer.admin("GET", "/verify").status_code == 200
    # A request the cassette does not hold is not invented.
    assert requests.get(f"{replayer.url}/v1/other", timeout=10).status_code == 404


def test_replay_with_the_recorded_timing(start_mock: Callable[..., Any], tmp_path: Path) -> None:
    cassette = tmp_path / "stream.json"
    with upstream() as real:
        recorder = start_mock("--upstream", real, "--record-to", str(cassette))
        with requests.get(f"{recorder.url}/v1/stream", headers=SENT_HEADERS, timeout=10) as r:
            original = r.content
        assert recorder.stop() == 0
    assert cassette.is_file()

    replayer = start_mock("--replay", str(cassette), "--replay-timing")
    started = time.monotonic()
    with requests.get(f"{replayer.url}/v1/stream", stream=True, timeout=10) as r:
        arrivals = []
        for chunk in r.iter_content(chunk_size=None):
            arrivals.append((time.monotonic() - started, chunk))
    assert b"".join(chunk for _, chunk in arrivals) == original
    assert arrivals[-1][0] >= 0.1  # the recorded gaps (4 x 50 ms) are reproduced


def test_an_unreachable_upstream_is_a_502_and_nothing_is_recorded(
    start_mock: Callable[..., Any], tmp_path: Path
) -> None:
    with upstream() as real:
        gone = real
    recorder = start_mock("--upstream", gone, "--record-to", str(tmp_path / "rec"))
    response = requests.get(f"{recorder.url}/v1/stream", timeout=10)
    assert response.status_code == 502
    assert "upstream" in response.json()["error"]["message"]
    assert not (tmp_path / "rec").exists()
