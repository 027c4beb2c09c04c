"""Client authentication as Zitadel does it, with its error descriptions.

Credentials come from the form (``client_id``/``client_secret``, ``client_assertion``)
or from HTTP Basic; Basic credentials are form-url-decoded (Go's ``url.QueryUnescape``)
before use, as RFC 6749 section 2.3.1 asks and Zitadel does. Assertions
(``private_key_jwt`` and the JWT profile grant) are RS256 JWTs whose ``aud`` must contain
the issuer and whose ``iss`` and ``sub`` must be equal.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from ..jose import Clock, JWTError, audience
from ..jose import parse_jwt as parse
from . import _errors as errors
from ._directory import Directory
from ._errors import OAuthError
from ._model import Application, ServiceUser

ASSERTION_TYPE_JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_HEX = "0123456789abcdefABCDEF"


def query_unescape(value: str) -> str:
    """Go's ``url.QueryUnescape``: '+' is a space, ``%XX`` a byte; bad escapes raise ValueError."""
    if "%" not in value and "+" not in value:
        return value  # nothing to unescape (the usual case: ids and generated secrets)
    out = bytearray()
    i = 0
    raw = value.encode()
    while i < len(raw):
        char = raw[i]
        if char == ord("%"):
            hexpair = raw[i + 1 : i + 3].decode("latin-1")
            if len(hexpair) != 2 or any(c not in _HEX for c in hexpair):
                raise ValueError(f"invalid URL escape {raw[i : i + 3].decode('latin-1')!r}")
            out.append(int(hexpair, 16))
            i += 3
        elif char == ord("+"):
            out.append(ord(" "))
            i += 1
        else:
            out.append(char)
            i += 1
    return out.decode("utf-8", "replace")


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """The (user, password) of an HTTP Basic header, undecoded; None when there is none.

    A header that is not base64 of UTF-8 text (non-ASCII bytes included) counts as no
    Basic credentials at all, as Go's ``Request.BasicAuth`` (and so Zitadel) treats it:
    the endpoint then answers its usual ``invalid_request``/``invalid_client``.
    """
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except ValueError:  # binascii.Error, UnicodeError, non-ASCII input
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


@dataclass
class ClientCredentials:
    """The client credentials a request carries, after Basic decoding."""

    client_id: str = ""
    client_secret: str = ""
    client_assertion: str = ""
    client_assertion_type: str = ""
    #: "client_secret_basic", "client_secret_post", "private_key_jwt" or "none".
    method: str = "none"


def parse_client_credentials(
    form: Mapping[str, str], authorization: str | None
) -> ClientCredentials:
    """Read the client credentials of a request; raises OAuthError as Zitadel would."""
    cc = ClientCredentials(
        client_id=form.get("client_id", ""),
        client_secret=form.get("client_secret", ""),
        client_assertion=form.get("client_assertion", ""),
        client_assertion_type=form.get("client_assertion_type", ""),
    )
    assertion_auth = bool(cc.client_assertion and cc.client_assertion_type)
    secret_auth = bool(cc.client_secret and cc.client_id)
    more_than_one = "client authentication must not use more than one method"
    if assertion_auth and secret_auth:
        raise OAuthError("invalid_request", more_than_one)
    cc.method = "private_key_jwt" if cc.client_assertion else "none"
    if secret_auth or cc.client_secret:
        cc.method = "client_secret_post"
    basic = basic_credentials(authorization)
    if basic is not None:
        if assertion_auth or secret_auth:
            raise OAuthError("invalid_request", more_than_one)
        try:
            cc.client_id = query_unescape(basic[0])
            cc.client_secret = query_unescape(basic[1])
        except ValueError:
            raise errors.invalid_client("invalid basic auth header") from None
        cc.method = "client_secret_basic"
    if not cc.client_id and not cc.client_assertion:
        raise OAuthError("invalid_request", "client_id or client_assertion must be provided")
    if cc.client_assertion and cc.client_assertion_type != ASSERTION_TYPE_JWT_BEARER:
        raise OAuthError(
            "invalid_request", f"invalid client_assertion_type {cc.client_assertion_type}"
        )
    return cc


class AssertionInvalid(Exception):
    """A client assertion or JWT-profile assertion failed verification (the reason is the text)."""


KeyLookup = Callable[[str, str], rsa.RSAPublicKey | None]


def verify_jwt_assertion(
    assertion: str,
    issuer: str,
    clock: Clock,
    keys: KeyLookup,
    *,
    max_age_iat: float = 3600,
    offset: float = 1,
) -> dict[str, Any]:
    """Verify a JWT-profile assertion (RFC 7523) and return its claims.

    Checks, in Zitadel's order: the audience contains `issuer`; not expired (with
    `offset` leeway); issued at most `max_age_iat` seconds ago and not in the future;
    ``iss == sub``; signed by the key ``kid`` of the subject.
    """
    try:
        jwt = parse(assertion)
    except JWTError as exc:
        raise AssertionInvalid(f"malformed jwt: {exc}") from exc
    claims = jwt.claims
    if issuer not in audience(claims):
        raise AssertionInvalid("audience is not valid")
    now = clock.now()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or now > exp + offset:
        raise AssertionInvalid("token has expired")
    if not isinstance(iat, int | float) or iat > now + offset:
        raise AssertionInvalid("iat is in the future")
    if now - iat > max_age_iat:
        raise AssertionInvalid("iat is too old")
    subject = claims.get("sub")
    if not isinstance(subject, str) or claims.get("iss") != subject:
        raise AssertionInvalid("delegation not allowed, issuer and sub must be identical")
    key = keys(subject, str(jwt.header.get("kid", "")))
    if key is None:
        raise AssertionInvalid("invalid signature (no matching key)")
    try:
        jwt.verify(key)
    except JWTError as exc:
        raise AssertionInvalid(f"invalid signature ({exc})") from exc
    return claims


def client_id_from_credentials(cc: ClientCredentials) -> tuple[str, bool]:
    """The client id: the assertion's ``iss`` when there is an assertion, else ``client_id``."""
    if cc.client_assertion:
        try:
            claims = parse(cc.client_assertion).claims
        except JWTError:
            raise OAuthError("invalid_client") from None
        return str(claims.get("iss", "")), True
    return cc.client_id, False


def _secret_matches(expected: str | None, given: str) -> bool:
    return expected is not None and hmac.compare_digest(expected.encode(), given.encode())


def authenticate_client(
    cc: ClientCredentials, directory: Directory, issuer: str, clock: Clock
) -> Application:
    """Authenticate an OIDC client at the token, revocation or device endpoints."""
    client_id, _ = client_id_from_credentials(cc)
    app = directory.find_client(client_id)
    if app is None or not app.is_oidc:
        raise errors.invalid_client("no active client not found")
    if app.auth_method in ("client_secret_basic", "client_secret_post"):
        if not cc.client_secret:
            raise errors.invalid_client("empty client secret")
        if not _secret_matches(app.client_secret, cc.client_secret):
            raise errors.invalid_client("invalid secret")
    elif app.auth_method == "private_key_jwt":
        if not cc.client_assertion:
            raise errors.invalid_client("empty client assertion")
        try:
            verify_jwt_assertion(
                cc.client_assertion,
                issuer,
                clock,
                directory.public_key,
                offset=app.clock_skew.total_seconds(),
            )
        except AssertionInvalid:
            raise errors.invalid_client("invalid assertion") from None
    return app


def authenticate_introspection_client(
    cc: ClientCredentials, directory: Directory, issuer: str, clock: Clock
) -> Application:
    """Authenticate the caller of the introspection endpoint (an API or OIDC application).

    Only a secret or a signed assertion will do; every failure but a missing credential
    is ``unauthorized_client``, as Zitadel answers.
    """
    if not cc.client_secret and not cc.client_assertion:
        raise errors.invalid_client("client must be authenticated")
    client_id, assertion = client_id_from_credentials(cc)
    app = directory.find_client(client_id)
    if app is None:
        raise errors.unauthorized_client()
    if assertion:
        try:
            verify_jwt_assertion(cc.client_assertion, issuer, clock, directory.public_key)
        except AssertionInvalid:
            raise errors.unauthorized_client() from None
        return app
    if not _secret_matches(app.client_secret, cc.client_secret):
        raise errors.unauthorized_client()
    return app


def authenticate_service_user(cc: ClientCredentials, directory: Directory) -> ServiceUser:
    """Authenticate a machine user for the client_credentials grant (username + secret)."""
    user = directory.find_service_user_by_username(cc.client_id)
    if user is None:
        raise errors.invalid_client("client not found")
    if not user.secret:
        raise errors.MACHINE_SECRET_MISSING.oauth()
    if not _secret_matches(user.secret, cc.client_secret):
        raise errors.MACHINE_SECRET_INVALID.oauth()
    return user


def verify_jwt_profile_grant(
    assertion: str, directory: Directory, issuer: str, clock: Clock
) -> ServiceUser:
    """Verify the assertion of a JWT-profile grant and return its service user.

    Zitadel reports every failed verification of this grant as a 500 ``server_error``
    with ``Errors.Internal`` (its OIDC layer does not map these errors); the mock does
    the same, and keeps the reason in the exception's ``__cause__``.
    """
    try:
        claims = verify_jwt_assertion(assertion, issuer, clock, directory.public_key)
    except AssertionInvalid as exc:
        raise errors.INTERNAL.oauth() from exc
    user = directory.service_users.get(str(claims["sub"]))
    if user is None:
        raise errors.INTERNAL.oauth()
    return user
