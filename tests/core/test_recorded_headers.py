"""A header an upstream sends more than once (``Set-Cookie``, ``Link``) survives record,
replay and export line by line: no comma joins values that a comma cannot separate."""

from __future__ import annotations

from pathlib import Path

import requests
import yaml

from mocks import MockHTTP
from mocks.core import load_cassettes
from mocks.core._export import entry_interaction
from mocks.core._redact import Redactor
from mocks.core.cli import build_parser, prepare

#: Two values that each hold a comma, so joining them would lose where one ends.
LINKS = ['<https://a.example/?p=1,2>; rel="next"', '<https://a.example/?p=9>; rel="last"']
COOKIES = ["a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT", "b=2; Path=/"]


def _lines(answer: requests.Response, name: str) -> list[str]:
    return list(answer.raw.headers.getlist(name))


def _upstream() -> MockHTTP:
    upstream = MockHTTP.start()
    upstream.expect("GET", "/page").respond(
        200, json={"n": 1}, headers={"Link": LINKS, "Set-Cookie": COOKIES, "X-One": "1"}
    )
    return upstream


def test_record_relays_and_keeps_each_line_and_replay_sends_them_again(tmp_path: Path) -> None:
    tape = tmp_path / "tape.yaml"
    upstream = _upstream()
    recorder = MockHTTP(seed=1)
    prepare(
        recorder,
        build_parser(MockHTTP).parse_args(["--upstream", upstream.url, "--record-to", str(tape)]),
    )
    recorder.serve()
    try:
        relayed = requests.get(f"{recorder.url}/page", timeout=5)
    finally:
        recorder.stop()
        upstream.stop()
    assert _lines(relayed, "Link") == LINKS
    assert len(_lines(relayed, "Set-Cookie")) == 2

    headers = yaml.safe_load(tape.read_text())["interactions"][0]["response"]["headers"]
    assert headers["Link"] == LINKS
    assert headers["Set-Cookie"] == ["<redacted>", "<redacted>"]  # a cookie is a credential
    assert headers["X-One"] == "1"
    [(_, cassette)] = load_cassettes(tape)
    assert cassette.interactions[0].response.headers["Link"] == LINKS

    with MockHTTP.start() as replayer:
        replayer.replay(tape)
        replayed = requests.get(f"{replayer.url}/page", timeout=5)
    assert replayed.json() == {"n": 1}
    assert _lines(replayed, "Link") == LINKS
    assert _lines(replayed, "Set-Cookie") == ["<redacted>", "<redacted>"]
    assert replayed.headers["X-One"] == "1"


def test_the_journal_exports_each_line(tmp_path: Path) -> None:
    upstream = _upstream()
    try:
        requests.get(f"{upstream.url}/page", timeout=5)
        (entry,) = upstream.requests
    finally:
        upstream.stop()
    interaction = entry_interaction(entry, Redactor())
    assert interaction is not None
    assert interaction.response.headers["Link"] == LINKS
    assert interaction.response.content_type.startswith("application/json")
