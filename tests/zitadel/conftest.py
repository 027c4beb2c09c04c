"""Fixtures for the provider's unit tests: a provider on a frozen clock and a flow driver.

Helpers reach the tests through the `kit` fixture rather than imports, so the tests run
under any pytest import mode.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from jsonschema import Draft202012Validator

from mocks.jose import Clock
from mocks.zitadel._http import HttpRequest, HttpResult
from mocks.zitadel._model import Application, User
from mocks.zitadel._provider import ZitadelProvider
from mocks.zitadel._tokens import pkce_s256

ISSUER = "http://127.0.0.1:8080"
REDIRECT = "http://127.0.0.1:8000/callback"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
NOW = 1_700_000_000
CONTRACTS = Path(__file__).resolve().parents[2] / "contracts" / "zitadel"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def contract(name: str) -> Draft202012Validator:
    """A validator for contracts/zitadel/<name>."""
    return Draft202012Validator(json.loads((CONTRACTS / name).read_text()))


def assert_valid(name: str, document: Any) -> None:
    """Fail with the contract's complaints when `document` breaks contract `name`."""
    errors = sorted(contract(name).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def basic(client_id: str, secret: str) -> str:
    """An HTTP Basic header, credentials form-url-encoded first as RFC 6749 asks."""
    raw = f"{urlencode({'a': client_id})[2:]}:{urlencode({'a': secret})[2:]}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


def claims_of(jwt: str) -> dict[str, Any]:
    """The payload of a JWT, unverified."""
    payload = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


class _Forms(HTMLParser):
    """The forms of a page: action and the inputs' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), {}))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1][1][values["name"]] = values.get("value", "")


def form_of(page: HttpResult) -> tuple[str, dict[str, str]]:
    """The (action, fields) of the only form of a page, hidden fields (CSRF) included."""
    parser = _Forms()
    parser.feed(page.html or "")
    assert len(parser.forms) == 1, page.html
    return parser.forms[0]


@dataclass
class Flow:
    """Drives a provider through HTTP-shaped calls, keeping the browser's cookies."""

    provider: ZitadelProvider
    cookies: dict[str, str] = field(default_factory=dict)

    def call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | str = "",
        form: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        """One request; cookies the result sets or deletes are applied to the browser."""
        all_headers = dict(headers or {})
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            all_headers.update(FORM)
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        request = HttpRequest.build(
            method,
            path,
            ISSUER,
            query=urlencode(query) if isinstance(query, dict) else query,
            body=body,
            headers=all_headers,
            cookies=self.cookies,
        )
        result = self.provider.handle(request)
        for name, value in result.cookies.items():
            if value is None:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return result

    def submit(self, page: HttpResult, **fill: str) -> HttpResult:
        """Post the page's form as a browser would: its hidden fields plus `fill`."""
        action, fields = form_of(page)
        return self.call("POST", action, form={**fields, **fill})

    def follow(self, result: HttpResult) -> HttpResult:
        """Follow a redirect that stays on the provider."""
        location = result.location
        assert location is not None and location.startswith("/"), location
        parts = urlsplit(location)
        return self.call("GET", parts.path, query=parts.query)

    def authorize(self, app: Application, **params: str) -> HttpResult:
        """GET /oauth/v2/authorize with sensible defaults (code flow with PKCE S256)."""
        query = {
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "openid profile email offline_access",
            "state": "state-1",
            "nonce": "nonce-1",
            "code_challenge": pkce_s256(VERIFIER),
            "code_challenge_method": "S256",
        }
        query.update(params)
        return self.call("GET", "/oauth/v2/authorize", query={k: v for k, v in query.items() if v})

    def login(self, app: Application, user: User, password: str, **params: str) -> HttpResult:
        """The whole browser login; returns the provider's answer to the client (a redirect)."""
        result = self.authorize(app, **params)
        if result.location and result.location.startswith("/ui/login/login"):
            page = self.follow(result)
            if 'id="loginName"' in (page.html or ""):
                page = self.submit(page, loginName=user.email)
            assert 'id="password"' in (page.html or "")
            result = self.submit(page, password=password)
            if result.location and result.location.startswith("/oauth/v2/authorize/callback"):
                result = self.follow(result)
        return result

    def code(self, app: Application, user: User, password: str, **params: str) -> str:
        """Log in and return the authorization code sent to the client."""
        result = self.login(app, user, password, **params)
        assert result.location, result
        return parse_qs(urlsplit(result.location).query)["code"][0]

    def token(self, form: dict[str, str], app: Application | None = None) -> HttpResult:
        """POST /oauth/v2/token, authenticating `app` with Basic when it has a secret."""
        headers = {}
        body = dict(form)
        if app is not None and app.client_secret:
            headers["Authorization"] = basic(app.client_id, app.client_secret)
        elif app is not None:
            body.setdefault("client_id", app.client_id)
        return self.call("POST", "/oauth/v2/token", form=body, headers=headers)

    def exchange(self, app: Application, code: str, **extra: str) -> HttpResult:
        """Exchange a code (with the default PKCE verifier) at the token endpoint."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": VERIFIER,
        }
        form.update(extra)
        return self.token({k: v for k, v in form.items() if v}, app)


class Kit:
    """Constants and helpers for the tests (see the module's functions of the same names)."""

    ISSUER = ISSUER
    REDIRECT = REDIRECT
    VERIFIER = VERIFIER
    NOW = NOW
    contract = staticmethod(contract)
    form_of = staticmethod(form_of)
    assert_valid = staticmethod(assert_valid)
    basic = staticmethod(basic)
    claims_of = staticmethod(claims_of)


@pytest.fixture
def kit() -> type[Kit]:
    """Constants and helpers: ``kit.ISSUER``, ``kit.assert_valid(name, doc)``, ..."""
    return Kit


@pytest.fixture
def clock() -> Clock:
    """A clock frozen at NOW."""
    return Clock(fixed=NOW)


@pytest.fixture
def provider(clock: Clock) -> ZitadelProvider:
    """A provider with seed 1 on the frozen clock."""
    return ZitadelProvider(seed=1, clock=clock)


@pytest.fixture
def flow(provider: ZitadelProvider) -> Flow:
    """A browser-like driver for `provider`."""
    return Flow(provider)


@pytest.fixture
def web_app(provider: ZitadelProvider) -> Application:
    """A confidential web application (client_secret_basic)."""
    return provider.create_application(
        "shop-web",
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=["http://127.0.0.1:8000/bye"],
    )


@pytest.fixture
def alice(provider: ZitadelProvider) -> User:
    """A user with a password, a role and metadata."""
    return provider.create_test_user(
        "alice@example.com",
        password="Secret1!",
        roles=["admin"],
        metadata={"tier": "gold"},
        given_name="Alice",
        family_name="Liddell",
    )
