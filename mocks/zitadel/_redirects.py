"""Zitadel's redirect URI rules: where codes, tokens and logged-out browsers may go."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ._errors import OAuthError
from ._model import Application

#: Zitadel appends this to the errors it shows instead of redirecting.
CONTACT = " If you have any questions, you may contact the administrator of the application."
REDIRECT_URI_NOT_REGISTERED = (
    "The requested redirect_uri is missing in the client configuration." + CONTACT
)
REDIRECT_URI_HTTP = "This client's redirect_uri is http and is not allowed." + CONTACT
REDIRECT_URI_CUSTOM = (
    "This client's redirect_uri is using a custom schema and is not allowed." + CONTACT
)


def is_loopback(uri: str) -> bool:
    """RFC 8252 section 7.3: ``localhost`` or a loopback IP literal, nothing else.

    ``http://127.attacker.example/`` is a DNS name that merely starts with "127."; it is
    not a loopback address and must not receive codes or post-logout redirects.
    """
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _same_without_port(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.path, pa.query) == (pb.path, pb.query)


def validate_redirect_uri(app: Application, uri: str, response_type: str) -> OAuthError | None:
    """Zitadel's redirect_uri rules: registered; http only for confidential code flow,
    native loopback (any port) or dev mode; custom schemes only for native apps."""

    def refuse(text: str) -> OAuthError:
        return OAuthError("invalid_request", text, redirect=False)

    registered = uri in app.redirect_uris
    if app.kind == "native":
        loopback = is_loopback(uri)
        custom = not uri.startswith(("http://", "https://"))
        if registered:
            if app.dev_mode or (not loopback and uri.startswith("https://")):
                return None
            return None if loopback or custom else refuse(REDIRECT_URI_HTTP)
        if loopback and any(
            is_loopback(r) and _same_without_port(uri, r) for r in app.redirect_uris
        ):
            return None
        return refuse(REDIRECT_URI_NOT_REGISTERED)
    if not registered:
        return refuse(REDIRECT_URI_NOT_REGISTERED)
    if uri.startswith("https://") or app.dev_mode:
        return None
    if uri.startswith("http://"):
        if response_type == "code" and not app.is_public:
            return None
        return refuse(REDIRECT_URI_HTTP)
    return refuse(REDIRECT_URI_CUSTOM)


def post_logout_allowed(app: Application, uri: str) -> bool:
    """Whether `uri` may receive the browser after logout: registered, or for a native
    app a loopback URI registered without its port (RFC 8252 section 7.3)."""
    if uri in app.post_logout_redirect_uris:
        return True
    return (
        app.kind == "native"
        and is_loopback(uri)
        and any(
            is_loopback(r) and _same_without_port(uri, r) for r in app.post_logout_redirect_uris
        )
    )
