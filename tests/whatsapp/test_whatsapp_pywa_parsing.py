"""The webhook bodies the domain builds, posted signed to pywa's own webhook server.

No mock server here: the bodies come straight from ``WhatsAppCloud`` and are posted over
a real socket to a pywa 4.5 bot (Flask, app secret and verify token set). This pins down
what pywa accepts: the signature, the ids it filters on, ``user_id`` on contacts, the
``errors`` of a failed status. The full round trip through the mock is in
``tests/clients/test_pywa_*.py``.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pywa_bot import BotConfig, PywaBot
from wa_support import ACCOUNT, text_send

from mocks.jose import Clock
from mocks.whatsapp._cloud import WhatsAppCloud
from mocks.whatsapp._signature import SIGNATURE_HEADER, signature_header
from mocks.whatsapp._webhooks import (
    Account,
    button_reply_content,
    incoming_envelope,
    incoming_message,
    location_content,
    reaction_content,
    reply_context,
    text_content,
)

SECRET = "app-secret-123"
VERIFY = "verify-me"
USER = "15551234567"


def offline(request: httpx.Request) -> httpx.Response:
    """The Graph API is not part of these tests: every call the bot makes fails."""
    return httpx.Response(503, json={"error": {"message": "offline", "code": 2}})


_SEEDS = itertools.count(100)


@pytest.fixture
def cloud(clock: Clock) -> WhatsAppCloud:
    """A cloud with a seed of its own: the bot lives across tests, ids must not repeat."""
    seed = next(_SEEDS)
    return WhatsAppCloud(ACCOUNT, rng=random.Random(seed), seed=seed, clock=clock)


@pytest.fixture(scope="module")
def bot() -> Iterator[PywaBot]:
    config = BotConfig(ACCOUNT.phone_number_id, ACCOUNT.waba_id, "token", SECRET, VERIFY)
    running = PywaBot(config, httpx.Client(transport=httpx.MockTransport(offline))).start()
    yield running
    running.stop()


def post(bot: PywaBot, event: dict[str, Any], *, secret: str = SECRET, signed: bool = True) -> int:
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if signed:
        headers[SIGNATURE_HEADER] = signature_header(secret, body)
    return httpx.post(bot.url, content=body, headers=headers).status_code


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_handshake_echoes_the_challenge_only_for_the_right_token(bot: PywaBot) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = httpx.get(bot.url, params=query)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    wrong = httpx.get(bot.url, params={**query, "hub.verify_token": "nope"})
    assert wrong.status_code == 403


def test_a_text_with_user_id_reaches_the_message_handler(
    bot: PywaBot, cloud: WhatsAppCloud
) -> None:
    wamid, event = cloud.incoming(USER, "text", text_content("hello pywa"), name="Alice")
    assert post(bot, event) == 200
    wait_for(lambda: any(m.id == wamid for m in bot.seen.messages))
    message = next(m for m in bot.seen.messages if m.id == wamid)
    user = cloud.users.by_phone(USER)
    assert (message.text, message.from_user.wa_id, message.from_user.bsuid) == (
        "hello pywa",
        USER,
        user.user_id,
    )
    assert message.from_user.name == "Alice"
    assert message.metadata.phone_number_id == ACCOUNT.phone_number_id


def test_bad_or_missing_signature_is_refused(bot: PywaBot, cloud: WhatsAppCloud) -> None:
    _, event = cloud.incoming(USER, "text", text_content("forged"))
    assert post(bot, event, secret="not-the-secret") == 403
    assert post(bot, event, signed=False) == 401
    assert all(m.text != "forged" for m in bot.seen.messages)


@pytest.mark.parametrize(
    "account",
    [
        Account("999999999999999", ACCOUNT.waba_id, ACCOUNT.display_phone_number),
        Account(ACCOUNT.phone_number_id, "888888888888888", ACCOUNT.display_phone_number),
    ],
)
def test_updates_for_another_number_or_account_are_dropped(
    bot: PywaBot, cloud: WhatsAppCloud, account: Account
) -> None:
    user = cloud.users.by_phone(USER)
    wamid = cloud.ids.wamid(USER)
    text = f"not for you ({account.phone_number_id}, {account.waba_id})"
    message = incoming_message(wamid, user, cloud.now(), "text", text_content(text))
    assert post(bot, incoming_envelope(account, user, message)) == 200
    # the same update for the bot's own number and account is handled: the filter is the
    # only difference
    time.sleep(0.2)
    assert all(m.text != text for m in bot.seen.messages)
    own = incoming_message(cloud.ids.wamid(USER), user, cloud.now(), "text", text_content(text))
    assert post(bot, incoming_envelope(ACCOUNT, user, own)) == 200
    wait_for(lambda: any(m.text == text for m in bot.seen.messages))


def test_a_failed_status_reaches_the_status_handler_with_131047(
    bot: PywaBot, cloud: WhatsAppCloud
) -> None:
    cloud.rules.allowed.allow(USER)
    outcome = cloud.send(text_send(to=USER))  # the user never wrote: the window is closed
    [failed] = outcome.webhooks
    assert post(bot, failed.body) == 200
    wamid = outcome.message.wamid
    wait_for(lambda: any(s.id == wamid for s in bot.seen.statuses))
    status = next(s for s in bot.seen.statuses if s.id == wamid)
    assert status.status == "failed"
    assert status.error is not None and status.error.code == 131047
    assert type(status.error).__name__ == "ReEngagementMessage"
    assert status.from_user.wa_id == USER


def test_delivery_statuses_carry_pricing(bot: PywaBot, cloud: WhatsAppCloud) -> None:
    cloud.incoming(USER, "text", text_content("hi"))
    outcome = cloud.send(text_send(to=USER))
    for webhook in outcome.webhooks:
        assert post(bot, webhook.body) == 200
    wamid = outcome.message.wamid
    wait_for(lambda: len([s for s in bot.seen.statuses if s.id == wamid]) == 3)
    seen = [s for s in bot.seen.statuses if s.id == wamid]
    assert sorted(s.status for s in seen) == ["delivered", "read", "sent"]
    sent = next(s for s in seen if s.status == "sent")
    assert sent.pricing is not None and sent.pricing.billable is False


def test_interactive_replies_location_and_reactions_are_parsed(
    bot: PywaBot, cloud: WhatsAppCloud
) -> None:
    user = cloud.users.by_phone(USER)
    business = ACCOUNT.metadata()["display_phone_number"]
    tap_id, tap = cloud.incoming(
        USER,
        "interactive",
        button_reply_content("track", "Track order"),
        context=reply_context(business, "wamid.HBgMenu"),
    )
    where_id, where = cloud.incoming(USER, "location", location_content(52.5, 13.4, "Office"))
    react_id, react = cloud.incoming(USER, "reaction", reaction_content("wamid.HBgMenu", "👍"))
    for event in (tap, where, react):
        assert post(bot, event) == 200
    wait_for(lambda: any(b.id == tap_id for b in bot.seen.buttons))
    wait_for(lambda: {where_id, react_id} <= {m.id for m in bot.seen.messages})
    button = next(b for b in bot.seen.buttons if b.id == tap_id)
    assert (button.data, button.title, button.from_user.bsuid) == (
        "track",
        "Track order",
        user.user_id,
    )
    location = next(m for m in bot.seen.messages if m.id == where_id).location
    assert location is not None and (location.latitude, location.longitude) == (52.5, 13.4)
    reaction = next(m for m in bot.seen.messages if m.id == react_id).reaction
    assert reaction is not None and reaction.emoji == "👍"
