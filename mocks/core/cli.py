"""Command-line plumbing shared by every ``python -m mocks.<name>``.

`main(MockX)` parses the shared flags, loads stub files and cassettes, sets up record
mode and the admin token, prints the URL, serves until SIGTERM/SIGINT and stops cleanly.
A bad flag, a broken stub file or cassette is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn
from urllib.parse import urlsplit

from ._datafile import DataFileError
from ._mock import BaseMock
from ._options import CliOption
from ._redact import Redactor

_EPILOG = """\
examples:
  {prog} --port 8080
      serve on http://127.0.0.1:8080 (--port 0, the default, picks a free port and
      prints it). With nothing programmed the mock answers with its default behaviour.

  curl -X POST http://127.0.0.1:8080/__admin/expectations \\
       -d '{{"matcher": {{"kind": "path", "value": "/ping"}},
            "response": {{"json": {{"ok": true}}}}, "times": 1}}'
  curl http://127.0.0.1:8080/ping
  curl http://127.0.0.1:8080/__admin/verify      # 200: all held; 409: the report
      program it over HTTP from any language; every admin route is described
      in http://127.0.0.1:8080/__admin/openapi.json

  {prog} --stubs stubs/
      start with the expectations in stubs/*.json|yaml (one expectation, a list,
      or {{"expectations": [...]}}); POST /__admin/reset restores them.

  {prog} --upstream https://real.example.com --record-to recordings/{service}
      record: requests no expectation answers go to the real service and each
      exchange is saved to a cassette (secrets redacted).
  {prog} --replay recordings/{service}
      replay: the cassettes answer instead (add --replay-timing for their timing).
"""


class Parser(argparse.ArgumentParser):
    """Reports a bad flag in one line (and exit status 2), pointing at --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 0 and 65535")
    return port


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= rate <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return rate


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text


def build_parser(cls: type[BaseMock]) -> argparse.ArgumentParser:
    """The flags every mock takes."""
    name = cls.service
    prog = f"python -m mocks.{name}"
    parser = Parser(
        prog=prog,
        description=(
            f"Run the {cls.__name__} mock server. It prints the URL it listens on, logs one "
            "line per request (method, path, matched expectation or 'unmatched', status, ms), "
            "serves its admin API under /__admin, and stops on Ctrl-C or SIGTERM."
        ),
        epilog=_EPILOG.format(prog=prog, service=name),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve = parser.add_argument_group("serving")
    serve.add_argument("--port", type=_port, default=0, help="port to listen on (0: a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--seed", type=int, default=0, help="seed of every random draw")
    serve.add_argument(
        "--strict", action="store_true", help="answer unmatched requests with an error"
    )
    serve.add_argument(
        "--latency", type=_non_negative, default=None, metavar="MS", help="delay every response"
    )
    serve.add_argument(
        "--error-rate",
        type=_rate,
        default=None,
        metavar="RATE",
        help="fail this fraction of requests (0..1), reproducibly from the seed",
    )
    serve.add_argument(
        "--loop",
        choices=["auto", "uvloop", "asyncio"],
        default="auto",
        help="event loop: uvloop when installed (auto, the default), or the one named",
    )
    serve.add_argument(
        "--idle-timeout",
        type=_non_negative,
        default=60.0,
        metavar="SECONDS",
        help="close a connection that brings no request for this long (408 for a request "
        "head left unfinished); default 60",
    )
    serve.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (INFO logs one line per request)",
    )
    program = parser.add_argument_group("programming")
    program.add_argument(
        "--stubs",
        action="append",
        default=[],
        metavar="FILE|DIR",
        help="load expectations from JSON/YAML stub files (repeatable)",
    )
    program.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=os.environ.get("MOCKS_ADMIN_TOKEN"),
        help="require 'Authorization: Bearer TOKEN' on every /__admin route "
        "(default: $MOCKS_ADMIN_TOKEN)",
    )
    program.add_argument(
        "--allow-remote-admin",
        action="store_true",
        help="serve on a non-loopback --host without an admin token (anyone reaching the "
        "port may reprogram the mock)",
    )
    record = parser.add_argument_group("record and replay")
    record.add_argument(
        "--upstream",
        type=_url,
        metavar="URL",
        help="record mode: proxy requests no expectation answers to this real service",
    )
    record.add_argument(
        "--record-to",
        metavar="DIR|FILE",
        help=f"where record mode writes its cassette (default recordings/{name})",
    )
    record.add_argument(
        "--redact-field",
        action="append",
        default=[],
        metavar="NAME",
        help="also redact this JSON/form body field when recording (repeatable)",
    )
    record.add_argument(
        "--replay",
        action="append",
        default=[],
        metavar="FILE|DIR",
        help="answer from recorded cassettes (repeatable)",
    )
    record.add_argument(
        "--replay-timing", action="store_true", help="reproduce the recorded timing"
    )
    options = cls.cli_options()
    if options:
        own = parser.add_argument_group(f"{cls.__name__} options")
        for option in options:
            _add_option(own, option)
    return parser


def _add_option(group: argparse._ArgumentGroup, option: CliOption) -> None:
    if option.type is bool:
        group.add_argument(option.flag, dest=option.name, action="store_true", help=option.help)
        return
    group.add_argument(
        option.flag,
        dest=option.name,
        type=option.type,
        metavar=option.metavar,
        action="append" if option.repeat else "store",
        help=option.help + (" (repeatable)" if option.repeat else ""),
    )


def mock_options(cls: type[BaseMock], args: argparse.Namespace) -> dict[str, Any]:
    """The constructor options the mock's own flags gave (those left out are not passed)."""
    given: dict[str, Any] = {}
    for option in cls.cli_options():
        value = getattr(args, option.name, None)
        if value is not None and value is not False:
            given[option.name] = value
    return given


def prepare(mock: BaseMock, args: argparse.Namespace) -> None:
    """Apply the programming and record/replay flags to a created mock.

    Raises `DataFileError` (naming the file, line and field) for a broken stub file or
    cassette; nothing it loaded stays registered then.
    """
    for path in args.stubs:
        mock.load_stubs(path)
    for path in args.replay:
        mock.replay(path, timing=args.replay_timing)
    if args.upstream is not None:
        from ._recording import Recorder  # the cassette machinery loads when recording

        target = args.record_to or f"recordings/{mock.service}"
        redactor = Redactor.with_fields(args.redact_field)
        mock.fallback = Recorder(mock, args.upstream, target, redactor=redactor)


def raise_open_files_limit() -> int | None:
    """Let a standalone mock hold as many connections as the system allows: its soft
    open-files limit raised to the hard one (a shell's usual 1,024 is less than a burst
    of 1,000 clients plus the mock's own files). The soft limit now; None on a platform
    without one."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 16)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


#: How many new container objects start a collection of the youngest generation in a
#: standalone mock's process (CPython's default is 700).
YOUNG_COLLECTION_EVERY = 10_000


def tune_collector() -> None:
    """Tune the cyclic garbage collector for a process that is only a mock server (never
    called for a mock inside a test's process: that process is the test's).

    Once the mock is up, what start-up loaded is frozen out of every later collection
    (`gc.freeze`), and the youngest generation is collected every 10,000 new container
    objects instead of 700. A request's objects die by reference counting, but each
    journal entry lives on; with CPython's defaults the collector spent about 14,000 of
    a stubbed request's 130,000 instructions walking them, and with these about 4,000
    (bench/README.md, "MockHTTP: the request path, counted in instructions").
    """
    gc.freeze()  # no collection first: it would delay the first answer (cold start)
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, older, oldest)


def main(cls: type[BaseMock], argv: Sequence[str] | None = None, **options: Any) -> int:
    """Run `cls` from the command line until SIGTERM or SIGINT; return the exit status.

    Every failure is one line on stderr: a bad flag, stub file or cassette, a busy
    port (status 2), Ctrl-C before the mock is up (status 130).
    """
    parser = build_parser(cls)
    args = parser.parse_args(argv)
    raise_open_files_limit()
    if args.record_to is not None and args.upstream is None:
        parser.error("--record-to needs --upstream URL (the real service to record)")
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    mock: BaseMock | None = None
    try:
        mock = cls(
            seed=args.seed,
            strict=args.strict,
            latency=args.latency,
            error_rate=args.error_rate,
            admin_token=args.admin_token,
            allow_remote_admin=args.allow_remote_admin,
            idle_timeout=args.idle_timeout,
            use_uvloop={"auto": None, "uvloop": True, "asyncio": False}[args.loop],
            **{**mock_options(cls, args), **options},
        )
        prepare(mock, args)
        mock.serve(args.port, args.host)
        tune_collector()
        _serve(mock, args)
        return 0
    except DataFileError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the message names the address (or why it is refused)
        print(f"{parser.prog}: error: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130
    finally:
        if mock is not None:
            mock.stop()


def _serve(mock: BaseMock, args: argparse.Namespace) -> None:
    """Announce the mock and serve until SIGTERM or SIGINT."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"{type(mock).__name__} listening on {mock.url}", flush=True)
    if args.upstream is not None:
        from ._recording import Recorder

        if isinstance(mock.fallback, Recorder):
            print(f"recording {args.upstream} to {mock.fallback.file}", flush=True)
    stop.wait()


__all__ = [
    "Parser",
    "build_parser",
    "main",
    "mock_options",
    "prepare",
    "raise_open_files_limit",
    "tune_collector",
]
