"""pytest-httpserver's API on the mocks engine: `HTTPServer` and its fixtures.

A suite written against pytest-httpserver switches with one option, ``-p mocks.compat``
(the plugin is opt-in, so it never collides with pytest-httpserver installed beside it)::

    def test_client(httpserver):
        httpserver.expect_request("/foo").respond_with_json({"foo": "bar"})
        assert requests.get(httpserver.url_for("/foo")).json() == {"foo": "bar"}

Handlers take and return werkzeug's ``Request`` and ``Response``, as in pytest-httpserver;
every request is served by a `MockHTTP` (``server.mock``), the same engine as every mock.
"""

from ._errors import (
    Error,
    HTTPServerError,
    NoHandlerError,
    NoMethodFoundForMatchingHeaderValueError,
)
from ._handlers import HandlerType, RequestHandler, RequestHandlerList
from ._hooks import Chain, Delay, Garbage
from ._matching import (
    METHOD_ALL,
    UNDEFINED,
    URI_DEFAULT,
    BooleanQueryMatcher,
    CaseInsensitiveHeaderValueMatcher,
    HeaderValueMatcher,
    MappingQueryMatcher,
    QueryMatcher,
    RequestMatcher,
    RequestMatcherKwargs,
    StringQueryMatcher,
    URIPattern,
)
from ._plugin import (
    get_httpserver_listen_address,
    httpserver,
    httpserver_ipv4,
    httpserver_ipv6,
    httpserver_listen_address,
    httpserver_ssl_context,
    make_httpserver,
    make_httpserver_ipv4,
    make_httpserver_ipv6,
    pytest_sessionfinish,
)
from ._server import BakedHTTPServer, HTTPServer, Waiting, WaitingSettings

__all__ = [
    "METHOD_ALL",
    "UNDEFINED",
    "URI_DEFAULT",
    "BakedHTTPServer",
    "BooleanQueryMatcher",
    "CaseInsensitiveHeaderValueMatcher",
    "Chain",
    "Delay",
    "Error",
    "Garbage",
    "HTTPServer",
    "HTTPServerError",
    "HandlerType",
    "HeaderValueMatcher",
    "MappingQueryMatcher",
    "NoHandlerError",
    "NoMethodFoundForMatchingHeaderValueError",
    "QueryMatcher",
    "RequestHandler",
    "RequestHandlerList",
    "RequestMatcher",
    "RequestMatcherKwargs",
    "StringQueryMatcher",
    "URIPattern",
    "Waiting",
    "WaitingSettings",
    "get_httpserver_listen_address",
    "httpserver",
    "httpserver_ipv4",
    "httpserver_ipv6",
    "httpserver_listen_address",
    "httpserver_ssl_context",
    "make_httpserver",
    "make_httpserver_ipv4",
    "make_httpserver_ipv6",
    "pytest_sessionfinish",
]
