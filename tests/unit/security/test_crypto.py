from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.security.crypto import PhiCipher
from eligo.security.exceptions import DecryptionFailed

KEY_A = os.urandom(32)
KEY_B = os.urandom(32)


@given(st.binary(max_size=4096), st.binary(max_size=64))
def test_round_trip(plaintext: bytes, aad: bytes) -> None:
    cipher = PhiCipher("a", {"a": KEY_A})
    blob = cipher.encrypt(plaintext, associated_data=aad)
    assert len(plaintext) < 8 or plaintext not in blob
    assert cipher.decrypt(blob, associated_data=aad) == plaintext


def test_blob_bound_to_its_owner_and_tamper_evident() -> None:
    cipher = PhiCipher("a", {"a": KEY_A})
    blob = cipher.encrypt_text("W123456789", associated_data=b"tenant-1/scan-1")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(blob, associated_data=b"tenant-2/scan-1")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(tampered, associated_data=b"tenant-1/scan-1")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(b"garbage")


def test_rotation_old_blobs_still_decrypt_new_ones_use_new_key() -> None:
    old = PhiCipher("a", {"a": KEY_A})
    blob = old.encrypt_text("Jane Doe")
    rotated = PhiCipher("b", {"a": KEY_A, "b": KEY_B})
    assert rotated.decrypt_text(blob) == "Jane Doe"
    fresh = rotated.encrypt_text("Jane Doe")
    assert fresh[3:4] == b"b"
    with pytest.raises(DecryptionFailed, match="No key configured"):
        PhiCipher("a", {"a": KEY_A}).decrypt(fresh)
