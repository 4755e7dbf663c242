"""Row types of the labelled eligibility corpus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["SOURCES", "CorpusSplits", "LabelledTitle"]

# synthetic: generated from the taxonomy; off/dsld/fda: weak labels from public data sets;
# challenge: the hand-written near-miss set (never for training or tuning).
SOURCES: Final = ("synthetic", "off", "dsld", "fda", "challenge")


@dataclass(frozen=True)
class LabelledTitle:
    title: str
    brand: str
    status: str
    category: str
    source: str
    # Grouping key (brand + product line): rows sharing it never straddle splits.
    group: str
    gtin: str | None = None


@dataclass(frozen=True)
class CorpusSplits:
    train: list[LabelledTitle]
    validation: list[LabelledTitle]
    test: list[LabelledTitle]
