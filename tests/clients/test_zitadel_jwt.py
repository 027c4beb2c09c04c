"""MockZitadel's tokens judged by PyJWT (PyJWKClient) and python-jose."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
import requests
from jose import jwt as jose_jwt

from mocks.zitadel import Application, MockZitadel, User

REDIRECT = "http://127.0.0.1:8000/callback"


@pytest.fixture
def jwt_app(mock_zitadel: MockZitadel) -> Application:
    return mock_zitadel.create_application(
        "jwt-shop",
        kind="web",
        redirect_uris=[REDIRECT],
        access_token_type="jwt",
        access_token_role_assertion=True,
    )


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user(
        "alice@example.com", password="Secret1!", roles=["admin"], metadata={"tier": "gold"}
    )


def _tokens(mock: MockZitadel, app: Application, user: User, *scopes: str) -> dict[str, Any]:
    scope = ["openid", "profile", "email", *scopes]
    return mock.issue_token(user, app, scopes=scope).body()


def test_pyjwkclient_validates_a_jwt_access_token_for_the_project(
    mock_zitadel: MockZitadel, jwt_app: Application, alice: User
) -> None:
    body = _tokens(
        mock_zitadel,
        jwt_app,
        alice,
        "urn:zitadel:iam:org:project:role:admin",
        "urn:zitadel:iam:user:metadata",
    )
    client = jwt.PyJWKClient(mock_zitadel.url + "/oauth/v2/keys")
    key = client.get_signing_key_from_jwt(body["access_token"])
    claims = jwt.decode(
        body["access_token"],
        key.key,
        algorithms=["RS256"],
        audience=mock_zitadel.project_id,
        issuer=mock_zitadel.url,
    )
    assert claims["sub"] == alice.id
    assert claims["client_id"] == jwt_app.client_id
    assert claims["exp"] - claims["iat"] == 12 * 3600
    assert abs(claims["iat"] - time.time()) < 60
    org_id = next(iter(claims["urn:zitadel:iam:org:project:roles"]["admin"]))
    assert claims["urn:zitadel:iam:org:project:roles"] == {"admin": {org_id: "acme.localhost"}}
    assert claims["urn:zitadel:iam:user:metadata"] == {"tier": "Z29sZA"}
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(body["access_token"], key.key, algorithms=["RS256"], audience="someone-else")


def test_pyjwkclient_follows_a_key_rotation(
    mock_zitadel: MockZitadel, jwt_app: Application, alice: User
) -> None:
    # PyJWT refetches the JWKS for an unknown kid, but by default at most every 30 s.
    client = jwt.PyJWKClient(
        mock_zitadel.url + "/oauth/v2/keys", cache_keys=True, cooldown_duration=0
    )
    before = _tokens(mock_zitadel, jwt_app, alice)["access_token"]
    old_kid = client.get_signing_key_from_jwt(before).key_id
    new_kid = mock_zitadel.rotate_keys().kid
    after = _tokens(mock_zitadel, jwt_app, alice)["access_token"]
    key = client.get_signing_key_from_jwt(after)
    assert (key.key_id, old_kid) == (new_kid, jwt.get_unverified_header(before)["kid"])
    jwt.decode(after, key.key, algorithms=["RS256"], audience=mock_zitadel.project_id)


def test_python_jose_validates_an_id_token_with_its_access_token(
    mock_zitadel: MockZitadel, jwt_app: Application, alice: User
) -> None:
    body = _tokens(mock_zitadel, jwt_app, alice)
    jwks = requests.get(mock_zitadel.url + "/oauth/v2/keys", timeout=5).json()
    claims = jose_jwt.decode(
        body["id_token"],
        jwks,
        algorithms=["RS256"],
        audience=jwt_app.client_id,
        issuer=mock_zitadel.url,
        access_token=body["access_token"],
    )
    assert claims["at_hash"] and claims["sub"] == alice.id
    with pytest.raises(jose_jwt.JWTClaimsError):
        jose_jwt.decode(
            body["id_token"],
            jwks,
            algorithms=["RS256"],
            audience=jwt_app.client_id,
            access_token="some-other-access-token",
        )


def test_an_opaque_access_token_is_not_a_jwt(mock_zitadel: MockZitadel, alice: User) -> None:
    app = mock_zitadel.create_application("opaque", redirect_uris=[REDIRECT])
    body = _tokens(mock_zitadel, app, alice)
    with pytest.raises(jwt.DecodeError):
        jwt.get_unverified_header(body["access_token"])


def test_a_revoked_jwt_access_token_no_longer_works(
    mock_zitadel: MockZitadel, jwt_app: Application, alice: User
) -> None:
    access = _tokens(mock_zitadel, jwt_app, alice)["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    url = mock_zitadel.url + "/oidc/v1/userinfo"
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    assert mock_zitadel.revoke(access)
    assert requests.get(url, headers=headers, timeout=5).status_code == 401
