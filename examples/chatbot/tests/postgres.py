"""A real PostgreSQL server for the tests, started from the distribution's binaries.

`PostgresServer.start()` runs ``initdb`` and ``postgres`` from Debian's
``/usr/lib/postgresql/<version>/bin`` (``apt-get install postgresql``) on a free port of
127.0.0.1, with its data and socket in a new temporary directory; `stop()` stops it and
deletes the directory. PostgreSQL refuses to run as root: when the tests run as root
(as in CI) both programs run as the ``postgres`` system user, which the package
creates (``setpriv --reuid``, from util-linux like ``runuser``), and the directory is
handed to that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg

#: The account the server runs as when we are root.
SERVER_USER = "postgres"
#: A cluster for tests: local trust, UTF-8, no fsync of the new files.
INITDB = ["--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]
#: Settings for a throwaway server: fast, not durable.
FAST = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL binaries or the ``postgres`` user are missing (how to get them)."""


def find_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb`` and ``postgres``."""
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists() and (p / "postgres").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not versions:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries under /usr/lib/postgresql: apt-get install -y postgresql"
        )
    return versions[-1]


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One running server; `url(database)` names a database on it."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, directory: Path) -> None:
        self.process = process
        self.port = port
        self.directory = directory

    @classmethod
    def start(cls, attempts: int = 3) -> PostgresServer:
        """initdb in a new temporary directory, then serve on a free port (retried if
        another process took the port first)."""
        bindir = find_bindir()
        directory = Path(tempfile.mkdtemp(prefix="chatbot-postgres-"))
        try:
            prefix = _run_as_server_user(directory)
            data = directory / "data"
            initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", *INITDB]
            subprocess.run([*prefix, *initdb], check=True, capture_output=True)
            for _ in range(attempts):
                server = cls._serve(prefix, bindir, directory)
                if server is not None:
                    return server
            log = (directory / "server.log").read_text(errors="replace")
            raise RuntimeError(f"PostgreSQL did not start on 127.0.0.1; its log:\n{log}")
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise

    @classmethod
    def _serve(cls, prefix: list[str], bindir: Path, directory: Path) -> PostgresServer | None:
        port = free_port()
        with open(directory / "server.log", "ab") as log:
            where = ["-p", str(port), "-k", str(directory), "-c", "listen_addresses=127.0.0.1"]
            command = [str(bindir / "postgres"), "-D", str(directory / "data"), *where, *FAST]
            process = subprocess.Popen([*prefix, *command], stdout=subprocess.DEVNULL, stderr=log)
        server = cls(process, port, directory)
        if server._wait_ready():
            return server
        server._halt()
        return None

    def url(self, database: str = "postgres") -> str:
        """The connection URL of `database` (user postgres, no password)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    async def create_database(self, name: str) -> str:
        """Create the database `name`; its URL."""
        connection = await asyncpg.connect(self.url())
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        self._halt()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _halt(self) -> None:
        """Fast shutdown (SIGINT), then make sure the process is gone."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def _wait_ready(self, timeout: float = 30.0) -> bool:
        """Wait until the server accepts TCP connections; False if it died first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
            except OSError:
                time.sleep(0.05)
                continue
            if (self.directory / "data" / "postmaster.pid").exists():
                return _accepts_queries(self.url())
        return False


def _accepts_queries(url: str, timeout: float = 10.0) -> bool:
    import asyncio

    async def ping() -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                connection = await asyncpg.connect(url, timeout=2)
            except (OSError, asyncpg.PostgresError):
                await asyncio.sleep(0.05)
                continue
            await connection.close()
            return True
        return False

    return asyncio.run(ping())


def _run_as_server_user(directory: Path) -> list[str]:
    """The command prefix that runs the server's programs: none for an ordinary user;
    ``setpriv`` to the ``postgres`` user for root, after giving `directory` to it."""
    if os.geteuid() != 0:
        return []
    try:
        account = pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as "
            "(the postgresql package creates it)"
        ) from None
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise PostgresUnavailable("running as root without setpriv (util-linux)")
    os.chown(directory, account.pw_uid, account.pw_gid)
    # setpriv execs the program as that user (runuser and su would stay its parent and
    # not pass our SIGINT on), so stopping the server is one signal to its own process.
    return [setpriv, f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups"]
