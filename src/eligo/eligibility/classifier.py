"""The trained eligibility model: LightGBM over embeddings + rule + kNN features, calibrated,
explained by the nearest labelled training titles (ADR 0004).

A model artifact is one directory::

    model.json        statuses, feature names, embedder spec (with checksum), temperature,
                      review threshold, LightGBM params, version
    booster.txt       LightGBM model (text format: diffable, portable across platforms)
    neighbours.npy    float16 matrix of training-title embeddings (kNN features + explanations)
    neighbours.json   title, status and category of each row of that matrix

``version`` is a content hash of those files, so the same training run always gets the
same version and any change to the files gives a new one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from eligo.eligibility.embedding import (
    CachedEmbedder,
    Embedder,
    EmbeddingError,
    embedder_from_spec,
)
from eligo.eligibility.features import FeatureExtractor, KeywordHit, ProductText
from eligo.eligibility.taxonomy import STATUSES
from eligo.errors import EligoError

logger = logging.getLogger(__name__)

FORMAT_VERSION: Final = 1
STATUS_ORDER: Final = STATUSES  # column order of every probability vector
_MODEL_FILE: Final = "model.json"
_BOOSTER_FILE: Final = "booster.txt"
_NEIGHBOURS_MATRIX: Final = "neighbours.npy"
_NEIGHBOURS_META: Final = "neighbours.json"
_ARTIFACT_FILES: Final = (_BOOSTER_FILE, _NEIGHBOURS_MATRIX, _NEIGHBOURS_META)

__all__ = [
    "STATUS_ORDER",
    "EligibilityModel",
    "ModelLoadError",
    "Neighbour",
    "NeighbourIndex",
    "Prediction",
    "ProductText",
    "knn_feature_names",
    "knn_features",
    "limit_blas_threads",
    "softmax",
    "top_k",
]


class ModelLoadError(EligoError):
    code = "model_unavailable"
    http_status = 503
    default_message = "The eligibility model is not available"


@dataclass(frozen=True)
class Neighbour:
    title: str
    status: str
    category: str
    similarity: float


@dataclass(frozen=True)
class Prediction:
    status: str
    confidence: float
    probabilities: dict[str, float]
    category: str | None
    reason: str
    neighbours: tuple[Neighbour, ...]
    # True when confidence is below the model's review threshold (chosen on validation).
    needs_review: bool = False


def limit_blas_threads(threads: int) -> None:
    """Pin numpy's BLAS thread pool for this process.

    OpenBLAS threads spin while waiting; on a busy 2-core machine one 24k x 256 neighbour
    search took 12 ms with the default pool and 1.4 ms with one thread.
    """
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        logger.warning("threadpoolctl is not installed: numpy BLAS keeps its default threads")
        return
    threadpool_limits(limits=threads, user_api="blas")


def softmax(logits: NDArray[np.float64], temperature: float = 1.0) -> NDArray[np.float64]:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    out: NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return out


@dataclass
class NeighbourIndex:
    """Training titles and their embeddings, searched by cosine (rows are unit length)."""

    matrix: NDArray[np.float16]
    titles: list[str]
    statuses: list[str]
    categories: list[str]
    _matrix32: NDArray[np.float32] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not (len(self.titles) == len(self.statuses) == len(self.categories)):
            raise ValueError("neighbour metadata lengths differ")
        if self.matrix.shape[0] != len(self.titles):
            raise ValueError("neighbour matrix and titles differ in length")
        # float16 on disk; float32 in memory for a fast BLAS matmul.
        self._matrix32 = self.matrix.astype(np.float32)

    def __len__(self) -> int:
        return len(self.titles)

    def search(
        self, queries: NDArray[np.float32], k: int, chunk: int = 256
    ) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """Top-k rows per query, most similar first.

        Queries go in chunks so each similarity block stays in cache while it is ranked
        (one 1,000 x 8,000 block is 32 MB; argpartition over it was the bulk bottleneck).
        """
        assert self._matrix32 is not None
        if len(queries) <= chunk:
            return top_k(queries @ self._matrix32.T, k)
        rows, sims = zip(
            *(
                top_k(queries[start : start + chunk] @ self._matrix32.T, k)
                for start in range(0, len(queries), chunk)
            ),
            strict=True,
        )
        return np.vstack(rows), np.vstack(sims)

    def status_codes(self, statuses: Sequence[str]) -> NDArray[np.intp]:
        index = {s: i for i, s in enumerate(statuses)}
        return np.array([index[s] for s in self.statuses], dtype=np.intp)


def top_k(sims: NDArray[np.float32], k: int) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
    k = min(k, sims.shape[1])
    if k == 0 or len(sims) == 0:
        empty = np.zeros((len(sims), 0))
        return empty.astype(np.intp), empty.astype(np.float32)
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    top_sims = np.take_along_axis(sims, top, axis=1)
    order = np.argsort(-top_sims, axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)


def knn_feature_names(statuses: Sequence[str]) -> list[str]:
    return [f"knn_max_{s}" for s in statuses] + [f"knn_share_{s}" for s in statuses]


def knn_features(
    top_labels: NDArray[np.intp], top_sims: NDArray[np.float32], n_statuses: int
) -> NDArray[np.float32]:
    """Per status: best similarity among the k nearest, and its similarity-weighted vote share.

    Trees split poorly on 256 dense embedding dimensions; "how close is the nearest labelled
    eligible product" is one feature they use well (measured: +7 points on the challenge set).
    """
    out = np.zeros((len(top_labels), 2 * n_statuses), dtype=np.float32)
    if top_labels.shape[1] == 0:
        out[:, :n_statuses] = -1.0
        return out
    weights = np.maximum(top_sims, 0.0)
    total = weights.sum(axis=1) + 1e-6
    for c in range(n_statuses):
        mine = top_labels == c
        out[:, c] = np.where(mine, top_sims, -1.0).max(axis=1)
        out[:, n_statuses + c] = np.where(mine, weights, 0.0).sum(axis=1) / total
    return out


@dataclass
class EligibilityModel:
    """LightGBM multiclass + temperature calibration + review threshold + neighbour index."""

    booster: Any  # lightgbm.Booster (untyped library)
    features: FeatureExtractor
    neighbours: NeighbourIndex
    temperature: float = 1.0
    review_threshold: float = 0.8
    statuses: tuple[str, ...] = STATUS_ORDER
    params: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    n_neighbours: int = 5
    # Neighbours feeding the kNN features (0 turns them off).
    knn_k: int = 10
    predict_threads: int = 1
    version: str = ""
    _codes: NDArray[np.intp] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Status of each neighbour as a column index, for the kNN features.
        self._codes = self.neighbours.status_codes(self.statuses)

    @property
    def embedding_checksum(self) -> str:
        return self.features.embedder.checksum

    # -- prediction -------------------------------------------------------------------

    @property
    def feature_names(self) -> list[str]:
        names = list(self.features.feature_names)
        if self.knn_k:
            names += knn_feature_names(self.statuses)
        return names

    def _inputs(
        self, items: Sequence[ProductText]
    ) -> tuple[NDArray[np.float32], list[list[KeywordHit]], NDArray[np.intp], NDArray[np.float32]]:
        """Feature matrix, keyword hits, and the nearest training rows (one matmul for both)."""
        embeddings, matrix, hits = self.features.transform(items)
        top_rows, top_sims = self.neighbours.search(embeddings, max(self.knn_k, self.n_neighbours))
        if self.knn_k:
            labels = self._codes[top_rows[:, : self.knn_k]]
            extra = knn_features(labels, top_sims[:, : self.knn_k], len(self.statuses))
            matrix = np.hstack((matrix, extra))
        return matrix, hits, top_rows[:, : self.n_neighbours], top_sims[:, : self.n_neighbours]

    def predict_proba(self, items: Sequence[ProductText]) -> NDArray[np.float64]:
        """Calibrated probabilities, columns in ``statuses`` order."""
        return softmax(self.raw_scores(items), self.temperature)

    def raw_scores(self, items: Sequence[ProductText]) -> NDArray[np.float64]:
        matrix, _, _, _ = self._inputs(items)
        return self._raw_scores(matrix)

    def _raw_scores(self, matrix: NDArray[np.float32]) -> NDArray[np.float64]:
        if len(matrix) == 0:
            return np.zeros((0, len(self.statuses)))
        # Threads are fixed: LightGBM's OpenMP default grabs every core and spins, which
        # fights the API's worker threads and other processes (measured 10x slower).
        scores = self.booster.predict(matrix, raw_score=True, num_threads=self.predict_threads)
        return np.asarray(scores, dtype=np.float64).reshape(len(matrix), len(self.statuses))

    def predict(self, items: Sequence[ProductText]) -> list[Prediction]:
        if not items:
            return []
        matrix, hits, top_rows, top_sims = self._inputs(items)
        probabilities = softmax(self._raw_scores(matrix), self.temperature)
        # Plain Python values once per batch: per-element numpy scalars cost more than
        # the model itself on a 1,000-item batch.
        best = probabilities.argmax(axis=1).tolist()
        prob_rows = probabilities.tolist()
        row_ids = top_rows.tolist()
        row_sims = np.round(top_sims.astype(np.float64), 4).tolist()
        index = self.neighbours
        out: list[Prediction] = []
        for row in range(len(items)):
            probs = prob_rows[row]
            status = self.statuses[best[row]]
            confidence = probs[best[row]]
            near = tuple(
                Neighbour(index.titles[i], index.statuses[i], index.categories[i], sim)
                for i, sim in zip(row_ids[row], row_sims[row], strict=True)
            )
            category = _choose_category(status, hits[row], near)
            out.append(
                Prediction(
                    status=status,
                    confidence=confidence,
                    probabilities=dict(zip(self.statuses, probs, strict=True)),
                    category=category,
                    reason=_reason(status, confidence, category, hits[row], near),
                    neighbours=near,
                    needs_review=confidence < self.review_threshold,
                )
            )
        return out

    # -- persistence ------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / _BOOSTER_FILE).write_text(self.booster.model_to_string())
        with (directory / _NEIGHBOURS_MATRIX).open("wb") as fh:
            np.save(fh, self.neighbours.matrix.astype(np.float16), allow_pickle=False)
        neighbours_meta = {
            "titles": self.neighbours.titles,
            "statuses": self.neighbours.statuses,
            "categories": self.neighbours.categories,
        }
        (directory / _NEIGHBOURS_META).write_text(json.dumps(neighbours_meta, ensure_ascii=False))
        meta = self._meta()
        meta["version"] = _content_version(directory, meta)
        self.version = meta["version"]
        (directory / _MODEL_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        logger.info("Saved eligibility model %s to %s", self.version, directory)

    def _meta(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "statuses": list(self.statuses),
            "embedder": self.features.embedder.spec,
            "features": self.features.config(),
            "feature_names": self.feature_names,
            "knn_k": self.knn_k,
            "temperature": self.temperature,
            "review_threshold": self.review_threshold,
            "n_neighbours": self.n_neighbours,
            "params": self.params,
            "metadata": self.metadata,
        }

    @classmethod
    def load(
        cls,
        directory: Path,
        *,
        embedding_dir: Path | None = None,
        embedder: Embedder | None = None,
        cache_size: int = 50_000,
        blas_threads: int | None = 1,
    ) -> EligibilityModel:
        """Load an artifact; refuses an embedding whose checksum differs from training's.

        The embedding comes from ``embedder`` if given, else ``embedding_dir``, else
        ``settings.eligibility.embedding_dir``. ``blas_threads`` pins numpy's BLAS pool for
        the whole process (None leaves it alone).
        """
        if blas_threads is not None:
            limit_blas_threads(blas_threads)
        import lightgbm as lgb

        model_file = directory / _MODEL_FILE
        if not model_file.is_file():
            raise ModelLoadError(
                f"No eligibility model in {directory}: train one with `eligo train eligibility`"
            )
        meta = json.loads(model_file.read_text())
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelLoadError(f"Unsupported model format {meta.get('format_version')!r}")
        expected = _content_version(directory, {k: v for k, v in meta.items() if k != "version"})
        if expected != meta.get("version"):
            raise ModelLoadError(f"Model files in {directory} do not match their recorded version")
        spec = meta["embedder"]
        if embedder is None:
            if embedding_dir is None and spec.get("kind") == "static":
                from eligo.settings import get_settings

                embedding_dir = get_settings().eligibility.embedding_dir
            embedder = embedder_from_spec(spec, embedding_dir)
        elif embedder.checksum != spec.get("checksum"):
            from eligo.eligibility.embedding import EmbeddingMismatchError

            raise EmbeddingMismatchError(
                "The given embedder is not the one this classifier was trained with",
                details={"expected": spec.get("checksum"), "found": embedder.checksum},
            )
        if not isinstance(embedder, CachedEmbedder) and cache_size > 0:
            embedder = CachedEmbedder(embedder, max_entries=cache_size)
        features = FeatureExtractor.from_config(embedder, meta["features"])
        statuses = tuple(meta["statuses"])
        knn_k = int(meta["knn_k"])
        names = list(features.feature_names) + (knn_feature_names(statuses) if knn_k else [])
        if names != meta["feature_names"]:
            raise ModelLoadError("Feature layout differs from the one the model was trained on")
        booster = lgb.Booster(model_str=(directory / _BOOSTER_FILE).read_text())
        neighbours_meta = json.loads((directory / _NEIGHBOURS_META).read_text())
        with (directory / _NEIGHBOURS_MATRIX).open("rb") as fh:
            matrix = np.load(fh, allow_pickle=False)
        if matrix.shape[1] != embedder.dim:
            raise EmbeddingError("Neighbour index dimension differs from the embedder's")
        return cls(
            booster=booster,
            features=features,
            neighbours=NeighbourIndex(
                matrix=matrix,
                titles=neighbours_meta["titles"],
                statuses=neighbours_meta["statuses"],
                categories=neighbours_meta["categories"],
            ),
            temperature=float(meta["temperature"]),
            review_threshold=float(meta["review_threshold"]),
            statuses=statuses,
            params=dict(meta["params"]),
            metadata=dict(meta["metadata"]),
            n_neighbours=int(meta["n_neighbours"]),
            knn_k=knn_k,
            version=str(meta["version"]),
        )


def _content_version(directory: Path, meta: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(meta, sort_keys=True).encode())
    for name in _ARTIFACT_FILES:
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()[:16]


def _choose_category(
    status: str, hits: Sequence[KeywordHit], near: Sequence[Neighbour]
) -> str | None:
    """The taxonomy category behind a decision: a same-status keyword hit, else neighbours."""
    for hit in hits:
        if hit.status == status:
            return hit.category
    votes = Counter(n.category for n in near if n.status == status and n.category)
    if not votes:
        return None
    return votes.most_common(1)[0][0]


def _reason(
    status: str,
    confidence: float,
    category: str | None,
    hits: Sequence[KeywordHit],
    near: Sequence[Neighbour],
) -> str:
    parts = [f"Predicted {status} with calibrated confidence {confidence:.2f}"]
    if category:
        parts[0] += f" (category: {category})"
    agreeing = [h for h in hits if h.status == status]
    if agreeing:
        parts.append(f"matches taxonomy keyword '{agreeing[0].keyword}'")
    conflicting = [h for h in hits if h.status != status]
    if conflicting:
        parts.append(
            f"despite keyword '{conflicting[0].keyword}' ({conflicting[0].status}, "
            f"{conflicting[0].category})"
        )
    similar = [n for n in near if n.status == status][:2]
    if similar:
        quoted = "; ".join(f"'{n.title}' ({n.similarity:.2f})" for n in similar)
        parts.append(f"similar labelled {status} products: {quoted}")
    return "; ".join(parts) + "."
