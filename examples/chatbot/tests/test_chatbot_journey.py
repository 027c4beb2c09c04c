"""The same journey (`journey.run_journey`) twice: once with the mocks as pytest fixtures
and the bot in this process, once with a standalone ``python -m mocks`` programmed over
its admin API and the bot as its own process (``python -m chatbot``), configured from the
environment the stack printed."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from conftest import EXAMPLE, Chatbot, Database
from journey import AdminStack, FixtureStack, admin, run_journey
from postgres import free_port

from mocks.llm import MockLLM
from mocks.teams import MockTeams
from mocks.whatsapp import MockWhatsApp
from mocks.zitadel import MockZitadel

REPOSITORY = EXAMPLE.parents[1]


async def test_the_journey_with_the_pytest_fixtures(
    chatbot: Chatbot,
    mock_llm: MockLLM,
    mock_whatsapp: MockWhatsApp,
    mock_teams: MockTeams,
    mock_zitadel: MockZitadel,
    database: Database,
) -> None:
    stack = FixtureStack(mock_llm, mock_whatsapp, mock_teams, mock_zitadel)
    await run_journey(stack, chatbot.url, database)


@pytest.fixture
def standalone_stack() -> Iterator[dict[str, str]]:
    """``python -m mocks`` in a subprocess; the environment it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks", "--log-level", "WARNING", "--timeout", "300"],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield _printed_environment(process)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, "python -m mocks did not stop cleanly"


def _printed_environment(process: subprocess.Popen[str]) -> dict[str, str]:
    """``KEY=value`` lines up to the ``# ready`` comment."""
    assert process.stdout is not None
    environ: dict[str, str] = {}
    for line in process.stdout:
        if line.startswith("# ready"):
            return environ
        key, _, value = line.rstrip("\n").partition("=")
        environ[key] = shlex.split(value)[0] if value else ""  # the shell's quoting
    raise AssertionError(f"python -m mocks ended before it was ready: {environ}")


@pytest.fixture
def standalone_bot(standalone_stack: dict[str, str], database: Database) -> Iterator[str]:
    """``python -m chatbot`` configured from the printed environment, its client id (the
    application registered over Zitadel's admin API) and the database URL; the channels
    pointed at it over the admin API. Its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stack = standalone_stack
    application = admin(
        "POST",
        f"{stack['MOCK_ZITADEL_URL']}/__admin/zitadel/applications",
        {
            "name": "chatbot",
            "kind": "web",
            "auth_method": "none",
            "redirect_uris": [f"{url}/callback"],
            "post_logout_redirect_uris": [f"{url}/bye"],
            "settings": {"dev_mode": True},
        },
    )
    admin(
        "PUT",
        f"{stack['MOCK_WHATSAPP_URL']}/__admin/whatsapp/webhook",
        {"url": f"{url}/whatsapp/webhook"},
    )
    admin("PUT", f"{stack['MOCK_TEAMS_URL']}/__admin/teams/bot", {"bot_url": f"{url}/api/messages"})
    environ = {
        **os.environ,
        **stack,
        "DATABASE_URL": database.url,
        "ZITADEL_CLIENT_ID": application["client_id"],
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "--port", str(port)],
        cwd=EXAMPLE,
        env=environ,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert bot.stdout is not None
        line = bot.stdout.readline()
        assert line.strip() == f"chatbot listening on {url}", line
        yield url
    finally:
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(30) == 0, "python -m chatbot did not stop cleanly"


async def test_the_journey_with_a_standalone_stack(
    standalone_stack: dict[str, str], standalone_bot: str, database: Database
) -> None:
    await run_journey(AdminStack(standalone_stack), standalone_bot, database)


def test_the_bot_names_every_missing_variable() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chatbot", "--port", "0"],
        cwd=EXAMPLE,
        env={"PATH": os.environ.get("PATH", ""), "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "OPENAI_API_KEY" in done.stderr and "DATABASE_URL" in done.stderr
    assert "ZITADEL_CLIENT_ID" in done.stderr and "OPENAI_BASE_URL," not in done.stderr
