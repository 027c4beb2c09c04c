"""Command-line plumbing shared by every ``python -m mocks.<name>``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from ._mock import BaseMock


def build_parser(cls: type[BaseMock]) -> argparse.ArgumentParser:
    """The flags every mock takes."""
    name = cls.service
    parser = argparse.ArgumentParser(
        prog=f"python -m mocks.{name}",
        description=(
            f"Run the {cls.__name__} mock server. It prints the URL it listens on, logs one "
            "line per request, and stops on Ctrl-C or SIGTERM."
        ),
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random draw")
    parser.add_argument(
        "--strict", action="store_true", help="answer unmatched requests with an error"
    )
    parser.add_argument(
        "--latency", type=float, default=None, metavar="MS", help="delay every response"
    )
    parser.add_argument(
        "--error-rate",
        type=float,
        default=None,
        metavar="RATE",
        help="fail this fraction of requests (0..1), reproducibly from the seed",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (INFO logs one line per request)",
    )
    return parser


def main(cls: type[BaseMock], argv: Sequence[str] | None = None, **options: Any) -> int:
    """Run `cls` from the command line until SIGTERM or SIGINT."""
    args = build_parser(cls).parse_args(argv)
    if args.error_rate is not None and not 0 <= args.error_rate <= 1:
        print("error: --error-rate: must be between 0 and 1", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    try:
        mock = cls.start(
            args.port,
            args.host,
            seed=args.seed,
            strict=args.strict,
            latency=args.latency,
            error_rate=args.error_rate,
            **options,
        )
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"{cls.__name__} listening on {mock.url}", flush=True)
    stop.wait()
    mock.stop()
    return 0
