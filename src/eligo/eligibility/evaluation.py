"""Evaluation of eligibility predictions: the figures the acceptance criteria name.

Pure numpy, no model: takes labels, predicted probabilities and a review threshold, so the
MLOps gate can re-score any model on a gold set with the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ClassMetrics",
    "Evaluation",
    "Misclassified",
    "choose_review_threshold",
    "evaluate",
    "evaluation_markdown",
    "fit_temperature",
]


@dataclass(frozen=True)
class ClassMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Misclassified:
    title: str
    expected: str
    predicted: str
    confidence: float
    category: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Evaluation:
    name: str
    n: int
    accuracy: float
    per_status: dict[str, ClassMetrics]
    statuses: tuple[str, ...]
    # confusion[i][j]: items whose true status is statuses[i], predicted statuses[j].
    confusion: list[list[int]]
    # Share of all items where eligible and not_eligible were swapped (the costly mistake).
    eligible_not_eligible_rate: float
    review_threshold: float
    coverage: float  # share answered without needs_review
    covered_accuracy: float  # accuracy on those
    log_loss: float
    expected_calibration_error: float
    misclassified: list[Misclassified] = field(default_factory=list)

    @property
    def min_recall(self) -> float:
        return min((m.recall for m in self.per_status.values() if m.support), default=0.0)

    def metrics(self, prefix: str = "") -> dict[str, float]:
        """Flat name -> value map, ready for mlflow.log_metrics."""
        p = f"{prefix}{self.name}_" if prefix or self.name else ""
        out = {
            f"{p}accuracy": self.accuracy,
            f"{p}eligible_not_eligible_rate": self.eligible_not_eligible_rate,
            f"{p}coverage": self.coverage,
            f"{p}covered_accuracy": self.covered_accuracy,
            f"{p}log_loss": self.log_loss,
            f"{p}ece": self.expected_calibration_error,
            f"{p}min_recall": self.min_recall,
            f"{p}n": float(self.n),
        }
        for status, m in self.per_status.items():
            out[f"{p}precision_{status}"] = m.precision
            out[f"{p}recall_{status}"] = m.recall
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["min_recall"] = self.min_recall
        return data


def evaluate(
    name: str,
    labels: Sequence[str],
    probabilities: NDArray[np.float64],
    statuses: Sequence[str],
    *,
    review_threshold: float,
    titles: Sequence[str] | None = None,
    categories: Sequence[str | None] | None = None,
    sources: Sequence[str | None] | None = None,
    max_misclassified: int = 500,
) -> Evaluation:
    statuses = tuple(statuses)
    index = {s: i for i, s in enumerate(statuses)}
    y = np.array([index[label] for label in labels], dtype=np.int64)
    n = len(y)
    if probabilities.shape != (n, len(statuses)):
        raise ValueError("probabilities must be (n_items, n_statuses)")
    pred = probabilities.argmax(axis=1) if n else np.zeros(0, dtype=np.int64)
    conf = probabilities.max(axis=1) if n else np.zeros(0)
    confusion = np.zeros((len(statuses), len(statuses)), dtype=np.int64)
    np.add.at(confusion, (y, pred), 1)
    per_status: dict[str, ClassMetrics] = {}
    for i, status in enumerate(statuses):
        tp = int(confusion[i, i])
        predicted = int(confusion[:, i].sum())
        actual = int(confusion[i, :].sum())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_status[status] = ClassMetrics(precision, recall, f1, actual)
    swapped = 0
    if "eligible" in index and "not_eligible" in index:
        e, ne = index["eligible"], index["not_eligible"]
        swapped = int(confusion[e, ne] + confusion[ne, e])
    covered = conf >= review_threshold
    correct = pred == y
    misclassified = [
        Misclassified(
            title=titles[i] if titles is not None else str(i),
            expected=statuses[y[i]],
            predicted=statuses[pred[i]],
            confidence=round(float(conf[i]), 4),
            category=categories[i] if categories is not None else None,
            source=sources[i] if sources is not None else None,
        )
        for i in np.flatnonzero(~correct)[:max_misclassified]
    ]
    eps = 1e-12
    log_loss = float(-np.log(np.clip(probabilities[np.arange(n), y], eps, 1.0)).mean()) if n else 0
    return Evaluation(
        name=name,
        n=n,
        accuracy=float(correct.mean()) if n else 0.0,
        per_status=per_status,
        statuses=statuses,
        confusion=confusion.tolist(),
        eligible_not_eligible_rate=swapped / n if n else 0.0,
        review_threshold=review_threshold,
        coverage=float(covered.mean()) if n else 0.0,
        covered_accuracy=float(correct[covered].mean()) if covered.any() else 0.0,
        log_loss=log_loss,
        expected_calibration_error=_ece(conf, correct),
        misclassified=misclassified,
    )


def _ece(confidence: NDArray[np.float64], correct: NDArray[np.bool_], bins: int = 15) -> float:
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(float(correct[mask].mean()) - float(confidence[mask].mean()))
    return float(total)


def fit_temperature(logits: NDArray[np.float64], labels: NDArray[np.int64]) -> float:
    """Temperature minimising validation log loss (golden-section search over log T).

    One scalar keeps the argmax, so calibration never changes a decision, and the
    probabilities still sum to 1.
    """
    if len(labels) == 0:
        return 1.0

    def nll(log_t: float) -> float:
        scaled = logits / np.exp(log_t)
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_z = np.log(np.exp(scaled).sum(axis=1))
        return float((log_z - scaled[np.arange(len(labels)), labels]).mean())

    lo, hi = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5.0) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(b)
    return float(np.exp((lo + hi) / 2))


def choose_review_threshold(
    confidence: NDArray[np.float64],
    correct: NDArray[np.bool_],
    *,
    target_accuracy: float,
    floor: float = 0.5,
    ceiling: float = 0.99,
) -> float:
    """Lowest confidence threshold whose answered items reach ``target_accuracy``.

    Walks validation items from most to least confident and keeps the largest answered
    set whose running accuracy still meets the target: maximum coverage at that accuracy.
    """
    if len(confidence) == 0:
        return floor
    order = np.argsort(-confidence, kind="stable")
    running = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(running >= target_accuracy)
    if len(ok) == 0:
        return ceiling
    threshold = float(confidence[order][ok[-1]])
    return float(min(max(threshold, floor), ceiling))


def evaluation_markdown(evaluation: Evaluation, *, max_examples: int = 50) -> str:
    ev = evaluation
    lines = [
        f"### {ev.name} ({ev.n} titles)",
        "",
        f"- Accuracy: **{ev.accuracy:.2%}**",
        f"- eligible <-> not_eligible confusions: {ev.eligible_not_eligible_rate:.2%}",
        f"- Coverage at review threshold {ev.review_threshold:.3f}: {ev.coverage:.2%} "
        f"(accuracy on answered items {ev.covered_accuracy:.2%})",
        f"- Log loss {ev.log_loss:.4f}, "
        f"expected calibration error {ev.expected_calibration_error:.4f}",
        "",
        "| status | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for status, m in ev.per_status.items():
        lines.append(
            f"| {status} | {m.precision:.2%} | {m.recall:.2%} | {m.f1:.3f} | {m.support} |"
        )
    lines += [
        "",
        "Confusion matrix (rows: true status, columns: predicted):",
        "",
        "| true \\ predicted | " + " | ".join(ev.statuses) + " |",
        "|---" * (len(ev.statuses) + 1) + "|",
    ]
    for status, row in zip(ev.statuses, ev.confusion, strict=True):
        lines.append(f"| {status} | " + " | ".join(str(v) for v in row) + " |")
    shown = ev.misclassified[:max_examples]
    lines += ["", f"Misclassified examples ({len(shown)} of {len(ev.misclassified)} listed):", ""]
    if shown:
        lines += ["| title | expected | predicted | confidence |", "|---|---|---|---|"]
        for miss in shown:
            title = miss.title.replace("|", "/")
            lines.append(
                f"| {title} | {miss.expected} | {miss.predicted} | {miss.confidence:.2f} |"
            )
    lines.append("")
    return "\n".join(lines)
