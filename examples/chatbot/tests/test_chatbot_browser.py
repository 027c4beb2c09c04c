"""The web chat in headless Chromium: log in on MockZitadel's pages, ask a question whose
answer streams in token by token (after a tool call), log out, and the session is gone.

Debian's Chromium (``/usr/bin/chromium``) is driven by Selenium through Debian's
``/usr/bin/chromedriver`` (``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from conftest import Chatbot, Database
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from web_client import COOKIE

from mocks.llm import MockLLM
from mocks.zitadel import MockZitadel, User

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1024,768",
]
CHUNKS = ["Order ", "43 ", "is ", "being ", "packed."]
#: Records every text the first answer shows while it streams (installed before sending).
RECORD_ANSWER_TEXTS = """
window.seenTexts = [];
new MutationObserver(() => {
  const answer = document.getElementById("answer-1");
  if (answer && answer.textContent !== window.seenTexts.at(-1)) {
    window.seenTexts.push(answer.textContent);
  }
}).observe(document.getElementById("log"), {subtree: true, childList: true,
                                             characterData: true});
"""


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not download
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: WebDriver, css: str, timeout: float = 20) -> Any:
    return WebDriverWait(driver, timeout).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def _submit(driver: WebDriver, field: str, text: str) -> None:
    box = _wait(driver, f"#{field}")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "submit-button").click()


def test_log_in_chat_with_a_streamed_answer_and_log_out(
    browser: WebDriver,
    chatbot: Chatbot,
    mock_zitadel: MockZitadel,
    mock_llm: MockLLM,
    ada: User,
    database: Database,
) -> None:
    mock_zitadel.expect_login(ada)
    mock_llm.expect_tool_call(
        "get_order_status", {"order_id": "43"}, prompt_contains="order 43"
    ).once()
    mock_llm.expect_streaming(CHUNKS, tool_result_contains="being packed").with_stream_delays(
        first_event=50, between_events=60
    ).once()

    # Not logged in: the chat page sends the browser to the provider's login pages.
    browser.get(chatbot.url + "/")
    assert browser.current_url.startswith(mock_zitadel.url + "/ui/login/login")
    _submit(browser, "loginName", "ada@example.com")
    _submit(browser, "password", "Analytical1!")
    assert _wait(browser, "#greeting").text == "Hello Ada Lovelace"
    assert browser.current_url == chatbot.url + "/"
    _wait(browser, "#composer[data-ready='true']")  # the WebSocket is open

    browser.execute_script(RECORD_ANSWER_TEXTS)
    browser.find_element(By.ID, "text").send_keys("Where is my order 43?")
    browser.find_element(By.ID, "send").click()
    answer = _wait(browser, "#answer-1[data-state='done']")

    assert answer.text == "Order 43 is being packed."
    assert answer.get_attribute("data-tokens") == str(len(CHUNKS))
    prefixes = ["".join(CHUNKS[:n]) for n in range(1, len(CHUNKS) + 1)]
    seen = [text for text in browser.execute_script("return window.seenTexts") if text]
    assert seen == prefixes  # it grew piece by piece in the page
    assert database.turns("web", ada.id) == [
        ("user", "Where is my order 43?"),
        ("assistant", "Order 43 is being packed."),
    ]
    cookie = browser.get_cookie(COOKIE)
    assert cookie is not None and cookie["httpOnly"]
    assert len(database.rows("SELECT id FROM web_sessions")) == 1

    browser.find_element(By.ID, "logout").click()
    assert _wait(browser, "#signed-out").text == "You are signed out."
    assert browser.current_url.startswith(chatbot.url + "/bye")

    # The session is gone: in the database, for the old cookie, and at the provider.
    assert database.rows("SELECT id FROM web_sessions") == []
    assert browser.get_cookie(COOKIE) is None
    replayed = requests.get(
        chatbot.url + "/", cookies={COOKIE: cookie["value"]}, allow_redirects=False, timeout=10
    )
    assert replayed.status_code == 302 and replayed.headers["Location"] == "/login"
    browser.get(chatbot.url + "/")
    assert _wait(browser, "#loginName").is_displayed()  # asked to log in from scratch
    mock_zitadel.assert_called("GET", "/oidc/v1/end_session", times=1)
