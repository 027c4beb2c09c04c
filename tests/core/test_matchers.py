"""Matchers: each kind over a real socket, composition, serialization and differences."""

from __future__ import annotations

import pytest
import requests
from pydantic import ValidationError

from mocks import (
    And,
    Body,
    Header,
    JsonBody,
    JsonPath,
    Matcher,
    Method,
    MockHTTP,
    Not,
    Or,
    Path,
    Query,
)
from mocks.core import parse_matcher


def _status(mock: MockHTTP, method: str, path: str, **kwargs: object) -> int:
    return requests.request(method, f"{mock.url}{path}", timeout=5, **kwargs).status_code  # type: ignore[arg-type]


def test_method_and_exact_path(mock_http: MockHTTP) -> None:
    mock_http.expect("POST", "/items").respond(201)
    assert _status(mock_http, "POST", "/items") == 201
    assert _status(mock_http, "GET", "/items") == 404
    assert _status(mock_http, "POST", "/items/") == 404
    mock_http.reset()


def test_path_regex_and_template_with_captures(mock_http: MockHTTP) -> None:
    mock_http.expect("GET", path_regex=r"^/files/.+\.txt$").respond(body="text")
    mock_http.expect("GET", "/users/{user_id}/orders/{order:[0-9]+}").respond(
        json={"user": "{{request.path_params.user_id}}", "order": "{{request.path_params.order}}"},
        template=True,
    )
    assert requests.get(f"{mock_http.url}/files/a/b.txt", timeout=5).text == "text"
    assert requests.get(f"{mock_http.url}/users/u1/orders/42", timeout=5).json() == {
        "user": "u1",
        "order": "42",
    }
    assert _status(mock_http, "GET", "/users/u1/orders/abc") == 404
    mock_http.reset()


def test_query_and_headers(mock_http: MockHTTP) -> None:
    mock_http.expect("GET", "/search", query={"q": "cats"}, headers={"X-Team": "blue"}).respond(
        body="found"
    )
    ok = requests.get(
        f"{mock_http.url}/search",
        params={"q": "cats", "page": "2"},
        headers={"x-team": "blue"},
        timeout=5,
    )
    assert ok.text == "found"
    assert _status(mock_http, "GET", "/search?q=dogs", headers={"X-Team": "blue"}) == 404
    assert _status(mock_http, "GET", "/search?q=cats") == 404
    mock_http.reset()


def test_multi_valued_query_matches_any_value(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect(matcher=Query(name="tag", value="b")).respond(body="yes")
    assert requests.get(f"{fresh_mock.url}/t?tag=a&tag=b", timeout=5).text == "yes"


def test_json_equal_partial_and_json_path(mock_http: MockHTTP) -> None:
    mock_http.expect("POST", "/eq", json={"a": 1, "b": [1, 2]}).respond(body="eq")
    mock_http.expect("POST", "/partial", json_contains={"user": {"name": "ann"}}).respond(
        body="partial"
    )
    mock_http.expect("POST", "/path", json_path={"$.items[-1].id": 9}).respond(body="path")
    url = mock_http.url
    assert requests.post(f"{url}/eq", json={"b": [1, 2], "a": 1}, timeout=5).text == "eq"
    assert _status(mock_http, "POST", "/eq", json={"a": 1, "b": [1, 2], "c": 3}) == 404
    assert (
        requests.post(
            f"{url}/partial", json={"user": {"name": "ann", "age": 3}, "x": 1}, timeout=5
        ).text
        == "partial"
    )
    assert _status(mock_http, "POST", "/partial", json={"user": {"name": "bob"}}) == 404
    assert requests.post(f"{url}/path", json={"items": [{"id": 1}, {"id": 9}]}, timeout=5).text == (
        "path"
    )
    assert _status(mock_http, "POST", "/path", json={"items": [{"id": 9}, {"id": 1}]}) == 404
    assert _status(mock_http, "POST", "/path", data="not json") == 404
    mock_http.reset()


def test_text_body_contains_and_regex(mock_http: MockHTTP) -> None:
    mock_http.expect("POST", "/t", body_contains="hello").respond(body="contains")
    mock_http.expect("POST", "/r", body_regex=r"^id=\d+$").respond(body="regex")
    assert requests.post(f"{mock_http.url}/t", data="oh hello there", timeout=5).text == "contains"
    assert requests.post(f"{mock_http.url}/r", data="id=12", timeout=5).text == "regex"
    assert _status(mock_http, "POST", "/r", data="id=x") == 404
    mock_http.reset()


def test_predicate(mock_http: MockHTTP) -> None:
    mock_http.expect(predicate=lambda r: len(r.body) > 3).respond(body="long")
    assert requests.post(f"{mock_http.url}/any", data="12345", timeout=5).text == "long"
    assert _status(mock_http, "POST", "/any", data="12") == 404
    mock_http.reset()


def test_and_or_not_compose(fresh_mock: MockHTTP) -> None:
    matcher = (
        (Method(value="GET") | Method(value="HEAD"))
        & Path(value="/c")
        & ~Header(name="x-debug", op="present")
    )
    fresh_mock.expect(matcher=matcher).respond(204)
    assert _status(fresh_mock, "GET", "/c") == 204
    assert _status(fresh_mock, "HEAD", "/c") == 204
    assert _status(fresh_mock, "GET", "/c", headers={"x-debug": "1"}) == 404
    assert _status(fresh_mock, "POST", "/c") == 404
    fresh_mock.reset()


def test_lookup_ops() -> None:
    from multidict import CIMultiDict, MultiDict

    from mocks import RecordedRequest

    request = RecordedRequest(
        "GET", "/v1/chat", MultiDict({"a": "hello"}), CIMultiDict({"X-Id": "abc-123"}), b"{}"
    )
    assert Path(value="/v1", op="startswith").matches(request)
    assert Path(value="chat", op="endswith").matches(request)
    assert Query(name="a", value="ell", op="contains").matches(request)
    assert Header(name="x-id", value=r"\d{3}$", op="regex").matches(request)
    assert Header(name="x-missing", op="absent").matches(request)
    assert not Header(name="x-id", op="absent").matches(request)
    assert JsonBody(value={}).matches(request)
    assert JsonPath(path="$.nope", op="absent").matches(request)


def test_matchers_round_trip_through_json() -> None:
    matcher = (Method(value="POST") & Path(value="/a/{id}", op="template")) & Not(
        matcher=Or(any=[Body(value="x", op="contains"), JsonPath(path="a.b[0]", value=1)])
    )
    data = matcher.model_dump(mode="json")
    rebuilt = parse_matcher(data)
    assert isinstance(rebuilt, And)
    assert rebuilt.model_dump(mode="json") == data
    assert isinstance(rebuilt.all[-1], Not)


def test_bad_matchers_are_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="regular expression"):
        Path(value="(", op="regex")
    with pytest.raises(ValueError, match="unknown matcher kind 'nope'"):
        parse_matcher({"kind": "nope"})
    with pytest.raises(ValidationError, match="path"):
        JsonPath(path="$.a[*]", value=1)
    with pytest.raises(ValidationError, match="op"):
        Matcher.registry["header"].model_validate({"kind": "header", "name": "a", "op": "like"})


def test_differences_name_each_field(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("POST", "/orders", headers={"X-Key": "k"}, json_path={"$.qty": 2})
    response = requests.post(f"{fresh_mock.url}/orders", json={"qty": 3}, timeout=5)
    assert "near_miss" not in response.json()  # the envelope stays the mock's own
    assert response.headers["X-Mock-Near-Miss"].endswith(
        "header[X-Key]: expected 'k', got nothing; json $.qty: expected 2, got 3"
    )
    [entry] = requests.get(f"{fresh_mock.url}/__admin/requests/unmatched", timeout=5).json()[
        "requests"
    ]
    fields = {d["field"]: (d["expected"], d["actual"]) for d in entry["nearest"]["differences"]}
    assert fields == {"header[X-Key]": ("'k'", "nothing"), "json $.qty": ("2", "3")}
    fresh_mock.reset()
