"""A real browser logs in through MockZitadel's pages into a tiny relying party and out again.

Debian's Chromium (``/usr/bin/chromium``) is driven by Selenium through Debian's
``/usr/bin/chromedriver``; the relying party is an aiohttp app started inside the test.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import secrets
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pyotp
import pytest
import requests
from aiohttp import web
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from mocks.zitadel import Application, MockZitadel, User

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


class RelyingParty:
    """A minimal OIDC web app: /login, /callback, / (who is logged in), /logout, /bye."""

    def __init__(self, zitadel: MockZitadel) -> None:
        self.zitadel = zitadel
        self.app: Application | None = None
        self.pending: dict[str, tuple[str, str]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    async def _serve(self) -> None:
        application = web.Application()
        application.router.add_get("/", self.home)
        application.router.add_get("/login", self.login)
        application.router.add_get("/callback", self.callback)
        application.router.add_get("/logout", self.logout)
        application.router.add_get("/bye", self.bye)
        self._runner = web.AppRunner(application)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def register(self) -> Application:
        self.app = self.zitadel.create_application(
            "relying-party",
            kind="web",
            redirect_uris=[self.url + "/callback"],
            post_logout_redirect_uris=[self.url + "/bye"],
        )
        return self.app

    async def home(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.cookies.get("rp", ""))
        if session is None:
            return _page(
                '<p id="anonymous">Not signed in.</p><a id="login" href="/login">Log in</a>'
            )
        return _page(
            f'<p id="greeting">Hello {session["claims"]["name"]}</p>'
            '<a id="logout" href="/logout">Log out</a>'
        )

    async def login(self, request: web.Request) -> web.Response:
        assert self.app is not None
        state, nonce = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
        verifier = secrets.token_urlsafe(48)
        self.pending[state] = (nonce, verifier)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        query = urlencode(
            {
                "client_id": self.app.client_id,
                "redirect_uri": self.url + "/callback",
                "response_type": "code",
                "scope": "openid profile email",
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge.rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            }
        )
        raise web.HTTPFound(f"{self.zitadel.url}/oauth/v2/authorize?{query}")

    async def callback(self, request: web.Request) -> web.Response:
        assert self.app is not None and self.app.client_secret is not None
        nonce, verifier = self.pending.pop(request.query["state"])
        token = await asyncio.to_thread(
            requests.post,
            self.zitadel.url + "/oauth/v2/token",
            data={
                "grant_type": "authorization_code",
                "code": request.query["code"],
                "redirect_uri": self.url + "/callback",
                "code_verifier": verifier,
            },
            auth=(self.app.client_id, self.app.client_secret),
            timeout=10,
        )
        body = token.json()
        keys = jwt.PyJWKClient(self.zitadel.url + "/oauth/v2/keys")
        key = await asyncio.to_thread(keys.get_signing_key_from_jwt, body["id_token"])
        claims = jwt.decode(
            body["id_token"],
            key.key,
            algorithms=["RS256"],
            audience=self.app.client_id,
            issuer=self.zitadel.url,
        )
        assert claims["nonce"] == nonce
        userinfo = await asyncio.to_thread(
            requests.get,
            self.zitadel.url + "/oidc/v1/userinfo",
            headers={"Authorization": f"Bearer {body['access_token']}"},
            timeout=10,
        )
        session_id = secrets.token_urlsafe(16)
        self.sessions[session_id] = {"claims": userinfo.json(), "id_token": body["id_token"]}
        response = web.HTTPFound("/")
        response.set_cookie("rp", session_id, httponly=True)
        raise response

    async def logout(self, request: web.Request) -> web.Response:
        session = self.sessions.pop(request.cookies.get("rp", ""), None)
        assert session is not None
        query = urlencode(
            {
                "id_token_hint": session["id_token"],
                "post_logout_redirect_uri": self.url + "/bye",
                "state": "bye-state",
            }
        )
        response = web.HTTPFound(f"{self.zitadel.url}/oidc/v1/end_session?{query}")
        response.del_cookie("rp")
        raise response

    async def bye(self, request: web.Request) -> web.Response:
        state = request.query.get("state", "")
        return _page(
            f'<p id="signed-out">Signed out ({state})</p><a id="login" href="/login">In</a>'
        )


class AttackerSite:
    """Another site (served as ``localhost``, not ``127.0.0.1``): it frames the login and
    posts forged forms to it, as a cross-site attacker would (RFC 6749 sections 10.12-13)."""

    def __init__(self) -> None:
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    async def _serve(self) -> None:
        application = web.Application()
        application.router.add_get("/forge", self.forge)
        application.router.add_get("/frame", self.frame)
        self._runner = web.AppRunner(application)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://localhost:{self._runner.addresses[0][1]}"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def forge(self, request: web.Request) -> web.Response:
        """A page that posts a login name to the provider for a login it did not start."""
        action = request.query["action"]
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{value}">'
            for name, value in request.query.items()
            if name != "action"
        )
        return _page(
            f'<form id="forged" method="POST" action="{action}">{fields}</form>'
            "<script>document.getElementById('forged').submit()</script>"
        )

    async def frame(self, request: web.Request) -> web.Response:
        """A page that shows the provider's login inside an iframe."""
        return _page(f'<iframe id="victim" src="{request.query["src"]}"></iframe>')


def _page(body: str) -> web.Response:
    html = f"<!DOCTYPE html><html><head><title>RP</title></head><body>{body}</body></html>"
    return web.Response(text=html, content_type="text/html")


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    os.environ.setdefault("SE_OFFLINE", "true")
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


@pytest.fixture
def relying_party(mock_zitadel: MockZitadel) -> Iterator[RelyingParty]:
    party = RelyingParty(mock_zitadel)
    party.start()
    party.register()
    try:
        yield party
    finally:
        party.stop()


@pytest.fixture
def attacker() -> Iterator[AttackerSite]:
    site = AttackerSite()
    site.start()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user(
        "alice@example.com", password="Secret1!", given_name="Alice", family_name="Liddell"
    )


def _wait_for(driver: WebDriver, element_id: str) -> Any:
    return WebDriverWait(driver, 20).until(
        expected_conditions.presence_of_element_located((By.ID, element_id))
    )


def _submit(driver: WebDriver, field: str, text: str) -> None:
    box = _wait_for(driver, field)
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "submit-button").click()


def test_log_in_see_a_wrong_password_rejected_and_log_out(
    mock_zitadel: MockZitadel, browser: WebDriver, relying_party: RelyingParty, alice: User
) -> None:
    mock_zitadel.expect_login(alice)
    browser.get(relying_party.url + "/login")
    assert browser.current_url.startswith(mock_zitadel.url + "/ui/login/login")
    _submit(browser, "loginName", "alice@example.com")

    _submit(browser, "password", "not-her-password")
    error = _wait_for(browser, "error")
    assert "Password is invalid" in error.text
    assert browser.find_element(By.ID, "password").is_displayed()

    _submit(browser, "password", "Secret1!")
    greeting = _wait_for(browser, "greeting")
    assert greeting.text == "Hello Alice Liddell"
    assert browser.current_url == relying_party.url + "/"

    browser.find_element(By.ID, "logout").click()
    signed_out = _wait_for(browser, "signed-out")
    assert signed_out.text == "Signed out (bye-state)"
    assert browser.current_url.startswith(relying_party.url + "/bye")

    # Logged out at the provider too: logging in again asks for the login name.
    browser.find_element(By.ID, "login").click()
    assert _wait_for(browser, "loginName").is_displayed()
    mock_zitadel.assert_called("GET", "/oidc/v1/end_session", times=1)
    mock_zitadel.assert_called("POST", "/ui/login/password", times=2)


def test_a_cross_site_post_to_the_login_is_refused_with_403(
    mock_zitadel: MockZitadel,
    browser: WebDriver,
    relying_party: RelyingParty,
    attacker: AttackerSite,
    alice: User,
) -> None:
    browser.get(relying_party.url + "/login")
    _wait_for(browser, "loginName")
    auth_request_id = parse_qs(urlsplit(browser.current_url).query)["authRequestID"][0]
    action = mock_zitadel.url + "/ui/login/loginname"
    query = urlencode(
        {"action": action, "authRequestID": auth_request_id, "loginName": "alice@example.com"}
    )
    browser.get(f"{attacker.url}/forge?{query}")
    error = _wait_for(browser, "error")
    assert error.text.startswith("Forbidden - ")
    assert browser.current_url == action
    (forged,) = mock_zitadel.requests.matching(method="POST", path="/ui/login/loginname")
    assert forged.headers["Origin"] == attacker.url
    assert "zitadel.login.csrf" not in forged.headers.get("Cookie", "")
    assert forged.status == 403

    # The victim's own login is untouched and still completes.
    mock_zitadel.expect_login(alice)
    browser.get(relying_party.url + "/login")
    _submit(browser, "loginName", "alice@example.com")
    _submit(browser, "password", "Secret1!")
    assert _wait_for(browser, "greeting").text == "Hello Alice Liddell"


def test_the_login_pages_cannot_be_framed_by_another_site(
    mock_zitadel: MockZitadel, browser: WebDriver, attacker: AttackerSite
) -> None:
    page = mock_zitadel.url + "/ui/login/device"
    browser.get(page)
    assert _wait_for(browser, "userCode").is_displayed()
    browser.get(f"{attacker.url}/frame?{urlencode({'src': page})}")
    frame = _wait_for(browser, "victim")
    WebDriverWait(browser, 20).until(
        lambda _: mock_zitadel.requests.count("GET", "/ui/login/device") == 2
    )
    # The provider served the framed page (200), and the browser refused to show it.
    assert mock_zitadel.requests.matching("GET", "/ui/login/device")[-1].status == 200
    browser.switch_to.frame(frame)
    assert browser.find_elements(By.ID, "userCode") == []
    browser.switch_to.default_content()


def test_a_totp_user_logs_in_with_a_second_factor(
    mock_zitadel: MockZitadel, browser: WebDriver, relying_party: RelyingParty, alice: User
) -> None:
    secret = mock_zitadel.enable_totp(alice)
    browser.get(relying_party.url + "/login")
    _submit(browser, "loginName", "alice@example.com")
    _submit(browser, "password", "Secret1!")
    authenticator = pyotp.TOTP(secret)
    wrong = "000000" if authenticator.now() != "000000" else "111111"
    _submit(browser, "code", wrong)
    assert _wait_for(browser, "error").text == "Invalid code"
    assert browser.current_url == mock_zitadel.url + "/ui/login/mfa/verify"

    _submit(browser, "code", authenticator.now())
    assert _wait_for(browser, "greeting").text == "Hello Alice Liddell"
    (session,) = mock_zitadel.provider.state.sessions.sessions.values()
    assert session.amr == ["pwd", "otp", "mfa"]


def test_an_organization_forcing_mfa_registers_an_authenticator_in_the_browser(
    mock_zitadel: MockZitadel, browser: WebDriver, relying_party: RelyingParty, alice: User
) -> None:
    mock_zitadel.require_mfa()
    browser.get(relying_party.url + "/login")
    _submit(browser, "loginName", "alice@example.com")
    _submit(browser, "password", "Secret1!")
    uri = _wait_for(browser, "totp-uri").text
    authenticator = pyotp.parse_uri(uri)
    _submit(browser, "code", authenticator.now())
    assert _wait_for(browser, "greeting").text == "Hello Alice Liddell"
    assert alice.totp_secret == authenticator.secret
    assert mock_zitadel.totp_code(alice, at=1000) == authenticator.at(1000)
