"""The ``scale`` section: requests/s with 1, 100, 500 and 5,000 expectations of each kind.

For every kind of expectation, MockHTTP (standalone, a native stub file) and WireMock
(standalone, one mapping file, the same stubs in its words) are loaded with N stubs of
that kind, N in `SIZES`. The one the load hits is registered **first**: both try the
newest stub first, so it is the last candidate and every other stub is tried before it
(the worst case, short of an index). The others differ from it only in the part the kind
matches on. Figures: req/s and CPU us/req at c=32, and the drop against the same server
with 1 stub, measured in the same round robin.

- exact paths: ``/other/{i}/resource`` (``urlPath``); the request ``GET /stub``;
- path templates: ``/res{i}/{id}`` (``urlPathTemplate``); ``GET /res0/42``;
- anchored regexes: ``^/a{i}/\\d+$``, a literal prefix (``urlPathPattern``); ``GET /a0/123``;
- unanchored regexes: ``/u{i}/\\d+`` found anywhere, no prefix (``urlPathPattern``
  ``.*/u{i}/\\d+.*``); ``GET /v1/u0/123``;
- header matchers: ``GET /h`` with ``X-Key: k{i}`` (``headers`` ``equalTo``); ``X-Key: k0``;
- body matchers: ``POST /b`` whose JSON contains ``{"key": "k{i}"}`` (``equalToJson`` with
  ``ignoreExtraElements``); the body ``{"key": "k0", "n": 1}``.

WireMock's patterns always match the whole path, so the unanchored kind is written with
``.*`` around it there. WireMock runs with ``--no-request-journal`` here (its journal is
unbounded and would grow through the runs; MockHTTP keeps its bounded journal on), which
favours WireMock.

    python -m bench --only scale
    python -m bench.scale --quick --kinds exact,header
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .http_servers import Request
from .load import Generator, default_generator
from .peer_servers import mockhttp_spec, native_stubs, wiremock_mappings, wiremock_spec
from .procs import Probe, ServerProc, ServerSpec
from .rounds import SERVER_CPUS, Run, log, measure, summarise, warm_up
from .stub import STUB_DOCUMENT, STUB_PATH
from .tables import table

SIZES: tuple[int, ...] = (1, 100, 500, 5000)
QUICK_SIZES: tuple[int, ...] = (1, 500)
SERVERS = ("mockhttp", "wiremock")
LABELS = {"mockhttp": "MockHTTP", "wiremock": "WireMock"}
_REPLY = {"status": 200, "jsonBody": STUB_DOCUMENT, "headers": {"Content-Type": "application/json"}}


def _path(value: str, op: str = "eq") -> dict[str, Any]:
    return {"kind": "path", "value": value, "op": op}


def _native(method: str, *matchers: dict[str, Any], document: Any) -> dict[str, Any]:
    parts = [{"kind": "method", "value": method}, *matchers]
    return {"matcher": {"kind": "and", "all": parts}, "response": {"json": document}}


def _mapping(method: str, document: Any, **request: Any) -> dict[str, Any]:
    reply = {**_REPLY, "jsonBody": document}
    return {"request": {"method": method, **request}, "response": reply}


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of expectation: stub number i in both dialects, and the request (hits i=0)."""

    name: str
    label: str
    native: Callable[[int, Any], dict[str, Any]]
    mapping: Callable[[int, Any], dict[str, Any]]
    request: Request


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


KINDS: tuple[Kind, ...] = (
    Kind(
        "exact",
        "exact paths",
        lambda i, d: _native("GET", _path(STUB_PATH if i == 0 else f"/other/{i}/resource"),
                             document=d),
        lambda i, d: _mapping("GET", d, urlPath=STUB_PATH if i == 0 else f"/other/{i}/resource"),
        Request(STUB_PATH),
    ),
    Kind(
        "template",
        "path templates",
        lambda i, d: _native("GET", _path(f"/res{i}/{{id}}", "template"), document=d),
        lambda i, d: _mapping("GET", d, urlPathTemplate=f"/res{i}/{{id}}"),
        Request("/res0/42"),
    ),
    Kind(
        "regex",
        "anchored regexes",
        lambda i, d: _native("GET", _path(rf"^/a{i}/\d+$", "regex"), document=d),
        lambda i, d: _mapping("GET", d, urlPathPattern=rf"/a{i}/\d+"),
        Request("/a0/123"),
    ),
    Kind(
        "unanchored",
        "unanchored regexes",
        lambda i, d: _native("GET", _path(rf"/u{i}/\d+", "regex"), document=d),
        lambda i, d: _mapping("GET", d, urlPathPattern=rf".*/u{i}/\d+.*"),
        Request("/v1/u0/123"),
    ),
    Kind(
        "header",
        "header matchers",
        lambda i, d: _native(
            "GET", _path("/h"), {"kind": "header", "name": "X-Key", "value": f"k{i}"}, document=d
        ),
        lambda i, d: _mapping("GET", d, urlPath="/h", headers={"X-Key": {"equalTo": f"k{i}"}}),
        Request("/h", headers=("X-Key: k0",)),
    ),
    Kind(
        "body",
        "body matchers",
        lambda i, d: _native(
            "POST",
            _path("/b"),
            {"kind": "json", "op": "contains", "value": {"key": f"k{i}"}},
            document=d,
        ),
        lambda i, d: _mapping(
            "POST",
            d,
            urlPath="/b",
            bodyPatterns=[{"equalToJson": {"key": f"k{i}"}, "ignoreExtraElements": True}],
        ),
        Request("/b", "POST", _json({"key": "k0", "n": 1})),
    ),
)  # fmt: skip
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}


def _document(i: int) -> Any:
    return STUB_DOCUMENT if i == 0 else {"other": i}


def _probe(request: Request) -> Probe:
    headers = tuple(
        (name.strip(), value.strip())
        for name, _, value in (h.partition(":") for h in request.headers)
    )
    return Probe(request.path, request.method, request.body, headers, contains=b'"item-1"')


def _spec(server: str, kind: Kind, size: int) -> ServerSpec:
    probe = _probe(kind.request)
    key = f"{server}-{kind.name}-{size}"
    if server == "mockhttp":
        stubs = [kind.native(i, _document(i)) for i in range(size)]
        return mockhttp_spec(native_stubs(stubs), kind=key, label=key, probe=probe)
    mappings = [kind.mapping(i, _document(i)) for i in range(size)]
    return wiremock_spec(
        wiremock_mappings(mappings), journal=False, kind=key, label=key, probe=probe
    )


#: Seconds a server may take to load its stubs and answer (5,000 stubs take minutes when
#: each one added re-indexes all the others).
START_TIMEOUT_S = 1200.0


def _start_all(
    kind: Kind, servers: tuple[str, ...], sizes: tuple[int, ...]
) -> dict[tuple[str, int], ServerProc | str]:
    """Start every (server, size) at once (threads); each a process, or why it failed."""
    found: dict[tuple[str, int], ServerProc | str] = {}

    def start(server: str, size: int) -> None:
        spec = replace(_spec(server, kind, size), start_timeout=START_TIMEOUT_S)
        try:
            found[(server, size)] = ServerProc(spec, SERVER_CPUS)
        except (OSError, RuntimeError) as exc:
            found[(server, size)] = str(exc)

    threads = [
        threading.Thread(target=start, args=(server, size)) for server in servers for size in sizes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {key: found[key] for key in sorted(found)}


def run_scale(
    duration: float,
    repeat: int,
    generator: Generator,
    *,
    sizes: tuple[int, ...] = SIZES,
    kinds: tuple[str, ...] = tuple(KINDS_BY_NAME),
    servers: tuple[str, ...] = SERVERS,
    warm_up_s: float = 3.0,
) -> dict[str, Any]:
    """Every kind, every size, both servers (one group of processes per kind)."""
    results: dict[str, Any] = {"sizes": list(sizes), "connections": 32, "kinds": {}}
    for name in kinds:
        kind = KINDS_BY_NAME[name]
        log(f"scale: {kind.label}, {', '.join(map(str, sizes))} stubs, c=32")
        started: dict[tuple[str, int], ServerProc] = {}
        figures: dict[str, Any] = {"label": kind.label}
        try:
            for (server, size), found in _start_all(kind, servers, sizes).items():
                if isinstance(found, ServerProc):
                    started[(server, size)] = found
                    log(f"  {LABELS[server]} with {size} stubs: up in {found.cold_start_s:.1f} s")
                else:
                    log(f"  {LABELS[server]} with {size} {kind.label} failed: {found}")
                    figures.setdefault(server, {})[str(size)] = {"error": found[:1000]}
            plan = [Run(key, kind.request, 32) for key in started]
            warm_up(started, plan, warm_up_s, generator)
            for run, runs in measure(started, plan, duration, repeat, generator).items():
                server, size = run.key  # type: ignore[misc]
                summary = summarise(runs)
                summary["start_s"] = round(started[(server, size)].cold_start_s, 2)
                figures.setdefault(server, {})[str(size)] = summary
                log(
                    f"  {LABELS[server]:<9} {size:>5}  {summary['rps']:>8.0f} req/s"
                    f" {summary['cpu_us_per_request']:>7.1f} CPU us/req"
                    + ("" if summary["valid"] else f"  !! {summary['problems'][:2]}")
                )
        finally:
            for process in started.values():
                process.stop()
        results["kinds"][name] = figures
    return results


# ---- the table ---------------------------------------------------------------------------


def _entry(figures: dict[str, Any], server: str, size: int) -> dict[str, Any]:
    found = figures.get(server, {}).get(str(size), {})
    return found if isinstance(found, dict) else {}


def drop(figures: dict[str, Any], server: str, size: int, key: str = "rps") -> float | None:
    """How much lower `key` is with `size` stubs than with 1 (CPU: how much higher), 0..1."""
    base, found = _entry(figures, server, 1).get(key), _entry(figures, server, size).get(key)
    if not base or found is None:
        return None
    if key == "rps":
        return 1 - float(found) / float(base)
    return 1 - float(base) / float(found)  # CPU per request grows: the throughput it costs


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{-value * 100:+.0f}%".replace("+0%", "0%")


def render_scale(section: dict[str, Any]) -> str:
    """Per kind and size: each server's req/s, drop from 1 stub, CPU us/req; and the ratio."""
    rows = []
    for figures in section["kinds"].values():
        for size in section["sizes"]:
            row = [f"{figures['label']}, {size:,}"]
            for server in SERVERS:
                entry = _entry(figures, server, size)
                rps, cpu = entry.get("rps"), entry.get("cpu_us_per_request")
                flag = " !" if entry.get("valid") is False else ""
                start = entry.get("start_s")
                row += [
                    "-" if start is None else f"{start:.1f}",
                    "-" if rps is None else f"{rps:,.0f}{flag}",
                    "" if size == 1 else _pct(drop(figures, server, size)),
                    "-" if cpu is None else f"{cpu:.1f}",
                    "" if size == 1 else _pct(drop(figures, server, size, "cpu_us_per_request")),
                ]
            ours = _entry(figures, "mockhttp", size).get("rps")
            theirs = _entry(figures, "wiremock", size).get("rps")
            row.append(f"{ours / theirs:.2f}x" if ours and theirs else "-")
            rows.append(row)
    headers = ["stubs (c=32)"]
    for server in SERVERS:
        headers += [f"{LABELS[server]} start s", "req/s", "drop", "CPU us/req", "by CPU"]
    headers.append("MockHTTP/WireMock")
    title = (
        "Scale: req/s with N stubs of one kind, the one hit registered first (tried last);"
        " drop: against 1 stub (by CPU: the same from CPU us/req); start s: process start to"
        " first answer with the stubs loaded. WireMock journal off."
    )
    return title + "\n" + table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    """Run the section alone; print the table; write the JSON if asked."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--quick", action="store_true", help="1 s runs, sizes 1 and 500")
    parser.add_argument("--duration", type=float, help="seconds per load run (5, quick 1)")
    parser.add_argument("--repeat", type=int, help="rounds (2, quick 1)")
    parser.add_argument("--sizes", help="comma-separated stub counts (1,100,500,5000)")
    parser.add_argument("--kinds", default=",".join(KINDS_BY_NAME), help="comma-separated kinds")
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--generator", choices=("wrk", "python"), default=default_generator())
    parser.add_argument("--output", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else None
    results = run_scale(
        args.duration or (1.0 if args.quick else 5.0),
        args.repeat or (1 if args.quick else 2),
        args.generator,
        sizes=sizes or (QUICK_SIZES if args.quick else SIZES),
        kinds=tuple(k for k in args.kinds.split(",") if k),
        servers=tuple(s for s in args.servers.split(",") if s),
        warm_up_s=1.0 if args.quick else 3.0,
    )
    print(render_scale(results))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
