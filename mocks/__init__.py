"""Wire-faithful mock servers on one expectation engine.

from mocks import MockHTTP

with MockHTTP.start() as mock:
    mock.expect("GET", "/ping").respond(json={"ok": True}).once()
    ...
    mock.verify()

Names are imported on first use: ``import mocks`` costs almost nothing, and using one
mock does not import the others.
"""

import typing

from ._lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
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
    from .whatsapp import MessageExpectation, MockWhatsApp, TemplateExpectation
    from .zitadel import Application, KeyFile, MockZitadel, TokenResponse, User

__getattr__, __dir__ = _lazy_exports(globals())

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
    "MessageExpectation",
    "Method",
    "MockHTTP",
    "MockLLM",
    "MockTeams",
    "MockWhatsApp",
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
    "TemplateExpectation",
    "TokenResponse",
    "UniformDelay",
    "User",
    "VerificationError",
]
