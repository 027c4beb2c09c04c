"""The dashboard's routes over a real socket: the page and its token rule, the traffic feed
(history across resets, test labels, filters, records still open), one record in full,
verify, reset, and the journal downloaded as a cassette that the contracts checker reads."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mocks import MockHTTP
from mocks.llm import MockLLM

REPO = Path(__file__).resolve().parents[2]
KEY = {"Authorization": "Bearer sk-test"}
CHAT: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}]}


def _traffic(on: MockHTTP | MockLLM, **params: Any) -> dict[str, Any]:
    answer = requests.get(f"{on.url}/__admin/ui/traffic", params=params, timeout=5)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


@pytest.fixture
def llm() -> Iterator[MockLLM]:
    with MockLLM.start() as mock:
        yield mock


# ---- the page --------------------------------------------------------------------------


def test_the_page_is_one_self_contained_document(fresh_mock: MockHTTP) -> None:
    page = requests.get(f"{fresh_mock.url}/__admin/ui", timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.text
    # Nothing is fetched from elsewhere: no external source, link or import.
    assert re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html) == ["data:,"]
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    # The policy allows exactly the inlined script and style, and requests to the mock only.
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["Content-Security-Policy"].split(";")
    )
    script = re.search(r"<script>(.*)</script>", html, re.S)
    style = re.search(r"<style>(.*)</style>", html, re.S)
    assert script is not None and style is not None
    assert policy["script-src"] == _digest(script.group(1))
    assert policy["style-src"] == _digest(style.group(1))
    assert policy["default-src"] == "'none'" and policy["connect-src"] == "'self'"
    # Opening the page leaves the mock's journal as it was.
    assert len(fresh_mock.requests) == 0


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_admin_token_rule_holds_for_the_page_and_its_routes(fresh_mock: MockHTTP) -> None:
    fresh_mock.admin.token = "s3cret"
    ui = f"{fresh_mock.url}/__admin/ui"
    assert requests.get(ui, timeout=5).status_code == 401
    assert requests.get(ui, params={"access_token": "wrong"}, timeout=5).status_code == 401
    assert requests.get(ui, params={"access_token": "s3cret"}, timeout=5).status_code == 200
    bearer = {"Authorization": "Bearer s3cret"}
    assert requests.get(ui, headers=bearer, timeout=5).status_code == 200
    # The query form is for the page a browser opens; its data routes want the header.
    refused = requests.get(f"{ui}/traffic", params={"access_token": "s3cret"}, timeout=5)
    assert refused.status_code == 401
    assert "Authorization: Bearer" in refused.json()["error"]["message"]
    assert requests.get(f"{ui}/traffic", headers=bearer, timeout=5).status_code == 200
    assert requests.post(f"{ui}/reset", timeout=5).status_code == 401


def test_the_routes_are_in_the_openapi_document(fresh_mock: MockHTTP) -> None:
    document = requests.get(f"{fresh_mock.url}/__admin/openapi.json", timeout=5).json()
    page = document["paths"]["/__admin/ui"]["get"]
    assert list(page["responses"]["200"]["content"]) == ["text/html"]
    assert [p["name"] for p in page["parameters"]] == ["access_token"]
    for path in ("traffic", "traffic/{id}", "sequence", "verify", "cassette"):
        assert "get" in document["paths"][f"/__admin/ui/{path}"], path
    assert "post" in document["paths"]["/__admin/ui/reset"]
    assert "post" in document["paths"]["/__admin/ui/test"]


# ---- the traffic feed ------------------------------------------------------------------


def test_traffic_is_newest_first_and_polled_with_after(fresh_mock: MockHTTP) -> None:
    requests.get(f"{fresh_mock.url}/first", timeout=5)
    requests.get(f"{fresh_mock.url}/second", timeout=5)
    feed = _traffic(fresh_mock)
    assert [r["path"] for r in feed["records"]] == ["/second", "/first"]
    assert feed["mocks"] == [{"service": "http", "url": fresh_mock.url}]
    newer = _traffic(fresh_mock, after=feed["last"])
    assert newer["records"] == [] and newer["last"] == feed["last"]
    requests.get(f"{fresh_mock.url}/third", timeout=5)
    newer = _traffic(fresh_mock, after=feed["last"])
    assert [r["path"] for r in newer["records"]] == ["/third"]
    assert newer["total"] == 3


def test_traffic_survives_a_reset_labelled_by_test(fresh_mock: MockHTTP) -> None:
    fresh_mock.dashboard.traffic.begin_test("tests/test_a.py::test_one")
    requests.get(f"{fresh_mock.url}/one", timeout=5)
    requests.post(f"{fresh_mock.url}/__admin/reset", timeout=5)
    named = requests.post(f"{fresh_mock.url}/__admin/ui/test", json={"name": "test_two"}, timeout=5)
    assert named.json() == {"test": "test_two"}
    requests.get(f"{fresh_mock.url}/two", timeout=5)

    feed = _traffic(fresh_mock)
    assert [(r["path"], r["test"]) for r in feed["records"]] == [
        ("/two", "test_two"),
        ("/one", "tests/test_a.py::test_one"),
    ]
    assert feed["tests"] == ["tests/test_a.py::test_one", "test_two"]
    assert feed["current_test"] == "test_two"
    assert [r.path for r in fresh_mock.requests] == ["/two"]  # the journal was reset
    one = _traffic(fresh_mock, test="tests/test_a.py::test_one")
    assert [r["path"] for r in one["records"]] == ["/one"]


def test_filters_by_mock_path_and_status(fresh_mock: MockHTTP, llm: MockLLM) -> None:
    fresh_mock.dashboard.include(llm)
    fresh_mock.expect("GET", "/users/7").respond(json={"id": 7})
    requests.get(f"{fresh_mock.url}/users/7", timeout=5)
    requests.get(f"{fresh_mock.url}/users/8", timeout=5)
    requests.post(f"{llm.url}/v1/chat/completions", json=CHAT, headers=KEY, timeout=5)

    everything = _traffic(fresh_mock)
    assert {m["service"] for m in everything["mocks"]} == {"http", "llm"}
    assert len(everything["records"]) == 3

    def paths(**params: Any) -> list[str]:
        return [r["path"] for r in _traffic(fresh_mock, **params)["records"]]

    assert paths(mock="llm") == ["/v1/chat/completions"]
    assert paths(path="/users") == ["/users/8", "/users/7"]
    assert paths(status="404") == ["/users/8"]
    assert paths(status="2xx") == ["/v1/chat/completions", "/users/7"]
    assert paths(status="2xx", mock="http") == ["/users/7"]
    assert paths(status="pending") == []


def test_a_bad_filter_is_a_400_naming_it(fresh_mock: MockHTTP) -> None:
    for params, field in [({"status": "abc"}, "status"), ({"after": "-1"}, "after")]:
        answer = requests.get(f"{fresh_mock.url}/__admin/ui/traffic", params=params, timeout=5)
        assert answer.status_code == 400
        assert answer.json()["error"]["field"] == field
    unknown = requests.get(f"{fresh_mock.url}/__admin/ui/traffic", params={"x": 1}, timeout=5)
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "x"


def test_a_record_still_open_is_answered_again_until_it_closes(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/slow").respond(json={"done": True}).with_latency(800)
    worker = threading.Thread(
        target=requests.get, args=(f"{fresh_mock.url}/slow",), kwargs={"timeout": 10}
    )
    worker.start()
    deadline = time.monotonic() + 5
    while not fresh_mock.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    first = _traffic(fresh_mock)
    [pending] = first["records"]
    assert pending["open"] and pending["status"] is None
    assert [r["id"] for r in _traffic(fresh_mock, status="pending")["records"]] == [pending["id"]]
    worker.join(10)
    again = _traffic(fresh_mock, after=first["last"], open=str(pending["id"]))
    [closed] = again["records"]
    assert closed["id"] == pending["id"]
    assert closed["status"] == 200 and not closed["open"]
    assert _traffic(fresh_mock, after=first["last"])["records"] == []


def test_the_history_is_bounded_by_bytes_too(fresh_mock: MockHTTP) -> None:
    fresh_mock.dashboard.traffic.max_bytes = 1700
    for name in ("one", "two", "three"):
        requests.post(f"{fresh_mock.url}/{name}", data=b"x" * 600, timeout=5)
    kept = [r["path"] for r in _traffic(fresh_mock)["records"]]
    assert kept == ["/three", "/two"]  # 1,200 bytes of bodies (plus the 404s' answers)
    assert len(fresh_mock.requests) == 3  # the journal has its own bounds


# ---- one record ------------------------------------------------------------------------


def test_a_record_in_full_with_its_near_miss(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("POST", "/orders", json_contains={"qty": 1}).respond(201)
    requests.post(f"{fresh_mock.url}/orders", json={"qty": 2}, timeout=5)
    [summary] = _traffic(fresh_mock)["records"]
    record = requests.get(f"{fresh_mock.url}/__admin/ui/traffic/{summary['id']}", timeout=5).json()
    assert record["unmatched"] and record["status"] == 404
    assert record["request"]["json"] == {"qty": 2}
    assert record["request"]["headers"]["Content-Type"] == "application/json"
    near = record["near_miss"]
    assert near["nearest"] == fresh_mock.expectations[0].id
    assert near["differences"] == [
        {"field": "json", "expected": "contains {'qty': 1}", "actual": "{'qty': 2}"}
    ]
    assert near["text"].startswith("No expectation matched POST /orders.")
    assert record["response"]["status"] == 404
    assert "X-Mock-Near-Miss" in record["response"]["headers"]


def test_a_header_sent_more_than_once_is_shown_line_by_line(fresh_mock: MockHTTP) -> None:
    cookies = ["a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT", "b=2"]
    fresh_mock.expect("GET", "/login").respond(200, headers={"Set-Cookie": cookies})
    requests.get(f"{fresh_mock.url}/login", headers={"X-One": "1"}, timeout=5)
    [summary] = _traffic(fresh_mock)["records"]
    record = requests.get(f"{fresh_mock.url}/__admin/ui/traffic/{summary['id']}", timeout=5).json()
    assert record["response"]["headers"]["Set-Cookie"] == cookies
    assert record["request"]["headers"]["X-One"] == "1"


def test_a_body_the_journal_keeps_truncated_says_so(fresh_mock: MockHTTP) -> None:
    fresh_mock.requests.max_body = 100
    body = bytes(range(256)) * 4
    requests.post(f"{fresh_mock.url}/upload", data=body, timeout=5)
    [summary] = _traffic(fresh_mock)["records"]
    record = requests.get(f"{fresh_mock.url}/__admin/ui/traffic/{summary['id']}", timeout=5).json()
    assert record["request"]["body_size"] == 1024
    assert record["request"]["body_sha256"] == hashlib.sha256(body).hexdigest()


def test_a_streamed_answer_event_by_event_and_the_matched_expectation(llm: MockLLM) -> None:
    expectation = llm.expect_completion("Say hi", "Hi there")
    body = {**CHAT, "stream": True}
    requests.post(f"{llm.url}/v1/chat/completions", json=body, headers=KEY, timeout=5)
    [summary] = _traffic(llm)["records"]
    assert summary["streamed"] and summary["outcome"] == expectation.id
    record = requests.get(f"{llm.url}/__admin/ui/traffic/{summary['id']}", timeout=5).json()
    assert record["expectation"]["id"] == expectation.id
    assert "Say hi" in record["expectation"]["description"]
    events = record["response"]["events"]
    assert events[-1]["body"] == "[DONE]" and not events[-1]["is_json"]
    text = "".join(
        e["json"]["choices"][0]["delta"].get("content") or ""
        for e in events[:-1]
        if e["json"]["choices"]
    )
    assert text == "Hi there"


def test_contract_violations_are_in_the_row_and_the_record(llm: MockLLM) -> None:
    requests.post(
        f"{llm.url}/v1/chat/completions", json={"model": "gpt-4o-mini"}, headers=KEY, timeout=5
    )
    [summary] = _traffic(llm)["records"]
    assert summary["violations"] == 1 and summary["outcome"] == "contract"
    record = requests.get(f"{llm.url}/__admin/ui/traffic/{summary['id']}", timeout=5).json()
    [violation] = record["violation_list"]
    assert violation.startswith("request:") and "messages" in violation


def test_a_callback_record_keeps_every_attempt(fresh_mock: MockHTTP) -> None:
    with MockHTTP.start() as receiver:
        receiver.expect("POST", "/hook").respond_with_sequence(
            [{"status": 500}, {"status": 200, "json": {"ok": True}}]
        )
        fresh_mock.send(receiver.url + "/hook", json={"n": 1}, backoff_ms=10).wait(5)
    [summary] = _traffic(fresh_mock)["records"]
    assert summary["kind"] == "callback" and summary["outcome"] == "delivered"
    assert summary["path"] == "/hook" and summary["attempts"] == 2
    record = requests.get(f"{fresh_mock.url}/__admin/ui/traffic/{summary['id']}", timeout=5).json()
    assert record["request"]["json"] == {"n": 1}
    assert [a["status"] for a in record["attempts"]] == [500, 200]
    assert record["attempts"][1]["json"] == {"ok": True}


def test_a_record_that_is_not_there_is_a_404(fresh_mock: MockHTTP) -> None:
    answer = requests.get(f"{fresh_mock.url}/__admin/ui/traffic/999999", timeout=5)
    assert answer.status_code == 404
    assert answer.json()["error"]["field"] == "id"


# ---- verify, reset ---------------------------------------------------------------------


def test_verify_reports_each_shown_mock(fresh_mock: MockHTTP, llm: MockLLM) -> None:
    fresh_mock.dashboard.include(llm)
    requests.get(f"{fresh_mock.url}/nobody-expects-this", timeout=5)
    report = requests.get(f"{fresh_mock.url}/__admin/ui/verify", timeout=5).json()
    assert report["ok"] is False
    http, model = report["mocks"]
    assert (http["service"], http["ok"], model["service"], model["ok"]) == (
        "http",
        False,
        "llm",
        True,
    )
    assert "GET /nobody-expects-this" in http["report"]


def test_reset_forgets_the_traffic_and_resets_the_mocks(fresh_mock: MockHTTP, llm: MockLLM) -> None:
    fresh_mock.dashboard.include(llm)
    fresh_mock.expect("GET", "/a").respond(200)
    requests.get(f"{fresh_mock.url}/a", timeout=5)
    requests.post(f"{llm.url}/v1/chat/completions", json=CHAT, headers=KEY, timeout=5)
    before = _traffic(fresh_mock)

    only = requests.post(f"{fresh_mock.url}/__admin/ui/reset", json={"mock": "llm"}, timeout=5)
    assert only.json() == {"reset": ["llm"]}
    assert [r["mock"] for r in _traffic(fresh_mock)["records"]] == ["http"]
    assert fresh_mock.expectations  # the other mock was left alone

    everything = requests.post(f"{fresh_mock.url}/__admin/ui/reset", timeout=5)
    assert everything.json() == {"reset": ["http", "llm"]}
    after = _traffic(fresh_mock)
    assert after["records"] == [] and after["epoch"] > before["epoch"]
    assert fresh_mock.expectations == [] and len(fresh_mock.requests) == 0
    unknown = requests.post(f"{fresh_mock.url}/__admin/ui/reset", json={"mock": "x"}, timeout=5)
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "mock"


# ---- the cassette download -------------------------------------------------------------


def test_the_downloaded_cassette_passes_the_contracts_check_and_replays(
    llm: MockLLM, tmp_path: Path
) -> None:
    answered = requests.post(f"{llm.url}/v1/chat/completions", json=CHAT, headers=KEY, timeout=5)
    requests.post(
        f"{llm.url}/v1/chat/completions", json={**CHAT, "stream": True}, headers=KEY, timeout=5
    )
    download = requests.get(f"{llm.url}/__admin/ui/cassette", timeout=5)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="llm-cassette.json"'
    file = tmp_path / "llm-cassette.json"
    file.write_bytes(download.content)

    check = subprocess.run(
        [sys.executable, "-m", "mocks.contracts", "check", str(file)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip().endswith("checked 2 interaction(s) in 1 cassette(s): ok")

    cassette = json.loads(file.read_text())
    plain, streamed = cassette["interactions"]
    assert cassette["service"] == "llm"
    assert plain["request"]["headers"]["Authorization"] == "<redacted>"
    assert "Host" not in plain["request"]["headers"]
    written = "".join(chunk["body"] for chunk in streamed["response"]["chunks"])
    assert written.endswith("data: [DONE]\n\n")  # as written (events coalesce into writes)

    with MockLLM.start() as replaying:
        replaying.replay(file)
        again = requests.post(
            f"{replaying.url}/v1/chat/completions", json=CHAT, headers=KEY, timeout=5
        )
        assert again.json() == answered.json()


def test_a_cassette_of_one_test_or_of_another_mock(fresh_mock: MockHTTP, llm: MockLLM) -> None:
    fresh_mock.dashboard.include(llm)
    fresh_mock.dashboard.begin_test("one")
    requests.get(f"{fresh_mock.url}/in-one", timeout=5)
    requests.post(f"{llm.url}/v1/chat/completions", json=CHAT, headers=KEY, timeout=5)
    fresh_mock.dashboard.begin_test("two")
    requests.get(f"{fresh_mock.url}/in-two", timeout=5)

    def paths(**params: str) -> list[str]:
        answer = requests.get(f"{fresh_mock.url}/__admin/ui/cassette", params=params, timeout=5)
        assert answer.status_code == 200, answer.text
        return [i["request"]["path"] for i in answer.json()["interactions"]]

    assert paths() == ["/in-one", "/in-two"]
    assert paths(test="two") == ["/in-two"]
    assert paths(mock="llm") == ["/v1/chat/completions"]
    unknown = requests.get(f"{fresh_mock.url}/__admin/ui/cassette?mock=teams", timeout=5)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["field"] == "mock"
