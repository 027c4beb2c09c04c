"""RFC 8693 token exchange against MockZitadel, driven by authlib's OAuth2Session.

Off by default (Zitadel's ``oidc_token_exchange`` feature flag); switched on through the
feature service with the ``zitadel-client`` SDK, as an operator would. The tokens it
issues are verified with PyJWT against the JWKS and checked by introspection.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import zitadel_client
    from zitadel_client import models as m

from mocks.zitadel import Application, MockZitadel, User

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS = "urn:ietf:params:oauth:token-type:access_token"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
JWT = "urn:ietf:params:oauth:token-type:jwt"
USER_ID = "urn:zitadel:params:oauth:token-type:user_id"
REDIRECT = "http://127.0.0.1:8000/callback"


@pytest.fixture
def gateway(mock_zitadel: MockZitadel) -> Application:
    """A confidential app allowed to exchange tokens (an API gateway, say)."""
    return mock_zitadel.create_application(
        "gateway",
        redirect_uris=[REDIRECT],
        grant_types=["authorization_code", "refresh_token", EXCHANGE],
    )


@pytest.fixture
def client(gateway: Application) -> Iterator[OAuth2Session]:
    session = OAuth2Session(gateway.client_id, gateway.client_secret)
    yield session
    session.close()


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user("alice@example.com", given_name="Alice")


@pytest.fixture
def admin(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user("support@example.com", given_name="Support")


@pytest.fixture
def sdk(mock_zitadel: MockZitadel, tmp_path: Path) -> zitadel_client.Zitadel:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(mock_zitadel.create_service_user("operator")))
    return zitadel_client.Zitadel.with_private_key(mock_zitadel.url, str(path))


def _enable(sdk: zitadel_client.Zitadel, *, impersonation: bool = False) -> None:
    sdk.features.set_instance_features(
        m.FeatureServiceSetInstanceFeaturesRequest(oidc_token_exchange=True)
    )
    if impersonation:
        sdk.settings.set_security_settings(
            m.SettingsServiceSetSecuritySettingsRequest(enable_impersonation=True)
        )


def _exchange(mock: MockZitadel, client: OAuth2Session, **form: str) -> dict[str, Any]:
    token: dict[str, Any] = client.fetch_token(
        mock.url + "/oauth/v2/token", grant_type=EXCHANGE, **form
    )
    return token


def _verify(mock: MockZitadel, token: str, audience: str) -> dict[str, Any]:
    key = jwt.PyJWKClient(mock.url + "/oauth/v2/keys").get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=audience, issuer=mock.issuer
    )
    return claims


def _introspect(mock: MockZitadel, app: Application, token: str) -> dict[str, Any]:
    assert app.client_secret is not None
    document: dict[str, Any] = requests.post(
        mock.url + "/oauth/v2/introspect",
        data={"token": token},
        auth=(app.client_id, app.client_secret),
        timeout=5,
    ).json()
    return document


def test_token_exchange_is_off_by_default_like_zitadels_feature_flag(
    mock_zitadel: MockZitadel, client: OAuth2Session, gateway: Application, alice: User
) -> None:
    subject = mock_zitadel.issue_token(alice, gateway).access_token
    discovery = requests.get(mock_zitadel.url + "/.well-known/openid-configuration", timeout=5)
    assert EXCHANGE not in discovery.json()["grant_types_supported"]
    with pytest.raises(OAuthError) as off:
        _exchange(mock_zitadel, client, subject_token=subject, subject_token_type=ACCESS)
    assert off.value.error == "invalid_request"
    assert off.value.description == "Errors.TokenExchange.FeatureDisabled"


def test_an_application_without_the_grant_type_may_not_exchange(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, alice: User
) -> None:
    _enable(sdk)
    web = mock_zitadel.create_application("web", redirect_uris=[REDIRECT])
    subject = mock_zitadel.issue_token(alice, web).access_token
    with (
        OAuth2Session(web.client_id, web.client_secret) as web_client,
        pytest.raises(OAuthError) as refused,
    ):
        _exchange(mock_zitadel, web_client, subject_token=subject, subject_token_type=ACCESS)
    assert refused.value.error == "unauthorized_client"


def test_an_access_token_is_exchanged_for_a_narrower_jwt(
    mock_zitadel: MockZitadel,
    sdk: zitadel_client.Zitadel,
    client: OAuth2Session,
    gateway: Application,
    alice: User,
) -> None:
    _enable(sdk)
    discovery = requests.get(mock_zitadel.url + "/.well-known/openid-configuration", timeout=5)
    assert EXCHANGE in discovery.json()["grant_types_supported"]
    subject = mock_zitadel.issue_token(
        alice, gateway, scopes=["openid", "profile", "email"]
    ).access_token
    token = _exchange(
        mock_zitadel,
        client,
        subject_token=subject,
        subject_token_type=ACCESS,
        requested_token_type=JWT,
        scope="openid email",
        audience=gateway.client_id,
    )
    assert token["issued_token_type"] == JWT and token["token_type"] == "Bearer"
    assert token["scope"] == "openid email" and token["expires_in"] > 0
    claims = _verify(mock_zitadel, token["access_token"], gateway.client_id)
    assert claims["sub"] == alice.id and claims["aud"] == [gateway.client_id]
    assert "act" not in claims
    introspected = _introspect(mock_zitadel, gateway, token["access_token"])
    assert introspected["active"] is True and introspected["scope"] == "openid email"
    assert _verify(mock_zitadel, token["id_token"], gateway.client_id)["sub"] == alice.id


def test_scope_and_audience_may_only_narrow(
    mock_zitadel: MockZitadel,
    sdk: zitadel_client.Zitadel,
    client: OAuth2Session,
    gateway: Application,
    alice: User,
) -> None:
    _enable(sdk)
    subject = mock_zitadel.issue_token(alice, gateway, scopes=["openid"]).access_token
    with pytest.raises(OAuthError) as wider:
        _exchange(
            mock_zitadel, client, subject_token=subject, subject_token_type=ACCESS, scope="email"
        )
    assert (wider.value.error, wider.value.description) == (
        "invalid_scope",
        'scope "email" not found in subject or actor token',
    )
    with pytest.raises(OAuthError) as elsewhere:
        _exchange(
            mock_zitadel,
            client,
            subject_token=subject,
            subject_token_type=ACCESS,
            audience="another-api",
        )
    assert elsewhere.value.error == "invalid_target"
    with pytest.raises(OAuthError) as forged:
        _exchange(
            mock_zitadel,
            client,
            subject_token=mock_zitadel.sign_jwt({"sub": alice.id}),
            subject_token_type=ACCESS,
        )
    assert (forged.value.error, forged.value.description) == (
        "invalid_request",
        "subject_token invalid",
    )


def test_impersonation_needs_the_policy_and_an_impersonator(
    mock_zitadel: MockZitadel,
    sdk: zitadel_client.Zitadel,
    client: OAuth2Session,
    gateway: Application,
    alice: User,
    admin: User,
) -> None:
    _enable(sdk)
    actor = mock_zitadel.issue_token(admin, gateway, scopes=["openid", "profile"]).access_token
    form = {
        "subject_token": alice.id,
        "subject_token_type": USER_ID,
        "actor_token": actor,
        "actor_token_type": ACCESS,
    }
    with pytest.raises(OAuthError) as policy:
        _exchange(mock_zitadel, client, **form)
    assert policy.value.description == "Errors.TokenExchange.Impersonation.PolicyDisabled"
    _enable(sdk, impersonation=True)
    with pytest.raises(OAuthError) as permission:
        _exchange(mock_zitadel, client, **form)
    assert permission.value.description == "Errors.PermissionDenied"

    mock_zitadel.allow_impersonation(admin)
    token = _exchange(mock_zitadel, client, **form)
    assert token["issued_token_type"] == ACCESS
    introspected = _introspect(mock_zitadel, gateway, token["access_token"])
    assert introspected["sub"] == alice.id
    assert introspected["act"] == {"iss": mock_zitadel.issuer, "sub": admin.id}
    id_claims = _verify(mock_zitadel, token["id_token"], gateway.client_id)
    assert id_claims["act"]["sub"] == admin.id
    userinfo = requests.get(
        mock_zitadel.url + "/oidc/v1/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=5,
    ).json()
    assert userinfo["sub"] == alice.id and userinfo["given_name"] == "Alice"


def test_delegation_with_two_access_tokens_names_the_actor(
    mock_zitadel: MockZitadel,
    sdk: zitadel_client.Zitadel,
    client: OAuth2Session,
    gateway: Application,
    alice: User,
    admin: User,
) -> None:
    _enable(sdk, impersonation=True)
    mock_zitadel.allow_impersonation(admin)
    subject = mock_zitadel.issue_token(alice, gateway, scopes=["openid"]).access_token
    actor = mock_zitadel.issue_token(admin, gateway, scopes=["openid"]).access_token
    token = _exchange(
        mock_zitadel,
        client,
        subject_token=subject,
        subject_token_type=ACCESS,
        actor_token=actor,
        actor_token_type=ACCESS,
        requested_token_type=JWT,
    )
    claims = _verify(mock_zitadel, token["access_token"], gateway.project_id)
    assert claims["sub"] == alice.id
    assert claims["act"] == {"iss": mock_zitadel.issuer, "sub": admin.id}


def test_an_id_token_can_be_requested_and_is_not_an_access_token(
    mock_zitadel: MockZitadel,
    sdk: zitadel_client.Zitadel,
    client: OAuth2Session,
    gateway: Application,
    alice: User,
) -> None:
    _enable(sdk)
    subject = mock_zitadel.issue_token(alice, gateway, scopes=["openid"]).access_token
    token = _exchange(
        mock_zitadel,
        client,
        subject_token=subject,
        subject_token_type=ACCESS,
        requested_token_type=ID_TOKEN,
    )
    assert (token["issued_token_type"], token["token_type"]) == (ID_TOKEN, "N_A")
    assert _verify(mock_zitadel, token["access_token"], gateway.client_id)["sub"] == alice.id
    assert _introspect(mock_zitadel, gateway, token["access_token"]) == {"active": False}
