"""What a served request leaves behind for the cyclic garbage collector: a mock inside a
test's process cannot tune the collector (the process is the test's), so it keeps few
container objects alive per request. Counted, not timed."""

from __future__ import annotations

import gc

import requests

from mocks import MockHTTP
from mocks.core import _wire


def _tracked() -> int:
    gc.collect()
    return len(gc.get_objects())


def test_a_journal_entry_keeps_no_parsed_body_and_still_reads_it() -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "tools": [{"name": "f"}]}
    with MockHTTP.start() as mock, requests.Session() as session:
        mock.expect("POST", "/chat", json=body).respond(json={"ok": True}).optional()
        session.post(f"{mock.url}/chat", json=body, timeout=5)  # connection and caches
        before = _tracked()
        for _ in range(200):
            assert session.post(f"{mock.url}/chat", json=body, timeout=5).status_code == 200
        per_request = (_tracked() - before) / 200
        # The entry, its response record, its headers (a multidict and its proxy) and its
        # list of contract violations; the parsed body's dicts and lists are not kept.
        assert per_request <= 5.5, per_request
        assert mock.requests.last.json == body  # parsed again when asked


def test_a_head_that_never_repeats_is_not_kept_and_one_that_repeats_is() -> None:
    _wire._HEADS.clear()
    _wire._SEEN.clear()
    for n in range(300):  # an answer carrying a request id: never the same head twice
        _wire.serialize_head(200, None, [("x-request-id", f"req_{n}")], "", True)
    assert not _wire._HEADS
    for _ in range(3):
        head = _wire.serialize_head(200, None, [("X-Kind", "a")], "Content-Length: 2", True)
    assert len(_wire._HEADS) == 1
    assert head.startswith(b"HTTP/1.1 200 OK\r\nX-Kind: a\r\nContent-Length: 2\r\nDate: ")
