"""Fixtures of the chatbot's tests: a real PostgreSQL, the four mocks, and the bot.

``chatbot`` is the bot under test, served in this process, configured only from the
environment the mocks give (``mocks.core.mock_environment``, what ``python -m mocks``
prints) plus ``DATABASE_URL`` and ``ZITADEL_CLIENT_ID``; the mocks are pointed at it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import requests

EXAMPLE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(EXAMPLE))  # the `chatbot` package, as `python -m chatbot` finds it

from bot_server import BotServer  # noqa: E402
from postgres import PostgresServer, free_port  # noqa: E402
from web_client import log_in  # noqa: E402

from mocks.core import mock_environment  # noqa: E402
from mocks.llm import MockLLM  # noqa: E402
from mocks.teams import MockTeams  # noqa: E402
from mocks.whatsapp import MockWhatsApp  # noqa: E402
from mocks.zitadel import Application, MockZitadel, User  # noqa: E402

#: The tables the bot creates, emptied before each test.
TABLES = ("messages", "web_sessions")


class Database:
    """Reads the bot's database from the test (its own connection each time)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """The rows `sql` gives, as dicts (works from sync and async tests alike)."""

        async def fetch() -> list[dict[str, Any]]:
            connection = await asyncpg.connect(self.url)
            try:
                return [dict(row) for row in await connection.fetch(sql, *args)]
            finally:
                await connection.close()

        with ThreadPoolExecutor(1, thread_name_prefix="db") as pool:  # its own event loop
            return pool.submit(asyncio.run, fetch()).result(30)

    def turns(self, channel: str, user_id: str) -> list[tuple[str, str]]:
        """A user's stored conversation: (role, content), oldest first."""
        rows = self.rows(
            "SELECT role, content FROM messages WHERE channel = $1 AND user_id = $2 ORDER BY id",
            channel,
            user_id,
        )
        return [(row["role"], row["content"]) for row in rows]

    def empty(self) -> None:
        """Delete every row the bot stored."""
        existing = {r["tablename"] for r in self.rows("SELECT tablename FROM pg_tables")}
        for table in TABLES:
            if table in existing:
                self.rows(f"TRUNCATE {table}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session."""
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(postgres: PostgresServer) -> str:
    """The bot's database."""
    return asyncio.run(postgres.create_database("chatbot"))


@pytest.fixture
def database(database_url: str) -> Database:
    """The bot's database, empty."""
    db = Database(database_url)
    db.empty()
    return db


@dataclass
class Chatbot:
    """The running bot, what it was configured with, and its OIDC application."""

    server: BotServer
    environ: dict[str, str]
    application: Application

    @property
    def url(self) -> str:
        return self.server.url


def stack_environment(*mocks: Any) -> dict[str, str]:
    """What ``python -m mocks`` would print for these mocks."""
    environ: dict[str, str] = {}
    for mock in mocks:
        environ.update(mock_environment(mock.service, mock))
    return environ


@pytest.fixture
def chatbot(
    mock_llm: MockLLM,
    mock_whatsapp: MockWhatsApp,
    mock_teams: MockTeams,
    mock_zitadel: MockZitadel,
    database: Database,
) -> Iterator[Chatbot]:
    """The bot on a free port, wired to the four mocks and the database."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    application = mock_zitadel.create_application(
        "chatbot",
        kind="web",
        auth_method="none",  # a public client: PKCE, no secret
        dev_mode=True,  # Zitadel's development mode: http redirect URIs are allowed
        redirect_uris=[f"{url}/callback"],
        post_logout_redirect_uris=[f"{url}/bye"],
    )
    environ = {
        **stack_environment(mock_llm, mock_whatsapp, mock_teams, mock_zitadel),
        "DATABASE_URL": database.url,
        "ZITADEL_CLIENT_ID": application.client_id,
    }
    mock_whatsapp.webhook_url = f"{url}/whatsapp/webhook"
    mock_teams.bot_url = f"{url}/api/messages"
    server = BotServer(environ, port).start()
    try:
        yield Chatbot(server, environ, application)
        # Status webhooks of the test's last sends still reach this bot, not a closed port.
        mock_whatsapp.wait_for_callbacks(10)
    finally:
        server.close()


@pytest.fixture
def ada(mock_zitadel: MockZitadel) -> User:
    """A user of the identity provider."""
    return mock_zitadel.create_test_user(
        "ada@example.com", password="Analytical1!", given_name="Ada", family_name="Lovelace"
    )


@pytest.fixture
def web_session(chatbot: Chatbot, mock_zitadel: MockZitadel, ada: User) -> requests.Session:
    """Ada, logged in to the web chat over HTTP (the provider logs her in by itself)."""
    mock_zitadel.set_auto_login(ada)
    return log_in(chatbot.url)


def wait_until(condition: Callable[[], bool], timeout: float = 10, what: str = "it") -> None:
    """Poll `condition` until it holds; fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        time.sleep(0.02)
