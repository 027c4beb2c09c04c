"""The shared engine every mock stands on.

Domain mocks subclass `BaseMock` and override the hooks declared in `MockHooks`; tests
use the matchers, responders, delays and faults re-exported here (and from `mocks`).
A mock package imports these public names only, never ``mocks.core._*``. The layers,
the request path and a walkthrough of adding a mock are in ``docs/architecture.md``.
"""

import typing

from .._lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from ._admin import AdminAPI, AdminCall, AdminError, AdminRoute
    from ._callback import Attempt, Callback, Delivery
    from ._cassette import Cassette, Interaction, load_cassettes
    from ._catalog import (
        UnknownMockError,
        available_mocks,
        fixture_name,
        load_mock_class,
        registered_mocks,
    )
    from ._contracts import ContractError, Contracts, Violation
    from ._dashboard import Dashboard, traffic_diagram
    from ._datafile import DataFileError, write_text
    from ._delays import ChunkedDribble, FixedDelay, LogNormalDelay, UniformDelay
    from ._engine import NearMiss
    from ._expectation import Expectation, ExpectationOwner, ExpectationSpec
    from ._faults import ErrorSpec, Fault, FaultSpec
    from ._form import UploadedFile
    from ._hooks import MockHooks
    from ._ids import derived_rng, prefixed_id, random_token
    from ._journal import Journal
    from ._json import json_text
    from ._matchers import (
        And,
        Anything,
        Body,
        Difference,
        Form,
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
        build_matcher,
        parse_matcher,
        required_literal,
    )
    from ._mock import BaseMock
    from ._options import CliOption
    from ._reply import Reply, ReplyError, StreamChunk, split_headers, sse_event
    from ._request import RecordedRequest, ResponseRecord
    from ._responders import (
        CallableResponse,
        RecordedResponse,
        ReplyContext,
        Responder,
        ResponderHost,
        SequenceResponse,
        SseEvent,
        StaticResponse,
        StreamResponse,
    )
    from ._routes import Route, Router
    from ._sequence import SequenceDiagram
    from ._stack import MockStack, mock_environment
    from ._state import MockSettings, MockState, Scope
    from ._traffic import TrafficRecord
    from ._verify import Report, VerificationError

__getattr__, __dir__ = _lazy_exports(globals())

__all__ = [
    "AdminAPI",
    "AdminCall",
    "AdminError",
    "AdminRoute",
    "And",
    "Anything",
    "Attempt",
    "BaseMock",
    "Body",
    "CallableResponse",
    "Callback",
    "Cassette",
    "ChunkedDribble",
    "CliOption",
    "ContractError",
    "Contracts",
    "Dashboard",
    "DataFileError",
    "Delivery",
    "Difference",
    "ErrorSpec",
    "Expectation",
    "ExpectationOwner",
    "ExpectationSpec",
    "Fault",
    "FaultSpec",
    "FixedDelay",
    "Form",
    "Header",
    "Interaction",
    "Journal",
    "JsonBody",
    "JsonPath",
    "LogNormalDelay",
    "Matcher",
    "Method",
    "MockHooks",
    "MockSettings",
    "MockStack",
    "MockState",
    "NearMiss",
    "Not",
    "Or",
    "Path",
    "Predicate",
    "Query",
    "RecordedRequest",
    "RecordedResponse",
    "Reply",
    "ReplyContext",
    "ReplyError",
    "Report",
    "Responder",
    "ResponderHost",
    "ResponseRecord",
    "Route",
    "Router",
    "Scope",
    "SequenceDiagram",
    "SequenceResponse",
    "SseEvent",
    "StaticResponse",
    "StreamChunk",
    "StreamResponse",
    "TrafficRecord",
    "UniformDelay",
    "UnknownMockError",
    "UploadedFile",
    "VerificationError",
    "Violation",
    "available_mocks",
    "build_matcher",
    "derived_rng",
    "fixture_name",
    "json_text",
    "load_cassettes",
    "load_mock_class",
    "mock_environment",
    "parse_matcher",
    "prefixed_id",
    "random_token",
    "registered_mocks",
    "required_literal",
    "split_headers",
    "sse_event",
    "traffic_diagram",
    "write_text",
]
