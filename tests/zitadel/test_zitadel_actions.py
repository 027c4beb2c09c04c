"""Zitadel's "complement token" actions: custom claims added to tokens at issue time.

Tokens are issued over a real socket (the code flow of the login pages, or the admin
route) and read back as an app reads them: the ID token and JWT access token verified
with PyJWT against the JWKS, userinfo and introspection over HTTP.
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from mocks.zitadel import ActionContext, Application, MockZitadel, User

REDIRECT = "http://127.0.0.1:8000/callback"


@pytest.fixture
def app(mock_zitadel: MockZitadel) -> Application:
    return mock_zitadel.create_application(
        "shop",
        redirect_uris=[REDIRECT],
        access_token_type="jwt",
        id_token_userinfo_assertion=True,
    )


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user("alice@example.com", given_name="Alice")


def _verified(mock: MockZitadel, token: str, audience: str) -> dict[str, Any]:
    key = jwt.PyJWKClient(mock.url + "/oauth/v2/keys").get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=audience, issuer=mock.issuer
    )
    return claims


def _userinfo(mock: MockZitadel, token: str) -> dict[str, Any]:
    answer = requests.get(
        mock.url + "/oidc/v1/userinfo", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    document: dict[str, Any] = answer.json()
    return document


def _introspect(mock: MockZitadel, app: Application, token: str) -> dict[str, Any]:
    assert app.client_secret is not None
    document: dict[str, Any] = requests.post(
        mock.url + "/oauth/v2/introspect",
        data={"token": token},
        auth=(app.client_id, app.client_secret),
        timeout=5,
    ).json()
    return document


def test_a_python_action_adds_claims_where_zitadel_adds_them(
    mock_zitadel: MockZitadel, app: Application, alice: User
) -> None:
    seen: list[ActionContext] = []

    def tenant(context: ActionContext) -> dict[str, Any]:
        seen.append(context)
        return {"tenant": context.org.name, "email": "overwritten@example.com"}

    mock_zitadel.add_action("tenant", tenant)
    tokens = mock_zitadel.issue_token(alice, app, scopes=["openid", "email"])
    assert tokens.id_token is not None
    id_claims = _verified(mock_zitadel, tokens.id_token, app.client_id)
    assert id_claims["tenant"] == "ACME"
    assert id_claims["email"] == "alice@example.com"  # existing claims win
    assert _userinfo(mock_zitadel, tokens.access_token)["tenant"] == "ACME"
    assert _introspect(mock_zitadel, app, tokens.access_token)["tenant"] == "ACME"
    access = _verified(mock_zitadel, tokens.access_token, app.project_id)
    assert "tenant" not in access  # another trigger
    assert seen[0].user.id == alice.id and seen[0].client_id == app.client_id
    assert seen[0].scopes == ("openid", "email")
    assert {c.trigger for c in seen} == {"pre_userinfo_creation"}


def test_an_access_token_action_and_reserved_claims(
    mock_zitadel: MockZitadel, app: Application, alice: User
) -> None:
    mock_zitadel.add_action(
        "gateway",
        lambda context: {
            "tier": "gold",
            "urn:zitadel:iam:org:project:roles": {"root": {}},
            "urn:zitadel:iam:user:resourceowner:id": "evil",
        },
        trigger="pre_access_token_creation",
    )
    access = _verified(
        mock_zitadel, mock_zitadel.issue_token(alice, app).access_token, app.project_id
    )
    assert access["tier"] == "gold"
    assert not any(key.startswith("urn:zitadel:iam") for key in access)


def test_a_json_rule_for_one_client_from_the_admin_api(
    mock_zitadel: MockZitadel, app: Application, alice: User
) -> None:
    other = mock_zitadel.create_application("blog", redirect_uris=[REDIRECT])
    answer = requests.post(
        mock_zitadel.url + "/__admin/zitadel/actions",
        json={"name": "shop-only", "claims": {"shop": True}, "client_id": app.client_id},
        timeout=5,
    )
    assert answer.status_code == 201
    assert _userinfo(mock_zitadel, mock_zitadel.issue_token(alice, app).access_token)["shop"]
    assert "shop" not in _userinfo(
        mock_zitadel, mock_zitadel.issue_token(alice, other).access_token
    )
    assert mock_zitadel.remove_action("shop-only")
    assert "shop" not in _userinfo(mock_zitadel, mock_zitadel.issue_token(alice, app).access_token)


def test_actions_from_a_stub_file_survive_reset() -> None:
    config = {
        "users": [{"email": "cfg@example.com"}],
        "applications": [{"name": "web", "redirect_uris": [REDIRECT]}],
        "actions": [{"name": "env", "claims": {"environment": "test"}}],
    }
    with MockZitadel.start(config=config) as mock:
        mock.reset()
        directory = mock.provider.state.directory
        (user,) = directory.users.values()
        (web,) = directory.applications.values()
        token = mock.issue_token(user, web).access_token
        assert _userinfo(mock, token)["environment"] == "test"


def test_add_action_takes_a_function_or_claims(mock_zitadel: MockZitadel) -> None:
    with pytest.raises(ValueError, match="function"):
        mock_zitadel.add_action("both", lambda context: None, claims={"a": 1})
    with pytest.raises(ValueError, match="function"):
        mock_zitadel.add_action("neither")
