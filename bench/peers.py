"""The ``peers`` section: MockHTTP beside every peer, standalone, in one run (issue 14).

Each server of `bench.peer_servers.peers` runs as its users run it, pinned to CPU 0; the
load generator (wrk, else `bench.pyload`) runs on CPU 1. Figures per server:

- **cold start**: ``Popen`` to the first ``GET /stub`` answered (median of `cold_runs`
  fresh processes, after one untimed start), and the CPU seconds the process used by
  then; the other mocks (`COLD_ONLY`) get this column alone, with their first request;
- **req/s c=1, c=32, p99 c=32, CPU us/req**: `bench.rounds` (every server up at once,
  round robin, `repeat` rounds of `duration` s after a warm-up);
- **idle RSS** (1 s after the first answer) and **RSS after load** (after every run),
  summed over the process tree (nginx: master and worker);
- **journal bytes/entry**: `bench.journal_memory` (tracemalloc for the Python servers;
  for WireMock the JVM heap after a full GC, with journal minus without, by jcmd).

    python -m bench --only peers            # inside the suite
    python -m bench.peers --quick            # this section alone
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from .http_servers import Request
from .journal_memory import in_subprocess, jvm_heap_used_kb
from .load import Generator, default_generator, run_load
from .peer_servers import COLD_ONLY, peers
from .procs import ServerProc, ServerSpec, cold_starts
from .rounds import LOAD_CPUS, SERVER_CPUS, Run, log, measure, summarise, warm_up
from .stub import STUB_PATH
from .tables import table

STUB = Request(STUB_PATH)
CONNECTIONS = (1, 32)
#: MockHTTP's rows, compared with every other row.
OURS = ("mockhttp", "mockhttp-asyncio")
#: Journal measurement per Python server kind (`bench.journal_memory`).
PYTHON_JOURNALS = {"mockhttp": "mockhttp", "pytest-httpserver": "pytest-httpserver"}


def _cold(spec: ServerSpec, runs: int) -> dict[str, Any]:
    try:
        found = cold_starts(spec, runs, SERVER_CPUS)
    except (OSError, RuntimeError) as exc:
        log(f"  {spec.label:<28} cold start failed: {str(exc)[:200]}")
        return {"error": str(exc)[:2000]}
    walls, cpus = [w for w, _ in found], [c for _, c in found]
    figures = {
        "median_s": round(statistics.median(walls), 4),
        "min_s": round(min(walls), 4),
        "cpu_median_s": round(statistics.median(cpus), 4),
        "all_s": [round(w, 4) for w in walls],
    }
    log(
        f"  {spec.label:<28} cold start {figures['median_s']:.3f} s"
        f" (CPU {figures['cpu_median_s']:.3f} s)"
    )
    return figures


def _jvm_journal(servers: dict[str, ServerProc], requests: int) -> dict[str, Any] | None:
    """WireMock's journal per entry: heap growth with its journal minus without."""
    if "wiremock" not in servers or "wiremock-nojournal" not in servers:
        return None
    growth: dict[str, int] = {}
    for kind in ("wiremock", "wiremock-nojournal"):
        server = servers[kind]
        before = jvm_heap_used_kb(server.pid)
        run_load(
            server.url + STUB_PATH,
            connections=8,
            duration=600,
            generator="python",
            requests=requests,
            cpus=LOAD_CPUS,
        )
        after = jvm_heap_used_kb(server.pid)
        if before is None or after is None:
            return None
        growth[kind] = after - before
    per_entry = (growth["wiremock"] - growth["wiremock-nojournal"]) * 1024 / requests
    return {
        "requests": requests,
        "heap_growth_kb": growth,
        "bytes_per_entry": round(per_entry),
        "bound": None,
        "method": "jcmd GC.heap_info after GC.run, journal on minus off",
    }


def run_peers(
    duration: float,
    repeat: int,
    generator: Generator,
    *,
    cold_runs: int = 5,
    journal_requests: int = 5000,
    warm_up_s: float = 5.0,
) -> dict[str, Any]:
    """Measure every peer (see the module docstring); the figures as a JSON-ready dict."""
    specs = peers()
    results: dict[str, Any] = {
        "servers": {s.kind: {"label": s.label} for s in specs},
        "cold_only": {s.kind: {"label": s.label} for s in COLD_ONLY},
        "pinning": {"server_cpus": SERVER_CPUS, "load_cpus": LOAD_CPUS},
    }
    log(f"peers: cold start, {cold_runs} fresh processes each (pinned to CPU {SERVER_CPUS})")
    for spec in specs:
        results["servers"][spec.kind]["cold_start"] = _cold(spec, cold_runs)
    for spec in COLD_ONLY:
        results["cold_only"][spec.kind]["cold_start"] = _cold(spec, cold_runs)
    servers: dict[str, ServerProc] = {}
    try:
        for spec in specs:
            try:
                servers[spec.kind] = ServerProc(spec, SERVER_CPUS)
            except (OSError, RuntimeError) as exc:
                log(f"  {spec.label} did not start: {str(exc)[:300]}")
                results["servers"][spec.kind]["error"] = str(exc)[:2000]
        time.sleep(1.0)
        for kind, server in servers.items():
            results["servers"][kind]["idle_rss_kb"] = server.memory_kb()["VmRSS"]
        plan = [Run(kind, STUB, c) for c in CONNECTIONS for kind in servers]
        log(f"peers: warm-up ({warm_up_s:g} s each), then {repeat} rounds of {duration:g} s")
        warm_up(servers, plan, warm_up_s, generator)
        runs = measure(servers, plan, duration, repeat, generator)
        for run, found in runs.items():
            summary = summarise(found)
            results["servers"][str(run.key)][f"c{run.connections}"] = summary
            log(
                f"  {results['servers'][str(run.key)]['label']:<28} c={run.connections:<3}"
                f" {summary['rps']:>9.0f} req/s  p99 {summary['p99_ms']:.2f} ms"
                f"  {summary['cpu_us_per_request']:>7.1f} CPU us/req"
                + ("" if summary["valid"] else f"  !! {summary['problems'][:2]}")
            )
        for kind, server in servers.items():
            memory = server.memory_kb()
            results["servers"][kind]["rss_after_load_kb"] = memory["VmRSS"]
            results["servers"][kind]["peak_rss_kb"] = memory["VmHWM"]
        log(f"peers: journal memory per entry ({journal_requests} requests)")
        jvm = _jvm_journal(servers, journal_requests)
        if jvm is not None:
            results["servers"]["wiremock"]["journal"] = jvm
    finally:
        for server in servers.values():
            server.stop()
    for kind, server_kind in PYTHON_JOURNALS.items():
        if kind in results["servers"]:
            try:
                results["servers"][kind]["journal"] = in_subprocess(server_kind, journal_requests)
            except RuntimeError as exc:
                results["servers"][kind]["journal"] = {"error": str(exc)[:2000]}
    for kind in ("mockhttp-asyncio",):
        if kind in results["servers"] and "mockhttp" in results["servers"]:
            results["servers"][kind]["journal"] = results["servers"]["mockhttp"].get("journal")
    for kind in ("wiremock-nojournal", "aiohttp", "http1", "nginx"):
        if kind in results["servers"]:
            results["servers"][kind]["journal"] = {"bytes_per_entry": 0, "none": True}
    return results


# ---- the tables ----------------------------------------------------------------------------


def _get(entry: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(entry, dict) or key not in entry:
            return None
        entry = entry[key]
    return entry


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _mib(kb: float | None) -> str:
    return "-" if kb is None else f"{kb / 1024:.1f}"


def _journal(entry: dict[str, Any]) -> str:
    journal = entry.get("journal") or {}
    if journal.get("none"):
        return "none"
    per = journal.get("bytes_per_entry")
    if per is None:
        return "-"
    bound = journal.get("bound")
    return f"{per:,} B" + (f" (max {bound:,})" if bound else " (unbounded)")


def _flag(entry: dict[str, Any], key: str) -> str:
    found = entry.get(key)
    return " !" if isinstance(found, dict) and found.get("valid") is False else ""


def render_peers(section: dict[str, Any]) -> str:
    """The peers table, then MockHTTP's ratios to each peer."""
    servers: dict[str, Any] = section["servers"]
    rows = []
    for entry in servers.values():
        rows.append(
            [
                entry["label"],
                _num(_get(entry, "cold_start", "median_s"), ".3f"),
                _num(_get(entry, "cold_start", "cpu_median_s"), ".3f"),
                _num(_get(entry, "c1", "rps"), ",.0f") + _flag(entry, "c1"),
                _num(_get(entry, "c32", "rps"), ",.0f") + _flag(entry, "c32"),
                _num(_get(entry, "c32", "p99_ms"), ".2f"),
                _num(_get(entry, "c1", "cpu_us_per_request"), ".1f"),
                _num(_get(entry, "c32", "cpu_us_per_request"), ".1f"),
                _mib(entry.get("rss_after_load_kb")),
                _mib(entry.get("idle_rss_kb")),
                _journal(entry),
            ]
        )
    for entry in section.get("cold_only", {}).values():
        rows.append(
            [
                entry["label"],
                _num(_get(entry, "cold_start", "median_s"), ".3f"),
                _num(_get(entry, "cold_start", "cpu_median_s"), ".3f"),
                *["" for _ in range(8)],
            ]
        )
    headers = [
        "server", "cold start s", "(CPU s)", "req/s c=1", "req/s c=32", "p99 c=32 ms",
        "CPU us/req c=1", "CPU us/req c=32", "RSS after load MiB", "idle RSS MiB",
        "journal/entry",
    ]  # fmt: skip
    title = (
        "Peers, standalone, one run: servers pinned to CPU"
        f" {section['pinning']['server_cpus']}, load generator on CPU"
        f" {section['pinning']['load_cpus']}. cold start: process start -> first answer"
        " (median); CPU us/req: the server's CPU time per request"
    )
    return "\n".join([title, table(headers, rows), "", render_ratios(section)])


#: (label, key path, higher is better) of each ratio column.
RATIO_COLUMNS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("cold start", ("cold_start", "median_s"), False),
    ("cold CPU", ("cold_start", "cpu_median_s"), False),
    ("req/s c=1", ("c1", "rps"), True),
    ("req/s c=32", ("c32", "rps"), True),
    ("p99 c=32", ("c32", "p99_ms"), False),
    ("CPU/req c=1", ("c1", "cpu_us_per_request"), False),
    ("CPU/req c=32", ("c32", "cpu_us_per_request"), False),
    ("RSS after load", ("rss_after_load_kb",), False),
    ("idle RSS", ("idle_rss_kb",), False),
)


def ratio(ours: dict[str, Any], theirs: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    """MockHTTP's figure over the peer's (None when either is missing)."""
    a, b = _get(ours, *keys), _get(theirs, *keys)
    if not isinstance(a, int | float) or not isinstance(b, int | float) or not b:
        return None
    return float(a) / float(b)


def render_ratios(section: dict[str, Any]) -> str:
    """MockHTTP / peer for every figure (req/s: > 1 is MockHTTP ahead; the others:
    < 1 is MockHTTP ahead: less time, less CPU, less memory)."""
    servers: dict[str, Any] = section["servers"]
    rows = []
    for ours in OURS:
        if ours not in servers:
            continue
        for kind, entry in servers.items():
            if kind == ours:
                continue
            row = [f"{servers[ours]['label']} / {entry['label']}"]
            for _, keys, _ in RATIO_COLUMNS:
                found = ratio(servers[ours], entry, keys)
                row.append("-" if found is None else f"{found:.2f}x")
            rows.append(row)
    headers = ["ratio", *(label for label, _, _ in RATIO_COLUMNS)]
    return (
        "Ratios, MockHTTP / peer: req/s above 1 = MockHTTP faster; time, CPU, memory below 1"
        " = MockHTTP leaner\n" + table(headers, rows)
    )


def render_markdown(section: dict[str, Any]) -> str:
    """The peers table (markdown) and the ratios (as printed), for bench/results/."""
    servers: dict[str, Any] = section["servers"]
    pinning = section["pinning"]
    lines = [
        f"Servers pinned to CPU {pinning['server_cpus']}, the load generator to CPU"
        f" {pinning['load_cpus']}.",
        "",
        "| server | cold start | (CPU) | req/s c=1 | req/s c=32 | p99 c=32 | CPU us/req c=32"
        " | RSS after load | idle RSS | journal/entry |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in [*servers.values(), *section.get("cold_only", {}).values()]:
        loaded = "c32" in entry
        cells = [
            entry["label"],
            _num(_get(entry, "cold_start", "median_s"), ".2f") + " s",
            _num(_get(entry, "cold_start", "cpu_median_s"), ".2f") + " s",
            _num(_get(entry, "c1", "rps"), ",.0f") if loaded else "",
            _num(_get(entry, "c32", "rps"), ",.0f") if loaded else "",
            _num(_get(entry, "c32", "p99_ms"), ".2f") + " ms" if loaded else "",
            _num(_get(entry, "c32", "cpu_us_per_request"), ".1f") if loaded else "",
            _mib(entry.get("rss_after_load_kb")) + " MiB" if "rss_after_load_kb" in entry else "",
            _mib(entry.get("idle_rss_kb")) + " MiB" if "idle_rss_kb" in entry else "",
            _journal(entry) if "journal" in entry else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "```text", render_ratios(section), "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the section alone; print the tables; write the JSON if asked."""
    parser = argparse.ArgumentParser(prog="python -m bench.peers")
    parser.add_argument("--quick", action="store_true", help="1 s runs, 2 rounds, 2 cold starts")
    parser.add_argument("--duration", type=float, help="seconds per load run (5, quick 1)")
    parser.add_argument("--repeat", type=int, help="rounds (2, quick 2)")
    parser.add_argument("--generator", choices=("wrk", "python"), default=default_generator())
    parser.add_argument("--output", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    results = run_peers(
        args.duration or (1.0 if args.quick else 5.0),
        args.repeat or 2,
        args.generator,
        cold_runs=2 if args.quick else 5,
        journal_requests=1000 if args.quick else 5000,
        warm_up_s=2.0 if args.quick else 5.0,
    )
    print(render_peers(results))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
