"""Refresh rotation, machine grants, introspection, revocation, userinfo and expiry."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mocks.jose import encode_jwt as encode
from mocks.zitadel._model import Application, User
from mocks.zitadel._provider import ZitadelProvider


def _login_tokens(flow: Any, app: Application, user: User, **params: str) -> dict[str, Any]:
    result = flow.exchange(app, flow.code(app, user, "Secret1!", **params))
    assert result.status == 200, result.json
    body: dict[str, Any] = result.json
    return body


def _refresh(flow: Any, app: Application, token: str, **extra: str) -> Any:
    return flow.token({"grant_type": "refresh_token", "refresh_token": token, **extra}, app)


def _assertion(key_file: dict[str, str], audience: str, now: float, **claims: Any) -> str:
    private = serialization.load_pem_private_key(key_file["key"].encode(), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    subject = key_file.get("userId") or key_file["clientId"]
    payload = {
        "iss": subject,
        "sub": subject,
        "aud": audience,
        "iat": int(now),
        "exp": int(now) + 600,
    }
    payload.update(claims)
    return encode(payload, private, key_file["keyId"])


# ---- refresh ----------------------------------------------------------------------------


def test_refresh_rotates_the_refresh_token_and_the_old_one_dies(
    flow: Any, web_app: Application, alice: User
) -> None:
    first = _login_tokens(flow, web_app, alice)
    second = _refresh(flow, web_app, first["refresh_token"])
    assert second.status == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    assert second.json["access_token"] != first["access_token"]
    assert "id_token" in second.json
    old = _refresh(flow, web_app, first["refresh_token"])
    assert old.status == 400
    assert old.json == {
        "error": "invalid_request",
        "error_description": "Errors.OIDCSession.RefreshTokenInvalid",
    }
    assert _refresh(flow, web_app, second.json["refresh_token"]).status == 200


def test_no_refresh_token_without_offline_access(
    flow: Any, web_app: Application, alice: User
) -> None:
    body = _login_tokens(flow, web_app, alice, scope="openid profile")
    assert "refresh_token" not in body


def test_no_refresh_token_when_the_app_may_not_refresh(
    flow: Any, provider: ZitadelProvider, alice: User, kit: Any
) -> None:
    app = provider.create_application(
        "no-refresh", redirect_uris=[kit.REDIRECT], grant_types=["authorization_code"]
    )
    assert "refresh_token" not in _login_tokens(flow, app, alice)


def test_refresh_with_a_wider_scope_is_refused(
    flow: Any, web_app: Application, alice: User
) -> None:
    body = _login_tokens(flow, web_app, alice)
    wider = _refresh(flow, web_app, body["refresh_token"], scope="openid phone")
    assert wider.json == {"error": "invalid_scope"}


def test_another_client_cannot_use_the_refresh_token(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User, kit: Any
) -> None:
    body = _login_tokens(flow, web_app, alice)
    other = provider.create_application("other", redirect_uris=[kit.REDIRECT])
    assert _refresh(flow, other, body["refresh_token"]).status == 400


def test_an_expired_refresh_token_is_refused(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    body = _login_tokens(flow, web_app, alice)
    assert provider.expire(body["refresh_token"])
    assert _refresh(flow, web_app, body["refresh_token"]).status == 400


def test_refresh_tokens_die_after_the_idle_lifetime(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    body = _login_tokens(flow, web_app, alice)
    provider.state.clock.advance(30 * 24 * 3600 + 1)
    assert _refresh(flow, web_app, body["refresh_token"]).status == 400


# ---- machine grants ---------------------------------------------------------------------


def test_client_credentials_with_a_service_user(
    flow: Any, kit: Any, provider: ZitadelProvider
) -> None:
    robot = provider.create_service_user("robot")
    assert robot.secret
    form = {"grant_type": "client_credentials", "scope": "openid profile"}
    headers = {"Authorization": kit.basic(robot.username, robot.secret)}
    result = flow.call("POST", "/oauth/v2/token", form=form, headers=headers)
    assert result.status == 200, result.json
    kit.assert_valid("token.response.json", result.json)
    info = flow.call(
        "GET",
        "/oidc/v1/userinfo",
        headers={"Authorization": f"Bearer {result.json['access_token']}"},
    )
    assert info.json["sub"] == robot.id
    assert info.json["name"] == "robot"


def test_client_credentials_errors(flow: Any, kit: Any, provider: ZitadelProvider) -> None:
    robot = provider.create_service_user("robot")
    form = {"grant_type": "client_credentials", "scope": "openid"}
    wrong = flow.call(
        "POST", "/oauth/v2/token", form=form, headers={"Authorization": kit.basic("robot", "no")}
    )
    assert wrong.json == {
        "error": "invalid_request",
        "error_description": "Errors.User.Machine.Secret.Invalid",
    }
    unknown = flow.call(
        "POST", "/oauth/v2/token", form=form, headers={"Authorization": kit.basic("ghost", "x")}
    )
    assert unknown.json == {"error": "invalid_client", "error_description": "client not found"}
    assert robot.secret is not None
    no_scope = flow.call(
        "POST",
        "/oauth/v2/token",
        form={"grant_type": "client_credentials"},
        headers={"Authorization": kit.basic("robot", robot.secret)},
    )
    assert no_scope.json["error"] == "invalid_request"
    assert no_scope.json["error_description"].startswith("The scope of your request is missing.")


def test_jwt_profile_grant_with_a_service_user_key_file(
    flow: Any, kit: Any, provider: ZitadelProvider
) -> None:
    robot = provider.create_service_user("robot", access_token_type="jwt")
    key_file = robot.key_file
    assert key_file is not None
    assert set(key_file) == {"type", "keyId", "key", "userId"}
    assert key_file["type"] == "serviceaccount" and key_file["userId"] == robot.id
    scope = f"openid urn:zitadel:iam:org:project:id:{provider.project_id}:aud"
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "assertion": _assertion(key_file, kit.ISSUER, kit.NOW),
        "scope": scope,
    }
    result = flow.call("POST", "/oauth/v2/token", form=form)
    assert result.status == 200, result.json
    jwks = jwt.PyJWKSet.from_dict(flow.call("GET", "/oauth/v2/keys").json)
    access = result.json["access_token"]
    claims = jwt.decode(
        access,
        jwks[jwt.get_unverified_header(access)["kid"]].key,
        algorithms=["RS256"],
        audience=provider.project_id,
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["sub"] == robot.id
    assert claims["client_id"] == robot.id
    kit.assert_valid("access_token.claims.json", claims)


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "http://elsewhere"},
        {"exp": 1},
        {"iss": "someone-else"},
        {"iat": 1_700_000_000 + 3600},
    ],
    ids=["wrong-audience", "expired", "iss-not-sub", "iat-in-future"],
)
def test_jwt_profile_failures_are_server_errors_as_in_zitadel(
    flow: Any, kit: Any, provider: ZitadelProvider, change: dict[str, Any]
) -> None:
    robot = provider.create_service_user("robot")
    assert robot.key_file is not None
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "assertion": _assertion(robot.key_file, kit.ISSUER, kit.NOW, **change),
        "scope": "openid",
    }
    result = flow.call("POST", "/oauth/v2/token", form=form)
    assert result.status == 500
    assert result.json == {"error": "server_error", "error_description": "Errors.Internal"}


def test_private_key_jwt_client_authentication(
    flow: Any, kit: Any, provider: ZitadelProvider, alice: User
) -> None:
    app = provider.create_application(
        "signed", redirect_uris=[kit.REDIRECT], auth_method="private_key_jwt"
    )
    assert app.key_file is not None and app.key_file["type"] == "application"
    assert app.client_secret is None
    code = flow.code(app, alice, "Secret1!")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": kit.REDIRECT,
        "code_verifier": kit.VERIFIER,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": _assertion(app.key_file, "http://wrong", kit.NOW),
    }
    bad = flow.call("POST", "/oauth/v2/token", form=form)
    assert bad.json == {"error": "invalid_client", "error_description": "invalid assertion"}
    form["client_assertion"] = _assertion(app.key_file, kit.ISSUER, kit.NOW)
    assert flow.call("POST", "/oauth/v2/token", form=form).status == 200


# ---- introspection ----------------------------------------------------------------------


def _introspect(flow: Any, kit: Any, api: Application, token: str) -> Any:
    assert api.client_secret is not None
    return flow.call(
        "POST",
        "/oauth/v2/introspect",
        form={"token": token},
        headers={"Authorization": kit.basic(api.client_id, api.client_secret)},
    )


def test_introspection_of_an_active_token(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    api = provider.create_application("backend", kind="api")
    body = _login_tokens(flow, web_app, alice)
    result = _introspect(flow, kit, api, body["access_token"])
    kit.assert_valid("introspect.response.json", result.json)
    assert result.json["active"] is True
    assert result.json["sub"] == alice.id
    assert result.json["client_id"] == web_app.client_id
    assert result.json["aud"] == [provider.project_id, web_app.client_id]
    assert result.json["username"] == "alice@example.com"
    assert result.json["iss"] == kit.ISSUER
    org = provider.state.directory.org
    assert result.json["urn:zitadel:iam:org:project:roles"] == {
        "admin": {org.id: org.primary_domain}
    }


def test_introspection_answers_inactive_for_every_token_failure(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    api = provider.create_application("backend", kind="api")
    body = _login_tokens(flow, web_app, alice)
    assert _introspect(flow, kit, api, "garbage").json == {"active": False}
    foreign_project = provider.state.directory.create_project("other")
    stranger = provider.state.directory.create_application(
        "stranger", kind="api", project_id=foreign_project.id
    )
    assert _introspect(flow, kit, stranger, body["access_token"]).json == {"active": False}
    provider.expire(body["access_token"])
    assert _introspect(flow, kit, api, body["access_token"]).json == {"active": False}


def test_introspection_client_authentication_failures(
    flow: Any, kit: Any, provider: ZitadelProvider
) -> None:
    api = provider.create_application("backend", kind="api")
    none = flow.call(
        "POST", "/oauth/v2/introspect", form={"token": "t", "client_id": api.client_id}
    )
    assert none.json == {
        "error": "invalid_client",
        "error_description": "client must be authenticated",
    }
    wrong = flow.call(
        "POST",
        "/oauth/v2/introspect",
        form={"token": "t"},
        headers={"Authorization": kit.basic(api.client_id, "wrong")},
    )
    assert (wrong.status, wrong.json) == (400, {"error": "unauthorized_client"})


def test_introspection_with_private_key_jwt(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    api = provider.create_application("backend", kind="api", auth_method="private_key_jwt")
    assert api.key_file is not None
    body = _login_tokens(flow, web_app, alice)
    form = {
        "token": body["access_token"],
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": _assertion(api.key_file, kit.ISSUER, kit.NOW),
    }
    assert flow.call("POST", "/oauth/v2/introspect", form=form).json["active"] is True


# ---- revocation, userinfo, expiry ---------------------------------------------------------


def test_revoking_the_refresh_token_ends_the_session(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    body = _login_tokens(flow, web_app, alice)
    assert web_app.client_secret is not None
    result = flow.call(
        "POST",
        "/oauth/v2/revoke",
        form={"token": body["refresh_token"]},
        headers={"Authorization": kit.basic(web_app.client_id, web_app.client_secret)},
    )
    assert (result.status, result.body_bytes()) == (200, b"")
    assert _refresh(flow, web_app, body["refresh_token"]).status == 400
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert flow.call("GET", "/oidc/v1/userinfo", headers=bearer).status == 401


def test_revoking_an_unknown_token_succeeds_and_another_clients_token_fails(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    body = _login_tokens(flow, web_app, alice)
    other = provider.create_application("other", redirect_uris=[kit.REDIRECT])
    assert other.client_secret is not None
    auth = {"Authorization": kit.basic(other.client_id, other.client_secret)}
    unknown = flow.call("POST", "/oauth/v2/revoke", form={"token": "nope"}, headers=auth)
    assert unknown.status == 200
    foreign = flow.call(
        "POST", "/oauth/v2/revoke", form={"token": body["access_token"]}, headers=auth
    )
    assert foreign.status == 400


def test_userinfo_claims_and_errors(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    scope = (
        "openid profile email urn:zitadel:iam:user:metadata urn:zitadel:iam:user:resourceowner"
        " urn:zitadel:iam:org:project:role:admin"
    )
    body = _login_tokens(flow, web_app, alice, scope=scope)
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    info = flow.call("GET", "/oidc/v1/userinfo", headers=bearer).json
    kit.assert_valid("userinfo.response.json", info)
    org = provider.state.directory.org
    assert info["urn:zitadel:iam:user:metadata"] == {"tier": "Z29sZA"}
    assert info["urn:zitadel:iam:user:resourceowner:id"] == org.id
    assert info["urn:zitadel:iam:user:resourceowner:name"] == org.name
    assert info["urn:zitadel:iam:user:resourceowner:primary_domain"] == org.primary_domain
    assert info["urn:zitadel:iam:org:project:roles"] == {"admin": {org.id: org.primary_domain}}
    missing = flow.call("GET", "/oidc/v1/userinfo")
    assert (missing.status, missing.json) == (
        401,
        {"error": "invalid_request", "error_description": "access token missing"},
    )
    invalid = flow.call("GET", "/oidc/v1/userinfo", headers={"Authorization": "Bearer nope"})
    assert (invalid.status, invalid.json) == (
        401,
        {"error": "access_denied", "error_description": "access token invalid"},
    )


def test_access_tokens_expire_against_the_clock(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    body = _login_tokens(flow, web_app, alice)
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    provider.state.clock.advance(12 * 3600 - 1)
    assert flow.call("GET", "/oidc/v1/userinfo", headers=bearer).status == 200
    provider.state.clock.advance(1)
    assert flow.call("GET", "/oidc/v1/userinfo", headers=bearer).status == 401


def test_issue_token_helper_with_a_short_life(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    tokens = provider.issue_token(
        alice, web_app, issuer=kit.ISSUER, scopes=["openid", "offline_access"], expires_in=60
    )
    assert tokens.expires_in == 60 and tokens.refresh_token and tokens.id_token
    bearer = {"Authorization": f"Bearer {tokens.access_token}"}
    assert flow.call("GET", "/oidc/v1/userinfo", headers=bearer).status == 200
    provider.state.clock.advance(60)
    assert flow.call("GET", "/oidc/v1/userinfo", headers=bearer).status == 401


def test_jwt_access_tokens_validate_with_the_project_as_audience(
    flow: Any, kit: Any, provider: ZitadelProvider, alice: User
) -> None:
    app = provider.create_application(
        "jwt-app",
        redirect_uris=[kit.REDIRECT],
        access_token_type="jwt",
        access_token_role_assertion=True,
    )
    body = _login_tokens(flow, app, alice, scope="openid urn:zitadel:iam:org:project:role:admin")
    jwks = jwt.PyJWKSet.from_dict(flow.call("GET", "/oauth/v2/keys").json)
    token = body["access_token"]
    claims = jwt.decode(
        token,
        jwks[jwt.get_unverified_header(token)["kid"]].key,
        algorithms=["RS256"],
        audience=provider.project_id,
        issuer=kit.ISSUER,
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    kit.assert_valid("access_token.claims.json", claims)
    assert claims["jti"].startswith("V2_")
    assert "urn:zitadel:iam:org:project:roles" in claims
    provider.revoke(token)
    bearer = {"Authorization": f"Bearer {token}"}
    assert flow.call("GET", "/oidc/v1/userinfo", headers=bearer).status == 401


def test_tokens_signed_before_a_rotation_still_validate(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    before = _login_tokens(flow, web_app, alice)
    old_kid = jwt.get_unverified_header(before["id_token"])["kid"]
    provider.rotate_keys()
    after = _login_tokens(flow, web_app, alice)
    new_kid = jwt.get_unverified_header(after["id_token"])["kid"]
    assert new_kid != old_kid
    kids = [k["kid"] for k in flow.call("GET", "/oauth/v2/keys").json["keys"]]
    assert kids == [new_kid, old_kid]


def test_reserved_tokens_are_the_ones_the_next_login_gets(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    promised = provider.state.tokens.reserve(alice.id)
    assert not promised.issued
    body = _login_tokens(flow, web_app, alice)
    assert promised.issued
    assert body["access_token"] == promised.access_token
    assert body["refresh_token"] == promised.refresh_token
    assert body["id_token"] == promised.id_token


def test_wall_clock_mode_works(provider: ZitadelProvider) -> None:
    provider.state.clock.unfreeze()
    assert abs(provider.state.clock.now() - time.time()) < 5
