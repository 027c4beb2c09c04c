"""Delivery is real: a pywa bot that fails, or is down, then recovers, gets every webhook,
and every attempt is kept (``mock.callbacks``, each with its attempts and answers).
"""

from __future__ import annotations

import runpy
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from mocks.whatsapp import MockWhatsApp

USER = "15551234567"
BOT_FILE = Path(__file__).resolve().parents[1] / "whatsapp" / "pywa_bot.py"


#: The bot under test (``tests/whatsapp/pywa_bot.py``), loaded from its file.
pywa_bot = SimpleNamespace(**runpy.run_path(str(BOT_FILE), run_name="pywa_bot"))


@pytest.fixture
def bot(mock_whatsapp: MockWhatsApp) -> Iterator[Any]:
    config = pywa_bot.BotConfig(
        mock_whatsapp.phone_number_id,
        mock_whatsapp.waba_id,
        mock_whatsapp.access_token,
        mock_whatsapp.app_secret,
        mock_whatsapp.verify_token,
    )
    running = pywa_bot.PywaBot(
        config, httpx.Client(transport=mock_whatsapp.httpx_transport(), timeout=10)
    ).start()
    mock_whatsapp.webhook_url = running.url
    mock_whatsapp.delivery = type(mock_whatsapp.delivery)(retries=6, backoff_ms=50)
    yield running
    mock_whatsapp.wait_for_callbacks(10)  # nothing of this test is left retrying
    running.stop()


def deliveries_of(mock: MockWhatsApp, wamid: str) -> list[Any]:
    """The webhook deliveries whose body names `wamid` (a message, or statuses of one)."""
    return [d for d in mock.callbacks if wamid.encode() in d.body]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_a_bot_answering_500_gets_the_message_on_a_retry(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    bot.fail_next = 2
    wamid = mock_whatsapp.simulate_incoming(USER, "ping")  # returns once the bot took it
    [delivery] = deliveries_of(mock_whatsapp, wamid)
    assert [a.status for a in delivery.attempts] == [500, 500, 200]
    assert [a.number for a in delivery.attempts] == [1, 2, 3]
    first, second, third = (a.started_at for a in delivery.attempts)
    assert second - first >= 0.05 and third - second >= 0.1  # backoff 50 ms, then doubled
    assert [m.id for m in bot.seen.messages] == [wamid]  # handled once
    mock_whatsapp.conversation(USER).assert_response_contains("pong")


def test_a_bot_that_is_down_then_back_loses_nothing(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    port = bot.port
    bot.stop()
    delivered: list[str] = []
    worker = threading.Thread(
        target=lambda: delivered.append(mock_whatsapp.simulate_incoming(USER, "are you up?"))
    )
    worker.start()
    wait_for(
        lambda: any(
            b"are you up?" in d.body and len(d.attempts) >= 2 for d in mock_whatsapp.callbacks
        )
    )
    bot.start(port)  # back on the same port
    worker.join(15)
    assert delivered and [m.id for m in bot.seen.messages] == delivered
    [delivery] = deliveries_of(mock_whatsapp, delivered[0])
    assert all(a.status is None and a.error for a in delivery.attempts[:-1])  # refused
    assert delivery.attempts[-1].status == 200
    mock_whatsapp.conversation(USER).assert_response_contains("echo: are you up?")


def test_status_webhooks_are_retried_too(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    bot.fail_next_statuses = 3  # the three statuses of the reply hit a failing bot first
    chat = mock_whatsapp.conversation(USER)
    chat.user_says("ping")
    chat.assert_response_contains("pong")
    wait_for(lambda: len(bot.seen.statuses) == 3)
    statuses = [
        d for d in mock_whatsapp.wait_for_callbacks(10) if d.json and "statuses" in str(d.json)
    ]
    assert len(statuses) == 3 and all(d.succeeded for d in statuses)
    assert sum(len(d.attempts) for d in statuses) == 6  # three refused, three delivered
    assert sorted(s.status for s in bot.seen.statuses) == ["delivered", "read", "sent"]


def test_a_bot_that_never_recovers_fails_the_test_with_every_attempt(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    mock_whatsapp.delivery = type(mock_whatsapp.delivery)(retries=2, backoff_ms=10)
    bot.fail_next = 100
    with pytest.raises(AssertionError) as caught:
        mock_whatsapp.simulate_incoming(USER, "hello?")
    message = str(caught.value)
    assert "3 attempts" in message and "#1: 500" in message and "#3: 500" in message
    assert bot.seen.messages == []
    assert len(bot.refused) == 3
    bot.fail_next = 0
    mock_whatsapp.simulate_incoming(USER, "hello again")  # the mock still delivers
    wait_for(lambda: [m.text for m in bot.seen.messages] == ["hello again"])


def test_duplicate_deliveries_are_skipped_by_pywa(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    [delivery] = deliveries_of(mock_whatsapp, mock_whatsapp.simulate_incoming(USER, "once"))
    again = mock_whatsapp.send(
        mock_whatsapp.webhook_url or "",
        json=delivery.json,
        headers={"Content-Type": "application/json"},
    ).wait(5)
    assert again.status == 200  # at-least-once delivery: pywa answers and drops the duplicate
    time.sleep(0.2)
    assert [m.text for m in bot.seen.messages] == ["once"]
