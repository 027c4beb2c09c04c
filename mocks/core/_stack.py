"""The whole stack: every available mock, started together, and the environment it gives.

Used by ``python -m mocks`` and the ``mock_stack`` pytest fixture. Each mock contributes
``MOCK_<SERVICE>_URL`` and the variables its clients read, from its own
`stack_environment()` hook (``OPENAI_BASE_URL``, ``ZITADEL_ISSUER``, ...).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._catalog import available_mocks
from ._mock import BaseMock


def mock_environment(service: str, mock: BaseMock) -> dict[str, str]:
    """The variables a system under test needs to reach `mock`."""
    return {f"MOCK_{service.upper()}_URL": mock.url, **mock.stack_environment()}


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
        """Start every available mock (of `names`), on `ports[service]` or a free port."""
        stack = cls({})
        try:
            for service, mock_class in available_mocks(names).items():
                port = (ports or {}).get(service, 0)
                try:
                    stack.mocks[service] = mock_class.start(port, host, **options)
                except OSError as exc:  # name the mock beside the address
                    raise OSError(exc.errno, f"{service}: {exc.strerror or exc}") from exc
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


__all__ = ["MockStack", "mock_environment"]
