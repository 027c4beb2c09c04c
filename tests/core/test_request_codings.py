"""A request body sent compressed (``Content-Encoding: gzip`` or ``deflate``) is matched,
journaled and forwarded as it was before compression; one the mock cannot undo gets a
clear 400, 413 or 415 in the mock's own envelope, is journaled, and the mock keeps
serving."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import aiohttp
import hypothesis
import requests
import yaml
from hypothesis import strategies as st

from mocks import MockHTTP, MockLLM
from mocks.core._codings import UnreadableBody, decode_content
from mocks.core.cli import build_parser, prepare

DOCUMENT = {"order": 42, "items": ["tea", "cake"]}


async def _post_compressed(url: str, compress: str) -> tuple[int, Any]:
    """Post DOCUMENT the way aiohttp's client compresses a request body itself."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url,
            data=json.dumps(DOCUMENT).encode(),
            headers={"Content-Type": "application/json"},
            compress=compress,
        ) as answer,
    ):
        return answer.status, await answer.json()


def test_a_compressed_body_matches_and_is_journaled_decoded() -> None:
    with MockHTTP.start() as mock:
        mock.expect("POST", "/orders", json=DOCUMENT).respond(201, json={"ok": True})
        for coding in ("gzip", "deflate"):
            status, answer = asyncio.run(_post_compressed(f"{mock.url}/orders", coding))
            assert (status, answer) == (201, {"ok": True})
            entry = mock.requests.last
            assert entry.headers["Content-Encoding"] == coding  # the headers as they came
            assert entry.json == DOCUMENT  # the body as it was before compression
        mock.verify()


def test_raw_deflate_gzip_members_and_stacked_codings_are_undone() -> None:
    text = json.dumps(DOCUMENT).encode()
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = raw.compress(text) + raw.flush()
    half = len(text) // 2
    members = gzip.compress(text[:half]) + gzip.compress(text[half:])
    stacked = gzip.compress(zlib.compress(text))  # deflate first, then gzip
    with MockHTTP.start() as mock:
        mock.expect("POST", "/in", json=DOCUMENT).respond(200, body="seen").times(3)
        for body, coding in (
            (raw_deflate, "deflate"),
            (members, "x-gzip"),
            (stacked, "deflate, gzip"),
        ):
            answer = requests.post(
                f"{mock.url}/in",
                data=body,
                headers={"Content-Type": "application/json", "Content-Encoding": coding},
                timeout=5,
            )
            assert (answer.status_code, answer.text) == (200, "seen"), coding
        mock.verify()


def test_what_cannot_be_undone_gets_400_413_or_415_and_is_journaled() -> None:
    with MockHTTP.start(max_body_size=10_000) as mock:
        mock.expect("POST", "/in").respond(200, body="seen")
        not_gzip = requests.post(
            f"{mock.url}/in", data=b"plain text", headers={"Content-Encoding": "gzip"}, timeout=5
        )
        assert not_gzip.status_code == 400
        assert "not valid gzip data" in not_gzip.json()["error"]["message"]
        cut = requests.post(
            f"{mock.url}/in",
            data=gzip.compress(b"x" * 500)[:-12],
            headers={"Content-Encoding": "gzip"},
            timeout=5,
        )
        assert cut.status_code == 400 and "ends early" in cut.json()["error"]["message"]
        bomb = requests.post(
            f"{mock.url}/in",
            data=gzip.compress(b"\0" * 1_000_000),  # about 1 KiB that inflates to 1 MB
            headers={"Content-Encoding": "gzip"},
            timeout=5,
        )
        assert bomb.status_code == 413
        assert "larger than 10000 bytes once decoded" in bomb.json()["error"]["message"]
        brotli = requests.post(
            f"{mock.url}/in", data=b"\x8b\x02\x80", headers={"Content-Encoding": "br"}, timeout=5
        )
        assert brotli.status_code == 415
        assert brotli.headers["Accept-Encoding"] == "gzip, deflate"
        assert "'br' is not supported" in brotli.json()["error"]["message"]
        assert [entry.status for entry in mock.requests] == [400, 400, 413, 415]
        assert mock.requests[0].body == b"plain text"  # kept as it came
        assert requests.post(f"{mock.url}/in", data=b"ok", timeout=5).text == "seen"


def test_an_llm_mock_reads_a_gzipped_request_and_refuses_a_broken_one_in_its_envelope() -> None:
    with MockLLM.start() as llm:
        llm.expect_completion(prompt_contains="compressed", response="read it")
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "compressed hi"}]}
        headers = {
            "Authorization": "Bearer sk-test",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        answer = requests.post(
            f"{llm.url}/v1/chat/completions",
            data=gzip.compress(json.dumps(body).encode()),
            headers=headers,
            timeout=5,
        )
        assert answer.status_code == 200
        assert answer.json()["choices"][0]["message"]["content"] == "read it"
        broken = requests.post(
            f"{llm.url}/v1/chat/completions", data=b"{}", headers=headers, timeout=5
        )
        assert broken.status_code == 400
        error = broken.json()["error"]
        assert error["type"] == "invalid_request_error"
        assert "not valid gzip data" in error["message"]


def test_record_mode_forwards_the_decoded_body_without_its_coding(tmp_path: Path) -> None:
    tape = tmp_path / "tape.yaml"
    with MockHTTP.start() as upstream:
        upstream.expect("POST", "/orders", json=DOCUMENT).respond(201, json={"ok": True})
        recorder = MockHTTP(seed=1)
        args = ["--upstream", upstream.url, "--record-to", str(tape)]
        prepare(recorder, build_parser(MockHTTP).parse_args(args))
        recorder.serve()
        try:
            status, answer = asyncio.run(_post_compressed(f"{recorder.url}/orders", "gzip"))
        finally:
            recorder.stop()
        assert (status, answer) == (201, {"ok": True})
        forwarded = upstream.requests.last
        assert "Content-Encoding" not in forwarded.headers
        assert forwarded.json == DOCUMENT
    recorded = yaml.safe_load(tape.read_text())["interactions"][0]["request"]
    assert "Content-Encoding" not in recorded["headers"]
    assert json.loads(recorded["body"]) == DOCUMENT


def test_the_admin_api_reads_a_gzipped_wiremock_mapping() -> None:
    mapping = {"request": {"url": "/zipped", "method": "GET"}, "response": {"body": "unzipped"}}
    with MockHTTP.start() as mock:
        created = requests.post(
            f"{mock.url}/__admin/mappings",
            data=gzip.compress(json.dumps(mapping).encode()),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            timeout=5,
        )
        assert created.status_code == 201, created.text
        assert requests.get(f"{mock.url}/zipped", timeout=5).text == "unzipped"
        refused = requests.post(
            f"{mock.url}/__admin/mappings",
            data=b"not gzip",
            headers={"Content-Encoding": "gzip"},
            timeout=5,
        )
        assert refused.status_code == 400
        assert "not valid gzip data" in refused.text


CODINGS = st.sampled_from(["gzip", "x-gzip", "deflate", "identity", "gzip, deflate", "br"])


@hypothesis.given(body=st.binary(max_size=3000), coding=CODINGS | st.text(max_size=12))
def test_any_bytes_under_any_coding_decode_or_get_a_clear_refusal(body: bytes, coding: str) -> None:
    try:
        decoded = decode_content(body, coding, limit=10_000)
    except UnreadableBody as refusal:
        assert refusal.status in (400, 413, 415) and refusal.message
    else:
        assert len(decoded) <= 10_000


@hypothesis.given(body=st.binary(max_size=5000), level=st.integers(0, 9))
def test_what_a_client_compresses_decodes_to_what_it_sent(body: bytes, level: int) -> None:
    assert decode_content(gzip.compress(body, level), "gzip", limit=5000) == body
    assert decode_content(zlib.compress(body, level), "deflate", limit=5000) == body
