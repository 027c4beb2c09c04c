"""Connections that bring no request are closed (slowloris, silent sockets); answered ones
and long answers are not."""

from __future__ import annotations

import contextlib
import socket
import time

import requests

from mocks import Fault, MockHTTP


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    received = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            return received + b"<still open>"
        if not chunk:
            return received
        received += chunk


def test_a_slowloris_connection_gets_408_and_is_closed() -> None:
    with (
        MockHTTP.start(idle_timeout=0.5) as mock,
        socket.create_connection(("127.0.0.1", mock.port)) as sock,
    ):
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # the head never ends
        answer = _read_all(sock, timeout=5)
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
        assert requests.get(f"{mock.url}/__admin/health", timeout=5).status_code == 200


def test_a_silent_connection_is_closed() -> None:
    with (
        MockHTTP.start(idle_timeout=0.5) as mock,
        socket.create_connection(("127.0.0.1", mock.port)) as sock,
    ):
        started = time.monotonic()
        assert _read_all(sock, timeout=5) == b""
        assert 0.4 < time.monotonic() - started < 4


def test_a_long_answer_and_a_reused_connection_are_not_cut() -> None:
    with MockHTTP.start(idle_timeout=0.3) as mock, requests.Session() as session:
        mock.expect("GET", "/slow").with_latency(900).respond(body="done")
        mock.expect("GET", "/fast").respond(body="ok")
        assert session.get(f"{mock.url}/slow", timeout=5).text == "done"  # 3 periods long
        assert session.get(f"{mock.url}/fast", timeout=5).text == "ok"  # same connection
        mock.verify()


def test_a_hanging_fault_outlives_the_timeout() -> None:
    with MockHTTP.start(idle_timeout=0.2) as mock:
        mock.expect("GET", "/hang").with_fault(Fault.HANG)
        started = time.monotonic()
        with contextlib.suppress(requests.Timeout):
            requests.get(f"{mock.url}/hang", timeout=1)
        assert time.monotonic() - started >= 0.9  # the client gave up, not the guard
