"""What users see when things go wrong: a rate-limited or broken model, a reply that
comes too late for WhatsApp's 24-hour window, a bot that is down while WhatsApp
delivers, an expired login, and bad frames on the chat socket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
import requests
from conftest import Chatbot, Database, wait_until
from web_client import COOKIE, ChatSocket, cookie_header, socket_url

from mocks.core import Delivery, Fault
from mocks.llm import MockLLM
from mocks.whatsapp import MockWhatsApp
from mocks.zitadel import MockZitadel, User

ADA = "+1 555 0100 201"
ADA_WA_ID = "15550100201"
CHAT_COMPLETIONS = ("POST", "/v1/chat/completions")
FOLLOW_UP_TEXT = "We have an answer for you. Reply to this message to read it."


# ---- the model --------------------------------------------------------------------------


def test_a_rate_limited_model_is_retried_and_the_user_gets_the_answer(
    chatbot: Chatbot, mock_llm: MockLLM, mock_whatsapp: MockWhatsApp
) -> None:
    mock_llm.expect_completion("opening hours", "We open at 9.").once()
    mock_llm.expect_completion("opening hours").with_error(
        429, "rate_limit_exceeded", headers={"retry-after-ms": "200"}
    ).once()  # the newest expectation answers first

    chat = mock_whatsapp.conversation(ADA)
    chat.user_says("What are your opening hours?")
    chat.assert_response_contains("We open at 9.")

    limited, retried = mock_llm.requests.matching(*CHAT_COMPLETIONS)
    assert (limited.status, retried.status) == (429, 200)
    assert [r.headers["X-Stainless-Retry-Count"] for r in (limited, retried)] == ["0", "1"]
    assert retried.arrived_at - limited.arrived_at >= 0.2  # it waited as told


async def test_a_stream_cut_mid_answer_shows_an_error_not_a_hang(
    chatbot: Chatbot,
    mock_llm: MockLLM,
    web_session: requests.Session,
    database: Database,
    ada: User,
) -> None:
    mock_llm.expect_streaming(
        ["We ", "open ", "at ", "nine ", "tomorrow."], "When do you open"
    ).with_fault(Fault.STREAM_CUT, after=3).once()
    mock_llm.expect_completion("Are you there", "Yes, I am here.").once()

    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(socket_url(chatbot.url), headers=cookie_header(web_session)) as socket,
    ):
        chat = ChatSocket(socket)
        cut = await chat.say("When do you open?", timeout=10)
        assert cut.error is not None and cut.error["code"] == "answer_interrupted"
        assert "try again" in cut.error["message"]
        assert cut.text is None and 0 < len(cut.pieces) < 5
        assert "tomorrow." not in cut.streamed

        again = await chat.say("Are you there?")  # the socket still works
        assert again.text == "Yes, I am here." == again.streamed

    assert database.turns("web", ada.id) == [
        ("user", "When do you open?"),  # the broken answer is not remembered
        ("user", "Are you there?"),
        ("assistant", "Yes, I am here."),
    ]


def test_a_broken_stream_on_whatsapp_gets_an_apology(
    chatbot: Chatbot, mock_llm: MockLLM, mock_whatsapp: MockWhatsApp
) -> None:
    mock_llm.expect_completion("refund").with_stream_error(after=2, message="overloaded").once()
    chat = mock_whatsapp.conversation(ADA)
    chat.user_says("Where is my refund?")
    chat.assert_response_contains("Sorry, I could not finish my answer")


# ---- WhatsApp's rules and retries ---------------------------------------------------------


def test_a_reply_after_the_24_hour_window_falls_back_to_the_template(
    chatbot: Chatbot, mock_llm: MockLLM, mock_whatsapp: MockWhatsApp, database: Database
) -> None:
    mock_whatsapp.register_template(
        "conversation_follow_up", "en_US", [{"type": "BODY", "text": FOLLOW_UP_TEXT}]
    )
    mock_whatsapp.expect_send_template("conversation_follow_up", "en_US").to(ADA).once()
    mock_llm.expect_completion("refund", "Your refund was approved.").with_latency(800).once()

    chat = mock_whatsapp.conversation(ADA)
    chat.user_says("Was my refund approved?")
    mock_whatsapp.clock.advance(25 * 3600)  # the answer comes a day and an hour later
    chat.assert_response_contains(FOLLOW_UP_TEXT, timeout=10)

    late, follow_up = mock_whatsapp.sent_messages
    assert late.text == "Your refund was approved." and late.type == "text"
    assert late.failure is not None and late.failure.code == 131047
    assert follow_up.template_name == "conversation_follow_up"
    assert database.turns("whatsapp", ADA_WA_ID)[-1] == ("assistant", "Your refund was approved.")


def test_whatsapp_retries_deliver_the_message_once_the_bot_is_back(
    chatbot: Chatbot, mock_llm: MockLLM, mock_whatsapp: MockWhatsApp, database: Database
) -> None:
    mock_llm.expect_completion("still open", "Yes, until six.").once()
    chat = mock_whatsapp.conversation(ADA)

    chatbot.server.stop()  # the bot is down: its port refuses connections
    with ThreadPoolExecutor(1) as pool:
        said = pool.submit(chat.user_says, "Are you still open?")
        wait_until(
            lambda: any(d.attempts for d in _deliveries_of(mock_whatsapp, "still open")),
            what="a first delivery attempt",
        )
        chatbot.server.start()  # back on the same port
        said.result(30)
    chat.assert_response_contains("Yes, until six.")

    [delivery] = _deliveries_of(mock_whatsapp, "still open")
    refused, *_, accepted = delivery.attempts
    assert refused.status is None and refused.error
    assert accepted.status == 200 and len(delivery.attempts) >= 2
    assert database.turns("whatsapp", ADA_WA_ID) == [
        ("user", "Are you still open?"),
        ("assistant", "Yes, until six."),
    ]


def _deliveries_of(mock: MockWhatsApp, text: str) -> list[Delivery]:
    """The webhook deliveries carrying a user's message containing `text`."""
    return [d for d in mock.callbacks if text in d.body.decode() and b'"messages"' in d.body]


# ---- the web chat -------------------------------------------------------------------------


async def test_an_expired_login_sends_the_browser_to_log_in_again(
    chatbot: Chatbot,
    mock_zitadel: MockZitadel,
    web_session: requests.Session,
    database: Database,
) -> None:
    assert web_session.get(chatbot.url + "/", timeout=10).status_code == 200
    [stored] = database.rows("SELECT access_token FROM web_sessions")
    old_cookie = cookie_header(web_session)

    assert mock_zitadel.expire(stored["access_token"])  # the provider's token runs out

    page = web_session.get(chatbot.url + "/", allow_redirects=False, timeout=10)
    assert page.status_code == 302 and page.headers["Location"] == "/login"
    assert f'{COOKIE}=""' in page.headers["Set-Cookie"]  # the cookie is deleted
    assert database.rows("SELECT * FROM web_sessions") == []
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(socket_url(chatbot.url), headers=old_cookie)
    assert refused.value.status == 401


def test_a_failing_login_service_is_a_503_and_the_session_is_kept(
    chatbot: Chatbot,
    mock_zitadel: MockZitadel,
    web_session: requests.Session,
    database: Database,
) -> None:
    mock_zitadel.expect("GET", "/oidc/v1/userinfo").with_error(503).once()
    page = web_session.get(chatbot.url + "/", allow_redirects=False, timeout=10)
    assert page.status_code == 503 and "login service is unavailable" in page.text
    assert len(database.rows("SELECT id FROM web_sessions")) == 1
    assert web_session.get(chatbot.url + "/", timeout=10).status_code == 200  # back again


async def test_bad_frames_get_errors_and_the_socket_keeps_serving(
    chatbot: Chatbot, web_session: requests.Session, database: Database, ada: User
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(socket_url(chatbot.url), headers=cookie_header(web_session)) as socket,
    ):
        chat = ChatSocket(socket)
        await socket.send_str("{this is not json")
        assert (await chat.error())["code"] == "invalid_json"
        await socket.send_json({"type": "message"})
        assert (await chat.error())["code"] == "invalid_message"
        await socket.send_bytes(b"\x00\x01")
        assert (await chat.error())["code"] == "invalid_message"
        await socket.send_json({"type": "message", "text": "x" * 2001})
        too_long = await chat.error()
        assert too_long["code"] == "message_too_long" and "2000" in too_long["message"]

        answer = await chat.say("Hello?")
        assert answer.text and answer.error is None

    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(socket_url(chatbot.url), headers=cookie_header(web_session)) as socket,
    ):
        await socket.send_str("x" * 20_000)  # over the 16 KiB frame limit
        closing = await socket.receive(timeout=10)
        assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 1009

    assert [role for role, _ in database.turns("web", ada.id)] == ["user", "assistant"]


async def test_the_socket_wants_a_login_and_the_page_origin(
    chatbot: Chatbot, web_session: requests.Session
) -> None:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as anonymous:
            await http.ws_connect(socket_url(chatbot.url))
        with pytest.raises(aiohttp.WSServerHandshakeError) as elsewhere:
            await http.ws_connect(
                socket_url(chatbot.url),
                headers={**cookie_header(web_session), "Origin": "http://evil.example"},
            )
    assert (anonymous.value.status, elsewhere.value.status) == (401, 403)
    assert requests.get(chatbot.url + "/", allow_redirects=False, timeout=10).status_code == 302
