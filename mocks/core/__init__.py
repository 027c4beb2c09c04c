"""The shared engine every mock stands on.

Domain mocks subclass `BaseMock`; tests use the matchers, responders, delays and
faults re-exported here (and from `mocks`).
"""

from ._callback import Callback, Delivery
from ._contracts import ContractError, Contracts, Violation
from ._delays import ChunkedDribble, FixedDelay, LogNormalDelay, UniformDelay
from ._engine import NearMiss
from ._expectation import Expectation, ExpectationSpec
from ._faults import ErrorSpec, Fault, FaultSpec
from ._journal import Journal
from ._matchers import (
    And,
    Anything,
    Body,
    Difference,
    Header,
    JsonBody,
    JsonPath,
    Matcher,
    Method,
    Not,
    Or,
    Path,
    Predicate,
    Query,
)
from ._mock import BaseMock, MockSettings
from ._reply import Reply, StreamChunk, sse_event
from ._request import RecordedRequest
from ._responders import (
    CallableResponse,
    ReplyContext,
    Responder,
    SequenceResponse,
    SseEvent,
    StaticResponse,
    StreamResponse,
)
from ._routes import Route
from ._verify import Report, VerificationError

__all__ = [
    "And",
    "Anything",
    "BaseMock",
    "Body",
    "CallableResponse",
    "Callback",
    "ChunkedDribble",
    "ContractError",
    "Contracts",
    "Delivery",
    "Difference",
    "ErrorSpec",
    "Expectation",
    "ExpectationSpec",
    "Fault",
    "FaultSpec",
    "FixedDelay",
    "Header",
    "Journal",
    "JsonBody",
    "JsonPath",
    "LogNormalDelay",
    "Matcher",
    "Method",
    "MockSettings",
    "NearMiss",
    "Not",
    "Or",
    "Path",
    "Predicate",
    "Query",
    "RecordedRequest",
    "Reply",
    "ReplyContext",
    "Report",
    "Responder",
    "Route",
    "SequenceResponse",
    "SseEvent",
    "StaticResponse",
    "StreamChunk",
    "StreamResponse",
    "UniformDelay",
    "VerificationError",
    "Violation",
    "sse_event",
]
