"""Pytest fixtures: ``mock_<service>`` for every available mock in the registry
(``mock_http``, ``mock_llm``, ``mock_whatsapp``, ``mock_teams``, ``mock_zitadel``), and
``mock_stack`` (all of them).

Each mock class is started once per test session (or xdist worker) on a free port,
`reset()` before every test and `verify()`-ed after every test that passed, unless
the test is marked ``@pytest.mark.no_mock_verify``. The ini option
``mocks_check_responses = true`` turns on checking mode (generated responses are
validated against the contracts too).

``mock_remote`` is the mocks of a stack running elsewhere (``python -m mocks``, found by
the ``MOCK_<SERVICE>_URL`` variables it prints) in a scope of the test's own, so xdist
workers and parallel jobs sharing one stack never see each other's expectations or
traffic; it is verified when the test passes and its scope reset after.

Each mock's dashboard (``/__admin/ui``) labels the traffic with the test's node id, and
the report of a failing test gets a section with the Mermaid sequence diagram of that
test's traffic (the system under test and each mock it used), so a CI log shows what
happened on the wire.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .core import fixture_name, load_mock_class, registered_mocks

if TYPE_CHECKING:  # the engine is imported when a fixture is first used, not at start-up
    from .core import BaseMock, MockStack
    from .remote import RemoteStack


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "mocks_check_responses",
        "validate the mocks' generated responses against contracts/ (checking mode)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "no_mock_verify: do not verify() the mock fixtures when the test ends"
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_PASSED] = report.passed
    if report.failed and report.when in ("call", "teardown"):
        mocks = item.stash.get(_USED, [])
        if mocks:
            report.sections.append((SEQUENCE_SECTION, _sequence(mocks, item.nodeid)))
    return report


_PASSED = pytest.StashKey[bool]()
#: The mocks a test used (its mock fixtures), for the sequence section of its report.
_USED = pytest.StashKey[list["BaseMock"]]()
#: The title of the report section holding a failing test's traffic.
SEQUENCE_SECTION = "mocks: this test's traffic (Mermaid sequence diagram)"


def _sequence(mocks: list[BaseMock], test: str) -> str:
    from .core import traffic_diagram

    diagram = traffic_diagram(mocks, test=test)
    text = diagram.mermaid()
    if not diagram.steps:
        text += "    %% no request reached the mocks during this test\n"
    return text


class MockServers:
    """The session's running mocks, one per class, started on first use."""

    def __init__(self, check_responses: bool) -> None:
        self.check_responses = check_responses
        self._running: dict[str, BaseMock] = {}

    def get(self, target: str) -> BaseMock:
        """The running mock for ``"module:Class"``, started if needed."""
        mock = self._running.get(target)
        if mock is None:
            module, _, name = target.partition(":")
            cls = getattr(importlib.import_module(module), name)
            mock = cls.start(check_responses=self.check_responses)
            self._running[target] = mock
        return mock

    def stop_all(self) -> None:
        """Stop every mock started."""
        for mock in self._running.values():
            mock.stop()
        self._running.clear()


@pytest.fixture(scope="session")
def mock_servers(pytestconfig: pytest.Config) -> Iterator[MockServers]:
    """The session's mock servers (started lazily, stopped when the session ends)."""
    servers = MockServers(bool(pytestconfig.getini("mocks_check_responses")))
    yield servers
    servers.stop_all()


def _verified(mock: BaseMock, request: pytest.FixtureRequest) -> Iterator[BaseMock]:
    __tracebackhide__ = True
    mock.reset()
    mock.dashboard.traffic.begin_test(request.node.nodeid)
    used = request.node.stash.setdefault(_USED, [])
    if all(mock is not known for known in used):
        used.append(mock)
    yield mock
    passed = request.node.stash.get(_PASSED, False)
    if passed and request.node.get_closest_marker("no_mock_verify") is None:
        mock.verify()


def _make_fixture(name: str, target: str) -> Callable[..., Any]:
    def fixture(mock_servers: MockServers, request: pytest.FixtureRequest) -> Iterator[Any]:
        __tracebackhide__ = True
        yield from _verified(mock_servers.get(target), request)

    fixture.__name__ = name
    fixture.__doc__ = f"A reset {target.partition(':')[2]}, verified when the test passes."
    return pytest.fixture(fixture)


# One fixture per registered mock; importing its class is left to first use.
for _service, _target in registered_mocks().items():
    globals()[fixture_name(_service)] = _make_fixture(fixture_name(_service), _target)


@pytest.fixture
def mock_stack(mock_servers: MockServers, request: pytest.FixtureRequest) -> Iterator[MockStack]:
    """Every available mock (``stack.llm``, ``stack.http``, ``stack.environment``), each
    reset and verified like its own fixture."""
    from .core import MockStack

    mocks = {
        service: mock_servers.get(target)
        for service, target in registered_mocks().items()
        if load_mock_class(target) is not None
    }
    with contextlib.ExitStack() as verified:
        for mock in mocks.values():
            mock.dashboard.include(*mocks.values())  # each mock's page shows the stack
            verified.enter_context(contextlib.contextmanager(_verified)(mock, request))
        yield MockStack(mocks)


@pytest.fixture
def mock_remote(request: pytest.FixtureRequest) -> Iterator[RemoteStack]:
    """The mocks of a running stack (``stack["llm"]``), in this test's own scope (named
    after the xdist worker and the test), verified when the test passes."""
    __tracebackhide__ = True
    from .remote import RemoteStack, scope_name

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    stack = RemoteStack.from_environment(scope_name(worker, request.node.nodeid))
    if not stack:
        pytest.fail(
            "mock_remote needs a running stack: start `python -m mocks --env-file F` and "
            "load F into the environment (MOCK_<SERVICE>_URL=...)",
            pytrace=False,
        )
    try:
        yield stack
        passed = request.node.stash.get(_PASSED, False)
        if passed and request.node.get_closest_marker("no_mock_verify") is None:
            stack.verify()
    finally:
        stack.reset()
