"""The Entra ID token endpoint a bot calls before it talks to the connector.

A bot asks ``POST /{tenant}/oauth2/v2.0/token`` with the client-credentials grant, its
app id and password, and the scope ``https://api.botframework.com/.default``. This module
checks that request and issues the token, or raises the `AadError` Entra ID would send.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from ._errors import AadError
from ._tokens import BOTFRAMEWORK_TENANT_ID, CONNECTOR_AUDIENCE, AccessTokens, acts_as_bot

#: The scope a bot asks for (its resource plus ``/.default``).
CONNECTOR_SCOPE = f"{CONNECTOR_AUDIENCE}/.default"


def tenant_id_for(tenant: str) -> str:
    """The directory id a token path segment stands for (``botframework.com`` -> its GUID)."""
    return BOTFRAMEWORK_TENANT_ID if tenant.lower() == "botframework.com" else tenant


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from an HTTP Basic header, or None."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = raw.partition(":")
    return (unquote_plus(client_id), unquote_plus(secret)) if sep else None


def client_credentials(
    form: Mapping[str, str], authorization: str | None
) -> tuple[str | None, str | None]:
    """``(client_id, client_secret)`` of a token request: HTTP Basic, else the form's
    fields (None for a field that is missing or empty)."""
    basic = basic_credentials(authorization)
    if basic is not None:
        return basic
    return form.get("client_id") or None, form.get("client_secret")


@dataclass
class TokenEndpoint:
    """Checks a client-credentials request for the bot this mock knows (or, in a named
    mock scope, for the app of that name).

    Example::

        endpoint = TokenEndpoint(tokens, app_id="app", app_password="secret")
        answer = endpoint.grant({"grant_type": "client_credentials", "client_id": "app",
                                 "client_secret": "secret", "scope": CONNECTOR_SCOPE},
                                tenant="botframework.com")
        answer["token_type"]  # "Bearer"
    """

    tokens: AccessTokens
    app_id: str
    app_password: str

    def grant(
        self,
        form: Mapping[str, str],
        tenant: str,
        authorization: str | None = None,
        *,
        mock_scope: str = "",
    ) -> dict[str, Any]:
        """The token response for `form` (the request's fields); raises `AadError`. In a
        named `mock_scope` (``X-Mock-Scope``, or `MockTeams.scope_key`), the app of that
        name gets tokens too, with the bot's password."""
        grant_type = form.get("grant_type")
        if not grant_type:
            raise AadError.missing_parameter("grant_type")
        if grant_type != "client_credentials":
            raise AadError.unsupported_grant(grant_type)
        client_id, secret = client_credentials(form, authorization)
        if client_id is None:
            raise AadError.missing_parameter("client_id")
        if not acts_as_bot(client_id, self.app_id, mock_scope):
            raise AadError.unknown_application(client_id, tenant)
        if secret is None:
            raise AadError.missing_secret()
        if secret != self.app_password:
            raise AadError.invalid_secret(client_id)
        self._check_scope(form.get("scope"), tenant)
        access_token = self.tokens.issue(client_id, tenant_id_for(tenant))
        return {
            "token_type": "Bearer",
            "expires_in": self.tokens.lifetime,
            "ext_expires_in": self.tokens.lifetime,
            "access_token": access_token,
        }

    @staticmethod
    def _check_scope(scope: str | None, tenant: str) -> None:
        if not scope:
            raise AadError.missing_parameter("scope")
        if scope == CONNECTOR_SCOPE:
            return
        if not scope.endswith("/.default") or " " in scope:
            raise AadError.invalid_scope(scope)
        raise AadError.unknown_resource(scope.removesuffix("/.default"), tenant)
