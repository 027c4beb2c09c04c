"""Responders: static, bytes, sequence, callable (sync and async), SSE streams, templates."""

from __future__ import annotations

import asyncio
import time
import traceback

import httpx
import pytest
import requests
from pydantic import ValidationError

from mocks import MockHTTP, RecordedRequest, Reply, SseEvent


def test_static_json_text_bytes_and_headers(mock_http: MockHTTP) -> None:
    mock_http.expect("GET", "/j").respond(201, json={"a": [1]}, headers={"X-Trace": "t1"})
    mock_http.expect("GET", "/t").respond(body="plain")
    mock_http.expect("GET", "/b").respond(body=b"\x00\xffraw", headers={"Content-Type": "x/y"})
    url = mock_http.url
    j = requests.get(f"{url}/j", timeout=5)
    assert (j.status_code, j.json(), j.headers["X-Trace"]) == (201, {"a": [1]}, "t1")
    assert j.headers["Content-Type"] == "application/json"
    assert requests.get(f"{url}/t", timeout=5).text == "plain"
    b = requests.get(f"{url}/b", timeout=5)
    assert (b.content, b.headers["Content-Type"]) == (b"\x00\xffraw", "x/y")
    mock_http.reset()


def test_sequence_repeats_the_last(mock_http: MockHTTP) -> None:
    mock_http.expect("GET", "/s").respond_with_sequence(
        [{"status": 503}, {"status": 200, "json": {"ok": True}}]
    )
    codes = [requests.get(f"{mock_http.url}/s", timeout=5).status_code for _ in range(4)]
    assert codes == [503, 200, 200, 200]
    mock_http.reset()


def test_sequence_then_error(mock_http: MockHTTP) -> None:
    mock_http.expect("GET", "/s").respond_with_sequence([{"body": "one"}], then="error")
    first = requests.get(f"{mock_http.url}/s", timeout=5)
    second = requests.get(f"{mock_http.url}/s", timeout=5)
    assert first.text == "one"
    assert second.status_code == 500
    assert "exhausted" in second.json()["error"]["message"]
    mock_http.reset()


def test_callable_gets_the_request_and_may_return_many_shapes(mock_http: MockHTTP) -> None:
    def echo(request: RecordedRequest) -> object:
        if request.path == "/pair":
            return 202, {"n": request.json["n"] + 1}
        if request.path == "/reply":
            return Reply.text("custom", status=207)
        return {"method": request.method, "q": request.query.get("q")}

    mock_http.expect(path_regex="^/").respond_with(echo)
    url = mock_http.url
    pair = requests.post(f"{url}/pair", json={"n": 1}, timeout=5)
    assert (pair.status_code, pair.json()) == (202, {"n": 2})
    assert requests.get(f"{url}/reply", timeout=5).status_code == 207
    assert requests.put(f"{url}/x?q=1", timeout=5).json() == {"method": "PUT", "q": "1"}
    mock_http.reset()


def test_async_callable(mock_http: MockHTTP) -> None:
    async def slow(request: RecordedRequest) -> str:
        await asyncio.sleep(0.01)
        return f"async {request.path}"

    mock_http.expect("GET", "/a").respond_with(slow)
    assert requests.get(f"{mock_http.url}/a", timeout=5).text == "async /a"
    mock_http.reset()


def test_callable_that_raises_answers_500_and_is_reported(fresh_mock: MockHTTP) -> None:
    def broken(request: RecordedRequest) -> object:
        raise KeyError("customer_id")

    fresh_mock.expect("GET", "/broken").respond_with(broken)
    response = requests.get(f"{fresh_mock.url}/broken", timeout=5)
    assert response.status_code == 500
    assert "KeyError" in response.json()["error"]["message"]
    assert requests.get(f"{fresh_mock.url}/broken", timeout=5).status_code == 500
    with pytest.raises(AssertionError, match="Errors inside the mock") as failure:
        fresh_mock.verify()
    # The responder's own exception is the cause, so pytest shows its traceback.
    cause = failure.value.__cause__
    assert isinstance(cause, KeyError) and cause.args == ("customer_id",)
    assert cause.__traceback__ is not None
    assert "broken" in [frame.name for frame in traceback.extract_tb(cause.__traceback__)]
    fresh_mock.reset()


def test_sse_stream_with_event_names_ids_and_per_event_delay(mock_http: MockHTTP) -> None:
    mock_http.expect("GET", "/events").respond_with_stream(
        [
            SseEvent(data={"n": 1}, event="tick", id="1"),
            SseEvent(data="plain text", delay_ms=150),
            "[DONE]",
        ]
    )
    started = time.monotonic()
    response = requests.get(f"{mock_http.url}/events", timeout=5)
    elapsed = time.monotonic() - started
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert response.text == (
        'event: tick\nid: 1\ndata: {"n":1}\n\ndata: plain text\n\ndata: [DONE]\n\n'
    )
    assert elapsed >= 0.15
    mock_http.reset()


async def test_sse_events_arrive_one_by_one(mock_http: MockHTTP) -> None:
    mock_http.expect("GET", "/slow-events").respond_with_stream(
        [f"e{i}" for i in range(3)]
    ).with_stream_delays(first_event=100, between_events=100)
    arrivals: list[float] = []
    async with httpx.AsyncClient() as client:
        started = time.monotonic()
        async with client.stream("GET", f"{mock_http.url}/slow-events") as response:
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    arrivals.append(time.monotonic() - started)
    assert len(arrivals) == 3
    assert arrivals[0] >= 0.1
    assert arrivals[2] - arrivals[0] >= 0.18
    mock_http.reset()


def test_templates_fill_values_from_the_request(mock_http: MockHTTP) -> None:
    mock_http.expect("POST", "/orders/{id}").respond(
        201,
        json={
            "id": "{{request.path_params.id}}",
            "qty": "{{request.json.items[0].qty}}",
            "who": "{{request.headers.X-User}}",
            "page": "{{request.query.page}}",
            "summary": "order {{request.path_params.id}} by {{request.headers.X-User}}",
        },
        headers={"Location": "/orders/{{request.path_params.id}}"},
        template=True,
    )
    response = requests.post(
        f"{mock_http.url}/orders/77?page=3",
        json={"items": [{"qty": 5}]},
        headers={"X-User": "ann"},
        timeout=5,
    )
    assert response.json() == {
        "id": "77",
        "qty": 5,
        "who": "ann",
        "page": "3",
        "summary": "order 77 by ann",
    }
    assert response.headers["Location"] == "/orders/77"
    mock_http.reset()


def test_bad_templates_and_bodies_are_refused_when_programmed(mock_http: MockHTTP) -> None:
    with pytest.raises(ValidationError, match="unknown template value"):
        mock_http.expect("GET", "/x").respond(json={"a": "{{nope.x}}"}, template=True)
    with pytest.raises(ValidationError, match=r"unknown template value 'request\.method\.x'"):
        mock_http.expect("GET", "/x").respond(body="{{request.method.x}}", template=True)
    with pytest.raises(ValidationError, match="cannot read JSON path"):
        mock_http.expect("GET", "/x").respond(body="a {{request.json.a[*]}}", template=True)
    with pytest.raises(ValidationError, match="give one of json, body"):
        mock_http.expect("GET", "/y").respond(json={"a": 1}, body="x")
    with pytest.raises(ValidationError, match="status"):
        mock_http.expect("GET", "/z").respond(status=99)
    mock_http.reset()


def test_a_header_given_a_list_is_sent_once_per_value(mock_http: MockHTTP) -> None:
    cookies = ["session=abc; Path=/; HttpOnly", "theme=dark; Path=/"]
    mock_http.expect("GET", "/login").respond(
        body="ok", headers={"Set-Cookie": cookies, "X-One": "1"}
    )
    created = requests.post(
        f"{mock_http.url}/__admin/expectations",
        json={
            "matcher": {"kind": "path", "value": "/login-json"},
            "response": {"json": {"ok": True}, "headers": {"Set-Cookie": cookies}},
        },
        timeout=5,
    )
    assert created.status_code == 201, created.text
    for path in ("/login", "/login-json", "/login"):  # the second /login: the cached reply
        with requests.Session() as browser:
            answer = browser.get(f"{mock_http.url}{path}", timeout=5)
            assert answer.raw.headers.getlist("Set-Cookie") == cookies
            assert browser.cookies.get_dict() == {"session": "abc", "theme": "dark"}
    assert mock_http.requests.last.response is not None
    assert mock_http.requests.last.response.more_headers == [("Set-Cookie", c) for c in cookies]
    journal = requests.get(f"{mock_http.url}/__admin/requests", timeout=5).json()
    assert journal["requests"][0]["response"]["more_headers"] == [
        ["Set-Cookie", c] for c in cookies
    ]
    bad = requests.post(
        f"{mock_http.url}/__admin/expectations",
        json={"matcher": {"kind": "path", "value": "/x"}, "response": {"headers": {"A": [1]}}},
        timeout=5,
    )
    assert bad.status_code == 400 and "headers" in bad.json()["error"]["field"]


def test_with_headers_copies_the_reply_and_treats_names_in_any_case_as_one() -> None:
    reply = Reply.json({"ok": True}, 201, {"X-Kind": "a"})
    overridden = reply.with_headers({"x-kind": "b", "X-New": "1"})
    kept = reply.with_headers({"x-kind": "b", "X-New": "1"}, override=False)
    assert overridden.headers == {"Content-Type": "application/json", "x-kind": "b", "X-New": "1"}
    assert kept.headers == {"Content-Type": "application/json", "X-Kind": "a", "X-New": "1"}
    assert reply.headers == {"Content-Type": "application/json", "X-Kind": "a"}
    assert (kept.status, kept.body, kept.document) == (201, reply.body, {"ok": True})


def test_a_stubs_fixed_reply_is_shared_and_never_changed_by_what_follows() -> None:
    """A stub hands out one Reply for every request: the near-miss header of another
    request, or a mock's finishing headers, must land on copies."""
    from mocks.llm import MockLLM

    with MockLLM.start() as llm:
        stub = llm.expect("GET", "/v1/custom").respond(json={"n": 1}, headers={"X-Kind": "a"})
        answers = [requests.get(f"{llm.url}/v1/custom", timeout=5) for _ in range(2)]
        ids = {answer.headers["x-request-id"] for answer in answers}
        assert len(ids) == 2 and all(a.headers["X-Kind"] == "a" for a in answers)
        responder = stub.spec.response
        assert responder is not None
        shared = asyncio.run(responder.reply(None))  # type: ignore[arg-type]
        assert shared.headers == {"X-Kind": "a", "Content-Type": "application/json"}
        recorded = llm.requests[-1].response
        assert recorded is not None
        recorded.headers["X-Kind"] = "edited"  # the journal's copy, not the stub's
        assert requests.get(f"{llm.url}/v1/custom", timeout=5).headers["X-Kind"] == "a"
