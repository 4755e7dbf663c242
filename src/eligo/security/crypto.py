"""Encryption of PHI at rest: AES-256-GCM with the key id stored beside each blob.

Blob layout: ``b"E1" | len(key_id) (1 byte) | key_id | nonce (12) | ciphertext+tag``.
The associated data binds a blob to its owner (e.g. tenant and scan id) so a blob copied
to another row does not decrypt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eligo.security.exceptions import DecryptionFailed
from eligo.settings import Settings

MAGIC = b"E1"


@dataclass(frozen=True)
class PhiCipher:
    current_key_id: str
    keys: dict[str, bytes] = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> PhiCipher:
        return cls(
            current_key_id=settings.phi_key_id, keys={settings.phi_key_id: settings.phi_key_bytes}
        )

    def encrypt(self, plaintext: bytes, *, associated_data: bytes = b"") -> bytes:
        key_id = self.current_key_id.encode("ascii")
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.current_key_id]).encrypt(nonce, plaintext, associated_data)
        return MAGIC + bytes([len(key_id)]) + key_id + nonce + sealed

    def decrypt(self, blob: bytes, *, associated_data: bytes = b"") -> bytes:
        if blob[:2] != MAGIC or len(blob) < 4:
            raise DecryptionFailed()
        id_len = blob[2]
        key_id = blob[3 : 3 + id_len].decode("ascii", errors="replace")
        key = self.keys.get(key_id)
        if key is None:
            raise DecryptionFailed(f"No key configured with id {key_id!r}")
        nonce = blob[3 + id_len : 15 + id_len]
        try:
            return AESGCM(key).decrypt(nonce, blob[15 + id_len :], associated_data)
        except InvalidTag as exc:
            raise DecryptionFailed() from exc

    def encrypt_text(self, text: str, *, associated_data: bytes = b"") -> bytes:
        return self.encrypt(text.encode("utf-8"), associated_data=associated_data)

    def decrypt_text(self, blob: bytes, *, associated_data: bytes = b"") -> str:
        return self.decrypt(blob, associated_data=associated_data).decode("utf-8")
