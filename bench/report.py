"""The results as readable tables, with ratios to the peers (pytest-httpserver for
MockHTTP, the PyPI package mockllm for MockLLM) and MockHTTP's goals."""

from __future__ import annotations

from typing import Any

from .concurrency import render_concurrency
from .domains import render_domains
from .http_servers import MANY_SCENARIOS
from .llm_servers import LONG_TEXT
from .peers import ratio as peer_ratio
from .peers import render_peers
from .scale import drop as scale_drop
from .scale import render_scale
from .servers import LABELS
from .soak import render_soak
from .tables import table
from .wiremock import render_wiremock

BASELINE = "pytest-httpserver"
LLM_BASELINE = "pypi-mockllm"
MANY_LABELS = {
    "many-exact": "exact paths, hit registered first",
    "many-regex": "regex paths, hit registered first",
    "many-exact-last": "exact paths, hit registered last",
    "many-regex-last": "regex paths, hit registered last",
}


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _rps(data: dict[str, Any], *keys: str) -> float | None:
    found = _get(data, *keys)
    return float(found["rps"]) if isinstance(found, dict) and "rps" in found else None


def _cpu(data: dict[str, Any], *keys: str) -> float | None:
    found = _get(data, *keys)
    if isinstance(found, dict) and found.get("cpu_us_per_request"):
        return float(found["cpu_us_per_request"])
    return None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _fmt(value: float | None, spec: str = ",.0f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def _x(value: float | None) -> str:
    return _fmt(value, ".2f", "x")


def _drop(value: float | None, baseline: float | None) -> str:
    ratio = _ratio(value, baseline)
    return "-" if ratio is None else f"{(1 - ratio) * 100:+.0f}%".replace("+-", "-")


def _flag(entry: Any) -> str:
    return " !" if isinstance(entry, dict) and entry.get("valid") is False else ""


# ---- goals -----------------------------------------------------------------------------


def _goal(
    name: str, value: float | None, target: str, met: bool | None, by_cpu: float | None = None
) -> dict[str, Any]:
    return {"goal": name, "value": value, "target": target, "met": met, "by_cpu": by_cpu}


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """MockHTTP's goals, each with its figure and whether it was met (None: not measured)."""
    found: list[dict[str, Any]] = []
    median = _get(results, "lifecycle", "mockhttp", "median_ms")
    found.append(
        _goal(
            "start+stop median (ms)",
            median,
            "< 20",
            None if median is None else median < 20,
        )
    )
    for connections in ("c1", "c32"):
        ratio = _ratio(
            _rps(results, "throughput", "mockhttp", connections),
            _rps(results, "throughput", BASELINE, connections),
        )
        by_cpu = _ratio(
            _cpu(results, "throughput", BASELINE, connections),
            _cpu(results, "throughput", "mockhttp", connections),
        )
        found.append(
            _goal(
                f"req/s at {connections.replace('c', 'c=')} vs pytest-httpserver",
                ratio,
                ">= 2.00x",
                None if ratio is None else ratio >= 2,
                by_cpu,
            )
        )
    one = _rps(results, "many", "mockhttp", "stub") or _rps(
        results, "throughput", "mockhttp", "c32"
    )
    one_cpu = _cpu(results, "many", "mockhttp", "stub") or _cpu(
        results, "throughput", "mockhttp", "c32"
    )
    for scenario in ("many-exact", "many-regex"):
        kept = _ratio(_rps(results, "many", "mockhttp", scenario), one)
        drop = None if kept is None else (1 - kept) * 100
        kept_cpu = _ratio(one_cpu, _cpu(results, "many", "mockhttp", scenario))
        found.append(
            _goal(
                f"req/s drop, 1 -> 500 expectations ({MANY_LABELS[scenario]})",
                drop,
                "< 20%",
                None if drop is None else drop < 20,
                None if kept_cpu is None else (1 - kept_cpu) * 100,
            )
        )
    return [*found, *peer_goals(results), *scale_goals(results)]


#: Issue 14: (goal, MockHTTP's figure over the peer's, peer, target, met when, by CPU).
PEER_GOALS: tuple[tuple[str, tuple[str, ...], str, str, float, bool, tuple[str, ...]], ...] = (
    ("cold start / bare aiohttp", ("cold_start", "median_s"), "aiohttp", "<= 1.30x", 1.3,
     False, ("cold_start", "cpu_median_s")),
    ("req/s c=32 / WireMock default", ("c32", "rps"), "wiremock", ">= 1.50x", 1.5, True,
     ("c32", "cpu_us_per_request")),
    ("req/s c=32 / WireMock journal off", ("c32", "rps"), "wiremock-nojournal", ">= 1.00x", 1.0,
     True, ("c32", "cpu_us_per_request")),
    ("req/s c=1 / WireMock default", ("c1", "rps"), "wiremock", ">= 2.00x", 2.0, True,
     ("c1", "cpu_us_per_request")),
    ("p99 c=32 / bare aiohttp", ("c32", "p99_ms"), "aiohttp", "< 2.00x", 2.0, False, ()),
    ("idle RSS / bare aiohttp", ("idle_rss_kb",), "aiohttp", "<= 1.25x", 1.25, False, ()),
)  # fmt: skip


def peer_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 14's goals for MockHTTP (default loop) against its peers, when measured.

    "same by CPU/req" restates the throughput goals with server CPU per request (the
    peer's over MockHTTP's), the steadier figure on a busy machine; for cold start it is
    MockHTTP's CPU seconds to its first answer over aiohttp's.
    """
    servers = _get(results, "peers", "servers")
    if not isinstance(servers, dict) or "mockhttp" not in servers:
        return []
    found = []
    for name, keys, peer, target, bound, higher, cpu_keys in PEER_GOALS:
        if peer not in servers:
            continue
        value = peer_ratio(servers["mockhttp"], servers[peer], keys)
        by_cpu = None
        if cpu_keys:
            cpu = peer_ratio(servers["mockhttp"], servers[peer], cpu_keys)
            by_cpu = None if not cpu else (1 / cpu if higher else cpu)
        strict = target.startswith("< ")  # "below", not "at most"
        met = None
        if value is not None:
            met = value >= bound if higher else (value < bound if strict else value <= bound)
        found.append(_goal(f"MockHTTP {name}", value, target, met, by_cpu))
    return found


def scale_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 14: 500 expectations of each kind cost under 20 % of 1 expectation's req/s."""
    kinds = _get(results, "scale", "kinds")
    if not isinstance(kinds, dict):
        return []
    found = []
    for figures in kinds.values():
        lost = scale_drop(figures, "mockhttp", 500)
        by_cpu = scale_drop(figures, "mockhttp", 500, "cpu_us_per_request")
        found.append(
            _goal(
                f"MockHTTP req/s drop, 1 -> 500 {figures['label']}",
                None if lost is None else lost * 100,
                "< 20%",
                None if lost is None else lost < 0.2,
                None if by_cpu is None else by_cpu * 100,
            )
        )
    return found


# ---- rendering -------------------------------------------------------------------------


def _kinds(section: dict[str, Any]) -> list[str]:
    return [k for k in LABELS if k in section]


def render_lifecycle(results: dict[str, Any]) -> str:
    """Start/stop cycle timings."""
    section = results["lifecycle"]
    base = _get(section, BASELINE, "median_ms")
    rows = []
    for kind in _kinds(section):
        figures = section[kind]
        speedup = _ratio(base, figures["median_ms"]) if kind != BASELINE else None
        rows.append(
            [
                LABELS[kind],
                str(figures["cycles"]),
                _fmt(figures["first_ms"], ".2f"),
                _fmt(figures["median_ms"], ".2f"),
                _fmt(figures["p95_ms"], ".2f"),
                _fmt(figures["max_ms"], ".2f"),
                "-" if speedup is None else f"{speedup:.1f}x faster",
            ]
        )
    headers = ["server", "cycles", "first ms", "median ms", "p95 ms", "max ms", "vs pytest-hs"]
    return "In-process construct + start + stop\n" + table(headers, rows)


def _rate_table(section: dict[str, Any], baseline: str) -> str:
    """Requests/s and server CPU us/request per server at c=1 and c=32, with ratios to
    `baseline` (CPU ratio: the baseline's CPU per request / this one's)."""
    rows = []
    for kind in _kinds(section):
        row = [LABELS[kind]]
        for connections in ("c1", "c32"):
            rps, cpu = _rps(section, kind, connections), _cpu(section, kind, connections)
            row += [
                _fmt(rps) + _flag(_get(section, kind, connections)),
                _x(_ratio(rps, _rps(section, baseline, connections))),
                _fmt(cpu, ".1f"),
                _x(_ratio(_cpu(section, baseline, connections), cpu)),
            ]
        rows.append(row)
    headers = ["server"]
    for label in ("c=1", "c=32"):
        headers += [f"req/s {label}", "ratio", "CPU us/req", "CPU ratio"]
    return table(headers, rows)


def render_throughput(results: dict[str, Any]) -> str:
    """Requests/s with one expectation, and the server's CPU per request."""
    title = (
        "Requests/s, GET /stub, 1 expectation. ratio: to pytest-httpserver; CPU us/req: the"
        " server process's CPU time per request; CPU ratio: pytest-httpserver's / this"
    )
    return title + "\n" + _rate_table(results["throughput"], BASELINE)


def render_many(results: dict[str, Any]) -> str:
    """Requests/s with many expectations, and the drop from one."""
    section = results["many"]
    n = results["meta"]["expectations"]
    kinds = _kinds(section)
    one = {kind: _rps(section, kind, "stub") for kind in kinds}
    one_cpu = {kind: _cpu(section, kind, "stub") for kind in kinds}
    headers = ["c=32"]
    for kind in kinds:
        headers += [LABELS[kind], "drop", "CPU us/req"]
    headers.append("ratio")
    rows = [["1 expectation"]]
    for kind in kinds:
        rows[0] += [
            _fmt(one[kind]) + _flag(_get(section, kind, "stub")),
            "",
            _fmt(one_cpu[kind], ".1f"),
        ]
    rows[0].append(_x(_ratio(one.get("mockhttp"), one.get(BASELINE))))
    for scenario in MANY_SCENARIOS:
        row = [f"{n} {MANY_LABELS[scenario]}"]
        for kind in kinds:
            value = _rps(section, kind, scenario)
            row += [
                _fmt(value) + _flag(_get(section, kind, scenario)),
                _drop(value, one[kind]),
                _fmt(_cpu(section, kind, scenario), ".1f"),
            ]
        row.append(
            _x(_ratio(_rps(section, "mockhttp", scenario), _rps(section, BASELINE, scenario)))
        )
        rows.append(row)
    return "Requests/s with many expectations (drop: from 1 expectation)\n" + table(headers, rows)


def render_contracts(results: dict[str, Any]) -> str:
    """Contract validation cost per request."""
    section = results["contracts"]
    lines = ["Contract validation, POST /v1/items with a 6-field chat-style body (c=32)"]
    rows = []
    for kind in _kinds(section):
        without, checked = _rps(section, kind, "without"), _rps(section, kind, "with")
        cpu_without, cpu_with = _cpu(section, kind, "without"), _cpu(section, kind, "with")
        wall = 1e6 / checked - 1e6 / without if without and checked else None
        cpu = cpu_with - cpu_without if cpu_with and cpu_without else None
        rows.append(
            [
                LABELS[kind],
                _fmt(without) + _flag(_get(section, kind, "without")),
                _fmt(checked) + _flag(_get(section, kind, "with")),
                _x(_ratio(checked, without)),
                _fmt(wall, ".1f"),
                _fmt(cpu_without, ".1f"),
                _fmt(cpu_with, ".1f"),
                _fmt(cpu, ".1f"),
            ]
        )
    headers = [
        "server", "req/s no schema", "req/s schema", "ratio", "+us/req (1/rps)",
        "CPU us no schema", "CPU us schema", "+CPU us/req",
    ]  # fmt: skip
    lines.append(table(headers, rows))
    direct = section.get("direct_check_us")
    lines.append(f"Contracts.check alone (in-process, same body): {_fmt(direct, '.1f')} us")
    return "\n".join(lines)


def render_uvloop(results: dict[str, Any]) -> str | None:
    """asyncio loop vs uvloop for MockHTTP; gain > 1 means uvloop is better."""
    rows = []
    life = results.get("lifecycle", {})
    if "mockhttp" in life and "mockhttp-uvloop" in life:
        a, b = life["mockhttp"]["median_ms"], life["mockhttp-uvloop"]["median_ms"]
        rows.append(["start+stop median ms", _fmt(a, ".2f"), _fmt(b, ".2f"), _x(_ratio(a, b))])
    for connections in ("c1", "c32"):
        label = connections.replace("c", "c=")
        a2 = _rps(results, "throughput", "mockhttp", connections)
        b2 = _rps(results, "throughput", "mockhttp-uvloop", connections)
        if a2 and b2:
            rows.append([f"req/s {label}", _fmt(a2), _fmt(b2), _x(_ratio(b2, a2))])
        a3 = _cpu(results, "throughput", "mockhttp", connections)
        b3 = _cpu(results, "throughput", "mockhttp-uvloop", connections)
        if a3 and b3:
            rows.append(
                [f"CPU us/req {label}", _fmt(a3, ".1f"), _fmt(b3, ".1f"), _x(_ratio(a3, b3))]
            )
    if not rows:
        return None
    return "MockHTTP: asyncio loop vs uvloop (gain > 1: uvloop is better)\n" + table(
        ["", "asyncio", "uvloop", "uvloop gain"], rows
    )


def render_rss(results: dict[str, Any]) -> str:
    """Peak RSS per server process."""
    section = results["rss"]
    base = _get(section, BASELINE, "peak_rss_kb")
    rows = []
    for kind in _kinds(section):
        figures = section[kind]
        idle, peak = figures.get("idle_rss_kb"), figures.get("peak_rss_kb")
        rows.append(
            [
                LABELS[kind],
                _fmt(idle / 1024 if idle else None, ".1f"),
                _fmt(peak / 1024 if peak else None, ".1f") + _flag(figures),
                str(figures.get("requests")),
                _x(_ratio(peak, base)),
            ]
        )
    headers = ["server", "idle RSS MiB", "peak RSS MiB", "requests", "ratio"]
    return "Server process memory (VmHWM after a fixed workload, c=32)\n" + table(headers, rows)


def render_llm_chat(results: dict[str, Any]) -> str:
    """LLM chat completions/s, not streamed."""
    section = {
        kind: figures["chat"] for kind, figures in results["llm"].items() if "chat" in figures
    }
    title = (
        "LLM chat completions/s: POST /v1/chat/completions, a short prompt, not streamed."
        " ratio: to mockllm (PyPI), > 1 is MockLLM ahead; CPU ratio: mockllm's CPU us/req / this"
    )
    return title + "\n" + _rate_table(section, LLM_BASELINE)


STREAM_ROWS = (("stream", ""), ("stream-chars", ", 1 char/chunk"))


def render_llm_stream(results: dict[str, Any]) -> str | None:
    """Streamed tokens/s (SSE content chunks received), answers/s and time to first token."""
    section = results["llm"]
    rows = []
    levels = sorted(
        {int(c[1:]) for kind in section for s, _ in STREAM_ROWS for c in section[kind].get(s, {})}
    )
    for connections in levels:
        key = f"c{connections}"
        base = _get(section, LLM_BASELINE, "stream", key) or {}
        for scenario, suffix in STREAM_ROWS:
            for kind in _kinds(section):
                entry = _get(section, kind, scenario, key)
                if not isinstance(entry, dict) or "tokens_per_s" not in entry:
                    continue
                mine = kind != LLM_BASELINE
                rows.append(
                    [
                        LABELS[kind] + suffix,
                        str(connections),
                        _fmt(entry["tokens_per_answer"]),
                        _fmt(entry["tokens_per_s"]) + _flag(entry),
                        _x(_ratio(entry["tokens_per_s"], base.get("tokens_per_s"))) if mine else "",
                        _fmt(entry["rps"], ",.1f"),
                        _x(_ratio(entry["rps"], base.get("rps"))) if mine else "",
                        _fmt(entry["ttft_p50_ms"], ".2f"),
                        _fmt(entry["ttft_p99_ms"], ".2f"),
                        _x(_ratio(base.get("ttft_p50_ms"), entry["ttft_p50_ms"])) if mine else "",
                        _fmt(entry["cpu_us_per_token"], ".1f"),
                        _fmt(entry["cpu_us_per_request"], ",.0f"),
                        _x(_ratio(base.get("cpu_us_per_request"), entry["cpu_us_per_request"]))
                        if mine
                        else "",
                    ]
                )
    if not rows:
        return None
    headers = [
        "server", "c", "tokens/answer", "tokens/s", "ratio", "answers/s", "ratio",
        "TTFT p50 ms", "TTFT p99 ms", "ratio", "CPU us/token", "CPU us/answer", "ratio",
    ]  # fmt: skip
    title = (
        f"LLM streamed tokens/s: stream: true, one {len(LONG_TEXT):,}-character answer read"
        " whole, no delay injected. tokens: SSE content chunks received (MockLLM: one token a"
        " chunk; mockllm: one character a chunk); TTFT: request sent to first content chunk."
        " ratios: to mockllm (PyPI), > 1 is MockLLM ahead (TTFT and CPU: mockllm's / this)"
    )
    return title + "\n" + table(headers, rows)


API_ROWS = (
    ("messages", "Anthropic messages"),
    ("messages-stream", "Anthropic messages, streamed"),
    ("gemini", "Gemini generateContent"),
    ("gemini-stream", "Gemini streamGenerateContent"),
)


def render_llm_apis(results: dict[str, Any]) -> str | None:
    """Anthropic's and Gemini's APIs at c=1: answers/s, first content chunk, CPU."""
    section = results["llm"]
    rows = []
    for scenario, label in API_ROWS:
        base = _get(section, LLM_BASELINE, scenario, "c1") or {}
        for kind in _kinds(section):
            entry = _get(section, kind, scenario, "c1")
            if not isinstance(entry, dict) or "rps" not in entry:
                continue
            mine = kind != LLM_BASELINE and bool(base)
            cpu = entry.get("cpu_us_per_request")
            rows.append(
                [
                    label,
                    LABELS[kind],
                    _fmt(entry["rps"], ",.1f") + _flag(entry),
                    _x(_ratio(entry["rps"], base.get("rps"))) if mine else "",
                    _fmt(entry.get("ttft_p50_ms"), ".2f"),
                    _x(_ratio(base.get("ttft_p50_ms"), entry.get("ttft_p50_ms"))) if mine else "",
                    _fmt(cpu, ",.0f"),
                    _x(_ratio(base.get("cpu_us_per_request"), cpu)) if mine else "",
                ]
            )
    if not rows:
        return None
    headers = ["API", "server", "answers/s", "ratio", "TTFT p50 ms", "ratio", "CPU us", "ratio"]
    title = (
        "LLM: Anthropic's and Gemini's APIs at c=1 (the short answer, and the long one"
        " streamed). mockllm serves Anthropic's path (its stream is not Anthropic's event"
        " format), no peer serves Gemini's; ratios to mockllm, > 1 is MockLLM ahead"
    )
    return title + "\n" + table(headers, rows)


def render_llm_note(results: dict[str, Any]) -> str:
    """How the LLM peer ran."""
    versions = results["meta"].get("versions", {})
    loop = "uvloop" if versions.get("uvloop") else "asyncio"
    http = "httptools" if versions.get("httptools") else "h11"
    return (
        f"mockllm {versions.get('mockllm')} ran its FastAPI app on uvicorn"
        f" {versions.get('uvicorn')} with uvicorn's defaults here (loop: {loop}, HTTP parser:"
        f" {http}), without the access log and with its response file parsed once"
        " (see bench/README.md)"
    )


def render_goals(found: list[dict[str, Any]]) -> str:
    """MockHTTP's goals: met, missed, or not measured (verdicts on req/s)."""
    rows = []
    for goal in found:
        value, by_cpu = goal["value"], goal.get("by_cpu")
        verdict = {True: "met", False: "MISSED", None: "not measured"}[goal["met"]]
        rows.append(
            [goal["goal"], _fmt(value, ".2f"), goal["target"], verdict, _fmt(by_cpu, ".2f")]
        )
    headers = ["goal", "value", "target", "", "same by CPU/req"]
    return "Goals (MockHTTP)\n" + table(headers, rows)


def render(results: dict[str, Any]) -> str:
    """Every section that ran, then the goals."""
    meta = results["meta"]
    parts = [
        f"mocks bench: Python {meta['python']}, {meta['cpus']} CPUs, generator {meta['generator']}"
        f" ({meta.get('wrk') or 'bench.pyload'}), {meta['duration_s']:g} s per load run"
    ]
    before = meta.get("load_average_before")
    if before and before[0] > 1.0:
        parts[0] += (
            f"\nNOTE: load average {before[0]:.2f} before the run: other processes compete for"
            " the CPUs, so req/s is noisy; the CPU us/req columns are the steadier figures"
        )
    renderers = [
        ("lifecycle", render_lifecycle),
        ("throughput", render_throughput),
        ("many", render_many),
        ("contracts", render_contracts),
        ("rss", render_rss),
    ]
    for key, renderer in renderers:
        if key in results:
            parts.append(renderer(results))
    uvloop = render_uvloop(results)
    if uvloop:
        parts.append(uvloop)
    if results.get("llm"):
        parts.append(render_llm_chat(results))
        stream = render_llm_stream(results)
        if stream:
            parts.append(stream)
        apis = render_llm_apis(results)
        if apis:
            parts.append(apis)
        parts.append(render_llm_note(results))
    if results.get("wiremock"):
        parts.append(render_wiremock(results["wiremock"]))
    if results.get("peers"):
        parts.append(render_peers(results["peers"]))
    if results.get("scale"):
        parts.append(render_scale(results["scale"]))
    if results.get("domains"):
        parts.append(render_domains(results["domains"]))
    if results.get("concurrency"):
        parts.append(render_concurrency(results["concurrency"]))
    if results.get("soak"):
        parts.append(render_soak(results["soak"]))
    if any(goal["met"] is not None for goal in results.get("goals", [])):
        parts.append(render_goals(results["goals"]))
    if any("!" in part for part in parts):
        parts.append("! = the run had errors, non-2xx answers or unmatched requests (see JSON)")
    return "\n\n".join(parts)
