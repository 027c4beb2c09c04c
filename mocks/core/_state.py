"""`MockState`: everything one mock knows, in one place below the request path and the facade.

Settings, the expectations (`Engine`), the journal, the contracts, the route table, the
seeded generator, outbound deliveries, the problems `verify()` reports and the reset
baseline (expectations loaded from stub files or cassettes, restored on every reset).
The request path, the admin API and the facade all read and change the mock through it.
"""

from __future__ import annotations

import logging
import random
import threading
import traceback
from dataclasses import dataclass
from typing import Any

from multidict import CIMultiDict, MultiDict
from pydantic import BaseModel, ConfigDict, Field

from ._contracts import Contracts
from ._delays import Delay
from ._engine import Engine
from ._expectation import Expectation, ExpectationSpec
from ._faults import ErrorSpec, FaultSpec
from ._journal import MAX_JOURNAL_BYTES, Journal
from ._matchers import Matcher
from ._outbound import Outbound
from ._request import RecordedRequest
from ._responders import Responder
from ._routes import Route, Router
from ._verify import Report, UnmetExpectation

#: How many problems of each kind are kept for the report.
MAX_PROBLEMS = 1000


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
        self.rng = random.Random(seed)
        self.settings = MockSettings()
        self.error_schema = error_schema
        self.max_body_size = max_body_size
        self.check_responses = check_responses
        self.journal = Journal(journal_size, max_bytes=journal_bytes)
        self.engine = Engine()
        self.contracts = Contracts(service)
        self.router: Router[Route] = Router(routes)
        self.problems = Problems()
        self.outbound = Outbound()
        self.log = logging.getLogger(f"mocks.{service}")
        #: Expectations every reset restores (stub files, replayed cassettes), as data.
        self.baseline: list[ExpectationSpec] = []
        self._settings_baseline = self.settings.model_copy()

    # ---- expectations ----------------------------------------------------------------

    def add(self, spec: ExpectationSpec, handle: type[Expectation] = Expectation) -> Expectation:
        """Register an expectation after checking its programmed response."""
        if spec.response is not None:
            self.check_response(spec, spec.response)
        return self.engine.add(handle(spec, self))

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
        self.engine.clear()
        self.journal.clear()
        self.outbound.clear()
        for name in type(self.settings).model_fields:
            setattr(self.settings, name, getattr(self._settings_baseline, name))
        self.rng.seed(self.seed)
        self.problems.clear()
        if not keep_baseline:
            self.baseline = []
        for spec in self.baseline:
            self.engine.add(Expectation(fresh_copy(spec), self))

    def reseed(self, seed: int) -> None:
        """Restart the random generator from `seed`."""
        self.seed = seed
        self.rng.seed(seed)

    def report(self, mock_name: str) -> Report:
        """What `verify()` would complain about, as data."""
        unmet = [
            UnmetExpectation(
                e.spec.describe(), e.required_calls, e.call_count, e.spec.times is None
            )
            for e in self.engine.expectations
            if not e.met
        ]
        unmatched, violations, failures = self.problems.snapshot()
        return Report(
            mock_name,
            unmet,
            unmatched,
            violations,
            list(self.engine.order_violations),
            [f.text for f in failures],
        )

    def first_failure(self) -> BaseException | None:
        """The first exception raised inside the mock since the last reset."""
        failures = self.problems.snapshot()[2]
        return failures[0].exception if failures else None


def fresh_copy(spec: ExpectationSpec) -> ExpectationSpec:
    """A new, unplayed copy of a JSON-serializable spec (a sequence starts over)."""
    return ExpectationSpec.model_validate(spec.model_dump(mode="json"))


__all__ = ["Failure", "MockSettings", "MockState", "Problems", "fresh_copy"]
