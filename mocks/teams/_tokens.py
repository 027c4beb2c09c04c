"""Tokens both ways: the channel's tokens to the bot, and the bot's access tokens.

The channel signs every activity it posts with an RS256 JWT (``iss`` the Bot Framework,
``aud`` the bot's app id, ``serviceurl`` the activity's serviceUrl byte for byte). A test
asks for a broken variant by name to see how the bot's authentication copes.

The bot, in turn, gets an access token from the (mock) Entra ID token endpoint and sends
it to every connector call; `AccessTokens` issues those and checks them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from ..jose import Clock, JWTError, KeySet, SigningKey, b64url_encode, encode_jwt, parse_jwt
from ._keys import ChannelKeys

#: The ``iss`` of the channel's tokens (botbuilder: TO_BOT_FROM_CHANNEL_TOKEN_ISSUER).
CHANNEL_ISSUER = "https://api.botframework.com"
#: The issuer of the US Government cloud's channel tokens: the ``wrong_issuer`` variant.
GOVERNMENT_ISSUER = "https://api.botframework.us"
#: The resource the bot asks a token for, and the ``aud`` of that token.
CONNECTOR_AUDIENCE = "https://api.botframework.com"
#: The tenant the Bot Framework's multi-tenant tokens come from (``botframework.com``).
BOTFRAMEWORK_TENANT_ID = "d6d49420-f39b-4df7-a1dc-d59a935871db"
#: The serviceurl a ``serviceurl_mismatch`` token names instead of the activity's.
OTHER_SERVICE_URL = "https://smba.trafficmanager.net/amer/"
#: How far past its expiry an ``expired`` token is: beyond botbuilder's 5-minute leeway.
EXPIRED_BY = 15 * 60

TokenVariant = Literal[
    "valid",
    "expired",
    "wrong_audience",
    "wrong_issuer",
    "unknown_key",
    "no_endorsement",
    "serviceurl_mismatch",
    "tampered",
    "none",
]
#: Every variant name, in declaration order.
TOKEN_VARIANTS: tuple[str, ...] = get_args(TokenVariant)


def token_variant(name: str) -> TokenVariant:
    """`name` as a `TokenVariant`; raises ValueError naming the known ones."""
    for variant in get_args(TokenVariant):
        if variant == name:
            return variant  # type: ignore[no-any-return]
    raise ValueError(f"unknown token variant {name!r}; known: {', '.join(TOKEN_VARIANTS)}")


@dataclass
class ChannelTokens:
    """Signs the channel's tokens for one bot.

    Example::

        tokens = ChannelTokens(ChannelKeys(clock), clock, app_id="...")
        header = tokens.authorization("http://127.0.0.1:8000/", "expired")
        # "Bearer eyJ..." or None for the "none" variant
    """

    keys: ChannelKeys
    clock: Clock
    app_id: str
    #: Seconds a token is valid for.
    lifetime: int = 3600
    #: The ``aud`` of a ``wrong_audience`` token: some other bot's app id (this bot's own,
    #: for a token addressed to the app of this id).
    other_app_id: str = "00000000-0000-0000-0000-0000000000b0"

    def claims(
        self, service_url: str, variant: TokenVariant = "valid", audience: str | None = None
    ) -> dict[str, Any]:
        """The claims of a `variant` token for an activity carrying `service_url`, to the
        bot of app id `audience` (default: this bot's `app_id`)."""
        now = self.clock.timestamp()
        audience = audience or self.app_id
        claims: dict[str, Any] = {
            "serviceurl": service_url,
            "nbf": now - 300,
            "exp": now + self.lifetime,
            "iss": CHANNEL_ISSUER,
            "aud": audience,
        }
        if variant == "expired":
            claims["nbf"] = now - self.lifetime - EXPIRED_BY
            claims["exp"] = now - EXPIRED_BY
        elif variant == "wrong_audience":  # some other app than the one addressed
            claims["aud"] = self.other_app_id if audience != self.other_app_id else self.app_id
        elif variant == "wrong_issuer":
            claims["iss"] = GOVERNMENT_ISSUER
        elif variant == "serviceurl_mismatch":
            claims["serviceurl"] = OTHER_SERVICE_URL
        return claims

    def signer(self, variant: TokenVariant) -> SigningKey:
        """The key a `variant` token is signed with."""
        if variant == "unknown_key":
            return self.keys.unpublished
        if variant == "no_endorsement":
            return self.keys.other_channel
        return self.keys.current

    def issue(
        self, service_url: str, variant: TokenVariant = "valid", audience: str | None = None
    ) -> str | None:
        """A signed token of `variant` to `audience` (see `claims`); None for ``"none"``."""
        if variant == "none":
            return None
        key = self.signer(variant)
        token = encode_jwt(self.claims(service_url, variant, audience), key.private_key, key.kid)
        return _tamper(token) if variant == "tampered" else token

    def authorization(
        self, service_url: str, variant: TokenVariant = "valid", audience: str | None = None
    ) -> str | None:
        """The ``Authorization`` header value of a `variant` token to `audience` (default:
        this bot's app id), None for ``"none"``."""
        token = self.issue(service_url, variant, audience)
        return None if token is None else f"Bearer {token}"


def _tamper(token: str) -> str:
    """The token with its payload altered after signing (a claim added), signature kept."""
    header, _, signature = token.split(".")
    claims = parse_jwt(token).claims
    claims["tampered"] = True
    forged = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{forged}.{signature}"


@dataclass
class AccessTokens:
    """The Entra ID side: access tokens for the bot's client-credentials grant, and the
    bearer check every connector call goes through."""

    keys: KeySet
    clock: Clock
    #: Seconds an access token lives (Entra ID answers ``expires_in: 3599``).
    lifetime: int = 3599

    def issue(self, app_id: str, tenant_id: str = BOTFRAMEWORK_TENANT_ID) -> str:
        """A v1 access token for `app_id` with audience the Bot Framework."""
        now = self.clock.timestamp()
        issuer = f"https://sts.windows.net/{tenant_id}/"
        claims = {
            "aud": CONNECTOR_AUDIENCE,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "appid": app_id,
            "appidacr": "1",
            "idp": issuer,
            "tid": tenant_id,
            "ver": "1.0",
        }
        key = self.keys.current
        return encode_jwt(claims, key.private_key, key.kid)

    def problem(self, authorization: str | None, app_id: str, mock_scope: str = "") -> str | None:
        """Why `authorization` does not let `app_id` (or, in a named `mock_scope`, the app
        of that name: see `acts_as_bot`) call the connector, or None if it does."""
        if not authorization:
            return "no Authorization header"
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "not a bearer token"
        try:
            parsed = parse_jwt(token.strip())
            key = self.keys.find(str(parsed.header.get("kid")))
            if key is None:
                return "signed by an unknown key"
            parsed.verify(key.public_key)
        except JWTError as exc:
            return f"malformed or badly signed token ({exc})"
        claims = parsed.claims
        if claims.get("aud") != CONNECTOR_AUDIENCE:
            return f"audience {claims.get('aud')!r} is not the Bot Framework"
        expiry = claims.get("exp")
        if not isinstance(expiry, int) or expiry < self.clock.timestamp():
            return "token expired"
        if not acts_as_bot(claims.get("appid"), app_id, mock_scope):
            return f"token belongs to app {claims.get('appid')!r}"
        return None


def acts_as_bot(claimed: object, app_id: str, mock_scope: str) -> bool:
    """Whether `claimed` is the bot's `app_id`, or the name of the request's named
    `mock_scope`: a test worker sharing the mock runs its own bot, whose app id names its
    scope (see `MockTeams.scope_key`)."""
    return claimed == app_id or (bool(mock_scope) and claimed == mock_scope)


def bearer_app_id(authorization: str | None) -> str | None:
    """The ``appid`` an access token in a ``Bearer`` header claims, read without checking
    it (the connector's bearer check does that); None for anything else, garbage included."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    try:
        app_id = parse_jwt(token.strip()).claims.get("appid")
    except JWTError:
        return None
    return app_id if isinstance(app_id, str) and app_id else None
