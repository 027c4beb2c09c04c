"""The fixtures of pytest-httpserver, served by `mocks.compat.HTTPServer`.

Opt in with ``-p mocks.compat`` (or ``pytest_plugins = ["mocks.compat"]``); it is not
registered by itself, so it never collides with pytest-httpserver installed beside it.
One server per session (``make_httpserver``), cleared before each test (``httpserver``);
``PYTEST_HTTPSERVER_HOST`` and ``PYTEST_HTTPSERVER_PORT`` choose where it listens.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from ._server import HTTPServer

_STARTED: list[HTTPServer] = []


def get_httpserver_listen_address() -> tuple[str | None, int | None]:
    """(host, port) from ``PYTEST_HTTPSERVER_HOST`` / ``_PORT`` (None: the defaults)."""
    port = os.environ.get("PYTEST_HTTPSERVER_PORT")
    return os.environ.get("PYTEST_HTTPSERVER_HOST"), int(port) if port else None


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str | None, int | None]:
    """Where the session's server listens (see `get_httpserver_listen_address`)."""
    return get_httpserver_listen_address()


@pytest.fixture(scope="session")
def httpserver_ssl_context() -> Any:
    """No TLS (MockHTTP serves plain HTTP)."""
    return None


def _serve(host: str, port: int, ssl_context: Any) -> Iterator[HTTPServer]:
    server = HTTPServer(host=host, port=port, ssl_context=ssl_context)
    server.start()
    _STARTED.append(server)
    yield server
    server.clear()
    if server.is_running():
        server.stop()
    _STARTED.remove(server)


@pytest.fixture(scope="session")
def make_httpserver(
    httpserver_listen_address: tuple[str | None, int | None], httpserver_ssl_context: Any
) -> Iterator[HTTPServer]:
    """The session's server, started once."""
    host, port = httpserver_listen_address
    yield from _serve(
        host or HTTPServer.DEFAULT_LISTEN_HOST,
        port or HTTPServer.DEFAULT_LISTEN_PORT,
        httpserver_ssl_context,
    )


@pytest.fixture
def httpserver(make_httpserver: HTTPServer) -> HTTPServer:
    """The session's server, cleared for this test."""
    make_httpserver.clear()
    return make_httpserver


@pytest.fixture(scope="session")
def make_httpserver_ipv4(httpserver_ssl_context: Any) -> Iterator[HTTPServer]:
    """A session server on 127.0.0.1."""
    yield from _serve("127.0.0.1", 0, httpserver_ssl_context)


@pytest.fixture
def httpserver_ipv4(make_httpserver_ipv4: HTTPServer) -> HTTPServer:
    """The IPv4 session server, cleared for this test."""
    make_httpserver_ipv4.clear()
    return make_httpserver_ipv4


@pytest.fixture(scope="session")
def make_httpserver_ipv6(httpserver_ssl_context: Any) -> Iterator[HTTPServer]:
    """A session server on ::1."""
    yield from _serve("::1", 0, httpserver_ssl_context)


@pytest.fixture
def httpserver_ipv6(make_httpserver_ipv6: HTTPServer) -> HTTPServer:
    """The IPv6 session server, cleared for this test."""
    make_httpserver_ipv6.clear()
    return make_httpserver_ipv6


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop whatever server is still running."""
    for server in list(_STARTED):
        server.clear()
        if server.is_running():
            server.stop()


__all__ = [
    "get_httpserver_listen_address",
    "httpserver",
    "httpserver_ipv4",
    "httpserver_ipv6",
    "httpserver_listen_address",
    "httpserver_ssl_context",
    "make_httpserver",
    "make_httpserver_ipv4",
    "make_httpserver_ipv6",
    "pytest_sessionfinish",
]
