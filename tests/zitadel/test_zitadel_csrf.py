"""The login bound to the browser: CSRF tokens, cookie attributes and security headers.

RFC 6749 section 10.12 (CSRF) and section 10.13 / RFC 6819 section 4.4.1.9
(clickjacking), as Zitadel's login implements them; driven over a real socket.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests

from mocks.zitadel import Application, MockZitadel, User

REDIRECT = "http://127.0.0.1:8000/callback"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
FIELD = "gorilla.csrf.Token"


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input" and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")


def form(page: requests.Response) -> tuple[str, dict[str, str]]:
    parser = _Form()
    parser.feed(page.text)
    return urljoin(page.url, parser.action), parser.fields


def submit(browser: requests.Session, page: requests.Response, **fill: str) -> requests.Response:
    action, fields = form(page)
    return browser.post(action, data={**fields, **fill}, allow_redirects=False, timeout=5)


@pytest.fixture
def web_app(mock_zitadel: MockZitadel) -> Application:
    return mock_zitadel.create_application("shop", redirect_uris=[REDIRECT])


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user("alice@example.com", password="Secret1!")


def start_login(
    mock: MockZitadel, app: Application, browser: requests.Session
) -> requests.Response:
    """Authorize in `browser` and open the login name page."""
    query = {
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid",
        "state": "s1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    started = browser.get(
        f"{mock.url}/oauth/v2/authorize?{urlencode(query)}", allow_redirects=False, timeout=5
    )
    assert started.status_code == 302
    page = browser.get(urljoin(mock.url, started.headers["Location"]), timeout=5)
    assert page.status_code == 200 and 'id="loginName"' in page.text
    return page


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _error(page: requests.Response) -> str:
    found = re.search(r'<span class="lgn-error-message">([^<]*)</span>', page.text)
    return found.group(1) if found else ""


# ---- cookies ----------------------------------------------------------------------------


def test_the_login_sets_httponly_samesite_lax_cookies(
    mock_zitadel: MockZitadel, web_app: Application, browser: requests.Session
) -> None:
    page = start_login(mock_zitadel, web_app, browser)
    cookies = {cookie.name: cookie for cookie in browser.cookies}
    assert set(cookies) == {"zitadel.useragent", "zitadel.login.csrf"}
    set_cookie = page.headers["Set-Cookie"]
    assert set_cookie.startswith("zitadel.login.csrf=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    assert "Secure" not in set_cookie
    assert not cookies["zitadel.login.csrf"].secure


def test_cookies_are_secure_when_the_issuer_is_https() -> None:
    with MockZitadel.start(issuer="https://login.example.test") as mock:
        app = mock.create_application("shop", redirect_uris=[REDIRECT])
        query = {
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "openid",
        }
        started = requests.get(
            f"{mock.url}/oauth/v2/authorize?{urlencode(query)}", allow_redirects=False, timeout=5
        )
        assert started.headers["Set-Cookie"].startswith("zitadel.useragent=")
        assert started.headers["Set-Cookie"].endswith("; Secure")
        page = requests.get(mock.url + started.headers["Location"], timeout=5)
        # Another browser: the login belongs to the one that started it.
        assert page.status_code == 403
        device = requests.get(mock.url + "/ui/login/device", timeout=5)
        assert "HttpOnly; SameSite=Lax; Secure" in device.headers["Set-Cookie"]


# ---- CSRF -------------------------------------------------------------------------------


def test_every_form_carries_a_fresh_masked_token(
    mock_zitadel: MockZitadel, web_app: Application, browser: requests.Session
) -> None:
    first = form(start_login(mock_zitadel, web_app, browser))[1][FIELD]
    second = form(browser.get(mock_zitadel.url + "/ui/login/device", timeout=5))[1][FIELD]
    assert first and second and first != second
    assert browser.cookies["zitadel.login.csrf"] not in (first, second)


def test_a_cookieless_post_to_the_login_name_step_is_refused(
    mock_zitadel: MockZitadel, web_app: Application, browser: requests.Session
) -> None:
    page = start_login(mock_zitadel, web_app, browser)
    action, fields = form(page)
    # Another origin posts the same fields without the browser's cookies.
    forged = requests.post(
        action,
        data={**fields, "loginName": "alice@example.com"},
        headers={"Origin": "http://evil.example"},
        timeout=5,
    )
    assert forged.status_code == 403
    assert _error(forged) == "Forbidden - origin invalid"
    without_origin = requests.post(action, data={**fields, "loginName": "a"}, timeout=5)
    assert without_origin.status_code == 403
    assert _error(without_origin) == "Forbidden - CSRF token not found in request"


def test_the_password_step_cannot_be_forged_into_a_code(
    mock_zitadel: MockZitadel, web_app: Application, alice: User, browser: requests.Session
) -> None:
    password_page = submit(
        browser, start_login(mock_zitadel, web_app, browser), loginName="alice@example.com"
    )
    assert 'id="password"' in password_page.text
    action, fields = form(password_page)
    forged = requests.post(
        action,
        data={**fields, "password": "Secret1!"},
        cookies={"zitadel.useragent": browser.cookies["zitadel.useragent"]},
        allow_redirects=False,
        timeout=5,
    )
    assert forged.status_code == 403 and "Location" not in forged.headers
    assert mock_zitadel.provider.state.store.codes == {}


def test_a_wrong_token_with_the_right_cookie_is_refused(
    mock_zitadel: MockZitadel, web_app: Application, browser: requests.Session
) -> None:
    page = start_login(mock_zitadel, web_app, browser)
    action, fields = form(page)
    other = form(requests.get(mock_zitadel.url + "/ui/login/device", timeout=5))[1][FIELD]
    forged = browser.post(action, data={**fields, FIELD: other, "loginName": "a"}, timeout=5)
    assert forged.status_code == 403
    assert _error(forged) == "Forbidden - CSRF token invalid"
    empty = browser.post(action, data={**fields, FIELD: "", "loginName": "a"}, timeout=5)
    assert _error(empty) == "Forbidden - CSRF token invalid"


def test_a_same_origin_post_with_the_token_is_accepted(
    mock_zitadel: MockZitadel, web_app: Application, alice: User, browser: requests.Session
) -> None:
    page = start_login(mock_zitadel, web_app, browser)
    action, fields = form(page)
    accepted = browser.post(
        action,
        data={**fields, "loginName": "alice@example.com"},
        headers={"Origin": mock_zitadel.url},
        timeout=5,
    )
    assert accepted.status_code == 200 and 'id="password"' in accepted.text
    done = submit(browser, accepted, password="Secret1!")
    assert done.status_code == 302
    back = browser.get(urljoin(mock_zitadel.url, done.headers["Location"]), allow_redirects=False)
    assert parse_qs(urlsplit(back.headers["Location"]).query)["state"] == ["s1"]


def test_another_browser_cannot_continue_someone_elses_login(
    mock_zitadel: MockZitadel, web_app: Application, alice: User, browser: requests.Session
) -> None:
    page = start_login(mock_zitadel, web_app, browser)
    auth_request_id = form(page)[1]["authRequestID"]
    with requests.Session() as intruder:
        own = intruder.get(mock_zitadel.url + "/ui/login/device", timeout=5)
        token = form(own)[1][FIELD]
        intruder.cookies.set("zitadel.useragent", "someone-else")
        refused = intruder.post(
            mock_zitadel.url + "/ui/login/loginname",
            data={FIELD: token, "authRequestID": auth_request_id, "loginName": "alice"},
            timeout=5,
        )
        assert refused.status_code == 403
        assert _error(refused) == "User Agent does not correspond"
        looked = intruder.get(
            f"{mock_zitadel.url}/ui/login/login?authRequestID={auth_request_id}", timeout=5
        )
        assert looked.status_code == 403


# ---- security headers -------------------------------------------------------------------

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _assert_secure_page(page: requests.Response) -> None:
    assert page.headers["Content-Type"].startswith("text/html")
    for name, value in HEADERS.items():
        assert page.headers[name] == value, name
    csp = dict(
        part.strip().split(" ", 1) for part in page.headers["Content-Security-Policy"].split(";")
    )
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'none'"
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


def test_every_html_page_carries_the_security_headers(
    mock_zitadel: MockZitadel, web_app: Application, alice: User, browser: requests.Session
) -> None:
    login = start_login(mock_zitadel, web_app, browser)
    password = submit(browser, login, loginName="alice@example.com")
    wrong = submit(browser, password, password="nope")
    unknown = requests.get(mock_zitadel.url + "/ui/login/login?authRequestID=1", timeout=5)
    forbidden = requests.post(mock_zitadel.url + "/ui/login/password", data={}, timeout=5)
    device = requests.get(mock_zitadel.url + "/ui/login/device", timeout=5)
    done = requests.get(mock_zitadel.url + "/ui/login/logout/done", timeout=5)
    for page in (login, password, wrong, unknown, forbidden, device, done):
        _assert_secure_page(page)
    assert (unknown.status_code, forbidden.status_code) == (404, 403)


def test_the_form_post_page_runs_only_its_hashed_script(
    mock_zitadel: MockZitadel, alice: User, browser: requests.Session
) -> None:
    app = mock_zitadel.create_application("shop", redirect_uris=[REDIRECT])
    mock_zitadel.set_auto_login(alice)
    query = {
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "response_mode": "form_post",
        "scope": "openid",
    }
    page = browser.get(f"{mock_zitadel.url}/oauth/v2/authorize?{urlencode(query)}", timeout=5)
    _assert_secure_page(page)
    assert (
        "onload=" not in page.text and "<script>document.forms[0].submit();</script>" in page.text
    )
    assert "'sha256-" in page.headers["Content-Security-Policy"]
