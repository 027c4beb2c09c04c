"""``python -m mocks``: every available mock in one process, and the environment to reach them.

It starts each mock on a free port (or ``--port llm=8080``), prints ``KEY=value`` lines
(``OPENAI_BASE_URL``, ``MOCK_HTTP_URL``, ``ZITADEL_ISSUER``, ...) followed by a
``# ready`` comment, writes them to ``--env-file`` if asked, and serves until SIGTERM,
SIGINT or ``--timeout`` seconds. ``MOCKS_DASHBOARD_URL`` is the live dashboard of the
whole stack (every mock's page shows every mock's traffic; the admin token rule holds).
Logs go to stderr and to a temporary log directory that is removed on exit, unless
something failed and ``--keep-on-error`` was given.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from .core import MockStack, UnknownMockError, available_mocks, registered_mocks, write_text
from .core.cli import Parser, raise_open_files_limit, tune_collector

_EPILOG = """\
examples:
  python -m mocks                         all mocks on free ports; prints their env
  python -m mocks --env-file .env.mocks   ... and writes it for the system under test
  python -m mocks --port llm=8080 --timeout 600
  eval "$(python -m mocks --timeout 60 | grep -v '^#' | sed 's/^/export /')"  (shell)
"""


def _port(text: str) -> tuple[str, int]:
    name, _, port = text.partition("=")
    if (
        name not in registered_mocks()
        or not port.isascii()
        or not port.isdigit()
        or int(port) > 65535
    ):
        known = ", ".join(registered_mocks())
        raise argparse.ArgumentTypeError(f"expected NAME=PORT with NAME one of {known}: {text!r}")
    return name, int(port)


def _names(args: argparse.Namespace) -> list[str] | None:
    """The mocks to start (None: all available); a typo is refused with the choices."""
    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    available = available_mocks()
    chosen = list(available) if names is None else names
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise UnknownMockError(
            f"--only: no mock named {', '.join(map(repr, unknown))}; "
            f"available: {', '.join(available)}"
        )
    ignored = [name for name, _ in args.port if name not in chosen]
    if ignored:
        raise UnknownMockError(
            f"--port: {', '.join(ignored)} is not started (--only {','.join(chosen)})"
        )
    return names


def build_parser() -> argparse.ArgumentParser:
    """The stack's flags."""
    parser = Parser(
        prog="python -m mocks",
        description=(
            "Start every available mock (" + ", ".join(available_mocks()) + ") in one "
            "process and print the environment a system under test needs to reach them."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=_port,
        action="append",
        default=[],
        metavar="NAME=PORT",
        help="fixed port for one mock (repeatable); others get free ports",
    )
    parser.add_argument(
        "--only", metavar="NAME,...", help="start only these mocks (comma-separated)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every random draw")
    parser.add_argument("--strict", action="store_true", help="unmatched requests fail")
    parser.add_argument("--admin-token", metavar="TOKEN", help="require it on /__admin routes")
    parser.add_argument(
        "--allow-remote-admin",
        action="store_true",
        help="serve on a non-loopback --host without an admin token",
    )
    parser.add_argument("--env-file", type=Path, metavar="PATH", help="also write the env here")
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="stop after this many seconds"
    )
    parser.add_argument(
        "--keep-on-error",
        action="store_true",
        help="keep the log directory when something failed (its path is printed)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (INFO logs one line per request)",
    )
    return parser


def _logging(level: str, directory: Path) -> None:
    formatter = logging.Formatter("%(asctime)s %(name)s %(message)s")
    handlers: list[logging.Handler] = [
        logging.StreamHandler(sys.stderr),
        logging.FileHandler(directory / "mocks.log", encoding="utf-8"),
    ]
    root = logging.getLogger()
    root.setLevel(level)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)


def _close_logging() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()


def _serve(stack: MockStack, args: argparse.Namespace) -> bool:
    """Print the environment and serve until a signal or the timeout; True if all went well."""
    environment = {**stack.environment, "MOCKS_DASHBOARD_URL": _dashboard(stack)}
    # Quoted where the shell (and dotenv readers) need it: `eval` and `source` work.
    lines = [f"{key}={shlex.quote(value)}" for key, value in environment.items()]
    if args.env_file is not None:
        write_text(args.env_file, "\n".join(lines) + "\n")
    stop = threading.Event()
    # Handlers first: a signal sent as soon as "ready" is read must stop the stack cleanly.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    names = ", ".join(stack.mocks)
    print("\n".join([*lines, f"# ready: {names}; Ctrl-C or SIGTERM stops them"]), flush=True)
    stop.wait(args.timeout)
    problems = [
        f"{service}: {error}"
        for service, mock in stack.mocks.items()
        for error in mock.report().errors
    ]
    for problem in problems:
        logging.getLogger("mocks.stack").error("error inside a mock: %s", problem)
    return not problems


def _dashboard(stack: MockStack) -> str:
    """Make every mock's dashboard show the whole stack; the URL of the first one's."""
    for mock in stack:
        mock.dashboard.include(*stack)
    first = next(iter(stack))
    return f"{first.url}/__admin/ui"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the stack; return the exit status.

    A typo in ``--only`` or ``--port``, a busy port, an ``--env-file`` that cannot be
    written and Ctrl-C during start-up are each one line on stderr (status 2, or 130).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    raise_open_files_limit()
    try:
        names = _names(args)
    except UnknownMockError as exc:
        parser.error(str(exc))
    log_dir = Path(tempfile.mkdtemp(prefix="mocks-stack-"))
    _logging(args.log_level, log_dir)
    ok = False
    try:
        stack = MockStack.start(
            dict(args.port),
            args.host,
            names,
            seed=args.seed,
            strict=args.strict,
            admin_token=args.admin_token,
            allow_remote_admin=args.allow_remote_admin,
        )
        with stack:
            tune_collector()
            ok = _serve(stack, args)
        return 0 if ok else 1
    except OSError as exc:  # a busy port (named with its mock), an unwritable --env-file
        logging.getLogger("mocks.stack").error("%s: error: %s", parser.prog, _reason(exc))
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr, flush=True)
        return 130
    except Exception:
        logging.getLogger("mocks.stack").exception("the stack failed")
        return 1
    finally:
        _close_logging()
        if ok or not args.keep_on_error:
            shutil.rmtree(log_dir, ignore_errors=True)
        else:
            print(f"# logs kept in {log_dir}", file=sys.stderr, flush=True)


def _reason(exc: OSError) -> str:
    if exc.filename is not None:
        return f"cannot write {exc.filename}: {exc.strerror}"
    return exc.strerror or str(exc)


if __name__ == "__main__":
    sys.exit(main())
