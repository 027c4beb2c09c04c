"""Bot Framework credentials for a login endpoint served over plain HTTP.

botbuilder gets the bot's outbound tokens through MSAL, which only accepts an https
authority. In production (``https://login.microsoftonline.com/...``) the stock
``PasswordServiceClientCredentialFactory`` is used as it is; when
``TO_CHANNEL_FROM_BOT_LOGIN_URL`` is plain HTTP (a channel emulator on loopback), the
same client-credentials request MSAL would make is posted to
``{login_url}/oauth2/v2.0/token`` directly.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import requests
from botframework.connector.auth import (  # type: ignore[import-untyped,unused-ignore]
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)

#: Seconds before a token expires at which it is renewed.
RENEW_BEFORE = 300


class PlainHttpAppCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """App id and password credentials whose token comes from `token_url` (cached)."""

    def __init__(self, app_id: str, password: str, oauth_scope: str, token_url: str) -> None:
        super().__init__(app_id, password, oauth_scope=oauth_scope)
        self.token_url = token_url
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None

    def get_access_token(self, force_refresh: bool = False) -> str:
        """A bearer token for the Bot Connector."""
        with self._lock:
            if self._token is not None and not force_refresh and time.monotonic() < self._token[1]:
                return self._token[0]
            scope = str(self.oauth_scope)
            form = {
                "grant_type": "client_credentials",
                "client_id": self.microsoft_app_id,
                "client_secret": self.microsoft_app_password,
                "scope": scope if scope.endswith("/.default") else f"{scope}/.default",
            }
            response = requests.post(self.token_url, data=form, timeout=10)
            body: Any = response.json() if response.content else {}
            if response.status_code != 200 or "access_token" not in body:
                raise PermissionError(f"token request refused ({response.status_code}): {body}")
            expires_in = float(body.get("expires_in", 3599))
            self._token = (body["access_token"], time.monotonic() + expires_in - RENEW_BEFORE)
            return str(body["access_token"])


class CredentialsFactory(PasswordServiceClientCredentialFactory):  # type: ignore[misc]
    """The stock factory, except for a plain-HTTP login endpoint (see the module)."""

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        """Credentials for the bot's calls to the connector."""
        if not (login_endpoint or "").lower().startswith("http://") or not self.app_id:
            return await super().create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
        if app_id != self.app_id:
            raise PermissionError("Invalid app_id")
        token_url = f"{login_endpoint.rstrip('/')}/oauth2/v2.0/token"
        return PlainHttpAppCredentials(app_id, self.password, oauth_scope, token_url)
