"""The ``wiremock`` section: the WireMock corpus served by WireMock and by MockHTTP.

Requests/s and server CPU per request for each workload of `bench.wiremock_servers`
(c=32; the static stub at c=1 too), then each process's memory: idle after start and peak
(VmHWM) after the runs. Every server is warmed up first (a 2 s load run per workload, so
the JVM has compiled its hot paths); the load runs go round robin, `repeat` rounds, the
order rotated each round, and each figure is the median of its rounds.

    python -m bench.wiremock --duration 2 --repeat 2     # this section alone
    python -m bench --only wiremock                       # the same, inside the suite
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from .load import Generator, LoadResult, default_generator, run_load
from .procs import ServerProc
from .rounds import LOAD_CPUS, wait_quiet
from .tables import table
from .wiremock_servers import (
    CORPUS,
    KINDS,
    LABELS,
    WORKLOADS,
    WireMockKind,
    Workload,
    describe,
    many_root,
    start_corpus_server,
)

BASELINE: WireMockKind = "wiremock"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load(url: str, workload: Workload, connections: int, duration: float, gen: Generator) -> Any:
    return run_load(
        url + workload.path,
        connections=connections,
        duration=duration,
        method=workload.method,
        body=workload.body,
        headers=workload.headers,
        generator=gen,
        cpus=LOAD_CPUS,
    )


def _runs(
    servers: dict[tuple[WireMockKind, bool], ServerProc],
    plan: list[tuple[Workload, int]],
    duration: float,
    repeat: int,
    generator: Generator,
) -> dict[tuple[WireMockKind, str, int], list[tuple[LoadResult, float]]]:
    """Every (kind, workload, connections) load run, round robin."""
    pairs = [(kind, workload, c) for workload, c in plan for kind in KINDS]
    runs: dict[tuple[WireMockKind, str, int], list[tuple[LoadResult, float]]] = {
        (kind, w.name, c): [] for kind, w, c in pairs
    }
    for round_ in range(repeat):
        shift = round_ % len(pairs)
        for kind, workload, connections in pairs[shift:] + pairs[:shift]:
            server = servers[(kind, workload.many)]
            wait_quiet(list(servers.values()))
            before = server.cpu_seconds()
            load = _load(server.url, workload, connections, duration, generator)
            cpu = server.cpu_seconds() - before
            per_request = cpu / load.requests * 1e6 if load.requests else 0.0
            runs[(kind, workload.name, connections)].append((load, per_request))
    return runs


def _summary(runs: list[tuple[LoadResult, float]]) -> dict[str, Any]:
    chosen = sorted(runs, key=lambda run: run[0].rps)[len(runs) // 2][0]
    valid = not any(load.errors or load.non_2xx for load, _ in runs)
    return {
        **chosen.to_dict(),
        "all_rps": [round(load.rps, 1) for load, _ in runs],
        "cpu_us_per_request": round(statistics.median(cpu for _, cpu in runs), 1),
        "valid": valid,
    }


def run_wiremock(duration: float, repeat: int, generator: Generator) -> dict[str, Any]:
    """Measure both servers on the corpus (and the corpus plus many mappings); without
    Java or the WireMock jar, say so instead."""
    _log("WireMock corpus: WireMock vs MockHTTP")
    try:
        meta = describe()
    except (OSError, RuntimeError) as exc:
        _log(f"  skipped: {exc}")
        return {"skipped": str(exc)}
    plan = [(WORKLOADS[0], 1), *((workload, 32) for workload in WORKLOADS)]
    servers: dict[tuple[WireMockKind, bool], ServerProc] = {}
    memory: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mocks-bench-wiremock-") as folder:
        roots = {False: CORPUS, True: many_root(Path(folder))}
        try:
            for kind in KINDS:
                for many, root in roots.items():
                    servers[(kind, many)] = start_corpus_server(kind, root)
                memory[kind] = {"idle_rss_kb": servers[(kind, False)].memory_kb().get("VmRSS")}
            _log("  warming up (2 s per workload and server)")
            for (_kind, many), server in servers.items():
                for workload in WORKLOADS:
                    if workload.many == many:
                        _load(server.url, workload, 32, 2, generator)
            runs = _runs(servers, plan, duration, repeat, generator)
            for kind in KINDS:
                memory[kind]["peak_rss_kb"] = servers[(kind, False)].memory_kb().get("VmHWM")
        finally:
            for server in servers.values():
                server.stop()
    results: dict[str, Any] = {"meta": meta, "memory": memory}
    for (kind, name, connections), found in runs.items():
        summary = _summary(found)
        results.setdefault(kind, {}).setdefault(name, {})[f"c{connections}"] = summary
        flag = "" if summary["valid"] else "  !! errors or non-2xx"
        _log(
            f"  {LABELS[kind]:<9} {name:<9} c={connections:<3} {summary['rps']:>9.0f} req/s"
            f" {summary['cpu_us_per_request']:>8.1f} CPU us/req{flag}"
        )
    return results


# ---- the table ---------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}x"


def render_wiremock(section: dict[str, Any]) -> str:
    """Requests/s, CPU per request and memory, MockHTTP as a ratio of WireMock."""
    if "skipped" in section:
        return f"WireMock corpus: not measured ({section['skipped']})"
    rows = []
    for workload in WORKLOADS:
        levels = sorted({int(c[1:]) for c in section.get(BASELINE, {}).get(workload.name, {})})
        for connections in levels:
            key = f"c{connections}"
            theirs = section[BASELINE][workload.name][key]
            ours = section["mockhttp-wiremock"][workload.name][key]
            flag = "" if theirs["valid"] and ours["valid"] else " !"
            rows.append(
                [
                    f"{workload.label}{flag}",
                    str(connections),
                    f"{theirs['rps']:,.0f}",
                    f"{ours['rps']:,.0f}",
                    _ratio(ours["rps"], theirs["rps"]),
                    f"{theirs['cpu_us_per_request']:.1f}",
                    f"{ours['cpu_us_per_request']:.1f}",
                    _ratio(theirs["cpu_us_per_request"], ours["cpu_us_per_request"]),
                ]
            )
    headers = [
        "workload", "c", "WireMock req/s", "MockHTTP req/s", "ratio",
        "WireMock CPU us/req", "MockHTTP CPU us/req", "CPU ratio",
    ]  # fmt: skip
    memory = section.get("memory", {})
    lines = [
        f"WireMock corpus ({section['meta']['mappings']} mappings, {section['meta']['jar']},"
        f" {section['meta']['java']}) served by WireMock and MockHTTP, each standalone."
        " ratio: MockHTTP / WireMock; CPU ratio: WireMock's CPU us/req / MockHTTP's",
        table(headers, rows),
    ]
    mem_rows = []
    for kind in KINDS:
        figures = memory.get(kind, {})
        idle, peak = figures.get("idle_rss_kb"), figures.get("peak_rss_kb")
        mem_rows.append(
            [
                LABELS[kind],
                "-" if idle is None else f"{idle / 1024:.1f}",
                "-" if peak is None else f"{peak / 1024:.1f}",
            ]
        )
    base_peak = memory.get(BASELINE, {}).get("peak_rss_kb")
    ours_peak = memory.get("mockhttp-wiremock", {}).get("peak_rss_kb")
    lines.append(table(["process", "idle RSS MiB", "peak RSS MiB (after the runs)"], mem_rows))
    lines.append(f"MockHTTP peak memory / WireMock's: {_ratio(ours_peak, base_peak)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the section alone; print the table; write the JSON if asked."""
    parser = argparse.ArgumentParser(prog="python -m bench.wiremock")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each figure the median")
    parser.add_argument("--generator", choices=("wrk", "python"), default=default_generator())
    parser.add_argument("--output", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    results = run_wiremock(args.duration, args.repeat, args.generator)
    print(render_wiremock(results))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
