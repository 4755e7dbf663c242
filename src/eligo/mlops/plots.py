"""PNG plots for run artifacts and drift reports (matplotlib, headless, imported lazily)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["calibration_png", "confusion_png", "series_png"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def confusion_png(confusion: Sequence[Sequence[int]], statuses: Sequence[str], title: str) -> bytes:
    plt = _pyplot()
    matrix = np.asarray(confusion, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(5, 4.2))
    rows = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, rows, out=np.zeros_like(matrix), where=rows > 0)
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            colour = "white" if shares[i, j] > 0.5 else "black"
            ax.text(j, i, f"{int(matrix[i, j])}", ha="center", va="center", color=colour)
    ax.set_xticks(range(len(statuses)), statuses, rotation=30)
    ax.set_yticks(range(len(statuses)), statuses)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return _png(fig)


def calibration_png(
    confidence: NDArray[np.float64], correct: NDArray[np.bool_], title: str, bins: int = 10
) -> bytes:
    """Reliability diagram: accuracy per confidence bin against the diagonal."""
    plt = _pyplot()
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    centres, accuracy, counts = [], [], []
    for b in range(bins):
        mask = which == b
        if mask.any():
            centres.append(float(confidence[mask].mean()))
            accuracy.append(float(correct[mask].mean()))
            counts.append(int(mask.sum()))
    fig, ax = plt.subplots(figsize=(5, 4.2))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.plot(centres, accuracy, marker="o", label="model")
    for x, y, n in zip(centres, accuracy, counts, strict=True):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(0, 6), fontsize=7)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(loc="lower right")
    return _png(fig)


def series_png(
    times: Sequence[Any],
    series: dict[str, Sequence[float]],
    title: str,
    threshold: float | None = None,
) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for name, values in series.items():
        ax.plot(list(times), list(values), marker=".", label=name)
    if threshold is not None:
        ax.axhline(threshold, color="red", linestyle="--", label="threshold")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    return _png(fig)
