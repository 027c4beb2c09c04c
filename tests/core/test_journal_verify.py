"""The journal, verify() and the assertion helpers."""

from __future__ import annotations

import hashlib
import socket
import time

import pytest
import requests

from mocks import JsonPath, Method, MockHTTP, VerificationError
from mocks.core import prefixed_id
from mocks.core._state import MAX_SCOPES


def test_every_request_is_journaled_with_its_outcome(fresh_mock: MockHTTP) -> None:
    expectation = fresh_mock.expect("POST", "/items").respond(201, json={"id": 1})
    requests.post(
        f"{fresh_mock.url}/items?draft=1", json={"name": "x"}, headers={"X-A": "b"}, timeout=5
    )
    entry = fresh_mock.requests.last
    assert (entry.method, entry.path, entry.query["draft"]) == ("POST", "/items", "1")
    assert entry.headers["x-a"] == "b"
    assert entry.json == {"name": "x"}
    assert entry.body == b'{"name": "x"}'
    assert entry.matched == expectation.id
    assert entry.status == 201
    assert entry.duration is not None and entry.duration >= 0
    assert entry.arrived_at > 0
    assert expectation.calls == [entry]
    assert entry.to_dict()["json"] == {"name": "x"}


def test_journal_is_written_before_the_response(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/now").respond(204).once()
    requests.get(f"{fresh_mock.url}/now", timeout=5)
    assert len(fresh_mock.requests) == 1
    fresh_mock.verify()


def test_journal_is_bounded() -> None:
    with MockHTTP.start(journal_size=5) as mock, requests.Session() as session:
        mock.expect("GET", "/x").respond(204)
        for _ in range(8):
            session.get(f"{mock.url}/x", timeout=5)
        assert len(mock.requests) == 5
        assert mock.requests.dropped == 3


def test_journal_queries_with_the_same_matchers(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect(path_regex="^/").respond(204)
    for n in range(3):
        requests.post(f"{fresh_mock.url}/n", json={"n": n}, timeout=5)
    requests.get(f"{fresh_mock.url}/n", timeout=5)
    assert fresh_mock.requests.count("POST", "/n") == 3
    assert [r.json for r in fresh_mock.requests.matching(json_path={"$.n": 1})] == [{"n": 1}]
    assert len(fresh_mock.requests.filter(Method(value="GET"))) == 1
    assert len(fresh_mock.requests.filter(JsonPath(path="$.n", value=0, op="present"))) == 3


def test_assert_called_and_not_called(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect(path_regex="^/").respond(204)
    requests.post(f"{fresh_mock.url}/a", json={"k": 1}, timeout=5)
    requests.post(f"{fresh_mock.url}/a", json={"k": 2}, timeout=5)
    assert len(fresh_mock.assert_called("POST", "/a", times=2)) == 2
    fresh_mock.assert_called("POST", "/a", json={"k": 1}, times=1)
    fresh_mock.assert_not_called("DELETE", "/a")
    with pytest.raises(AssertionError) as failure:
        fresh_mock.assert_called("POST", "/a", json={"k": 3})
    text = str(failure.value)
    assert "expected at least 1 request(s)" in text
    assert "similar requests" in text and "json: expected" in text
    with pytest.raises(AssertionError, match="expected no request"):
        fresh_mock.assert_not_called("POST", "/a")


def test_assert_called_in_order(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect(path_regex="^/").respond(204)
    for path in ("/login", "/data", "/logout"):
        requests.get(f"{fresh_mock.url}{path}", timeout=5)
    fresh_mock.assert_called_in_order({"path": "/login"}, {"path": "/logout"})
    with pytest.raises(AssertionError, match="after the ones before it"):
        fresh_mock.assert_called_in_order({"path": "/logout"}, {"path": "/login"})


def test_verify_report_lists_every_kind_of_problem(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/a").respond(204).times(3)
    fresh_mock.expect("POST", "/b", json={"x": 1}).respond(204)
    requests.get(f"{fresh_mock.url}/a", timeout=5)
    requests.post(f"{fresh_mock.url}/b", json={"x": 2}, timeout=5)
    with pytest.raises(VerificationError) as failure:
        fresh_mock.verify()
    text = str(failure.value)
    assert "verify() found 3 problem(s)" in text
    assert "GET /a: expected 3 call(s), got 1" in text
    assert "POST /b json" in text and "expected at least 1 call(s), got 0" in text
    assert "No expectation matched POST /b" in text
    assert "json: expected {'x': 1}, got {'x': 2}" in text
    assert failure.value.report.to_dict()["ok"] is False


def test_reset_clears_everything(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/a").respond(204).times(2).in_scenario("s", new_state="x")
    fresh_mock.with_latency(10)
    requests.get(f"{fresh_mock.url}/a", timeout=5)
    requests.get(f"{fresh_mock.url}/zzz", timeout=5)
    fresh_mock.reset()
    assert fresh_mock.expectations == []
    assert len(fresh_mock.requests) == 0
    assert fresh_mock.scenario_state("s") == "Started"
    assert fresh_mock.settings.latency is None
    fresh_mock.verify()


def test_a_registered_expectation_must_match_at_least_once(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/never")
    fresh_mock.expect("GET", "/maybe").optional()
    fresh_mock.expect("GET", "/zero").times(0)
    with pytest.raises(VerificationError) as failure:
        fresh_mock.verify()
    [unmet] = failure.value.report.unmet
    assert "/never" in unmet.expectation
    assert (unmet.expected, unmet.actual, unmet.at_least) == (1, 0, True)
    requests.get(f"{fresh_mock.url}/never", timeout=5)
    fresh_mock.verify()


def test_reset_restores_the_settings_the_mock_was_created_with() -> None:
    with MockHTTP.start(strict=False, latency=5) as mock:
        mock.settings.strict = True
        mock.with_error_rate(1.0)
        mock.reset()
        assert mock.settings.strict is False
        assert mock.settings.error is None
        assert mock.settings.latency is not None and mock.settings.latency.sample(mock.rng) > 0


def test_the_journal_keeps_the_query_string_byte_for_byte(fresh_mock: MockHTTP) -> None:
    requests.get(f"{fresh_mock.url}/q?a=hello%20world&b=a%2Bb&c=x+y", timeout=5)
    entry = fresh_mock.requests.last
    assert entry.raw_query == "a=hello%20world&b=a%2Bb&c=x+y"
    assert entry.query["a"] == "hello world" and entry.query["b"] == "a+b"


def test_ids_differ_per_reset_generation_and_per_instance() -> None:
    """Ids and tokens come from the mock's generator: a reset, or another mock with the
    same seed, never draws the same ones again (a kept token is nobody else's)."""

    def draw(mock: MockHTTP) -> str:
        return prefixed_id(mock.ids, "tok_", 24)

    with MockHTTP.start(seed=9) as first, MockHTTP.start(seed=9) as second:
        before = draw(first)
        first.reset()
        assert draw(first) != before
        assert draw(second) != before


def test_reset_stops_deliveries_still_retrying(fresh_mock: MockHTTP) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there
    delivery = fresh_mock.send(f"http://127.0.0.1:{port}/hook", retries=20, backoff_ms=200)
    fresh_mock.reset()
    assert delivery.done.wait(5)  # cancelled, not retrying for the next test
    assert fresh_mock.callbacks == []
    attempts = len(delivery.attempts)
    time.sleep(0.5)
    assert len(delivery.attempts) == attempts


def test_the_journal_is_bounded_by_bytes_and_keeps_large_bodies_truncated() -> None:
    big = bytes(range(256)) * 8192  # 2 MiB
    with MockHTTP.start(journal_bytes=5 * 1024 * 1024) as mock:
        mock.expect("POST", "/upload").respond(204)
        for _ in range(10):
            assert requests.post(f"{mock.url}/upload", data=big, timeout=10).status_code == 204
        journal = mock.requests
        assert journal.size <= 5 * 1024 * 1024
        assert 1 <= len(journal) < 10 and journal.dropped == 10 - len(journal)
        last = journal.last
        assert len(last.body) == 1024 * 1024 and last.body == big[: 1024 * 1024]
        assert last.body_size == len(big)
        assert last.body_sha256 == hashlib.sha256(big).hexdigest()
        mock.verify()


def test_a_truncated_json_body_is_matched_whole_and_not_kept_parsed() -> None:
    document = {"kind": "upload", "blob": "x" * (2 * 1024 * 1024)}
    with MockHTTP.start() as mock:
        expectation = mock.expect("POST", "/upload", json_contains={"kind": "upload"})
        expectation.respond(204)
        answer = requests.post(f"{mock.url}/upload", json=document, timeout=10)
        assert answer.status_code == 204 and expectation.call_count == 1
        last = mock.requests.last
        assert last.body_size is not None and last.body_size > len(last.body)
        # the cut body is not JSON, and the whole body's parsed form is not kept
        assert last.json is None
        mock.verify()


def test_the_admin_journal_listing_is_paginated(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/n/{i}").respond(204)
    with requests.Session() as session:
        for i in range(150):
            session.get(f"{fresh_mock.url}/n/{i}", timeout=5)
    listing = requests.get(f"{fresh_mock.url}/__admin/requests", timeout=5).json()
    assert (listing["total"], listing["limit"], len(listing["requests"])) == (150, 100, 100)
    assert listing["requests"][-1]["path"] == "/n/149"
    page = requests.get(
        f"{fresh_mock.url}/__admin/requests", params={"limit": 20, "offset": 140}, timeout=5
    ).json()
    assert [r["path"] for r in page["requests"]] == [f"/n/{i}" for i in range(10)]


def test_the_journals_of_all_scopes_share_one_bound() -> None:
    with (
        MockHTTP.start(journal_size=10, journal_bytes=64 * 1024) as mock,
        requests.Session() as session,
    ):

        def send(scope: str, n: int, body: bytes = b"") -> None:
            for i in range(n):
                session.post(
                    f"{mock.url}/s/{scope}/{i}",
                    data=body,
                    headers={"X-Mock-Scope": scope} if scope else {},
                    timeout=5,
                )

        send("a", 6)
        send("b", 6)  # 12 in all: the two oldest go, and they are a's
        a, b = mock.state.scope("a").journal, mock.state.scope("b").journal
        assert [r.path for r in a] == [f"/s/a/{i}" for i in range(2, 6)]
        assert len(b) == 6 and a.dropped == 2 and b.dropped == 0
        budget = mock.state.journal_budget
        assert budget.entries == 10
        # bytes too: 30 KiB bodies in a third scope push out the oldest entries
        send("c", 3, b"x" * 30 * 1024)
        c = mock.state.scope("c").journal
        assert budget.size <= 64 * 1024 and budget.size == a.size + b.size + c.size
        assert budget.entries == len(a) + len(b) + len(c)
        assert 1 <= len(c) <= 2 and c.last.path == "/s/c/2"
        assert len(a) == 0  # the oldest went first
        # a reset gives the dropped scopes' room back
        mock.reset()
        assert (budget.entries, budget.size) == (0, 0)
        send("d", 10)
        assert len(mock.state.scope("d").journal) == 10
        send("", 1)  # the default scope's first entry pushes out d's oldest
        assert len(mock.requests) == 1 and len(mock.state.scope("d").journal) == 9


def test_a_dropped_scope_gives_its_journal_room_back() -> None:
    with MockHTTP.start(journal_size=5000) as mock, requests.Session() as session:
        for index in range(MAX_SCOPES):
            session.get(f"{mock.url}/x", headers={"X-Mock-Scope": f"s{index}"}, timeout=5)
        budget = mock.state.journal_budget
        assert budget.entries == MAX_SCOPES
        session.get(f"{mock.url}/x", headers={"X-Mock-Scope": "one-more"}, timeout=5)
        assert "s0" not in mock.state.scopes  # the oldest scope went, with its entry
        assert budget.entries == MAX_SCOPES
