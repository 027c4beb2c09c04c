"""Concurrency (issue 16): every mock hit by N requests at once, one connection each.

    python -m bench.concurrency                      # 1,000 at once; a table, and JSON
    python -m bench.concurrency --connections 200    # a smaller burst
    python -m bench --only concurrency               # inside the suite (--connections)

Each mock runs standalone, pinned to CPU 0, as in the soak (`bench.targets`), and gets
its hot-path request `connections` times at once from `bench.burst` (an aiohttp client,
one connection per request, pinned to CPU 1); MockLLM's is a streamed chat completion
read to the end, beside the PyPI mockllm streaming the same answer. While the burst
runs, the server's open fds and VmRSS are sampled; after it, they are read again once
the fds are back (the server has settled). The mock's journal (``GET /__admin/requests``:
``total`` + ``dropped``, the bound being 10,000) must have gained one entry per request
sent. Then MockHTTP gets an expectation limited to `TIMES_LIMIT` matches and
`TIMES_REQUESTS` requests for it at once: exactly `TIMES_LIMIT` may be answered by it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .domain_servers import Canned, call, sink_spec
from .http_servers import Request
from .load import run_tagged
from .procs import ServerProc, open_files_limit, pinned
from .rounds import LOAD_CPUS, SERVER_CPUS, log
from .stub import STUB_DOCUMENT
from .tables import table
from .targets import LLM_STREAMS, TARGETS, Target

RESULTS_DIR = Path(__file__).resolve().parent / "results"
CONNECTIONS = 1000
TIMES_LIMIT = 100
TIMES_REQUESTS = 500
TIMES_PATH = "/limited"
#: Targets whose request is not journaled: MockTeams' is an admin call (the simulated
#: user's message), mockllm keeps no journal.
NOT_JOURNALED = frozenset({"teams", "pypi-mockllm"})
#: Webhooks the sink gets per request answered (status webhooks, activities).
SINK_PER_REQUEST = {"whatsapp": 3, "teams": 1}
#: Seconds a request may take, whole body read (mockllm's streams outlast it at 1,000).
TIMEOUT_S = 60.0
SAMPLE_S = 0.025
SETTLE_S = 15.0


@dataclass(slots=True)
class Watch:
    """The server's open fds and VmRSS, sampled on a thread while a burst runs."""

    server: ServerProc
    fds: list[int] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Sample every `SAMPLE_S` until stopped."""
        while not self.stop.is_set():
            self.fds.append(self.server.fds())
            self.rss_kb.append(self.server.memory_kb()["VmRSS"])
            self.stop.wait(SAMPLE_S)


def journal_count(url: str) -> int:
    """Entries the mock's journal ever took: those it holds plus those pushed out."""
    status, page = call(url, "GET", "/__admin/requests?limit=0")
    if status != 200:
        raise RuntimeError(f"journal: {status} {str(page)[:200]}")
    return int(page["total"]) + int(page["dropped"])


def sink_count(sink: str) -> int:
    """POSTs the sink has received so far."""
    return int(call(sink, "GET", "/__count")[1]["count"])


def send_burst(url: str, request: Request, count: int, timeout: float) -> dict[str, Any]:
    """`bench.burst` on the load CPU: `count` requests at once, each given `timeout`
    seconds; its result line."""
    with tempfile.TemporaryDirectory(prefix="mocks-bench-burst-") as folder:
        command = [sys.executable, "-m", "bench.burst", "--url", url + request.path,
                   "-n", str(count), "--method", request.method, f"--timeout={timeout}",
                   *(f"--header={header}" for header in request.headers)]  # fmt: skip
        if request.body is not None:
            body = Path(folder) / "body.json"
            body.write_bytes(request.body)
            command.append(f"--body-file={body}")
        if request.stream:
            command += ["--stream", f"--expect-chars={request.expect_chars}"]
        return run_tagged(pinned(command, LOAD_CPUS), "BURST_JSON ", timeout + 120, "bench.burst")


def _settle(server: ServerProc, fds_before: int, sink: str | None) -> float:
    """Wait until the server's fds are back (and the sink's count stays put for 1 s):
    the seconds it took (`SETTLE_S` at most)."""
    began = time.monotonic()
    last, steady_since = -1, began
    while (now := time.monotonic()) - began < SETTLE_S:
        count = sink_count(sink) if sink else 0
        if count != last:
            last, steady_since = count, now
        if server.fds() <= fds_before + 2 and (sink is None or now - steady_since >= 1.0):
            break
        time.sleep(0.2)
    return round(time.monotonic() - began, 2)


def _ms(micro: int | None) -> float | None:
    return None if micro is None else round(micro / 1000, 2)


def measure(
    name: str,
    server: ServerProc,
    request: Request,
    count: int,
    sink: str | None,
    timeout: float = TIMEOUT_S,
) -> dict[str, Any]:
    """One burst on `server`: the client's figures, the server's fds, RSS and journal."""
    journaled = name not in NOT_JOURNALED
    per_sink = SINK_PER_REQUEST.get(name)
    journal_before = journal_count(server.url) if journaled else 0
    sink_before = sink_count(sink) if sink and per_sink else 0
    fds_before, rss_before = server.fds(), server.memory_kb()["VmRSS"]
    watch = Watch(server)
    sampler = threading.Thread(target=watch.run, daemon=True)
    sampler.start()
    cpu_before = server.cpu_seconds()
    try:
        found = send_burst(server.url, request, count, timeout)
        settle_s = _settle(server, fds_before, sink if per_sink else None)
    finally:
        watch.stop.set()
        sampler.join()
    ok = sum(n for status, n in found["statuses"].items() if status.startswith("2"))
    figures: dict[str, Any] = {
        "sent": found["sent"],
        "ok": ok,
        "statuses": found["statuses"],
        "errors": found["errors"],
        "incomplete": found.get("incomplete"),
        "wall_s": found["wall_s"],
        "p50_ms": _ms(found["p50_us"]),
        "p99_ms": _ms(found["p99_us"]),
        "max_ms": _ms(found["max_us"]),
        "ttft_p50_ms": _ms(found.get("ttft_p50_us")),
        "ttft_p99_ms": _ms(found.get("ttft_p99_us")),
        "fds_before": fds_before,
        "fds_peak": max(watch.fds, default=fds_before),
        "fds_after": server.fds(),
        "rss_before_kb": rss_before,
        "rss_peak_kb": max(watch.rss_kb, default=rss_before),
        "rss_after_kb": server.memory_kb()["VmRSS"],
        "settle_s": settle_s,
        "server_cpu_s": round(server.cpu_seconds() - cpu_before, 2),
        "client_cpu_s": found["client_cpu_s"],
        "nofile_server": open_files_limit(server.pid),
        "nofile_client": found["nofile"]["raised"][0],
        "journal_gained": None,
        "journal_lost": None,
        "sink_expected": None,
        "sink_got": None,
    }
    if journaled:
        gained = journal_count(server.url) - journal_before
        figures.update(journal_gained=gained, journal_lost=found["sent"] - gained)
    if sink and per_sink:
        figures.update(sink_expected=ok * per_sink, sink_got=sink_count(sink) - sink_before)
    log(
        f"  {name:<13} {ok}/{found['sent']} 2xx in {found['wall_s']:.2f} s,"
        f" p99 {figures['p99_ms']} ms, fds peak {figures['fds_peak']},"
        f" RSS peak {figures['rss_peak_kb'] / 1024:.0f} MiB, journal lost {figures['journal_lost']}"
    )
    return figures


def measure_times(server: ServerProc, requests: int, limit: int) -> dict[str, Any]:
    """MockHTTP: an expectation limited to `limit` matches, `requests` sent at once."""
    expectation = {
        "id": "times-limited",
        "matcher": {"kind": "path", "value": TIMES_PATH},
        "response": {"json": STUB_DOCUMENT},
        "times": limit,
    }
    status, answer = call(server.url, "POST", "/__admin/expectations", expectation)
    if status != 201:
        raise RuntimeError(f"times expectation: {status} {str(answer)[:300]}")
    found = measure("http-times", server, Request(TIMES_PATH), requests, None)
    described = call(server.url, "GET", "/__admin/expectations/times-limited")[1]
    found.update(limit=limit, call_count=described.get("call_count"))
    found["exact"] = found["ok"] == limit == found["call_count"]
    return found


def _run_target(
    target: Target,
    sink: ServerProc,
    count: int,
    timeout: float,
    times: tuple[int, int] | None,
) -> dict[str, Any]:
    canned: Canned = {}
    server = ServerProc(target.spec(sink.url, canned), SERVER_CPUS)
    try:
        request = target.prepare(server, sink.url, canned)
        figures = measure(target.name, server, request, count, sink.url, timeout)
        if times:
            figures["times"] = measure_times(server, *times)
        return figures
    finally:
        server.stop()


def run_concurrency(
    connections: int = CONNECTIONS,
    names: tuple[str, ...] | None = None,
    times: tuple[int, int] = (TIMES_REQUESTS, TIMES_LIMIT),
    timeout: float = TIMEOUT_S,
) -> dict[str, Any]:
    """Burst every target (or those in `names`), the MockLLM stream beside mockllm's,
    and MockHTTP's limited expectation; figures per target."""
    targets = [LLM_STREAMS[0] if t.name == "llm" else t for t in TARGETS] + [LLM_STREAMS[1]]
    targets = [t for t in targets if names is None or t.name in names]
    log(f"concurrency: {len(targets)} servers, {connections} requests at once each")
    load_before = list(os.getloadavg())
    sink = ServerProc(sink_spec(), LOAD_CPUS)
    rows: dict[str, Any] = {}
    try:
        for target in targets:
            limited = times if target.name == "http" else None
            rows[target.name] = _run_target(target, sink, connections, timeout, limited)
    finally:
        sink.stop()
    return {
        "connections": connections,
        "timeout_s": timeout,
        "labels": {t.name: t.label for t in targets},
        "rows": rows,
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
    }


# ---- the tables ----------------------------------------------------------------------------


def _other(row: dict[str, Any]) -> str:
    """Answers other than 2xx and errors, by kind: ``404 x400, ServerDisconnectedError x3``."""
    kinds = {k: n for k, n in row["statuses"].items() if not k.startswith("2")}
    kinds.update(row["errors"])
    if row.get("incomplete"):
        kinds["incomplete streams"] = row["incomplete"]
    return ", ".join(f"{k} x{n}" for k, n in kinds.items()) or "-"


def _num(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else f"{value:{spec}}"


def _mib(kb: int) -> str:
    return f"{kb / 1024:.1f}"


def _row(label: str, row: dict[str, Any]) -> list[str]:
    ttft = "-"
    if row.get("ttft_p50_ms") is not None:
        ttft = f"{row['ttft_p50_ms']:.0f}/{row['ttft_p99_ms']:.0f}"
    sink = "-" if row["sink_expected"] is None else f"{row['sink_got']}/{row['sink_expected']}"
    return [
        label,
        f"{row['sent']:,}",
        f"{row['ok']:,}",
        _other(row),
        f"{row['wall_s']:.2f}",
        _num(row["p50_ms"], ".0f"),
        _num(row["p99_ms"], ".0f"),
        ttft,
        f"{row['server_cpu_s']:.1f}/{row['client_cpu_s']:.1f}",
        f"{row['fds_before']}/{row['fds_peak']}/{row['fds_after']}",
        f"{_mib(row['rss_before_kb'])}/{_mib(row['rss_peak_kb'])}/{_mib(row['rss_after_kb'])}",
        _num(row["journal_lost"], "d"),
        sink,
    ]


def _ratio(mine: float | None, theirs: float | None) -> str:
    return "-" if not mine or not theirs else f"{mine / theirs:.2f}x"


def render_peer(section: dict[str, Any]) -> str | None:
    """MockLLM's concurrent streams beside mockllm's, as ratios (None without both)."""
    rows = section["rows"]
    mine, theirs = rows.get("llm"), rows.get("pypi-mockllm")
    if not mine or not theirs:
        return None

    def complete(row: dict[str, Any]) -> int:
        return int(row["ok"] - (row.get("incomplete") or 0))

    # a timed-out peer's times cover the streams that finished in time: lower bounds
    bound = ">=" if theirs["errors"] and not mine["errors"] else ""
    lines = [
        ["complete streams", f"{complete(mine):,}", f"{complete(theirs):,}",
         _ratio(complete(mine), complete(theirs))],
        *(
            [name, _num(mine[key], ",.1f"), _num(theirs[key], ",.1f"),
             bound + _ratio(theirs[key], mine[key])]
            for name, key in (("wall time s", "wall_s"), ("p99 to last chunk ms", "p99_ms"),
                              ("TTFT p99 ms", "ttft_p99_ms"), ("server CPU s", "server_cpu_s"))
        ),
        ["peak RSS MiB", _mib(mine["rss_peak_kb"]), _mib(theirs["rss_peak_kb"]),
         _ratio(theirs["rss_peak_kb"], mine["rss_peak_kb"])],
    ]  # fmt: skip
    title = (
        f"MockLLM vs mockllm (PyPI), {section['connections']:,} concurrent streams"
        " (ratio > 1: MockLLM ahead; times and TTFT over the streams that completed)"
    )
    return title + "\n" + table(["figure", "MockLLM", "mockllm (PyPI)", "ratio"], lines)


def render_concurrency(section: dict[str, Any]) -> str:
    """Per server: answers, latency, fds, RSS, journal entries lost; the times(N) row."""
    rows = [_row(section["labels"][name], row) for name, row in section["rows"].items()]
    limited = section["rows"].get("http", {}).get("times")
    if limited:
        rows.append(_row(f"MockHTTP times({limited['limit']})", limited))
    headers = [
        "server", "sent", "2xx", "other / errors", "wall s", "p50 ms", "p99 ms",
        "TTFT p50/p99", "CPU s server/client", "fds before/peak/after", "RSS MiB before/peak/after",
        "journal lost", "webhooks got/due",
    ]  # fmt: skip
    some: dict[str, Any] = next(iter(section["rows"].values()), {})
    title = (
        f"Concurrency: {section['connections']:,} requests at once per server, one connection"
        f" each, {section['timeout_s']:g} s allowed each (open-files limit: server"
        f" {some.get('nofile_server')}, client {some.get('nofile_client')}; load average"
        f" {section['load_average_before'][0]:.2f} before)"
    )
    parts = [title + "\n" + table(headers, rows)]
    if limited:
        verdict = "yes" if limited["exact"] else "NO"
        parts.append(
            f"MockHTTP times({limited['limit']}) under {limited['sent']} concurrent requests:"
            f" {limited['ok']} answered 2xx, call_count {limited['call_count']};"
            f" exactly {limited['limit']}: {verdict}"
        )
    peer = render_peer(section)
    if peer:
        parts.append(peer)
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Burst every mock; print the tables; write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.concurrency")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="requests at once")
    names = [t.name for t in TARGETS] + [LLM_STREAMS[1].name]
    parser.add_argument("--mocks", help="comma-separated: " + ",".join(names))
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds per request")
    parser.add_argument("--output", type=Path, help="JSON path")
    args = parser.parse_args(argv)
    chosen = tuple(n for n in args.mocks.split(",") if n) if args.mocks else None
    results = run_concurrency(args.connections, chosen, timeout=args.timeout)
    print(render_concurrency(results))
    output = args.output or RESULTS_DIR / f"concurrency-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nJSON: {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
