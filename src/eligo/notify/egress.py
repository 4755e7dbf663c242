"""Outbound webhook connections that reach public addresses only (an SSRF guard).

Registration refuses private IP literals and ``localhost``, but a public-looking DNS name can
resolve to 10.0.0.5 or 169.254.169.254, today or after the tenant changes its DNS. So at send
time the worker resolves the name itself, refuses the connection unless every address is
global, and connects to the address it checked (no second lookup an attacker could rebind).
TLS still verifies the certificate against the URL's host name: httpcore sends the name, not
the address, as SNI.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from eligo.settings import Settings

LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class BlockedAddress(httpcore.ConnectError):
    """The receiver's host resolves to a loopback, private, link-local or reserved address."""


def private_targets_allowed(settings: Settings) -> bool:
    """Loopback and private receivers: fine on a laptop and in tests, opt-in in prod."""
    return settings.notify.allow_private_targets or settings.env != "prod"


def is_public(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_global
    except ValueError:
        return False


def public_addresses(host: str, port: int) -> list[str]:
    """Every address the host resolves to, or BlockedAddress if any of them is not global."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve the webhook host ({exc.strerror})") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses or not all(is_public(a) for a in addresses):
        # All, not any: a name with one public and one private record is still refused.
        raise BlockedAddress("the webhook host resolves to a non-public address")
    return addresses


class PublicOnlyBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, connecting only to checked public addresses."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in public_addresses(host, port):
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError("no address to connect to")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise BlockedAddress("webhooks are not delivered over unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def webhook_transport(settings: Settings) -> httpx.BaseTransport:
    """The transport the delivery worker sends with: guarded unless private targets are allowed."""
    transport = httpx.HTTPTransport(limits=LIMITS)
    if private_targets_allowed(settings):
        return transport
    # httpx builds its connection pool in __init__ without a backend parameter: swap in one
    # with the same TLS defaults and limits and the guarded backend (tests/unit/notify).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=LIMITS.max_connections,
        max_keepalive_connections=LIMITS.max_keepalive_connections,
        keepalive_expiry=LIMITS.keepalive_expiry,
        network_backend=PublicOnlyBackend(),
    )
    return transport
