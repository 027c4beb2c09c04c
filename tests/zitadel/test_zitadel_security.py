"""Regression tests for the security defects a review found, each named after its rule.

Every test talks to MockZitadel over a real socket; the forged tokens come from
`MockZitadel.sign_jwt`, so they carry a valid signature of the provider's own key.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
import requests

from mocks.zitadel import Application, MockZitadel, User

NATIVE_REDIRECT = "http://127.0.0.1/callback"
PKCE = {
    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    "code_challenge_method": "S256",
}


@pytest.fixture
def native(mock_zitadel: MockZitadel) -> Application:
    return mock_zitadel.create_application(
        "cli",
        kind="native",
        redirect_uris=[NATIVE_REDIRECT],
        post_logout_redirect_uris=["http://127.0.0.1/bye"],
    )


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user("alice@example.com", password="Secret1!")


def _authorize(mock: MockZitadel, app: Application, redirect_uri: str) -> requests.Response:
    query = {
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "openid",
        **PKCE,
    }
    return requests.get(
        f"{mock.url}/oauth/v2/authorize?{urlencode(query)}", allow_redirects=False, timeout=5
    )


# ---- RFC 8252 section 7.3: loopback means localhost or a loopback IP literal ------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.attacker.example/callback",
        "http://127.0.0.1.attacker.example/callback",
        "http://localhost.attacker.example/callback",
        "http://128.0.0.1/callback",
    ],
)
def test_rfc8252_7_3_a_host_name_that_looks_like_loopback_gets_no_code(
    mock_zitadel: MockZitadel, native: Application, redirect_uri: str
) -> None:
    answer = _authorize(mock_zitadel, native, redirect_uri)
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert answer.json()["error"] == "invalid_request"
    assert answer.json()["error_description"].startswith(
        "The requested redirect_uri is missing in the client configuration."
    )


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:53117/callback",
        "http://127.8.9.10:4000/callback",
        "http://[::1]:53117/callback",
        "http://localhost:53117/callback",
    ],
)
def test_rfc8252_7_3_loopback_literals_keep_any_port(
    mock_zitadel: MockZitadel, native: Application, redirect_uri: str
) -> None:
    answer = _authorize(mock_zitadel, native, redirect_uri)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/ui/login/login?authRequestID=")


def test_rfc8252_7_3_end_session_does_not_redirect_to_a_look_alike_host(
    mock_zitadel: MockZitadel, native: Application
) -> None:
    query = {"client_id": native.client_id}
    bad = {**query, "post_logout_redirect_uri": "http://127.attacker.example/bye"}
    refused = requests.get(
        f"{mock_zitadel.url}/oidc/v1/end_session?{urlencode(bad)}",
        allow_redirects=False,
        timeout=5,
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_request",
        "error_description": "post_logout_redirect_uri invalid",
    }
    good = {**query, "post_logout_redirect_uri": "http://127.0.0.1:6000/bye"}
    accepted = requests.get(
        f"{mock_zitadel.url}/oidc/v1/end_session?{urlencode(good)}",
        allow_redirects=False,
        timeout=5,
    )
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "http://127.0.0.1:6000/bye"


# ---- RFC 7519 section 4.1 / RFC 7662 section 2.2: a JWT is checked before use -------------


@pytest.fixture
def jwt_app(mock_zitadel: MockZitadel) -> Application:
    return mock_zitadel.create_application(
        "api-web", redirect_uris=["http://127.0.0.1:8000/cb"], access_token_type="jwt"
    )


def _introspect(mock: MockZitadel, app: Application, token: str) -> dict[str, Any]:
    assert app.client_secret is not None
    answer = requests.post(
        mock.url + "/oauth/v2/introspect",
        data={"token": token},
        auth=(app.client_id, app.client_secret),
        timeout=5,
    )
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def _uses(mock: MockZitadel, token: str) -> tuple[int, int]:
    """(userinfo status, v2 user API status) for a bearer token."""
    headers = {"Authorization": f"Bearer {token}"}
    userinfo = requests.get(mock.url + "/oidc/v1/userinfo", headers=headers, timeout=5)
    api = requests.post(mock.url + "/v2/users", json={}, headers=headers, timeout=5)
    return userinfo.status_code, api.status_code


def test_rfc7662_a_genuine_jwt_access_token_is_active(
    mock_zitadel: MockZitadel, jwt_app: Application, alice: User
) -> None:
    token = mock_zitadel.issue_token(alice, jwt_app).access_token
    document = _introspect(mock_zitadel, jwt_app, token)
    assert document["active"] is True and document["sub"] == alice.id
    assert _uses(mock_zitadel, token) == (200, 200)


@pytest.mark.parametrize(
    ("rule", "changes"),
    [
        ("RFC 7519 4.1.4 exp", {"exp": 0}),
        ("RFC 7519 4.1.1 iss", {"iss": "https://evil.example"}),
        ("RFC 7519 4.1.3 aud", {"aud": ["someone-else"]}),
        ("RFC 7519 4.1.2 sub", {"sub": "1"}),
        ("RFC 7519 4.1.5 nbf", {"nbf": 4_000_000_000}),
    ],
)
def test_rfc7519_a_signed_jwt_with_changed_claims_is_refused(
    mock_zitadel: MockZitadel,
    jwt_app: Application,
    alice: User,
    rule: str,
    changes: dict[str, Any],
) -> None:
    genuine = mock_zitadel.issue_token(alice, jwt_app).access_token
    claims = jwt.decode(genuine, options={"verify_signature": False})
    forged = mock_zitadel.sign_jwt({**claims, **changes})
    assert forged != genuine
    assert _introspect(mock_zitadel, jwt_app, forged) == {"active": False}, rule
    assert _uses(mock_zitadel, forged) == (401, 401), rule
    # The genuine token is still fine: the forgery changed nothing stored.
    assert _introspect(mock_zitadel, jwt_app, genuine)["sub"] == alice.id


def test_rfc7519_a_jwt_the_provider_never_issued_is_inactive(
    mock_zitadel: MockZitadel, jwt_app: Application, alice: User
) -> None:
    token = mock_zitadel.sign_jwt({"sub": alice.id, "client_id": jwt_app.client_id})
    assert _introspect(mock_zitadel, jwt_app, token) == {"active": False}
    assert _uses(mock_zitadel, token) == (401, 401)


def test_rfc7519_4_1_4_an_issued_jwt_expires_with_the_clock(
    mock_zitadel: MockZitadel, jwt_app: Application, alice: User
) -> None:
    mock_zitadel.freeze_time(1_700_000_000)
    token = mock_zitadel.issue_token(alice, jwt_app, expires_in=60).access_token
    assert _introspect(mock_zitadel, jwt_app, token)["active"] is True
    mock_zitadel.advance_time(61)
    assert _introspect(mock_zitadel, jwt_app, token) == {"active": False}


# ---- RFC 6749 section 5.2: a malformed Basic header is a client error, never a 500 --------

#: Go's ``Request.BasicAuth`` ignores a header it cannot decode, so Zitadel answers as if
#: no client had authenticated: ``invalid_request``, "client_id or client_assertion must
#: be provided".
_ENDPOINTS = {
    "/oauth/v2/token": {"grant_type": "client_credentials", "scope": "openid"},
    "/oauth/v2/introspect": {"token": "t"},
    "/oauth/v2/revoke": {"token": "t"},
    "/oauth/v2/device_authorization": {"scope": "openid"},
}


@pytest.mark.parametrize("path", sorted(_ENDPOINTS))
@pytest.mark.parametrize(
    "header",
    [b"Basic \xe9\xe9\xff", b"Basic \xc3\xa9t\xc3\xa9", b"Basic %%%", b"Basic gAAA"],
    ids=["latin1-bytes", "utf8-bytes", "not-base64", "not-utf8-inside"],
)
def test_rfc6749_5_2_non_ascii_basic_credentials_are_a_client_error(
    mock_zitadel: MockZitadel, path: str, header: bytes
) -> None:
    answer = requests.post(
        mock_zitadel.url + path,
        data=_ENDPOINTS[path],
        headers={"Authorization": header.decode("latin-1")},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_request",
        "error_description": "client_id or client_assertion must be provided",
    }


def test_rfc6749_2_3_1_utf8_credentials_decode_and_fail_as_unknown_client(
    mock_zitadel: MockZitadel,
) -> None:
    credentials = base64.b64encode("clïent:sécret".encode()).decode()
    answer = requests.post(
        mock_zitadel.url + "/oauth/v2/token",
        data={"grant_type": "authorization_code", "code": "c", "redirect_uri": "x"},
        headers={"Authorization": f"Basic {credentials}"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "no active client not found",
    }


# ---- sign_jwt: tokens an app's own validation must accept or refuse -----------------------


def test_sign_jwt_defaults_verify_with_pyjwt_against_the_jwks(mock_zitadel: MockZitadel) -> None:
    token = mock_zitadel.sign_jwt({"sub": "42", "scope": "read"})
    keys = jwt.PyJWKClient(mock_zitadel.url + "/oauth/v2/keys")
    key = keys.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=mock_zitadel.project_id,
        issuer=mock_zitadel.issuer,
    )
    assert claims["sub"] == "42" and claims["scope"] == "read"
    assert claims["exp"] > claims["iat"]


def test_sign_jwt_makes_tokens_pyjwt_refuses_for_the_right_reason(
    mock_zitadel: MockZitadel,
) -> None:
    keys = jwt.PyJWKClient(mock_zitadel.url + "/oauth/v2/keys")

    def decode(token: str) -> dict[str, Any]:
        key = keys.get_signing_key_from_jwt(token)
        decoded: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=mock_zitadel.project_id,
            issuer=mock_zitadel.issuer,
        )
        return decoded

    with pytest.raises(jwt.ExpiredSignatureError):
        decode(mock_zitadel.sign_jwt({"sub": "1", "exp": 1}))
    with pytest.raises(jwt.InvalidIssuerError):
        decode(mock_zitadel.sign_jwt({"sub": "1", "iss": "https://evil.example"}))
    with pytest.raises(jwt.InvalidAudienceError):
        decode(mock_zitadel.sign_jwt({"sub": "1", "aud": "another-api"}))
    with pytest.raises(jwt.MissingRequiredClaimError):
        token = mock_zitadel.sign_jwt({"sub": "1", "aud": None})
        jwt.decode(
            token,
            keys.get_signing_key_from_jwt(token).key,
            algorithms=["RS256"],
            audience=mock_zitadel.project_id,
        )
    with pytest.raises(jwt.PyJWKClientError):
        decode(mock_zitadel.sign_jwt({"sub": "1"}, kid="unknown-key"))


def test_sign_jwt_with_a_retired_but_published_key(mock_zitadel: MockZitadel) -> None:
    old = requests.get(mock_zitadel.url + "/oauth/v2/keys", timeout=5).json()["keys"][0]["kid"]
    mock_zitadel.rotate_keys()
    token = mock_zitadel.sign_jwt({"sub": "1"}, kid=old)
    assert jwt.get_unverified_header(token)["kid"] == old
    key = jwt.PyJWKClient(mock_zitadel.url + "/oauth/v2/keys").get_signing_key_from_jwt(token)
    assert jwt.decode(token, key.key, algorithms=["RS256"], audience=mock_zitadel.project_id)


def test_rfc7517_a_jwt_whose_key_left_the_jwks_is_inactive(
    mock_zitadel: MockZitadel, jwt_app: Application, alice: User
) -> None:
    mock_zitadel.freeze_time(1_700_000_000)
    mock_zitadel.lifetimes.access_token = timedelta(hours=48)
    token = mock_zitadel.issue_token(alice, jwt_app).access_token
    mock_zitadel.rotate_keys()
    mock_zitadel.advance_time(29 * 3600)
    assert _introspect(mock_zitadel, jwt_app, token)["active"] is True
    mock_zitadel.advance_time(2 * 3600)  # the retired key is no longer published (30 h)
    assert _introspect(mock_zitadel, jwt_app, token) == {"active": False}
