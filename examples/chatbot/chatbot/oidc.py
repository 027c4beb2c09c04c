"""Logging users in with OpenID Connect: authorization code flow with PKCE, as a public
client (no secret), against the issuer's discovery document.

`OidcClient.begin` makes the authorization URL and remembers the login's state, nonce
and code verifier; `finish` exchanges the code, checks the ID token (signature from the
provider's JWKS, issuer, audience, expiry, nonce) and reads the user's profile;
`userinfo` asks the provider whether an access token is still good; `end_session_url`
is where logging out sends the browser.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import jwt

from .config import ZitadelSettings

#: Seconds a started login may take before its state is forgotten.
LOGIN_TIMEOUT = 600
#: Started logins kept at most (the oldest are dropped first).
MAX_PENDING = 1000
SCOPES = "openid profile email"


class LoginFailed(Exception):
    """The provider's answer cannot log the user in (the message says why)."""


@dataclass(frozen=True)
class PendingLogin:
    """What a started login must find again at the callback."""

    nonce: str
    verifier: str
    redirect_uri: str
    started: float


@dataclass(frozen=True)
class LoggedIn:
    """A finished login: the user's claims and the provider's tokens."""

    claims: dict[str, Any]
    id_token: str
    access_token: str


class OidcClient:
    """The bot as a relying party of one provider."""

    def __init__(self, settings: ZitadelSettings, http: aiohttp.ClientSession) -> None:
        self.issuer = settings.issuer.rstrip("/")
        self.client_id = settings.client_id
        self.http = http
        self._metadata: dict[str, Any] | None = None
        self._pending: dict[str, PendingLogin] = {}

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once)."""
        if self._metadata is None:
            url = f"{self.issuer}/.well-known/openid-configuration"
            self._metadata = await self._get_json(url)
        return self._metadata

    async def begin(self, redirect_uri: str) -> str:
        """Start a login; the authorization URL to send the browser to."""
        self._forget_stale()
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        verifier = secrets.token_urlsafe(48)
        self._pending[state] = PendingLogin(nonce, verifier, redirect_uri, time.monotonic())
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        query = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPES,
            "state": state,
            "nonce": nonce,
            "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"),
            "code_challenge_method": "S256",
        }
        return f"{(await self.metadata())['authorization_endpoint']}?{urlencode(query)}"

    async def finish(self, state: str, code: str) -> LoggedIn:
        """Finish the login `state` started with the provider's `code`."""
        pending = self._pending.pop(state, None)
        if pending is None or time.monotonic() - pending.started > LOGIN_TIMEOUT:
            raise LoginFailed("this login was not started here or took too long")
        metadata = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "client_id": self.client_id,
            "code_verifier": pending.verifier,
        }
        async with self.http.post(metadata["token_endpoint"], data=form) as response:
            tokens = await response.json(content_type=None)
            if response.status != 200:
                raise LoginFailed(f"the token endpoint answered {response.status}: {tokens}")
        claims = await self._check_id_token(tokens["id_token"], pending.nonce)
        profile = await self.userinfo(tokens["access_token"])
        if profile is None:
            raise LoginFailed("the provider refused the access token it just issued")
        return LoggedIn({**claims, **profile}, tokens["id_token"], tokens["access_token"])

    async def userinfo(self, access_token: str) -> dict[str, Any] | None:
        """The user's profile, or None when the provider no longer accepts the token."""
        url = (await self.metadata())["userinfo_endpoint"]
        headers = {"Authorization": f"Bearer {access_token}"}
        async with self.http.get(url, headers=headers) as response:
            if response.status == 401:
                return None
            response.raise_for_status()
            profile: dict[str, Any] = await response.json(content_type=None)
            return profile

    async def end_session_url(self, id_token: str, post_logout_redirect_uri: str) -> str:
        """Where the browser logs out of the provider, then comes back."""
        query = {
            "id_token_hint": id_token,
            "client_id": self.client_id,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "state": secrets.token_urlsafe(8),
        }
        return f"{(await self.metadata())['end_session_endpoint']}?{urlencode(query)}"

    async def _check_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        keys = jwt.PyJWKSet.from_dict(await self._get_json((await self.metadata())["jwks_uri"]))
        kid = jwt.get_unverified_header(id_token).get("kid")
        key = next((key for key in keys.keys if key.key_id == kid), None)
        if key is None:
            raise LoginFailed(f"the ID token is signed with an unknown key {kid!r}")
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=30,
            )
        except jwt.InvalidTokenError as error:
            raise LoginFailed(f"the ID token is not valid: {error}") from error
        if claims.get("nonce") != nonce:
            raise LoginFailed("the ID token's nonce is not this login's")
        return claims

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with self.http.get(url) as response:
            response.raise_for_status()
            document: dict[str, Any] = await response.json(content_type=None)
            return document

    def _forget_stale(self) -> None:
        now = time.monotonic()
        for state, pending in list(self._pending.items()):
            if now - pending.started > LOGIN_TIMEOUT or len(self._pending) >= MAX_PENDING:
                del self._pending[state]
