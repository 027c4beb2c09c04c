"""Signing keys: deterministic derivation, the JWKS, rotation."""

from __future__ import annotations

from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from mocks.jose import Clock, KeySet, derive_rsa_key, private_pem
from mocks.jose import encode_jwt as encode
from mocks.jose._keys import derived_rsa_key
from mocks.zitadel._ids import IdGenerator

NOW = 1_700_000_000


def test_derived_keys_are_deterministic_2048_bit_rsa() -> None:
    first = derive_rsa_key("seed-a")
    again = derived_rsa_key("seed-a")  # derived anew, no cache
    other = derive_rsa_key("seed-b")
    assert isinstance(first, rsa.RSAPrivateKey)
    assert first.key_size == 2048
    assert private_pem(first) == private_pem(again)
    assert private_pem(first) != private_pem(other)
    assert private_pem(first).startswith("-----BEGIN RSA PRIVATE KEY-----\n")


def test_jwks_lists_the_current_key_with_a_numeric_string_kid(kit: Any) -> None:
    keys = KeySet(IdGenerator(3), Clock(fixed=NOW))
    document = keys.jwks()
    kit.assert_valid("jwks.response.json", document)
    (jwk,) = document["keys"]
    assert jwk["kid"] == keys.current.kid
    assert jwk["kid"].isdigit() and len(jwk["kid"]) == 18
    assert (jwk["use"], jwk["kty"], jwk["alg"], jwk["e"]) == ("sig", "RSA", "RS256", "AQAB")


def test_pyjwt_validates_a_token_against_the_published_jwks() -> None:
    keys = KeySet(IdGenerator(3), Clock(fixed=NOW))
    token = encode({"sub": "1", "aud": "x"}, keys.current.private_key, keys.current.kid)
    jwk = jwt.PyJWKSet.from_dict(keys.jwks())[keys.current.kid]
    claims = jwt.decode(token, jwk.key, algorithms=["RS256"], audience="x")
    assert claims["sub"] == "1"
    assert jwt.get_unverified_header(token) == {
        "alg": "RS256",
        "kid": keys.current.kid,
        "typ": "JWT",
    }


def test_rotate_publishes_a_new_key_and_keeps_the_previous_public_key() -> None:
    clock = Clock(fixed=NOW)
    keys = KeySet(IdGenerator(3), clock)
    old = keys.current
    old_token = encode({"sub": "1"}, old.private_key, old.kid)
    new = keys.rotate()
    assert new.kid != old.kid and int(new.kid) > int(old.kid)
    assert [k["kid"] for k in keys.jwks()["keys"]] == [new.kid, old.kid]
    old_jwk = jwt.PyJWKSet.from_dict(keys.jwks())[old.kid]
    assert jwt.decode(old_token, old_jwk.key, algorithms=["RS256"])["sub"] == "1"


def test_a_rotated_out_key_leaves_the_jwks_after_its_public_lifetime() -> None:
    clock = Clock(fixed=NOW)
    keys = KeySet(IdGenerator(3), clock, public_key_lifetime=30 * 3600)
    old = keys.current.kid
    keys.rotate()
    clock.advance(30 * 3600 - 1)
    assert old in [k["kid"] for k in keys.jwks()["keys"]]
    clock.advance(2)
    assert [k["kid"] for k in keys.jwks()["keys"]] == [keys.current.kid]
    assert keys.find(old) is None


def test_the_same_seed_gives_the_same_kids_and_keys() -> None:
    one = KeySet(IdGenerator("same"), Clock(fixed=NOW))
    two = KeySet(IdGenerator("same"), Clock(fixed=NOW))
    assert one.jwks() == two.jwks()
