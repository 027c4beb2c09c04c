"""`mocks.compat.HTTPServer`: pytest-httpserver's API served by the mocks engine, over real
sockets; werkzeug ``Request``/``Response`` where pytest-httpserver users pass them."""

from __future__ import annotations

import gzip
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer as RealHTTPServer
from werkzeug import Request, Response

from mocks import MockHTTP
from mocks.compat import HandlerType, HTTPServer, HTTPServerError, RequestMatcher, URIPattern


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    with HTTPServer() as running:
        yield running


def test_it_is_served_by_the_engine(server: HTTPServer) -> None:
    assert isinstance(server.mock, MockHTTP) and server.mock.running
    server.expect_request("/foo", method="GET").respond_with_json({"foo": "bar"})
    answer = requests.get(server.url_for("/foo"), timeout=5)
    assert answer.json() == {"foo": "bar"}
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.text == '{\n    "foo": "bar"\n}'  # indented by 4, as pytest-httpserver sends it
    assert [entry.path for entry in server.mock.requests] == ["/foo"]


def test_matching_on_method_data_json_headers_and_query(server: HTTPServer) -> None:
    server.expect_request("/d", method="POST", data="raw").respond_with_data("data")
    server.expect_request("/j", json={"a": [1]}).respond_with_data("json")
    server.expect_request("/h", headers={"X-Key": "k"}).respond_with_data("headers")
    server.expect_request("/q", query_string={"a": "1"}).respond_with_data("query")
    server.expect_request("/s", query_string="a=1&b=2").respond_with_data("query string")
    url = server.url_for
    assert requests.post(url("/d"), data="raw", timeout=5).text == "data"
    assert requests.get(url("/d"), timeout=5).status_code == 500
    assert requests.post(url("/j"), json={"a": [1]}, timeout=5).text == "json"
    assert requests.get(url("/h"), headers={"X-Key": "k"}, timeout=5).text == "headers"
    assert requests.get(url("/q"), params={"a": "1"}, timeout=5).text == "query"
    assert requests.get(url("/q"), params={"a": "1", "b": "2"}, timeout=5).status_code == 500
    assert requests.get(url("/s?a=1&b=2"), timeout=5).text == "query string"
    server.clear_assertions()


@pytest.mark.parametrize("kind", [HTTPServer, RealHTTPServer], ids=["mocks", "pytest-httpserver"])
def test_a_gzipped_body_reaches_matchers_and_handlers_as_sent(kind: type[HTTPServer]) -> None:
    sent = gzip.compress(b"raw")
    with kind() as server:
        server.expect_request("/d", data=sent).respond_with_data("matched as sent")
        server.expect_request("/h").respond_with_handler(
            lambda request: Response(gzip.decompress(request.get_data()))
        )
        gzipped = {"Content-Encoding": "gzip"}
        answer = requests.post(server.url_for("/d"), data=sent, headers=gzipped, timeout=5)
        assert answer.text == "matched as sent"
        answer = requests.post(server.url_for("/h"), data=sent, headers=gzipped, timeout=5)
        assert answer.text == "raw"


def test_uri_patterns_and_regexes(server: HTTPServer) -> None:
    class Suffix(URIPattern):
        def match(self, uri: str) -> bool:
            return uri.endswith(".json")

    server.expect_request(Suffix()).respond_with_data("pattern")
    server.expect_request(re.compile(r"^/items/\d+$")).respond_with_data("regex")
    assert requests.get(server.url_for("/a/b.json"), timeout=5).text == "pattern"
    assert requests.get(server.url_for("/items/42"), timeout=5).text == "regex"


def test_handlers_get_werkzeug_requests_and_return_responses(server: HTTPServer) -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response(request.args["name"].upper(), status=201, headers={"X-Seen": "1"})

    server.expect_request("/h").respond_with_handler(handler)
    server.expect_request("/r").respond_with_response(Response("made", status=202))
    answer = requests.post(server.url_for("/h"), params={"name": "ann"}, json={"k": 1}, timeout=5)
    assert (answer.status_code, answer.text, answer.headers["X-Seen"]) == (201, "ANN", "1")
    assert isinstance(seen[0], Request) and seen[0].get_json() == {"k": 1}
    assert requests.get(server.url_for("/r"), timeout=5).status_code == 202


def test_oneshot_and_ordered_handlers(server: HTTPServer) -> None:
    server.expect_oneshot_request("/once").respond_with_data("first")
    assert requests.get(server.url_for("/once"), timeout=5).text == "first"
    assert requests.get(server.url_for("/once"), timeout=5).status_code == 500
    assert not server.oneshot_handlers
    server.clear()

    server.expect_ordered_request("/1").respond_with_data("one")
    server.expect_ordered_request("/2").respond_with_data("two")
    assert requests.get(server.url_for("/1"), timeout=5).text == "one"
    assert requests.get(server.url_for("/2"), timeout=5).text == "two"
    server.check_assertions()
    server.expect_ordered_request("/3").respond_with_data("three")
    server.expect_ordered_request("/4").respond_with_data("four")
    assert requests.get(server.url_for("/4"), timeout=5).status_code == 500  # out of order
    assert requests.get(server.url_for("/3"), timeout=5).status_code == 500  # failed for good
    with pytest.raises(AssertionError, match="No handler found"):
        server.check_assertions()
    assert server.permanently_failed


def test_no_handler_status_code_log_and_assert_request_made(server: HTTPServer) -> None:
    server.no_handler_status_code = 404
    assert requests.get(server.url_for("/missing"), timeout=5).status_code == 404
    with pytest.raises(AssertionError, match="No handler found for request"):
        server.check_assertions()
    server.expect_request("/hit").respond_with_data("ok")
    requests.get(server.url_for("/hit"), timeout=5)
    request, response = server.log[-1]
    assert (request.path, response.status_code, response.get_data()) == ("/hit", 200, b"ok")
    server.assert_request_made(RequestMatcher("/hit"))
    with pytest.raises(AssertionError, match="found 1 times but expected 2"):
        server.assert_request_made(RequestMatcher("/hit"), count=2)


def test_handler_errors_are_kept_and_raised_by_check(server: HTTPServer) -> None:
    def broken(request: Request) -> Response:
        raise ValueError("handler broke")

    server.expect_request("/broken").respond_with_handler(broken)
    assert requests.get(server.url_for("/broken"), timeout=5).status_code == 500
    with pytest.raises(ValueError, match="handler broke"):
        server.check_handler_errors()
    server.check_handler_errors()  # raised once, then forgotten


def test_lifecycle_errors_and_tls(server: HTTPServer) -> None:
    assert server.is_running()
    with pytest.raises(HTTPServerError):
        server.start()
    server.stop()
    assert not server.is_running()
    with pytest.raises(HTTPServerError):
        server.stop()
    server.start()
    server.expect(RequestMatcher("/again"), HandlerType.PERMANENT).respond_with_data("back")
    assert requests.get(server.url_for("/again"), timeout=5).text == "back"
    with pytest.raises(HTTPServerError, match="TLS"):
        HTTPServer(ssl_context=object())


def test_the_fixtures_are_opt_in_with_p_mocks_compat(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    pytester.makepyfile(
        textwrap.dedent(
            """
            import requests

            def test_client(httpserver):
                httpserver.expect_request("/foo").respond_with_json({"foo": "bar"})
                assert requests.get(httpserver.url_for("/foo")).json() == {"foo": "bar"}
                assert type(httpserver).__module__ == "mocks.compat._server"

            def test_cleared_between_tests(httpserver, make_httpserver):
                assert httpserver is make_httpserver
                assert not httpserver.handlers and not httpserver.log
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "mocks.compat", "-p", "no:pytest_httpserver")
    result.assert_outcomes(passed=2)
    without = pytester.runpytest_subprocess("-p", "no:pytest_httpserver")
    without.assert_outcomes(errors=2)  # no httpserver fixture unless asked for
