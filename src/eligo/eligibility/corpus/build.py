"""Corpus assembly, brand-held-out splits and the hand-written challenge set."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from eligo.eligibility.corpus.records import CorpusSplits, LabelledTitle
from eligo.eligibility.corpus.synthetic import generate_synthetic
from eligo.eligibility.corpus.weak import dsld_rows, fda_rows, off_rows
from eligo.eligibility.taxonomy import STATUSES, Taxonomy, load_taxonomy
from eligo.eligibility.text import normalize_title

__all__ = [
    "CHALLENGE_PATH",
    "CORPUS_COLUMNS",
    "build_corpus",
    "corpus_csv",
    "default_shared_data",
    "load_challenge_set",
    "split_corpus",
    "split_key",
]

logger = logging.getLogger(__name__)

# src/eligo/eligibility/corpus/build.py -> repository root is four levels up.
_REPO_ROOT = Path(__file__).resolve().parents[4]
CHALLENGE_PATH = _REPO_ROOT / "data" / "eligibility" / "challenge.csv"
CORPUS_COLUMNS = ("title", "brand", "status", "category", "source", "group", "gtin")

# Weak rows per unit of scale; the synthetic part is sized by the taxonomy.
_OFF_ROWS = 4500
_DSLD_ROWS = 3000


def default_shared_data() -> Path:
    """``ELIGO_SHARED_DATA`` if set, else ``<repo>/../shared/data``."""
    configured = os.environ.get("ELIGO_SHARED_DATA")
    return Path(configured) if configured else _REPO_ROOT.parent / "shared" / "data"


def _dedupe(rows: Iterable[LabelledTitle]) -> list[LabelledTitle]:
    # One row per normalized title: a title seen twice would otherwise leak across splits.
    seen: set[str] = set()
    out: list[LabelledTitle] = []
    for row in rows:
        key = normalize_title(row.title)
        if not key or key in seen:
            continue
        seen.add(key)
        out.append(row)
    return out


def build_corpus(
    *,
    seed: int = 2026,
    shared_data: Path | None = None,
    scale: float = 1.0,
    taxonomy: Taxonomy | None = None,
) -> list[LabelledTitle]:
    """Synthetic rows for every taxonomy category plus weak-labelled public rows.

    Deterministic: the same seed, scale and inputs give the same rows in the same order.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    tax = taxonomy or load_taxonomy()
    shared = shared_data or default_shared_data()
    rows: list[LabelledTitle] = generate_synthetic(tax, seed=seed, scale=scale)
    if shared.is_dir():
        rows.extend(off_rows(tax, shared, seed=seed, limit=round(_OFF_ROWS * scale)))
        rows.extend(dsld_rows(tax, shared, seed=seed, limit=round(_DSLD_ROWS * scale)))
        fda = list(fda_rows(tax, shared))
        if scale < 1.0:
            fda = fda[: max(1, round(len(fda) * scale))]
        rows.extend(fda)
    else:
        logger.warning("shared data folder %s not found: corpus has synthetic rows only", shared)
    return _dedupe(rows)


def split_key(row: LabelledTitle) -> str:
    """The unit a split assigns: the brand (case-folded), or the group for brandless rows."""
    return f"brand:{row.brand.casefold()}" if row.brand else f"group:{row.group}"


def _bucket(key: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def split_corpus(
    rows: Sequence[LabelledTitle],
    *,
    seed: int = 2026,
    validation_share: float = 0.1,
    test_share: float = 0.2,
) -> CorpusSplits:
    """Brand-held-out split: every brand (and its products) lands in exactly one part.

    Brands are hashed into parts, so shares are approximate when a few brands are large.
    Rows with the same normalized title also share a part (their key is the first brand seen).
    """
    if not (
        0 <= validation_share < 1 and 0 <= test_share < 1 and validation_share + test_share < 1
    ):
        raise ValueError("shares must be in [0, 1) and sum to less than 1")
    title_key: dict[str, str] = {}
    train: list[LabelledTitle] = []
    validation: list[LabelledTitle] = []
    test: list[LabelledTitle] = []
    for row in rows:
        key = title_key.setdefault(normalize_title(row.title), split_key(row))
        u = _bucket(key, seed)
        if u < test_share:
            test.append(row)
        elif u < test_share + validation_share:
            validation.append(row)
        else:
            train.append(row)
    return CorpusSplits(train=train, validation=validation, test=test)


def load_challenge_set(path: Path | None = None) -> list[LabelledTitle]:
    """The hand-written near-miss set (columns title,status,category,note).

    Evaluation only: it is never used for training or tuning.
    """
    source = path or CHALLENGE_PATH
    rows: list[LabelledTitle] = []
    with source.open(encoding="utf-8", newline="") as handle:
        for i, record in enumerate(csv.DictReader(handle)):
            status = record["status"].strip()
            if status not in STATUSES:
                raise ValueError(f"{source}: row {i + 2} has unknown status {status!r}")
            rows.append(
                LabelledTitle(
                    title=record["title"].strip(),
                    brand="",
                    status=status,
                    category=record["category"].strip(),
                    source="challenge",
                    group=f"challenge:{i}",
                )
            )
    return rows


def corpus_csv(rows: Iterable[LabelledTitle]) -> str:
    """Rows as CSV text (stable column order): for files, digests and reproducibility checks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CORPUS_COLUMNS)
    for row in rows:
        writer.writerow(
            [row.title, row.brand, row.status, row.category, row.source, row.group, row.gtin or ""]
        )
    return buffer.getvalue()
