"""The login's browser defences: security headers on every page and CSRF tokens in forms.

Headers (RFC 6749 section 10.13, RFC 6819 section 4.4.1.9): the pages cannot be framed
(``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'``), are not sniffed
(``nosniff``) and run no script or style but their own, as Zitadel's login sends them.

CSRF (RFC 6749 section 10.12), the way Zitadel's login does it with gorilla/csrf: a
secret in an HttpOnly, SameSite=Lax cookie (``zitadel.login.csrf``), and in every form a
copy of it masked with a fresh one-time pad (so no two pages show the same token). A
POST must carry both and they must agree, and a browser's ``Origin`` must be the
issuer's own; otherwise the login answers 403 with gorilla's reason.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from . import _login_page as pages

CSRF_COOKIE = "zitadel.login.csrf"
#: gorilla/csrf's failure reasons, shown on the 403 page.
ORIGIN_INVALID = "origin invalid"
TOKEN_NOT_FOUND = "CSRF token not found in request"
TOKEN_INVALID = "CSRF token invalid"
_TOKEN_BYTES = 32


def _sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _csp() -> str:
    directives = {
        "default-src": "'none'",
        "script-src": f"'self' {_sha256_source(pages.AUTO_SUBMIT_SCRIPT)}",
        "object-src": "'self'",
        "style-src": f"'self' {_sha256_source(pages.STYLE)}",
        "img-src": "'self'",
        "media-src": "'none'",
        "frame-src": "'none'",
        "font-src": "'self'",
        "manifest-src": "'self'",
        "connect-src": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


#: Headers every login page carries (Zitadel's SecurityHeaders and no-cache interceptors).
PAGE_HEADERS: dict[str, str] = {
    "Content-Security-Policy": _csp(),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "X-XSS-Protection": "1; mode=block",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "payment=()",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def new_secret(random_bytes: bytes) -> str:
    """A CSRF cookie value from `_TOKEN_BYTES` random bytes."""
    return base64.urlsafe_b64encode(random_bytes[:_TOKEN_BYTES]).decode()


def _secret_bytes(secret: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(secret) if secret else b""
    except ValueError:
        return b""
    return raw if len(raw) == _TOKEN_BYTES else b""


def valid_secret(secret: str) -> bool:
    """Whether a CSRF cookie value is one this login could have set."""
    return bool(_secret_bytes(secret))


def mask(secret: str, pad: bytes) -> str:
    """The form token for `secret`: a one-time pad and the secret XORed with it."""
    raw = base64.urlsafe_b64decode(secret)
    pad = pad[: len(raw)]
    masked = bytes(a ^ b for a, b in zip(raw, pad, strict=True))
    return base64.urlsafe_b64encode(pad + masked).decode()


def _unmask(token: str) -> bytes | None:
    try:
        raw = base64.urlsafe_b64decode(token)
    except ValueError:
        return None
    if len(raw) != 2 * _TOKEN_BYTES:
        return None
    pad, masked = raw[:_TOKEN_BYTES], raw[_TOKEN_BYTES:]
    return bytes(a ^ b for a, b in zip(masked, pad, strict=True))


def csrf_failure(*, origin: str | None, base_url: str, secret: str, sent: str) -> str | None:
    """Why a state-changing login request must be refused (gorilla's reason), or None.

    `origin` is the request's Origin header, `secret` its CSRF cookie, `sent` the token
    of its form (or ``X-CSRF-Token`` header).
    """
    if origin and origin.lower() != _origin(base_url):
        return ORIGIN_INVALID
    expected = _secret_bytes(secret)
    if not expected:
        return TOKEN_NOT_FOUND
    unmasked = _unmask(sent)
    if unmasked is None or not hmac.compare_digest(unmasked, expected):
        return TOKEN_INVALID
    return None
