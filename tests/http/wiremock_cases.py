"""The WireMock corpus (``wiremock_corpus/``) and a client that sends its cases as written.

Each case is sent with `http.client` (the path exactly as given, no re-encoding) or, for
connection faults, over a raw socket whose outcome is classified the way a client sees
it: ``empty`` (closed without a byte), ``reset`` (RST), ``garbage`` (bytes that are not
HTTP) or ``malformed`` (a status line, then a body that is not valid chunked encoding).
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CORPUS = Path(__file__).parent / "wiremock_corpus"


def cases() -> list[dict[str, Any]]:
    """The corpus's cases, in the order they must be sent (scenarios depend on it)."""
    document = json.loads((CORPUS / "cases.json").read_text())
    return list(document["cases"])


@dataclass
class Outcome:
    """What a client saw."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    fault: str | None = None
    elapsed_ms: float = 0.0


def _address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def send(base_url: str, case: dict[str, Any], timeout: float = 10.0) -> Outcome:
    """Send one case and say what came back."""
    if case.get("fault"):
        return _send_raw(base_url, case, timeout)
    host, port = _address(base_url)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    body = case.get("data")
    headers = dict(case.get("headers", {}))
    started = time.perf_counter()
    try:
        connection.request(case["method"], case["path"], body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    elapsed = (time.perf_counter() - started) * 1000
    found = {name.lower(): value for name, value in response.getheaders()}
    return Outcome(response.status, found, data, None, elapsed)


def _send_raw(base_url: str, case: dict[str, Any], timeout: float) -> Outcome:
    host, port = _address(base_url)
    request = f"{case['method']} {case['path']} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
    received = b""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request.encode())
        try:
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                received += part
        except ConnectionResetError:
            return Outcome(fault="reset" if not received else "garbage", body=received)
    return Outcome(fault=classify(received), body=received)


def classify(received: bytes) -> str:
    """What a connection that closed after `received` looks like to a client."""
    if not received:
        return "empty"
    if not received.startswith(b"HTTP/1."):
        return "garbage"
    head, _, rest = received.partition(b"\r\n\r\n")
    if b"chunked" in head.lower():
        size = rest.split(b"\r\n", 1)[0]
        try:
            int(size, 16)
        except ValueError:
            return "malformed"
    return "complete"


__all__ = ["CORPUS", "Outcome", "cases", "classify", "send"]
