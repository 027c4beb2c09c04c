"""One dashboard for a whole stack: ``python -m mocks`` prints its URL, and its page shows
every mock's traffic. A chatbot-like journey across four mocks is drawn in Chromium and
written to ``docs/images/dashboard.png`` and ``docs/images/dashboard-sequence.png`` (the
README shows them) when ``MOCKS_SCREENSHOTS=1`` is set, so the pictures come from the code
as it is; otherwise they go to a temporary folder, and a checkout stays clean.
"""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from mocks import MockHTTP
from mocks.core import MockStack
from mocks.llm import MockLLM
from mocks.whatsapp import MockWhatsApp

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "docs" / "images"
#: Whether to refresh the README's pictures (else they go to the test's temporary folder).
REFRESH = os.environ.get("MOCKS_SCREENSHOTS") == "1"
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
    "--hide-scrollbars",
    "--window-size=1440,900",
]
#: The screenshots' viewport (CSS pixels).
WIDTH, HEIGHT = 1440, 860
KEY = {"Authorization": "Bearer sk-test"}


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield driver
    finally:
        driver.quit()


def _until(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 15) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def _rows(driver: WebDriver) -> list[list[str]]:
    """The list's rows as [mock, method, path, status, outcome], read in one go."""
    rows: list[list[str]] = driver.execute_script(
        "return [...document.querySelectorAll('#rows tr')].map(row =>"
        " [...row.cells].map(cell => cell.innerText.trim()))"
        "  .map(cells => [cells[1], cells[2], cells[3], cells[4], cells[5]])"
    )
    return rows


def _png_size(file: Path) -> tuple[int, int]:
    header = file.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


# ---- python -m mocks ---------------------------------------------------------------------


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, str]]:
    """``python -m mocks --only http,llm`` with an admin token; its environment."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks", "--only", "http,llm", "--admin-token", "s3cret"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert process.stdout is not None
    variables: dict[str, str] = {}
    for line in process.stdout:
        if line.startswith("# ready"):
            break
        key, _, value = line.strip().partition("=")
        variables[key] = value
    try:
        yield variables
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_the_stack_prints_its_dashboard_and_the_page_shows_every_mock(
    stack: dict[str, str], browser: WebDriver
) -> None:
    dashboard = stack["MOCKS_DASHBOARD_URL"]
    assert dashboard.endswith("/__admin/ui")
    assert dashboard.removesuffix("/__admin/ui") in (stack["MOCK_HTTP_URL"], stack["MOCK_LLM_URL"])
    admin = {"Authorization": "Bearer s3cret"}
    assert requests.get(f"{dashboard}/traffic", timeout=5).status_code == 401

    named = requests.post(f"{dashboard}/test", json={"name": "journey"}, headers=admin, timeout=5)
    assert named.status_code == 200
    requests.get(stack["MOCK_HTTP_URL"] + "/catalog", timeout=5)
    chat: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    requests.post(stack["OPENAI_BASE_URL"] + "/chat/completions", json=chat, headers=KEY, timeout=5)

    feed = requests.get(f"{dashboard}/traffic", headers=admin, timeout=5).json()
    assert {m["service"] for m in feed["mocks"]} == {"http", "llm"}
    assert [(r["mock"], r["path"], r["test"]) for r in feed["records"]] == [
        ("llm", "/v1/chat/completions", "journey"),
        ("http", "/catalog", "journey"),
    ]
    # Every mock's page is the stack's page.
    for url in (stack["MOCK_HTTP_URL"], stack["MOCK_LLM_URL"]):
        other = requests.get(f"{url}/__admin/ui/traffic", headers=admin, timeout=5).json()
        assert len(other["records"]) == 2

    browser.get(f"{dashboard}?access_token=s3cret")
    _until(browser, lambda d: len(_rows(d)) == 2)
    mocks = Select(browser.find_element(By.ID, "filter-mock"))
    assert sorted(o.get_attribute("value") or "" for o in mocks.options) == ["", "http", "llm"]
    browser.find_element(By.ID, "tab-sequence").click()
    svg = _until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#diagram svg"))
    lifelines = [g.text for g in svg.find_elements(By.CSS_SELECTOR, "g.participant")]
    assert lifelines[0] == "system under test" and sorted(lifelines[1:]) == ["http", "llm"]


# ---- the screenshot ----------------------------------------------------------------------


@pytest.fixture
def bot() -> Iterator[MockHTTP]:
    """Stands in for the chatbot's webhook endpoint (not part of the stack's page)."""
    with MockHTTP.start() as receiver:
        receiver.expect("POST", "/webhooks/whatsapp").respond(200)
        yield receiver


def _journey(stack: MockStack, bot: MockHTTP) -> None:
    """What a chatbot does for one WhatsApp question: the user writes, the bot checks its
    identity provider, asks the model (which calls a tool), calls the weather service,
    streams the answer from the model, replies on WhatsApp, and logs to a CRM that
    nobody set up (an unmatched request)."""
    zitadel, llm, http = stack["zitadel"], stack["llm"], stack["http"]
    whatsapp = stack["whatsapp"]
    assert isinstance(whatsapp, MockWhatsApp) and isinstance(llm, MockLLM)
    whatsapp.webhook_url = bot.url + "/webhooks/whatsapp"
    env = stack.environment
    for mock in stack:
        mock.dashboard.include(*stack)
    http.dashboard.begin_test("examples/chatbot/tests/test_whatsapp.py::test_weather_question")

    user = "+15550100"
    whatsapp.conversation(user, name="Ada").user_says("What's the weather in Paris?")
    requests.get(env["ZITADEL_ISSUER"] + "/.well-known/openid-configuration", timeout=5)
    requests.get(zitadel.url + "/oauth/v2/keys", timeout=5)

    llm.expect_tool_call("get_weather", {"city": "Paris"}, prompt_contains="weather")
    llm.expect_completion(tool_result_contains="18", response="It is 18 °C and sunny in Paris.")
    http.expect("GET", "/weather", query={"city": "Paris"}).respond(
        json={"city": "Paris", "celsius": 18, "sky": "sunny"}
    )
    question: list[dict[str, Any]] = [{"role": "user", "content": "What's the weather in Paris?"}]
    tools: list[dict[str, Any]] = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    chat = env["OPENAI_BASE_URL"] + "/chat/completions"
    first = requests.post(
        chat,
        json={"model": "gpt-4o-mini", "messages": question, "tools": tools},
        headers=KEY,
        timeout=5,
    ).json()
    call = first["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "get_weather"
    weather = requests.get(
        env["MOCK_HTTP_URL"] + "/weather", params={"city": "Paris"}, timeout=5
    ).json()
    follow_up = [
        *question,
        first["choices"][0]["message"],
        {"role": "tool", "tool_call_id": call["id"], "content": f"{weather['celsius']} C"},
    ]
    answer = requests.post(
        chat,
        json={"model": "gpt-4o-mini", "messages": follow_up, "tools": tools, "stream": True},
        headers=KEY,
        timeout=5,
    )
    assert "sunny" in answer.text and answer.headers["Content-Type"].startswith("text/event-stream")
    graph = f"{env['WHATSAPP_API_URL']}/{env['WHATSAPP_API_VERSION']}"
    sent = requests.post(
        f"{graph}/{env['WHATSAPP_PHONE_NUMBER_ID']}/messages",
        json={
            "messaging_product": "whatsapp",
            "to": user.lstrip("+"),
            "type": "text",
            "text": {"body": "It is 18 °C and sunny in Paris."},
        },
        headers={"Authorization": f"Bearer {env['WHATSAPP_ACCESS_TOKEN']}"},
        timeout=5,
    )
    assert sent.status_code == 200, sent.text
    whatsapp.wait_for_callbacks(10)
    requests.post(
        env["MOCK_HTTP_URL"] + "/crm/notes", json={"user": user, "topic": "weather"}, timeout=5
    )


def test_a_journey_across_four_mocks_and_its_screenshots(
    browser: WebDriver, bot: MockHTTP, tmp_path: Path
) -> None:
    images = IMAGES if REFRESH else tmp_path
    with MockStack.start(names=["zitadel", "llm", "whatsapp", "http"]) as stack:
        _journey(stack, bot)
        browser.get(stack["http"].url + "/__admin/ui")
        _until(browser, lambda d: len(_rows(d)) >= 10)
        rows = _rows(browser)
        assert {row[0] for row in rows} == {"zitadel", "llm", "whatsapp", "http"}
        assert rows[0] == ["http", "POST", "/crm/notes", "404", "unmatched"]
        callbacks = [row for row in rows if row[0] == "whatsapp" and "/webhooks/" in row[2]]
        assert len(callbacks) >= 2  # the user's message, and the statuses of the reply

        rows_elements = browser.find_elements(By.CSS_SELECTOR, "#rows tr")
        rows_elements[0].click()
        _until(browser, lambda d: "No expectation matched" in d.find_element(By.ID, "detail").text)
        browser.execute_script("document.activeElement.blur()")
        images.mkdir(parents=True, exist_ok=True)
        traffic_image = images / "dashboard.png"
        assert browser.save_screenshot(str(traffic_image))

        browser.find_element(By.ID, "tab-sequence").click()
        svg = _until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#diagram svg"))
        lifelines = [g.text for g in svg.find_elements(By.CSS_SELECTOR, "g.participant")]
        assert lifelines[0] == "system under test"
        assert sorted(lifelines[1:]) == ["http", "llm", "whatsapp", "zitadel"]
        kinds = [g.get_attribute("data-kind") for g in svg.find_elements(By.CSS_SELECTOR, "g.step")]
        assert kinds.count("callback") >= 2 and kinds.count("request") == len(rows) - len(callbacks)
        sequence_image = images / "dashboard-sequence.png"
        assert browser.save_screenshot(str(sequence_image))

    for image in (traffic_image, sequence_image):
        assert _png_size(image) == (WIDTH, HEIGHT)
