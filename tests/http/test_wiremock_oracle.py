"""WireMock is the oracle: the corpus served by WireMock (the jar) and by MockHTTP in the same
run, every case sent to both, the answers compared field by field.

Compared: the status, the body (bytes; or both matching the case's pattern where the
body is random or a clock), every header WireMock sends except the transport ones
(``Date``, ``Transfer-Encoding``, ``Content-Length``, ``Vary``, ...), delays (both at
least the case's minimum), and for connection faults what the client sees. Unmatched
requests compare the status only: WireMock's body is its text report, MockHTTP's the
engine's JSON near miss. One known difference is allowed and named: where WireMock
sends no ``Content-Type``, aiohttp adds ``application/octet-stream`` (an engine change).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from wiremock_cases import CORPUS, Outcome, cases, send
from wiremock_oracle import wiremock

from mocks import MockHTTP

#: Headers about the transport, not the answer.
TRANSPORT = {
    "date",
    "server",
    "transfer-encoding",
    "content-length",
    "connection",
    "keep-alive",
    "vary",
    "content-encoding",
}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    with wiremock(CORPUS) as oracle, MockHTTP.start(stubs=CORPUS) as mock:
        yield oracle, mock.url


def _headers(outcome: Outcome) -> dict[str, str]:
    return {k: v for k, v in outcome.headers.items() if k not in TRANSPORT}


def differences(case: dict[str, Any], theirs: Outcome, ours: Outcome) -> list[str]:
    """How MockHTTP's answer differs from WireMock's (empty when it does not)."""
    if case.get("fault"):
        if theirs.fault == ours.fault:
            return []
        return [f"fault: WireMock {theirs.fault}, MockHTTP {ours.fault}"]
    found = []
    if theirs.status != ours.status:
        found.append(f"status: WireMock {theirs.status}, MockHTTP {ours.status}")
    if theirs.status == 404 and "body" not in case:
        return found  # unmatched: both say 404; the bodies are each server's own report
    if "body_regex" in case:
        for name, outcome in (("WireMock", theirs), ("MockHTTP", ours)):
            if not re.fullmatch(case["body_regex"], outcome.body.decode()):
                found.append(f"body ({name}) does not match {case['body_regex']!r}")
    elif theirs.body != ours.body:
        found.append(f"body: WireMock {theirs.body[:200]!r}, MockHTTP {ours.body[:200]!r}")
    wanted, got = _headers(theirs), _headers(ours)
    if "content-type" not in wanted and got.get("content-type") == "application/octet-stream":
        got.pop("content-type")  # aiohttp's default (engine change requested)
    if wanted != got:
        found.append(f"headers: WireMock {wanted}, MockHTTP {got}")
    for name, outcome in (("WireMock", theirs), ("MockHTTP", ours)):
        if outcome.elapsed_ms < case.get("min_ms", 0):
            found.append(f"{name} answered in {outcome.elapsed_ms:.0f} ms < {case['min_ms']}")
    return found


def test_every_case_answers_as_wiremock_answers_it(servers: tuple[str, str]) -> None:
    oracle, mock = servers
    report = []
    for case in cases():
        theirs, ours = send(oracle, case), send(mock, case)
        report += [f"{case['name']}: {line}" for line in differences(case, theirs, ours)]
        # The corpus's own expectations hold on WireMock too (so they are WireMock's).
        if not case.get("fault"):
            assert theirs.status == case["status"], case["name"]
            if "body" in case:
                assert theirs.body.decode() == case["body"], case["name"]
    assert report == []


def _admin(url: str, method: str, path: str, **kwargs: Any) -> Any:
    answer = requests.request(method, url + "/__admin" + path, timeout=10, **kwargs)
    return answer.status_code, (answer.json() if answer.content else None)


def test_admin_answers_match_wiremocks(servers: tuple[str, str]) -> None:
    oracle, mock = servers
    for url in servers:
        requests.post(url + "/__admin/reset", timeout=10)
        requests.get(url + "/m/cart", timeout=5)
        requests.post(url + "/m/cart", timeout=5)
        requests.get(url + "/m/nothing", timeout=5)
    pattern = {"method": "GET", "urlPath": "/m/cart"}
    assert _admin(oracle, "POST", "/requests/count", json=pattern) == _admin(
        mock, "POST", "/requests/count", json=pattern
    )
    theirs = _admin(oracle, "GET", "/scenarios")[1]["scenarios"]
    ours = _admin(mock, "GET", "/scenarios")[1]["scenarios"]
    shown = [(s["name"], s["state"], sorted(s["possibleStates"])) for s in theirs]
    assert shown == [(s["name"], s["state"], sorted(s["possibleStates"])) for s in ours]
    unmatched = [_admin(url, "GET", "/requests/unmatched")[1]["requests"] for url in servers]
    assert [r["url"] for r in unmatched[0]] == [r["url"] for r in unmatched[1]] == ["/m/nothing"]
    found = [_admin(url, "POST", "/requests/find", json=pattern)[1] for url in servers]
    assert [r["method"] for r in found[0]["requests"]] == [
        r["method"] for r in found[1]["requests"]
    ]
    totals = [_admin(url, "GET", "/mappings")[1]["meta"]["total"] for url in servers]
    assert totals[0] == totals[1]
    stub = "/mappings/00000000-0000-4000-8000-000000000005"
    theirs_stub, ours_stub = (_admin(url, "GET", stub)[1] for url in servers)
    assert ours_stub["request"] == theirs_stub["request"]
    assert ours_stub["id"] == theirs_stub["id"]
    bad = {"request": {"headers": {"A": {"equalToXYZ": "1"}}}}
    theirs_bad, ours_bad = (_admin(url, "POST", "/mappings", json=bad) for url in servers)
    assert theirs_bad[0] == ours_bad[0] == 422
    pointer = ours_bad[1]["errors"][0]["source"]["pointer"]
    assert pointer.startswith(theirs_bad[1]["errors"][0]["source"]["pointer"])
    for url in servers:
        requests.post(url + "/__admin/reset", timeout=10)
