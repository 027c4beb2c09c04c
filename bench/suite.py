"""The benchmark suite: runs every measurement, prints the table, writes the JSON.

Each measurement starts its server in a fresh subprocess (`bench.serve`), warms it up,
loads it from a separate load-generator process (`bench.load`), then stops it and reads
its peak memory. Start/stop cycles run in a subprocess per server (`bench.lifecycle`).
The ``llm`` section does the same for MockLLM and the PyPI package ``mockllm``
(`bench.llm_servers`), streams read whole by `bench.pyload --stream`.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from . import report
from .concurrency import CONNECTIONS, run_concurrency
from .domains import run_domains
from .http_servers import (
    CONTRACT_BODY,
    MANY_SCENARIOS,
    SERVER_KINDS,
    Request,
    Scenario,
    ServerKind,
    supports,
    write_contracts,
)
from .llm_servers import LLM_KINDS, LLMKind, LLMScenario
from .llm_servers import supports as llm_supports
from .load import ROOT, Generator, LoadResult, default_generator, run_load, run_tagged
from .peers import run_peers
from .record import OPT_IN as OPT_IN_SECTIONS
from .record import write_record
from .scale import KINDS_BY_NAME, QUICK_SIZES, SIZES, run_scale
from .servers import KINDS, LABELS, AnyScenario, Kind, request_for
from .soak import plot_soak, run_soak
from .wiremock import run_wiremock

#: Every section; `python -m bench` runs all but the soak and the concurrency burst (about
#: 3 minutes) unless --only names them.
SECTIONS = (
    "lifecycle", "throughput", "many", "contracts", "rss", "llm", "wiremock",
    "peers", "scale", "domains", "concurrency", "soak",
)  # fmt: skip
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s not in OPT_IN_SECTIONS)
#: The scale kinds --quick measures (exact, the two that defeat a path index, a header).
QUICK_SCALE_KINDS = ("exact", "unanchored", "header")
PACKAGES = (
    "mocks", "aiohttp", "pytest-httpserver", "werkzeug", "uvloop", "jsonschema",
    "mockllm", "fastapi", "starlette", "uvicorn", "h11", "httptools", "pydantic",
)  # fmt: skip
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(slots=True)
class Options:
    """What to run and for how long."""

    duration: float
    cycles: int
    lifecycle_budget: float
    expectations: int
    repeat: int
    rss_requests: int
    generator: Generator
    kinds: tuple[ServerKind, ...]
    sections: tuple[str, ...]
    concurrency: tuple[int, int]
    llm_kinds: tuple[LLMKind, ...] = LLM_KINDS
    #: Fresh processes per server for the cold-start column (peers).
    cold_runs: int = 5
    #: Requests per journal-memory measurement (peers).
    journal_requests: int = 5000
    #: Seconds of warm-up at least, per server and request (peers, scale, domains).
    warm_up_s: float = 5.0
    scale_sizes: tuple[int, ...] = SIZES
    scale_kinds: tuple[str, ...] = tuple(KINDS_BY_NAME)
    soak_minutes: float = 10.0
    soak_rate: float = 100.0
    #: Requests sent at once to each server (concurrency).
    burst_connections: int = CONNECTIONS


def log(message: str) -> None:
    """Progress goes to stderr so stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


# ---- a server in its own process -------------------------------------------------------


class ServerProcess:
    """`bench.serve` in a subprocess: READY line on start, DONE line after `finish`."""

    def __init__(self, kind: Kind, scenario: AnyScenario, expectations: int) -> None:
        self.kind, self.scenario = kind, scenario
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finish)
        command = [
            sys.executable, "-m", "bench.serve", "--server", kind, "--scenario", scenario,
            "--expectations", str(expectations), "--timeout", "900",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            cwd=ROOT,
        )
        self.ready = self._read_tagged("READY ", timeout=60)
        self.url: str = self.ready["url"]

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-2000:].decode("utf-8", "replace")

    def _read_tagged(self, tag: str, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.process.stdout], [], [], left)
            if not readable:
                break
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith(tag):
                found: dict[str, Any] = json.loads(line.removeprefix(tag))
                return found
        self.kill()
        raise RuntimeError(
            f"{self.kind} {self.scenario}: no {tag.strip()} line:\n{self._stderr_tail()}"
        )

    def mark(self) -> float:
        """CPU seconds the server process has used so far."""
        assert self.process.stdin is not None
        self.process.stdin.write("mark\n")
        self.process.stdin.flush()
        return float(self._read_tagged("MARK ", timeout=30)["cpu_s"])

    def finish(self) -> dict[str, Any]:
        """Stop the server; its DONE record (peak RSS, requests served, problems)."""
        assert self.process.stdin is not None
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        done = self._read_tagged("DONE ", timeout=30)
        self.process.wait(timeout=30)
        self._stderr.close()
        return done

    def kill(self) -> None:
        """End the subprocess (after a failure)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _load(url: str, request: Request, **options: Any) -> LoadResult:
    """Run `request`'s load on the server at `url` (`options` go to `run_load`)."""
    return run_load(
        url + request.path,
        method=request.method,
        body=request.body,
        headers=request.headers,
        stream=request.stream,
        expect_chars=request.expect_chars,
        **options,
    )


def _warm_up(url: str, request: Request) -> None:
    _load(url, request, connections=4, duration=5, generator="python", requests=request.warm_up)


Pair = tuple[Kind, AnyScenario]


def _stream_figures(load: LoadResult, cpu_us: float) -> dict[str, Any]:
    """Streamed runs: content chunks (tokens) and characters per second, per answer, TTFT."""
    figures = load.stream
    if not figures or not load.requests or not load.seconds:
        return {}
    chunks = figures["chunks"]
    return {
        "tokens_per_s": round(chunks / load.seconds, 1),
        "chars_per_s": round(figures["chars"] / load.seconds, 1),
        "tokens_per_answer": round(chunks / load.requests, 1),
        "ttft_p50_ms": figures["ttft_p50_us"] / 1000,
        "ttft_p99_ms": figures["ttft_p99_us"] / 1000,
        "cpu_us_per_token": round(cpu_us * load.requests / chunks, 2) if chunks else None,
    }


def _summarise(
    pair: Pair, connections: int, runs: list[tuple[LoadResult, float]], done: dict[str, Any]
) -> dict[str, Any]:
    kind, scenario = pair
    by_rps = sorted(runs, key=lambda run: run[0].rps)
    chosen = by_rps[len(by_rps) // 2][0]
    cpu_us = statistics.median(cpu for _, cpu in runs)
    problems = []
    if any(r.errors or r.non_2xx or r.stream.get("incomplete") for r, _ in runs):
        problems.append(
            "load errors: "
            + ", ".join(
                f"{r.errors} errors/{r.non_2xx} non-2xx"
                + (f"/{r.stream['incomplete']:.0f} incomplete streams" if r.stream else "")
                for r, _ in runs
            )
        )
    if done.get("problems"):
        problems.append(f"server: {done['problems'][:300]}")
    streamed = _stream_figures(chosen, cpu_us)
    tokens = (
        f" {streamed['tokens_per_s']:>9.0f} tokens/s, TTFT p50 {streamed['ttft_p50_ms']:.2f} ms"
        if streamed
        else ""
    )
    log(
        f"  {LABELS[kind]:<18} {scenario:<16} c={connections:<3} {chosen.rps:>9.0f} req/s"
        f" {cpu_us:>8.1f} CPU us/req"
        + tokens
        + ("" if not problems else f"  !! {'; '.join(problems)}")
    )
    return {
        **chosen.to_dict(),
        **streamed,
        "all_rps": [round(r.rps, 1) for r, _ in runs],
        "cpu_us_per_request": round(cpu_us, 1),
        "all_cpu_us": [round(c, 1) for _, c in runs],
        "peak_rss_kb": done.get("peak_rss_kb"),
        "served": done.get("served"),
        "valid": not problems,
        "problems": problems,
    }


def measure_group(pairs: list[Pair], connections: int, options: Options) -> dict[Pair, Any]:
    """Requests/s and server CPU/request of each (kind, scenario), at `connections`.

    All the group's servers run at once (idle but one), and the load runs go round
    robin, `repeat` rounds, the order rotated each round; each figure is the median of
    its runs. Interleaving keeps slow drifts of the machine (other processes, thermal)
    from favouring whichever server happened to run first.
    """
    servers: dict[Pair, ServerProcess] = {}
    runs: dict[Pair, list[tuple[LoadResult, float]]] = {pair: [] for pair in pairs}
    try:
        for pair in pairs:
            servers[pair] = ServerProcess(pair[0], pair[1], options.expectations)
            _warm_up(servers[pair].url, request_for(pair[1]))
        for round_ in range(options.repeat):
            shift = round_ % len(pairs)
            for pair in pairs[shift:] + pairs[:shift]:
                server, request = servers[pair], request_for(pair[1])
                before = server.mark()
                load = _load(
                    server.url,
                    request,
                    connections=connections,
                    duration=options.duration,
                    generator=options.generator,
                )
                cpu = server.mark() - before
                runs[pair].append((load, cpu / load.requests * 1e6 if load.requests else 0.0))
        done = {pair: server.finish() for pair, server in servers.items()}
    except BaseException:
        for server in servers.values():
            server.kill()
        raise
    return {pair: _summarise(pair, connections, runs[pair], done[pair]) for pair in pairs}


# ---- sections ----------------------------------------------------------------------------


def run_lifecycle(options: Options) -> dict[str, Any]:
    """Start/stop cycle timings per server kind."""
    log("start + stop cycles")
    results: dict[str, Any] = {}
    for kind in options.kinds:
        command = [
            sys.executable, "-m", "bench.lifecycle", "--server", kind,
            "--cycles", str(options.cycles), "--budget", str(options.lifecycle_budget),
        ]  # fmt: skip
        timeout = options.lifecycle_budget + 120
        results[kind] = run_tagged(command, "RESULT ", timeout, f"lifecycle {kind}")
        figures = results[kind]
        log(
            f"  {LABELS[kind]:<18} median {figures['median_ms']:.2f} ms, "
            f"p95 {figures['p95_ms']:.2f} ms over {figures['cycles']} cycles"
        )
    return results


def run_throughput(options: Options) -> dict[str, Any]:
    """GET /stub with one expectation, at each concurrency, every server kind."""
    results: dict[str, Any] = {kind: {} for kind in options.kinds}
    for connections in options.concurrency:
        log(f"requests/s, one expectation, c={connections}")
        pairs: list[Pair] = [(kind, "stub") for kind in options.kinds]
        for (kind, _), result in measure_group(pairs, connections, options).items():
            results[kind][f"c{connections}"] = result
    return results


def run_many(options: Options) -> dict[str, Any]:
    """Requests/s with many registered expectations (at the higher concurrency).

    One expectation is measured again in the same group, so each drop compares runs
    interleaved in time.
    """
    connections = options.concurrency[-1]
    log(f"requests/s, 1 vs {options.expectations} expectations, c={connections}")
    kinds: list[ServerKind] = [k for k in options.kinds if k != "mockhttp-uvloop"]
    kinds = kinds or list(options.kinds)
    scenarios: list[Scenario] = ["stub", *MANY_SCENARIOS]
    pairs: list[Pair] = [(kind, scenario) for scenario in scenarios for kind in kinds]
    results: dict[str, Any] = {kind: {} for kind in kinds}
    for (kind, scenario), result in measure_group(pairs, connections, options).items():
        results[kind][scenario] = result
    return results


def contract_check_cost(iterations: int = 2000) -> float:
    """Microseconds per `Contracts.check` of the bench body against its schema (in-process)."""
    from mocks.core import Contracts

    with tempfile.TemporaryDirectory(prefix="mocks-bench-") as folder:
        write_contracts(Path(folder))
        contracts = Contracts("bench", Path(folder))
        document = json.loads(json.dumps(CONTRACT_BODY))
        if contracts.check("item_request", document) is not None:
            raise RuntimeError("the bench body breaks the bench schema")
        timer = timeit.Timer(lambda: contracts.check("item_request", document))
        best = min(timer.repeat(repeat=5, number=iterations))
        return best / iterations * 1e6


def run_contracts(options: Options) -> dict[str, Any]:
    """The cost of checking each request against a JSON Schema (MockHTTP)."""
    connections = options.concurrency[-1]
    log(f"contract validation, POST /v1/items, c={connections}")
    kinds = [k for k in options.kinds if supports(k, "contract") and k != "mockhttp-uvloop"]
    pairs: list[Pair] = [(kind, s) for kind in kinds for s in ("no-contract", "contract")]
    measured = measure_group(pairs, connections, options) if pairs else {}
    results: dict[str, Any] = {
        kind: {"without": measured[(kind, "no-contract")], "with": measured[(kind, "contract")]}
        for kind in kinds
    }
    results["direct_check_us"] = contract_check_cost()
    return results


def run_rss(options: Options) -> dict[str, Any]:
    """Peak RSS of each server process after a fixed workload."""
    connections = options.concurrency[-1]
    log(f"peak RSS after {options.rss_requests} requests, c={connections}")
    results: dict[str, Any] = {}
    for kind in options.kinds:
        server = ServerProcess(kind, "stub", options.expectations)
        try:
            load = run_load(
                server.url + "/stub",
                connections=connections,
                duration=max(60.0, options.duration * 6),
                generator="python",
                requests=options.rss_requests,
            )
            done = server.finish()
        except BaseException:
            server.kill()
            raise
        results[kind] = {
            "idle_rss_kb": server.ready.get("idle_rss_kb"),
            "peak_rss_kb": done.get("peak_rss_kb"),
            "requests": load.requests,
            "served": done.get("served"),
            "valid": not (load.errors or load.non_2xx or done.get("problems")),
        }
        peak = done.get("peak_rss_kb") or 0
        log(f"  {LABELS[kind]:<18} peak {peak / 1024:.1f} MiB")
    return results


LLM_STREAMS: tuple[tuple[LLMScenario, tuple[int, ...]], ...] = (
    ("stream", (1, 32)),
    ("stream-chars", (1,)),
)
#: Anthropic's Messages API and Gemini's, short and long-streamed, at one connection.
LLM_APIS: tuple[LLMScenario, ...] = ("messages", "messages-stream", "gemini", "gemini-stream")


def run_llm(options: Options) -> dict[str, Any]:
    """MockLLM vs mockllm: chat completions/s, then streamed tokens/s and TTFT.

    Chat runs at each concurrency; the token-per-chunk stream at 1 and 32 connections;
    the character-per-chunk stream (MockLLM only, the same chunking as mockllm's) at 1.
    """
    kinds = options.llm_kinds
    results: dict[str, Any] = {kind: {} for kind in kinds}

    def measure(scenarios: tuple[LLMScenario, ...], connections: int) -> None:
        pairs: list[Pair] = [
            (kind, scenario)
            for scenario in scenarios
            for kind in kinds
            if llm_supports(kind, scenario)
        ]
        if not pairs:
            return
        for (kind, scenario), result in measure_group(pairs, connections, options).items():
            results[kind].setdefault(scenario, {})[f"c{connections}"] = result

    for connections in options.concurrency:
        log(f"LLM chat completions/s, c={connections}")
        measure(("chat",), connections)
    for connections in sorted({c for _, levels in LLM_STREAMS for c in levels}):
        log(f"LLM streamed tokens/s, c={connections}")
        measure(tuple(s for s, levels in LLM_STREAMS if connections in levels), connections)
    log("LLM: Anthropic's and Gemini's APIs, c=1")
    measure(LLM_APIS, 1)
    return results


def run_wiremock_section(options: Options) -> dict[str, Any]:
    """The WireMock corpus served by WireMock and by MockHTTP (`bench.wiremock`)."""
    return run_wiremock(options.duration, options.repeat, options.generator)


def run_peers_section(options: Options) -> dict[str, Any]:
    """MockHTTP and every peer standalone, pinned, in one run (`bench.peers`)."""
    return run_peers(
        options.duration,
        options.repeat,
        options.generator,
        cold_runs=options.cold_runs,
        journal_requests=options.journal_requests,
        warm_up_s=options.warm_up_s,
    )


def run_scale_section(options: Options) -> dict[str, Any]:
    """1 to 5,000 stubs of each kind, MockHTTP and WireMock (`bench.scale`)."""
    return run_scale(
        options.duration,
        options.repeat,
        options.generator,
        sizes=options.scale_sizes,
        kinds=options.scale_kinds,
        warm_up_s=options.warm_up_s,
    )


def run_domains_section(options: Options) -> dict[str, Any]:
    """MockZitadel, MockWhatsApp, MockTeams beside their peers (`bench.domains`)."""
    return run_domains(options.duration, options.repeat, options.generator,
                       warm_up_s=options.warm_up_s)  # fmt: skip


def run_concurrency_section(options: Options) -> dict[str, Any]:
    """Every mock hit by many requests at once (`bench.concurrency`)."""
    return run_concurrency(options.burst_connections)


def run_soak_section(options: Options) -> dict[str, Any]:
    """Every mock under a steady load; RSS, fds, latency over time (`bench.soak`)."""
    return run_soak(options.soak_minutes, 10.0 if options.soak_minutes >= 2 else 5.0,
                    options.soak_rate)  # fmt: skip


# ---- entry point ---------------------------------------------------------------------


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _first_line(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return next(iter((done.stdout or done.stderr).strip().splitlines()), None)


def tool_versions(sections: tuple[str, ...]) -> dict[str, str | None]:
    """The peers outside PyPI the standalone sections run (Java, WireMock, nginx, node)."""
    if not {"peers", "scale", "domains", "wiremock"} & set(sections):
        return {}
    found: dict[str, str | None] = {
        "java": _first_line(["java", "-version"]),
        "nginx": _first_line(["nginx", "-v"]),
        "node": _first_line(["node", "--version"]),
    }
    try:
        from .peer_servers import wiremock_jar

        found["wiremock"] = wiremock_jar().name
    except RuntimeError:
        found["wiremock"] = None
    package = ROOT / ".node" / "node_modules" / "oauth2-mock-server" / "package.json"
    if package.exists():
        found["oauth2-mock-server"] = json.loads(package.read_text()).get("version")
    return found


def compile_bytecode() -> str:
    """Compile the ``mocks`` package to bytecode, as installing it from a wheel does.

    A tree run with ``PYTHONDONTWRITEBYTECODE`` set (this machine's environment) keeps no
    ``.pyc`` files, so every cold start would compile the package's sources again: about
    0.3 s the peers, installed from wheels, never pay. What this says goes in the record.
    """
    package = ROOT / "mocks"
    ok = compileall.compile_dir(package, quiet=1, workers=0)
    return f"mocks compiled to bytecode before the run ({'ok' if ok else 'with errors'})"


def metadata(options: Options) -> dict[str, Any]:
    """Where and how the run happened."""
    wrk = None
    if options.generator == "wrk":
        found = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        wrk = next(iter((found.stdout or found.stderr).splitlines()), None)
    return {
        "tools": tool_versions(options.sections),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "generator": options.generator,
        "wrk": wrk,
        "duration_s": options.duration,
        "repeat": options.repeat,
        "expectations": options.expectations,
        "concurrency": list(options.concurrency),
        "llm_kinds": list(options.llm_kinds) if "llm" in options.sections else None,
        "versions": {name: _version(name) for name in PACKAGES},
        "load_average_before": list(os.getloadavg()),
        "bytecode": compile_bytecode(),
        "command": "python -m bench " + " ".join(sys.argv[1:]),
    }


def parse_options(argv: list[str] | None) -> tuple[Options, argparse.Namespace]:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "MockHTTP vs pytest-httpserver and MockLLM vs mockllm, side by side;"
            " prints a table and ratios."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="1 s per load run, 2 rounds")
    parser.add_argument("--duration", type=float, help="seconds per load run (default 5, quick 1)")
    parser.add_argument("--cycles", type=int, default=200, help="start/stop cycles per server")
    parser.add_argument(
        "--lifecycle-budget", type=float, help="seconds at most per server's cycles (60, quick 10)"
    )
    parser.add_argument("--expectations", type=int, default=500)
    parser.add_argument("--repeat", type=int, help="load runs per figure, median (3, quick 2)")
    parser.add_argument("--rss-requests", type=int, help="fixed workload for peak RSS")
    parser.add_argument("--generator", choices=("wrk", "python"), default=default_generator())
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT_SECTIONS),
        help=(
            f"comma-separated subset of {','.join(SECTIONS)}"
            f" (default: all but {' and '.join(OPT_IN_SECTIONS)})"
        ),
    )
    parser.add_argument("--servers", default=",".join(KINDS), help="comma-separated kinds")
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/...)")
    parser.add_argument(
        "--check-goals", action="store_true", help="exit 1 when a MockHTTP goal is missed"
    )
    parser.add_argument("--cold-runs", type=int, help="fresh processes per cold start (5, quick 2)")
    parser.add_argument("--scale-sizes", help="stub counts of the scale table (1,100,500,5000)")
    parser.add_argument("--scale-kinds", help=f"scale kinds ({','.join(KINDS_BY_NAME)})")
    parser.add_argument("--soak-minutes", type=float, help="soak length (10, quick 1)")
    parser.add_argument("--soak-rate", type=float, default=100.0, help="soak req/s per mock")
    parser.add_argument(
        "--connections", type=int, default=CONNECTIONS, help="concurrency: requests at once"
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="also write the dated record to keep: bench/results/<date>-<sections>.md and .json",
    )
    args = parser.parse_args(argv)
    sections = tuple(s for s in args.only.split(",") if s)
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    chosen = [k for k in args.servers.split(",") if k]
    if set(chosen) - set(KINDS):
        parser.error(f"servers are among: {', '.join(KINDS)}")
    if any(k.endswith("-uvloop") for k in chosen) and importlib.util.find_spec("uvloop") is None:
        log("uvloop is not installed: skipping the +uvloop servers (pip install uvloop)")
        chosen = [k for k in chosen if not k.endswith("-uvloop")]
    kinds = tuple(k for k in SERVER_KINDS if k in chosen)
    llm_kinds = tuple(k for k in LLM_KINDS if k in chosen)
    options = Options(
        duration=args.duration or (1.0 if args.quick else 5.0),
        cycles=args.cycles,
        lifecycle_budget=args.lifecycle_budget or (10.0 if args.quick else 60.0),
        expectations=args.expectations,
        repeat=max(1, args.repeat or (2 if args.quick else 3)),
        rss_requests=args.rss_requests or (10_000 if args.quick else 20_000),
        generator=args.generator,
        kinds=kinds,
        sections=sections,
        concurrency=(1, 32),
        llm_kinds=llm_kinds,
        cold_runs=args.cold_runs or (2 if args.quick else 5),
        journal_requests=1000 if args.quick else 5000,
        warm_up_s=1.0 if args.quick else 5.0,
        scale_sizes=(
            tuple(int(n) for n in args.scale_sizes.split(","))
            if args.scale_sizes
            else (QUICK_SIZES if args.quick else SIZES)
        ),
        scale_kinds=(
            tuple(k for k in args.scale_kinds.split(",") if k)
            if args.scale_kinds
            else (QUICK_SCALE_KINDS if args.quick else tuple(KINDS_BY_NAME))
        ),
        soak_minutes=args.soak_minutes or (1.0 if args.quick else 10.0),
        soak_rate=args.soak_rate,
        burst_connections=args.connections,
    )
    unknown_kinds = set(options.scale_kinds) - set(KINDS_BY_NAME)
    if unknown_kinds:
        parser.error(f"unknown scale kinds: {', '.join(sorted(unknown_kinds))}")
    return options, args


def main(argv: list[str] | None = None) -> int:
    """Run the suite; print the table; write the JSON; 0 unless --check-goals and a miss."""
    options, args = parse_options(argv)
    began = time.monotonic()
    log(f"load generator: {options.generator}; {options.duration:g} s per run")
    results: dict[str, Any] = {"meta": metadata(options)}
    runners = {
        "lifecycle": run_lifecycle,
        "throughput": run_throughput,
        "many": run_many,
        "contracts": run_contracts,
        "rss": run_rss,
        "llm": run_llm,
        "wiremock": run_wiremock_section,
        "peers": run_peers_section,
        "scale": run_scale_section,
        "domains": run_domains_section,
        "concurrency": run_concurrency_section,
        "soak": run_soak_section,
    }
    output = args.output or RESULTS_DIR / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    # SIGTERM unwinds like Ctrl-C, so every section stops the servers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for section in SECTIONS:
        if section in options.sections:
            results[section] = runners[section](options)
            # what is measured so far survives a later failure
            output.write_text(json.dumps(results, indent=2) + "\n")
    results["goals"] = report.goals(results)
    results["meta"]["elapsed_s"] = round(time.monotonic() - began, 1)
    results["meta"]["load_average_after"] = list(os.getloadavg())
    print(report.render(results))
    output.write_text(json.dumps(results, indent=2) + "\n")
    (output.parent / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nJSON: {output}  ({results['meta']['elapsed_s']} s)")
    if "soak" in results:
        png = plot_soak(results["soak"], output.with_suffix(".png"))
        print(f"PNG: {png}" if png else "(no soak plot: pip install matplotlib)")
    if args.record:
        for path in write_record(results, RESULTS_DIR):
            print(f"record: {path}")
    missed = [g for g in results["goals"] if g["met"] is False]
    return 1 if args.check_goals and missed else 0


__all__ = ["main"]
