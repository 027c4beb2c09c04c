"""`MockState`: everything one mock knows, in one place below the request path and the facade.

Settings, the expectations (`Engine`), the journal, the contracts, the route table, the
seeded generator, outbound deliveries, the problems `verify()` reports and the reset
baseline (expectations loaded from stub files or cassettes, restored on every reset).
Expectations, journal and problems live in a `Scope`: the default one, and named ones
that parallel test workers sharing one standalone server pick with ``X-Mock-Scope``.
The request path, the admin API and the facade all read and change the mock through it.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import traceback
from dataclasses import dataclass
from typing import Any, ClassVar

from multidict import CIMultiDict, MultiDict
from pydantic import BaseModel, ConfigDict, Field

from ._contracts import Contracts
from ._delays import Delay
from ._engine import Engine, NearMiss
from ._expectation import Expectation, ExpectationSpec
from ._faults import ErrorSpec, FaultSpec
from ._journal import MAX_JOURNAL_BYTES, Journal, JournalBudget
from ._matchers import Matcher
from ._outbound import Outbound
from ._request import RecordedRequest
from ._responders import Responder
from ._routes import Route, Router
from ._verify import Report, UnmetExpectation

#: Numbers the mocks made in this process (`MockState.instance`).
_INSTANCES = itertools.count()
#: How many problems of each kind are kept for the report.
MAX_PROBLEMS = 1000
#: The header that puts a request, or an admin call, in a named scope.
SCOPE_HEADER = "X-Mock-Scope"
#: How many named scopes one mock keeps (the oldest goes first).
MAX_SCOPES = 1000
#: The longest scope name an admin call may use.
MAX_SCOPE_NAME = 200


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


@dataclass(frozen=True, slots=True)
class Failure:
    """An exception raised while answering a request, kept with its traceback."""

    text: str
    exception: BaseException

    @property
    def formatted(self) -> str:
        """The traceback as Python prints it."""
        return "".join(traceback.format_exception(self.exception))


class Problems:
    """What went wrong so far: unmatched requests, contract violations, failures."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.unmatched: list[str] = []
        self.violations: list[str] = []
        self.failures: list[Failure] = []

    def unmatched_request(self, text: str) -> None:
        """Note a request no expectation and no route answered."""
        self._keep(self.unmatched, text)

    def violation(self, text: str) -> None:
        """Note a contract violation."""
        self._keep(self.violations, text)

    def failure(self, text: str, exception: BaseException) -> None:
        """Note an exception raised inside the mock (a responder's, say)."""
        self._keep(self.failures, Failure(text, exception))

    def _keep(self, target: list[Any], item: Any) -> None:
        with self._lock:
            if len(target) < MAX_PROBLEMS:
                target.append(item)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self.unmatched, self.violations, self.failures = [], [], []

    def snapshot(self) -> tuple[list[str], list[str], list[Failure]]:
        """Copies of the three lists."""
        with self._lock:
            return list(self.unmatched), list(self.violations), list(self.failures)


class Scope:
    """Expectations, journal and problems of one scope of a mock.

    Every mock has the default scope. A request or an admin call carrying
    ``X-Mock-Scope: NAME`` works in scope NAME instead: its own expectations, journal and
    `verify()` report, so parallel test workers can share one standalone server without
    seeing each other's traffic. Routes (the default behaviour) and settings are shared.
    """

    #: The header that names a scope.
    HEADER: ClassVar[str] = SCOPE_HEADER
    #: The longest name an admin call may use.
    MAX_NAME: ClassVar[int] = MAX_SCOPE_NAME

    def __init__(self, state: MockState, name: str) -> None:
        self.state = state
        self.name = name
        self.engine = Engine()
        self.journal = Journal(budget=state.journal_budget)
        self.problems = Problems()

    def add(self, spec: ExpectationSpec, handle: type[Expectation] = Expectation) -> Expectation:
        """Register an expectation in this scope after checking its programmed response."""
        if spec.response is not None:
            self.check_response(spec, spec.response)
        return self.engine.add(handle(spec, self))

    def check_response(self, spec: ExpectationSpec, responder: Responder) -> None:
        """See `MockState.check_response`."""
        self.state.check_response(spec, responder)

    def reorder(self) -> None:
        """Re-sort this scope's expectations after a priority changed."""
        self.engine.reindex()

    def match(self, request: RecordedRequest) -> Expectation | None:
        """The expectation that answers `request`: this scope's own first, then (for a
        named scope) the default scope's, where stub files and shared stubs live."""
        found = self.engine.match(request)
        if found is None and self.name:
            found = self.state.default.engine.match(request)
        return found

    def near_miss(self, request: RecordedRequest) -> NearMiss:
        """The nearest expectation among those `match` looks at."""
        own = self.engine.near_miss(request)
        if not self.name:
            return own
        shared = self.state.default.engine.near_miss(request)
        if own.expectation is None:
            return shared
        if shared.expectation is None or len(own.differences) <= len(shared.differences):
            return own
        return shared

    def clear(self) -> None:
        """Forget this scope's expectations, journal and problems."""
        self.engine.clear()
        self.journal.clear()
        self.problems.clear()

    def report(self, mock_name: str) -> Report:
        """What `verify()` finds wrong in this scope, as data."""
        unmet = [
            UnmetExpectation(
                e.spec.describe(), e.required_calls, e.call_count, e.spec.times is None
            )
            for e in self.engine.expectations
            if not e.met
        ]
        unmatched, violations, failures = self.problems.snapshot()
        title = mock_name if not self.name else f"{mock_name} (scope {self.name})"
        return Report(
            title,
            unmet,
            unmatched,
            violations,
            list(self.engine.order_violations),
            [f.text for f in failures],
        )


class MockState:
    """The state of one mock (see the module docstring); one per mock instance."""

    def __init__(
        self,
        service: str,
        routes: list[Route],
        *,
        seed: int = 0,
        error_schema: str | None = None,
        max_body_size: int = 10 * 1024 * 1024,
        journal_size: int = 10_000,
        journal_bytes: int = MAX_JOURNAL_BYTES,
        check_responses: bool = False,
    ) -> None:
        self.service = service
        self.seed = seed
        #: This mock's number among the mocks made in this process (0, 1, ...).
        self.instance = next(_INSTANCES)
        #: How many times the mock was reset.
        self.generation = 0
        #: Behaviour's draws (error rates, delays, generated content): the seed's.
        self.rng = random.Random(seed)
        #: Ids, tokens and secrets: unique per instance and reset (see `stream_seed`).
        self.ids = random.Random(self.stream_seed)
        self.settings = MockSettings()
        self.error_schema = error_schema
        self.max_body_size = max_body_size
        #: Undo a request body's ``Content-Encoding`` before anything reads it (as WireMock
        #: does); pytest-httpserver's API turns it off, its handlers get what was sent.
        self.decode_bodies = True
        self.check_responses = check_responses
        self.journal_size = journal_size
        self.journal_bytes = journal_bytes
        #: Bounds the journals of every scope together.
        self.journal_budget = JournalBudget(journal_size, journal_bytes)
        #: The default scope; named ones come with the first request or call naming them.
        self.default = Scope(self, "")
        self.journal = self.default.journal
        self.engine = self.default.engine
        self.problems = self.default.problems
        self._scopes: dict[str, Scope] = {}
        self._scope_lock = threading.Lock()
        self.contracts = Contracts(service)
        self.router: Router[Route] = Router(routes)
        self.outbound = Outbound()
        self.log = logging.getLogger(f"mocks.{service}")
        #: Expectations every reset restores (stub files, replayed cassettes), as data.
        self.baseline: list[ExpectationSpec] = []
        self._settings_baseline = self.settings.model_copy()

    # ---- scopes and expectations ------------------------------------------------------

    def scope(self, name: str | None) -> Scope:
        """The scope `name` (made on first use); None or "" is the default scope."""
        if not name:
            return self.default
        found = self._scopes.get(name)
        if found is None:
            with self._scope_lock:
                found = self._scopes.get(name)
                if found is None:
                    if len(self._scopes) >= MAX_SCOPES:
                        self._scopes.pop(next(iter(self._scopes))).journal.close()
                    found = self._scopes[name] = Scope(self, name)
        return found

    def existing_scope(self, name: str | None) -> str:
        """`name` when a scope of that name exists, else "" (the default scope)."""
        return name if name and name in self._scopes else ""

    @property
    def has_named_scopes(self) -> bool:
        """Whether any named scope exists (checked on every request: no copy made)."""
        return bool(self._scopes)

    @property
    def scopes(self) -> list[str]:
        """The named scopes that exist now."""
        return list(self._scopes)

    def add(self, spec: ExpectationSpec, handle: type[Expectation] = Expectation) -> Expectation:
        """Register an expectation in the default scope after checking its response."""
        return self.default.add(spec, handle)

    def check_response(self, spec: ExpectationSpec, responder: Responder) -> None:
        """Refuse a programmed response that breaks the contract of the route it answers."""
        documents = responder.programmed_documents()
        if not documents:
            return
        route = self.route_for(spec.matcher)
        for status, document in documents:
            schema = self.error_schema if status >= 400 else None
            if status < 400 and route is not None:
                schema = route.response_schema
            if schema is not None:
                self.contracts.require(schema, document)

    def reorder(self) -> None:
        """Re-sort the expectations after a priority changed."""
        self.engine.reindex()

    def route_for(self, matcher: Matcher) -> Route | None:
        """The route an expectation answers for, when its matcher names one exact path."""
        for path in sorted(matcher.exact_paths() or ()):
            for method in ("POST", "GET", "PUT", "PATCH", "DELETE"):
                probe = RecordedRequest(method, path, MultiDict(), CIMultiDict())
                differing = {d.field for d in matcher.differences(probe)}
                if "method" in differing or "path" in differing:
                    continue
                found = self.router.resolve(method, path)
                if found is not None:
                    return found[0]
        return None

    def keep_settings(self) -> None:
        """Make the current settings the ones every reset restores."""
        self._settings_baseline = self.settings.model_copy()

    def keep(self, specs: list[ExpectationSpec]) -> None:
        """Make `specs` (already added) part of the baseline every reset restores."""
        self.baseline.extend(fresh_copy(spec) for spec in specs)

    # ---- reset and report -------------------------------------------------------------

    def reset(self, *, keep_baseline: bool = True) -> None:
        """Clear expectations, journal, scenarios, deliveries and problems, put the settings
        back as created (strict mode, latency, errors, faults), then restore the baseline
        expectations (unless `keep_baseline` is false: then they are forgotten)."""
        self.default.clear()
        with self._scope_lock:
            dropped, self._scopes = self._scopes, {}
        for scope in dropped.values():
            scope.journal.close()  # gives its entries back to the budget
        self.outbound.clear()
        for name in type(self.settings).model_fields:
            setattr(self.settings, name, getattr(self._settings_baseline, name))
        self.generation += 1
        self.rng.seed(self.seed)
        self.ids.seed(self.stream_seed)
        if not keep_baseline:
            self.baseline = []
        for spec in self.baseline:
            self.default.add(fresh_copy(spec))

    @property
    def stream_seed(self) -> str:
        """What `ids` is seeded from: the seed, the instance and the reset generation.

        The same tests in the same order draw the same ids, tokens and secrets (the same
        bytes), yet no two mocks of a process, and no two generations of one mock, hand
        out the same ones: a token kept from the test before a reset, or from another
        mock, is never valid for someone else. Behaviour (`rng`: error rates, delays,
        an LLM's answer) depends on the seed alone.
        """
        return f"{self.seed}/{self.instance}/{self.generation}"

    def reseed(self, seed: int) -> None:
        """Restart the generators from `seed` (ids within this instance and generation)."""
        self.seed = seed
        self.rng.seed(seed)
        self.ids.seed(self.stream_seed)

    def report(self, mock_name: str) -> Report:
        """What `verify()` would complain about in the default scope, as data."""
        return self.default.report(mock_name)

    def first_failure(self) -> BaseException | None:
        """The first exception raised inside the mock since the last reset."""
        failures = self.problems.snapshot()[2]
        return failures[0].exception if failures else None


def fresh_copy(spec: ExpectationSpec) -> ExpectationSpec:
    """A new, unplayed copy of a JSON-serializable spec (a sequence starts over)."""
    return ExpectationSpec.model_validate(spec.model_dump(mode="json"))


__all__ = [
    "MAX_SCOPE_NAME",
    "SCOPE_HEADER",
    "Failure",
    "MockSettings",
    "MockState",
    "Problems",
    "Scope",
    "fresh_copy",
]
