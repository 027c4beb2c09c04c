"""The ``domains`` section: MockZitadel, MockWhatsApp and MockTeams beside their peers.

For each domain of `bench.domain_servers`, a sink (the stand-in bot, on the load CPU) and
every contender start; the mocks are programmed first and what they answered and sent
programs the peers. Each workload then runs at 32 connections, round robin, `repeat`
rounds of `duration` s after a warm-up, the server pinned to CPU 0 and wrk on CPU 1.

A workload counted **at the sink** (webhooks, activities to the bot) is timed from the
start of the load to the last delivery the sink received once deliveries stop (a peer
that queues its webhooks is charged for draining the queue), and its CPU per delivery
includes that drain. The others are requests/s as wrk counts them.

    python -m bench --only domains
    python -m bench.domains --quick --domains whatsapp
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from .domain_servers import DOMAINS, Canned, Domain, Workload, call, sink_spec
from .http_servers import Request
from .load import Generator, default_generator
from .procs import ServerProc
from .rounds import LOAD_CPUS, SERVER_CPUS, load, log
from .tables import table

CONNECTIONS = 32


def _sink_count(sink: str) -> tuple[int, float]:
    status, found = call(sink, "GET", "/__count")
    if status != 200:
        raise RuntimeError(f"sink: {status}")
    return int(found["count"]), float(found["last"])


def _settle(sink: str, quiet: float = 1.0, timeout: float = 60.0) -> tuple[int, float]:
    """Wait until the sink has received nothing new for `quiet` s; its count and last time."""
    deadline = time.monotonic() + timeout
    count, last = _sink_count(sink)
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now_count, now_last = _sink_count(sink)
        if now_count != count:
            count, last, still_since = now_count, now_last, time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            break
    return count, last


def _one_run(
    server: ServerProc,
    request: Request,
    workload: Workload,
    sink: str,
    duration: float,
    generator: Generator,
) -> dict[str, Any]:
    cpu_before = server.cpu_seconds()
    count_before, _ = _sink_count(sink) if workload.at_sink else (0, 0.0)
    began = time.time()
    result = load(server, request, CONNECTIONS, duration, generator)
    figures: dict[str, Any] = {
        "requests": result.requests,
        "request_rps": round(result.rps, 1),
        "p99_ms": result.p99_ms,
        "errors": result.errors,
        "non_2xx": result.non_2xx,
    }
    if workload.at_sink:
        count, last = _settle(sink)
        delivered = count - count_before
        span = max(last - began, 1e-6)
        cpu = server.cpu_seconds() - cpu_before
        figures.update(
            rate=delivered / span,
            delivered=delivered,
            missing=result.requests * workload.per_request - delivered,
            drain_s=round(max(0.0, last - began - result.seconds), 3),
            cpu_us=cpu / delivered * 1e6 if delivered else None,
        )
    else:
        cpu = server.cpu_seconds() - cpu_before
        figures.update(
            rate=result.rps, cpu_us=cpu / result.requests * 1e6 if result.requests else None
        )
    return figures


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda run: run["rate"])
    chosen = dict(ordered[len(ordered) // 2])
    cpus = [run["cpu_us"] for run in runs if run["cpu_us"] is not None]
    chosen["rate"] = round(chosen["rate"], 1)
    chosen["cpu_us"] = round(statistics.median(cpus), 1) if cpus else None
    chosen["all_rates"] = [round(run["rate"], 1) for run in runs]
    chosen["valid"] = not any(
        run["errors"] or run["non_2xx"] or run.get("missing", 0) > 0 for run in runs
    )
    return chosen


def run_domain(
    domain: Domain, duration: float, repeat: int, generator: Generator, warm_up_s: float
) -> dict[str, Any]:
    """Every workload of `domain`, mock and peer (see the module docstring)."""
    reason = domain.available()
    if reason:
        log(f"  {domain.label}: skipped ({reason})")
        return {"skipped": reason}
    log(f"domains: {domain.label} vs {domain.peer_label}")
    sink = ServerProc(sink_spec(), LOAD_CPUS)
    started: dict[str, ServerProc] = {}
    requests: dict[str, dict[str, Request]] = {}
    sides: dict[str, str] = {}
    canned: Canned = {}
    try:
        for side in ("mock", "peer"):
            for contender in domain.contenders:
                if contender.side != side:
                    continue
                process = ServerProc(contender.spec(sink.url, canned), SERVER_CPUS)
                started[contender.key] = process
                sides[contender.key] = side
                requests[contender.key] = contender.prepare(process, sink.url, canned)
        plan = [
            (key, workload)
            for workload in domain.workloads
            for key in started
            if workload.name in requests[key]
        ]
        for key, workload in plan:  # warm-up, unmeasured (a JVM longer: its spec says)
            seconds = max(warm_up_s, started[key].spec.min_warm_up_s)
            load(started[key], requests[key][workload.name], CONNECTIONS, seconds, generator)
            if workload.at_sink:
                _settle(sink.url)
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {(k, w.name): [] for k, w in plan}
        for round_ in range(repeat):
            shift = round_ % len(plan)
            for key, workload in [*plan[shift:], *plan[:shift]]:
                runs[(key, workload.name)].append(
                    _one_run(
                        started[key],
                        requests[key][workload.name],
                        workload,
                        sink.url,
                        duration,
                        generator,
                    )
                )
        memory = {key: process.memory_kb() for key, process in started.items()}
    finally:
        for process in started.values():
            process.stop()
        sink.stop()
    results: dict[str, Any] = {"label": domain.label, "peer": domain.peer_label, "workloads": {}}
    for (key, name), found in runs.items():
        summary = _summary(found)
        summary["server"] = key
        summary["rss_after_kb"] = memory[key]["VmRSS"]
        results["workloads"].setdefault(name, {})[sides[key]] = summary
        cpu = summary["cpu_us"]
        log(
            f"  {key:<24} {name:<14} {summary['rate']:>9.0f}/s"
            f" {'-' if cpu is None else f'{cpu:.1f}':>8} CPU us/op"
            + ("" if summary["valid"] else "  !! errors, non-2xx or missing deliveries")
        )
    results["labels"] = {w.name: w.label for w in domain.workloads}
    results["note"] = domain.note
    return results


def run_domains(
    duration: float,
    repeat: int,
    generator: Generator,
    *,
    names: tuple[str, ...] = tuple(DOMAINS),
    warm_up_s: float = 3.0,
) -> dict[str, Any]:
    """Every domain in `names`."""
    return {
        name: run_domain(DOMAINS[name], duration, repeat, generator, warm_up_s) for name in names
    }


# ---- the table -----------------------------------------------------------------------------


def _rate(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "-"
    return f"{entry['rate']:,.0f}" + ("" if entry.get("valid", True) else " !")


def _cpu(entry: dict[str, Any] | None) -> str:
    return "-" if not entry or entry.get("cpu_us") is None else f"{entry['cpu_us']:.1f}"


def _x(a: float | None, b: float | None) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}x"


def render_domains(section: dict[str, Any]) -> str:
    """One row per domain workload: the mock, its peer, and the ratios."""
    rows, notes = [], []
    for domain in section.values():
        if "skipped" in domain:
            notes.append(f"skipped: {domain['skipped']}")
            continue
        notes.append(f"{domain['label']} vs {domain['peer']}: {domain['note']}")
        for name, figures in domain["workloads"].items():
            mock, peer = figures.get("mock"), figures.get("peer")
            rows.append(
                [
                    f"{domain['label']}: {domain['labels'][name]}",
                    _rate(mock),
                    _cpu(mock),
                    f"{domain['peer']} {_rate(peer)}",
                    _cpu(peer),
                    _x(mock and mock["rate"], peer and peer["rate"]),
                    _x(peer and peer["cpu_us"], mock and mock["cpu_us"]),
                ]
            )
    headers = ["hot path (c=32)", "mock /s", "CPU us/op", "peer /s", "CPU us/op", "ratio",
               "CPU ratio"]  # fmt: skip
    title = (
        "Domain mocks beside their peers, standalone (ratio: mock / peer, > 1 is the mock"
        " ahead; CPU ratio: the peer's CPU per operation / the mock's)"
    )
    return "\n".join([title, table(headers, rows), *notes])


def main(argv: list[str] | None = None) -> int:
    """Run the section alone; print the table; write the JSON if asked."""
    parser = argparse.ArgumentParser(prog="python -m bench.domains")
    parser.add_argument("--quick", action="store_true", help="1 s runs, 1 round")
    parser.add_argument("--duration", type=float, help="seconds per load run (5, quick 1)")
    parser.add_argument("--repeat", type=int, help="rounds (2, quick 1)")
    parser.add_argument("--domains", default=",".join(DOMAINS), help="comma-separated")
    parser.add_argument("--generator", choices=("wrk", "python"), default=default_generator())
    parser.add_argument("--output", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    results = run_domains(
        args.duration or (1.0 if args.quick else 5.0),
        args.repeat or (1 if args.quick else 2),
        args.generator,
        names=tuple(n for n in args.domains.split(",") if n),
        warm_up_s=1.0 if args.quick else 3.0,
    )
    print(render_domains(results))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
