"""Recently authenticated keys, so that most requests authenticate without the database.

A key never changes after it is issued, except that it can be revoked. A cached principal
therefore stays right until revocation; revoking through the API forgets the key in that
process at once, and every other process stops accepting it within ``ttl_seconds``
(``ApiSettings.auth_cache_seconds``; 0 turns the cache off). Only successful authentications
are cached, keyed by the hash the database stores (``service.hash_key``), never the secret.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from eligo.security.roles import Principal
from eligo.security.service import hash_key

# Bounds memory whatever the traffic; a full cache is simply emptied (the next request of
# each key refills it from the database).
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    expires_at: float


class AuthCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, secret: str) -> Principal | None:
        if self.ttl_seconds <= 0:
            return None
        entry = self._entries.get(hash_key(secret))
        if entry is None or entry.expires_at <= time.monotonic():
            return None
        return entry.principal

    def put(self, secret: str, principal: Principal) -> None:
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[hash_key(secret)] = _Entry(principal, time.monotonic() + self.ttl_seconds)

    def forget_key(self, key_id: str) -> None:
        """Drop a key (it was just revoked here): its next request goes to the database."""
        with self._lock:
            stale = [d for d, e in self._entries.items() if e.principal.key_id == key_id]
            for digest in stale:
                del self._entries[digest]
