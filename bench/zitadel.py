"""``python -m bench.zitadel``: MockZitadel side by side with the npm oauth2-mock-server.

Token requests/s (``client_credentials``, an RS256 JWT access token each) and
introspection requests/s, at 1 and 32 connections, with each server's CPU time per
request, as ratios to oauth2-mock-server; the servers are described in
`bench.zitadel_servers`. As in the rest of `bench/`: each server runs in its own
process, the load comes from another (``wrk -t1`` when installed, else
``bench.pyload``), the servers are warmed up with 500 requests, the runs go round robin
in an order rotated every round, each figure is the median of the rounds, and a run
with a socket error or a non-2xx answer is marked ``!``.

    python -m bench.zitadel --quick        # about 1 min: 1 s per run, 2 rounds
    python -m bench.zitadel                # 5 s per run, 3 rounds

Needs Node 20+ and npm (``npm install oauth2-mock-server`` runs once into
``~/.cache/mocks-bench-node``). The JSON goes to ``bench/results/zitadel-<time>.json``
and ``bench/results/latest-zitadel.json``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from .load import Generator, LoadResult, default_generator, run_load
from .rounds import log
from .tables import table
from .zitadel_servers import (
    KINDS,
    LABELS,
    SCENARIOS,
    OidcServer,
    ZitadelKind,
    ZitadelScenario,
    node_package_version,
    start,
)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
BASELINE: ZitadelKind = "oauth2-mock-server"
SCENARIO_LABELS = {"token": "token (client_credentials, JWT)", "introspect": "introspection"}


def _run(
    server: OidcServer,
    scenario: ZitadelScenario,
    connections: int,
    duration: float,
    generator: Generator,
) -> tuple[LoadResult, float]:
    """One load run; (its result, server CPU microseconds per request)."""
    request = server.request(scenario)
    before = server.cpu()
    load = run_load(
        server.url + request.path,
        connections=connections,
        duration=duration,
        method=request.method,
        body=request.body,
        headers=request.headers,
        generator=generator,
    )
    spent = server.cpu() - before
    return load, (spent * 1e6 / load.requests if load.requests else 0.0)


def _warm_up(server: OidcServer) -> None:
    for scenario in SCENARIOS:
        request = server.request(scenario)
        run_load(
            server.url + request.path,
            connections=4,
            duration=5,
            method=request.method,
            body=request.body,
            headers=request.headers,
            generator="python",
            requests=request.warm_up,
        )


def _summary(runs: list[tuple[LoadResult, float]]) -> dict[str, Any]:
    by_rps = sorted(runs, key=lambda run: run[0].rps)
    chosen = by_rps[len(by_rps) // 2][0]
    failed = [r for r, _ in runs if r.errors or r.non_2xx]
    return {
        **chosen.to_dict(),
        "all_rps": [round(r.rps, 1) for r, _ in runs],
        "cpu_us_per_request": round(statistics.median(cpu for _, cpu in runs), 1),
        "valid": not failed,
        "problems": [f"{r.errors} errors/{r.non_2xx} non-2xx" for r in failed],
    }


def measure(
    duration: float, repeat: int, connections: tuple[int, ...], generator: Generator
) -> dict[str, Any]:
    """Every scenario on both servers; figures by scenario, connections, server."""
    servers = {kind: start(kind) for kind in KINDS}
    try:
        for server in servers.values():
            _warm_up(server)
        runs: dict[tuple[str, int, str], list[tuple[LoadResult, float]]] = {}
        for round_number in range(repeat):
            order = list(KINDS[round_number % 2 :] + KINDS[: round_number % 2])
            for scenario in SCENARIOS:
                for count in connections:
                    for kind in order:
                        result = _run(servers[kind], scenario, count, duration, generator)
                        runs.setdefault((scenario, count, kind), []).append(result)
                        log(
                            f"  {LABELS[kind]:<26} {scenario:<10} c={count:<3}"
                            f" {result[0].rps:>9.0f} req/s {result[1]:>8.1f} CPU us/req"
                        )
    finally:
        for server in servers.values():
            server.stop()
    figures: dict[str, Any] = {}
    for (workload, count, server_kind), found in runs.items():
        by_count = figures.setdefault(workload, {}).setdefault(f"c{count}", {})
        by_count[server_kind] = _summary(found)
    return figures


def render(figures: dict[str, Any]) -> str:
    """The table: requests/s and CPU per request of both servers, and their ratios."""
    headers = [
        "workload",
        "MockZitadel req/s",
        "oauth2-mock-server req/s",
        "ratio",
        "MockZitadel CPU us/req",
        "oauth2-mock-server CPU us/req",
        "CPU ratio",
    ]
    rows = []
    for scenario in SCENARIOS:
        for key, by_kind in figures.get(scenario, {}).items():
            ours, theirs = by_kind["mockzitadel"], by_kind[BASELINE]
            mark = {k: "" if v["valid"] else " !" for k, v in by_kind.items()}
            rows.append(
                [
                    f"{SCENARIO_LABELS[scenario]}, {key.replace('c', 'c=')}",
                    f"{ours['rps']:,.0f}{mark['mockzitadel']}",
                    f"{theirs['rps']:,.0f}{mark[BASELINE]}",
                    f"{ours['rps'] / theirs['rps']:.2f}x" if theirs["rps"] else "-",
                    f"{ours['cpu_us_per_request']:,.0f}",
                    f"{theirs['cpu_us_per_request']:,.0f}",
                    f"{ours['cpu_us_per_request'] / theirs['cpu_us_per_request']:.2f}x"
                    if theirs["cpu_us_per_request"]
                    else "-",
                ]
            )
    note = (
        "ratio: MockZitadel / oauth2-mock-server requests/s (above 1: MockZitadel faster);"
        " CPU ratio: CPU per request (below 1: MockZitadel cheaper)."
    )
    return table(headers, rows) + "\n" + note


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "oauth2-mock-server": node_package_version()}
    for package in ("mocks", "aiohttp", "cryptography", "pydantic"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.zitadel", description=__doc__)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (figures are medians)")
    parser.add_argument("--quick", action="store_true", help="1 s per run, 2 rounds")
    parser.add_argument("--generator", choices=["wrk", "python"], default=default_generator())
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    duration, repeat = (1.0, 2) if args.quick else (args.duration, args.repeat)
    load_average = os.getloadavg()[0]
    log(f"bench.zitadel: {duration:g} s per run, {repeat} rounds, {args.generator}")
    figures = measure(duration, repeat, (1, 32), args.generator)
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": load_average},
        "versions": _versions(),
        "duration_s": duration,
        "repeat": repeat,
        "generator": args.generator,
        "zitadel": figures,
    }
    print(render(figures))
    if load_average > 1:
        print(f"(load average {load_average:.1f} at start: trust the CPU columns more)")
    output = args.output or RESULTS_DIR / f"zitadel-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    (output.parent / "latest-zitadel.json").write_text(json.dumps(results, indent=2) + "\n")
    log(f"written {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
