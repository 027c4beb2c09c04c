"""Bad input to WireMock's admin routes gets WireMock's answer (422 with its ``errors``
envelope and a JSON pointer to the field, or 404), never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mocks import MockHTTP


@pytest.fixture(scope="module")
def admin() -> Iterator[str]:
    with MockHTTP.start(wiremock=True) as mock:
        yield mock.url + "/__admin"


BAD = [
    ("GET", "/mappings?limit=ten", None, 422, "/limit"),
    ("GET", "/requests?limit=-1", None, 422, "/limit"),
    ("POST", "/mappings", {"request": {"method": 7}}, 422, "/request/method"),
    ("POST", "/mappings", {"request": {}, "response": {"status": 900}}, 422, "/response/status"),
    ("POST", "/mappings", {"request": {"urlPath": "/a", "url": "/b"}}, 422, "/request/urlPath"),
    (
        "POST",
        "/mappings/import",
        {"mappings": [{"request": {"cookies": {"a": {"equalToXml": "x"}}}}]},
        422,
        "/mappings/0/request/cookies/a/equalToXml",
    ),
    ("POST", "/mappings/import", {"mappings": [], "importOptions": 3}, 422, "/importOptions"),
    (
        "POST",
        "/requests/count",
        {"queryParameters": {"q": {"before": "x"}}},
        422,
        "/queryParameters/q/before",
    ),
    ("POST", "/requests/find", {"bodyPatterns": {"equalTo": "x"}}, 422, "/bodyPatterns"),
    ("POST", "/near-misses/request-pattern", {"method": ["GET"]}, 422, "/method"),
    ("POST", "/settings", {"fixedDelay": -5}, 422, "/fixedDelay"),
    ("POST", "/settings", {"delayDistribution": {"type": "pareto"}}, 422, "/delayDistribution"),
    ("POST", "/settings", {"slowly": True}, 422, "/slowly"),
    ("PUT", "/scenarios/nowhere/state", {"state": "x"}, 404, None),
    ("GET", "/mappings/00000000-0000-4000-8000-000000000000", None, 404, None),
    ("PUT", "/mappings/00000000-0000-4000-8000-000000000000", {"request": {}}, 404, None),
    ("DELETE", "/mappings/00000000-0000-4000-8000-000000000000", None, 404, None),
    ("GET", "/requests/00000000-0000-4000-8000-000000000000", None, 404, None),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "pointer"), BAD)
def test_bad_input_is_answered_as_wiremock_answers_it(
    admin: str, method: str, path: str, body: Any, status: int, pointer: str | None
) -> None:
    answer = requests.request(method, admin + path, json=body, timeout=5)
    assert answer.status_code == status, answer.text
    if pointer is not None:
        error = answer.json()["errors"][0]
        assert error["source"]["pointer"] == pointer
        assert pointer.rsplit("/", 1)[-1] in error["title"]


def test_a_body_that_is_not_json_is_422(admin: str) -> None:
    for path in ("/mappings", "/requests/count", "/near-misses/request", "/mappings/import"):
        answer = requests.post(admin + path, data="{not json", timeout=5)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["title"].startswith("Error parsing JSON")
