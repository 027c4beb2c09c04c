"""Bad admin input gets a 400 naming the field, never a 500, and the mock keeps serving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

ANY = {"kind": "any"}

CASES: list[tuple[str, str, str, Any, str]] = [
    # (name, method, admin path, body (str = raw bytes), field named)
    ("invalid JSON", "POST", "/expectations", '{"matcher": ', "body"),
    ("empty body", "POST", "/expectations", "", "body"),
    ("not an object", "POST", "/expectations", "42", "body"),
    ("unknown matcher kind", "POST", "/expectations", {"matcher": {"kind": "nope"}}, "matcher"),
    ("missing matcher", "POST", "/expectations", {"response": {"status": 200}}, "matcher"),
    ("negative times", "POST", "/expectations", {"matcher": ANY, "times": -1}, "times"),
    ("times of the wrong type", "POST", "/expectations", {"matcher": ANY, "times": "x"}, "times"),
    (
        "nested wrong type",
        "POST",
        "/expectations",
        {"matcher": {"kind": "and", "all": [{"kind": "method", "value": 3}]}},
        "matcher.all[0].value",
    ),
    (
        "bad status",
        "POST",
        "/expectations",
        {"matcher": ANY, "response": {"status": 99}},
        "response.status",
    ),
    (
        "unknown response kind",
        "POST",
        "/expectations",
        {"matcher": ANY, "response": {"kind": "teleport"}},
        "response",
    ),
    ("unknown field", "POST", "/expectations", {"matcher": ANY, "colour": "red"}, "colour"),
    (
        "second of a list",
        "POST",
        "/expectations",
        [{"matcher": ANY}, {"matcher": ANY, "priority": "high"}],
        "[1].priority",
    ),
    (
        "bad regex",
        "POST",
        "/expectations",
        {"matcher": {"kind": "path", "value": "(", "op": "regex"}},
        "matcher",
    ),
    ("matcher filter not a matcher", "POST", "/requests/find", [1, 2], "body"),
    ("matcher filter unknown kind", "POST", "/requests/count", {"kind": "nope"}, "kind"),
    ("limit not a number", "GET", "/requests?limit=ten", None, "limit"),
    ("error rate above 1", "PUT", "/settings", {"error": {"rate": 2}}, "error.rate"),
    ("negative latency", "PUT", "/settings", {"latency": -5}, "latency.fixed.ms"),
    ("seed not an integer", "PUT", "/settings", {"seed": "abc"}, "seed"),
    ("unknown setting", "PUT", "/settings", {"colour": "red"}, "colour"),
    ("scenario state not a string", "PUT", "/scenarios", {"flow": 3}, "flow"),
    ("scenario without a state", "PUT", "/scenarios/flow", {}, "state"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_a_400_naming_the_field(
    shared_mock: Any, method: str, path: str, body: Any, field: str
) -> None:
    mock = shared_mock
    assert mock.admin("POST", "/reset").status_code == 200
    sent = {"data": body} if isinstance(body, str) else {"json": body}
    response = mock.admin(method, path, **({} if body is None else sent))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]
    # Nothing was half-done, and the mock still serves both its API and the admin API.
    assert mock.admin("GET", "/expectations").json()["total"] == 0
    assert mock.admin("GET", "/health").json()["status"] == "ok"
    assert requests.get(f"{mock.url}/anything", timeout=5).status_code == 404


def test_huge_payload_is_a_413_and_the_mock_keeps_serving(
    start_mock: Callable[..., Any],
) -> None:
    mock = start_mock()
    huge = b'{"matcher": {"kind": "any"}, "name": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    response = mock.admin("POST", "/expectations", data=huge)
    assert response.status_code == 413
    assert response.json()["error"]["field"] == "body"
    assert "larger than" in response.json()["error"]["message"]
    assert mock.admin("GET", "/expectations").json()["total"] == 0
    assert mock.admin("GET", "/health").status_code == 200


def test_unknown_admin_route_and_method(start_mock: Callable[..., Any]) -> None:
    mock = start_mock()
    assert mock.admin("GET", "/nothing-here").status_code == 404
    wrong = mock.admin("PATCH", "/expectations")
    assert wrong.status_code == 405
    assert "POST" in wrong.json()["error"]["message"]
    assert mock.admin("DELETE", "/expectations/missing").status_code == 404
