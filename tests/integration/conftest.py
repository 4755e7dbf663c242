"""Integration fixtures: a tiny eligibility model trained once per run, and a server using it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eligo.db.session import Database
from tests.support import LiveServer, start_live_server, test_settings


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real model from the real training code, on ~5% of the corpus with the hashing embedder
    (seconds, no embedding build). Accuracy is measured by `eligo train eligibility`, not here."""
    from eligo.eligibility.training import TrainingConfig, train_eligibility

    out = tmp_path_factory.mktemp("tiny-model") / "model"
    config = TrainingConfig(scale=0.05, embedding="hashing", num_boost_round=60, threads=1)
    train_eligibility(config, out, progress=False)
    return out


@pytest.fixture(scope="session")
def eligibility_server(database: Database, tiny_model_dir: Path) -> Iterator[LiveServer]:
    settings = test_settings(database)
    settings.eligibility.model_dir = tiny_model_dir
    # Every model answer (confidence <= 1) goes to review: review behaviour is deterministic.
    settings.eligibility.review_threshold = 1.01
    server = start_live_server(settings, database)
    yield server
    server.stop()
