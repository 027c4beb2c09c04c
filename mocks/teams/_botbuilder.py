"""Wiring a stock botbuilder bot to the mock (botbuilder is optional: this module is only
imported by MockTeams' helper methods).

MSAL cannot be aimed at a plain-HTTP loopback token endpoint (it refuses a non-https
authority and first asks login.microsoftonline.com about the instance), so the bot's
outbound credentials come from `MockCredentialsFactory`, a botbuilder
``ServiceClientCredentialsFactory`` whose credentials post the same client-credentials
request to the mock's token endpoint that MSAL would post to Entra ID.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from botbuilder.integration.aiohttp import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    ConfigurationBotFrameworkAuthentication,
)
from botframework.connector.auth import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)

#: Seconds before expiry at which a cached token is renewed.
_RENEW_BEFORE = 300


class _TokenCache:
    """Access tokens per (app id, scope), shared by the credentials of one factory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}

    def get(self, key: tuple[str, str]) -> str | None:
        with self._lock:
            found = self._tokens.get(key)
        if found is None or time.monotonic() >= found[1]:
            return None
        return found[0]

    def put(self, key: tuple[str, str], token: str, expires_in: float) -> None:
        with self._lock:
            self._tokens[key] = (token, time.monotonic() + max(expires_in - _RENEW_BEFORE, 0))


class MockAppCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """App id and password credentials whose tokens come from the mock's token endpoint.

    Like botbuilder's own, a failed token request raises ``PermissionError`` with the
    endpoint's ``error`` and ``error_description``.
    """

    def __init__(
        self,
        app_id: str,
        password: str,
        oauth_scope: str | None,
        token_url: str,
        cache: _TokenCache,
    ) -> None:
        super().__init__(app_id, password, oauth_scope=oauth_scope)
        self.token_url = token_url
        self._cache = cache

    def get_access_token(self, force_refresh: bool = False) -> str:
        """A bearer token for the connector (cached until shortly before it expires)."""
        scope = str(self.oauth_scope)
        if not scope.endswith("/.default"):
            scope += "/.default"
        key = (str(self.microsoft_app_id), scope)
        cached = None if force_refresh else self._cache.get(key)
        if cached is not None:
            return cached
        form = {
            "grant_type": "client_credentials",
            "client_id": self.microsoft_app_id,
            "client_secret": self.microsoft_app_password,
            "scope": scope,
        }
        response = requests.post(self.token_url, data=form, timeout=10)
        try:
            body: Any = response.json()
        except ValueError:
            body = {}
        if isinstance(body, dict) and isinstance(body.get("access_token"), str):
            self._cache.put(key, body["access_token"], float(body.get("expires_in", 3599)))
            return str(body["access_token"])
        error = body.get("error", "Unknown error") if isinstance(body, dict) else "Unknown error"
        description = (
            body.get("error_description", f"HTTP {response.status_code}")
            if isinstance(body, dict)
            else f"HTTP {response.status_code}"
        )
        raise PermissionError(
            f"Failed to get access token with error: {error}, error_description: {description}"
        )


class MockCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """A botbuilder ``ServiceClientCredentialsFactory`` for one bot, backed by the mock.

    `token_url` is used when the bot's configuration names no login URL; otherwise the
    login URL (``TO_CHANNEL_FROM_BOT_LOGIN_URL``) plus ``/oauth2/v2.0/token``.
    """

    def __init__(self, app_id: str, password: str, token_url: str) -> None:
        self.app_id = app_id
        self.password = password
        self.token_url = token_url
        self._cache = _TokenCache()

    async def is_valid_app_id(self, app_id: str) -> bool:
        """Whether `app_id` is this bot's."""
        return app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        """Authentication is on whenever an app id is set."""
        return not self.app_id

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        """Credentials for the bot's outbound calls (none when authentication is off)."""
        if not self.app_id:
            return MicrosoftAppCredentials.empty()
        if app_id != self.app_id:
            raise PermissionError("Invalid app_id")
        token_url = f"{login_endpoint.rstrip('/')}/oauth2/v2.0/token" if login_endpoint else None
        return MockAppCredentials(
            app_id, self.password, oauth_scope, token_url or self.token_url, self._cache
        )


@dataclass
class BotConfiguration:
    """The configuration object ``ConfigurationBotFrameworkAuthentication`` reads (by
    attribute name), pointing every endpoint at the mock."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str
    APP_TYPE: str = "MultiTenant"


def configuration_from_environment(environ: Mapping[str, str]) -> BotConfiguration:
    """The bot's configuration from the variables `MockTeams.stack_environment()` gives."""
    return BotConfiguration(
        APP_ID=environ["MicrosoftAppId"],
        APP_PASSWORD=environ["MicrosoftAppPassword"],
        APP_TENANTID=environ.get("MicrosoftAppTenantId", ""),
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=environ["TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"],
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=environ["TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"],
        TO_CHANNEL_FROM_BOT_LOGIN_URL=environ["TO_CHANNEL_FROM_BOT_LOGIN_URL"],
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=environ["TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"],
        APP_TYPE=environ.get("MicrosoftAppType", "MultiTenant"),
    )


def factory_from_environment(environ: Mapping[str, str]) -> MockCredentialsFactory:
    """The credentials factory for the bot the variables describe."""
    login_url = environ["TO_CHANNEL_FROM_BOT_LOGIN_URL"].rstrip("/")
    return MockCredentialsFactory(
        environ["MicrosoftAppId"], environ["MicrosoftAppPassword"], f"{login_url}/oauth2/v2.0/token"
    )


def authentication_from_environment(environ: Mapping[str, str]) -> Any:
    """A stock ``ConfigurationBotFrameworkAuthentication`` wired to the mock the variables name."""
    return ConfigurationBotFrameworkAuthentication(
        configuration_from_environment(environ),
        credentials_factory=factory_from_environment(environ),
    )
