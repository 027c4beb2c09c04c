"""A pywa 4.5 bot (its own Flask webhook, app secret and verify token set) driven by
MockWhatsApp: conversations, the handshake, signatures, the phone/WABA filters, taps,
files, the 24-hour window as pywa's status handler sees it.

The bot is ``tests/whatsapp/pywa_bot.py``; it serves on its own loopback port and calls
the mock through ``mock.httpx_transport()``.
"""

from __future__ import annotations

import hashlib
import runpy
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from pywa.types.templates import TemplateLanguage

from mocks.whatsapp import MockWhatsApp

USER = "15551234567"
BOT_FILE = Path(__file__).resolve().parents[1] / "whatsapp" / "pywa_bot.py"


#: The bot under test (``tests/whatsapp/pywa_bot.py``), loaded from its file.
pywa_bot = SimpleNamespace(**runpy.run_path(str(BOT_FILE), run_name="pywa_bot"))


@pytest.fixture
def bot(mock_whatsapp: MockWhatsApp) -> Iterator[Any]:
    """A fresh pywa bot for the mock's number and account, wired both ways."""
    config = pywa_bot.BotConfig(
        mock_whatsapp.phone_number_id,
        mock_whatsapp.waba_id,
        mock_whatsapp.access_token,
        mock_whatsapp.app_secret,
        mock_whatsapp.verify_token,
    )
    session = httpx.Client(transport=mock_whatsapp.httpx_transport(), timeout=10)
    running = pywa_bot.PywaBot(config, session).start()
    mock_whatsapp.webhook_url = running.url
    yield running
    mock_whatsapp.wait_for_callbacks(10)  # nothing of this test is left retrying
    running.stop()
    assert running.seen.errors == [], "the bot's handlers failed"


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_conversation_sees_the_bots_replies(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    chat = mock_whatsapp.conversation(USER, name="Alice")
    chat.user_says("ping")
    reply = chat.assert_response_contains("pong")
    assert reply.kind == "text" and reply.raw["context"]["message_id"] == chat.transcript[0].wamid
    chat.user_says("hello there")
    chat.assert_response_contains("echo: hello there")
    assert [m.from_user.name for m in bot.seen.messages] == ["Alice", "Alice"]
    said = [(e.direction, e.kind, e.text) for e in chat.transcript if e.kind != "status"]
    assert said == [
        ("in", "text", "ping"),
        ("out", "text", "pong"),
        ("in", "text", "hello there"),
        ("out", "text", "echo: hello there"),
    ]


def test_pywa_replies_by_bsuid_and_the_mock_maps_it_to_the_phone(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    expectation = mock_whatsapp.expect_send_message(USER).with_text("echo: hi").once()
    mock_whatsapp.simulate_incoming(USER, "hi")
    wait_for(lambda: expectation.call_count == 1)
    [sent] = mock_whatsapp.sent_messages
    bsuid = mock_whatsapp.cloud.users.by_phone(USER).user_id
    assert sent.body.get("recipient") == bsuid and "to" not in sent.body
    assert sent.to == USER
    assert bot.seen.messages[0].from_user.bsuid == bsuid


def test_statuses_follow_each_reply(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    mock_whatsapp.conversation(USER).user_says("ping")
    wait_for(lambda: len(bot.seen.statuses) == 3)
    [sent] = mock_whatsapp.sent_messages
    assert sorted(s.status for s in bot.seen.statuses) == ["delivered", "read", "sent"]
    assert {s.id for s in bot.seen.statuses} == {sent.wamid}
    assert all(s.from_user.wa_id == USER for s in bot.seen.statuses)


def test_verify_webhook_passes_against_pywa(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    challenge = mock_whatsapp.verify_webhook()
    assert challenge.isdigit()
    mock_whatsapp.verify_token = "not-the-bots-token"
    with pytest.raises(AssertionError, match="did not echo the challenge"):
        mock_whatsapp.verify_webhook()


def test_a_bad_signature_is_refused_and_the_mock_signed_body_accepted(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    mock_whatsapp.app_secret = "a-different-secret"
    mock_whatsapp.delivery = type(mock_whatsapp.delivery)(retries=1, backoff_ms=10)
    with pytest.raises(AssertionError, match="not accepted") as refused:
        mock_whatsapp.simulate_incoming(USER, "forged")
    assert [a.status for a in refused.value.delivery.attempts] == [403, 403]  # type: ignore[attr-defined]
    assert bot.seen.messages == []
    mock_whatsapp.app_secret = bot.config.app_secret
    mock_whatsapp.simulate_incoming(USER, "genuine")
    wait_for(lambda: [m.text for m in bot.seen.messages] == ["genuine"])
    [delivery] = [d for d in mock_whatsapp.callbacks if "genuine" in d.body.decode()]
    assert delivery.headers["X-Hub-Signature-256"].startswith("sha256=")
    unsigned = httpx.post(
        bot.url, content=delivery.body, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401


def test_updates_for_another_number_or_account_are_dropped_by_pywa(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    def event(phone_number_id: str, waba_id: str, text: str) -> dict[str, Any]:
        user = mock_whatsapp.cloud.users.by_phone(USER)
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": waba_id,
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "15550100001",
                                    "phone_number_id": phone_number_id,
                                },
                                "contacts": [user.contact()],
                                "messages": [
                                    {
                                        "from": USER,
                                        "id": f"wamid.{text}",
                                        "timestamp": "1735689600",
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }

    mock_whatsapp.simulate_webhook(event("999999999999999", mock_whatsapp.waba_id, "other-number"))
    mock_whatsapp.simulate_webhook(
        event(mock_whatsapp.phone_number_id, "888888888888888", "other-account")
    )
    mock_whatsapp.simulate_webhook(
        event(mock_whatsapp.phone_number_id, mock_whatsapp.waba_id, "mine")
    )
    wait_for(lambda: [m.text for m in bot.seen.messages] == ["mine"])
    mock_whatsapp.conversation(USER).assert_response_contains("echo: mine")
    assert [m.text for m in bot.seen.messages] == ["mine"]


def test_outside_the_window_the_failed_status_reaches_pywa_with_131047(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    mock_whatsapp.allow_recipient(USER)
    chat = mock_whatsapp.conversation(USER)
    chat.user_says("hi")  # opens the window; the bot answers
    chat.assert_response_contains("echo: hi")
    mock_whatsapp.clock.advance(24 * 3600 + 60)
    sent = bot.wa.send_message(to=USER, text="a day later")
    assert sent.id.startswith("wamid.")  # accepted, as WhatsApp does...
    wait_for(lambda: any(s.id == sent.id for s in bot.seen.statuses))
    [failed] = [s for s in bot.seen.statuses if s.id == sent.id]
    assert failed.status == "failed"  # ...then it fails, asynchronously
    assert failed.error is not None and failed.error.code == 131047
    assert type(failed.error).__name__ == "ReEngagementMessage"
    english = TemplateLanguage.ENGLISH_US
    bot.wa.send_template(to=USER, name="hello_world", language=english)  # templates still go
    assert mock_whatsapp.sent_messages[-1].failure is None


def test_taps_on_buttons_and_list_rows(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    chat = mock_whatsapp.conversation(USER)
    chat.user_says("menu")
    menu = chat.assert_response_contains("[Track order] [Talk to us]")
    mock_whatsapp.simulate_tap(USER, "Talk to us")
    chat.assert_response_contains("you chose Talk to us")
    assert bot.seen.buttons[0].data == "human"
    assert bot.seen.buttons[0].reply_to_message is not None
    assert bot.seen.buttons[0].reply_to_message.id == menu.wamid
    chat.user_says("list")
    chat.assert_response_contains("[Sizes: Small | Large]")
    mock_whatsapp.simulate_tap(USER, "Large")
    chat.assert_response_contains("picked Large")
    assert (bot.seen.selections[0].data, bot.seen.selections[0].description) == ("l", "extra room")


def test_a_file_the_user_sends_is_downloaded_by_the_bot(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    data = bytes(range(256)) * 32
    mock_whatsapp.simulate_media(USER, data, "image/jpeg", caption="my receipt")
    reply = mock_whatsapp.conversation(USER).assert_response_contains("got 8192 bytes")
    assert hashlib.sha256(data).hexdigest() in reply.text
    assert bot.seen.messages[0].image.caption == "my receipt"


def test_location_contacts_reaction_and_bot_media(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    chat = mock_whatsapp.conversation(USER)
    mock_whatsapp.simulate_location(USER, 48.8566, 2.3522, place="Paris")
    chat.assert_response_contains("got location 48.8566,2.3522")
    wamid = mock_whatsapp.simulate_reaction(USER, chat.replies()[0].wamid, "❤️")
    wait_for(lambda: any(m.id == wamid for m in bot.seen.messages))
    chat.user_says("photo")
    chat.assert_response_contains("[image] uploaded photo")
    chat.user_says("photo link")
    chat.assert_response_contains("[image https://example.com/cat.png] linked photo")
    chat.user_says("where")
    chat.assert_response_contains("[location] Office")
    chat.user_says("read")
    chat.assert_response_contains("read it")
    assert any(e.kind == "read" and "+ typing" in e.text for e in chat.transcript)


def test_template_send_from_a_handler_is_checked(mock_whatsapp: MockWhatsApp, bot: Any) -> None:
    mock_whatsapp.register_template(
        "order_update", components=[{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped"}]
    )
    expectation = mock_whatsapp.expect_send_template("order_update").with_parameters("Alice", "42")
    mock_whatsapp.conversation(USER).user_says("order")
    mock_whatsapp.conversation(USER).assert_response_contains("Hi Alice, order 42 shipped")
    assert expectation.call_count == 1


def test_explicit_button_and_list_replies_contacts_and_flow_completion(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    chat = mock_whatsapp.conversation(USER)
    chat.user_says("flow")
    offer = chat.assert_response_contains("[Sign up (flow 1234)]")
    mock_whatsapp.simulate_flow_completion(USER, {"plan": "pro"}, flow_token="tok-9")
    chat.assert_response_contains("flow done: plan=pro")
    assert bot.seen.flows[0].token == "tok-9"
    assert bot.seen.flows[0].reply_to_message is not None
    assert bot.seen.flows[0].reply_to_message.id == offer.wamid
    mock_whatsapp.simulate_button_reply(USER, "track", "Track order")
    chat.assert_response_contains("you chose Track order")
    mock_whatsapp.simulate_list_reply(USER, "s", "Small", description="tiny")
    chat.assert_response_contains("picked Small")
    assert bot.seen.selections[0].description == "tiny"
    mock_whatsapp.simulate_contacts(USER, ("Bob Smith", "+15550001111"), ("Eve", None))
    chat.assert_response_contains("got contacts: Bob Smith, Eve")


def test_a_bot_registering_its_callback_url_gets_the_handshake(
    mock_whatsapp: MockWhatsApp,
) -> None:
    config = pywa_bot.BotConfig(
        mock_whatsapp.phone_number_id,
        mock_whatsapp.waba_id,
        mock_whatsapp.access_token,
        mock_whatsapp.app_secret,
        "bots-own-verify-token",
        app_id=mock_whatsapp.app_id,
    )
    session = httpx.Client(transport=mock_whatsapp.httpx_transport(), timeout=10)
    assert mock_whatsapp.webhook_url is None
    running = pywa_bot.PywaBot(config, session).start()  # pywa registers at start-up
    try:
        wait_for(lambda: mock_whatsapp.webhook_url == running.url)
        assert mock_whatsapp.verify_token == "bots-own-verify-token"
        paths = [r.path for r in mock_whatsapp.requests.snapshot()]
        assert paths == [
            "/v26.0/oauth/access_token",
            f"/v26.0/{mock_whatsapp.app_id}/subscriptions",
        ]
        handshake = mock_whatsapp.callbacks[0]
        assert handshake.method == "GET" and handshake.status == 200
        mock_whatsapp.conversation(USER).user_says("ping")
        mock_whatsapp.conversation(USER).assert_response_contains("pong")
    finally:
        mock_whatsapp.wait_for_callbacks(10)
        running.stop()


def test_a_callback_url_that_fails_the_handshake_is_refused(mock_whatsapp: MockWhatsApp) -> None:
    graph = httpx.Client(transport=mock_whatsapp.httpx_transport())
    token = graph.get(
        "https://graph.facebook.com/v23.0/oauth/access_token",
        params={
            "grant_type": "client_credentials",
            "client_id": mock_whatsapp.app_id,
            "client_secret": mock_whatsapp.app_secret,
        },
    ).json()["access_token"]
    refused = graph.post(
        f"https://graph.facebook.com/v23.0/{mock_whatsapp.app_id}/subscriptions",
        params={
            "object": "whatsapp_business_account",
            "callback_url": "http://127.0.0.1:9/nobody-listens",
            "verify_token": "x",
            "access_token": token,
        },
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 2200
    assert mock_whatsapp.webhook_url is None
    wrong_secret = graph.get(
        "https://graph.facebook.com/v23.0/oauth/access_token",
        params={"client_id": mock_whatsapp.app_id, "client_secret": "nope"},
    )
    assert wrong_secret.json()["error"]["code"] == 1


def test_text_that_looks_like_a_template_reaches_the_bot_unchanged(
    mock_whatsapp: MockWhatsApp, bot: Any
) -> None:
    text = "Hi {{1}}, see {{request.method}} and {{ name }}"
    chat = mock_whatsapp.conversation(USER)
    chat.user_says(text)
    chat.assert_response_contains(f"echo: {text}")
    assert bot.seen.messages[0].text == text
