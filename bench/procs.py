"""Standalone server processes, as their users run them: started, probed, measured, stopped.

A `ServerSpec` says how to launch a server (its command line, built in a scratch folder
for its stub files or config) and which request proves it is serving (`Probe`). A
`ServerProc` runs one: pinned to a CPU set with ``taskset`` when asked, its **cold start**
timed from ``Popen`` to the first probe answered as expected, and its CPU time and
memory read from ``/proc`` for the whole process tree (nginx's master and worker, every
JVM thread), so nothing else on the machine is charged to it.

A server either announces its URL on stdout (``... listening on http://HOST:PORT``, as
``python -m mocks.<name> --port 0`` does) or is given a free port up front and polled
every `POLL_S` until it answers.
"""

from __future__ import annotations

import http.client
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .load import ROOT

#: How often a server that does not announce itself is polled while it starts.
POLL_S = 0.002
_LISTENING = re.compile(r"listening on (https?://\S+)")


@dataclass(frozen=True, slots=True)
class Probe:
    """A request a started server must answer with `status` and a body holding `contains`."""

    path: str = "/stub"
    method: str = "GET"
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    status: int = 200
    contains: bytes = b""


#: Builds a command line, given a scratch folder (for stub files, config) and the port
#: (0 when the server announces the one it picked).
CommandBuilder = Callable[[Path, int], list[str]]


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """How to launch one server and how to know it serves."""

    kind: str
    label: str
    command: CommandBuilder
    probe: Probe = field(default_factory=Probe)
    #: It prints ``listening on URL`` (and takes port 0); else it gets a free port.
    announces: bool = True
    env: tuple[tuple[str, str], ...] = ()
    #: Seconds to wait for the first answer.
    start_timeout: float = 180.0
    #: Load it gets at least before it is measured (a JVM compiles its hot paths).
    min_warm_up_s: float = 0.0


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(command: Sequence[str], cpus: str | None) -> list[str]:
    """`command` run on the CPU list `cpus` (``taskset -c``), or as is when None."""
    if cpus is None or shutil.which("taskset") is None:
        return list(command)
    return ["taskset", "-c", cpus, *command]


def ask(url: str, probe: Probe, timeout: float = 5.0) -> tuple[int, bytes]:
    """Send `probe` to the server at `url`; its status and body."""
    host, _, port = url.removeprefix("http://").rstrip("/").rpartition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        headers = dict(probe.headers)
        if probe.body is not None:
            headers.setdefault("Content-Type", "application/json")
        connection.request(probe.method, probe.path, body=probe.body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# ---- /proc ---------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process."""
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        found.setdefault(int(fields[1]), []).append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    children, tree, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants (every thread), in seconds."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def tree_status(pid: int, keys: Sequence[str] = ("VmRSS", "VmHWM")) -> dict[str, int]:
    """``/proc/<pid>/status`` figures (KiB) summed over `pid` and its descendants."""
    found = dict.fromkeys(keys, 0)
    for member in process_tree(pid):
        try:
            text = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key in found:
                found[key] += int(value.split()[0])
    return found


def tree_fds(pid: int) -> int:
    """Open file descriptors of `pid` and its descendants."""
    total = 0
    for member in process_tree(pid):
        try:
            total += len(os.listdir(f"/proc/{member}/fd"))
        except OSError:
            continue
    return total


def open_files_limit(pid: int) -> int | None:
    """The soft limit of open files of `pid` (``/proc/<pid>/limits``), None if unlimited."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft = line.split()[3]
            return None if soft == "unlimited" else int(soft)
    return None


# ---- one server process ----------------------------------------------------------------


class ServerProc:
    """One started server: `url`, `cold_start_s`, CPU and memory of its process tree."""

    def __init__(self, spec: ServerSpec, cpus: str | None = None) -> None:
        self.spec = spec
        self._folder = tempfile.TemporaryDirectory(prefix=f"mocks-bench-{spec.kind}-")
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        port = 0 if spec.announces else free_port()
        command = pinned(spec.command(Path(self._folder.name), port), cpus)
        env = {**os.environ, **dict(spec.env)}
        began = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,  # its own process group: stop() ends the whole tree
        )
        try:
            self.url = self._announced(began) if spec.announces else f"http://127.0.0.1:{port}"
            self._first_answer(began)
        except BaseException:
            self.stop()
            raise
        #: Seconds from Popen to the first answer to the probe.
        self.cold_start_s = time.perf_counter() - began
        #: CPU seconds the process tree used until then (steadier on a busy machine).
        self.cold_start_cpu_s = self.cpu_seconds()

    @property
    def pid(self) -> int:
        """The process id (the root of its tree)."""
        return self.process.pid

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-1500:].decode("utf-8", "replace")

    def _announced(self, began: float) -> str:
        assert self.process.stdout is not None
        deadline = began + self.spec.start_timeout
        while (left := deadline - time.perf_counter()) > 0:
            readable, _, _ = select.select([self.process.stdout], [], [], left)
            if not readable:
                break
            line = self.process.stdout.readline().decode("utf-8", "replace")
            if not line:
                break
            found = _LISTENING.search(line)
            if found:
                return found[1].rstrip("/")
        raise RuntimeError(f"{self.spec.kind} announced no URL:\n{self._stderr_tail()}")

    def _first_answer(self, began: float) -> None:
        deadline = began + self.spec.start_timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.spec.kind} exited with {self.process.returncode}:\n"
                    + self._stderr_tail()
                )
            try:
                status, body = ask(self.url, self.spec.probe)
            except (OSError, http.client.HTTPException):
                time.sleep(POLL_S)
                continue
            probe = self.spec.probe
            if status != probe.status or probe.contains not in body:
                raise RuntimeError(
                    f"{self.spec.kind} answered {probe.method} {probe.path} with {status}:"
                    f" {body[:300]!r}"
                )
            return
        raise RuntimeError(f"{self.spec.kind} did not answer within {self.spec.start_timeout} s")

    def cpu_seconds(self) -> float:
        """CPU time of the process tree so far."""
        return tree_cpu_seconds(self.pid)

    def memory_kb(self) -> dict[str, int]:
        """VmRSS and VmHWM of the process tree (KiB)."""
        return tree_status(self.pid)

    def fds(self) -> int:
        """Open file descriptors of the process tree."""
        return tree_fds(self.pid)

    def stop(self) -> None:
        """SIGTERM its process group (SIGKILL if it lingers); remove its scratch folder."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()
        self._folder.cleanup()


def cold_starts(spec: ServerSpec, runs: int, cpus: str | None) -> list[tuple[float, float]]:
    """(wall seconds, CPU seconds) from process start to first answer, `runs` times, after
    one untimed start that warms the file cache and byte-code caches."""
    times = []
    for index in range(runs + 1):
        server = ServerProc(spec, cpus)
        server.stop()
        if index:
            times.append((server.cold_start_s, server.cold_start_cpu_s))
    return times


__all__ = [
    "POLL_S",
    "CommandBuilder",
    "Probe",
    "ServerProc",
    "ServerSpec",
    "ask",
    "cold_starts",
    "free_port",
    "open_files_limit",
    "pinned",
    "process_tree",
    "tree_cpu_seconds",
    "tree_fds",
    "tree_status",
]
