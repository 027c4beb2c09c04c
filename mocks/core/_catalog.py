"""The one registry of mocks: adding a mock is its package plus one line here.

The pytest fixtures (``mock_<service>``), ``python -m mocks``, the stack, the contracts
checker and the CLI's help all derive from it. A mock whose package is not importable
(not built, or an optional extra missing) is simply not available. A mock living in
another distribution registers itself with an entry point in the ``mocks`` group
(``ftp = "my_package:MockFTP"``), without touching this file.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry is read at pytest start-up: the engine loads on first use
    from ._mock import BaseMock

#: Service name -> "module:Class", in start order.
MOCKS: dict[str, str] = {
    "llm": "mocks.llm:MockLLM",
    "whatsapp": "mocks.whatsapp:MockWhatsApp",
    "teams": "mocks.teams:MockTeams",
    "zitadel": "mocks.zitadel:MockZitadel",
    "http": "mocks.http:MockHTTP",
}


#: The entry-point group where other distributions register their mocks.
ENTRY_POINT_GROUP = "mocks"


def registered_mocks() -> dict[str, str]:
    """Service name -> "module:Class": the suite's own mocks, then registered ones."""
    found = dict(MOCKS)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.value)
    return found


class UnknownMockError(ValueError):
    """A mock name that is not in the registry or not available, with the valid choices."""


def fixture_name(service: str) -> str:
    """The pytest fixture serving a mock: ``mock_<service>``."""
    return f"mock_{service}"


def load_mock_class(target: str) -> type[BaseMock] | None:
    """The class ``"module:Class"`` names, or None when that mock is not available.

    A module that exists but fails to import raises: that is a bug, not an absence.
    """
    from ._mock import BaseMock

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
    """Service name -> class of every available mock (of `names`, if given).

    Raises `UnknownMockError` naming the valid choices when a name is not available.
    """
    found: dict[str, type[BaseMock]] = {}
    for service, target in registered_mocks().items():
        cls = load_mock_class(target)
        if cls is not None:
            found[service] = cls
    if names is None:
        return found
    unknown = [name for name in names if name not in found]
    if unknown:
        choices = ", ".join(found)
        raise UnknownMockError(
            f"no mock named {', '.join(map(repr, unknown))}; available: {choices}"
        )
    return {name: cls for name, cls in found.items() if name in names}


__all__ = [
    "ENTRY_POINT_GROUP",
    "MOCKS",
    "UnknownMockError",
    "available_mocks",
    "fixture_name",
    "load_mock_class",
    "registered_mocks",
]
