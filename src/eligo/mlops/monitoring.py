"""Drift monitoring: windows of served predictions compared with the model's training reference.

Per window (``monitor.window_size`` predictions of one model version): predicted-status shares,
mean confidence, abstention rate (needs_review share), the cosine distance between the centroid
of the inputs' embeddings and the training centroid, and the PSI of the predicted status and of
the confidence against the reference. The reference is the model scoring a fixed sample of its
own training titles (its neighbour index), so it needs no extra artifact.

A window over any threshold raises the alarm: an audit event and a ``model.drift_detected``
webhook to every tenant whose traffic was in the window. Windows are stored
(``mlops_drift_windows``) for ``eligo monitor report`` and exported as Prometheus gauges.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from eligo.db.types import utcnow
from eligo.eligibility.classifier import EligibilityModel, ProductText
from eligo.settings import MonitorSettings

logger = logging.getLogger(__name__)

__all__ = [
    "DriftMonitor",
    "Reference",
    "WindowStats",
    "build_reference",
    "drift_reasons",
    "psi",
    "window_stats",
]

CONFIDENCE_EDGES = np.array([0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0 + 1e-9])
REFERENCE_SAMPLE = 1000
_EPS = 1e-4


def psi(expected: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    """Population stability index of two distributions over the same bins."""
    e = np.clip(np.asarray(expected, dtype=np.float64), _EPS, None)
    a = np.clip(np.asarray(actual, dtype=np.float64), _EPS, None)
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


def _confidence_hist(confidence: NDArray[np.float64]) -> NDArray[np.float64]:
    counts, _ = np.histogram(confidence, bins=CONFIDENCE_EDGES)
    total = counts.sum()
    return counts / total if total else counts.astype(np.float64)


def _unit(vector: NDArray[np.float64]) -> NDArray[np.float64]:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@dataclass(frozen=True)
class Reference:
    statuses: tuple[str, ...]
    status_shares: tuple[float, ...]
    confidence_hist: tuple[float, ...]
    abstention_rate: float
    mean_confidence: float
    centroid: tuple[float, ...]


@dataclass(frozen=True)
class WindowStats:
    n: int
    status_shares: dict[str, float]
    mean_confidence: float
    abstention_rate: float
    psi_status: float
    psi_confidence: float
    centroid_distance: float
    abstention_rise: float

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 5) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def build_reference(model: EligibilityModel, sample: int = REFERENCE_SAMPLE) -> Reference:
    """The model on an evenly spaced sample of its training titles."""
    titles = model.neighbours.titles
    step = max(1, len(titles) // sample)
    items = [ProductText(title=t) for t in titles[::step][:sample]]
    probs = model.predict_proba(items)
    predicted = probs.argmax(axis=1)
    confidence = probs.max(axis=1)
    shares = np.bincount(predicted, minlength=len(model.statuses)) / max(1, len(items))
    centroid = _unit(model.neighbours.matrix.astype(np.float64).mean(axis=0))
    return Reference(
        statuses=tuple(model.statuses),
        status_shares=tuple(float(s) for s in shares),
        confidence_hist=tuple(float(x) for x in _confidence_hist(confidence)),
        abstention_rate=float((confidence < model.review_threshold).mean()) if len(items) else 0,
        mean_confidence=float(confidence.mean()) if len(items) else 0.0,
        centroid=tuple(float(x) for x in centroid),
    )


def window_stats(
    reference: Reference,
    statuses: Sequence[str],
    confidence: Sequence[float],
    needs_review: Sequence[bool],
    embeddings: NDArray[np.float32],
) -> WindowStats:
    n = len(statuses)
    index = {s: i for i, s in enumerate(reference.statuses)}
    counts = np.bincount(
        [index[s] for s in statuses if s in index], minlength=len(reference.statuses)
    ).astype(np.float64)
    shares = counts / n if n else counts
    conf = np.asarray(confidence, dtype=np.float64)
    centroid = _unit(embeddings.astype(np.float64).mean(axis=0)) if len(embeddings) else None
    distance = (
        1.0 - float(np.dot(centroid, np.asarray(reference.centroid)))
        if centroid is not None
        else 0.0
    )
    abstention = float(np.mean(needs_review)) if n else 0.0
    return WindowStats(
        n=n,
        status_shares={s: float(shares[i]) for s, i in index.items()},
        mean_confidence=float(conf.mean()) if n else 0.0,
        abstention_rate=abstention,
        psi_status=psi(np.asarray(reference.status_shares), shares),
        psi_confidence=psi(np.asarray(reference.confidence_hist), _confidence_hist(conf)),
        centroid_distance=distance,
        abstention_rise=abstention - reference.abstention_rate,
    )


def drift_reasons(stats: WindowStats, settings: MonitorSettings) -> list[str]:
    """Why this window is drifting (empty: it is not). Short windows never alarm."""
    if stats.n < settings.min_window:
        return []
    reasons = []
    if stats.psi_status > settings.psi_threshold:
        reasons.append(f"predicted-status PSI {stats.psi_status:.3f} > {settings.psi_threshold}")
    if stats.psi_confidence > settings.psi_confidence_threshold:
        reasons.append(
            f"confidence PSI {stats.psi_confidence:.3f} > {settings.psi_confidence_threshold}"
        )
    if stats.centroid_distance > settings.centroid_threshold:
        reasons.append(
            f"input centroid distance {stats.centroid_distance:.3f} > {settings.centroid_threshold}"
        )
    if stats.abstention_rise > settings.abstention_threshold:
        reasons.append(
            f"abstention rate up {stats.abstention_rise:.3f} > {settings.abstention_threshold}"
        )
    return reasons


@dataclass
class _Buffer:
    model: EligibilityModel
    started_at: datetime
    titles: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)
    needs_review: list[bool] = field(default_factory=list)
    tenants: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ClosedWindow:
    model_name: str
    model_version: str
    started_at: datetime
    ended_at: datetime
    stats: WindowStats
    reasons: list[str]
    tenants: frozenset[str]


# Called with every closed window (persist, alarm, export); runs on the monitor's thread.
WindowSink = Callable[[ClosedWindow], None]


class DriftMonitor:
    """Collects served predictions per model version; closes windows off the request path."""

    def __init__(self, settings: MonitorSettings, *, model_name: str, sink: WindowSink) -> None:
        self.settings = settings
        self.model_name = model_name
        self.sink = sink
        self._buffers: dict[str, _Buffer] = {}
        self._references: dict[str, Reference] = {}
        self._lock = threading.Lock()
        self._work = threading.Semaphore(0)
        self._queue: list[_Buffer] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="eligo-drift", daemon=True)
        self._thread.start()

    def stop(self, flush: bool = True) -> None:
        if flush:
            with self._lock:
                self._queue.extend(b for b in self._buffers.values() if b.statuses)
                self._buffers.clear()
            self._work.release()
        self._stop.set()
        self._work.release()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def add(
        self,
        model: EligibilityModel,
        *,
        tenant_id: str,
        titles: Sequence[str],
        statuses: Sequence[str],
        confidence: Sequence[float],
        needs_review: Sequence[bool],
    ) -> None:
        """Cheap: appends to the version's buffer; a full buffer is handed to the thread."""
        if not titles:
            return
        with self._lock:
            buffer = self._buffers.get(model.version)
            if buffer is None or buffer.model is not model:
                buffer = self._buffers[model.version] = _Buffer(model, utcnow())
            buffer.titles.extend(titles)
            buffer.statuses.extend(statuses)
            buffer.confidence.extend(confidence)
            buffer.needs_review.extend(needs_review)
            buffer.tenants.add(tenant_id)
            if len(buffer.statuses) < self.settings.window_size:
                return
            del self._buffers[model.version]
            self._queue.append(buffer)
        self._work.release()

    def reference(self, model: EligibilityModel) -> Reference:
        found = self._references.get(model.version)
        if found is None:
            found = self._references[model.version] = build_reference(model)
        return found

    def close(self, buffer: _Buffer) -> ClosedWindow:
        """Compute one window's statistics and verdict (the thread calls this; tests too)."""
        model = buffer.model
        embeddings, _, _ = model.features.transform([ProductText(title=t) for t in buffer.titles])
        stats = window_stats(
            self.reference(model),
            buffer.statuses,
            buffer.confidence,
            buffer.needs_review,
            embeddings,
        )
        return ClosedWindow(
            model_name=self.model_name,
            model_version=model.version,
            started_at=buffer.started_at,
            ended_at=utcnow(),
            stats=stats,
            reasons=drift_reasons(stats, self.settings),
            tenants=frozenset(buffer.tenants),
        )

    def _run(self) -> None:
        while True:
            self._work.acquire()
            with self._lock:
                pending, self._queue = self._queue, []
            for buffer in pending:
                try:
                    self.sink(self.close(buffer))
                except Exception:  # a monitor failure must never stop serving
                    logger.exception("drift window for %s not recorded", buffer.model.version)
            if self._stop.is_set():
                return


def window_from_titles(
    model: EligibilityModel, titles: Sequence[str], settings: MonitorSettings, name: str
) -> ClosedWindow:
    """One window over a list of titles (``eligo monitor check`` and tests)."""
    predictions = model.predict([ProductText(title=t) for t in titles])
    buffer = _Buffer(model, utcnow())
    buffer.titles = list(titles)
    buffer.statuses = [p.status for p in predictions]
    buffer.confidence = [p.confidence for p in predictions]
    buffer.needs_review = [p.needs_review for p in predictions]
    monitor = DriftMonitor(settings, model_name=name, sink=lambda window: None)
    return monitor.close(buffer)
