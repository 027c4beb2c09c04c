"""Time-based one-time passwords (RFC 6238) as Zitadel's TOTP second factor uses them.

SHA-1, 6 digits, 30-second steps, base32 secrets without padding; a code is accepted
one step either side of now, as Zitadel validates it. Authenticator apps and ``pyotp``
compute the same codes from the same secret and time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from urllib.parse import quote, urlencode

DIGITS = 6
PERIOD = 30
#: Steps either side of now that still count (clock drift between phone and server).
SKEW = 1


def new_secret(random_bytes: bytes) -> str:
    """A base32 secret (no padding) from 20 random bytes, as authenticator apps take it."""
    return base64.b32encode(random_bytes).decode().rstrip("=")


def code_at(secret: str, moment: float) -> str:
    """The code for `secret` at `moment` (seconds since the epoch)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(moment // PERIOD)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def verify(secret: str, code: str, moment: float) -> bool:
    """Whether `code` is the code of `secret` at `moment`, give or take `SKEW` steps."""
    typed = code.strip().replace(" ", "")
    if len(typed) != DIGITS or not typed.isdigit():
        return False
    return any(
        hmac.compare_digest(code_at(secret, moment + step * PERIOD), typed)
        for step in range(-SKEW, SKEW + 1)
    )


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app scans (as a QR code)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1"})
    return f"otpauth://totp/{label}?{query}&digits={DIGITS}&period={PERIOD}"
