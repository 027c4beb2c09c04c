"""`HTTPServer`: pytest-httpserver's server class, served by a `MockHTTP` (the one engine).

Each handler is an engine expectation: its matcher is translated (`engine_matcher`), a
fixed answer is a static engine response, a handler function or post hook a callable
one. pytest-httpserver's dispatch order is expressed with priorities: a guard first
(readiness check, ordered handlers due, permanent failure), then ordered handlers, then
oneshot handlers (``times(1)``) and permanent ones, each in registration order, and a
catch-all last that answers ``no_handler_status_code`` and records the assertion.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import time
import urllib.request
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

from werkzeug import Request, Response

from ..core import Anything, Expectation, ExpectationSpec, Predicate, RecordedRequest, Reply
from ..http import MockHTTP
from ._errors import Error, HTTPServerError
from ._handlers import HandlerType, RequestHandler, RequestHandlerList
from ._matching import METHOD_ALL, UNDEFINED, RequestMatcher
from ._translate import engine_matcher
from ._werkzeug import as_response, programmed_headers, to_reply, to_request, to_response

_ORDERED, _ONESHOT, _PERMANENT, _LAST = 1, 1_000_000, 2_000_000, 1_000_000_000


class WaitingSettings:
    """Defaults of `HTTPServer.wait`."""

    def __init__(
        self,
        raise_assertions: bool = True,
        stop_on_nohandler: bool = True,
        timeout: float = 5,
    ) -> None:
        self.raise_assertions = raise_assertions
        self.stop_on_nohandler = stop_on_nohandler
        self.timeout = timeout


class Waiting:
    """What `HTTPServer.wait` found: `result` and `elapsed_time`."""

    def __init__(self) -> None:
        self._result: bool | None = None
        self._start = time.monotonic()
        self._stop: float | None = None

    def complete(self, result: bool) -> None:
        """Record the outcome."""
        self._result = result
        self._stop = time.monotonic()

    @property
    def result(self) -> bool:
        """Whether every oneshot and ordered handler was used in time."""
        return bool(self._result)

    @property
    def elapsed_time(self) -> float:
        """Seconds the wait took."""
        if self._stop is None:
            raise TypeError("the wait is not complete")
        return self._stop - self._start


@dataclass
class _Registered:
    handler: RequestHandler
    kind: HandlerType
    expectation: Expectation


def _server_error() -> Reply:
    page = "<!doctype html>\n<title>500 Internal Server Error</title>\n"
    return Reply(500, {"Content-Type": "text/html; charset=utf-8"}, page.encode())


class HTTPServer:
    """pytest-httpserver's ``HTTPServer`` on the mocks engine.

    Example::

        with HTTPServer() as server:
            server.expect_request("/foo", method="GET").respond_with_json({"ok": True})
            assert requests.get(server.url_for("/foo")).json() == {"ok": True}
            server.check_assertions()
    """

    DEFAULT_LISTEN_HOST = "localhost"
    DEFAULT_LISTEN_PORT = 0

    def __init__(
        self,
        host: str = DEFAULT_LISTEN_HOST,
        port: int = DEFAULT_LISTEN_PORT,
        ssl_context: Any = None,
        default_waiting_settings: WaitingSettings | None = None,
        *,
        threaded: bool = False,
        startup_timeout: float | None = None,
    ) -> None:
        if ssl_context is not None:
            raise HTTPServerError("TLS is not supported: MockHTTP serves plain HTTP")
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.threaded = threaded
        self.startup_timeout = startup_timeout
        self.default_waiting_settings = default_waiting_settings or WaitingSettings()
        #: The engine serving this server.
        self.mock = MockHTTP()
        self.mock.state.decode_bodies = False  # werkzeug hands a handler the bytes as sent
        self.assertions: list[str | AssertionError] = []
        self.handler_errors: list[Exception] = []
        self.no_handler_status_code = 500
        self.permanently_failed = False
        self._registered: list[_Registered] = []
        self._order = itertools.count()
        self._unlogged: set[int] = set()
        self._readiness_check_pending = False
        self._nohandler_seen = False
        self._install_fixed()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} host={self.host} port={self.port}>"

    # ---- lifecycle -------------------------------------------------------------------

    def is_running(self) -> bool:
        """Whether the server is listening."""
        return self.mock.running

    def start(self) -> None:
        """Start listening (`HTTPServerError` when already running)."""
        if self.is_running():
            raise HTTPServerError("Server is already running")
        self.mock.serve(self.port, self.host)
        self.port = self.mock.port
        self._readiness_check_pending = self.startup_timeout is not None
        try:
            self.wait_for_server_ready()
        except Exception:
            self.stop()
            raise

    def wait_for_server_ready(self) -> None:
        """With a ``startup_timeout``, check that the server answers before returning."""
        if not self._readiness_check_pending:
            return
        with urllib.request.urlopen(self.url_for("/"), timeout=self.startup_timeout) as answer:
            if answer.status != HTTPStatus.OK.value or answer.read() != b"OK":
                raise HTTPServerError(f"Readiness check failed with status code: {answer.status}")

    def stop(self) -> None:
        """Stop listening (`HTTPServerError` when not running)."""
        if not self.is_running():
            raise HTTPServerError("Server is not running")
        self.mock.stop()

    def __enter__(self) -> Self:
        if not self.is_running():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.is_running():
            self.stop()

    @staticmethod
    def format_host(host: str) -> str:
        """`host` as it goes in a URL (an IPv6 address in brackets)."""
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return host
        return host if host.startswith("[") else f"[{host}]"

    def url_for(self, suffix: str) -> str:
        """The server's URL for `suffix` (with or without its leading ``/``)."""
        if not suffix.startswith("/"):
            suffix = "/" + suffix
        return f"http://{self.format_host(self.host)}:{self.port}{suffix}"

    # ---- programming -----------------------------------------------------------------

    def create_matcher(self, *args: Any, **kwargs: Any) -> RequestMatcher:
        """A `RequestMatcher` (override to use your own)."""
        return RequestMatcher(*args, **kwargs)

    def expect(
        self, matcher: RequestMatcher, handler_type: HandlerType = HandlerType.PERMANENT
    ) -> RequestHandler:
        """Register a handler for `matcher`."""
        handler = RequestHandler(matcher)
        self._register(handler, handler_type)
        return handler

    def expect_request(
        self,
        uri: Any,
        method: str = METHOD_ALL,
        data: str | bytes | None = None,
        data_encoding: str = "utf-8",
        headers: Any = None,
        query_string: Any = None,
        header_value_matcher: Any = None,
        handler_type: HandlerType = HandlerType.PERMANENT,
        json: Any = UNDEFINED,
        data_form: Any = None,
    ) -> RequestHandler:
        """Register a handler (permanent unless `handler_type` says otherwise)."""
        options: dict[str, Any] = {"data_form": data_form} if data_form is not None else {}
        matcher = self.create_matcher(
            uri,
            method=method.upper(),
            data=data,
            data_encoding=data_encoding,
            headers=headers,
            query_string=query_string,
            header_value_matcher=header_value_matcher,
            json=json,
            **options,
        )
        return self.expect(matcher, handler_type)

    def expect_oneshot_request(
        self,
        uri: Any,
        method: str = METHOD_ALL,
        data: str | bytes | None = None,
        data_encoding: str = "utf-8",
        headers: Any = None,
        query_string: Any = None,
        header_value_matcher: Any = None,
        json: Any = UNDEFINED,
        data_form: Any = None,
    ) -> RequestHandler:
        """Register a handler that answers once."""
        return self.expect_request(
            uri, method, data, data_encoding, headers, query_string, header_value_matcher,
            HandlerType.ONESHOT, json, data_form,
        )  # fmt: skip

    def expect_ordered_request(
        self,
        uri: Any,
        method: str = METHOD_ALL,
        data: str | bytes | None = None,
        data_encoding: str = "utf-8",
        headers: Any = None,
        query_string: Any = None,
        header_value_matcher: Any = None,
        json: Any = UNDEFINED,
        data_form: Any = None,
    ) -> RequestHandler:
        """Register a handler that answers once, after the ordered ones before it."""
        return self.expect_request(
            uri, method, data, data_encoding, headers, query_string, header_value_matcher,
            HandlerType.ORDERED, json, data_form,
        )  # fmt: skip

    def bake(self, **defaults: Any) -> BakedHTTPServer:
        """A view of this server whose ``expect_*`` calls take `defaults` first."""
        return BakedHTTPServer(self, **defaults)

    def _register(self, handler: RequestHandler, kind: HandlerType) -> None:
        position = next(self._order)
        matcher = engine_matcher(handler.matcher, self._view)
        if kind is HandlerType.ORDERED:
            matcher = matcher & Predicate(
                function=lambda r: self._ordered_head() is handler, description="its turn"
            )
        base = {HandlerType.ORDERED: _ORDERED, HandlerType.ONESHOT: _ONESHOT}.get(kind, _PERMANENT)
        spec = ExpectationSpec(
            matcher=matcher,
            priority=base + position,
            times=None if kind is HandlerType.PERMANENT else 1,
            optional=kind is HandlerType.PERMANENT,
        )
        expectation = self.mock.add_expectation(spec)
        self._registered.append(_Registered(handler, kind, expectation))
        handler.on_change = self._program
        self._program(handler)

    def _program(self, handler: RequestHandler) -> None:
        found = next((r for r in self._registered if r.handler is handler), None)
        if found is None:
            return
        response = handler.response
        if response is not None and not handler.hooks:
            found.expectation.respond(
                response.status_code, body=response.get_data(), headers=programmed_headers(response)
            )
        else:
            found.expectation.respond_with(self._answer(handler))

    # ---- the handlers' state ---------------------------------------------------------

    def _of_kind(self, kind: HandlerType) -> list[RequestHandler]:
        return [
            r.handler
            for r in self._registered
            if r.kind is kind and (kind is HandlerType.PERMANENT or r.expectation.call_count == 0)
        ]

    @property
    def ordered_handlers(self) -> list[RequestHandler]:
        """Ordered handlers not used yet, in order."""
        return self._of_kind(HandlerType.ORDERED)

    @property
    def oneshot_handlers(self) -> RequestHandlerList:
        """Oneshot handlers not used yet."""
        return RequestHandlerList(self._of_kind(HandlerType.ONESHOT))

    @property
    def handlers(self) -> RequestHandlerList:
        """Permanent handlers."""
        return RequestHandlerList(self._of_kind(HandlerType.PERMANENT))

    def _ordered_head(self) -> RequestHandler | None:
        due = self.ordered_handlers
        return due[0] if due else None

    def format_matchers(self) -> str:
        """The registered matchers, as the no-handler report lists them."""
        lines: list[str] = []
        for title, handlers in (
            ("Ordered matchers:", self.ordered_handlers),
            ("Oneshot matchers:", self.oneshot_handlers),
            ("Persistent matchers:", self.handlers),
        ):
            if lines:
                lines.append("")
            lines.append(title)
            lines.extend([f"    {h.matcher!r}" for h in handlers] or ["    none"])
        return "\n".join(lines)

    # ---- answering (on the mock's loop) ------------------------------------------------

    def _view(self, entry: RecordedRequest) -> Request:
        return to_request(entry, self.host, self.port)

    def _answer(self, handler: RequestHandler) -> Any:
        async def answer(entry: RecordedRequest) -> Reply:
            if self.threaded:
                return await asyncio.to_thread(self._call, handler, entry)
            return self._call(handler, entry)

        return answer

    def _call(self, handler: RequestHandler, entry: RecordedRequest) -> Reply:
        request = self._view(entry)
        try:
            return to_reply(as_response(handler.respond(request)))
        except Error:
            pass  # the API's own errors are not the handler's
        except AssertionError as exc:
            self.add_assertion(exc)
        except Exception as exc:
            self.handler_errors.append(exc)
        self._unlogged.add(id(entry))
        return _server_error()

    def _install_fixed(self) -> None:
        guard = ExpectationSpec(
            matcher=Predicate(function=self._guarded, description="pytest-httpserver guard"),
            priority=0,
            optional=True,
        )
        self.mock.add_expectation(guard).respond_with(self._guard_reply)
        last = ExpectationSpec(matcher=Anything(), priority=_LAST, optional=True)
        self.mock.add_expectation(last).respond_with(
            lambda entry: to_reply(self.respond_nohandler(self._view(entry)))
        )

    def _guarded(self, entry: RecordedRequest) -> bool:
        if self._readiness_check_pending or self.permanently_failed:
            return True
        head = self._ordered_head()
        return head is not None and not head.matcher.match(self._view(entry))

    def _guard_reply(self, entry: RecordedRequest) -> Reply:
        if self._readiness_check_pending:
            self._readiness_check_pending = False
            return to_reply(Response(HTTPStatus.OK.phrase, status=HTTPStatus.OK.value))
        if self.permanently_failed:
            return to_reply(self.respond_permanent_failure())
        self.permanently_failed = True
        return to_reply(self.respond_nohandler(self._view(entry)))

    def respond_nohandler(self, request: Request, extra_message: str = "") -> Response:
        """The answer to a request no handler takes; records the assertion too."""
        self._nohandler_seen = True
        text = f"No handler found for request {request!r} with data {request.get_data()!r}."
        text += self.format_matchers() + extra_message
        self.add_assertion(text)
        return Response(text, self.no_handler_status_code)

    def respond_permanent_failure(self) -> Response:
        """The answer once an ordered handler was missed."""
        self.add_assertion("All requests will be permanently failed due failed ordered handler")
        return Response("No handler found for this request", 500)

    # ---- checks --------------------------------------------------------------------

    def add_assertion(self, obj: str | AssertionError) -> None:
        """Keep an assertion for `check_assertions`."""
        self.assertions.append(obj)

    def check_assertions(self) -> None:
        """Raise the first kept assertion (and forget it)."""
        if self.assertions:
            assertion = self.assertions.pop(0)
            if isinstance(assertion, AssertionError):
                raise assertion
            raise AssertionError(assertion)

    def check_handler_errors(self) -> None:
        """Raise the first exception a handler raised (and forget it)."""
        if self.handler_errors:
            raise self.handler_errors.pop(0)

    def check(self) -> None:
        """`check_assertions`, then `check_handler_errors`."""
        self.check_assertions()
        self.check_handler_errors()

    @contextlib.contextmanager
    def with_check(self) -> Generator[Self, None, None]:
        """`check` when the block ends without an exception."""
        yield self
        self.check()

    # ---- the log ---------------------------------------------------------------------

    @property
    def log(self) -> list[tuple[Request, Response]]:
        """(request, response) of every request answered, oldest first."""
        pairs = []
        for entry in self.mock.requests.snapshot():
            if id(entry) in self._unlogged:
                continue
            _, served = self.mock.serve_log.event(entry)
            response = to_response(served.status, served.headers, served.body)
            pairs.append((self._view(entry), response))
        return pairs

    def iter_matching_requests(self, matcher: RequestMatcher) -> Iterable[tuple[Request, Response]]:
        """Log entries whose request matches `matcher`."""
        return [(request, response) for request, response in self.log if matcher.match(request)]

    def get_matching_requests_count(self, matcher: RequestMatcher) -> int:
        """How many log entries match `matcher`."""
        return len(list(self.iter_matching_requests(matcher)))

    def assert_request_made(self, matcher: RequestMatcher, *, count: int = 1) -> None:
        """Assert exactly `count` requests matched (listing similar ones when not)."""
        __tracebackhide__ = True
        found = self.get_matching_requests_count(matcher)
        if found == count:
            return
        lines = [
            f"Matching request found {found} times but expected {count} times.",
            f"Expected request: {matcher}",
        ]
        similar = [request for request, _ in self.log if request.path == matcher.uri]
        if similar:
            lines.append(f"Found {len(similar)} similar request(s):")
            for request in similar:
                lines += [
                    "--- Similar Request Start",
                    f"Path: {request.path}",
                    f"Method: {request.method}",
                    f"Body: {request.get_data()!r}",
                    f"Headers: {request.headers}",
                    f"Query String: {request.query_string.decode('utf-8')!r}",
                    "--- Similar Request End",
                ]
        else:
            lines.append("No similar requests found.")
        raise AssertionError("\n".join(lines) + "\n")

    # ---- clearing --------------------------------------------------------------------

    def clear_assertions(self) -> None:
        """Forget kept assertions."""
        self.assertions = []

    def clear_handler_errors(self) -> None:
        """Forget kept handler exceptions."""
        self.handler_errors = []

    def clear_log(self) -> None:
        """Forget the log."""
        self.mock.requests.clear()
        self.mock.serve_log.clear()
        self._unlogged.clear()

    def clear_all_handlers(self) -> None:
        """Forget every handler."""
        for registered in self._registered:
            self.mock.remove_expectation(registered.expectation)
        self._registered = []

    def clear(self) -> None:
        """Forget handlers, assertions, errors and the log; leave permanent failure."""
        self.clear_assertions()
        self.clear_handler_errors()
        self.clear_log()
        self.no_handler_status_code = 500
        self.clear_all_handlers()
        self.permanently_failed = False

    # ---- waiting ---------------------------------------------------------------------

    def _used(self) -> int:
        return sum(
            r.expectation.call_count
            for r in self._registered
            if r.kind is not HandlerType.PERMANENT
        )

    @contextlib.contextmanager
    def wait(
        self,
        raise_assertions: bool | None = None,
        stop_on_nohandler: bool | None = None,
        timeout: float | None = None,
    ) -> Generator[Waiting, None, None]:
        """Wait, after the block, until every oneshot and ordered handler was used (or a
        request found no handler, with `stop_on_nohandler`, or `timeout` passed)."""
        defaults = self.default_waiting_settings
        raising = defaults.raise_assertions if raise_assertions is None else raise_assertions
        stopping = defaults.stop_on_nohandler if stop_on_nohandler is None else stop_on_nohandler
        limit = defaults.timeout if timeout is None else timeout
        self._nohandler_seen = False
        used = self._used()
        waiting = Waiting()
        yield waiting
        deadline = time.monotonic() + limit
        while True:
            if stopping and self._nohandler_seen:
                waiting.complete(result=False)
                break
            if self._used() > used and not self.oneshot_handlers and not self.ordered_handlers:
                waiting.complete(result=True)
                break
            if time.monotonic() >= deadline:
                waiting.complete(result=False)
                if raising:
                    raise AssertionError(
                        f"Wait timeout occurred, but some handlers left:\n{self.format_matchers()}"
                    )
                break
            time.sleep(0.005)
        if raising and not waiting.result:
            self.check_assertions()


class BakedHTTPServer:
    """An `HTTPServer` whose ``expect_*`` calls start from baked-in keyword arguments."""

    def __init__(self, server: HTTPServer, **defaults: Any) -> None:
        self._server = server
        self._defaults = defaults
        self._depth = 0
        self._started = False

    def expect_request(self, uri: Any, **kwargs: Any) -> RequestHandler:
        """`HTTPServer.expect_request` with the baked defaults."""
        return self._server.expect_request(uri, **{**self._defaults, **kwargs})

    def expect_oneshot_request(self, uri: Any, **kwargs: Any) -> RequestHandler:
        """`HTTPServer.expect_oneshot_request` with the baked defaults."""
        return self._server.expect_oneshot_request(uri, **{**self._defaults, **kwargs})

    def expect_ordered_request(self, uri: Any, **kwargs: Any) -> RequestHandler:
        """`HTTPServer.expect_ordered_request` with the baked defaults."""
        return self._server.expect_ordered_request(uri, **{**self._defaults, **kwargs})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)

    def bake(self, **defaults: Any) -> BakedHTTPServer:
        """A further view with more defaults (the newer win)."""
        return BakedHTTPServer(self._server, **{**self._defaults, **defaults})

    def __enter__(self) -> Self:
        if self._depth == 0:  # only the outermost block may start (and so stop) the server
            self._started = not self._server.is_running()
            self._server.__enter__()
        self._depth += 1
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._depth -= 1
        if self._depth == 0 and self._started:
            self._started = False
            self._server.__exit__(*exc_info)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} defaults={self._defaults!r} server={self._server!r}>"


__all__ = ["BakedHTTPServer", "HTTPServer", "Waiting", "WaitingSettings"]
