"""The channel's keys and token variants, checked with PyJWT the way botbuilder checks them."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from jwt.algorithms import RSAAlgorithm

from mocks.jose import Clock, parse_jwt
from mocks.teams._keys import ChannelKeys, aad_key_set, openid_metadata
from mocks.teams._tokens import (
    CHANNEL_ISSUER,
    CONNECTOR_AUDIENCE,
    TOKEN_VARIANTS,
    AccessTokens,
    ChannelTokens,
    token_variant,
)


def _tokens(kit: SimpleNamespace, clock: Clock | None = None) -> ChannelTokens:
    """Tokens on the wall clock (PyJWT checks expiry against it), or on `clock`."""
    clock = clock or Clock()
    return ChannelTokens(ChannelKeys(clock), clock, kit.APP_ID)


def _bot_check(token: str, keys: ChannelKeys, channel_id: str = "msteams") -> Any:
    """What botbuilder's JwtTokenExtractor does with a channel token (issuer aside)."""
    kid = jwt.get_unverified_header(token)["kid"]
    published = {key["kid"]: key for key in keys.jwks()["keys"]}
    key = published[kid]  # botbuilder: IndexError (500) for an unknown kid
    if channel_id not in key["endorsements"]:
        raise PermissionError("Could not validate endorsement key")
    public_key = RSAAlgorithm.from_jwk(json.dumps(key))
    return jwt.decode(
        token,
        public_key,  # type: ignore[arg-type]
        algorithms=["RS256"],
        leeway=300,
        options={"verify_aud": False, "verify_nbf": True},
    )


def test_keys_are_the_same_in_every_instance_and_seed_independent() -> None:
    first, second = ChannelKeys(Clock()), ChannelKeys(Clock(fixed=5))
    assert first.jwks() == second.jwks()
    assert first.generation == second.generation
    assert len(first.generation) == 27


def test_the_jwks_endorses_teams_and_keeps_the_other_channel_key_apart() -> None:
    keys = ChannelKeys(Clock())
    published = keys.jwks()["keys"]
    assert [k["endorsements"] for k in published] == [["msteams"], ["webchat", "directline"]]
    assert keys.unpublished.kid not in {k["kid"] for k in published}
    assert all(k["kty"] == "RSA" and RSAAlgorithm.from_jwk(json.dumps(k)) for k in published)


def test_rotation_is_explicit_and_keeps_the_previous_key_published() -> None:
    keys = ChannelKeys(Clock())
    old = keys.current.kid
    keys.rotate()
    assert keys.current.kid != old
    assert keys.generation == keys.current.kid
    kids = [k["kid"] for k in keys.jwks()["keys"]]
    assert kids[:2] == [keys.current.kid, old]
    # a second instance rotating once lands on the same key
    other = ChannelKeys(Clock())
    other.rotate()
    assert other.current.kid == keys.current.kid


def test_openid_metadata_points_at_the_keys(kit: SimpleNamespace) -> None:
    document = openid_metadata(CHANNEL_ISSUER, "http://127.0.0.1:1/keys")
    kit.assert_valid("openid_metadata.response", document)
    assert document["issuer"] == "https://api.botframework.com"
    assert document["jwks_uri"] == "http://127.0.0.1:1/keys"
    kit.assert_valid("jwks.response", ChannelKeys(Clock()).jwks())


def test_a_valid_token_carries_what_botbuilder_checks(kit: SimpleNamespace) -> None:
    tokens = _tokens(kit)
    token = tokens.issue(kit.SERVICE_URL)
    assert token is not None
    claims = _bot_check(token, tokens.keys)
    kit.assert_valid("channel_token.claims", claims)
    assert claims["iss"] == "https://api.botframework.com"
    assert claims["aud"] == kit.APP_ID
    assert claims["serviceurl"] == kit.SERVICE_URL
    assert claims["exp"] - claims["nbf"] == 3600 + 300
    assert jwt.get_unverified_header(token) == {
        "alg": "RS256",
        "kid": tokens.keys.current.kid,
        "typ": "JWT",
    }


def test_the_same_clock_gives_the_same_token_bytes(kit: SimpleNamespace) -> None:
    first = _tokens(kit, kit.clock).issue(kit.SERVICE_URL)
    assert first == _tokens(kit, Clock(fixed=kit.NOW)).issue(kit.SERVICE_URL)
    assert first != _tokens(kit, Clock(fixed=kit.NOW + 1)).issue(kit.SERVICE_URL)


@pytest.mark.parametrize(
    ("variant", "claim", "expected"),
    [
        ("wrong_audience", "aud", "00000000-0000-0000-0000-0000000000b0"),
        ("wrong_issuer", "iss", "https://api.botframework.us"),
        ("serviceurl_mismatch", "serviceurl", "https://smba.trafficmanager.net/amer/"),
    ],
)
def test_claim_variants_are_signed_correctly_but_claim_the_wrong_thing(
    kit: SimpleNamespace, variant: str, claim: str, expected: str
) -> None:
    tokens = _tokens(kit)
    token = tokens.issue(kit.SERVICE_URL, token_variant(variant))
    assert token is not None
    claims = _bot_check(token, tokens.keys)
    assert claims[claim] == expected


def test_an_expired_token_is_past_the_five_minute_leeway(kit: SimpleNamespace) -> None:
    tokens = _tokens(kit)
    token = tokens.issue(kit.SERVICE_URL, "expired")
    assert token is not None
    with pytest.raises(jwt.ExpiredSignatureError):
        _bot_check(token, tokens.keys)


def test_key_variants(kit: SimpleNamespace) -> None:
    tokens = _tokens(kit)
    unknown = tokens.issue(kit.SERVICE_URL, "unknown_key")
    assert unknown is not None
    with pytest.raises(KeyError):
        _bot_check(unknown, tokens.keys)
    other = tokens.issue(kit.SERVICE_URL, "no_endorsement")
    assert other is not None
    with pytest.raises(PermissionError):
        _bot_check(other, tokens.keys)
    assert _bot_check(other, tokens.keys, channel_id="webchat")["aud"] == kit.APP_ID


def test_a_tampered_token_fails_its_signature(kit: SimpleNamespace) -> None:
    tokens = _tokens(kit)
    token = tokens.issue(kit.SERVICE_URL, "tampered")
    assert token is not None
    assert parse_jwt(token).claims["tampered"] is True
    with pytest.raises(jwt.InvalidSignatureError):
        _bot_check(token, tokens.keys)


def test_none_sends_no_header_and_unknown_names_are_refused(kit: SimpleNamespace) -> None:
    tokens = _tokens(kit)
    assert tokens.authorization(kit.SERVICE_URL, "none") is None
    assert (tokens.authorization(kit.SERVICE_URL) or "").startswith("Bearer ey")
    with pytest.raises(ValueError, match="known: valid, expired"):
        token_variant("forged")
    assert set(TOKEN_VARIANTS) >= {
        "valid",
        "expired",
        "wrong_audience",
        "wrong_issuer",
        "unknown_key",
        "no_endorsement",
        "serviceurl_mismatch",
        "none",
    }


def test_access_tokens_and_the_bearer_check(kit: SimpleNamespace) -> None:
    tokens = AccessTokens(aad_key_set(kit.clock), kit.clock)
    token = tokens.issue(kit.APP_ID)
    claims = parse_jwt(token).claims
    kit.assert_valid("access_token.claims", claims)
    assert claims["aud"] == CONNECTOR_AUDIENCE
    assert claims["exp"] - claims["iat"] == 3599
    assert tokens.problem(f"Bearer {token}", kit.APP_ID) is None
    assert tokens.problem(None, kit.APP_ID) == "no Authorization header"
    assert tokens.problem(f"Basic {token}", kit.APP_ID) == "not a bearer token"
    assert "app" in (tokens.problem(f"Bearer {token}", "someone-else") or "")
    assert "signature" in (tokens.problem(f"Bearer {token[:-4]}AAAA", kit.APP_ID) or "")
    assert "malformed" in (tokens.problem("Bearer not-a-jwt", kit.APP_ID) or "")
    kit.clock.advance(3600)
    assert tokens.problem(f"Bearer {token}", kit.APP_ID) == "token expired"


def test_a_channel_token_is_not_an_access_token(kit: SimpleNamespace) -> None:
    access = AccessTokens(aad_key_set(kit.clock), kit.clock)
    channel_token = _tokens(kit).issue(kit.SERVICE_URL)
    assert access.problem(f"Bearer {channel_token}", kit.APP_ID) == "signed by an unknown key"
