"""A per-user folder of derived RSA keys, so a key is derived once per machine.

Deriving a 2048-bit key from a seed (`mocks.jose._keys`) searches for two 1024-bit primes
in Python: 0.3 to 1 s a key, paid again by every process (each pytest-xdist worker, each
standalone start) on its first token. The result depends only on the seed and the size,
so it can be kept: ``$MOCKS_KEY_CACHE`` names the folder (``off`` turns the cache off),
else ``$XDG_CACHE_HOME/mocks/rsa-keys`` or ``~/.cache/mocks/rsa-keys``.

A file is named by a hash of the seed and size and holds the key as unencrypted PKCS#8
PEM: these keys sign test tokens and anyone can derive them from their seed, so they are
no secret. A file that does not load, or holds numbers that are not a key pair, is
ignored (and replaced); a folder that cannot be written only costs the derivation.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

#: The environment variable naming the folder, or ``off``.
CACHE_VARIABLE = "MOCKS_KEY_CACHE"


def cache_folder() -> Path | None:
    """Where derived keys are kept (None: not kept)."""
    chosen = os.environ.get(CACHE_VARIABLE, "")
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mocks" / "rsa-keys"


def _file_of(folder: Path, seed: str, bits: int) -> Path:
    digest = hashlib.sha256(f"{bits}:{seed}".encode()).hexdigest()[:40]
    return folder / f"rsa-{bits}-{digest}.pem"


def _is_key_pair(key: rsa.RSAPrivateKey, bits: int) -> bool:
    """Whether `key` is a consistent `bits`-bit RSA pair (cheap: no primality test)."""
    numbers = key.private_numbers()
    public = numbers.public_numbers
    return (
        public.n.bit_length() == bits
        and numbers.p * numbers.q == public.n
        and pow(pow(2, public.e, public.n), numbers.d, public.n) == 2
    )


def load_key(seed: str, bits: int) -> rsa.RSAPrivateKey | None:
    """The key kept for `seed` and `bits`, if there is a sound one."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        data = _file_of(folder, seed, bits).read_bytes()
        key = serialization.load_pem_private_key(
            data, password=None, unsafe_skip_rsa_key_validation=True
        )
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey) or not _is_key_pair(key, bits):
        return None
    return key


def store_key(seed: str, bits: int, key: rsa.RSAPrivateKey) -> None:
    """Keep `key` for `seed` and `bits` (written whole or not at all; errors ignored)."""
    folder = cache_folder()
    if folder is None:
        return
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".rsa-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(pem)
            os.replace(temporary, _file_of(folder, seed, bits))
        except OSError:
            os.unlink(temporary)
            raise
    except OSError:
        return


__all__ = ["CACHE_VARIABLE", "cache_folder", "load_key", "store_key"]
