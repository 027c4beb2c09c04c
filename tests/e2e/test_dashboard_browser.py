"""The dashboard in a real browser: live update, filters, a request in full, the sequence
diagram, verify and reset, the cassette download, and the admin token.

Debian's Chromium (``/usr/bin/chromium``) is driven by Selenium through Debian's
``/usr/bin/chromedriver``, as in the Zitadel browser test; the page and everything it
loads come from the mock itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from mocks import MockHTTP
from mocks.llm import MockLLM

REPO = Path(__file__).resolve().parents[2]
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
    "--window-size=1400,900",
]
KEY = {"Authorization": "Bearer sk-test"}
CHAT: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def llm() -> Iterator[MockLLM]:
    with MockLLM.start() as mock:
        yield mock


def _until(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 15) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def _rows(driver: WebDriver) -> list[list[str]]:
    """The list's rows as [mock, method, path, status, outcome], read in one go (the list is
    redrawn whenever news arrive, so elements found one by one may go stale)."""
    rows: list[list[str]] = driver.execute_script(
        "return [...document.querySelectorAll('#rows tr')].map(row =>"
        " [...row.cells].map(cell => cell.innerText.trim()))"
        "  .map(cells => [cells[1], cells[2], cells[3], cells[4], cells[5]])"
    )
    return rows


def _open(driver: WebDriver, url: str) -> None:
    driver.get(url)
    _until(driver, lambda d: d.find_element(By.ID, "live-text").text == "live")


def _click_row(driver: WebDriver, text: str) -> None:
    """Click the first row whose text contains `text` (again if it was redrawn meanwhile)."""

    def click(d: WebDriver) -> bool:
        try:
            row = next(r for r in d.find_elements(By.CSS_SELECTOR, "#rows tr") if text in r.text)
            row.click()
        except (StaleElementReferenceException, StopIteration):
            return False
        return True

    _until(driver, click)


def _row_classes(driver: WebDriver, text: str) -> str:
    classes: str = driver.execute_script(
        "return [...document.querySelectorAll('#rows tr')]"
        ".find(row => row.innerText.includes(arguments[0])).className",
        text,
    )
    return classes


def test_requests_appear_as_they_happen_newest_first(
    browser: WebDriver, fresh_mock: MockHTTP
) -> None:
    _open(browser, fresh_mock.url + "/__admin/ui")
    assert browser.find_element(By.ID, "empty").is_displayed()
    browser.execute_script("window.sameDocument = true")
    user = fresh_mock.expect("GET", "/users/7").respond(json={"id": 7})

    requests.get(fresh_mock.url + "/users/7", timeout=5)
    _until(browser, lambda d: len(_rows(d)) == 1)
    requests.post(fresh_mock.url + "/orders", json={"qty": 1}, timeout=5)
    _until(browser, lambda d: len(_rows(d)) == 2)

    assert _rows(browser) == [
        ["http", "POST", "/orders", "404", "unmatched"],
        ["http", "GET", "/users/7", "200", user.id],
    ]
    assert "unmatched" in _row_classes(browser, "/orders")
    assert not browser.find_element(By.ID, "empty").is_displayed()
    assert browser.execute_script("return window.sameDocument") is True  # polled, not reloaded
    assert [r.path for r in fresh_mock.requests] == ["/users/7", "/orders"]  # the page adds none


def test_filters_by_path_status_mock_and_test(
    browser: WebDriver, fresh_mock: MockHTTP, llm: MockLLM
) -> None:
    fresh_mock.dashboard.include(llm)
    fresh_mock.dashboard.begin_test("tests/test_shop.py::test_browse")
    fresh_mock.expect("GET", "/users/{id}").respond(json={"ok": True})
    requests.get(fresh_mock.url + "/users/1", timeout=5)
    requests.get(fresh_mock.url + "/basket", timeout=5)
    fresh_mock.dashboard.begin_test("tests/test_shop.py::test_ask")
    requests.post(f"{llm.url}/v1/chat/completions", json=CHAT, headers=KEY, timeout=5)
    _open(browser, fresh_mock.url + "/__admin/ui")
    _until(browser, lambda d: len(_rows(d)) == 3)

    path = browser.find_element(By.ID, "filter-path")
    path.send_keys("users")
    _until(browser, lambda d: [r[2] for r in _rows(d)] == ["/users/1"])
    path.clear()
    path.send_keys(" ")  # an input event with an empty filter
    _until(browser, lambda d: len(_rows(d)) == 3)

    status = browser.find_element(By.ID, "filter-status")
    status.send_keys("4xx")
    _until(browser, lambda d: [r[2] for r in _rows(d)] == ["/basket"])
    status.send_keys("!")  # "4xx!" is no status: the box is marked and filters nothing
    _until(browser, lambda d: "invalid" in (status.get_attribute("class") or ""))
    _until(browser, lambda d: len(_rows(d)) == 3)
    status.clear()
    status.send_keys(" ")
    _until(browser, lambda d: len(_rows(d)) == 3)

    Select(browser.find_element(By.ID, "filter-mock")).select_by_value("llm")
    _until(browser, lambda d: [r[0] for r in _rows(d)] == ["llm"])
    Select(browser.find_element(By.ID, "filter-mock")).select_by_value("")

    tests = Select(browser.find_element(By.ID, "filter-test"))
    assert [o.get_attribute("value") for o in tests.options] == [
        "",
        "tests/test_shop.py::test_browse",
        "tests/test_shop.py::test_ask",
    ]
    tests.select_by_value("tests/test_shop.py::test_browse")
    _until(browser, lambda d: [r[2] for r in _rows(d)] == ["/basket", "/users/1"])
    assert "test=tests%2Ftest_shop.py%3A%3Atest_browse" in browser.current_url  # a deep link
    tests.select_by_value("tests/test_shop.py::test_ask")  # the test running now
    _until(browser, lambda d: [r[2] for r in _rows(d)] == ["/v1/chat/completions"])
    requests.get(f"{fresh_mock.url}/users/2", timeout=5)  # it shows up live, in this test
    _until(browser, lambda d: [r[2] for r in _rows(d)] == ["/users/2", "/v1/chat/completions"])


def test_a_row_opens_the_request_the_response_the_near_miss_and_violations(
    browser: WebDriver, fresh_mock: MockHTTP, llm: MockLLM
) -> None:
    fresh_mock.dashboard.include(llm)
    fresh_mock.expect("POST", "/orders", json_contains={"qty": 1}).respond(201)
    requests.post(fresh_mock.url + "/orders", json={"qty": 2, "sku": "A-1"}, timeout=5)
    requests.post(
        f"{llm.url}/v1/chat/completions", json={"model": "gpt-4o-mini"}, headers=KEY, timeout=5
    )
    requests.post(
        f"{llm.url}/v1/chat/completions", json={**CHAT, "stream": True}, headers=KEY, timeout=5
    )
    _open(browser, fresh_mock.url + "/__admin/ui")
    _until(browser, lambda d: len(_rows(d)) == 3)
    detail = browser.find_element(By.ID, "detail")

    _click_row(browser, "/orders")
    _until(browser, lambda d: "No expectation matched" in detail.text)
    diff = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in detail.find_elements(By.CSS_SELECTOR, ".near-miss table tr")
    ]
    assert diff == [
        ["field", "expected", "got"],
        ["json", "contains {'qty': 1}", "{'qty': 2, 'sku': 'A-1'}"],
    ]
    bodies = [pre.text for pre in detail.find_elements(By.CSS_SELECTOR, "pre.body")]
    assert bodies[0] == json.dumps({"qty": 2, "sku": "A-1"}, indent=2)  # pretty-printed

    assert "problem" in _row_classes(browser, "⚠ 1")
    _click_row(browser, "⚠ 1")
    box = _until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#detail .violations"))
    assert "Contract violations" in box.text and "messages" in box.text

    _click_row(browser, "stream")
    events = _until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#detail .event"))
    written = b"".join(llm.requests[-1].response.chunks or [])  # type: ignore[union-attr]
    assert len(events) == written.count(b"data: ") > 2  # one per event, however written
    assert events[-1].find_element(By.TAG_NAME, "pre").text == "[DONE]"
    assert '"object": "chat.completion.chunk"' in events[0].text


def test_the_sequence_diagram_draws_and_exports_mermaid(
    browser: WebDriver, fresh_mock: MockHTTP
) -> None:
    with MockHTTP.start() as bot:
        bot.expect("POST", "/hook").respond(200)
        order = fresh_mock.expect("POST", "/orders").respond(201)
        order.with_callback(bot.url + "/hook", json={"event": "created"})
        requests.post(fresh_mock.url + "/orders", json={"sku": "A-1"}, timeout=5)
        fresh_mock.wait_for_callbacks(5)
    requests.get(fresh_mock.url + "/missing", timeout=5)
    _open(browser, fresh_mock.url + "/__admin/ui")
    browser.find_element(By.ID, "tab-sequence").click()
    svg = _until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#diagram svg"))

    lifelines = [g.text for g in svg.find_elements(By.CSS_SELECTOR, "g.participant")]
    assert lifelines == ["system under test", "http"]
    steps = [
        (g.get_attribute("data-kind"), g.text) for g in svg.find_elements(By.CSS_SELECTOR, "g.step")
    ]
    assert steps == [
        ("request", "POST /orders"),
        ("reply", f"201 {order.id}"),
        ("callback", "POST /hook"),
        ("reply", "200"),
        ("request", "GET /missing"),
        ("reply", "404 unmatched"),
        ("note", f"unmatched: nearest {order.id}, method, path differed"),
    ]
    problems = svg.find_elements(By.CSS_SELECTOR, "g.step.problem")
    assert [g.get_attribute("data-kind") for g in problems] == ["reply", "note"]
    # Arrows run between the lifelines they name: a callback goes back to the system.
    x = {
        g.get_attribute("data-participant"): float(
            g.find_element(By.TAG_NAME, "line").get_attribute("x1")
        )
        for g in svg.find_elements(By.CSS_SELECTOR, "g.participant")
    }
    callback = svg.find_element(By.CSS_SELECTOR, "g.step.callback line")
    assert float(callback.get_attribute("x1")) == x["mock_http"]
    assert float(callback.get_attribute("x2")) < x["mock_http"]

    exported = requests.get(fresh_mock.url + "/__admin/ui/sequence", timeout=5).json()["mermaid"]
    assert browser.find_element(By.ID, "mermaid").get_attribute("textContent") == exported
    assert exported.startswith("sequenceDiagram\n")

    svg.find_element(By.CSS_SELECTOR, "g.step.request").click()  # opens that request
    heading = _until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#detail h2"))
    assert heading.text == "POST /orders"
    assert browser.find_element(By.ID, "view-traffic").is_displayed()


def test_verify_reset_and_the_cassette_download(
    browser: WebDriver, llm: MockLLM, downloads: Path
) -> None:
    llm.expect_completion("hi", "Hello!")
    requests.post(f"{llm.url}/v1/chat/completions", json=CHAT, headers=KEY, timeout=5)
    requests.get(f"{llm.url}/v1/nothing-here", headers=KEY, timeout=5)
    _open(browser, llm.url + "/__admin/ui")
    _until(browser, lambda d: len(_rows(d)) == 2)
    assert browser.find_element(By.ID, "verify-badge").text == "1"

    browser.find_element(By.ID, "tab-verify").click()
    report = _until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "article.report.failing"))
    assert "verify() would fail" in report.text and "/v1/nothing-here" in report.text

    report.find_element(By.CSS_SELECTOR, "button.download").click()
    cassette = downloads / "llm-cassette.json"
    deadline = time.monotonic() + 15
    while not cassette.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    check = subprocess.run(
        [sys.executable, "-m", "mocks.contracts", "check", str(cassette)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip().endswith(": ok")
    assert [i["request"]["path"] for i in json.loads(cassette.read_text())["interactions"]] == [
        "/v1/chat/completions",
        "/v1/nothing-here",
    ]

    browser.find_element(By.ID, "reset-all").click()
    _until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "article.report .verdict.ok"))
    assert browser.find_element(By.ID, "verify-badge").text == "✓"
    assert len(llm.requests) == 0 and llm.expectations == []
    browser.find_element(By.ID, "tab-traffic").click()
    assert _rows(browser) == []


def test_the_page_follows_the_admin_token(browser: WebDriver, fresh_mock: MockHTTP) -> None:
    fresh_mock.admin.token = "t0k3n"  # (without it the page is a 401: tests/core/test_dashboard.py)
    _open(browser, fresh_mock.url + "/__admin/ui?access_token=t0k3n")
    requests.get(fresh_mock.url + "/with-token", timeout=5)
    _until(browser, lambda d: [r[2] for r in _rows(d)] == ["/with-token"])
    fresh_mock.admin.token = "changed"  # the page's token no longer holds
    _until(browser, lambda d: d.find_element(By.ID, "live-text").text.startswith("offline"))
    assert "Authorization: Bearer" in browser.find_element(By.ID, "live-text").text
