"""WireMock and MockHTTP serving the same WireMock root, each as its users run it standalone.

- WireMock: ``java -jar wiremock-standalone-<v>.jar --root-dir ROOT`` (the jar the npm
  ``wiremock`` package ships; JVM defaults; no request logging, as WireMock's default);
- MockHTTP: ``python -m mocks.http --stubs ROOT --log-level WARNING`` (no per-request
  log line either).

Both are separate processes; their CPU time and memory are read from ``/proc/<pid>``
(every thread counted), so the load generator never shares their CPU accounting.
The roots: the test corpus (``tests/http/wiremock_corpus``), and the same with
`MANY` more mappings (exact ``urlPath`` stubs) to see how matching scales.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .load import ROOT

WireMockKind = Literal["wiremock", "mockhttp-wiremock"]
KINDS: tuple[WireMockKind, ...] = ("wiremock", "mockhttp-wiremock")
LABELS: dict[str, str] = {"wiremock": "WireMock", "mockhttp-wiremock": "MockHTTP"}
CORPUS = ROOT / "tests" / "http" / "wiremock_corpus"
NODE_MODULES = Path(os.environ.get("MOCKS_NODE_MODULES", ROOT / ".node" / "node_modules"))
#: Extra mappings of the "many" root.
MANY = 500


@dataclass(frozen=True, slots=True)
class Workload:
    """One kind of request from the corpus, repeated by the load generator."""

    name: str
    label: str
    path: str
    method: str = "GET"
    body: bytes | None = None
    headers: tuple[str, ...] = ()
    many: bool = False


#: Requests the corpus answers 2xx without delays, faults or scenario state (paths without
#: a query string: the Python load generator sends the path alone; both generators send a
#: JSON body with its Content-Type).
WORKLOADS: tuple[Workload, ...] = (
    Workload("static", "GET, urlPath, static jsonBody", "/r/json"),
    Workload("regex", "GET, urlPathPattern regex", "/m/path-pattern/abc"),
    Workload(
        "headers",
        "GET, 5 header patterns",
        "/m/headers",
        headers=(
            "X-Eq: v",
            "X-Ci: mixed",
            "X-Contains: a-mid-b",
            "X-Matches: 123",
            "X-Not: good",
        ),
    ),
    Workload(
        "json",
        "POST, equalToJson ignoreExtraElements",
        "/m/json/extra",
        "POST",
        json.dumps({"a": {"b": 1, "c": 2}, "list": [1, 2, 3], "z": True}).encode(),
    ),
    Workload(
        "jsonpath",
        "POST, matchesJsonPath filter",
        "/m/jsonpath/filter",
        "POST",
        json.dumps({"items": [{"qty": 1}, {"qty": 2}]}).encode(),
    ),
    Workload("template", "GET, response template (path segments)", "/r/tpl/path/one/two"),
    Workload("many", f"GET, {MANY} more mappings, hit loaded first", "/many/0", many=True),
)


def wiremock_jar() -> Path:
    """The WireMock standalone jar of the npm ``wiremock`` package."""
    found = sorted((NODE_MODULES / "wiremock" / "build").glob("wiremock-standalone-*.jar"))
    if not found:
        raise RuntimeError(
            f"no WireMock jar under {NODE_MODULES}: npm install --no-save --prefix .node "
            "wiremock@3.13.2"
        )
    return found[-1]


def many_root(target: Path) -> Path:
    """The corpus plus `MANY` exact-path mappings (``/many/0`` loaded first)."""
    root = target / "many-root"
    shutil.copytree(CORPUS, root)
    mappings = [
        {"request": {"method": "GET", "urlPath": f"/many/{i}"}, "response": {"body": str(i)}}
        for i in range(MANY)
    ]
    (root / "mappings" / "000-many.json").write_text(json.dumps({"mappings": mappings}))
    return root


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WireMockProcess:
    """One server process serving a WireMock root; `cpu_seconds` and `memory_kb` from /proc."""

    def __init__(self, kind: WireMockKind, root: Path) -> None:
        self.kind = kind
        if kind == "wiremock":
            port = _free_port()
            command = [
                "java", "-jar", str(wiremock_jar()), "--port", str(port),
                "--bind-address", "127.0.0.1", "--root-dir", str(root), "--disable-banner",
            ]  # fmt: skip
            self.url = f"http://127.0.0.1:{port}"
        else:
            command = [
                sys.executable, "-m", "mocks.http", "--stubs", str(root), "--log-level", "WARNING",
            ]  # fmt: skip
            self.url = ""
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        if self.kind == "mockhttp-wiremock":
            assert self.process.stdout is not None
            line = self.process.stdout.readline()
            found = re.search(r"listening on (\S+)", line)
            if not found:
                raise RuntimeError(f"MockHTTP did not start: {line!r}")
            self.url = found[1]
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.process.returncode}")
            try:
                host, _, port = self.url.removeprefix("http://").rpartition(":")
                with socket.create_connection((host, int(port)), 1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.kind} did not listen within {timeout} s")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (all threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def memory_kb(self) -> dict[str, int]:
        """VmRSS and VmHWM of the process in KiB."""
        found: dict[str, int] = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
        return found

    def stop(self) -> None:
        """Terminate the process (kill it if it does not go)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def describe() -> dict[str, Any]:
    """What ran: the jar and the Java version."""
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    return {
        "jar": wiremock_jar().name,
        "java": (java.stderr or java.stdout).splitlines()[0] if java.returncode == 0 else None,
        "mappings": sum(
            len(json.loads(p.read_text()).get("mappings", [1]))
            for p in (CORPUS / "mappings").glob("*.json")
        ),
    }


__all__ = [
    "CORPUS",
    "KINDS",
    "LABELS",
    "MANY",
    "WORKLOADS",
    "WireMockKind",
    "WireMockProcess",
    "Workload",
    "describe",
    "many_root",
    "wiremock_jar",
]
