"""Shared card fixtures: a few generated cards, built once per session."""

from __future__ import annotations

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
