"""Mocks running elsewhere (``python -m mocks``, a container), driven over their admin API,
each caller in its own scope.

Several test workers can share one stack: every call a `RemoteMock` makes carries
``X-Mock-Scope: <scope>``, so each worker programs, reads and verifies only its own
expectations and journal. Requests of the test itself carry `RemoteMock.headers`; a
system under test that cannot add them is scoped by a credential instead (MockLLM: a
scope named after the API key it was given)::

    stack = RemoteStack.from_environment(scope="worker-1")   # reads MOCK_<SERVICE>_URL
    stack["http"].expect({"matcher": {"kind": "path", "value": "/greet"},
                          "response": {"json": "hi"}})
    requests.get(stack["http"].url + "/greet", headers=stack["http"].headers)
    stack["http"].verify()

The pytest fixture ``mock_remote`` gives each test such a stack, its scope named after
the worker and the test, verified when the test passes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .core import Scope

_URL_VARIABLE = re.compile(r"^MOCK_([A-Z0-9_]+)_URL$")


class RemoteError(AssertionError):
    """An admin call a remote mock refused, or a failed `RemoteMock.verify`."""


def scope_name(*parts: str) -> str:
    """A scope name from `parts` (a worker and a test id, say), shortened with a digest
    when it would be longer than the admin API takes."""
    name = "/".join(parts)
    if len(name) <= Scope.MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{name[: Scope.MAX_NAME - 17]}~{digest}"


@dataclass(frozen=True)
class RemoteMock:
    """One remote mock's admin API, in one scope."""

    service: str
    url: str
    scope: str
    #: The admin token, when the stack was started with ``--admin-token``.
    admin_token: str | None = None
    timeout: float = 10.0

    @property
    def headers(self) -> dict[str, str]:
        """Headers that put a request of the test's own in this scope."""
        return {Scope.HEADER: self.scope}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One admin call (`path` below ``/__admin``) in this scope: status and JSON."""
        headers = {**self.headers, "Accept": "application/json"}
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            f"{self.url}/__admin{path}", data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as refused:
            status, raw = refused.code, refused.read()
        return status, json.loads(raw) if raw.strip() else None

    def _ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, body)
        if status >= 400:
            raise RemoteError(
                f"{self.service}: {method} /__admin{path} answered {status}: {answer}"
            )
        return answer

    def expect(self, expectation: Mapping[str, Any]) -> dict[str, Any]:
        """Register an expectation given as the admin API's JSON; returns it as stored."""
        created: dict[str, Any] = self._ok("POST", "/expectations", dict(expectation))
        return created

    def requests(self) -> list[dict[str, Any]]:
        """This scope's journal, oldest first."""
        page = self._ok("GET", "/requests?limit=10000")
        entries: list[dict[str, Any]] = page["requests"]
        return entries

    def verify(self) -> None:
        """Raise `RemoteError` with the mock's report when something in this scope did
        not hold (an unmet expectation, an unmatched request, a contract violation)."""
        __tracebackhide__ = True
        status, report = self.call("GET", "/verify")
        if status == 409:
            raise RemoteError(report.get("report") or str(report))
        if status != 200:
            raise RemoteError(f"{self.service}: verify answered {status}: {report}")

    def reset(self) -> None:
        """Forget this scope's expectations and journal (nothing shared is touched)."""
        self._ok("POST", "/reset")


class RemoteStack(Mapping[str, RemoteMock]):
    """The mocks of a running stack by service name, all in one scope."""

    def __init__(
        self, urls: Mapping[str, str], scope: str, *, admin_token: str | None = None
    ) -> None:
        self.scope = scope
        self._mocks = {
            service: RemoteMock(service, url.rstrip("/"), scope, admin_token)
            for service, url in urls.items()
        }

    @classmethod
    def from_environment(cls, scope: str, environ: Mapping[str, str] | None = None) -> RemoteStack:
        """The mocks whose ``MOCK_<SERVICE>_URL`` is set (what ``python -m mocks`` prints);
        ``MOCKS_ADMIN_TOKEN`` is the admin token, if any."""
        environ = os.environ if environ is None else environ
        urls = {}
        for name, value in environ.items():
            found = _URL_VARIABLE.match(name)
            if found and value:
                urls[found.group(1).lower()] = value
        return cls(urls, scope, admin_token=environ.get("MOCKS_ADMIN_TOKEN") or None)

    def __getitem__(self, service: str) -> RemoteMock:
        try:
            return self._mocks[service]
        except KeyError:
            known = ", ".join(sorted(self._mocks)) or "none (no MOCK_<SERVICE>_URL is set)"
            raise KeyError(f"no remote mock {service!r}; known: {known}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._mocks)

    def __len__(self) -> int:
        return len(self._mocks)

    def verify(self) -> None:
        """Verify every mock's scope; the first failure is raised."""
        __tracebackhide__ = True
        for mock in self._mocks.values():
            mock.verify()

    def reset(self) -> None:
        """Reset this scope on every mock."""
        for mock in self._mocks.values():
            mock.reset()


__all__ = ["RemoteError", "RemoteMock", "RemoteStack", "scope_name"]
