"""The sequence diagram of a mock's traffic, and its Mermaid export (what the dashboard draws
and what the pytest plugin attaches to a failing test's report)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from mocks import MockHTTP
from mocks.core import SequenceDiagram, traffic_diagram
from mocks.llm import MockLLM

KEY = {"Authorization": "Bearer sk-test"}


def test_requests_replies_callbacks_and_a_near_miss_in_mermaid(fresh_mock: MockHTTP) -> None:
    with MockHTTP.start() as receiver:
        receiver.expect("POST", "/hooks/order").respond_with_sequence(
            [{"status": 503}, {"status": 200}]
        )
        order = fresh_mock.expect("POST", "/orders").respond(201, json={"id": 1})
        order.with_callback(receiver.url + "/hooks/order", json={"event": "created"}, backoff_ms=20)
        requests.post(f"{fresh_mock.url}/orders", json={"sku": "A-1"}, timeout=5)
        fresh_mock.wait_for_callbacks(timeout=5)
        requests.get(f"{fresh_mock.url}/orders/7?x=1", timeout=5)

        diagram = traffic_diagram([fresh_mock])

    assert diagram.mermaid() == (
        "sequenceDiagram\n"
        "    participant sut as system under test\n"
        "    participant mock_http as http\n"
        "    sut->>mock_http: POST /orders\n"
        f"    mock_http-->>sut: 201 {order.id}\n"
        "    mock_http-)sut: POST /hooks/order\n"
        "    sut-->>mock_http: 503\n"
        "    mock_http-)sut: POST /hooks/order (attempt 2)\n"
        "    sut-->>mock_http: 200\n"
        "    sut->>mock_http: GET /orders/7?x=1\n"
        "    mock_http-->>sut: 404 unmatched\n"
        f"    Note over mock_http: unmatched: nearest {order.id}, method, path differed\n"
    )
    problems = [(s.kind, s.text) for s in diagram.steps if s.problem]
    assert problems == [
        ("reply", "503"),
        ("reply", "404 unmatched"),
        ("note", f"unmatched: nearest {order.id}, method, path differed"),
    ]


def test_mermaid_syntax_in_paths_is_written_as_entity_codes(fresh_mock: MockHTTP) -> None:
    requests.get(f"{fresh_mock.url}/a;b%23c%3Cd%3E", timeout=5)
    lines = traffic_diagram([fresh_mock]).mermaid().splitlines()
    assert lines[3] == "    sut->>mock_http: GET /a#59;b#35;c#60;d#62;"


def test_a_connection_fault_is_an_arrow_that_ends_in_a_cross(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/boom").with_fault("CONNECTION_RESET_BY_PEER")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fresh_mock.url}/boom", timeout=5)
    diagram = traffic_diagram([fresh_mock])
    assert diagram.mermaid().splitlines()[-1] == (
        "    mock_http--xsut: fault CONNECTION_RESET_BY_PEER"
    )
    assert diagram.steps[-1].lost and diagram.steps[-1].problem


def test_a_stream_and_a_contract_violation_across_two_mocks(fresh_mock: MockHTTP) -> None:
    with MockLLM.start() as llm:
        body: dict[str, Any] = {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "hi"}],
        }
        requests.post(
            f"{llm.url}/v1/chat/completions", json={**body, "stream": True}, headers=KEY, timeout=5
        )
        requests.post(
            f"{llm.url}/v1/chat/completions", json={"model": "gpt-4o-mini"}, headers=KEY, timeout=5
        )
        chunks = len(llm.requests[0].response.chunks or [])  # type: ignore[union-attr]
        diagram = traffic_diagram([fresh_mock, llm])
    lines = diagram.mermaid().splitlines()
    assert lines[1:4] == [
        "    participant sut as system under test",
        "    participant mock_http as http",  # used, never called: still a lifeline
        "    participant mock_llm as llm",
    ]
    assert chunks > 2
    assert lines[4:7] == [
        "    sut->>mock_llm: POST /v1/chat/completions",
        f"    mock_llm-->>sut: 200 route, streamed ({chunks} chunks)",
        "    sut->>mock_llm: POST /v1/chat/completions",
    ]
    assert lines[7] == "    mock_llm-->>sut: 400 contract"
    assert re.fullmatch(
        r"    Note over mock_llm: contract violation: request: .*messages.*", lines[8]
    )


def test_the_diagram_of_one_test_leaves_out_the_others(fresh_mock: MockHTTP) -> None:
    fresh_mock.dashboard.traffic.begin_test("tests/test_a.py::test_one")
    requests.get(f"{fresh_mock.url}/one", timeout=5)
    fresh_mock.reset()  # the journal forgets; the dashboard keeps it, labelled
    fresh_mock.dashboard.traffic.begin_test("tests/test_a.py::test_two")
    requests.get(f"{fresh_mock.url}/two", timeout=5)

    one = traffic_diagram([fresh_mock], test="tests/test_a.py::test_one")
    two = traffic_diagram([fresh_mock], test="tests/test_a.py::test_two")
    assert [s.text for s in one.steps if s.kind == "request"] == ["GET /one"]
    assert [s.text for s in two.steps if s.kind == "request"] == ["GET /two"]
    assert len(fresh_mock.requests) == 1


def test_the_page_draws_the_same_diagram_as_the_plugin(fresh_mock: MockHTTP) -> None:
    fresh_mock.dashboard.traffic.begin_test("t1")
    requests.get(f"{fresh_mock.url}/ping", timeout=5)
    answer = requests.get(f"{fresh_mock.url}/__admin/ui/sequence", params={"test": "t1"}, timeout=5)
    assert answer.status_code == 200
    document = answer.json()
    assert document["mermaid"] == traffic_diagram([fresh_mock], test="t1").mermaid()
    assert [p["id"] for p in document["participants"]] == ["sut", "mock_http"]
    assert [(s["kind"], s["source"], s["target"]) for s in document["steps"][:2]] == [
        ("request", "sut", "mock_http"),
        ("reply", "mock_http", "sut"),
    ]
    record = document["steps"][0]["record"]
    shown = requests.get(f"{fresh_mock.url}/__admin/ui/traffic/{record}", timeout=5).json()
    assert shown["path"] == "/ping"


def test_an_empty_diagram_is_still_valid_mermaid() -> None:
    assert SequenceDiagram.of([]).mermaid() == (
        "sequenceDiagram\n    participant sut as system under test\n"
    )
