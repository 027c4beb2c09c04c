"""Load generators, each in its own process: ``wrk`` when installed, else `bench.pyload`.

Both send the same request back to back on ``connections`` keep-alive connections for a
fixed duration and report in the same terms, so the servers are compared like for like.
Streamed (SSE) answers are always read by `bench.pyload`, which counts their content
chunks and times the first one (wrk cannot look inside a stream).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Generator = Literal["wrk", "python"]
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
#: The repository root: subprocesses run ``python -m bench.<module>`` from here.
ROOT = Path(__file__).resolve().parent.parent
#: What `bench.pyload --stream` reports besides wrk's fields.
STREAM_FIELDS = ("chunks", "chars", "incomplete", "ttft_p50_us", "ttft_p99_us", "ttft_max_us")


@dataclass(slots=True)
class LoadResult:
    """One load run, as the generator saw it."""

    generator: str
    connections: int
    requests: int
    seconds: float
    errors: int
    non_2xx: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    #: Streamed runs: STREAM_FIELDS (content chunks, characters, incomplete streams, TTFT).
    stream: dict[str, float] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with ``rps``."""
        return {**asdict(self), "rps": round(self.rps, 1)}


def default_generator() -> Generator:
    """``wrk`` if it is on PATH, else the Python client."""
    return "wrk" if shutil.which("wrk") else "python"


def _parse(output: str, generator: str, connections: int) -> LoadResult:
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line.removeprefix("BENCH_JSON "))
            errors = sum(
                int(raw[k]) for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
            )
            return LoadResult(
                generator=generator,
                connections=connections,
                requests=int(raw["requests"]),
                seconds=int(raw["duration_us"]) / 1e6,
                errors=errors,
                non_2xx=int(raw["non_2xx"]),
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                mean_ms=raw["mean_us"] / 1000,
                stream={key: raw[key] for key in STREAM_FIELDS if key in raw},
            )
    raise RuntimeError(f"{generator} printed no result:\n{output[-2000:]}")


def run_tagged(command: Sequence[str], tag: str, timeout: float, what: str) -> dict[str, Any]:
    """Run `command` from the repository root; the JSON its stdout's `tag` line carries
    (RuntimeError naming `what`, with the end of its stderr, when it fails)."""
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=timeout, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith(tag)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    found: dict[str, Any] = json.loads(line.removeprefix(tag))
    return found


def run_load(
    url: str,
    *,
    connections: int,
    duration: float,
    method: str = "GET",
    body: bytes | None = None,
    generator: Generator = "wrk",
    requests: int | None = None,
    headers: Sequence[str] = (),
    stream: bool = False,
    expect_chars: int | None = None,
    cpus: str | None = None,
    rate: float | None = None,
) -> LoadResult:
    """Load `url` from a separate process; `requests` (Python client only) fixes the count.

    `headers` are extra ``Name: value`` request headers. `stream` reads every answer as
    an SSE stream with the Python client, whatever `generator` says; `expect_chars` is
    the content length each stream must add up to. `cpus` pins the generator to that
    CPU list (``taskset -c``), away from the server's. `rate` (Python client) paces the
    requests: that many a second in all.
    """
    with tempfile.TemporaryDirectory(prefix="mocks-bench-load-") as folder:
        body_file = ""
        if body:
            body_file = os.path.join(folder, "body.json")
            Path(body_file).write_bytes(body)
        if generator == "wrk" and requests is None and not stream and rate is None:
            seconds = max(1, math.ceil(duration))
            command = [
                "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
                "-s", str(WRK_SCRIPT), url,
            ]  # fmt: skip
            env = {
                **os.environ,
                "BENCH_METHOD": method,
                "BENCH_BODY_FILE": body_file,
                "BENCH_HEADERS": "\n".join(headers),
            }
            timeout = seconds + 60
        else:
            generator = "python"
            command = [
                sys.executable, "-m", "bench.pyload", "--url", url, "-c", str(connections),
                "--duration", str(duration), "--method", method, "--body-file", body_file,
                "--requests", str(requests or 0),
                *(f"--header={header}" for header in headers),
            ]  # fmt: skip
            if stream:
                command.append("--stream")
            if expect_chars is not None:
                command.append(f"--expect-chars={expect_chars}")
            if rate is not None:
                command.append(f"--rate={rate}")
            env = dict(os.environ)
            timeout = int(duration) + 60
        if cpus is not None and shutil.which("taskset"):
            command = ["taskset", "-c", cpus, *command]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            name = " ".join(command[:4])
            raise RuntimeError(f"{name} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        return _parse(done.stdout, generator, connections)
