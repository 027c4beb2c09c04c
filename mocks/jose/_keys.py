"""RSA keys: a provider's signing keys and JWKS, and the key pairs of key files.

Keys are derived deterministically from a seed (see `derive_rsa_key`), so the same seed
and the same calls give the same keys, the same signatures and therefore the same bytes.
"""

from __future__ import annotations

import base64
import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ._clock import Clock
from ._key_cache import load_key, store_key

#: RSA size of signing keys and key files (Zitadel's SystemDefaults use 2048 bits).
KEY_BITS = 2048
_PUBLIC_EXPONENT = 65537


def _odd_primes_below(limit: int) -> list[int]:
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(range(i * i, limit, i)))
    return [i for i in range(3, limit) if sieve[i]]


_SMALL_PRIMES = _odd_primes_below(20000)
_SMALL_PRIMES_PRODUCT = math.prod(_SMALL_PRIMES)


def _is_probable_prime(n: int, rng: random.Random, rounds: int = 6) -> bool:
    """Trial division, then Miller-Rabin with bases from `rng`.

    Six rounds are more than FIPS 186-4 asks for random 1024-bit candidates.
    """
    if math.gcd(n, _SMALL_PRIMES_PRODUCT) != 1:
        return n in _SMALL_PRIMES
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    """A random prime of exactly `bits` bits whose p-1 is coprime to the public exponent."""
    while True:
        candidate = rng.getrandbits(bits) | (0b11 << (bits - 2)) | 1
        if (candidate - 1) % _PUBLIC_EXPONENT == 0:
            continue
        if _is_probable_prime(candidate, rng):
            return candidate


@lru_cache(maxsize=256)
def derive_rsa_key(seed: str, bits: int = KEY_BITS) -> rsa.RSAPrivateKey:
    """A deterministic RSA private key for `seed` (cached per process, and derived once per
    machine: see `mocks.jose._key_cache`)."""
    key = load_key(seed, bits)
    if key is None:
        key = derived_rsa_key(seed, bits)
        store_key(seed, bits, key)
    return key


def derived_rsa_key(seed: str, bits: int = KEY_BITS) -> rsa.RSAPrivateKey:
    """The RSA private key for `seed`, derived anew (no cache).

    The two top bits of each prime are set, so the modulus has exactly `bits` bits.
    """
    rng = random.Random(f"mocks.zitadel.rsa:{seed}:{bits}")
    half = bits // 2
    while True:
        p, q = _prime(half, rng), _prime(bits - half, rng)
        if p != q:
            break
    if p < q:
        p, q = q, p
    n = p * q
    d = pow(_PUBLIC_EXPONENT, -1, (p - 1) * (q - 1))
    public = rsa.RSAPublicNumbers(_PUBLIC_EXPONENT, n)
    private = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=public,
    )
    # the primes passed Miller-Rabin above: OpenSSL's own check would test them again
    return private.private_key(unsafe_skip_rsa_key_validation=True)


def b64url_uint(value: int) -> str:
    """An unsigned integer as JWK encodes it: big-endian bytes, base64url, no padding."""
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(key: rsa.RSAPublicKey, kid: str) -> dict[str, str]:
    """The JWK of an RSA public key, with the members and order Zitadel publishes."""
    numbers = key.public_numbers()
    return {
        "use": "sig",
        "kty": "RSA",
        "kid": kid,
        "alg": "RS256",
        "n": b64url_uint(numbers.n),
        "e": b64url_uint(numbers.e),
    }


def private_pem(key: rsa.RSAPrivateKey) -> str:
    """The private key as PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), as Zitadel's key files hold it."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def public_pem(key: rsa.RSAPublicKey) -> str:
    """The public key as PKIX PEM ("BEGIN PUBLIC KEY")."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_pem(pem: str) -> rsa.RSAPublicKey:
    """Load a PKIX public key PEM, refusing anything but RSA."""
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


@dataclass
class SigningKey:
    """One of the provider's signing keys: its numeric-string `kid` and its key pair.

    The key pair is derived from `seed` on first use, so creating a provider costs
    nothing until a token is signed or the JWKS is read.
    """

    kid: str
    seed: str
    created_at: float
    #: When the key stopped signing (None while it is the current key).
    retired_at: float | None = None

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The private half (derived and cached on first use)."""
        return derive_rsa_key(self.seed)

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        """The public half."""
        return self.private_key.public_key()

    def jwk(self) -> dict[str, str]:
        """The public JWK, as `/oauth/v2/keys` lists it."""
        return public_jwk(self.public_key, self.kid)


class KeyIds(Protocol):
    """Where a key set gets the ids and seeds of new keys (a seeded generator)."""

    def next_id(self) -> str:
        """The next key id."""
        ...

    def derive_seed(self, purpose: str) -> str:
        """A seed for a key pair, stable for the generator's own seed."""
        ...


@dataclass
class KeySet:
    """The provider's signing keys: one current key and the recently retired ones.

    `rotate()` makes a new key current and keeps the previous public key in the JWKS
    for `public_key_lifetime` seconds (Zitadel: 30h), so tokens signed just before a
    rotation still validate.

    Example::

        keys = KeySet(ids, Clock())  # ids: a KeyIds, such as Zitadel's IdGenerator
        old = keys.current.kid
        keys.rotate()
        assert [k["kid"] for k in keys.jwks()["keys"]] == [keys.current.kid, old]
    """

    ids: KeyIds
    clock: Clock
    public_key_lifetime: float = 30 * 3600
    keys: list[SigningKey] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.keys:
            self.keys.append(self._new_key())

    def _new_key(self) -> SigningKey:
        kid = self.ids.next_id()
        seed = self.ids.derive_seed(f"signing-key-{kid}")
        return SigningKey(kid=kid, seed=seed, created_at=self.clock.now())

    @property
    def current(self) -> SigningKey:
        """The key that signs new tokens."""
        return self.keys[0]

    def rotate(self) -> SigningKey:
        """Publish a new signing key; the previous public key stays in the JWKS."""
        self.current.retired_at = self.clock.now()
        self.keys.insert(0, self._new_key())
        return self.current

    def published(self) -> list[SigningKey]:
        """The keys in the JWKS: the current one and the retired ones still valid."""
        now = self.clock.now()
        return [
            key
            for key in self.keys
            if key.retired_at is None or now - key.retired_at < self.public_key_lifetime
        ]

    def find(self, kid: str) -> SigningKey | None:
        """The published key with this `kid`, or None."""
        return next((key for key in self.published() if key.kid == kid), None)

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set of `/oauth/v2/keys`."""
        return {"keys": [key.jwk() for key in self.published()]}
