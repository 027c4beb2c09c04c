"""The compact JWS helpers: signing, parsing, verifying, at_hash."""

from __future__ import annotations

import hashlib

import jwt as pyjwt
import pytest
from jose.utils import calculate_at_hash

from mocks.jose import JWTError, b64url_decode, derive_rsa_key, token_hash
from mocks.jose import encode_jwt as encode
from mocks.jose import parse_jwt as parse


def test_encode_parse_verify_round_trip() -> None:
    key = derive_rsa_key("jwt-tests")
    token = encode({"iss": "me", "n": 1}, key, "42")
    parsed = parse(token)
    assert parsed.header == {"alg": "RS256", "kid": "42", "typ": "JWT"}
    assert parsed.claims == {"iss": "me", "n": 1}
    parsed.verify(key.public_key())
    assert pyjwt.decode(token, key.public_key(), algorithms=["RS256"]) == {"iss": "me", "n": 1}


def test_a_tampered_token_fails_verification() -> None:
    key = derive_rsa_key("jwt-tests")
    header, _, signature = encode({"sub": "a"}, key, "1").split(".")
    forged = encode({"sub": "b"}, key, "1").split(".")[1]
    with pytest.raises(JWTError, match="signature invalid"):
        parse(f"{header}.{forged}.{signature}").verify(key.public_key())


def test_a_token_signed_by_another_key_fails_verification() -> None:
    token = encode({"sub": "a"}, derive_rsa_key("one"), "1")
    with pytest.raises(JWTError):
        parse(token).verify(derive_rsa_key("two").public_key())


@pytest.mark.parametrize("bad", ["", "a.b", "a.b.c.d", "!!.e30.x", "e30.bm90IGpzb24.x"])
def test_malformed_tokens_are_refused(bad: str) -> None:
    with pytest.raises(JWTError):
        parse(bad)


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_at_hash_matches_python_jose(alg: str) -> None:
    access_token = "dNZX1hEZ9wBCzNL40Upu646bdzQA"
    digest = {"RS256": hashlib.sha256, "RS384": hashlib.sha384, "RS512": hashlib.sha512}[alg]
    assert token_hash(access_token, alg) == calculate_at_hash(access_token, digest)


def test_b64url_decode_accepts_missing_padding() -> None:
    assert b64url_decode("YWI") == b"ab"
