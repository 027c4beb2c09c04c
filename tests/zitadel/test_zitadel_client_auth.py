"""Client authentication: credential parsing, Basic decoding, secrets, assertions."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mocks.jose import Clock, derive_rsa_key
from mocks.jose import encode_jwt as encode
from mocks.zitadel._client_auth import (
    AssertionInvalid,
    authenticate_client,
    authenticate_service_user,
    basic_credentials,
    parse_client_credentials,
    query_unescape,
    verify_jwt_assertion,
)
from mocks.zitadel._directory import Directory
from mocks.zitadel._errors import OAuthError
from mocks.zitadel._ids import IdGenerator

ISSUER = "http://127.0.0.1:8080"
NOW = 1_700_000_000


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [("a+b", "a b"), ("a%2Bb", "a+b"), ("%3A%40%25", ":@%"), ("plain", "plain"), ("%C3%A9", "é")],
)
def test_query_unescape_decodes_like_go(raw: str, decoded: str) -> None:
    assert query_unescape(raw) == decoded


@pytest.mark.parametrize("raw", ["%", "%4", "%zz", "a%g0"])
def test_query_unescape_refuses_bad_escapes(raw: str) -> None:
    with pytest.raises(ValueError):
        query_unescape(raw)


def test_basic_credentials_are_form_url_decoded() -> None:
    cc = parse_client_credentials({}, _basic("id%40project", "s%2Bcret+with+space"))
    assert (cc.client_id, cc.client_secret, cc.method) == (
        "id@project",
        "s+cret with space",
        "client_secret_basic",
    )


def test_a_basic_header_with_a_bad_escape_is_invalid_client() -> None:
    with pytest.raises(OAuthError) as caught:
        parse_client_credentials({}, _basic("id", "100%"))
    assert caught.value.body() == {
        "error": "invalid_client",
        "error_description": "invalid basic auth header",
    }


def test_basic_credentials_helper_ignores_other_schemes() -> None:
    assert basic_credentials("Bearer x") is None
    assert basic_credentials("Basic !!!") is None
    assert basic_credentials(_basic("a", "b:c")) == ("a", "b:c")


def test_two_methods_at_once_are_refused() -> None:
    form = {"client_id": "a", "client_secret": "b"}
    with pytest.raises(OAuthError, match="more than one method"):
        parse_client_credentials(form, _basic("a", "b"))
    both = {
        "client_id": "a",
        "client_secret": "b",
        "client_assertion": "x.y.z",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }
    with pytest.raises(OAuthError, match="more than one method"):
        parse_client_credentials(both, None)


def test_missing_credentials_and_wrong_assertion_type() -> None:
    with pytest.raises(OAuthError, match="client_id or client_assertion must be provided"):
        parse_client_credentials({}, None)
    with pytest.raises(OAuthError, match="invalid client_assertion_type other"):
        parse_client_credentials(
            {"client_assertion": "a.b.c", "client_assertion_type": "other"}, None
        )


@pytest.fixture
def directory() -> Directory:
    return Directory(IdGenerator(5), Clock(fixed=NOW))


def test_secret_checks_name_the_problem(directory: Directory) -> None:
    app = directory.create_application("web", redirect_uris=["http://x/cb"])
    clock = Clock(fixed=NOW)

    def attempt(**form: str) -> Any:
        return authenticate_client(parse_client_credentials(form, None), directory, ISSUER, clock)

    assert attempt(client_id=app.client_id, client_secret=app.client_secret or "") is app
    with pytest.raises(OAuthError, match="empty client secret"):
        attempt(client_id=app.client_id)
    with pytest.raises(OAuthError, match="invalid secret"):
        attempt(client_id=app.client_id, client_secret="wrong")
    with pytest.raises(OAuthError, match="no active client not found"):
        attempt(client_id="ghost", client_secret="x")
    api = directory.create_application("api", kind="api")
    with pytest.raises(OAuthError, match="no active client not found"):
        attempt(client_id=api.client_id, client_secret=api.client_secret or "")


def test_public_clients_need_no_secret(directory: Directory) -> None:
    app = directory.create_application("spa", kind="spa")
    cc = parse_client_credentials({"client_id": app.client_id}, None)
    assert authenticate_client(cc, directory, ISSUER, Clock(fixed=NOW)) is app


def _signed(claims: dict[str, Any], seed: str = "assertion-key", kid: str = "k1") -> str:
    return encode(claims, derive_rsa_key(seed), kid)


def _keys(owner: str, kid: str) -> Any:
    return derive_rsa_key("assertion-key").public_key() if (owner, kid) == ("me", "k1") else None


def _claims(**change: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": "me",
        "sub": "me",
        "aud": [ISSUER],
        "iat": NOW,
        "exp": NOW + 60,
    }
    claims.update(change)
    return claims


def test_a_good_assertion_verifies() -> None:
    claims = verify_jwt_assertion(_signed(_claims()), ISSUER, Clock(fixed=NOW), _keys)
    assert claims["sub"] == "me"
    single_audience = _signed(_claims(aud=ISSUER))
    assert verify_jwt_assertion(single_audience, ISSUER, Clock(fixed=NOW), _keys)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"aud": ["http://other"]}, "audience is not valid"),
        ({"aud": [ISSUER + "/"]}, "audience is not valid"),
        ({"exp": NOW - 2}, "token has expired"),
        ({"iat": NOW + 5}, "iat is in the future"),
        ({"iat": NOW - 3601}, "iat is too old"),
        ({"iss": "someone"}, "issuer and sub must be identical"),
        ({"sub": "nobody", "iss": "nobody"}, "no matching key"),
    ],
)
def test_bad_assertions_are_refused(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(AssertionInvalid, match=reason):
        verify_jwt_assertion(_signed(_claims(**change)), ISSUER, Clock(fixed=NOW), _keys)


def test_an_assertion_signed_by_another_key_is_refused() -> None:
    forged = _signed(_claims(), seed="attacker")
    with pytest.raises(AssertionInvalid, match="invalid signature"):
        verify_jwt_assertion(forged, ISSUER, Clock(fixed=NOW), _keys)


def test_service_user_secrets(directory: Directory) -> None:
    robot = directory.create_service_user("robot", with_key=False)
    keyless = directory.create_service_user("keyless", with_secret=False, with_key=False)
    assert robot.key_file is None
    good = parse_client_credentials(
        {"client_id": "robot", "client_secret": robot.secret or ""}, None
    )
    assert authenticate_service_user(good, directory) is robot
    with pytest.raises(OAuthError, match=r"Errors\.User\.Machine\.Secret\.NotExisting"):
        authenticate_service_user(
            parse_client_credentials({"client_id": keyless.username, "client_secret": "x"}, None),
            directory,
        )
