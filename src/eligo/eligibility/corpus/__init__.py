"""Labelled FSA/HSA eligibility corpus: synthetic titles, weak labels, splits, challenge set.

Public API (other modules depend on it; keep it stable)::

    build_corpus(*, seed=2026, shared_data=None, scale=1.0) -> list[LabelledTitle]
    split_corpus(rows, *, seed=2026, validation_share=0.1, test_share=0.2) -> CorpusSplits
    load_challenge_set() -> list[LabelledTitle]
"""

from eligo.eligibility.corpus.build import (
    CHALLENGE_PATH,
    CORPUS_COLUMNS,
    build_corpus,
    corpus_csv,
    default_shared_data,
    load_challenge_set,
    split_corpus,
    split_key,
)
from eligo.eligibility.corpus.records import SOURCES, CorpusSplits, LabelledTitle

__all__ = [
    "CHALLENGE_PATH",
    "CORPUS_COLUMNS",
    "SOURCES",
    "CorpusSplits",
    "LabelledTitle",
    "build_corpus",
    "corpus_csv",
    "default_shared_data",
    "load_challenge_set",
    "split_corpus",
    "split_key",
]
