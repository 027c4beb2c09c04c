"""The whole stack: every available mock, started together, and the environment it gives.

Used by ``python -m mocks`` and the ``mock_stack`` pytest fixture. A mock is available
when its package is importable and exports its class; mocks still being built are
simply not there. Each mock contributes ``MOCK_<SERVICE>_URL`` and the variables its
clients read (``OPENAI_BASE_URL``, ``ZITADEL_ISSUER``, ...); a mock class may add its own
with a ``stack_environment(self) -> dict[str, str]`` method.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ._mock import BaseMock

log = logging.getLogger("mocks.stack")

#: Service name -> "module:Class" of every mock the suite knows, in start order.
KNOWN_MOCKS: dict[str, str] = {
    "llm": "mocks.llm:MockLLM",
    "whatsapp": "mocks.whatsapp:MockWhatsApp",
    "teams": "mocks.teams:MockTeams",
    "zitadel": "mocks.zitadel:MockZitadel",
    "http": "mocks.http:MockHTTP",
}

_CLIENT_VARIABLES: dict[str, Callable[[str], dict[str, str]]] = {
    "llm": lambda url: {"OPENAI_BASE_URL": f"{url}/v1", "OPENAI_API_KEY": "sk-mock"},
    "zitadel": lambda url: {"ZITADEL_ISSUER": url, "ZITADEL_URL": url},
    "whatsapp": lambda url: {"WHATSAPP_API_URL": url},
    "teams": lambda url: {"TEAMS_SERVICE_URL": url},
}


def load_mock_class(target: str) -> type[BaseMock] | None:
    """The class ``"module:Class"`` names, or None when that mock is not available (yet).

    A module that exists but fails to import raises: that is a bug, not an absence.
    """
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            return None
        raise
    found = getattr(module, class_name, None)
    return found if isinstance(found, type) and issubclass(found, BaseMock) else None


def available_mocks(names: list[str] | None = None) -> dict[str, type[BaseMock]]:
    """Service name -> class of every available mock (of `names`, if given)."""
    found: dict[str, type[BaseMock]] = {}
    for service, target in KNOWN_MOCKS.items():
        if names is not None and service not in names:
            continue
        cls = load_mock_class(target)
        if cls is None:
            log.debug("%s is not available", target)
        else:
            found[service] = cls
    return found


def mock_environment(service: str, mock: BaseMock) -> dict[str, str]:
    """The variables a system under test needs to reach `mock`."""
    variables = {f"MOCK_{service.upper()}_URL": mock.url}
    client_variables = _CLIENT_VARIABLES.get(service)
    if client_variables is not None:
        variables.update(client_variables(mock.url))
    own: Callable[[], dict[str, str]] | None = getattr(mock, "stack_environment", None)
    if own is not None:
        variables.update(own())
    return variables


class MockStack:
    """Several mocks by service name (``stack.llm``, ``stack["http"]``) and their environment.

    Example::

        with MockStack.start() as stack:
            print(stack.environment["OPENAI_BASE_URL"])
            stack.http.expect("GET", "/ping").respond(json={"ok": True})
    """

    def __init__(self, mocks: Mapping[str, BaseMock]) -> None:
        self.mocks = dict(mocks)

    @classmethod
    def start(
        cls,
        ports: Mapping[str, int] | None = None,
        host: str = "127.0.0.1",
        names: list[str] | None = None,
        **options: Any,
    ) -> MockStack:
        """Start every available mock (on `ports[service]`, else a free port)."""
        stack = cls({})
        try:
            for service, mock_class in available_mocks(names).items():
                port = (ports or {}).get(service, 0)
                stack.mocks[service] = mock_class.start(port, host, **options)
        except BaseException:
            stack.stop()
            raise
        return stack

    def stop(self) -> None:
        """Stop every mock."""
        for mock in self.mocks.values():
            mock.stop()

    @property
    def environment(self) -> dict[str, str]:
        """Every mock's variables (``OPENAI_BASE_URL``, ``MOCK_HTTP_URL``, ...)."""
        variables: dict[str, str] = {}
        for service, mock in self.mocks.items():
            variables.update(mock_environment(service, mock))
        return variables

    def __getitem__(self, service: str) -> BaseMock:
        return self.mocks[service]

    def __getattr__(self, service: str) -> BaseMock:
        try:
            return self.__dict__["mocks"][service]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(f"no {service!r} mock in this stack") from None

    def __iter__(self) -> Iterator[BaseMock]:
        return iter(self.mocks.values())

    def __enter__(self) -> MockStack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


__all__ = ["KNOWN_MOCKS", "MockStack", "available_mocks", "load_mock_class", "mock_environment"]
