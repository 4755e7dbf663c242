"""Classifier features: title embedding ++ taxonomy keyword hits ++ rule signals.

The embedding carries what a title *means*; the keyword hits and rule signals carry the
few facts an embedding blurs but the rules turn on (SPF 30 vs SPF 8, 70% vs 40% alcohol,
"Drug Facts" vs "Supplement Facts", "Rx only"). LightGBM learns how much to trust each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from eligo.eligibility.embedding import Embedder
from eligo.eligibility.taxonomy import STATUSES
from eligo.eligibility.text import normalize_title

if TYPE_CHECKING:
    from eligo.eligibility.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

STATUS_ORDER: Final = STATUSES

SignalFunction = Callable[[str], Mapping[str, float]]


@dataclass(frozen=True)
class ProductText:
    """What a caller knows about a product; only the title is required."""

    title: str
    brand: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class KeywordHit:
    """A taxonomy category whose keywords or ingredients occur in the title."""

    keyword: str
    category: str
    status: str
    score: float = 1.0
    moved_from: str | None = None


def _no_signals(_: str) -> Mapping[str, float]:
    return {}


class FeatureExtractor:
    """Builds the LightGBM input matrix for a batch of products.

    ``transform`` returns (unit embeddings, full feature matrix, keyword hits per item).
    """

    def __init__(
        self,
        embedder: Embedder,
        *,
        taxonomy: Taxonomy | None = None,
        signals: SignalFunction | None = None,
        signal_names: Sequence[str] = (),
        source: str | None = None,
    ) -> None:
        self.embedder = embedder
        self.taxonomy = taxonomy
        self.signals = signals or _no_signals
        self.signal_names = tuple(signal_names)
        self.signals_source = source
        keyword_names = (
            [*(f"kw_{s}" for s in STATUS_ORDER), "kw_hits", "kw_moved"] if taxonomy else []
        )
        self.extra_names: tuple[str, ...] = (*keyword_names, *(f"sig_{n}" for n in signal_names))
        self.feature_names: tuple[str, ...] = (
            *(f"emb_{i}" for i in range(embedder.dim)),
            *self.extra_names,
        )

    def config(self) -> dict[str, Any]:
        """What a saved model records to rebuild the same features."""
        return {
            "taxonomy_version": self.taxonomy.version if self.taxonomy else None,
            "signals": self.signals_source,
            "signal_names": list(self.signal_names),
        }

    @classmethod
    def from_config(cls, embedder: Embedder, config: Mapping[str, Any]) -> FeatureExtractor:
        taxonomy = None
        trained_with = config.get("taxonomy_version")
        if trained_with is not None:
            from eligo.eligibility.taxonomy import load_taxonomy

            taxonomy = load_taxonomy()
            if taxonomy.version != trained_with:
                # Keyword features shift a little; the model still works. Retrain to catch up.
                logger.warning(
                    "Model trained with taxonomy %s, serving with %s: retrain to pick up edits",
                    trained_with,
                    taxonomy.version,
                )
        source = config.get("signals")
        signals, names = resolve_signals(source)
        if list(names) != list(config.get("signal_names", [])):
            raise ValueError(
                f"Rule signals changed since training ({names} vs {config.get('signal_names')})"
            )
        return cls(embedder, taxonomy=taxonomy, signals=signals, signal_names=names, source=source)

    @staticmethod
    def embedding_text(item: ProductText) -> str:
        return normalize_title(item.title)

    @staticmethod
    def rule_text(item: ProductText) -> str:
        if item.description:
            return normalize_title(f"{item.title} {item.description}")
        return normalize_title(item.title)

    def transform(
        self, items: Sequence[ProductText]
    ) -> tuple[NDArray[np.float32], NDArray[np.float32], list[list[KeywordHit]]]:
        texts = [self.embedding_text(item) for item in items]
        embeddings = self.embedder.embed(texts)
        extra = np.zeros((len(items), len(self.extra_names)), dtype=np.float32)
        all_hits: list[list[KeywordHit]] = []
        n_kw = len(STATUS_ORDER) + 2 if self.taxonomy is not None else 0
        status_col = {s: i for i, s in enumerate(STATUS_ORDER)}
        for row, item in enumerate(items):
            rule_text = texts[row] if not item.description else self.rule_text(item)
            values = self.signals(rule_text) if self.signal_names else {}
            hits: list[KeywordHit] = []
            if self.taxonomy is not None:
                for hit in self.taxonomy.match(rule_text, signals=values):
                    hits.append(
                        KeywordHit(
                            keyword=hit.terms[0] if hit.terms else hit.category,
                            category=hit.category,
                            status=hit.status,
                            score=hit.score,
                            moved_from=hit.moved_from,
                        )
                    )
                    col = status_col[hit.status]
                    extra[row, col] = max(extra[row, col], hit.score)
                    extra[row, n_kw - 1] += hit.moved_from is not None
                extra[row, n_kw - 2] = len(hits)
            all_hits.append(hits)
            for j, name in enumerate(self.signal_names):
                extra[row, n_kw + j] = float(values.get(name, np.nan))
        matrix = np.hstack((embeddings, extra)) if extra.shape[1] else embeddings
        return embeddings, np.ascontiguousarray(matrix, dtype=np.float32), all_hits


# The rule-signal source a model is trained with, recorded in its artifact by name.
RULE_SIGNALS: Final = "eligo.eligibility.signals"


def resolve_signals(source: str | None) -> tuple[SignalFunction, tuple[str, ...]]:
    """The signal function and its feature names for a recorded source name."""
    if source is None:
        return _no_signals, ()
    if source != RULE_SIGNALS:
        raise ValueError(f"Unknown rule-signal source {source!r}")
    from eligo.eligibility import signals as rule_signals

    return rule_signals.signal_features, tuple(rule_signals.SIGNAL_NAMES)
