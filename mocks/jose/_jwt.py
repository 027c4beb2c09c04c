"""Compact JWS with RSA (RS256/RS384/RS512): just what an OIDC provider signs and checks.

Kept to the `cryptography` package so the provider does not depend on a JWT library's
version-specific behaviour; the suite's tests validate the output with PyJWT and
python-jose.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}


class JWTError(ValueError):
    """A token that is not a well-formed, correctly signed compact JWS."""


def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Base64url with or without padding; raises JWTError on bad input."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise JWTError("invalid base64url") from exc


def _json_segment(document: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(document, separators=(",", ":")).encode())


def encode(
    claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str | None, alg: str = "RS256"
) -> str:
    """Sign `claims` as a compact JWS with header {"alg", "kid", "typ": "JWT"}."""
    if alg not in _HASHES:
        raise JWTError(f"unsupported alg {alg}")
    header: dict[str, Any] = {"alg": alg}
    if kid is not None:
        header["kid"] = kid
    header["typ"] = "JWT"
    signing_input = f"{_json_segment(header)}.{_json_segment(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), _HASHES[alg]())
    return f"{signing_input}.{b64url_encode(signature)}"


@dataclass(frozen=True)
class UnverifiedJWT:
    """A parsed compact JWS whose signature has not been checked yet."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    def verify(self, key: rsa.RSAPublicKey) -> None:
        """Check the signature with `key`; raises JWTError when it does not match."""
        alg = self.header.get("alg")
        if not isinstance(alg, str) or alg not in _HASHES:
            raise JWTError(f"unsupported alg {alg!r}")
        try:
            key.verify(self.signature, self.signing_input, padding.PKCS1v15(), _HASHES[alg]())
        except InvalidSignature as exc:
            raise JWTError("signature invalid") from exc


def parse(token: str) -> UnverifiedJWT:
    """Split and decode a compact JWS; raises JWTError when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JWTError("malformed jwt, must have 3 parts")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
        raise JWTError("malformed jwt payload") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JWTError("malformed jwt payload")
    return UnverifiedJWT(header, claims, f"{parts[0]}.{parts[1]}".encode(), b64url_decode(parts[2]))


def token_hash(token: str, alg: str = "RS256") -> str:
    """`at_hash` / `c_hash`: the left half of the token's hash, base64url (OIDC Core 3.1.3.6)."""
    digest = {"RS256": hashlib.sha256, "RS384": hashlib.sha384, "RS512": hashlib.sha512}[alg]
    full = digest(token.encode("ascii")).digest()
    return b64url_encode(full[: len(full) // 2])


def audience(claims: dict[str, Any]) -> list[str]:
    """The `aud` claim as a list (it may be a single string)."""
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list):
        return [a for a in aud if isinstance(a, str)]
    return []
