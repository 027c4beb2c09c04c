"""MockLLM's expectation: stream faults and API errors in the LLM's terms, SDK retries
counted apart, and the checks that refuse what cannot be a tool call."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Self

from pydantic import ValidationError

from mocks.core import Expectation, ExpectationOwner, ExpectationSpec, RecordedRequest

from ._openai_api import NAMED_ERRORS
from ._responders import LLMReply, ToolCallSpec

RETRY_HEADER = "X-Stainless-Retry-Count"
TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def tool_call_spec(name: Any, arguments: Any, call_id: Any = None, *, where: str) -> ToolCallSpec:
    """A `ToolCallSpec` from a test's arguments, refusing what cannot be a call with a
    message naming the argument and what it may be."""
    if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
        raise ValueError(
            f"{where}: name must be a function name of 1 to 64 letters, digits, '_' or '-'; "
            f"got {name!r}"
        )
    if arguments is not None and not isinstance(arguments, str | Mapping):
        raise TypeError(
            f"{where}: arguments must be a mapping of argument names to values (a dict), "
            f"JSON text or None; got {type(arguments).__name__} {arguments!r}"
        )
    if isinstance(arguments, Mapping) and not all(isinstance(k, str) for k in arguments):
        raise TypeError(f"{where}: arguments must have string keys; got {dict(arguments)!r}")
    if call_id is not None and not isinstance(call_id, str):
        raise TypeError(f"{where}: call_id must be a string or None; got {call_id!r}")
    try:
        return ToolCallSpec(
            name=name,
            arguments=arguments if isinstance(arguments, str) else dict(arguments or {}),
            id=call_id,
        )
    except ValidationError as exc:  # arguments that JSON cannot carry
        problem = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise ValueError(f"{where}: {problem}") from None


def tool_call_of(call: Any, where: str) -> ToolCallSpec:
    """A call of `expect_tool_calls`: a `ToolCallSpec` or a ``(name, arguments)`` pair."""
    if isinstance(call, ToolCallSpec):
        return call
    if not isinstance(call, tuple | list) or len(call) != 2:
        raise TypeError(f"{where} must be a ToolCallSpec or a (name, arguments) pair; got {call!r}")
    return tool_call_spec(call[0], call[1], where=where)


def retry_count(request: RecordedRequest) -> int:
    """The attempt number the SDKs send (``X-Stainless-Retry-Count``; 0 for the first)."""
    try:
        return int(request.headers.get(RETRY_HEADER, "0"))
    except ValueError:
        return 0


def _retried_by_sdks(request: RecordedRequest) -> bool:
    """Whether the answer to ``request`` is one the SDKs retry."""
    status = request.status
    connection_fault = request.fault is not None and not request.fault.startswith("error ")
    if connection_fault or status is None:
        return True
    return status in (408, 409, 429) or status >= 500


class LLMExpectation(Expectation):
    """An expectation of MockLLM, with stream faults and API errors in the LLM's terms.

    Chains everything an `Expectation` does (``.times(n)``, ``.once()``,
    ``.with_latency(ms)``, ``.with_error(status)``, ``.with_stream_delays(...)``,
    ``.with_fault(Fault.STREAM_CUT, after=n)``) plus the methods below.
    """

    def __init__(self, spec: ExpectationSpec, owner: ExpectationOwner | None = None) -> None:
        super().__init__(spec, owner)
        self._logical_only = False
        #: Retried attempts this expectation answered (with ``count_logical_calls``).
        self.retries = 0

    def _update_reply(self, **fields: Any) -> Self:
        current = self.spec.response
        base = current if isinstance(current, LLMReply) else LLMReply()
        return self.respond_with_responder(base.model_copy(update=fields))

    def with_stream_error(self, after: int = 1, message: str | None = None) -> Self:
        """End the stream with an ``error`` event after ``after`` events."""
        update: dict[str, Any] = {"stream_error_after": after}
        if message is not None:
            update["stream_error_message"] = message
        return self._update_reply(**update)

    def with_malformed_chunk(self, after: int = 1) -> Self:
        """Send a chunk that is not JSON after ``after`` events, and end the stream."""
        return self._update_reply(malformed_chunk_after=after)

    def with_api_error(self, code: str, status: int | None = None) -> Self:
        """Answer the API's error ``code``: ``rate_limit_exceeded`` (429, retry headers),
        ``insufficient_quota`` (429, ``x-should-retry: false``), ``invalid_api_key`` (401),
        ``server_error`` (500), ``overloaded`` (503), ``context_length_exceeded`` (400)."""
        if code not in NAMED_ERRORS:
            raise ValueError(f"unknown error code {code!r}; known: {', '.join(NAMED_ERRORS)}")
        return self.with_error(status or NAMED_ERRORS[code]().status, code)

    def count_logical_calls(self) -> Self:
        """Count only first attempts toward ``times``: SDK retries of a call
        (``X-Stainless-Retry-Count`` > 0) are answered and kept in ``calls`` but
        counted in ``retries``, and an expectation whose last answer was one the SDKs
        retry (408, 409, 429, 5xx, a connection fault) keeps matching for the retry."""
        self._logical_only = True
        return self

    @property
    def exhausted(self) -> bool:
        exhausted = super().exhausted
        if not exhausted or not self._logical_only:
            return exhausted
        with self._lock:
            last = self._calls[-1] if self._calls else None
        return last is None or not _retried_by_sdks(last)

    def record_call(self, request: RecordedRequest) -> None:
        if self._logical_only and retry_count(request) > 0:
            with self._lock:
                self.retries += 1
                self._calls.append(request)
            return
        super().record_call(request)

    def reset_calls(self) -> None:
        super().reset_calls()
        self.retries = 0

    @property
    def logical_call_count(self) -> int:
        """How many of the answered requests were first attempts (not SDK retries)."""
        return sum(1 for request in self.calls if retry_count(request) == 0)
