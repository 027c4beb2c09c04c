"""The contracts are valid JSON Schemas, and the provider's documents satisfy them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mocks.zitadel._discovery import discovery_document
from mocks.zitadel._errors import INTERNAL, TOKEN_INVALID, USER_NOT_FOUND, OAuthError

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts" / "zitadel"


@pytest.mark.parametrize("path", sorted(CONTRACTS.glob("*.json")), ids=lambda p: p.name)
def test_every_contract_is_a_valid_2020_12_schema(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_the_discovery_document(kit: Any) -> None:
    document = discovery_document("http://127.0.0.1:8080/")
    kit.assert_valid("discovery.response.json", document)
    assert document["issuer"] == "http://127.0.0.1:8080"
    assert document["token_endpoint"] == "http://127.0.0.1:8080/oauth/v2/token"
    assert document["jwks_uri"] == "http://127.0.0.1:8080/oauth/v2/keys"
    assert document["end_session_endpoint"] == "http://127.0.0.1:8080/oidc/v1/end_session"
    assert document["userinfo_endpoint"] == "http://127.0.0.1:8080/oidc/v1/userinfo"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert "password" not in document["grant_types_supported"]
    assert document["introspection_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "private_key_jwt",
    ]


def test_the_discovery_endpoint_uses_the_request_base_url(flow: Any, kit: Any) -> None:
    result = flow.call("GET", "/.well-known/openid-configuration")
    kit.assert_valid("discovery.response.json", result.json)
    assert result.json["issuer"] == kit.ISSUER


def test_a_password_grant_in_discovery_breaks_the_contract(kit: Any) -> None:
    document = discovery_document("http://127.0.0.1:8080")
    document["grant_types_supported"].append("password")
    assert list(kit.contract("discovery.response.json").iter_errors(document))


@pytest.mark.parametrize(
    "error",
    [
        OAuthError("invalid_grant"),
        OAuthError("invalid_client", "invalid secret"),
        INTERNAL.oauth(),
        USER_NOT_FOUND.oauth(),
    ],
)
def test_oauth_errors_follow_the_contract(kit: Any, error: OAuthError) -> None:
    kit.assert_valid("oauth-error.json", error.body())


def test_rest_and_connect_errors_follow_their_contracts(kit: Any) -> None:
    for error in (USER_NOT_FOUND, TOKEN_INVALID, INTERNAL):
        kit.assert_valid("rest-error.json", error.rest_body())
        kit.assert_valid("connect-error.json", error.connect_body())


def test_request_contracts_accept_real_requests_and_refuse_broken_ones(kit: Any) -> None:
    kit.assert_valid(
        "token.request.json",
        {"grant_type": "authorization_code", "code": "c", "redirect_uri": "http://x/cb"},
    )
    broken = {"grant_type": "authorization_code", "code": "c"}
    assert list(kit.contract("token.request.json").iter_errors(broken))
    kit.assert_valid("introspect.request.json", {"token": "t"})
    assert list(kit.contract("introspect.request.json").iter_errors({}))
    kit.assert_valid("revoke.request.json", {"token": "t", "token_type_hint": "refresh_token"})
    kit.assert_valid("device_authorization.request.json", {"client_id": "c", "scope": "openid"})
    kit.assert_valid("user.set_password.request.json", {"newPassword": {"password": "p"}})
    kit.assert_valid("user.list.request.json", {"query": {"limit": 10}, "queries": []})
    kit.assert_valid("user.get.request.json", {"userId": "123"})
    kit.assert_valid("user.delete.request.json", {"userId": "123"})


def test_a_session_request_breaking_its_contract_is_refused_and_reported() -> None:
    import requests

    from mocks.zitadel import MockZitadel

    with MockZitadel.start(check_responses=True) as mock:
        robot = mock.create_service_user("ui").user
        token = mock.create_personal_access_token(robot)
        user = mock.create_test_user("alice@example.com", password="Secret1!")
        answer = requests.post(
            mock.url + "/zitadel.session.v2.SessionService/CreateSession",
            json={"checks": {"user": {"userId": user.id}, "pasword": {"password": "x"}}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.status_code == 400
        assert answer.json()["code"] == "invalid_argument"
        assert "pasword" in answer.json()["message"]
        assert mock.provider.state.sessions.sessions == {}
        with pytest.raises(AssertionError, match=r"session\.create\.request.*pasword"):
            mock.verify()
