"""Hostile input never breaks a mock: every body at any depth gets the API's 4xx, query
parameters are validated like bodies, and the mock keeps serving and journaling."""

from __future__ import annotations

import pytest
import requests

from mocks.core import BaseMock, Route, available_mocks

DEPTHS = (900, 1_000, 50_000)


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _json_routes(mock: BaseMock) -> list[Route]:
    return [
        route
        for route in mock.state.router
        if route.method in ("POST", "PUT", "PATCH") and "{" not in route.path
    ]


@pytest.mark.parametrize("service", sorted(available_mocks()))
def test_deeply_nested_json_gets_a_4xx_on_every_route(service: str) -> None:
    cls = available_mocks([service])[service]
    with cls.start() as mock:
        if service == "http":
            mock.expect("POST", "/orders", json={"a": 1}).optional()
        routes = _json_routes(mock) or [Route("POST", "/orders", lambda r: None)]
        sent = 0
        for route in routes:
            path = route.path
            takes_json = route.body_format == "json" and route.request_schema is not None
            for depth in DEPTHS:
                answer = requests.post(
                    mock.url + path,
                    data=_nested(depth),
                    headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
                    allow_redirects=False,
                    timeout=10,
                )
                sent += 1
                assert answer.status_code < 500, (path, depth, answer.text[:200])
                if takes_json or service == "http":  # a route reading JSON refuses it
                    assert answer.status_code >= 400, (path, depth, answer.text[:200])
        for admin in ("/__admin/expectations", "/__admin/requests/find"):
            answer = requests.post(mock.url + admin, data=_nested(1_000), timeout=10)
            assert answer.status_code == 400, (admin, answer.text[:200])
        assert len(mock.requests) == sent  # nothing lost from the journal
        assert mock.report().errors == []  # and nothing broke inside
        assert requests.get(f"{mock.url}/__admin/health", timeout=5).status_code == 200


@pytest.mark.parametrize("limit", ["²", "-1", "1e3", "x", "١٢"])
def test_a_bad_limit_is_a_400_naming_it(fresh_mock: BaseMock, limit: str) -> None:
    answer = requests.get(f"{fresh_mock.url}/__admin/requests", params={"limit": limit}, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "limit"
