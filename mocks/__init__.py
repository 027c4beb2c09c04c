"""Wire-faithful mock servers on one expectation engine.

from mocks import MockHTTP

with MockHTTP.start() as mock:
    mock.expect("GET", "/ping").respond(json={"ok": True}).once()
    ...
    mock.verify()
"""

from .core import (
    And,
    Anything,
    BaseMock,
    Body,
    Callback,
    ChunkedDribble,
    ContractError,
    Delivery,
    Expectation,
    ExpectationSpec,
    Fault,
    FixedDelay,
    Header,
    Journal,
    JsonBody,
    JsonPath,
    LogNormalDelay,
    Matcher,
    Method,
    Not,
    Or,
    Path,
    Predicate,
    Query,
    RecordedRequest,
    Reply,
    Route,
    SseEvent,
    UniformDelay,
    VerificationError,
)
from .http import MockHTTP

__all__ = [
    "And",
    "Anything",
    "BaseMock",
    "Body",
    "Callback",
    "ChunkedDribble",
    "ContractError",
    "Delivery",
    "Expectation",
    "ExpectationSpec",
    "Fault",
    "FixedDelay",
    "Header",
    "Journal",
    "JsonBody",
    "JsonPath",
    "LogNormalDelay",
    "Matcher",
    "Method",
    "MockHTTP",
    "Not",
    "Or",
    "Path",
    "Predicate",
    "Query",
    "RecordedRequest",
    "Reply",
    "Route",
    "SseEvent",
    "UniformDelay",
    "VerificationError",
]
