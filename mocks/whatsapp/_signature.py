"""The ``X-Hub-Signature-256`` header that proves a webhook came from WhatsApp.

WhatsApp signs the exact bytes of each webhook body with HMAC-SHA256 under the app
secret and sends ``sha256=<lower-case hex>``; a bot recomputes it over the raw body it
received. Serialize a body once and sign those bytes.

>>> body = b'{"object":"whatsapp_business_account"}'
>>> header = signature_header("secret", body)
>>> header.startswith("sha256=") and is_valid_signature("secret", body, header)
True
"""

from __future__ import annotations

import hashlib
import hmac

#: The header name WhatsApp signs webhooks in.
SIGNATURE_HEADER = "X-Hub-Signature-256"


def signature_header(app_secret: str, body: bytes) -> str:
    """The header value for `body`: ``sha256=`` and the hex HMAC-SHA256 under `app_secret`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def is_valid_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is the signature of `body` under `app_secret` (constant-time)."""
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(signature_header(app_secret, body), header)
