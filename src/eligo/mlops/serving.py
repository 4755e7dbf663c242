"""Serving: champion from the registry, hot swap on alias moves, canary and shadow, live stats.

- At start the API loads the ``champion`` (and ``challenger``) of ``eligo-eligibility``; with no
  registry (or ``serve_from_registry`` off) it serves ``settings.eligibility.model_dir``.
- ``AliasWatcher`` polls the aliases; a moved alias is loaded on the watcher's thread and then
  swapped in by reference, so requests in flight finish on the model they started with and no
  request waits for a load or fails.
- Canary: ``canary_share`` of the traffic, sticky per tenant or per ``X-Routing-Key``, is
  answered by the challenger (a hash of the key picks, so a key always gets the same model).
  Shadow: the champion answers and the challenger scores the same titles in the background.
  Both record agreement and latency per version (``GET /v1/models/{name}/live``).
- Every model answer feeds the drift monitor (``mlops.monitoring``).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from eligo.db.session import Database
from eligo.db.types import utcnow
from eligo.eligibility.classifier import EligibilityModel, ProductText
from eligo.eligibility.runtime import ModelHolder
from eligo.mlops.monitoring import ClosedWindow, DriftMonitor
from eligo.settings import Settings

if TYPE_CHECKING:
    from eligo.mlops.registry import Registry

logger = logging.getLogger(__name__)

__all__ = ["AliasWatcher", "ServingState", "canary_bucket", "start_serving"]

MAX_SHADOW_BACKLOG = 64
LATENCY_SAMPLES = 2000


def canary_bucket(key: str) -> float:
    """A stable number in [0, 1) for a routing key."""
    digest = hashlib.sha256(f"eligo-canary:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


@dataclass
class _VersionStats:
    role: str
    registry_version: int | None
    requests: int = 0
    items: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))

    def to_dict(self) -> dict[str, Any]:
        lat = np.array(self.latencies) * 1000 if self.latencies else np.zeros(0)
        return {
            "role": self.role,
            "registry_version": self.registry_version,
            "requests": self.requests,
            "items": self.items,
            "latency_ms": {
                "p50": round(float(np.percentile(lat, 50)), 3) if len(lat) else None,
                "p99": round(float(np.percentile(lat, 99)), 3) if len(lat) else None,
                "mean": round(float(lat.mean()), 3) if len(lat) else None,
                "samples": len(lat),
            },
        }


_METRICS: weakref.WeakKeyDictionary[CollectorRegistry, _Metrics] = weakref.WeakKeyDictionary()
_METRICS_LOCK = threading.Lock()


def _metrics_for(registry: CollectorRegistry) -> _Metrics:
    """One set of collectors per registry: an app whose lifespan runs twice reuses them."""
    with _METRICS_LOCK:
        found = _METRICS.get(registry)
        if found is None:
            found = _METRICS[registry] = _Metrics(registry)
        return found


class _Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "eligo_model_requests_total",
            "Requests answered by a model version",
            ["model", "version", "role"],
            registry=registry,
        )
        self.latency = Histogram(
            "eligo_model_decide_seconds",
            "Decision latency per model version",
            ["model", "version"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
            registry=registry,
        )
        self.compared = Counter(
            "eligo_model_shadow_compared_total",
            "Titles scored by both versions (shadow or canary)",
            ["model"],
            registry=registry,
        )
        self.agreed = Counter(
            "eligo_model_shadow_agreed_total",
            "Titles on which both versions gave the same status",
            ["model"],
            registry=registry,
        )
        self.swaps = Counter(
            "eligo_model_swaps_total",
            "Hot swaps after an alias move",
            ["model", "alias"],
            registry=registry,
        )
        self.drift = Gauge(
            "eligo_model_drift",
            "Last drift window statistic per model version",
            ["model", "version", "statistic"],
            registry=registry,
        )
        self.alarm = Gauge(
            "eligo_model_drift_alarm",
            "1 when the last window of this version raised the drift alarm",
            ["model", "version"],
            registry=registry,
        )


class ServingState:
    """The routing policy and its live statistics; installed as the holder's selector."""

    def __init__(
        self,
        settings: Settings,
        holder: ModelHolder,
        *,
        database: Database | None,
        metrics_registry: CollectorRegistry,
    ) -> None:
        self.settings = settings
        self.name = settings.mlops.eligibility_model
        self.holder = holder
        self.database = database
        self.metrics = _metrics_for(metrics_registry)
        self.source = "model_dir"
        self.champion_version: int | None = None
        self.challenger: EligibilityModel | None = None
        self.challenger_version: int | None = None
        self.swaps: list[dict[str, Any]] = []
        self.last_poll_error: str | None = None
        self._stats: dict[str, _VersionStats] = {}
        self._compared = 0
        self._agreed = 0
        self._dropped = 0
        self._backlog = 0
        self._lock = threading.Lock()
        self._shadow = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eligo-shadow")
        self.last_windows: dict[str, dict[str, Any]] = {}
        self.monitor: DriftMonitor | None = None
        monitor_on = settings.mlops.monitor.enabled
        if monitor_on is None:
            monitor_on = settings.env != "test"
        if monitor_on:
            self.monitor = DriftMonitor(
                settings.mlops.monitor, model_name=self.name, sink=self.record_window
            )

    # -- ModelSelector --------------------------------------------------------------------

    def select(
        self, champion: EligibilityModel | None, *, tenant_id: str, request_key: str | None
    ) -> EligibilityModel | None:
        challenger = self.challenger
        mlops = self.settings.mlops
        if challenger is None or mlops.routing != "canary" or mlops.canary_share <= 0:
            return champion
        key = tenant_id
        if mlops.canary_sticky == "request_key" and request_key:
            key = f"key:{request_key}"
        return challenger if canary_bucket(key) < mlops.canary_share else champion

    def observe(
        self,
        model: EligibilityModel,
        *,
        tenant_id: str,
        titles: Sequence[str | None],
        decisions: Sequence[Any],
        seconds: float,
    ) -> None:
        answered = [
            (title, d)
            for title, d in zip(titles, decisions, strict=True)
            if title and d.source == "model" and d.model_version == model.version
        ]
        if not answered:
            return
        challenger = self.challenger
        role = "challenger" if challenger is not None and model is challenger else "champion"
        registry_version = (
            self.challenger_version if role == "challenger" else self.champion_version
        )
        with self._lock:
            stats = self._stats.get(model.version)
            if stats is None or stats.role != role:
                stats = self._stats[model.version] = _VersionStats(role, registry_version)
            stats.requests += 1
            stats.items += len(answered)
            stats.latencies.append(seconds)
        self.metrics.requests.labels(self.name, model.version, role).inc()
        self.metrics.latency.labels(self.name, model.version).observe(seconds)
        answered_titles = [str(t) for t, _ in answered]
        statuses = [d.status for _, d in answered]
        if self.monitor is not None:
            self.monitor.add(
                model,
                tenant_id=tenant_id,
                titles=answered_titles,
                statuses=statuses,
                confidence=[float(d.confidence) for _, d in answered],
                needs_review=[bool(d.needs_review) for _, d in answered],
            )
        other = self._comparison_model(model, role)
        if other is not None:
            self._submit_comparison(other, answered_titles, statuses)

    # -- shadow / agreement ---------------------------------------------------------------

    def _comparison_model(self, model: EligibilityModel, role: str) -> EligibilityModel | None:
        routing = self.settings.mlops.routing
        if routing == "shadow" and role == "champion":
            return self.challenger
        if routing == "canary" and role == "challenger":
            return self.holder.current  # how often would the champion have agreed?
        return None

    def _submit_comparison(
        self, other: EligibilityModel, titles: list[str], statuses: list[str]
    ) -> None:
        with self._lock:
            if self._backlog >= MAX_SHADOW_BACKLOG:
                self._dropped += 1
                return
            self._backlog += 1
        self._shadow.submit(self._compare, other, titles, statuses)

    def _compare(self, other: EligibilityModel, titles: list[str], statuses: list[str]) -> None:
        try:
            started = time.perf_counter()
            predictions = other.predict([ProductText(title=t) for t in titles])
            seconds = time.perf_counter() - started
            agreed = sum(p.status == s for p, s in zip(predictions, statuses, strict=True))
            role = "challenger" if other is self.challenger else "champion"
            version = self.challenger_version if role == "challenger" else self.champion_version
            with self._lock:
                self._compared += len(titles)
                self._agreed += agreed
                stats = self._stats.get(other.version)
                if stats is None:
                    stats = self._stats[other.version] = _VersionStats(role, version)
                stats.items += len(titles)
                stats.latencies.append(seconds)
            self.metrics.compared.labels(self.name).inc(len(titles))
            self.metrics.agreed.labels(self.name).inc(agreed)
        except Exception:  # a shadow failure must never reach the request path
            logger.exception("shadow scoring failed")
        finally:
            with self._lock:
                self._backlog -= 1

    # -- swaps ----------------------------------------------------------------------------

    def install_champion(self, model: EligibilityModel, version: int | None) -> float:
        """Swap the champion in; returns the seconds the swap itself took (a reference set)."""
        started = time.perf_counter()
        previous = self.holder.swap(model)
        seconds = time.perf_counter() - started
        old = self.champion_version
        self.champion_version = version
        self.source = "registry" if version is not None else self.source
        self._note_swap("champion", old, version, model, previous, seconds)
        return seconds

    def install_challenger(self, model: EligibilityModel | None, version: int | None) -> None:
        old = self.challenger_version
        previous, self.challenger = self.challenger, model
        self.challenger_version = version
        self._note_swap("challenger", old, version, model, previous, 0.0)

    def _note_swap(
        self,
        alias: str,
        old: int | None,
        new: int | None,
        model: EligibilityModel | None,
        previous: EligibilityModel | None,
        seconds: float,
    ) -> None:
        self.metrics.swaps.labels(self.name, alias).inc()
        with self._lock:
            self.swaps.append(
                {
                    "alias": alias,
                    "from_version": old,
                    "to_version": new,
                    "model_version": model.version if model else None,
                    "previous_model_version": previous.version if previous else None,
                    "swap_ms": round(seconds * 1000, 4),
                    "at": utcnow().isoformat(),
                }
            )
            del self.swaps[:-20]
        logger.info("%s %s: v%s -> v%s", self.name, alias, old, new)

    # -- drift ----------------------------------------------------------------------------

    def record_window(self, window: ClosedWindow) -> None:
        """Persist a closed window; on drift, audit it and notify the tenants in it."""
        stats = window.stats.to_dict()
        for name in (
            "psi_status",
            "psi_confidence",
            "centroid_distance",
            "abstention_rate",
            "mean_confidence",
        ):
            self.metrics.drift.labels(self.name, window.model_version, name).set(stats[name])
        self.metrics.alarm.labels(self.name, window.model_version).set(1 if window.reasons else 0)
        with self._lock:
            self.last_windows[window.model_version] = {
                **stats,
                "drift": bool(window.reasons),
                "reasons": window.reasons,
                "ended_at": window.ended_at.isoformat(),
            }
        if self.database is None:
            return
        from eligo.mlops.alarms import record_window

        with self.database.sessionmaker() as session:
            record_window(session, window)

    # -- live view ------------------------------------------------------------------------

    def live(self) -> dict[str, Any]:
        champion = self.holder.current
        challenger = self.challenger
        mlops = self.settings.mlops
        with self._lock:
            versions = {v: s.to_dict() for v, s in self._stats.items()}
            compared, agreed = self._compared, self._agreed
            dropped, swaps = self._dropped, list(self.swaps)
            windows = dict(self.last_windows)
        return {
            "name": self.name,
            "source": self.source,
            "routing": mlops.routing,
            "canary_share": mlops.canary_share,
            "canary_sticky": mlops.canary_sticky,
            "champion": {
                "registry_version": self.champion_version,
                "model_version": champion.version if champion else None,
            },
            "challenger": (
                {"registry_version": self.challenger_version, "model_version": challenger.version}
                if challenger
                else None
            ),
            "versions": versions,
            "agreement": {
                "compared": compared,
                "agreed": agreed,
                "rate": round(agreed / compared, 4) if compared else None,
                "dropped_requests": dropped,
            },
            "swaps": swaps,
            "last_poll_error": self.last_poll_error,
            "drift": windows,
        }

    def close(self) -> None:
        if self.monitor is not None:
            self.monitor.stop(flush=True)
        self._shadow.shutdown(wait=True, cancel_futures=True)


class AliasWatcher:
    """Polls the registry's aliases and hot-swaps the serving models when they move."""

    def __init__(self, state: ServingState, registry: Registry, interval: float) -> None:
        self.state = state
        self.registry = registry
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eligo-alias-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def poll(self) -> None:
        """One check of both aliases (the thread's loop; tests call it directly)."""
        from eligo.mlops.registry import CHALLENGER, CHAMPION

        name, state = self.state.name, self.state
        champion = self.registry.alias_version(name, CHAMPION)
        if champion is not None and champion != state.champion_version:
            state.install_champion(self.registry.load(name, champion), champion)
        challenger = self.registry.alias_version(name, CHALLENGER)
        if challenger != state.challenger_version:
            model = self.registry.load(name, challenger) if challenger is not None else None
            state.install_challenger(model, challenger)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
                self.state.last_poll_error = None
            except Exception as exc:  # keep serving the current models; retry next poll
                message = f"{type(exc).__name__}: {exc}"[:300]
                if message != self.state.last_poll_error:
                    logger.warning("alias poll failed (serving unchanged): %s", message)
                self.state.last_poll_error = message


@dataclass
class Serving:
    state: ServingState
    watcher: AliasWatcher | None

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.state.close()


def start_serving(
    settings: Settings,
    holder: ModelHolder,
    *,
    database: Database | None,
    metrics_registry: CollectorRegistry,
) -> Serving:
    """Install routing on ``holder``; load champion/challenger and watch them when enabled."""
    state = ServingState(settings, holder, database=database, metrics_registry=metrics_registry)
    holder.set_selector(state)
    if state.monitor is not None:
        state.monitor.start()
    watcher = None
    from eligo.mlops.registry import open_registry, registry_enabled

    if registry_enabled(settings):
        try:
            registry = open_registry(settings)
            watcher = AliasWatcher(state, registry, settings.mlops.alias_poll_seconds)
            watcher.poll()
        except Exception as exc:  # no champion yet, or a broken store: serve model_dir
            logger.warning("registry models not loaded (%s); serving the model directory", exc)
        if watcher is not None:
            watcher.start()
    return Serving(state, watcher)
