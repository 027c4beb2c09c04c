"""Derived RSA keys kept on disk: the same key as a derivation, never a bad file's."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mocks.jose import derive_rsa_key, private_pem
from mocks.jose._key_cache import CACHE_VARIABLE, load_key, store_key
from mocks.jose._keys import derived_rsa_key

SEED = "key-cache-test"
BITS = 1024  # the cache does not care about the size; a smaller key derives faster


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "keys"))
    return tmp_path / "keys"


def _only_file(folder: Path) -> Path:
    (found,) = folder.glob("*.pem")
    return found


def test_a_derived_key_is_kept_and_read_back_unchanged(folder: Path) -> None:
    derived = derived_rsa_key(SEED, BITS)
    assert load_key(SEED, BITS) is None
    first = derive_rsa_key.__wrapped__(SEED, BITS)  # past the in-process cache
    assert private_pem(first) == private_pem(derived)
    assert _only_file(folder).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = derive_rsa_key.__wrapped__(SEED, BITS)  # from the file this time
    assert private_pem(again) == private_pem(derived)
    assert load_key(SEED + "-other", BITS) is None
    assert load_key(SEED, 2048) is None


def test_a_file_that_is_no_key_is_replaced(folder: Path) -> None:
    derive_rsa_key.__wrapped__(SEED, BITS)
    kept = _only_file(folder)
    kept.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot base64\n")
    assert load_key(SEED, BITS) is None
    key = derive_rsa_key.__wrapped__(SEED, BITS)
    assert private_pem(key) == private_pem(derived_rsa_key(SEED, BITS))
    assert load_key(SEED, BITS) is not None


def test_numbers_that_are_no_key_pair_are_refused(folder: Path) -> None:
    good = derived_rsa_key(SEED, BITS).private_numbers()
    wrong_d = good.d + 2
    broken = rsa.RSAPrivateNumbers(
        p=good.p,
        q=good.q,
        d=wrong_d,
        dmp1=rsa.rsa_crt_dmp1(wrong_d, good.p),
        dmq1=rsa.rsa_crt_dmq1(wrong_d, good.q),
        iqmp=good.iqmp,
        public_numbers=good.public_numbers,
    ).private_key(unsafe_skip_rsa_key_validation=True)
    store_key(SEED, BITS, broken)
    assert _only_file(folder).exists()
    assert load_key(SEED, BITS) is None


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    derive_rsa_key.__wrapped__(SEED, BITS)
    assert list(tmp_path.rglob("*.pem")) == []


def test_a_folder_that_cannot_be_written_only_costs_the_derivation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_VARIABLE, str(blocker / "keys"))
    key = derive_rsa_key.__wrapped__(SEED, BITS)
    assert key.key_size == BITS
    assert key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) == derived_rsa_key(SEED, BITS).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
