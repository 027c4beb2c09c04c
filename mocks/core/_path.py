"""The request path: every request every mock receives, step by step, in one place.

    read body (bounded) -> journal entry -> route -> precheck -> request contract
    -> match expectations -> latency, injected error, connection fault
    -> responder, fallback or route -> response contract (checking mode)
    -> journal entry completed -> write -> callbacks

One `Exchange` carries the request through the steps. A route or responder may raise
`ReplyError(reply)` to answer `reply`; any other exception answers 500 in the mock's
envelope and is kept (with its traceback) for `verify()`. The mock's hooks reach the
path through the small `PathHooks` protocol, so this module knows nothing of the facade.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from ._callback import Callback, Delivery, render_callback
from ._codings import ACCEPTED, UnreadableBody, decoded_body
from ._contracts import Violation
from ._delays import sleep_at_least
from ._engine import NearMiss
from ._expectation import Expectation, ExpectationSpec
from ._faults import ErrorSpec, Fault, FaultSpec, apply_connection_fault, cut_connection
from ._outbound import Signer
from ._redact import Redactor
from ._reply import Reply, ReplyError, StreamChunk
from ._request import RecordedRequest, ResponseRecord
from ._responders import ReplyContext, ResponderHost
from ._routes import Route
from ._state import SCOPE_HEADER, MockState
from ._wire import WireRequest
from ._writer import PLAIN, WritePlan, send_whole, write_reply

ADMIN_PREFIX = "/__admin"

_Draw = TypeVar("_Draw", ErrorSpec, FaultSpec)
#: The request log never shows an API key or token a query string carries.
_LOG_REDACTOR = Redactor()

#: Serves ``/__admin/...`` on the mock's own port (it writes its own response).
AdminHandler = Callable[[WireRequest], Awaitable[None]]
#: Asked before the default behaviour when no expectation matched (record mode); None
#: goes on to the routes.
Fallback = Callable[[RecordedRequest], Awaitable[Reply | None]]


class PathHooks(ResponderHost, Protocol):
    """The hooks of a mock that the request path calls (see `mocks.core.MockHooks`)."""

    fallback: Fallback | None

    def precheck(self, request: RecordedRequest, route: Route | None) -> Reply | None: ...

    def scope_key(self, request: RecordedRequest) -> str | None: ...

    def finish_reply(self, request: RecordedRequest, reply: Reply) -> Reply: ...

    def injected_error_reply(
        self, status: int, message: str | None, request: RecordedRequest
    ) -> Reply: ...

    def contract_error_reply(self, request: RecordedRequest, violation: Violation) -> Reply: ...

    def malformed_body_reply(self, request: RecordedRequest, route: Route) -> Reply: ...

    def unmatched_reply(
        self, request: RecordedRequest, near_miss: NearMiss, status: int
    ) -> Reply: ...

    def sign_callback(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> dict[str, str]: ...


@dataclass(slots=True)
class Exchange:
    """One request on its way through the path, and what the path decided so far."""

    http: WireRequest
    entry: RecordedRequest
    started: float
    #: Why the body cannot be read (too large, or in a coding the mock cannot undo).
    unreadable: UnreadableBody | None = None
    route: Route | None = None
    expectation: Expectation | None = None
    plan: WritePlan = PLAIN
    #: The journal entry is settled (its answer counted and trimmed).
    settled: bool = False
    #: Why the answer is what it is, for the request log ("exp-3", "route", ...).
    outcome: str = "route"

    @property
    def spec(self) -> ExpectationSpec | None:
        """The matched expectation's spec, if any."""
        return self.expectation.spec if self.expectation is not None else None


class RequestPath:
    """Answers requests for one mock: its state, its hooks, its admin API and its stop signal."""

    def __init__(
        self,
        state: MockState,
        hooks: PathHooks,
        admin: AdminHandler | None,
        stopping: Callable[[], asyncio.Event],
    ) -> None:
        self.state = state
        self.hooks = hooks
        self.admin = admin
        self._stopping = stopping

    async def handle(self, http: WireRequest) -> None:
        """The server's handler: admin routes, or the request path."""
        if self.admin is not None and http.path.startswith(ADMIN_PREFIX):
            await self.admin(http)
            return
        exchange = await self._receive(http)
        try:
            await self._through(exchange)
        finally:
            if not exchange.settled:
                self.state.scope(exchange.entry.scope).journal.settle(exchange.entry)

    async def _through(self, exchange: Exchange) -> None:
        """Answer, then write; failures on the way are answers too."""
        http = exchange.http
        try:
            reply = await self._answer(exchange)
        except ReplyError as raised:
            reply = raised.reply
        except Exception as exc:  # a route or responder failed: answer, keep it, keep serving
            reply = self._failed(exchange, exc)
        if reply is None:  # a connection fault already dealt with the connection
            return
        try:
            await self._write(exchange, reply)
        except Exception as exc:  # a stream that failed while being written
            self._failed(exchange, exc)
            if http.response.started:
                cut_connection(http)
                return
            await self._write(exchange, self._failure_reply(exchange, exc))

    # ---- the steps ---------------------------------------------------------------------

    async def _receive(self, http: WireRequest) -> Exchange:
        """Read the body (bounded) and journal the request before anything can fail."""
        started = time.perf_counter()
        limit = self.state.max_body_size
        body, too_large = await http.read_body(limit)
        unreadable = None
        if too_large:
            message = f"request body is larger than {limit} bytes"
            unreadable = UnreadableBody(413, message, "too large")
        elif self.state.decode_bodies:
            try:
                body = decoded_body(body, http.headers, limit)
            except UnreadableBody as exc:  # journaled as it came
                unreadable = exc
        entry = RecordedRequest(http.method, http.path, http.query, http.headers, body)
        entry.raw_query = http.raw_query
        entry.scope = self._scope_of(entry)
        self.state.scope(entry.scope).journal.append(entry)
        return Exchange(http, entry, started, unreadable)

    def _scope_of(self, entry: RecordedRequest) -> str:
        """The ``X-Mock-Scope`` header, else the scope the mock's credential names."""
        named = entry.headers.get(SCOPE_HEADER)
        if named:
            return named
        if not self.state.has_named_scopes:
            return ""
        return self.state.existing_scope(self.hooks.scope_key(entry))

    async def _answer(self, exchange: Exchange) -> Reply | None:
        """Every step up to the reply; None when a connection fault took over."""
        state, entry = self.state, exchange.entry
        unreadable = exchange.unreadable
        if unreadable is not None:
            exchange.outcome = unreadable.outcome
            reply = self.hooks.error_reply(unreadable.status, unreadable.message, entry)
            if unreadable.status == 415:  # RFC 9110: the codings the server does accept
                reply = reply.with_headers({"Accept-Encoding": ACCEPTED})
            return reply
        resolved = state.router.resolve(entry.method, entry.path)
        if resolved is not None:
            exchange.route, entry.path_params = resolved
        rejected = self.hooks.precheck(entry, exchange.route)
        if rejected is not None:
            exchange.outcome = "refused"
            return rejected
        if exchange.route is not None:
            rejected = self._check_request(entry, exchange.route)
            if rejected is not None:
                exchange.outcome = "contract"
                return rejected
        expectation = exchange.expectation = state.scope(entry.scope).match(entry)
        spec = expectation.spec if expectation is not None else None
        if spec is not None:
            entry.matched = spec.id
            exchange.outcome = spec.id
            if spec.dribble or spec.first_event_delay or spec.between_events_delay:
                exchange.plan = WritePlan(
                    spec.dribble, spec.first_event_delay, spec.between_events_delay
                )
        if state.settings.latency is not None or (spec is not None and spec.latency is not None):
            await self._delay(spec)
        error = self._draw(spec.error if spec else None, state.settings.error)
        if error is not None:
            return self._injected_error(exchange, error)
        fault = self._draw(spec.fault if spec else None, state.settings.fault)
        if fault is not None:
            entry.fault = fault.fault.value
            exchange.outcome = f"fault {fault.fault.value}"
            if fault.fault is not Fault.STREAM_CUT:
                entry.duration = time.perf_counter() - exchange.started
                await apply_connection_fault(
                    fault.fault, exchange.http, state.rng, self._stopping()
                )
                return None
            exchange.plan = replace(exchange.plan, cut_after=fault.after)
        return await self._respond(exchange)

    def _check_request(self, entry: RecordedRequest, route: Route) -> Reply | None:
        """The contract step: None when the request holds (or its route serves it anyway)."""
        if route.request_schema is None:
            return None
        if route.body_format == "json":
            if not entry.is_json:
                return (
                    None if route.serve_invalid else self.hooks.malformed_body_reply(entry, route)
                )
            document: Any = entry.json
        elif route.body_format == "form":
            document = {name: entry.form[name] for name in entry.form}
            document.update({f.name: f.filename or "" for f in entry.files})
        else:
            document = {name: entry.query[name] for name in entry.query}
        violation = self.state.contracts.check(route.request_schema, document)
        if violation is None:
            return None
        self._violation(entry, f"request: {violation}")
        return None if route.serve_invalid else self.hooks.contract_error_reply(entry, violation)

    async def _delay(self, spec: ExpectationSpec | None) -> None:
        """The mock-wide latency plus the expectation's."""
        seconds = 0.0
        latency = self.state.settings.latency
        if latency is not None:
            seconds += latency.sample(self.state.rng)
        if spec is not None and spec.latency is not None:
            seconds += spec.latency.sample(self.state.rng)
        if seconds:
            await sleep_at_least(seconds)

    def _draw(self, own: _Draw | None, mock_wide: _Draw | None) -> _Draw | None:
        """The expectation's error (or fault), else the mock-wide one, at their seeded rates."""
        for candidate in (own, mock_wide):
            if candidate is not None and (
                candidate.rate >= 1 or self.state.rng.random() < candidate.rate
            ):
                return candidate
        return None

    def _injected_error(self, exchange: Exchange, error: ErrorSpec) -> Reply:
        exchange.entry.fault = f"error {error.status}"
        exchange.outcome = f"injected {error.status}"
        reply = self.hooks.injected_error_reply(error.status, error.message, exchange.entry)
        return reply.with_headers(error.headers) if error.headers else reply

    async def _respond(self, exchange: Exchange) -> Reply:
        """The matched expectation's responder, else the fallback, the route, or an error."""
        entry, expectation, route = exchange.entry, exchange.expectation, exchange.route
        if expectation is not None and expectation.spec.response is not None:
            context = ReplyContext(entry, self.hooks, expectation.spec.matcher)
            return await expectation.spec.response.reply(context)
        if expectation is None and self.hooks.fallback is not None:
            fallback = await self.hooks.fallback(entry)
            if fallback is not None:
                exchange.outcome = "fallback"
                return fallback
        if expectation is None and self.state.settings.strict:
            return self._unmatched(exchange, self.state.settings.strict_status)
        if route is not None:
            entry.route = route.name
            result = route.handler(entry)
            return await result if inspect.isawaitable(result) else result
        if expectation is not None:
            return Reply(200)
        allowed = self.state.router.allows(entry.path)
        if allowed:
            exchange.outcome = "not allowed"
            reply = self.hooks.error_reply(
                405, f"{entry.method} is not allowed on {entry.path}", entry
            )
            return reply.with_headers({"Allow": ", ".join(allowed)})
        return self._unmatched(exchange, 404)

    def _unmatched(self, exchange: Exchange, status: int) -> Reply:
        entry = exchange.entry
        scope = self.state.scope(entry.scope)
        near_miss = scope.near_miss(entry)
        entry.unmatched = True
        entry.near_miss = near_miss.explain(entry)
        exchange.outcome = "unmatched"
        scope.problems.unmatched_request(entry.near_miss)
        reply = self.hooks.unmatched_reply(entry, near_miss, status)
        return reply.with_headers({"X-Mock-Near-Miss": near_miss.summary()})

    def _failed(self, exchange: Exchange, exc: Exception) -> Reply:
        """Keep an exception raised inside the mock and answer 500."""
        entry = exchange.entry
        self.state.log.error("error answering %s %s", entry.method, entry.path, exc_info=exc)
        text = f"{entry.method} {entry.url}: {type(exc).__name__}: {exc}"
        self.state.scope(entry.scope).problems.failure(text, exc)
        exchange.outcome = "failed"
        return self._failure_reply(exchange, exc)

    def _failure_reply(self, exchange: Exchange, exc: Exception) -> Reply:
        message = f"the mock failed: {type(exc).__name__}: {exc}"
        exchange.plan = PLAIN
        return self.hooks.error_reply(500, message, exchange.entry)

    # ---- writing ------------------------------------------------------------------------

    async def _write(self, exchange: Exchange, reply: Reply) -> None:
        """Check (in checking mode), finish, journal and write the reply; then its callbacks."""
        entry, route = exchange.entry, exchange.route
        check = None
        if self.state.check_responses and route is not None:
            check = self._check_response(entry, reply, route)
        reply = self.hooks.finish_reply(entry, reply)
        entry.status = reply.status
        entry.duration = time.perf_counter() - exchange.started
        record = entry.response = ResponseRecord(
            # a copy: a stub's reply (and its headers) serve every request it answers
            reply.status,
            dict(reply.headers),
            reply.body,
            more_headers=reply.more_headers or (),
        )
        log = self.state.log
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s %s -> %d (%s) %.1fms",
                entry.method,
                _LOG_REDACTOR.url(entry.url) if entry.query else entry.path,
                reply.status,
                exchange.outcome,
                entry.duration * 1000,
            )
        on_chunk = None
        if reply.stream is not None:
            chunks = record.chunks = []

            def on_chunk(chunk: StreamChunk) -> None:
                chunks.append(chunk.data)
                if check is not None:
                    check(chunk)

        if reply.stream is None and not exchange.plan.chunked:
            # One write: the journal and the callbacks are ready before the client reads.
            self.state.scope(entry.scope).journal.settle(entry)
            exchange.settled = True
            self._schedule_callbacks(exchange, reply)
            send_whole(exchange.http, reply)
            return
        await write_reply(
            exchange.http, reply, exchange.plan, self.state.rng, self._stopping(), on_chunk
        )
        self._schedule_callbacks(exchange, reply)

    def _schedule_callbacks(self, exchange: Exchange, reply: Reply) -> None:
        """The matched expectation's callbacks, then the reply's own."""
        spec = exchange.spec
        if not reply.callbacks and (spec is None or not spec.callbacks):
            return
        callbacks = [*(spec.callbacks if spec else ()), *reply.callbacks]
        for callback in callbacks:
            self.schedule(callback, exchange.entry)

    def _check_response(
        self, entry: RecordedRequest, reply: Reply, route: Route
    ) -> Callable[[StreamChunk], None] | None:
        """Check a generated reply against its contract; returns the per-chunk check."""
        if reply.document is not None:
            schema = route.response_schema if reply.status < 400 else self.state.error_schema
            if schema is not None:
                self.check_document(entry, schema, reply.document, "response")
        stream_schema = route.stream_schema
        if stream_schema is None or reply.stream is None:
            return None

        def check(chunk: StreamChunk) -> None:
            if chunk.document is not None:
                self.check_document(entry, stream_schema, chunk.document, "response")

        return check

    def check_document(self, entry: RecordedRequest, schema: str, document: Any, part: str) -> None:
        """Check one document against a schema and note a violation on the entry."""
        violation = self.state.contracts.check(schema, document)
        if violation is not None:
            self._violation(entry, f"{part}: {violation}")

    def _violation(self, entry: RecordedRequest, text: str) -> None:
        entry.violations.append(text)
        self.state.scope(entry.scope).problems.violation(f"{entry.method} {entry.url}: {text}")

    # ---- outbound -----------------------------------------------------------------------

    def schedule(self, callback: Callback, request: RecordedRequest | None) -> Delivery:
        """Start delivering a callback (on the mock's loop), signed when it asks to be."""
        delivery = render_callback(callback, request)
        signer: Signer | None = self.hooks.sign_callback if callback.sign else None
        return self.state.outbound.schedule(delivery, callback, signer)

    # ---- checking recorded exchanges (the contracts checker) ----------------------------

    def check_recorded(
        self, entry: RecordedRequest, status: int, document: Any, stream_documents: list[Any]
    ) -> list[str] | None:
        """Contract violations of a recorded exchange; None when no route serves its path.

        A request the real service refused (4xx) may break the contract: that is why it
        was refused, so only its response is checked.
        """
        resolved = self.state.router.resolve(entry.method, entry.path)
        if resolved is None:
            return None
        route, entry.path_params = resolved
        rejected = self._check_request(entry, route)
        if 400 <= status < 500:
            entry.violations.clear()
        elif rejected is not None and not entry.violations:
            entry.violations.append("request: the body is not the JSON or form its route takes")
        if stream_documents and route.stream_schema is not None and status < 400:
            for item in stream_documents:
                self.check_document(entry, route.stream_schema, item, "response")
        elif document is not None:
            schema = route.response_schema if status < 400 else self.state.error_schema
            if schema is not None:
                self.check_document(entry, schema, document, "response")
        return entry.violations


__all__ = ["ADMIN_PREFIX", "Exchange", "PathHooks", "RequestPath"]
