"""Shared token building blocks: deterministic RS256 keys, JWKS, compact JWS and a clock.

Zitadel (OpenID Connect) and Teams (the Bot Framework's channel tokens) both sign and
verify JWTs with keys a test can reproduce; they share these pieces. Nothing here knows
about HTTP or the engine.

Example::

    from mocks.jose import Clock, derive_rsa_key, encode_jwt, parse_jwt

    key = derive_rsa_key("seed")
    token = encode_jwt({"sub": "1"}, key, kid="k1")
    parse_jwt(token).verify(key.public_key())
"""

from ._claims import ClaimError, check_claims
from ._clock import Clock
from ._jwt import JWTError, UnverifiedJWT, audience, b64url_decode, b64url_encode, token_hash
from ._jwt import encode as encode_jwt
from ._jwt import parse as parse_jwt
from ._keys import (
    KEY_BITS,
    KeyIds,
    KeySet,
    SigningKey,
    derive_rsa_key,
    load_public_pem,
    private_pem,
    public_jwk,
    public_pem,
)

__all__ = [
    "KEY_BITS",
    "ClaimError",
    "Clock",
    "JWTError",
    "KeyIds",
    "KeySet",
    "SigningKey",
    "UnverifiedJWT",
    "audience",
    "b64url_decode",
    "b64url_encode",
    "check_claims",
    "derive_rsa_key",
    "encode_jwt",
    "load_public_pem",
    "parse_jwt",
    "private_pem",
    "public_jwk",
    "public_pem",
    "token_hash",
]
