"""The authorization code flow end to end on the provider: codes, PKCE, tokens and claims."""

from __future__ import annotations

from typing import Any

import jwt
from jose import jwt as jose_jwt

from mocks.zitadel._model import Application, User
from mocks.zitadel._provider import ZitadelProvider


def _jwks(flow: Any) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(flow.call("GET", "/oauth/v2/keys").json)


def test_code_exchange_returns_zitadel_shaped_tokens(
    flow: Any, kit: Any, web_app: Application, alice: User
) -> None:
    result = flow.exchange(web_app, flow.code(web_app, alice, "Secret1!"))
    assert result.status == 200, result.json
    body = result.json
    kit.assert_valid("token.response.json", body)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 12 * 3600
    assert body["refresh_token"] and body["id_token"] and body["access_token"]
    assert body["state"] == "state-1"
    assert result.headers["Cache-Control"] == "no-store"


def test_id_token_validates_against_the_jwks_with_zitadel_claims(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    body = flow.exchange(web_app, flow.code(web_app, alice, "Secret1!")).json
    header = jwt.get_unverified_header(body["id_token"])
    key = _jwks(flow)[header["kid"]]
    claims = jwt.decode(
        body["id_token"],
        key.key,
        algorithms=["RS256"],
        audience=web_app.client_id,
        issuer=kit.ISSUER,
        options={"verify_exp": False, "verify_iat": False},
    )
    kit.assert_valid("id_token.claims.json", claims)
    assert claims["aud"] == [provider.project_id, web_app.client_id]
    assert claims["azp"] == claims["client_id"] == web_app.client_id
    assert claims["sub"] == alice.id
    assert claims["nonce"] == "nonce-1"
    assert claims["amr"] == ["pwd"]
    assert claims["auth_time"] == kit.NOW
    assert claims["iat"] == kit.NOW
    assert claims["exp"] == kit.NOW + 12 * 3600
    assert claims["sid"].isdigit()
    # Without "user info inside ID token" the profile stays in userinfo, as in Zitadel.
    assert "email" not in claims


def test_python_jose_checks_at_hash_of_the_id_token(
    flow: Any, kit: Any, web_app: Application, alice: User
) -> None:
    body = flow.exchange(web_app, flow.code(web_app, alice, "Secret1!")).json
    keys = flow.call("GET", "/oauth/v2/keys").json
    claims = jose_jwt.decode(
        body["id_token"],
        keys,
        algorithms=["RS256"],
        audience=web_app.client_id,
        issuer=kit.ISSUER,
        access_token=body["access_token"],
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["at_hash"]
    try:
        jose_jwt.decode(
            body["id_token"],
            keys,
            algorithms=["RS256"],
            audience=web_app.client_id,
            access_token=body["access_token"] + "x",
            options={"verify_exp": False, "verify_iat": False},
        )
    except jose_jwt.JWTClaimsError as exc:
        assert "at_hash" in str(exc)
    else:
        raise AssertionError("a wrong access token passed the at_hash check")


def test_userinfo_assertion_puts_profile_and_roles_into_the_id_token(
    flow: Any, provider: ZitadelProvider, alice: User, kit: Any
) -> None:
    app = provider.create_application(
        "rich",
        redirect_uris=[kit.REDIRECT],
        id_token_userinfo_assertion=True,
        id_token_role_assertion=True,
    )
    scope = "openid profile email urn:zitadel:iam:org:project:role:admin"
    body = flow.exchange(app, flow.code(app, alice, "Secret1!", scope=scope)).json
    claims = kit.claims_of(body["id_token"])
    assert claims["email"] == "alice@example.com"
    assert claims["email_verified"] is True
    assert claims["given_name"] == "Alice"
    assert claims["preferred_username"] == "alice@example.com"
    org = provider.state.directory.org
    assert claims["urn:zitadel:iam:org:project:roles"] == {"admin": {org.id: org.primary_domain}}
    assert claims[f"urn:zitadel:iam:org:project:{provider.project_id}:roles"] == {
        "admin": {org.id: org.primary_domain}
    }


def test_a_code_is_single_use(flow: Any, web_app: Application, alice: User) -> None:
    code = flow.code(web_app, alice, "Secret1!")
    assert flow.exchange(web_app, code).status == 200
    again = flow.exchange(web_app, code)
    assert again.status == 400
    assert again.json == {
        "error": "invalid_request",
        "error_description": "Errors.AuthRequest.NoCode",
    }


def test_an_unknown_code_is_refused(flow: Any, web_app: Application) -> None:
    result = flow.exchange(web_app, "not-a-code")
    assert result.status == 400
    assert result.json["error_description"] == "Errors.User.Code.Invalid"


def test_a_wrong_pkce_verifier_is_refused_and_leaves_the_code_usable(
    flow: Any, kit: Any, web_app: Application, alice: User
) -> None:
    code = flow.code(web_app, alice, "Secret1!")
    wrong = flow.exchange(web_app, code, code_verifier="x" * 43)
    assert wrong.status == 400
    assert wrong.json == {"error": "invalid_grant", "error_description": "invalid code challenge"}
    assert flow.exchange(web_app, code).status == 200


def test_a_public_client_must_send_a_verifier(
    flow: Any, provider: ZitadelProvider, alice: User, kit: Any
) -> None:
    native = provider.create_application("cli", kind="native", redirect_uris=[kit.REDIRECT])
    code = flow.code(native, alice, "Secret1!")
    missing = flow.exchange(native, code, code_verifier="")
    assert missing.json == {
        "error": "invalid_request",
        "error_description": "code_challenge required",
    }
    assert flow.exchange(native, code).status == 200


def test_a_public_client_without_a_challenge_cannot_redeem(
    flow: Any, provider: ZitadelProvider, alice: User, kit: Any
) -> None:
    native = provider.create_application("cli", kind="native", redirect_uris=[kit.REDIRECT])
    code = flow.code(native, alice, "Secret1!", code_challenge="", code_challenge_method="")
    result = flow.exchange(native, code)
    assert result.json["error"] == "invalid_grant"


def test_the_redirect_uri_must_match_the_authorization_request(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    web_app.redirect_uris = [*web_app.redirect_uris, "http://127.0.0.1:8000/other"]
    code = flow.code(web_app, alice, "Secret1!")
    result = flow.exchange(web_app, code, redirect_uri="http://127.0.0.1:8000/other")
    assert result.json == {
        "error": "invalid_grant",
        "error_description": "redirect_uri does not correspond",
    }


def test_another_client_cannot_redeem_the_code(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User, kit: Any
) -> None:
    other = provider.create_application("other", redirect_uris=[kit.REDIRECT])
    code = flow.code(web_app, alice, "Secret1!")
    assert flow.exchange(other, code).json == {"error": "invalid_grant"}


def test_an_expired_code_is_refused(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    code = flow.code(web_app, alice, "Secret1!")
    provider.state.clock.advance(10 * 60 + 1)
    assert flow.exchange(web_app, code).json["error_description"] == "Errors.AuthRequest.NoCode"


def test_a_bad_secret_is_refused(flow: Any, kit: Any, web_app: Application, alice: User) -> None:
    code = flow.code(web_app, alice, "Secret1!")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": kit.REDIRECT}
    result = flow.call(
        "POST",
        "/oauth/v2/token",
        form=form,
        headers={"Authorization": kit.basic(web_app.client_id, "nope")},
    )
    assert result.status == 400
    assert result.json == {"error": "invalid_client", "error_description": "invalid secret"}
    kit.assert_valid("oauth-error.json", result.json)


def test_client_secret_post_works_too(
    flow: Any, kit: Any, web_app: Application, alice: User
) -> None:
    code = flow.code(web_app, alice, "Secret1!")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": kit.REDIRECT,
        "code_verifier": kit.VERIFIER,
        "client_id": web_app.client_id,
        "client_secret": web_app.client_secret,
    }
    assert flow.call("POST", "/oauth/v2/token", form=form).status == 200


def test_the_same_seed_and_clock_give_the_same_bytes(kit: Any, flow: Any) -> None:
    flow_type = type(flow)

    def run() -> dict[str, Any]:
        from mocks.jose import Clock

        provider = ZitadelProvider(seed="replay", clock=Clock(fixed=kit.NOW))
        app = provider.create_application("web", redirect_uris=[kit.REDIRECT])
        user = provider.create_test_user("bob@example.com", password="pw")
        driver = flow_type(provider)
        body: dict[str, Any] = driver.exchange(app, driver.code(app, user, "pw")).json
        return body

    first, second = run(), run()
    assert first == second
    assert first["id_token"] == second["id_token"]


def test_unknown_and_missing_grant_types(flow: Any, web_app: Application) -> None:
    assert flow.token({}, web_app).json == {
        "error": "invalid_request",
        "error_description": "grant_type missing",
    }
    assert flow.token({"grant_type": "password"}, web_app).json == {
        "error": "unsupported_grant_type",
        "error_description": "password not supported",
    }
