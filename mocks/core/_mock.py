"""`BaseMock`: one mock server on the shared engine, and the request path every request takes.

read body (bounded) -> journal entry -> request contract check -> match expectations
-> latency, injected error, connection fault -> responder or route (default behaviour)
-> response contract check (checking mode) -> journal entry completed -> write.

A domain mock subclasses it: `service` names its contracts folder, `build_routes`
gives its default behaviour, `error_reply` its error envelope, `sign_callback` its
webhook signature, and methods like ``expect_completion`` build ordinary expectations.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
import os
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from http import HTTPStatus
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import CIMultiDict, MultiDict
from pydantic import BaseModel, ConfigDict, Field

from ._admin import AdminAPI
from ._callback import Callback, Delivery, render_callback
from ._contracts import Contracts, Violation
from ._delays import Delay, as_delay
from ._engine import Engine, NearMiss
from ._expectation import Expectation, ExpectationSpec
from ._faults import ErrorSpec, Fault, FaultSpec, apply_connection_fault
from ._journal import Journal
from ._matchers import Matcher, build_matcher
from ._outbound import Outbound, Signer
from ._reply import Reply, StreamChunk
from ._request import RecordedRequest
from ._responders import ReplyContext, Responder
from ._routes import Route, Router
from ._server import ServerThread
from ._verify import Report, UnmetExpectation, VerificationError
from ._writer import WritePlan, write_reply

ADMIN_PREFIX = "/__admin"


class MockSettings(BaseModel):
    """Mock-wide behaviour, changeable at run time (also over the admin API)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    #: Unmatched requests fail (and `verify()` reports them) instead of falling through.
    strict: bool = False
    #: Status of the error answered to an unmatched request in strict mode.
    strict_status: int = Field(500, ge=400, le=599)
    latency: Delay | None = None
    error: ErrorSpec | None = None
    fault: FaultSpec | None = None


async def _read_body(request: web.BaseRequest, limit: int) -> tuple[bytes, bool]:
    """The body, and whether it was over `limit` bytes (then it is not read in full)."""
    length = request.content_length
    if length is not None and length > limit:
        return b"", True
    if not request.body_exists:
        return b"", False
    parts, size = [], 0
    async for part in request.content.iter_any():
        size += len(part)
        if size > limit:
            return b"", True
        parts.append(part)
    return b"".join(parts), False


class BaseMock:
    """A mock server on the shared engine. Use a subclass (`MockHTTP`, `MockLLM`, ...).

    Example::

        with MockHTTP.start() as mock:
            mock.expect("GET", "/ping").respond(json={"ok": True}).once()
            requests.get(mock.url + "/ping")
            mock.verify()
    """

    #: The folder under ``contracts/`` holding this mock's schemas.
    service: ClassVar[str] = "http"

    def __init__(
        self,
        *,
        seed: int = 0,
        strict: bool = False,
        strict_status: int = 500,
        max_body_size: int = 10 * 1024 * 1024,
        journal_size: int = 10_000,
        check_responses: bool = False,
        latency: float | Delay | None = None,
        error_rate: float | None = None,
        use_uvloop: bool = False,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.settings = MockSettings(strict=strict, strict_status=strict_status)
        self.max_body_size = max_body_size
        self.check_responses = check_responses
        self.requests = Journal(journal_size)
        self.contracts = Contracts(self.service)
        self.log = logging.getLogger(f"mocks.{self.service}")
        self._engine = Engine()
        self._router = Router(self.build_routes())
        self._dispatcher = Outbound()
        self._server = ServerThread(
            self._handle, on_stop=self._dispatcher.close, use_uvloop=use_uvloop, name=self.service
        )
        self._group_ids = itertools.count(1)
        self._local = threading.local()
        self._problem_lock = threading.Lock()
        self._unmatched_reports: list[str] = []
        self._violations: list[str] = []
        self._errors: list[str] = []
        #: Serves ``/__admin/...`` (set by the admin API); None answers those paths as usual.
        self.admin: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]] | None
        self.admin = AdminAPI(self)
        #: Asked before the default behaviour when no expectation matched (record mode proxies
        #: to the real service here); returning None goes on to the routes.
        self.fallback: Callable[[RecordedRequest], Awaitable[Reply | None]] | None = None
        if latency is not None:
            self.with_latency(latency)
        if error_rate is not None:
            self.with_error_rate(error_rate)

    # ---- lifecycle -----------------------------------------------------------------

    @classmethod
    def start(cls, port: int = 0, host: str = "127.0.0.1", **options: Any) -> Self:
        """Create a mock and serve it on host:port (0 picks a free port); returns when ready."""
        mock = cls(**options)
        mock.serve(port, host)
        return mock

    def serve(self, port: int = 0, host: str = "127.0.0.1") -> Self:
        """Start serving this (already created) mock."""
        self._server.start(host, port)
        return self

    def stop(self) -> None:
        """Stop serving: end hanging requests and streams, close the socket, join the thread."""
        self._server.stop()

    def __enter__(self) -> Self:
        if not self._server.running:
            self.serve()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the mock is serving."""
        return self._server.running

    @property
    def host(self) -> str:
        """The address it listens on."""
        return self._server.host

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._server.port

    @property
    def url(self) -> str:
        """Its base URL, without a trailing slash (``http://127.0.0.1:PORT``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # ---- hooks for domain mocks ----------------------------------------------------

    def build_routes(self) -> list[Route]:
        """The default behaviour: routes answered when no expectation matches."""
        return []

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        *,
        field: str | None = None,
    ) -> Reply:
        """An error in this mock's envelope. MockHTTP's: ``{"error": {...}}``."""
        error: dict[str, Any] = {"status": status, "message": message}
        if field is not None:
            error["field"] = field
        return Reply.json({"error": error}, status)

    def precheck(self, request: RecordedRequest, route: Route | None) -> Reply | None:
        """Answer before contracts and expectations (authentication, say); None goes on."""
        return None

    def finish_reply(self, request: RecordedRequest, reply: Reply) -> Reply:
        """Last touch on every reply before it is written (headers every answer carries)."""
        return reply

    def injected_error_reply(
        self, status: int, message: str | None, request: RecordedRequest
    ) -> Reply:
        """The answer to an injected error (`with_error`, error rates); `message` may be None."""
        return self.error_reply(status, message or HTTPStatus(status).phrase, request)

    def contract_error_reply(self, request: RecordedRequest, violation: Violation) -> Reply:
        """The answer to a request that breaks its route's contract (400 by default)."""
        return self.error_reply(400, violation.message, request, field=violation.param)

    def malformed_body_reply(self, request: RecordedRequest, route: Route) -> Reply:
        """The answer to a body that is not the JSON (or form) its route takes."""
        return self.error_reply(400, "the request body is not valid JSON", request, field="body")

    def unmatched_reply(self, request: RecordedRequest, near_miss: NearMiss, status: int) -> Reply:
        """The answer to a request no expectation matched and no route serves."""
        reply = self.error_reply(status, near_miss.explain(request), request)
        if isinstance(reply.document, dict):
            reply = Reply.json(
                {**reply.document, "near_miss": near_miss.to_dict()}, status, reply.headers
            )
        return reply

    def sign_callback(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> dict[str, str]:
        """Sign an outbound callback (domain mocks override); returns the headers to send."""
        return headers

    # ---- programming ---------------------------------------------------------------

    def expect(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        priority: int | None = None,
        **matchers: Any,
    ) -> Expectation:
        """Expect a request; chain `.respond(...)`, `.times(n)`, `.with_latency(...)`, ...

        Matchers come as keywords (`path_regex`, `path_template`, `query`, `headers`,
        `json`, `json_contains`, `json_path`, `body`, `body_contains`, `body_regex`,
        `predicate`) or as a composed ``matcher=``. A path with ``{name}`` is a template.
        """
        spec = ExpectationSpec(matcher=build_matcher(method, path, **matchers))
        if priority is not None:
            spec.priority = priority
        return self.add_expectation(spec)

    def add_expectation(
        self, spec: ExpectationSpec, handle: type[Expectation] = Expectation
    ) -> Expectation:
        """Register an expectation built as data (the admin API and domain sugar use this)."""
        group = getattr(self._local, "group", None)
        if group is not None and spec.ordered_group is None:
            spec.ordered_group = group
        if spec.response is not None:
            self._check_programmed(spec, spec.response)
        expectation = handle(spec, self)
        return self._engine.add(expectation)

    @property
    def expectations(self) -> list[Expectation]:
        """Registered expectations in matching order."""
        return self._engine.expectations

    def remove_expectation(self, expectation: Expectation | str) -> bool:
        """Unregister an expectation (or its id); False when it was not registered."""
        key = expectation if isinstance(expectation, str) else expectation.id
        return self._engine.remove(key)

    @contextlib.contextmanager
    def ordered(self, name: str | None = None) -> Iterator[str]:
        """Expectations added inside the block must be met in the order they were added."""
        group = name or f"ordered-{next(self._group_ids)}"
        previous = getattr(self._local, "group", None)
        self._local.group = group
        try:
            yield group
        finally:
            self._local.group = previous

    def _check_programmed(self, spec: ExpectationSpec, responder: Responder) -> None:
        """Refuse a programmed response that breaks the contract of the route it answers."""
        documents = responder.programmed_documents()
        if not documents:
            return
        route = self._route_for(spec.matcher)
        for status, document in documents:
            schema = route.response_schema if route is not None and status < 400 else None
            if status >= 400:
                schema = self.error_schema
            if schema is not None:
                self.contracts.require(schema, document)

    #: Schema of this mock's error envelope (checked for programmed error responses).
    error_schema: ClassVar[str | None] = None

    def _route_for(self, matcher: Matcher) -> Route | None:
        """The route an expectation answers for, when its matcher names one exact path."""
        for path in sorted(matcher.exact_paths() or ()):
            for method in ("POST", "GET", "PUT", "PATCH", "DELETE"):
                probe = RecordedRequest(method, path, MultiDict(), CIMultiDict())
                differing = {d.field for d in matcher.differences(probe)}
                if "method" in differing or "path" in differing:
                    continue
                found = self._router.resolve(method, path)
                if found is not None:
                    return found[0]
        return None

    def replay(self, path: str | os.PathLike[str], *, timing: bool = False) -> list[Expectation]:
        """Answer from recorded cassette(s) (a file or a directory); see `mocks.core._recording`."""
        from ._recording import replay

        return replay(self, path, timing=timing)

    # ---- mock-wide faults ----------------------------------------------------------

    def with_latency(self, delay: float | Delay | None) -> Self:
        """Delay every response (milliseconds or a delay object; None removes it)."""
        self.settings.latency = None if delay is None else as_delay(delay)
        return self

    def with_error_rate(self, rate: float, status: int = 500, message: str | None = None) -> Self:
        """Answer an error for a seeded, reproducible fraction of all requests."""
        self.settings.error = ErrorSpec(status=status, message=message, rate=rate) if rate else None
        return self

    def with_fault(self, fault: Fault | str | None, *, after: int = 1, rate: float = 1.0) -> Self:
        """Apply a connection fault to every request (or a seeded fraction; None removes it)."""
        self.settings.fault = (
            None if fault is None else FaultSpec(fault=Fault(fault), after=after, rate=rate)
        )
        return self

    def reseed(self, seed: int) -> None:
        """Restart the random generator from `seed`."""
        self.seed = seed
        self.rng.seed(seed)

    # ---- scenarios -----------------------------------------------------------------

    def scenario_state(self, scenario: str) -> str:
        """The current state of a scenario (``"Started"`` until something moves it)."""
        from ._engine import SCENARIO_START

        return self._engine.scenarios.get(scenario, SCENARIO_START)

    def set_scenario_state(self, scenario: str, state: str) -> None:
        """Move a scenario to `state`."""
        self._engine.scenarios[scenario] = state

    # ---- callbacks -----------------------------------------------------------------

    @property
    def callbacks(self) -> list[Delivery]:
        """Every callback delivery so far (with its attempts)."""
        return list(self._dispatcher.deliveries)

    def send(self, url: str, **options: Any) -> Delivery:
        """Push a request from the mock (a webhook of its own); see `Callback` for options."""
        callback = Callback(url=url, **options)
        signer = self.sign_callback if callback.sign else None
        return self._server.call(self._schedule(callback, None, signer))

    async def _schedule(
        self, callback: Callback, request: RecordedRequest | None, signer: Signer | None
    ) -> Delivery:
        delivery = render_callback(callback, request)
        return self._dispatcher.schedule(delivery, callback, signer)

    def wait_for_callbacks(self, timeout: float = 10.0) -> list[Delivery]:
        """Block until every callback so far is delivered or has given up; return them all."""
        deadline = time.monotonic() + timeout
        for delivery in self._dispatcher.pending():
            delivery.wait(max(0.0, deadline - time.monotonic()))
        return self.callbacks

    # ---- journal and verification ---------------------------------------------------

    def reset(self) -> None:
        """Clear expectations, journal, scenario states, mock-wide faults and callbacks."""
        self._engine.clear()
        self.requests.clear()
        self._dispatcher.clear()
        self.settings.latency = None
        self.settings.error = None
        self.settings.fault = None
        self.rng.seed(self.seed)
        with self._problem_lock:
            self._unmatched_reports, self._violations, self._errors = [], [], []

    def report(self) -> Report:
        """What `verify()` would complain about, as data."""
        unmet = [
            UnmetExpectation(e.spec.describe(), e.spec.times, e.call_count)
            for e in self._engine.expectations
            if e.spec.times is not None and e.call_count < e.spec.times
        ]
        with self._problem_lock:
            return Report(
                type(self).__name__,
                unmet,
                list(self._unmatched_reports),
                list(self._violations),
                list(self._engine.order_violations),
                list(self._errors),
            )

    def verify(self) -> None:
        """Raise `VerificationError` (an AssertionError) listing every problem found.

        Problems: expectations whose `times` were not met (expected vs actual), unmatched
        requests with their nearest expectation and the fields that differed, contract
        violations, requests out of order, and errors raised inside responders.
        """
        report = self.report()
        if report:
            raise VerificationError(report)

    def assert_called(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        times: int | None = None,
        **matchers: Any,
    ) -> list[RecordedRequest]:
        """Assert matching requests arrived (exactly `times` of them if given); return them."""
        matcher = build_matcher(method, path, **matchers)
        found = self.requests.filter(matcher)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = "at least 1" if times is None else str(times)
        raise AssertionError(
            f"expected {wanted} request(s) matching {_describe_matcher(matcher)}, "
            f"got {len(found)}" + self._similar(matcher)
        )

    def assert_not_called(
        self, method: str | None = None, path: str | None = None, **matchers: Any
    ) -> None:
        """Assert no request matching arrived."""
        matcher = build_matcher(method, path, **matchers)
        found = self.requests.filter(matcher)
        if found:
            listed = "\n".join(f"  - {r.method} {r.url}" for r in found[:10])
            raise AssertionError(
                f"expected no request matching {_describe_matcher(matcher)}, got {len(found)}:\n"
                + listed
            )

    def assert_called_in_order(self, *matchers: Matcher | dict[str, Any]) -> None:
        """Assert requests matching each matcher arrived in this order (keyword dicts allowed)."""
        built = [m if isinstance(m, Matcher) else build_matcher(**m) for m in matchers]
        entries = self.requests.snapshot()
        position = 0
        for matcher in built:
            while position < len(entries) and not matcher.matches(entries[position]):
                position += 1
            if position == len(entries):
                seen = "\n".join(f"  - {r.method} {r.url}" for r in entries[-20:])
                raise AssertionError(
                    f"no request matching {_describe_matcher(matcher)} after the ones before it "
                    f"in the order given; requests received:\n{seen}"
                )
            position += 1

    def _similar(self, matcher: Matcher) -> str:
        entries = self.requests.snapshot()
        if not entries:
            return "; no requests were received"
        ranked = sorted(entries, key=lambda r: len(matcher.differences(r)))[:3]
        lines = ["; similar requests:"]
        for entry in ranked:
            lines.append(f"  - {entry.method} {entry.url}")
            lines.extend(f"      {d}" for d in matcher.differences(entry))
        return "\n".join(lines)

    def _problem(self, kind: str, text: str) -> None:
        with self._problem_lock:
            target = {"unmatched": self._unmatched_reports, "violation": self._violations}.get(
                kind, self._errors
            )
            if len(target) < 1000:
                target.append(text)

    # ---- the request path (on the mock's loop) ---------------------------------------

    async def _handle(self, http: web.BaseRequest) -> web.StreamResponse:
        if http.path.startswith(ADMIN_PREFIX) and self.admin is not None:
            response: web.StreamResponse = await self.admin(http)
            return response
        started = time.perf_counter()
        body, too_large = await _read_body(http, self.max_body_size)
        entry = RecordedRequest(http.method, http.path, http.query, http.headers, body)
        self.requests.append(entry)
        expectation: Expectation | None = None
        route: Route | None = None
        try:
            if too_large:
                reply = self.error_reply(
                    413, f"request body is larger than {self.max_body_size} bytes", entry
                )
                return await self._write(http, entry, reply, WritePlan(), None, None, started)
            resolved = self._router.resolve(entry.method, entry.path)
            if resolved is not None:
                route, entry.path_params = resolved
            rejected = self.precheck(entry, route)
            if rejected is None and route is not None:
                rejected = self._check_request(entry, route)
            if rejected is not None:
                plan = WritePlan()
                return await self._write(http, entry, rejected, plan, None, route, started)
            expectation = self._engine.match(entry)
            spec = expectation.spec if expectation is not None else None
            if expectation is not None:
                entry.matched = expectation.id
            plan = WritePlan()
            if spec is not None:
                plan.dribble = spec.dribble
                plan.first_event_delay = spec.first_event_delay
                plan.between_events_delay = spec.between_events_delay
            await self._delay(spec)
            error = self._draw_error(spec)
            if error is not None:
                entry.fault = f"error {error.status}"
                reply = self.injected_error_reply(error.status, error.message, entry)
                reply.headers.update(error.headers)
                return await self._write(http, entry, reply, plan, expectation, route, started)
            fault = self._draw_fault(spec)
            if fault is not None:
                entry.fault = fault.fault.value
                if fault.fault is not Fault.STREAM_CUT:
                    entry.duration = time.perf_counter() - started
                    await apply_connection_fault(fault.fault, http, self.rng, self._stopping)
                    return web.Response(status=499)
                plan.cut_after = fault.after
            reply = await self._reply(entry, expectation, route)
            return await self._write(http, entry, reply, plan, expectation, route, started)
        except Exception as exc:  # a responder or route failed: answer, record, keep serving
            self.log.exception("error answering %s %s", entry.method, entry.path)
            self._problem("error", f"{entry.method} {entry.url}: {type(exc).__name__}: {exc}")
            reply = self.error_reply(500, f"the mock failed: {type(exc).__name__}: {exc}", entry)
            return await self._write(http, entry, reply, WritePlan(), None, None, started)

    @property
    def _stopping(self) -> asyncio.Event:
        stopping = self._server.stopping
        assert stopping is not None
        return stopping

    def _check_request(self, entry: RecordedRequest, route: Route) -> Reply | None:
        if route.request_schema is None:
            return None
        if route.body_format == "json":
            if not entry.is_json:
                return self.malformed_body_reply(entry, route)
            document: Any = entry.json
        elif route.body_format == "form":
            document = dict(parse_qsl(entry.text, keep_blank_values=True))
        else:
            document = {k: entry.query[k] for k in entry.query}
        violation = self.contracts.check(route.request_schema, document)
        if violation is None:
            return None
        entry.violations.append(f"request: {violation}")
        self._problem("violation", f"{entry.method} {entry.url}: request: {violation}")
        return self.contract_error_reply(entry, violation)

    async def _delay(self, spec: ExpectationSpec | None) -> None:
        seconds = 0.0
        if self.settings.latency is not None:
            seconds += self.settings.latency.sample(self.rng)
        if spec is not None and spec.latency is not None:
            seconds += spec.latency.sample(self.rng)
        if seconds:
            await asyncio.sleep(seconds)

    def _draw_error(self, spec: ExpectationSpec | None) -> ErrorSpec | None:
        for error in (spec.error if spec is not None else None, self.settings.error):
            if error is not None and (error.rate >= 1 or self.rng.random() < error.rate):
                return error
        return None

    def _draw_fault(self, spec: ExpectationSpec | None) -> FaultSpec | None:
        for fault in (spec.fault if spec is not None else None, self.settings.fault):
            if fault is not None and (fault.rate >= 1 or self.rng.random() < fault.rate):
                return fault
        return None

    async def _reply(
        self, entry: RecordedRequest, expectation: Expectation | None, route: Route | None
    ) -> Reply:
        if expectation is not None and expectation.spec.response is not None:
            context = ReplyContext(entry, self, expectation.spec.matcher)
            return await expectation.spec.response.reply(context)
        if expectation is None and self.fallback is not None:
            fallback = await self.fallback(entry)
            if fallback is not None:
                return fallback
        if expectation is None and self.settings.strict:
            return self._unmatched(entry, self.settings.strict_status)
        if route is not None:
            entry.route = route.name
            result = route.handler(entry)
            return await result if inspect.isawaitable(result) else result
        if expectation is not None:
            return Reply(200)
        allowed = self._router.allows(entry.path)
        if allowed:
            reply = self.error_reply(405, f"{entry.method} is not allowed on {entry.path}", entry)
            reply.headers["Allow"] = ", ".join(allowed)
            return reply
        return self._unmatched(entry, 404)

    def _unmatched(self, entry: RecordedRequest, status: int) -> Reply:
        near_miss = self._engine.near_miss(entry)
        entry.unmatched = True
        entry.near_miss = near_miss.explain(entry)
        self._problem("unmatched", entry.near_miss)
        return self.unmatched_reply(entry, near_miss, status)

    async def _write(
        self,
        http: web.BaseRequest,
        entry: RecordedRequest,
        reply: Reply,
        plan: WritePlan,
        expectation: Expectation | None,
        route: Route | None,
        started: float,
    ) -> web.StreamResponse:
        on_chunk = None
        if self.check_responses and route is not None:
            self._check_response(entry, reply, route)
            if route.stream_schema is not None and reply.stream is not None:
                schema = route.stream_schema

                def on_chunk(chunk: StreamChunk) -> None:
                    if chunk.document is not None:
                        self._record_response_violation(entry, schema, chunk.document)

        reply = self.finish_reply(entry, reply)
        entry.status = reply.status
        entry.duration = time.perf_counter() - started
        if self.log.isEnabledFor(logging.INFO):
            self.log.info(
                "%s %s -> %s %d %.1fms",
                entry.method,
                entry.url,
                entry.matched or entry.route or "unmatched",
                reply.status,
                entry.duration * 1000,
            )
        response = await write_reply(http, reply, plan, self.rng, self._stopping, on_chunk)
        if expectation is not None and expectation.spec.callbacks:
            for callback in expectation.spec.callbacks:
                await self._schedule(callback, entry, self.sign_callback)
        return response

    def _check_response(self, entry: RecordedRequest, reply: Reply, route: Route) -> None:
        if reply.document is None:
            return
        schema = route.response_schema if reply.status < 400 else self.error_schema
        if schema is not None:
            self._record_response_violation(entry, schema, reply.document)

    def _record_response_violation(
        self, entry: RecordedRequest, schema: str, document: Any
    ) -> None:
        violation = self.contracts.check(schema, document)
        if violation is not None:
            entry.violations.append(f"response: {violation}")
            self._problem("violation", f"{entry.method} {entry.url}: response: {violation}")


def _describe_matcher(matcher: Matcher) -> str:
    return ExpectationSpec(id="-", matcher=matcher).describe().removeprefix("- ")


__all__ = ["ADMIN_PREFIX", "BaseMock", "Callback", "MockSettings"]
