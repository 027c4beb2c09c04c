"""WireMock itself (the jar the npm ``wiremock`` package ships), started and stopped by the
tests that compare MockHTTP with it.

The jar is looked up under ``$MOCKS_NODE_MODULES`` (default ``<repo>/.node/node_modules``),
where CI installs it::

    npm install --no-save --prefix .node wiremock@3.13.2 wiremock-rest-client@1.11.0
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("MOCKS_NODE_MODULES", REPO / ".node" / "node_modules"))
INSTALL = "npm install --no-save --prefix .node wiremock@3.13.2 wiremock-rest-client@1.11.0"


def wiremock_jar() -> Path:
    """The WireMock standalone jar; a clear failure when it is not installed."""
    found = sorted((NODE_MODULES / "wiremock" / "build").glob("wiremock-standalone-*.jar"))
    if not found:
        raise AssertionError(f"WireMock is not installed under {NODE_MODULES}; run: {INSTALL}")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def wiremock(root: Path, timeout: float = 90.0) -> Iterator[str]:
    """Run WireMock on a free port serving `root`; yields its base URL, stops it after."""
    port = _free_port()
    command = [
        "java",
        "-Xmx512m",
        "-jar",
        str(wiremock_jar()),
        "--port",
        str(port),
        "--bind-address",
        "127.0.0.1",
        "--root-dir",
        str(root),
        "--disable-banner",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"WireMock exited with {process.returncode}: {error[-2000:]}")
            try:
                if requests.get(url + "/__admin/health", timeout=3).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"WireMock did not start within {timeout} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


__all__ = ["INSTALL", "NODE_MODULES", "wiremock", "wiremock_jar"]
