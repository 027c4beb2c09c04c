"""Expectations: what a mock should receive, and how it answers.

`ExpectationSpec` is the data (a pydantic model: the admin API speaks it as JSON);
`Expectation` is the handle the Python API returns, with chainable methods::

    mock.expect("POST", "/orders", json_contains={"qty": 1}).respond(201, json={"id": 7}).once()
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field

from ._callback import Callback
from ._delays import ChunkedDribble, Delay, as_delay
from ._faults import ErrorSpec, Fault, FaultSpec
from ._matchers import AnyMatcher, describe_matcher
from ._reply import Reply
from ._request import RecordedRequest
from ._responders import (
    AnyResponder,
    CallableResponse,
    Responder,
    SequenceResponse,
    SseEvent,
    StaticResponse,
    StreamResponse,
)

_ids = itertools.count(1)

#: How many matched requests an expectation keeps in `calls` (`call_count` counts them all).
MAX_CALLS_KEPT = 1000


class ExpectationSpec(BaseModel):
    """An expectation as data: matcher, response, limits, order, faults and callbacks."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str = Field(default_factory=lambda: f"exp-{next(_ids)}")
    name: str | None = None
    matcher: AnyMatcher
    #: None falls through to the mock's default behaviour (after delays and faults).
    response: AnyResponder | None = None
    #: How many requests it answers (and `verify()` expects); None is unlimited.
    times: int | None = Field(None, ge=0)
    #: With no `times`, `verify()` wants at least one match unless this is true (stubs
    #: loaded from files and replayed cassettes are optional).
    optional: bool = False
    #: Lower numbers win (1 is the highest, as in WireMock); ties go to the newest.
    priority: int = 5
    latency: Delay | None = None
    dribble: ChunkedDribble | None = None
    first_event_delay: Delay | None = None
    between_events_delay: Delay | None = None
    fault: FaultSpec | None = None
    error: ErrorSpec | None = None
    scenario: str | None = None
    required_state: str | None = None
    new_state: str | None = None
    #: Expectations of one ordered group must be met in the order they were added.
    ordered_group: str | None = None
    callbacks: list[Callback] = Field(default_factory=list)

    def describe(self) -> str:
        """A short label: the id, the name if any, and the matcher."""
        label = self.id if self.name is None else f"{self.id} ({self.name})"
        return f"{label} {describe_matcher(self.matcher)}"


class ExpectationOwner(Protocol):
    """What an expectation needs of the mock holding it."""

    def check_response(self, spec: ExpectationSpec, responder: Responder) -> None:
        """Refuse a programmed response that breaks its route's contract (`ContractError`)."""
        ...

    def reorder(self) -> None:
        """Re-sort the expectations after a priority changed."""
        ...


class Expectation:
    """A programmed expectation; chain methods to shape it. Returned by `mock.expect()`."""

    def __init__(self, spec: ExpectationSpec, owner: ExpectationOwner | None = None) -> None:
        self.spec = spec
        self._owner = owner
        self._lock = threading.Lock()
        self.call_count = 0
        self._calls: deque[RecordedRequest] = deque(maxlen=MAX_CALLS_KEPT)

    # ---- state used by the engine -------------------------------------------------

    @property
    def id(self) -> str:
        """The expectation's id (``exp-N`` unless given)."""
        return self.spec.id

    @property
    def exhausted(self) -> bool:
        """Whether its `times` are used up."""
        return self.spec.times is not None and self.call_count >= self.spec.times

    @property
    def satisfied(self) -> bool:
        """Whether its `times` are met (an unlimited one is always satisfied)."""
        return self.spec.times is None or self.call_count >= self.spec.times

    @property
    def required_calls(self) -> int:
        """The calls `verify()` wants: `times`, else 1 unless it is optional."""
        if self.spec.times is not None:
            return self.spec.times
        return 0 if self.spec.optional else 1

    @property
    def met(self) -> bool:
        """Whether `verify()` is content with it."""
        return self.call_count >= self.required_calls

    @property
    def calls(self) -> list[RecordedRequest]:
        """The requests this expectation answered, oldest first (the newest
        `MAX_CALLS_KEPT`)."""
        with self._lock:
            return list(self._calls)

    def record_call(self, request: RecordedRequest) -> None:
        """Count one matched request (called by the engine, on the mock's loop)."""
        with self._lock:
            self.call_count += 1
            self._calls.append(request)  # the oldest drops out past MAX_CALLS_KEPT

    def reset_calls(self) -> None:
        """Forget matched requests and a sequence's position."""
        with self._lock:
            self.call_count = 0
            self._calls.clear()
        if self.spec.response is not None:
            self.spec.response.reset()

    # ---- responses -----------------------------------------------------------------

    def _set_response(self, responder: Responder) -> Self:
        if self._owner is not None:
            self._owner.check_response(self.spec, responder)
        self.spec.response = responder
        return self

    def respond(
        self,
        status: int = 200,
        json: Any = None,
        body: str | bytes | None = None,
        headers: Mapping[str, str | list[str]] | None = None,
        *,
        template: bool = False,
    ) -> Self:
        """Answer with a fixed response (``template=True`` fills ``{{request...}}``); a
        header given a list of values is sent once per value (several ``Set-Cookie``)."""
        return self._set_response(static_response(status, json, body, headers, template))

    def respond_with_sequence(
        self,
        responses: Iterable[Responder | dict[str, Any]],
        *,
        then: Literal["repeat", "error"] = "repeat",
    ) -> Self:
        """Answer with each response in turn; then repeat the last, or answer an error."""
        items = [r if isinstance(r, Responder) else static_response(**r) for r in responses]
        return self._set_response(SequenceResponse(responses=items, then=then))

    def respond_with(self, function: Callable[[RecordedRequest], Any]) -> Self:
        """Answer with what `function(request)` returns (it may be async)."""
        return self._set_response(CallableResponse(function=function))

    def respond_with_stream(
        self,
        events: Iterable[Any],
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        template: bool = False,
    ) -> Self:
        """Answer with a Server-Sent Events stream; items are data or `SseEvent`s."""
        items = [e if isinstance(e, SseEvent) else SseEvent(data=e) for e in events]
        return self._set_response(
            StreamResponse(events=items, status=status, headers=headers or {}, template=template)
        )

    def respond_with_responder(self, responder: Responder) -> Self:
        """Answer with any responder (domain mocks use this for their own kinds)."""
        return self._set_response(responder)

    # ---- limits and order ----------------------------------------------------------

    def times(self, count: int) -> Self:
        """Answer `count` requests, then stop matching; `verify()` checks all came."""
        if count < 0:
            raise ValueError("times: must be 0 or more")
        self.spec.times = count
        return self

    def once(self) -> Self:
        """Same as ``times(1)``."""
        return self.times(1)

    def optional(self) -> Self:
        """Let `verify()` pass even if it never matched (it answers any number of times)."""
        self.spec.optional = True
        self.spec.times = None
        return self

    def at_priority(self, priority: int) -> Self:
        """Set the priority: lower numbers win (1 is the highest); the default is 5."""
        self.spec.priority = priority
        if self._owner is not None:
            self._owner.reorder()
        return self

    def named(self, name: str) -> Self:
        """Give the expectation a name, shown in reports."""
        self.spec.name = name
        return self

    def in_scenario(
        self, scenario: str, *, required_state: str | None = None, new_state: str | None = None
    ) -> Self:
        """Match only in `required_state` of `scenario`, and move it to `new_state`."""
        self.spec.scenario = scenario
        self.spec.required_state = required_state
        self.spec.new_state = new_state
        return self

    # ---- delays and faults ---------------------------------------------------------

    def with_latency(self, delay: float | Delay) -> Self:
        """Delay the response: milliseconds, or a `FixedDelay`/`UniformDelay`/`LogNormalDelay`."""
        self.spec.latency = as_delay(delay)
        return self

    def with_dribble(self, chunks: int, duration_ms: float) -> Self:
        """Send the body in `chunks` pieces over `duration_ms`."""
        self.spec.dribble = ChunkedDribble(chunks=chunks, duration_ms=duration_ms)
        return self

    def with_stream_delays(
        self, first_event: float | Delay | None = None, between_events: float | Delay | None = None
    ) -> Self:
        """Delay a stream's first event and the gaps between events."""
        self.spec.first_event_delay = None if first_event is None else as_delay(first_event)
        self.spec.between_events_delay = (
            None if between_events is None else as_delay(between_events)
        )
        return self

    def with_error(
        self, status: int = 500, message: str | None = None, headers: dict[str, str] | None = None
    ) -> Self:
        """Answer an error in the mock's own envelope instead of the response."""
        self.spec.error = ErrorSpec(status=status, message=message, headers=headers or {})
        return self

    def with_error_rate(self, rate: float, status: int = 500, message: str | None = None) -> Self:
        """Answer an error for a seeded, reproducible fraction `rate` of matches."""
        self.spec.error = ErrorSpec(status=status, message=message, rate=rate)
        return self

    def with_fault(self, fault: Fault | str, *, after: int = 1, rate: float = 1.0) -> Self:
        """Apply a connection fault (`Fault`); ``after`` is for `Fault.STREAM_CUT`."""
        self.spec.fault = FaultSpec(fault=Fault(fault), after=after, rate=rate)
        return self

    # ---- callbacks -----------------------------------------------------------------

    def with_callback(self, url: str, **options: Any) -> Self:
        """After a match, send an HTTP request (a webhook); see `Callback` for options."""
        self.spec.callbacks.append(Callback(url=url, **options))
        return self

    def __repr__(self) -> str:
        times = "unlimited" if self.spec.times is None else str(self.spec.times)
        return f"<Expectation {self.spec.describe()} calls={self.call_count}/{times}>"


def static_response(
    status: int = 200,
    json: Any = None,
    body: str | bytes | None = None,
    headers: Mapping[str, str | list[str]] | None = None,
    template: bool = False,
) -> StaticResponse:
    """A `StaticResponse` from the keyword form `respond()` takes."""
    if isinstance(body, bytes):
        try:
            text: str | None = body.decode("utf-8")
            encoded = None
        except UnicodeDecodeError:
            import base64

            text, encoded = None, base64.b64encode(body).decode()
        return StaticResponse(
            status=status,
            headers=dict(headers or {}),
            body=text,
            body_base64=encoded,
            template=template,
        )
    return StaticResponse.model_validate(
        {
            "status": status,
            "headers": dict(headers or {}),
            "json": json,
            "body": body,
            "template": template,
        }
    )


__all__ = ["Expectation", "ExpectationSpec", "Reply", "static_response"]
