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
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .load import ROOT
from .peer_servers import mockhttp_spec, wiremock_jar, wiremock_spec
from .procs import Probe, ServerProc, ServerSpec
from .rounds import SERVER_CPUS

WireMockKind = Literal["wiremock", "mockhttp-wiremock"]
KINDS: tuple[WireMockKind, ...] = ("wiremock", "mockhttp-wiremock")
LABELS: dict[str, str] = {"wiremock": "WireMock", "mockhttp-wiremock": "MockHTTP"}
CORPUS = ROOT / "tests" / "http" / "wiremock_corpus"
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


def corpus_spec(kind: WireMockKind, root: Path) -> ServerSpec:
    """How to run `kind` standalone on the WireMock root `root` (probed on ``/r/json``)."""
    probe = Probe("/r/json")
    if kind == "wiremock":
        return wiremock_spec(lambda folder: root, kind=kind, label="WireMock", probe=probe)
    return mockhttp_spec(lambda folder: root, kind=kind, label="MockHTTP", probe=probe)


def start_corpus_server(kind: WireMockKind, root: Path) -> ServerProc:
    """`kind` serving `root` in its own process (`bench.procs.ServerProc`), pinned to
    `SERVER_CPUS` like the peers: WireMock's threads share one core, as MockHTTP's one
    thread has (unpinned, WireMock took about 1.45 cores and wrk the rest)."""
    return ServerProc(corpus_spec(kind, root), SERVER_CPUS)


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
    "Workload",
    "corpus_spec",
    "describe",
    "many_root",
    "start_corpus_server",
]
