"""The device authorization grant over a real socket: a TV asks, a person approves in a browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import jwt
import requests

from mocks import MockZitadel

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")


class _Form(HTMLParser):
    """The page's form: its action and its inputs (the hidden CSRF token included)."""

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


def _submit(browser: requests.Session, page: requests.Response, **fill: str) -> requests.Response:
    """Fill in and post the page's form, as a browser would."""
    form = _Form()
    form.feed(page.text)
    return browser.post(urljoin(page.url, form.action), data={**form.fields, **fill}, timeout=5)


def _poll(base: str, client_id: str, device_code: str) -> requests.Response:
    form = {"grant_type": DEVICE_GRANT, "device_code": device_code, "client_id": client_id}
    return requests.post(f"{base}/oauth/v2/token", data=form, timeout=5)


def test_device_flow_from_user_code_to_tokens(mock_zitadel: MockZitadel) -> None:
    base = mock_zitadel.url
    tv = mock_zitadel.create_application("tv", kind="native", redirect_uris=["http://127.0.0.1/cb"])
    person = mock_zitadel.create_test_user("viewer@example.com", password="Secret1!")

    started = requests.post(
        f"{base}/oauth/v2/device_authorization",
        data={"client_id": tv.client_id, "scope": "openid offline_access"},
        timeout=5,
    )
    assert started.status_code == 200
    device = started.json()
    assert USER_CODE.match(device["user_code"])
    assert device["verification_uri"].startswith(base)
    assert _poll(base, tv.client_id, device["device_code"]).json() == {
        "error": "authorization_pending"
    }

    browser = requests.Session()
    page = browser.get(device["verification_uri_complete"], timeout=5)
    assert device["user_code"] in page.text
    typed = device["user_code"].lower().replace("-", "")
    login = _submit(browser, page, userCode=typed)
    assert 'id="loginName"' in login.text
    password_page = _submit(browser, login, loginName=person.email)
    done = _submit(browser, password_page, password="Secret1!")
    assert "now signed in" in done.text

    tokens = _poll(base, tv.client_id, device["device_code"])
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["refresh_token"]
    key = jwt.PyJWKClient(f"{base}/oauth/v2/keys").get_signing_key_from_jwt(body["id_token"])
    claims = jwt.decode(
        body["id_token"], key.key, algorithms=["RS256"], audience=tv.client_id, issuer=base
    )
    assert claims["sub"] == person.id
    assert _poll(base, tv.client_id, device["device_code"]).json()["error"] == "access_denied"


def test_a_wrong_user_code_is_refused_on_the_page(mock_zitadel: MockZitadel) -> None:
    browser = requests.Session()
    page = browser.get(f"{mock_zitadel.url}/ui/login/device", timeout=5)
    refused = _submit(browser, page, userCode="BBBB-BBBB")
    assert refused.status_code == 200
    assert "Device Authorization Request does not exist" in refused.text
