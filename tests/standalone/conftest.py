"""Standalone mocks as separate processes, driven only over HTTP.

Nothing here imports `mocks`: these tests are what a test suite in another language
does (start ``python -m mocks.http``, read the URL it prints, talk HTTP to it).
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
URL = re.compile(r"listening on (http://\S+)")


@dataclass
class Running:
    """A mock process: its URL, the process, and its stderr log file."""

    url: str
    process: subprocess.Popen[str]
    log: Path

    def admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call an admin route (``path`` below ``/__admin``)."""
        return requests.request(method, f"{self.url}/__admin{path}", timeout=10, **kwargs)

    def stop(self) -> int:
        """SIGTERM, then wait; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=10)
        finally:
            if self.process.stdout is not None:
                self.process.stdout.close()


def read_line(
    process: subprocess.Popen[str], log: Path | None = None, timeout: float = 15.0
) -> str:
    """The next stdout line, failing the test if none comes in time or the process ends."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            line = process.stdout.readline()
            if line:
                return line.rstrip("\n")
        if process.poll() is not None:
            output = log.read_text() if log is not None else ""
            raise AssertionError(f"exit status {process.returncode} before any output:\n{output}")
    raise AssertionError("no output in time")


def spawn(args: list[str], tmp: Path, **kwargs: Any) -> tuple[subprocess.Popen[str], Path]:
    """Start ``python -m ...`` from the repository, stderr to a log file in `tmp`."""
    log = tmp / f"stderr-{time.monotonic_ns()}.log"
    env = {**os.environ, **kwargs.pop("env", {})}
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=kwargs.pop("cwd", REPO),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
            **kwargs,
        )
    return process, log


class Starter:
    """Starts mock processes and stops them all at the end (asserting a clean exit)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.started: list[Running] = []

    def __call__(self, *flags: str, module: str = "mocks.http", **kwargs: Any) -> Running:
        process, log = spawn(["-m", module, "--port", "0", *flags], self.tmp, **kwargs)
        line = read_line(process, log)
        found = URL.search(line)
        assert found, f"no URL in {line!r}"
        running = Running(found.group(1), process, log)
        self.started.append(running)
        return running

    def stop_all(self) -> None:
        for running in self.started:
            assert running.stop() == 0, running.log.read_text()


@pytest.fixture
def start_mock(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """Start ``python -m mocks.http`` (or another module) with flags; stopped after the test."""
    starter = Starter(tmp_path)
    yield starter
    starter.stop_all()


@pytest.fixture(scope="module")
def shared_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One ``python -m mocks.http`` for a whole module, reset before each use by the test."""
    starter = Starter(tmp_path_factory.mktemp("shared"))
    yield starter()
    starter.stop_all()
