"""A run's dated record, to commit: ``bench/results/<date>-<sections>.md`` and ``.json``.

The markdown holds how and where the run happened (command, machine, load average
before and after, versions), the peers table in markdown when the peers section ran,
and every table as the bench printed it. ``bench/results/`` keeps only these dated
files in git (``.gitignore``); the per-run ``bench-<time>.json`` and ``latest.json``
stay local.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .peers import render_markdown
from .report import render
from .soak import plot_soak

#: Sections in their usual order (the record's name lists those that ran).
ORDER = (
    "lifecycle", "throughput", "many", "contracts", "rss", "llm", "wiremock",
    "peers", "scale", "domains", "concurrency", "soak",
)  # fmt: skip
#: Sections `python -m bench` runs only when asked (named after ``-all`` when they ran).
OPT_IN = ("concurrency", "soak")


def record_name(results: dict[str, Any]) -> str:
    """``<date>-<section>-<section>...`` (``<date>-all`` when every default section ran,
    then the opt-in ones that ran: ``<date>-all-soak``)."""
    ran = [section for section in ORDER if section in results]
    date = str(results["meta"].get("date", ""))[:10] or "undated"
    if set(ORDER) - set(OPT_IN) <= set(ran):
        return "-".join([f"{date}-all", *(s for s in OPT_IN if s in ran)])
    return f"{date}-{'-'.join(ran)}"


def _loads(found: Any) -> str:
    return "-" if not found else ", ".join(f"{value:.2f}" for value in found)


def _header(meta: dict[str, Any]) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in (meta.get("versions") or {}).items() if v)
    tools = ", ".join(f"{k}: {v}" for k, v in (meta.get("tools") or {}).items() if v)
    return [
        f"- command: `{meta.get('command', 'python -m bench')}`",
        f"- date: {meta.get('date')}; elapsed {meta.get('elapsed_s')} s",
        f"- machine: {meta.get('platform')}, {meta.get('cpus')} CPUs, Python {meta.get('python')}",
        f"- load average (1, 5, 15 min) before: {_loads(meta.get('load_average_before'))};"
        f" after: {_loads(meta.get('load_average_after'))} (other work shares the machine: above"
        " 1, trust the CPU-per-request columns over req/s)",
        f"- load generator: {meta.get('wrk') or 'bench.pyload'}; {meta.get('duration_s')} s per"
        f" run, {meta.get('repeat')} rounds, each figure the median",
        f"- packages: {versions}",
        f"- bytecode: {meta.get('bytecode', 'as found')}",
        f"- tools: {tools}" if tools else "- tools: -",
    ]


def write_record(results: dict[str, Any], folder: Path) -> list[Path]:
    """Write the markdown and the JSON (a numbered name if today's exists); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    name = record_name(results)
    stem, index = folder / name, 2
    while stem.with_suffix(".md").exists() or stem.with_suffix(".json").exists():
        stem, index = folder / f"{name}-{index}", index + 1
    return write_markdown(results, stem)


def write_markdown(results: dict[str, Any], stem: Path) -> list[Path]:
    """``<stem>.md`` (and the JSON, and the soak's PNG) from a run's results."""
    meta = results["meta"]
    lines = [f"# mocks bench, {meta.get('date', '')[:10]}", "", *_header(meta), ""]
    if results.get("peers"):
        lines += ["## Peers (issue 14)", "", render_markdown(results["peers"]), ""]
    lines += ["## Every table, as printed", "", "```text", render(results), "```", ""]
    written = [stem.with_suffix(".md"), stem.with_suffix(".json")]
    if results.get("soak"):
        png = plot_soak(results["soak"], stem.with_suffix(".png"))
        if png is not None:
            lines += ["## Soak", "", f"![soak]({png.name})", ""]
            written.append(png)
    written[0].write_text("\n".join(lines))
    written[1].write_text(json.dumps(results, indent=2) + "\n")
    return written


__all__ = ["record_name", "write_markdown", "write_record"]


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.record RESULTS.json``: write RESULTS.md beside it (again)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.record")
    parser.add_argument("json", type=Path, help="a results JSON written by python -m bench")
    args = parser.parse_args(argv)
    results = json.loads(args.json.read_text())
    for path in write_markdown(results, args.json.with_suffix("")):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
