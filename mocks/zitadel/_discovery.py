"""The OpenID Provider configuration document (``/.well-known/openid-configuration``)."""

from __future__ import annotations

from typing import Any

#: Endpoint paths, exactly as Zitadel serves them.
AUTHORIZE_PATH = "/oauth/v2/authorize"
TOKEN_PATH = "/oauth/v2/token"
INTROSPECT_PATH = "/oauth/v2/introspect"
REVOKE_PATH = "/oauth/v2/revoke"
KEYS_PATH = "/oauth/v2/keys"
DEVICE_AUTHORIZATION_PATH = "/oauth/v2/device_authorization"
USERINFO_PATH = "/oidc/v1/userinfo"
END_SESSION_PATH = "/oidc/v1/end_session"
DISCOVERY_PATH = "/.well-known/openid-configuration"

_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"]


def normalize_issuer(base_url: str) -> str:
    """The issuer for a base URL: Zitadel's issuer never ends with a slash."""
    return base_url.rstrip("/")


def discovery_document(
    base_url: str,
    ui_locales: list[str] | None = None,
    *,
    token_exchange: bool = False,
    back_channel_logout: bool = False,
) -> dict[str, Any]:
    """Zitadel's discovery document for an instance served at `base_url`.

    PKCE is advertised with S256 only, there is no password grant, and introspection
    accepts client_secret_basic and private_key_jwt, as Zitadel advertises. The token
    exchange grant and back-channel logout are advertised when their features are on.
    """
    issuer = normalize_issuer(base_url)
    grants = [
        "authorization_code",
        "implicit",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:device_code",
    ]
    if token_exchange:
        grants.append("urn:ietf:params:oauth:grant-type:token-exchange")
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + AUTHORIZE_PATH,
        "token_endpoint": issuer + TOKEN_PATH,
        "introspection_endpoint": issuer + INTROSPECT_PATH,
        "userinfo_endpoint": issuer + USERINFO_PATH,
        "revocation_endpoint": issuer + REVOKE_PATH,
        "end_session_endpoint": issuer + END_SESSION_PATH,
        "device_authorization_endpoint": issuer + DEVICE_AUTHORIZATION_PATH,
        "jwks_uri": issuer + KEYS_PATH,
        "scopes_supported": ["openid", "profile", "email", "phone", "address", "offline_access"],
        "response_types_supported": ["code", "id_token", "id_token token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": grants,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "request_object_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": list(_AUTH_METHODS),
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "revocation_endpoint_auth_methods_supported": list(_AUTH_METHODS),
        "revocation_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "introspection_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "claims_supported": [
            "sub",
            "aud",
            "exp",
            "iat",
            "iss",
            "auth_time",
            "nonce",
            "acr",
            "amr",
            "c_hash",
            "at_hash",
            "act",
            "scopes",
            "client_id",
            "azp",
            "preferred_username",
            "name",
            "family_name",
            "given_name",
            "locale",
            "email",
            "email_verified",
            "phone_number",
            "phone_number_verified",
        ],
        "code_challenge_methods_supported": ["S256"],
        "ui_locales_supported": list(ui_locales or ["en"]),
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "backchannel_logout_supported": back_channel_logout,
        "backchannel_logout_session_supported": back_channel_logout,
    }
