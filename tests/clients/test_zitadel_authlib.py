"""MockZitadel judged by authlib: every grant, introspection, revocation, userinfo, rotation.

The login pages are driven over HTTP the way a browser would: follow the redirects,
fill the forms (inputs ``loginName`` and ``password``), submit them.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7523.assertion import sign_jwt_bearer_assertion

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

from mocks.zitadel import Application, MockZitadel, User

REDIRECT = "http://127.0.0.1:8000/callback"
PASSWORD = "Secret1!"


class _Forms(HTMLParser):
    """The forms of a page: action, method and the inputs' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "fields": {}, "ids": set()})
        elif tag == "input" and self.forms:
            form = self.forms[-1]
            if values.get("name"):
                form["fields"][values["name"]] = values.get("value", "")
            if values.get("id"):
                form["ids"].add(values["id"])


def _submit(browser: requests.Session, page: requests.Response, **fill: str) -> requests.Response:
    parser = _Forms()
    parser.feed(page.text)
    (form,) = parser.forms
    for field in fill:
        assert field in form["ids"], f"no input with id {field!r} on {page.url}"
    data = {**form["fields"], **fill}
    return browser.post(urljoin(page.url, form["action"]), data=data, allow_redirects=False)


def _follow(browser: requests.Session, response: requests.Response) -> requests.Response:
    """Follow redirects while they stay on the provider; stop at the client's callback."""
    while response.is_redirect:
        target = urljoin(response.url, response.headers["Location"])
        if target.startswith(REDIRECT):
            return response
        response = browser.get(target, allow_redirects=False)
    return response


def browser_login(authorization_url: str, login_name: str, password: str) -> str:
    """Log in through the pages; the URL the provider sends the browser back to."""
    browser = requests.Session()
    page = _follow(browser, browser.get(authorization_url, allow_redirects=False))
    assert page.status_code == 200 and 'id="loginName"' in page.text
    page = _submit(browser, page, loginName=login_name)
    assert 'id="password"' in page.text
    answer = _follow(browser, _submit(browser, page, password=password))
    assert answer.is_redirect, answer.text
    return str(answer.headers["Location"])


@pytest.fixture
def oidc(mock_zitadel: MockZitadel) -> dict[str, Any]:
    """The discovery document, as a client reads it."""
    document: dict[str, Any] = requests.get(
        mock_zitadel.url + "/.well-known/openid-configuration", timeout=5
    ).json()
    return document


@pytest.fixture
def web_app(mock_zitadel: MockZitadel) -> Application:
    return mock_zitadel.create_application(
        "shop", kind="web", redirect_uris=[REDIRECT], access_token_type="opaque"
    )


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user(
        "alice@example.com", password=PASSWORD, roles=["admin"], given_name="Alice"
    )


def _session(app: Application, **options: Any) -> OAuth2Session:
    return OAuth2Session(
        app.client_id,
        app.client_secret,
        scope="openid profile email offline_access",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        **options,
    )


def _login(oidc: dict[str, Any], session: OAuth2Session, user: User) -> dict[str, Any]:
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(
        oidc["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = browser_login(url, user.email, PASSWORD)
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    token: dict[str, Any] = session.fetch_token(
        oidc["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    token["nonce"] = nonce
    return token


class IdTokenVerifier:
    """What an OIDC client does with ID tokens: JWKS cached, fetched again on an unknown kid."""

    def __init__(self, jwks_uri: str) -> None:
        self.jwks_uri = jwks_uri
        self.fetches = 0
        self.keys = self._fetch()

    def _fetch(self) -> Any:
        self.fetches += 1
        return JsonWebKey.import_key_set(requests.get(self.jwks_uri, timeout=5).json())

    def verify(self, id_token: str, issuer: str, client_id: str, **params: str) -> Any:
        header = jwt.decode(id_token, lambda h, p: self._key(h)).header
        assert header["alg"] == "RS256"
        claims = jwt.decode(
            id_token,
            lambda h, p: self._key(h),
            claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "value": issuer}},
            claims_params={"client_id": client_id, **params},
        )
        claims.validate()
        return claims

    def _key(self, header: Any) -> Any:
        try:
            return self.keys.find_by_kid(header["kid"])
        except ValueError:
            self.keys = self._fetch()
            return self.keys.find_by_kid(header["kid"])


def test_discovery_is_zitadels(oidc: dict[str, Any], mock_zitadel: MockZitadel) -> None:
    assert oidc["issuer"] == mock_zitadel.url
    assert oidc["code_challenge_methods_supported"] == ["S256"]
    assert "password" not in oidc["grant_types_supported"]
    assert oidc["token_endpoint"] == mock_zitadel.url + "/oauth/v2/token"


def test_code_flow_with_pkce_and_a_validated_id_token(
    mock_zitadel: MockZitadel, oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    promised = mock_zitadel.expect_login(alice)
    session = _session(web_app)
    token = _login(oidc, session, alice)
    assert token["access_token"] == promised.access_token
    assert token["refresh_token"] == promised.refresh_token
    verifier = IdTokenVerifier(oidc["jwks_uri"])
    claims = verifier.verify(
        token["id_token"],
        oidc["issuer"],
        web_app.client_id,
        nonce=token["nonce"],
        access_token=token["access_token"],
    )
    assert claims["sub"] == alice.id
    assert claims["aud"] == [mock_zitadel.project_id, web_app.client_id]
    assert claims["azp"] == web_app.client_id
    userinfo = session.get(oidc["userinfo_endpoint"]).json()
    assert userinfo["email"] == "alice@example.com"
    assert userinfo["given_name"] == "Alice"


def test_refresh_rotates_and_the_old_refresh_token_fails(
    oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    session = _session(web_app)
    first = _login(oidc, session, alice)
    second = session.refresh_token(oidc["token_endpoint"], refresh_token=first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    with pytest.raises(OAuthError) as old:
        session.refresh_token(oidc["token_endpoint"], refresh_token=first["refresh_token"])
    assert old.value.error == "invalid_request"
    assert old.value.description == "Errors.OIDCSession.RefreshTokenInvalid"


def test_expect_token_refresh_counts_refreshes(
    mock_zitadel: MockZitadel, oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    expectation = mock_zitadel.expect_token_refresh().times(2)
    session = _session(web_app)
    token = _login(oidc, session, alice)
    for _ in range(2):
        token = session.refresh_token(oidc["token_endpoint"], refresh_token=token["refresh_token"])
    assert expectation.call_count == 2


def test_client_credentials_with_a_service_user(
    mock_zitadel: MockZitadel, oidc: dict[str, Any]
) -> None:
    key_file = mock_zitadel.create_service_user("robot")
    robot = key_file.user
    session = OAuth2Session(robot.username, robot.secret, scope="openid profile")
    token = session.fetch_token(oidc["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    info = session.get(oidc["userinfo_endpoint"]).json()
    assert info["sub"] == robot.id


def test_jwt_profile_grant_with_a_key_file(mock_zitadel: MockZitadel, oidc: dict[str, Any]) -> None:
    key_file = mock_zitadel.create_service_user("robot")
    assertion = sign_jwt_bearer_assertion(
        key_file["key"],
        issuer=key_file["userId"],
        audience=oidc["issuer"],
        subject=key_file["userId"],
        header={"alg": "RS256", "kid": key_file["keyId"]},
    )
    session = OAuth2Session(scope="openid urn:zitadel:iam:org:project:id:zitadel:aud")
    token = session.fetch_token(
        oidc["token_endpoint"],
        grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion=assertion,
    )
    assert token["access_token"] and token["expires_in"] == 12 * 3600


def test_introspection_with_basic_and_with_private_key_jwt(
    mock_zitadel: MockZitadel, oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    token = _login(oidc, _session(web_app), alice)
    api = mock_zitadel.create_application("backend", kind="api")
    basic = OAuth2Session(api.client_id, api.client_secret)
    answer = basic.introspect_token(oidc["introspection_endpoint"], token=token["access_token"])
    assert answer.json()["active"] is True and answer.json()["sub"] == alice.id

    signed = mock_zitadel.create_application(
        "signed-api", kind="api", auth_method="private_key_jwt"
    )
    assert signed.key_file is not None
    jwt_client = OAuth2Session(
        signed.client_id,
        signed.key_file["key"],
        token_endpoint_auth_method=PrivateKeyJWT(
            token_endpoint=oidc["issuer"], headers={"kid": signed.key_file["keyId"]}
        ),
    )
    answer = jwt_client.introspect_token(
        oidc["introspection_endpoint"], token=token["access_token"]
    )
    assert answer.json()["active"] is True


def test_revocation_and_the_revoked_refresh_token(
    oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    session = _session(web_app)
    token = _login(oidc, session, alice)
    response = session.revoke_token(oidc["revocation_endpoint"], token=token["refresh_token"])
    assert response.status_code == 200
    with pytest.raises(OAuthError) as revoked:
        session.refresh_token(oidc["token_endpoint"], refresh_token=token["refresh_token"])
    assert revoked.value.error == "invalid_request"


def test_a_forced_key_rotation_is_picked_up_by_the_client(
    mock_zitadel: MockZitadel, oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    verifier = IdTokenVerifier(oidc["jwks_uri"])
    before = _login(oidc, _session(web_app), alice)
    verifier.verify(before["id_token"], oidc["issuer"], web_app.client_id, nonce=before["nonce"])
    mock_zitadel.rotate_keys()
    after = _login(oidc, _session(web_app), alice)
    claims = verifier.verify(
        after["id_token"], oidc["issuer"], web_app.client_id, nonce=after["nonce"]
    )
    assert claims["sub"] == alice.id
    assert verifier.fetches == 2
    # the old key is still published, so the earlier token still validates
    verifier.verify(before["id_token"], oidc["issuer"], web_app.client_id, nonce=before["nonce"])
    assert verifier.fetches == 2


# ---- negative paths, as the client sees them ------------------------------------------


def test_a_bad_client_secret(oidc: dict[str, Any], web_app: Application, alice: User) -> None:
    session = _session(web_app)
    verifier = secrets.token_urlsafe(48)
    url, _ = session.create_authorization_url(
        oidc["authorization_endpoint"], code_verifier=verifier
    )
    callback = browser_login(url, alice.email, PASSWORD)
    wrong = OAuth2Session(
        web_app.client_id, "not-the-secret", redirect_uri=REDIRECT, code_challenge_method="S256"
    )
    with pytest.raises(OAuthError) as caught:
        wrong.fetch_token(
            oidc["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
    assert (caught.value.error, caught.value.description) == ("invalid_client", "invalid secret")


def test_a_reused_code_and_a_wrong_verifier(
    oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    session = _session(web_app)
    verifier = secrets.token_urlsafe(48)
    url, _ = session.create_authorization_url(
        oidc["authorization_endpoint"], code_verifier=verifier
    )
    callback = browser_login(url, alice.email, PASSWORD)
    with pytest.raises(OAuthError) as wrong_verifier:
        session.fetch_token(
            oidc["token_endpoint"], authorization_response=callback, code_verifier="x" * 50
        )
    assert wrong_verifier.value.error == "invalid_grant"
    session.fetch_token(
        oidc["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    with pytest.raises(OAuthError) as reused:
        session.fetch_token(
            oidc["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
    assert reused.value.description == "Errors.AuthRequest.NoCode"


def test_an_expired_access_token(
    mock_zitadel: MockZitadel, oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    session = _session(web_app)
    token = _login(oidc, session, alice)
    mock_zitadel.advance_time(12 * 3600 + 1)
    userinfo = requests.get(
        oidc["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=5,
    )
    assert userinfo.status_code == 401
    assert userinfo.json() == {
        "error": "access_denied",
        "error_description": "access token invalid",
    }
    api = mock_zitadel.create_application("backend", kind="api")
    introspection = OAuth2Session(api.client_id, api.client_secret).introspect_token(
        oidc["introspection_endpoint"], token=token["access_token"]
    )
    assert introspection.json() == {"active": False}


def test_introspection_by_an_api_of_another_project_is_inactive(
    mock_zitadel: MockZitadel, oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    token = _login(oidc, _session(web_app), alice)
    other = mock_zitadel.provider.state.directory.create_project("billing")
    api = mock_zitadel.create_application("billing-api", kind="api", project_id=other.id)
    answer = OAuth2Session(api.client_id, api.client_secret).introspect_token(
        oidc["introspection_endpoint"], token=token["access_token"]
    )
    assert answer.json() == {"active": False}


def test_programmed_failures_and_answers(
    mock_zitadel: MockZitadel, oidc: dict[str, Any], web_app: Application, alice: User
) -> None:
    session = _session(web_app)
    token = _login(oidc, session, alice)
    mock_zitadel.fail_next("token", "invalid_grant", "refresh token revoked by the test")
    with pytest.raises(OAuthError) as injected:
        session.refresh_token(oidc["token_endpoint"], refresh_token=token["refresh_token"])
    assert injected.value.error == "invalid_grant"
    assert session.refresh_token(oidc["token_endpoint"], refresh_token=token["refresh_token"])
    api = mock_zitadel.create_application("backend", kind="api")
    mock_zitadel.expect_introspect(token["access_token"], active=False).once()
    answer = OAuth2Session(api.client_id, api.client_secret).introspect_token(
        oidc["introspection_endpoint"], token=token["access_token"]
    )
    assert answer.json() == {"active": False}


@pytest.fixture(autouse=True)
def _no_env_leak(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AUTHLIB_INSECURE_TRANSPORT", raising=False)
    yield
