"""Train, calibrate and evaluate the eligibility model; write its report.

``train_eligibility`` is the whole pipeline behind ``eligo train eligibility``:
corpus -> brand-held-out split -> features -> LightGBM (early stopping on validation) ->
temperature calibration and review threshold on validation -> evaluation on the test split
and on the hand-written challenge set (never used for fitting or tuning) -> artifact +
``report.json`` + ``report.md``.

MLflow stays out of this module (``import mlflow`` costs seconds); ``TrainingReport``
exposes ``params``, ``metrics`` and ``artifacts`` so the MLOps layer can log a run as is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray
from tqdm import tqdm

from eligo.eligibility.classifier import (
    STATUS_ORDER,
    EligibilityModel,
    NeighbourIndex,
    knn_feature_names,
    knn_features,
    limit_blas_threads,
    softmax,
    top_k,
)
from eligo.eligibility.embedding import (
    Embedder,
    EmbeddingError,
    HashingEmbedder,
    StaticEmbedder,
)
from eligo.eligibility.evaluation import (
    Evaluation,
    choose_review_threshold,
    evaluate,
    evaluation_markdown,
    fit_temperature,
)
from eligo.eligibility.features import (
    RULE_SIGNALS,
    FeatureExtractor,
    ProductText,
    resolve_signals,
)
from eligo.eligibility.text import normalize_title

logger = logging.getLogger(__name__)

__all__ = [
    "LabelledExample",
    "TrainingConfig",
    "TrainingReport",
    "build_feature_extractor",
    "fit_model",
    "train_eligibility",
]


class LabelledExample(Protocol):
    """What training needs from a corpus row (``corpus.LabelledTitle`` satisfies it)."""

    @property
    def title(self) -> str: ...
    @property
    def brand(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def group(self) -> str: ...


@dataclass(frozen=True)
class TrainingConfig:
    seed: int = 2026
    # Share of the full corpus to build (0.05 gives ~1,000 rows for tests).
    scale: float = 1.0
    embedding: Literal["static", "hashing"] = "static"
    embedding_dir: Path | None = None  # default: settings.eligibility.embedding_dir
    hashing_dim: int = 256
    use_keywords: bool = True
    use_signals: bool = True
    num_boost_round: int = 600
    early_stopping_rounds: int = 40
    learning_rate: float = 0.1
    num_leaves: int = 31
    min_data_in_leaf: int = 10
    feature_fraction: float = 0.5
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    # Rarer statuses get more weight so every status keeps its recall (acceptance: >= 90%).
    class_weight_power: float = 0.5
    # The review threshold is the lowest confidence at which validation accuracy holds this.
    target_accuracy: float = 0.99
    n_neighbours: int = 5
    # Nearest labelled titles summarised as features (0 turns them off).
    knn_k: int = 10
    max_neighbours: int = 8_000
    # One thread: on a shared 2-core machine LightGBM's OpenMP threads spin against other
    # processes and 2 threads measured 10x *slower* than 1 (docs/adr/0004-eligibility-model.md).
    threads: int = 1

    def params(self) -> dict[str, Any]:
        data = asdict(self)
        data["embedding_dir"] = str(self.embedding_dir) if self.embedding_dir else None
        return data


@dataclass
class TrainingReport:
    model_version: str
    model_dir: Path
    params: dict[str, Any]
    data: dict[str, Any]
    timings: dict[str, float]
    validation: Evaluation
    test: Evaluation
    challenge: Evaluation | None
    temperature: float
    review_threshold: float
    best_iteration: int
    artifacts: dict[str, Path] = field(default_factory=dict)
    # The static embedding the model was trained with (None for the hashing embedder):
    # pass it to ``EligibilityModel.load`` when it is not settings.eligibility.embedding_dir.
    embedding_dir: Path | None = None

    @property
    def metrics(self) -> dict[str, float]:
        out: dict[str, float] = {
            "temperature": self.temperature,
            "review_threshold": self.review_threshold,
            "best_iteration": float(self.best_iteration),
            **{f"seconds_{k}": v for k, v in self.timings.items()},
        }
        for evaluation in (self.validation, self.test, self.challenge):
            if evaluation is not None:
                out.update(evaluation.metrics())
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "model_dir": str(self.model_dir),
            "params": self.params,
            "data": self.data,
            "timings": self.timings,
            "temperature": self.temperature,
            "review_threshold": self.review_threshold,
            "best_iteration": self.best_iteration,
            "metrics": self.metrics,
            "validation": self.validation.to_dict(),
            "test": self.test.to_dict(),
            "challenge": self.challenge.to_dict() if self.challenge else None,
            "artifacts": {k: str(v) for k, v in self.artifacts.items()},
            "embedding_dir": str(self.embedding_dir) if self.embedding_dir else None,
        }


def build_feature_extractor(
    embedder: Embedder, *, use_keywords: bool = True, use_signals: bool = True
) -> FeatureExtractor:
    """The production feature layout: embedding ++ taxonomy keyword hits ++ rule signals."""
    taxonomy = None
    if use_keywords:
        from eligo.eligibility.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    source = RULE_SIGNALS if use_signals else None
    signals, names = resolve_signals(source)
    return FeatureExtractor(
        embedder, taxonomy=taxonomy, signals=signals, signal_names=names, source=source
    )


def resolve_embedder(config: TrainingConfig) -> Embedder:
    if config.embedding == "hashing":
        return HashingEmbedder(dim=config.hashing_dim)
    directory = config.embedding_dir
    if directory is None:
        from eligo.settings import get_settings

        directory = get_settings().eligibility.embedding_dir
    try:
        return StaticEmbedder(directory)
    except EmbeddingError:
        logger.error("No embedding model in %s; run `eligo train embedding` first", directory)
        raise


def _items(rows: Sequence[LabelledExample]) -> list[ProductText]:
    return [ProductText(title=r.title, brand=r.brand) for r in rows]


def _labels(rows: Sequence[LabelledExample]) -> NDArray[np.int64]:
    index: dict[str, int] = {s: i for i, s in enumerate(STATUS_ORDER)}
    return np.array([index[r.status] for r in rows], dtype=np.int64)


def _transform(
    extractor: FeatureExtractor,
    rows: Sequence[LabelledExample],
    desc: str,
    progress: bool,
    batch: int = 2048,
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    items = _items(rows)
    embeddings = np.zeros((len(items), extractor.embedder.dim), dtype=np.float32)
    matrix = np.zeros((len(items), len(extractor.feature_names)), dtype=np.float32)
    with tqdm(total=len(items), desc=desc, unit="title", disable=not progress) as bar:
        for start in range(0, len(items), batch):
            emb, mat, _ = extractor.transform(items[start : start + batch])
            embeddings[start : start + batch] = emb
            matrix[start : start + batch] = mat
            bar.update(len(emb))
    return embeddings, matrix


def _class_weights(labels: NDArray[np.int64], power: float) -> NDArray[np.float64]:
    counts = np.bincount(labels, minlength=len(STATUS_ORDER)).astype(np.float64)
    per_class = np.where(counts > 0, (counts.max() / np.maximum(counts, 1)) ** power, 0.0)
    weights: NDArray[np.float64] = per_class[labels]
    scaled: NDArray[np.float64] = weights * (len(labels) / weights.sum())
    return scaled


def _neighbour_index(
    rows: Sequence[LabelledExample],
    embeddings: NDArray[np.float32],
    *,
    limit: int,
    seed: int,
) -> tuple[NeighbourIndex, list[int]]:
    """Deduplicated training titles, capped per category so every category stays present.

    Returns the index and, for each of its rows, the training row it came from.
    """
    seen: set[str] = set()
    keep: list[int] = []
    for i, row in enumerate(rows):
        key = normalize_title(row.title)
        if key and key not in seen:
            seen.add(key)
            keep.append(i)
    if len(keep) > limit:
        rng = np.random.default_rng(seed)
        by_category: dict[str, list[int]] = {}
        for i in keep:
            by_category.setdefault(rows[i].category, []).append(i)
        share = limit / len(keep)
        chosen: list[int] = []
        for members in by_category.values():
            take = max(1, round(len(members) * share))
            chosen += rng.choice(members, size=min(take, len(members)), replace=False).tolist()
        keep = sorted(chosen)[:limit]
    index = NeighbourIndex(
        matrix=embeddings[keep].astype(np.float16),
        titles=[rows[i].title for i in keep],
        statuses=[rows[i].status for i in keep],
        categories=[rows[i].category for i in keep],
    )
    return index, keep


def _group_key(row: LabelledExample) -> str:
    """The unit the test split holds out (the brand), so kNN features never see its siblings."""
    return f"brand:{row.brand.casefold()}" if row.brand else f"group:{row.group}"


def _knn_matrix(
    index: NeighbourIndex,
    queries: NDArray[np.float32],
    k: int,
    *,
    query_keys: Sequence[str] | None = None,
    index_keys: Sequence[str] | None = None,
    batch: int = 2048,
) -> NDArray[np.float32]:
    """kNN features; with keys, a query never counts neighbours from its own brand.

    Training rows would otherwise find themselves (similarity 1.0) and their brand siblings,
    which a held-out brand never does: the model would learn to trust kNN too much.
    """
    codes = index.status_codes(STATUS_ORDER)
    matrix32 = index.matrix.astype(np.float32)
    out = np.zeros((len(queries), 2 * len(STATUS_ORDER)), dtype=np.float32)
    key_ids: dict[str, int] = {}
    q_ids = np.array([key_ids.setdefault(k_, len(key_ids)) for k_ in query_keys or ()])
    i_ids = np.array([key_ids.setdefault(k_, len(key_ids)) for k_ in index_keys or ()])
    for start in range(0, len(queries), batch):
        sims = queries[start : start + batch] @ matrix32.T
        if query_keys is not None and index_keys is not None:
            sims[q_ids[start : start + batch, None] == i_ids[None, :]] = -2.0
        top, top_sims = top_k(sims, k)
        out[start : start + batch] = knn_features(codes[top], top_sims, len(STATUS_ORDER))
    return out


class _BoostProgress:
    """LightGBM callback driving a tqdm bar over boosting rounds."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = tqdm(total=total, desc="boosting", unit="round", disable=not enabled)
        self.order = 30  # run after early stopping has had its say

    def __call__(self, env: Any) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def fit_model(
    train: Sequence[LabelledExample],
    validation: Sequence[LabelledExample],
    *,
    embedder: Embedder,
    config: TrainingConfig,
    progress: bool = False,
) -> tuple[EligibilityModel, dict[str, Any]]:
    """Fit LightGBM, calibrate on validation and choose the review threshold."""
    import lightgbm as lgb

    limit_blas_threads(config.threads)
    extractor = build_feature_extractor(
        embedder, use_keywords=config.use_keywords, use_signals=config.use_signals
    )
    timings: dict[str, float] = {}
    started = time.perf_counter()
    emb_train, x_train = _transform(extractor, train, "features (train)", progress)
    emb_val, x_val = _transform(extractor, validation, "features (validation)", progress)
    index, kept = _neighbour_index(train, emb_train, limit=config.max_neighbours, seed=config.seed)
    feature_names = list(extractor.feature_names)
    if config.knn_k:
        x_train = np.hstack(
            (
                x_train,
                _knn_matrix(
                    index,
                    emb_train,
                    config.knn_k,
                    query_keys=[_group_key(r) for r in train],
                    index_keys=[_group_key(train[i]) for i in kept],
                ),
            )
        )
        x_val = np.hstack((x_val, _knn_matrix(index, emb_val, config.knn_k)))
        feature_names += knn_feature_names(STATUS_ORDER)
    timings["features"] = time.perf_counter() - started
    y_train, y_val = _labels(train), _labels(validation)

    params: dict[str, Any] = {
        "objective": "multiclass",
        "num_class": len(STATUS_ORDER),
        "learning_rate": config.learning_rate,
        "num_leaves": config.num_leaves,
        "min_data_in_leaf": config.min_data_in_leaf,
        "feature_fraction": config.feature_fraction,
        "bagging_fraction": config.bagging_fraction,
        "bagging_freq": 1,
        "lambda_l2": config.lambda_l2,
        "seed": config.seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": config.threads,
        "verbosity": -1,
    }
    train_set = lgb.Dataset(
        x_train,
        label=y_train,
        weight=_class_weights(y_train, config.class_weight_power),
        feature_name=feature_names,
        free_raw_data=True,
    )
    valid_set = lgb.Dataset(x_val, label=y_val, reference=train_set)
    bar = _BoostProgress(config.num_boost_round, progress)
    started = time.perf_counter()
    try:
        booster = lgb.train(
            params,
            train_set,
            num_boost_round=config.num_boost_round,
            valid_sets=[valid_set],
            valid_names=["validation"],
            callbacks=[lgb.early_stopping(config.early_stopping_rounds, verbose=False), bar],
        )
    finally:
        bar.close()
    timings["boosting"] = time.perf_counter() - started
    best_iteration = int(booster.best_iteration or booster.current_iteration())
    # Keep only the trees early stopping chose, so serving and evaluation agree.
    booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=best_iteration))

    raw_val = np.asarray(
        booster.predict(x_val, raw_score=True, num_threads=config.threads), dtype=np.float64
    ).reshape(len(x_val), len(STATUS_ORDER))
    temperature = fit_temperature(raw_val, y_val)
    probs_val = softmax(raw_val, temperature)
    threshold = choose_review_threshold(
        probs_val.max(axis=1),
        probs_val.argmax(axis=1) == y_val,
        target_accuracy=config.target_accuracy,
    )
    model = EligibilityModel(
        booster=booster,
        features=extractor,
        neighbours=index,
        temperature=temperature,
        review_threshold=threshold,
        params=params,
        metadata={"best_iteration": best_iteration, "train_rows": len(train)},
        n_neighbours=config.n_neighbours,
        knn_k=config.knn_k,
    )
    info = {
        "timings": timings,
        "best_iteration": best_iteration,
        "validation_probabilities": probs_val,
    }
    logger.info(
        "Fitted %d trees/class; temperature %.3f; review threshold %.3f",
        best_iteration,
        temperature,
        threshold,
    )
    return model, info


def _fingerprint(rows: Sequence[LabelledExample]) -> dict[str, Any]:
    digest = hashlib.sha256()
    for r in rows:
        digest.update(f"{r.title}\t{r.brand or ''}\t{r.status}\t{r.category}\n".encode())
    return {
        "rows": len(rows),
        "sha256": digest.hexdigest(),
        "statuses": dict(sorted(Counter(r.status for r in rows).items())),
        "sources": dict(sorted(Counter(r.source for r in rows).items())),
    }


def evaluate_rows(
    model: EligibilityModel,
    rows: Sequence[LabelledExample],
    name: str,
    *,
    progress: bool = False,
    batch: int = 2048,
) -> Evaluation:
    items = _items(rows)
    chunks = []
    for start in tqdm(
        range(0, len(items), batch), desc=f"evaluate ({name})", unit="batch", disable=not progress
    ):
        chunks.append(model.predict_proba(items[start : start + batch]))
    probabilities = np.vstack(chunks) if chunks else np.zeros((0, len(model.statuses)))
    return evaluate(
        name,
        [r.status for r in rows],
        probabilities,
        model.statuses,
        review_threshold=model.review_threshold,
        titles=[r.title for r in rows],
        categories=[r.category for r in rows],
        sources=[r.source for r in rows],
    )


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` with ``staging`` so readers never see a half-written model."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    backup = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    os.replace(out_dir, backup)
    os.replace(staging, out_dir)
    shutil.rmtree(backup, ignore_errors=True)


def train_eligibility(
    config: TrainingConfig,
    out_dir: Path,
    progress: bool = True,
    *,
    shared_data: Path | None = None,
    embedder: Embedder | None = None,
    corpus_builder: Callable[..., Any] | None = None,
) -> TrainingReport:
    """Build the corpus, fit, evaluate and write the model and its report to ``out_dir``."""
    from eligo.eligibility import corpus as corpus_module

    started = time.perf_counter()
    timings: dict[str, float] = {}
    build = corpus_builder or corpus_module.build_corpus
    rows = build(seed=config.seed, shared_data=shared_data, scale=config.scale)
    split = corpus_module.split_corpus(rows, seed=config.seed)
    try:
        challenge = list(corpus_module.load_challenge_set())
    except FileNotFoundError:
        logger.warning("No challenge set found: the report has test-split figures only")
        challenge = []
    timings["corpus"] = time.perf_counter() - started
    logger.info(
        "Corpus: %d train, %d validation, %d test, %d challenge",
        len(split.train),
        len(split.validation),
        len(split.test),
        len(challenge),
    )
    embedder = embedder or resolve_embedder(config)
    model, info = fit_model(
        split.train, split.validation, embedder=embedder, config=config, progress=progress
    )
    timings.update(info["timings"])

    t0 = time.perf_counter()
    probs_val = info["validation_probabilities"]
    validation = evaluate(
        "validation",
        [r.status for r in split.validation],
        probs_val,
        model.statuses,
        review_threshold=model.review_threshold,
        titles=[r.title for r in split.validation],
    )
    test = evaluate_rows(model, split.test, "test", progress=progress)
    challenge_eval = (
        evaluate_rows(model, challenge, "challenge", progress=progress) if challenge else None
    )
    timings["evaluation"] = time.perf_counter() - t0

    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it owner-only; the server may run as another user
    model.save(staging)
    timings["total"] = time.perf_counter() - started
    report = TrainingReport(
        model_version=model.version,
        model_dir=out_dir,
        params={**config.params(), "lightgbm": model.params, "embedder": embedder.spec},
        data={
            "train": _fingerprint(split.train),
            "validation": _fingerprint(split.validation),
            "test": _fingerprint(split.test),
            "challenge": _fingerprint(challenge),
        },
        timings={k: round(v, 3) for k, v in timings.items()},
        validation=validation,
        test=test,
        challenge=challenge_eval,
        temperature=model.temperature,
        review_threshold=model.review_threshold,
        best_iteration=int(info["best_iteration"]),
        embedding_dir=embedder.directory if isinstance(embedder, StaticEmbedder) else None,
    )
    report.artifacts = {
        "model": out_dir,
        "report_json": out_dir / "report.json",
        "report_md": out_dir / "report.md",
    }
    (staging / "report.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    (staging / "report.md").write_text(report_markdown(report))
    _swap_into_place(staging, out_dir)
    logger.info("Eligibility model %s written to %s", model.version, out_dir)
    return report


def report_markdown(report: TrainingReport) -> str:
    lines = [
        f"# Eligibility model {report.model_version}",
        "",
        f"- Embedding: {report.params['embedder']['kind']} "
        f"(checksum {report.params['embedder']['checksum'][:12]})",
        f"- Trees per status: {report.best_iteration}; temperature {report.temperature:.3f}; "
        f"review threshold {report.review_threshold:.3f}",
        f"- Rows: train {report.data['train']['rows']}, validation "
        f"{report.data['validation']['rows']}, test {report.data['test']['rows']}, "
        f"challenge {report.data['challenge']['rows']}",
        "- Seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items()),
        "",
        "## Test split (brands and products absent from training)",
        "",
        evaluation_markdown(report.test),
    ]
    if report.challenge is not None:
        lines += [
            "## Challenge set (hand-written near misses, never used for fitting or tuning)",
            "",
            evaluation_markdown(report.challenge),
        ]
    lines += ["## Validation split (used for early stopping and calibration)", ""]
    lines.append(evaluation_markdown(report.validation, max_examples=20))
    return "\n".join(lines)
