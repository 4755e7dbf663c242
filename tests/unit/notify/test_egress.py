"""The webhook SSRF guard: which addresses are public, and name resolution at send time."""

from __future__ import annotations

import httpcore
import httpx
import pytest

from eligo.notify.egress import (
    BlockedAddress,
    PublicOnlyBackend,
    is_public,
    public_addresses,
    webhook_transport,
)
from eligo.settings import Settings


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("not-an-address", False),
    ],
)
def test_only_global_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_a_name_that_resolves_to_loopback_is_blocked() -> None:
    with pytest.raises(BlockedAddress):
        public_addresses("localhost", 443)


def test_the_guarded_backend_refuses_before_connecting() -> None:
    with pytest.raises(BlockedAddress):
        PublicOnlyBackend().connect_tcp("127.0.0.1", 9, timeout=1)
    with pytest.raises(BlockedAddress):
        PublicOnlyBackend().connect_unix_socket("/tmp/x.sock")


def test_prod_transport_is_guarded_and_dev_transport_is_not() -> None:
    prod = Settings()
    prod.env = "prod"
    request = httpx.Request("POST", "http://127.0.0.1:9/hook", content=b"{}")
    with webhook_transport(prod) as guarded, pytest.raises(httpx.ConnectError) as caught:
        guarded.handle_request(request)
    assert isinstance(caught.value.__cause__, BlockedAddress)
    allowed = prod.model_copy(deep=True)
    allowed.notify.allow_private_targets = True
    with webhook_transport(allowed) as plain, pytest.raises(httpx.ConnectError) as refused:
        plain.handle_request(request)  # port 9 on loopback: a real connection attempt
    assert not isinstance(refused.value.__cause__, BlockedAddress)
    assert isinstance(refused.value.__cause__, httpcore.ConnectError)
