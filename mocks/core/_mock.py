"""`BaseMock`: the facade a test holds. Lifecycle, programming, verification, outbound calls.

It puts the layers together: a `MockState` (what the mock knows), a `RequestPath` (how
it answers), an `AdminAPI` (the same over HTTP) and a `ServerThread` (where it runs).
The hooks a domain mock overrides are declared once, in `MockHooks`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import logging
import os
import random
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, Self

from ._admin import AdminAPI, AdminRoute
from ._admin_routes import EngineAdmin
from ._callback import Callback, Delivery
from ._contracts import Contracts
from ._dashboard import Dashboard
from ._delays import Delay, as_delay
from ._engine import SCENARIO_START
from ._expectation import Expectation, ExpectationSpec
from ._faults import ErrorSpec, Fault, FaultSpec
from ._hooks import MockHooks
from ._journal import Journal
from ._matchers import Matcher, build_matcher
from ._path import Fallback, RequestPath
from ._request import RecordedRequest
from ._server import ServerThread
from ._state import MockSettings, MockState
from ._verify import Report, VerificationError

StubSource = str | os.PathLike[str]


class BaseMock(MockHooks):
    """A mock server on the shared engine. Use a subclass (`MockHTTP`, `MockLLM`, ...).

    Example::

        with MockHTTP.start() as mock:
            mock.expect("GET", "/ping").respond(json={"ok": True}).once()
            requests.get(mock.url + "/ping")
            mock.verify()
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        strict: bool = False,
        strict_status: int = 500,
        max_body_size: int = 10 * 1024 * 1024,
        journal_size: int = 10_000,
        journal_bytes: int = 64 * 1024 * 1024,
        check_responses: bool = False,
        latency: float | Delay | None = None,
        error_rate: float | None = None,
        use_uvloop: bool | None = None,
        stubs: StubSource | Sequence[StubSource] | None = None,
        admin_token: str | None = None,
        allow_remote_admin: bool = False,
        idle_timeout: float = 60.0,
    ) -> None:
        self.state = MockState(
            self.service,
            self.build_routes(),
            seed=seed,
            error_schema=self.error_schema,
            max_body_size=max_body_size,
            journal_size=journal_size,
            journal_bytes=journal_bytes,
            check_responses=check_responses,
        )
        self.state.settings.strict = strict
        self.state.settings.strict_status = strict_status
        #: The live dashboard (``/__admin/ui``) and the traffic history it shows.
        self.dashboard = Dashboard(self)
        #: Asked before the default behaviour when no expectation matched (record mode
        #: proxies to the real service here); returning None goes on to the routes.
        self.fallback: Fallback | None = None
        #: Serves ``/__admin/...``: the engine's routes and `admin_routes()` (a mock's route
        #: with the method and path of an engine route replaces it).
        own = self.admin_routes()
        taken = {(route.method, route.path) for route in own}
        engine = [r for r in self.engine_admin_routes() if (r.method, r.path) not in taken]
        self.admin = AdminAPI([*engine, *own], max_body_size=max_body_size, token=admin_token)
        #: Serve on a non-loopback address without an admin token (anyone who reaches the
        #: port can then reprogram the mock): off unless asked for.
        self.allow_remote_admin = allow_remote_admin
        self._path = RequestPath(self.state, self, self.admin, self._stopping)
        self._server = ServerThread(
            self._path.handle,
            on_stop=self.state.outbound.close,
            use_uvloop=use_uvloop,
            name=self.service,
            idle_timeout=idle_timeout,
        )
        self._group_ids = itertools.count(1)
        self._local = threading.local()
        if latency is not None:
            self.with_latency(latency)
        if error_rate is not None:
            self.with_error_rate(error_rate)
        self.state.keep_settings()  # what every reset goes back to
        for source in [stubs] if isinstance(stubs, str | os.PathLike) else stubs or ():
            self.load_stubs(source)

    # ---- lifecycle -------------------------------------------------------------------

    @classmethod
    def start(cls, port: int = 0, host: str = "127.0.0.1", **options: Any) -> Self:
        """Create a mock and serve it on host:port (0 picks a free port); returns when ready."""
        mock = cls(**options)
        mock.serve(port, host)
        return mock

    def serve(self, port: int = 0, host: str = "127.0.0.1") -> Self:
        """Start serving this (already created) mock; `OSError` names the address on failure.

        A non-loopback `host` needs an admin token (``admin_token=``, ``--admin-token``):
        without one anybody on the network could reprogram the mock, so it is refused
        with `PermissionError` unless ``allow_remote_admin=True`` says that is intended.
        """
        if not _loopback(host) and self.admin.token is None and not self.allow_remote_admin:
            raise PermissionError(
                f"refusing to serve on {host}: the admin API (/__admin) would be open to the "
                "network; set an admin token (admin_token=..., --admin-token, "
                "$MOCKS_ADMIN_TOKEN) or allow it explicitly (allow_remote_admin=True, "
                "--allow-remote-admin)"
            )
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

    def _stopping(self) -> asyncio.Event:
        stopping = self._server.stopping
        assert stopping is not None
        return stopping

    # ---- what the mock knows --------------------------------------------------------

    @property
    def requests(self) -> Journal:
        """The journal: every request received, oldest first."""
        return self.state.journal

    @property
    def settings(self) -> MockSettings:
        """Mock-wide settings (strict mode, latency, error rate, fault)."""
        return self.state.settings

    @property
    def rng(self) -> random.Random:
        """The seeded generator of behaviour (error rates, delays, generated content):
        the same seed draws the same in every instance; `reset()` restarts it."""
        return self.state.rng

    @property
    def ids(self) -> random.Random:
        """The generator of ids, tokens and secrets: the same tests in the same order
        draw the same ones, but no other instance and no earlier reset did."""
        return self.state.ids

    @property
    def seed(self) -> int:
        """The seed of `rng`."""
        return self.state.seed

    @property
    def contracts(self) -> Contracts:
        """This mock's compiled contracts (``contracts/<service>/``)."""
        return self.state.contracts

    @contracts.setter
    def contracts(self, contracts: Contracts) -> None:
        self.state.contracts = contracts

    @property
    def check_responses(self) -> bool:
        """Checking mode: generated replies are validated against the contracts too."""
        return self.state.check_responses

    @property
    def log(self) -> logging.Logger:
        """The mock's logger (``mocks.<service>``)."""
        return self.state.log

    # ---- programming ----------------------------------------------------------------

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
        `predicate`, `custom_method`) or as a composed ``matcher=``. A path with
        ``{name}`` is a template. Unless it says otherwise (`.times(n)`, `.optional()`),
        `verify()` wants it matched at least once.
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
        return self.state.add(spec, handle)

    @property
    def expectations(self) -> list[Expectation]:
        """Registered expectations in matching order."""
        return self.state.engine.expectations

    def remove_expectation(self, expectation: Expectation | str) -> bool:
        """Unregister an expectation (or its id); False when it was not registered."""
        key = expectation if isinstance(expectation, str) else expectation.id
        return self.state.engine.remove(key)

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

    def replay(self, path: str | os.PathLike[str], *, timing: bool = False) -> list[Expectation]:
        """Answer from recorded cassette(s) (a file or a directory); every reset keeps them."""
        from ._recording import replay  # the cassette machinery loads when first used

        added = replay(self, path, timing=timing)
        self.state.keep([e.spec for e in added])
        return added

    def load_stubs(self, path: str | os.PathLike[str]) -> list[Expectation]:
        """Load JSON/YAML stub files (a file or a directory); every reset keeps them."""
        from ._stubs import add_stubs  # YAML loads when a stub file is first read

        return add_stubs(self, path)

    # ---- mock-wide faults ------------------------------------------------------------

    def with_latency(self, delay: float | Delay | None) -> Self:
        """Delay every response (milliseconds or a delay object; None removes it)."""
        self.state.settings.latency = None if delay is None else as_delay(delay)
        return self

    def with_error_rate(self, rate: float, status: int = 500, message: str | None = None) -> Self:
        """Answer an error for a seeded, reproducible fraction of all requests."""
        error = ErrorSpec(status=status, message=message, rate=rate) if rate else None
        self.state.settings.error = error
        return self

    def with_fault(self, fault: Fault | str | None, *, after: int = 1, rate: float = 1.0) -> Self:
        """Apply a connection fault to every request (or a seeded fraction; None removes it)."""
        self.state.settings.fault = (
            None if fault is None else FaultSpec(fault=Fault(fault), after=after, rate=rate)
        )
        return self

    def reseed(self, seed: int) -> None:
        """Restart the random generator from `seed`."""
        self.state.reseed(seed)

    # ---- scenarios -------------------------------------------------------------------

    def scenario_state(self, scenario: str) -> str:
        """The current state of a scenario (``"Started"`` until something moves it)."""
        return self.state.engine.scenarios.get(scenario, SCENARIO_START)

    def set_scenario_state(self, scenario: str, state: str) -> None:
        """Move a scenario to `state`."""
        self.state.engine.scenarios[scenario] = state

    # ---- outbound requests -----------------------------------------------------------

    @property
    def callbacks(self) -> list[Delivery]:
        """Every callback delivery so far (with its attempts)."""
        return list(self.state.outbound.deliveries)

    def send(self, url: str, **options: Any) -> Delivery:
        """Push a request from the mock (a webhook of its own); see `Callback` for options.

        Safe from the test's thread and from a route handler or responder on the mock's
        own loop (there it schedules and returns at once); wait with `Delivery.wait()`
        (or ``await delivery.wait_async()`` on the loop).
        """
        callback = Callback(url=url, **options)
        if self._server.on_loop_thread():
            return self._path.schedule(callback, None)
        return self._server.call(self._schedule(callback))

    async def _schedule(self, callback: Callback) -> Delivery:
        return self._path.schedule(callback, None)

    def wait_for_callbacks(self, timeout: float = 10.0) -> list[Delivery]:
        """Block until every callback so far is delivered or has given up; return them all."""
        deadline = time.monotonic() + timeout
        for delivery in self.state.outbound.pending():
            delivery.wait(max(0.0, deadline - time.monotonic()))
        return self.callbacks

    # ---- reset and verification -------------------------------------------------------

    def reset(self, *, keep_stubs: bool = True) -> None:
        """Clear expectations, journal, scenario states, mock-wide faults, callbacks and
        problems, and reseed; stubs loaded from files and replayed cassettes come back
        unless ``keep_stubs=False`` (then they are forgotten). ``POST /__admin/reset``
        does the same. Deliveries still retrying are stopped (they belong to the test
        before), and settings changed at run time (strict mode, say) go back to the ones
        the mock was created with. Domain mocks extend it to restore their own state."""
        self.dashboard.traffic.sync()  # the dashboard keeps what the journal forgets
        if self._server.running and not self._server.on_loop_thread():
            self._server.call(self.state.outbound.cancel_running())
        self.state.reset(keep_baseline=keep_stubs)

    def report(self) -> Report:
        """What `verify()` would complain about, as data."""
        return self.state.report(type(self).__name__)

    def verify(self) -> None:
        """Raise `VerificationError` (an AssertionError) listing every problem found.

        Problems: expectations not met (registered ones must match at least once unless
        `.optional()` or `.times(n)` says otherwise), unmatched requests with their nearest
        expectation and the fields that differed, contract violations, requests out of
        order, and exceptions raised inside responders or routes (the first one is the
        error's ``__cause__``, so its own traceback is shown).
        """
        __tracebackhide__ = True
        report = self.report()
        if report:
            raise VerificationError(report) from self.state.first_failure()

    def assert_called(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        times: int | None = None,
        **matchers: Any,
    ) -> list[RecordedRequest]:
        """Assert matching requests arrived (exactly `times` of them if given); return them."""
        __tracebackhide__ = True
        return self.requests.assert_called(build_matcher(method, path, **matchers), times)

    def assert_not_called(
        self, method: str | None = None, path: str | None = None, **matchers: Any
    ) -> None:
        """Assert no request matching arrived."""
        __tracebackhide__ = True
        self.requests.assert_not_called(build_matcher(method, path, **matchers))

    def assert_called_in_order(self, *matchers: Matcher | dict[str, Any]) -> None:
        """Assert requests matching each matcher arrived in this order (keyword dicts allowed)."""
        __tracebackhide__ = True
        built = [m if isinstance(m, Matcher) else build_matcher(**m) for m in matchers]
        self.requests.assert_called_in_order(built)

    # ---- surfaces --------------------------------------------------------------------

    def engine_admin_routes(self) -> list[AdminRoute]:
        """The engine's own admin routes (a mock's `admin_routes()` may wrap some)."""
        return [*EngineAdmin(self).routes(), *self.dashboard.routes()]

    def openapi(self) -> dict[str, Any]:
        """The admin API's OpenAPI document (served at ``/__admin/openapi.json``)."""
        from ._openapi import openapi_document  # built when first asked for

        server = self.url if self.running else "/"
        return openapi_document(type(self).__name__, server, self.admin.routes)

    def contract_violations(
        self,
        request: RecordedRequest,
        status: int,
        document: Any = None,
        stream_documents: Sequence[Any] = (),
    ) -> list[str] | None:
        """The contract violations of a recorded exchange (a cassette's, say), checked as
        the request path checks live traffic; None when no route serves its path."""
        return self._path.check_recorded(request, status, document, list(stream_documents))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


__all__ = ["BaseMock"]
