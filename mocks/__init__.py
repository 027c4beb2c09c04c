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
    Form,
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
    ReplyError,
    Route,
    SseEvent,
    UniformDelay,
    VerificationError,
)
from .http import MockHTTP
from .llm import MockLLM
from .teams import MockTeams
from .zitadel import Application, KeyFile, MockZitadel, TokenResponse, User

__all__ = [
    "And",
    "Anything",
    "Application",
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
    "Form",
    "Header",
    "Journal",
    "JsonBody",
    "JsonPath",
    "KeyFile",
    "LogNormalDelay",
    "Matcher",
    "Method",
    "MockHTTP",
    "MockLLM",
    "MockTeams",
    "MockZitadel",
    "Not",
    "Or",
    "Path",
    "Predicate",
    "Query",
    "RecordedRequest",
    "Reply",
    "ReplyError",
    "Route",
    "SseEvent",
    "TokenResponse",
    "UniformDelay",
    "User",
    "VerificationError",
]
