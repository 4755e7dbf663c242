"""The serving model: loaded once per process, swappable without a restart."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from eligo.eligibility.classifier import EligibilityModel
from eligo.errors import EligoError
from eligo.settings import Settings

logger = logging.getLogger(__name__)


class ModelHolder:
    """Holds the current model. Readers take a reference once per request, so a swap never
    changes the model under a request that is already running."""

    def __init__(self, model: EligibilityModel | None = None) -> None:
        self._model = model
        self._lock = threading.Lock()

    @property
    def current(self) -> EligibilityModel | None:
        return self._model

    def swap(self, model: EligibilityModel) -> EligibilityModel | None:
        with self._lock:
            previous, self._model = self._model, model
        return previous

    def readiness(self) -> str | None:
        return None if self._model is not None else "no model loaded"


def load_model(settings: Settings) -> EligibilityModel | None:
    """The model in ``settings.eligibility.model_dir``, or None (logged) when there is none."""
    directory = Path(settings.eligibility.model_dir)
    if not (directory / "model.json").is_file():
        logger.warning("no eligibility model at %s: title checks answer 503", directory)
        return None
    try:
        return EligibilityModel.load(directory, embedding_dir=settings.eligibility.embedding_dir)
    except EligoError as exc:
        logger.error("eligibility model at %s not loaded: %s", directory, exc.message)
        return None
