"""A new mock plugs into the engine without touching it.

`newmock/tinymock.py` is written like a mock package (a route, a default route that
emits a webhook, a multipart upload, admin routes of its own, a CLI option, a stack
variable). It runs in-process, standalone and in the stack, registered through an
entry point, and nothing under ``mocks/core`` names it.
"""

from __future__ import annotations

import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mocks import Form, MockHTTP
from mocks.core import MockStack, available_mocks

REPO = Path(__file__).resolve().parents[2]
NEWMOCK = Path(__file__).resolve().parent / "newmock"
DATA = bytes(range(256)) * 40  # every byte value, CR and LF included


@pytest.fixture
def tiny_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(NEWMOCK))
    import tinymock

    return tinymock


@pytest.fixture
def receiver() -> Iterator[MockHTTP]:
    with MockHTTP.start() as mock:
        mock.expect("POST", "/hooks").respond(204)
        yield mock


def _registration(root: Path) -> Path:
    """An installed distribution (as pip leaves it) registering the mock by entry point."""
    info = root / "tinymock-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinymock\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[mocks]\ntiny = tinymock:MockTiny\n")
    return root


def _upload(url: str, note: str = "hello") -> requests.Response:
    files = {"file": ("blob.bin", DATA, "application/octet-stream")}
    return requests.post(f"{url}/uploads", files=files, data={"note": note}, timeout=10)


def test_in_process_routes_admin_routes_multipart_and_webhooks(
    tiny_module: Any, receiver: MockHTTP
) -> None:
    with tiny_module.MockTiny.start(webhook_url=f"{receiver.url}/hooks") as tiny:
        tiny.expect("POST", "/uploads", matcher=Form(name="note", value="hello")).once()
        answer = _upload(tiny.url)
        assert answer.status_code == 201
        assert answer.json() == {"id": "up-1", "size": len(DATA), "note": "hello"}
        downloaded = requests.get(f"{tiny.url}/uploads/up-1", timeout=5)
        assert downloaded.content == DATA  # byte for byte

        [delivery] = tiny.wait_for_callbacks(timeout=5)
        assert delivery.succeeded
        assert receiver.requests.last.json == {"event": "uploaded", "id": "up-1"}

        listed = requests.get(f"{tiny.url}/__admin/tiny/uploads", timeout=5)
        assert listed.json() == {"uploads": ["up-1"]}
        refused = requests.put(f"{tiny.url}/__admin/tiny/webhook", json={"uri": "x"}, timeout=5)
        assert refused.status_code == 400
        assert refused.json()["error"]["field"] in ("url", "uri")
        missing = requests.post(f"{tiny.url}/uploads", data={"note": "x"}, timeout=5)
        assert (missing.status_code, missing.json()["error"]["field"]) == (400, "file")

        document = requests.get(f"{tiny.url}/__admin/openapi.json", timeout=5).json()
        operation = document["paths"]["/__admin/tiny/webhook"]["put"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/WebhookTarget"}
        assert "url" in document["components"]["schemas"]["WebhookTarget"]["properties"]
        assert "/__admin/expectations" in document["paths"]  # beside the engine's own
        tiny.verify()
    receiver.verify()


def test_a_default_route_answers_a_form_matcher_expectation_it_counts(tiny_module: Any) -> None:
    with tiny_module.MockTiny.start() as tiny:
        expectation = tiny.expect(matcher=Form(name="file", value="blob.bin")).times(1)
        assert _upload(tiny.url).status_code == 201
        assert expectation.call_count == 1
        tiny.verify()


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float = 20) -> list[str]:
    """Stdout lines up to the one holding `marker` (read on a thread: never blocks)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        if marker in line:
            return seen
    process.kill()
    raise AssertionError(f"no {marker!r} from the process; it printed {seen}")


def _environment(*paths: Path) -> dict[str, str]:
    path = os.pathsep.join([*map(str, paths), str(REPO)])
    return {**os.environ, "PYTHONPATH": path}


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=15)


def test_standalone_with_its_own_cli_option(receiver: MockHTTP) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tinymock", "--port", "0", "--webhook-url", f"{receiver.url}/hooks"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_environment(NEWMOCK),
        cwd=NEWMOCK,
    )
    try:
        [line] = _read_until(process, "listening on")
        url = line.rpartition(" ")[2]
        assert _upload(url).status_code == 201
        listed = requests.get(f"{url}/__admin/tiny/uploads", timeout=5).json()
        assert listed == {"uploads": ["up-1"]}
        deadline = time.monotonic() + 5
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.requests.last.json == {"event": "uploaded", "id": "up-1"}
    finally:
        assert _stop(process) == 0


def test_in_the_stack_registered_by_an_entry_point(tmp_path: Path) -> None:
    site = _registration(tmp_path / "site")
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks", "--only", "tiny,http", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_environment(site, NEWMOCK),
        cwd=tmp_path,
    )
    try:
        lines = _read_until(process, "# ready")
        pairs = [line.split("=", 1) for line in lines if "=" in line]
        environment = {key: shlex.split(value)[0] for key, value in pairs}
        assert environment["TINY_URL"] == environment["MOCK_TINY_URL"]
        assert "MOCK_HTTP_URL" in environment
        assert _upload(environment["TINY_URL"]).status_code == 201
    finally:
        assert _stop(process) == 0


def test_the_registry_finds_it_in_process_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_module: Any
) -> None:
    monkeypatch.syspath_prepend(str(_registration(tmp_path)))
    assert available_mocks(["tiny"]) == {"tiny": tiny_module.MockTiny}
    with MockStack.start(names=["tiny"]) as stack:
        assert stack.environment["TINY_URL"] == stack.tiny.url


def test_nothing_in_the_core_names_it() -> None:
    for file in (REPO / "mocks" / "core").rglob("*.py"):
        assert "tiny" not in file.read_text().lower(), file
