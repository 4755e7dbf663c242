"""The serving model: loaded once per process, swappable without a restart."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from eligo.eligibility.classifier import EligibilityModel
from eligo.errors import EligoError
from eligo.settings import Settings

logger = logging.getLogger(__name__)


class ModelSelector(Protocol):
    """Chooses the model per request (canary) and watches answers (shadow, drift); the MLOps
    layer installs one (``eligo.mlops.serving``)."""

    def select(
        self, champion: EligibilityModel | None, *, tenant_id: str, request_key: str | None
    ) -> EligibilityModel | None: ...

    def observe(
        self,
        model: EligibilityModel,
        *,
        tenant_id: str,
        titles: Sequence[str | None],
        decisions: Sequence[Any],
        seconds: float,
    ) -> None: ...


class ModelHolder:
    """Holds the current model. Readers take a reference once per request, so a swap never
    changes the model under a request that is already running."""

    def __init__(self, model: EligibilityModel | None = None) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._selector: ModelSelector | None = None

    def set_selector(self, selector: ModelSelector | None) -> None:
        self._selector = selector

    def for_request(
        self, *, tenant_id: str, request_key: str | None = None
    ) -> EligibilityModel | None:
        """The model answering this request: the current one, or the selector's choice."""
        selector, model = self._selector, self._model
        if selector is None:
            return model
        return selector.select(model, tenant_id=tenant_id, request_key=request_key)

    def observe(
        self,
        model: EligibilityModel | None,
        *,
        tenant_id: str,
        titles: Sequence[str | None],
        decisions: Sequence[Any],
        seconds: float,
    ) -> None:
        """Hand the answers to the selector (never raises into the request)."""
        selector = self._selector
        if selector is None or model is None:
            return
        try:
            selector.observe(
                model, tenant_id=tenant_id, titles=titles, decisions=decisions, seconds=seconds
            )
        except Exception:  # monitoring must never fail a request
            logger.exception("model observer failed")

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
