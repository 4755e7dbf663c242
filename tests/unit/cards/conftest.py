"""Shared card fixtures: a few generated cards, built once per session."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from eligo.cards.synth import SynthCard, generate_card


@pytest.fixture(scope="session")
def clean_card() -> SynthCard:
    return generate_card("bluestate", seed=7, degradation="clean")


@pytest.fixture(scope="session")
def photo_card() -> SynthCard:
    return generate_card("unitedcare", seed=3, degradation="photo")


@pytest.fixture(scope="session")
def rotated_card() -> SynthCard:
    return generate_card("tpa_pbm", seed=11, degradation="photo_rot90")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail any socket connection that is not to the loopback interface (offline OCR proof)."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            attempts.append(address)
            raise OSError(f"network disabled in tests: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts
