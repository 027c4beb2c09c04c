"""Load runs on standalone servers (`bench.procs`), round robin, each figure a median.

Every server of a group runs at once (idle but the one under load); the runs go round
robin, the order rotated each round, so a slow drift of a shared machine does not favour
whichever server ran first. Each run charges the CPU time the server's process tree used
during it to the requests it answered (**CPU us/req**), the steadier figure when other
work competes for the CPUs.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .http_servers import Request
from .load import Generator, LoadResult, run_load

#: The CPU the servers are pinned to, and the one the load generator runs on (2 cores).
SERVER_CPUS = "0"
LOAD_CPUS = "1"


class Measured(Protocol):
    """What a load run needs of a server: its URL and its CPU time so far."""

    url: str

    def cpu_seconds(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Run:
    """One planned load: which server, what request, how many connections."""

    key: Hashable
    request: Request
    connections: int


def log(message: str) -> None:
    """Progress goes to stderr (stdout holds only the tables)."""
    print(message, file=sys.stderr, flush=True)


def load(
    server: Measured,
    request: Request,
    connections: int,
    duration: float,
    generator: Generator,
    **options: Any,
) -> LoadResult:
    """One load run of `request` on `server` from the load CPU."""
    return run_load(
        server.url + request.path,
        connections=connections,
        duration=duration,
        method=request.method,
        body=request.body,
        headers=request.headers,
        generator=generator,
        cpus=LOAD_CPUS,
        **options,
    )


def warm_up(
    servers: Mapping[Any, Measured],
    plan: Sequence[Run],
    seconds: float,
    generator: Generator,
) -> None:
    """Load every planned (server, request) at 32 connections, unmeasured, until it is
    warm: 2 s runs until two in a row agree within 10 % on the server's CPU per request,
    after at least `seconds` (or the server spec's `min_warm_up_s`, longer for a JVM,
    which compiles its hot paths meanwhile) and at most 4x that (60 s at least)."""
    seen: set[tuple[Hashable, Request]] = set()
    for run in plan:
        if (run.key, run.request) in seen:
            continue
        seen.add((run.key, run.request))
        server = servers[run.key]
        floor = max(seconds, getattr(getattr(server, "spec", None), "min_warm_up_s", 0.0))
        spent, costs = 0.0, []
        while spent < max(4 * floor, 60.0):
            before = server.cpu_seconds()
            result = load(server, run.request, 32, 2.0, generator)
            spent += result.seconds or 2.0
            if result.requests:
                costs.append((server.cpu_seconds() - before) / result.requests)
            if spent >= floor and len(costs) >= 2 and _agree(costs[-2], costs[-1]):
                break


def _agree(a: float, b: float, within: float = 0.10) -> bool:
    return bool(a and b) and abs(a - b) / max(a, b) <= within


def wait_quiet(
    servers: Sequence[Measured],
    *,
    window: float = 0.5,
    busy: float = 0.02,
    longest: float = 10.0,
) -> None:
    """Wait until none of `servers` uses more than `busy` of a core over `window` seconds
    (a JVM compiles and collects for a while after its load run, on the core the next
    server is measured on: that made MockHTTP's CPU per request on the WireMock corpus
    read 74-103 µs instead of 61-70); give up after `longest`."""
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        before = [server.cpu_seconds() for server in servers]
        time.sleep(window)
        used = max(server.cpu_seconds() - b for server, b in zip(servers, before, strict=True))
        if used <= busy * window:
            return


def measure(
    servers: Mapping[Any, Measured],
    plan: Sequence[Run],
    duration: float,
    repeat: int,
    generator: Generator,
) -> dict[Run, list[tuple[LoadResult, float]]]:
    """Every planned run `repeat` times, round robin; (load result, CPU us/request) each."""
    runs: dict[Run, list[tuple[LoadResult, float]]] = {run: [] for run in plan}
    for round_ in range(repeat):
        shift = round_ % len(plan) if plan else 0
        for run in [*plan[shift:], *plan[:shift]]:
            server = servers[run.key]
            wait_quiet(list(servers.values()))
            before = server.cpu_seconds()
            result = load(server, run.request, run.connections, duration, generator)
            cpu = server.cpu_seconds() - before
            per_request = cpu / result.requests * 1e6 if result.requests else 0.0
            runs[run].append((result, per_request))
    return runs


def summarise(runs: list[tuple[LoadResult, float]]) -> dict[str, Any]:
    """The median run by req/s, with the median CPU us/req and p99 over the rounds."""
    ordered = sorted(runs, key=lambda run: run[0].rps)
    chosen = ordered[len(ordered) // 2][0]
    problems = [
        f"{load.errors} socket errors, {load.non_2xx} non-2xx"
        for load, _ in runs
        if load.errors or load.non_2xx
    ]
    return {
        **chosen.to_dict(),
        "all_rps": [round(load.rps, 1) for load, _ in runs],
        "p99_ms_median": round(statistics.median(load.p99_ms for load, _ in runs), 3),
        "cpu_us_per_request": round(statistics.median(cpu for _, cpu in runs), 1),
        "all_cpu_us": [round(cpu, 1) for _, cpu in runs],
        "valid": not problems,
        "problems": problems,
    }


__all__ = [
    "LOAD_CPUS",
    "SERVER_CPUS",
    "Measured",
    "Run",
    "load",
    "log",
    "measure",
    "summarise",
    "wait_quiet",
    "warm_up",
]
