"""The servers under test and the workloads they are programmed with.

Each server kind is started, programmed for one scenario, and stopped through the same
small interface, so the suite treats MockHTTP and pytest-httpserver alike:

- ``stub``: one expectation, ``GET /stub`` answering a small JSON document;
- ``many-exact``: 500 expectations with distinct exact paths; the one hit is registered
  first, so it is the oldest, not the newest;
- ``many-regex``: the same with regex paths, which no path index can serve;
- ``many-exact-last`` / ``many-regex-last``: the same with the hit one registered last
  (MockHTTP tries the newest first, pytest-httpserver the oldest first, so "first" is
  MockHTTP's worst case and "last" is pytest-httpserver's);
- ``contract`` / ``no-contract`` (MockHTTP kinds only): ``POST /v1/items`` served by a
  route whose request is (or is not) checked against a JSON Schema.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .stub import STUB_DOCUMENT, STUB_PATH

if TYPE_CHECKING:
    from mocks.core import BaseMock

ServerKind = Literal["mockhttp", "mockhttp-uvloop", "pytest-httpserver"]
Scenario = Literal[
    "stub",
    "many-exact",
    "many-regex",
    "many-exact-last",
    "many-regex-last",
    "contract",
    "no-contract",
]
MANY_SCENARIOS: tuple[Scenario, ...] = (
    "many-exact",
    "many-regex",
    "many-exact-last",
    "many-regex-last",
)

SERVER_KINDS: tuple[ServerKind, ...] = ("mockhttp", "mockhttp-uvloop", "pytest-httpserver")
MOCK_KINDS: tuple[ServerKind, ...] = ("mockhttp", "mockhttp-uvloop")
LABELS: dict[str, str] = {
    "mockhttp": "MockHTTP",
    "mockhttp-uvloop": "MockHTTP+uvloop",
    "pytest-httpserver": "pytest-httpserver",
}

CONTRACT_PATH = "/v1/items"
#: The request body the contract scenarios POST (valid under ITEM_REQUEST_SCHEMA).
CONTRACT_BODY: dict[str, Any] = {
    "model": "bench-1",
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello."},
    ],
    "temperature": 0.2,
    "max_tokens": 64,
    "metadata": {"trace": "abc123"},
}
#: A request schema of the size a domain route has (an OpenAI-style chat request, trimmed).
ITEM_REQUEST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["model", "messages"],
    "additionalProperties": False,
    "properties": {
        "model": {"type": "string", "minLength": 1},
        "messages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["role", "content"],
                "additionalProperties": False,
                "properties": {
                    "role": {"enum": ["system", "user", "assistant", "tool"]},
                    "content": {"type": "string"},
                    "name": {"type": "string"},
                },
            },
        },
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "max_tokens": {"type": "integer", "minimum": 1},
        "stream": {"type": "boolean"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


@dataclass(frozen=True, slots=True)
class Request:
    """What the load generator sends for a scenario."""

    path: str
    method: str = "GET"
    body: bytes | None = None
    #: Extra request headers, ``Name: value``.
    headers: tuple[str, ...] = ()
    #: Read each answer as an SSE stream, counting its content chunks (`bench.pyload`).
    stream: bool = False
    #: Streams: the content characters each answer must add up to.
    expect_chars: int | None = None
    #: Requests sent before the measured runs.
    warm_up: int = 500


def request_for(scenario: Scenario) -> Request:
    """The request a scenario's load repeats."""
    if scenario in ("contract", "no-contract"):
        return Request(CONTRACT_PATH, "POST", json.dumps(CONTRACT_BODY).encode())
    return Request(STUB_PATH)


def supports(kind: ServerKind, scenario: Scenario) -> bool:
    """Whether a server kind can run a scenario (contracts are MockHTTP's alone)."""
    return kind in MOCK_KINDS or scenario not in ("contract", "no-contract")


def _other_paths(count: int) -> list[str]:
    return [f"/other/{index}/resource" for index in range(1, count)]


def _other_regexes(count: int) -> list[str]:
    # Distinct and anchored, with no literal path and no literal prefix past "/": neither
    # an exact-path index nor a prefix index could narrow them down for a request.
    return [rf"^/[a-z]+/{index}/\d+$" for index in range(1, count)]


@dataclass(slots=True)
class RunningServer:
    """A started, programmed server: its base URL, a post-load check, and `stop`."""

    url: str
    stop: Callable[[], None]
    #: Problems seen by the server after the load (unmatched requests, ...); "" when none.
    problems: Callable[[], str]
    #: How many requests the server recorded (its journal or log), when it knows.
    served: Callable[[], int | None]
    _keep: list[Any] = field(default_factory=list)


# ---- MockHTTP --------------------------------------------------------------------------


def _contract_mock(with_schema: bool, root: Path, **options: Any) -> BaseMock:
    """A mock with one route, ``POST /v1/items``, its request checked (or not) by a schema."""
    from mocks.core import BaseMock, Contracts, RecordedRequest, Reply, Route

    class ContractBench(BaseMock):
        service: ClassVar[str] = "bench"

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.contracts = Contracts(self.service, root)

        def build_routes(self) -> list[Route]:
            schema = "item_request" if with_schema else None
            return [Route("POST", CONTRACT_PATH, self._create, request_schema=schema)]

        def _create(self, request: RecordedRequest) -> Reply:
            return Reply.json(STUB_DOCUMENT, 201)

    return ContractBench.start(**options)


def write_contracts(root: Path) -> None:
    """Write the bench service's contracts folder (``<root>/bench/item_request.json``)."""
    folder = root / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "item_request.json").write_text(json.dumps(ITEM_REQUEST_SCHEMA))


def start_mockhttp(scenario: Scenario, expectations: int, use_uvloop: bool) -> RunningServer:
    """Start MockHTTP (or the contract mock) programmed for `scenario`."""
    from mocks.http import MockHTTP

    keep: list[Any] = []
    mock: BaseMock
    if scenario in ("contract", "no-contract"):
        folder = tempfile.TemporaryDirectory(prefix="mocks-bench-")
        keep.append(folder)
        write_contracts(Path(folder.name))
        mock = _contract_mock(scenario == "contract", Path(folder.name), use_uvloop=use_uvloop)
    else:
        mock = MockHTTP.start(use_uvloop=use_uvloop)
        regex = scenario.startswith("many-regex")
        others = _other_regexes(expectations) if regex else _other_paths(expectations)
        if not scenario.startswith("many-"):
            others = []

        def program_others() -> None:
            for other in others:
                if regex:
                    mock.expect("GET", path_regex=other).respond(json={"other": True})
                else:
                    mock.expect("GET", other).respond(json={"other": True})

        if scenario.endswith("-last"):
            program_others()
        if regex:
            hit = mock.expect("GET", path_regex=rf"^{re.escape(STUB_PATH)}$")
        else:
            hit = mock.expect("GET", STUB_PATH)
        hit.respond(json=STUB_DOCUMENT)
        if not scenario.endswith("-last"):
            program_others()
        keep.append(hit)

    def problems() -> str:
        report = mock.report()
        return str(report) if report else ""

    def stop() -> None:
        mock.stop()
        for item in keep:
            if isinstance(item, tempfile.TemporaryDirectory):
                item.cleanup()

    return RunningServer(mock.url, stop, problems, lambda: len(mock.requests), keep)


# ---- pytest-httpserver -----------------------------------------------------------------


def start_httpserver(scenario: Scenario, expectations: int) -> RunningServer:
    """Start pytest-httpserver (defaults: single-threaded werkzeug) programmed for `scenario`."""
    from pytest_httpserver import HTTPServer

    # werkzeug logs every request at INFO; under pytest that record is captured, here it
    # would go to a pipe. Silencing it favours pytest-httpserver, so the ratios are
    # conservative.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    if scenario in ("contract", "no-contract"):
        server.stop()
        raise ValueError(f"pytest-httpserver has no scenario {scenario!r}")
    regex = scenario.startswith("many-regex")
    others: list[str | re.Pattern[str]] = []
    if scenario.startswith("many-"):
        others.extend(
            [re.compile(p) for p in _other_regexes(expectations)]
            if regex
            else _other_paths(expectations)
        )
    hit: str | re.Pattern[str] = re.compile(rf"^{re.escape(STUB_PATH)}$") if regex else STUB_PATH

    def program_others() -> None:
        for other in others:
            server.expect_request(other, method="GET").respond_with_json({"other": True})

    if scenario.endswith("-last"):
        program_others()
    server.expect_request(hit, method="GET").respond_with_json(STUB_DOCUMENT)
    if not scenario.endswith("-last"):
        program_others()

    def problems() -> str:
        return "; ".join(str(a) for a in server.assertions[:3])

    return RunningServer(
        server.url_for("/").rstrip("/"), server.stop, problems, lambda: len(server.log)
    )


def start(kind: ServerKind, scenario: Scenario, expectations: int = 500) -> RunningServer:
    """Start a server of `kind` programmed for `scenario` (in this process)."""
    if kind == "pytest-httpserver":
        return start_httpserver(scenario, expectations)
    return start_mockhttp(scenario, expectations, use_uvloop=kind == "mockhttp-uvloop")


# ---- one bare start/stop cycle ---------------------------------------------------------


def lifecycle_cycle(kind: ServerKind) -> Callable[[], None]:
    """A function doing one construct + start + stop of `kind` (imports done up front)."""
    if kind == "pytest-httpserver":
        from pytest_httpserver import HTTPServer

        def cycle() -> None:
            server = HTTPServer(host="127.0.0.1", port=0)
            server.start()
            server.stop()

        return cycle

    from mocks.http import MockHTTP

    use_uvloop = kind == "mockhttp-uvloop"

    def mock_cycle() -> None:
        MockHTTP.start(use_uvloop=use_uvloop).stop()

    return mock_cycle
