"""Soak (issue 16): every mock under a steady load for a while; RSS, fds and latency over time.

    python -m bench.soak --minutes 10            # a table, bench/results/soak-<time>.{json,png}
    python -m bench.soak --minutes 1 --rate 50   # a short one
    python -m bench --only soak                  # inside the suite (--soak-minutes)

Each mock runs standalone (``python -m mocks.<name>``), pinned to CPU 0, and gets its hot
path at a steady `rate` requests/s from a paced `bench.pyload` (2 connections) on CPU 1,
in periods of `interval` s; after each period the process tree's VmRSS and open file
descriptors are read, and the period's p50/p99 latency kept. A mock whose memory or fds
keep growing once its bounded journal is full (10,000 requests: `rate` x time) leaks.

- MockHTTP: ``GET /stub``; MockLLM: a chat completion; MockZitadel: a client-credentials
  token (JWT); MockWhatsApp: a send, with its three status webhooks to a sink;
  MockTeams: a user's message delivered to the bot (the sink) as a signed activity.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path
from typing import Any

from .domain_servers import Canned, sink_spec
from .http_servers import Request
from .load import LoadResult, run_load
from .procs import ServerProc
from .rounds import LOAD_CPUS, SERVER_CPUS, log
from .tables import table
from .targets import TARGETS

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def run_soak(
    minutes: float, interval: float, rate: float, names: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Soak every target (or those in `names`); samples per target, per period."""
    targets = [t for t in TARGETS if names is None or t.name in names]
    periods = max(1, round(minutes * 60 / interval))
    log(f"soak: {len(targets)} mocks, {rate:g} req/s each, {periods} periods of {interval:g} s")
    sink = ServerProc(sink_spec(), LOAD_CPUS)
    servers: dict[str, ServerProc] = {}
    requests: dict[str, Request] = {}
    samples: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
    canned: Canned = {}
    began = time.monotonic()
    try:
        for target in targets:
            servers[target.name] = ServerProc(target.spec(sink.url, canned), SERVER_CPUS)
            requests[target.name] = target.prepare(servers[target.name], sink.url, canned)
            memory = servers[target.name].memory_kb()
            samples[target.name].append(
                {"t_s": 0.0, "rss_kb": memory["VmRSS"], "fds": servers[target.name].fds()}
            )
        began = time.monotonic()
        for period in range(periods):
            loads: dict[str, LoadResult] = {}

            def drive(name: str, loads: dict[str, LoadResult] = loads) -> None:
                request = requests[name]
                loads[name] = run_load(
                    servers[name].url + request.path,
                    connections=2,
                    duration=interval,
                    method=request.method,
                    body=request.body,
                    headers=request.headers,
                    generator="python",
                    cpus=LOAD_CPUS,
                    rate=rate,
                )

            threads = [threading.Thread(target=drive, args=(t.name,)) for t in targets]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            now = round(time.monotonic() - began, 1)
            for target in targets:
                server, found = servers[target.name], loads.get(target.name)
                sample = {
                    "t_s": now,
                    "rss_kb": server.memory_kb()["VmRSS"],
                    "fds": server.fds(),
                }
                if found is not None:
                    sample.update(
                        requests=found.requests,
                        errors=found.errors + found.non_2xx,
                        p50_ms=found.p50_ms,
                        p99_ms=found.p99_ms,
                    )
                samples[target.name].append(sample)
            last = {n: s[-1] for n, s in samples.items()}
            log(
                f"  {now:>7.0f} s "
                + "  ".join(
                    f"{n} {s['rss_kb'] / 1024:.0f} MiB/{s['fds']} fds/{s.get('p99_ms', 0):.1f} ms"
                    for n, s in last.items()
                )
            )
            del period
    finally:
        for server in servers.values():
            server.stop()
        sink.stop()
    return {
        "minutes": minutes,
        "interval_s": interval,
        "rate": rate,
        "labels": {t.name: t.label for t in targets},
        "samples": samples,
    }


# ---- the table and the plot ------------------------------------------------------------------


def _figures(series: list[dict[str, Any]]) -> dict[str, Any]:
    loaded = [s for s in series if "p99_ms" in s]
    rss = [s["rss_kb"] / 1024 for s in series]
    fds = [s["fds"] for s in series]
    half = loaded[len(loaded) // 2 :] or loaded
    return {
        "rss_start": rss[0],
        "rss_end": rss[-1],
        "rss_max": max(rss),
        # the growth over the second half: a bounded mock has stopped growing by then
        "rss_growth_second_half": (rss[-1] - (half[0]["rss_kb"] / 1024)) if half else None,
        "fds_start": fds[0],
        "fds_end": fds[-1],
        "fds_max": max(fds),
        "p99_first": loaded[0]["p99_ms"] if loaded else None,
        "p99_last": loaded[-1]["p99_ms"] if loaded else None,
        "p99_max": max((s["p99_ms"] for s in loaded), default=None),
        "requests": sum(s.get("requests", 0) for s in loaded),
        "errors": sum(s.get("errors", 0) for s in loaded),
    }


def render_soak(section: dict[str, Any]) -> str:
    """Per mock: memory, fds and p99 latency at the start and end, and the extremes."""
    rows = []
    for name, series in section["samples"].items():
        f = _figures(series)
        growth = f["rss_growth_second_half"]
        rows.append(
            [
                section["labels"][name],
                f"{f['requests']:,}",
                str(f["errors"]),
                f"{f['rss_start']:.1f}",
                f"{f['rss_end']:.1f}",
                f"{f['rss_max']:.1f}",
                "-" if growth is None else f"{growth:+.1f}",
                f"{f['fds_start']}/{f['fds_end']}/{f['fds_max']}",
                "-" if f["p99_first"] is None else f"{f['p99_first']:.2f}",
                "-" if f["p99_last"] is None else f"{f['p99_last']:.2f}",
                "-" if f["p99_max"] is None else f"{f['p99_max']:.2f}",
            ]
        )
    headers = [
        "mock", "requests", "errors", "RSS start MiB", "RSS end", "RSS max",
        "2nd half growth", "fds start/end/max", "p99 first ms", "p99 last", "p99 max",
    ]  # fmt: skip
    title = (
        f"Soak: {section['minutes']:g} min, {section['rate']:g} req/s per mock, sampled every"
        f" {section['interval_s']:g} s (RSS of the process tree; p99 of each period)"
    )
    return title + "\n" + table(headers, rows)


def plot_soak(section: dict[str, Any], path: Path) -> Path | None:
    """RSS, fds and p99 over time, one line per mock, as a PNG (None without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure, axes = plt.subplots(3, 1, figsize=(9, 9), sharex=True)
    for name, series in section["samples"].items():
        label = section["labels"][name]
        minutes = [s["t_s"] / 60 for s in series]
        axes[0].plot(minutes, [s["rss_kb"] / 1024 for s in series], label=label)
        axes[1].plot(minutes, [s["fds"] for s in series], label=label)
        loaded = [s for s in series if "p99_ms" in s]
        axes[2].plot([s["t_s"] / 60 for s in loaded], [s["p99_ms"] for s in loaded], label=label)
    axes[0].set_ylabel("RSS (MiB)")
    axes[1].set_ylabel("open fds")
    axes[2].set_ylabel("p99 latency (ms)")
    axes[2].set_xlabel("minutes")
    axes[0].legend(loc="upper left", fontsize="small")
    figure.suptitle(f"mocks soak: {section['rate']:g} req/s per mock, {section['minutes']:g} min")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def main(argv: list[str] | None = None) -> int:
    """Soak; print the table; write the JSON and the PNG."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds per sample")
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s per mock")
    parser.add_argument("--mocks", help="comma-separated: " + ",".join(t.name for t in TARGETS))
    parser.add_argument("--output", type=Path, help="JSON path (the PNG goes beside it)")
    args = parser.parse_args(argv)
    names = tuple(n for n in args.mocks.split(",") if n) if args.mocks else None
    results = run_soak(args.minutes, args.interval, args.rate, names)
    print(render_soak(results))
    output = args.output or RESULTS_DIR / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    png = plot_soak(results, output.with_suffix(".png"))
    print(f"\nJSON: {output}" + (f"\nPNG: {png}" if png else "\n(no PNG: pip install matplotlib)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
