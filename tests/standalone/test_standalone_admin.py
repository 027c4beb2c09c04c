"""Program a standalone mock over its admin API, call it, verify, read the journal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests


def _ping_expectation(times: int = 1) -> dict[str, object]:
    return {
        "id": "ping",
        "matcher": {
            "kind": "and",
            "all": [{"kind": "method", "value": "GET"}, {"kind": "path", "value": "/ping"}],
        },
        "response": {"status": 200, "json": {"ok": True}, "headers": {"X-Mock": "yes"}},
        "times": times,
    }


def test_program_call_verify_and_read_the_journal(start_mock: Callable[..., Any]) -> None:
    mock = start_mock()
    created = mock.admin("POST", "/expectations", json=_ping_expectation(times=2))
    assert created.status_code == 201
    assert created.json()["id"] == "ping"
    assert created.json()["call_count"] == 0

    first = requests.get(f"{mock.url}/ping", timeout=5)
    assert first.json() == {"ok": True}
    assert first.headers["X-Mock"] == "yes"

    unmet = mock.admin("GET", "/verify")
    assert unmet.status_code == 409
    report = unmet.json()
    assert report["ok"] is False
    assert report["unmet"] == [
        {"expectation": report["unmet"][0]["expectation"], "expected": 2, "actual": 1}
    ]
    assert "expected 2 call(s), got 1" in report["report"]

    requests.get(f"{mock.url}/ping", timeout=5)
    held = mock.admin("GET", "/verify")
    assert held.status_code == 200
    assert held.json()["ok"] is True
    assert held.json()["report"] == ""

    journal = mock.admin("GET", "/requests").json()
    assert journal["total"] == 2
    assert [(r["method"], r["path"], r["matched"], r["status"]) for r in journal["requests"]] == [
        ("GET", "/ping", "ping", 200),
        ("GET", "/ping", "ping", 200),
    ]
    assert mock.admin("GET", "/expectations/ping").json()["call_count"] == 2


def test_create_many_list_get_delete(start_mock: Callable[..., Any]) -> None:
    mock = start_mock()
    batch = [
        {"id": "a", "matcher": {"kind": "path", "value": "/a"}, "response": {"body": "A"}},
        {
            "id": "b",
            "matcher": {"kind": "path", "value": "/b/{n}", "op": "template"},
            "response": {"json": {"n": "{{request.path_params.n}}"}, "template": True},
            "priority": 1,
        },
    ]
    created = mock.admin("POST", "/expectations", json=batch)
    assert created.status_code == 201
    assert [e["id"] for e in created.json()["expectations"]] == ["a", "b"]

    listed = mock.admin("GET", "/expectations").json()
    assert [e["id"] for e in listed["expectations"]] == ["b", "a"]  # priority 1 first
    assert requests.get(f"{mock.url}/a", timeout=5).text == "A"
    assert requests.get(f"{mock.url}/b/42", timeout=5).json() == {"n": "42"}

    # What GET returns can be posted back as it is (read-only fields are ignored).
    copy = mock.admin("GET", "/expectations/a").json()
    assert mock.admin("DELETE", "/expectations/a").status_code == 204
    assert mock.admin("GET", "/expectations/a").status_code == 404
    assert requests.get(f"{mock.url}/a", timeout=5).status_code == 404
    assert mock.admin("POST", "/expectations", json=copy).status_code == 201
    assert requests.get(f"{mock.url}/a", timeout=5).text == "A"

    duplicate = mock.admin("POST", "/expectations", json=copy)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["field"] == "id"
    assert mock.admin("DELETE", "/expectations").json() == {"deleted": 2}
    assert mock.admin("GET", "/expectations").json()["total"] == 0


def test_journal_filters_count_clear_and_near_misses(start_mock: Callable[..., Any]) -> None:
    mock = start_mock()
    mock.admin("POST", "/expectations", json=_ping_expectation(times=5))
    requests.get(f"{mock.url}/ping", timeout=5)
    requests.post(f"{mock.url}/orders", json={"qty": 1}, timeout=5)
    requests.post(f"{mock.url}/orders", json={"qty": 2}, timeout=5)
    missed = requests.get(f"{mock.url}/pong", timeout=5)
    assert missed.status_code == 404

    wanted = {
        "kind": "and",
        "all": [
            {"kind": "method", "value": "POST"},
            {"kind": "json", "value": {"qty": 2}, "op": "contains"},
        ],
    }
    found = mock.admin("POST", "/requests/find", json=wanted).json()
    assert [r["json"] for r in found["requests"]] == [{"qty": 2}]
    counted = mock.admin("POST", "/requests/count", json={"kind": "method", "value": "POST"})
    assert counted.json() == {"count": 2}
    newest = mock.admin("GET", "/requests", params={"limit": "1"}).json()
    assert [r["path"] for r in newest["requests"]] == ["/pong"]
    assert newest["total"] == 4

    unmatched = mock.admin("GET", "/requests/unmatched").json()
    assert [r["path"] for r in unmatched["requests"]] == ["/orders", "/orders", "/pong"]
    pong = unmatched["requests"][-1]
    assert pong["nearest"]["nearest"] == "ping"
    assert pong["nearest"]["differences"] == [
        {"field": "path", "expected": "'/ping'", "actual": "'/pong'"}
    ]
    report = mock.admin("GET", "/verify").json()
    assert any("Nearest expectation: ping" in line for line in report["unmatched"])

    assert mock.admin("DELETE", "/requests").json() == {"cleared": 4}
    assert mock.admin("GET", "/requests").json()["total"] == 0


def test_reset_settings_scenarios_and_health(start_mock: Callable[..., Any]) -> None:
    mock = start_mock()
    health = mock.admin("GET", "/health").json()
    assert health["status"] == "ok"
    assert health["url"] == mock.url

    changed = mock.admin(
        "PUT", "/settings", json={"error": {"status": 503, "rate": 1.0}, "seed": 9, "strict": True}
    )
    assert changed.status_code == 200
    assert changed.json()["seed"] == 9
    assert changed.json()["error"]["status"] == 503
    assert requests.get(f"{mock.url}/anything", timeout=5).status_code == 503
    cleared = mock.admin("PUT", "/settings", json={"error": None, "latency": 1})
    assert cleared.json()["latency"] == {"kind": "fixed", "ms": 1.0}
    assert cleared.json()["strict"] is True
    assert mock.admin("GET", "/settings").json()["error"] is None

    steps = [
        {
            "matcher": {"kind": "path", "value": "/state"},
            "response": {"body": state},
            "scenario": "flow",
            "required_state": state,
        }
        for state in ("Started", "paid")
    ]
    mock.admin("POST", "/expectations", json=steps)
    assert mock.admin("GET", "/scenarios").json() == {"scenarios": {"flow": "Started"}}
    assert requests.get(f"{mock.url}/state", timeout=5).text == "Started"
    assert mock.admin("PUT", "/scenarios/flow", json={"state": "paid"}).status_code == 200
    assert requests.get(f"{mock.url}/state", timeout=5).text == "paid"
    assert mock.admin("PUT", "/scenarios", json={"flow": "Started"}).json() == {
        "scenarios": {"flow": "Started"}
    }

    reset = mock.admin("POST", "/reset")
    assert reset.json() == {"reset": True, "expectations": 0}
    assert mock.admin("GET", "/requests").json()["total"] == 0
    assert mock.admin("GET", "/verify").status_code == 200


def test_admin_token_is_required_when_set(start_mock: Callable[..., Any]) -> None:
    mock = start_mock("--admin-token", "s3cret")
    assert mock.admin("GET", "/health").status_code == 401
    wrong = mock.admin("GET", "/health", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = mock.admin("GET", "/health", headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 200
    # The token guards the admin API only; the mocked API answers as before.
    assert requests.get(f"{mock.url}/ping", timeout=5).status_code == 404


def test_one_log_line_per_request(start_mock: Callable[..., Any]) -> None:
    mock = start_mock()
    mock.admin("POST", "/expectations", json=_ping_expectation())
    requests.get(f"{mock.url}/ping", timeout=5)
    requests.get(f"{mock.url}/missing", timeout=5)
    assert mock.stop() == 0
    log = mock.log.read_text()
    assert "GET /ping -> 200 (ping)" in log  # status, then who answered
    assert "GET /missing -> 404 (unmatched)" in log
