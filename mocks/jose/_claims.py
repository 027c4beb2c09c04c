"""Registered-claim checks (RFC 7519 section 4.1) a verifier makes after the signature.

A token signed with the right key can still be expired, not yet valid, minted by another
issuer or meant for another audience; `check_claims` refuses each of those with a
`ClaimError` naming the claim, so a provider (or a test of an app) can say why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._jwt import JWTError, audience


class ClaimError(JWTError):
    """A correctly signed JWT whose claims must be refused; `claim` names the claim."""

    def __init__(self, claim: str, message: str) -> None:
        super().__init__(f"{claim}: {message}")
        self.claim = claim


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClaimError(name, "must be a number of seconds since the epoch")
    return float(value)


def check_claims(
    claims: Mapping[str, Any],
    *,
    now: float,
    issuer: str | None = None,
    audience_contains: str | None = None,
    leeway: float = 0.0,
    require_exp: bool = True,
) -> None:
    """Refuse `claims` that are expired, not yet valid, foreign or for someone else.

    Checks ``iss`` equals `issuer` (when given), ``exp`` is later than `now` (required
    unless `require_exp` is False), ``nbf`` and ``iat`` are not after `now`, and ``aud``
    contains `audience_contains` (when given); `leeway` seconds are allowed on every time.

    Example::

        check_claims(parse_jwt(token).claims, now=clock.now(), issuer="http://127.0.0.1:8080")
    """
    if issuer is not None and claims.get("iss") != issuer:
        raise ClaimError("iss", f"issuer does not match, expected {issuer!r}")
    exp = _number(claims, "exp")
    if exp is None and require_exp:
        raise ClaimError("exp", "missing")
    if exp is not None and now >= exp + leeway:
        raise ClaimError("exp", "token has expired")
    nbf = _number(claims, "nbf")
    if nbf is not None and nbf > now + leeway:
        raise ClaimError("nbf", "token is not valid yet")
    iat = _number(claims, "iat")
    if iat is not None and iat > now + leeway:
        raise ClaimError("iat", "token is issued in the future")
    if audience_contains is not None and audience_contains not in audience(dict(claims)):
        raise ClaimError("aud", f"audience does not contain {audience_contains!r}")
