"""Review to retrain: reviewed labels become an immutable, versioned dataset.

``snapshot_reviews`` writes every reviewed item (all tenants; product titles only, no tenant or
reviewer ids) to ``<review_dataset_dir>/v<N>.jsonl`` and records its version, row count and
sha256; an unchanged set of labels reuses the latest version. ``eligo train eligibility
--with-reviews`` trains on the corpus plus that dataset and tags the run with its version.
When tenants disagree on a title, the majority label wins (ties: the latest review).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eligo.db.session import declare_write_intent
from eligo.eligibility.corpus.records import LabelledTitle
from eligo.eligibility.models import ReviewItem
from eligo.eligibility.taxonomy import load_taxonomy
from eligo.eligibility.text import normalize_title
from eligo.mlops.exceptions import ModelNotRegistered
from eligo.mlops.models import ReviewDataset
from eligo.settings import Settings

logger = logging.getLogger(__name__)

__all__ = ["get_dataset", "load_review_rows", "review_records", "snapshot_reviews"]


def _category(status: str, reviewed: str | None, predicted: str | None) -> str:
    taxonomy = load_taxonomy()
    for candidate in (reviewed, predicted):
        if candidate and candidate in taxonomy and taxonomy.get(candidate).status == status:
            return candidate
    if reviewed and reviewed in taxonomy:
        return reviewed
    return taxonomy.by_status(status)[0].id  # type: ignore[arg-type]


def review_records(session: Session) -> list[dict[str, str | None]]:
    """One record per normalized title, in a stable order (so equal labels hash equally)."""
    items = session.execute(
        select(ReviewItem)
        .where(ReviewItem.state == "reviewed", ReviewItem.reviewed_status.is_not(None))
        .order_by(ReviewItem.reviewed_at, ReviewItem.id)
    ).scalars()
    by_title: dict[str, list[ReviewItem]] = defaultdict(list)
    for item in items:
        key = normalize_title(item.title)
        if key:
            by_title[key].append(item)
    records: list[dict[str, str | None]] = []
    for key in sorted(by_title):
        group = by_title[key]
        votes = Counter(i.reviewed_status for i in group)
        top = max(votes.values())
        # The latest review among the most voted statuses.
        chosen = [i for i in group if votes[i.reviewed_status] == top][-1]
        status = str(chosen.reviewed_status)
        records.append(
            {
                "title": chosen.title,
                "brand": chosen.brand,
                "gtin": chosen.gtin,
                "status": status,
                "category": _category(status, chosen.reviewed_category, chosen.predicted_category),
                "review_id": chosen.id,
            }
        )
    return records


def snapshot_reviews(session: Session, settings: Settings, *, actor: str) -> ReviewDataset:
    """A new dataset version with every reviewed label (or the latest one if nothing changed)."""
    records = review_records(session)
    body = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in records)
    digest = hashlib.sha256(body.encode()).hexdigest()
    latest = session.execute(
        select(ReviewDataset).order_by(ReviewDataset.version.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is not None and latest.sha256 == digest and Path(latest.path).is_file():
        logger.info("Reviewed labels unchanged: reusing review dataset v%d", latest.version)
        return latest
    declare_write_intent(session)
    version = (session.execute(select(func.max(ReviewDataset.version))).scalar() or 0) + 1
    directory = Path(settings.mlops.review_dataset_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = (directory / f"v{version}.jsonl").resolve()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)
    dataset = ReviewDataset(
        version=version,
        created_by=actor,
        rows=len(records),
        sha256=digest,
        path=str(path),
        statuses=dict(sorted(Counter(str(r["status"]) for r in records).items())),
    )
    session.add(dataset)
    session.commit()
    logger.info("Review dataset v%d: %d labels", version, len(records))
    return dataset


def get_dataset(session: Session, version: int) -> ReviewDataset:
    found = session.get(ReviewDataset, version)
    if found is None:
        raise ModelNotRegistered(f"No review dataset version {version}")
    return found


def load_review_rows(dataset: ReviewDataset) -> list[LabelledTitle]:
    """The dataset's rows as training rows; the file must still match its recorded hash."""
    body = Path(dataset.path).read_text(encoding="utf-8")
    if hashlib.sha256(body.encode()).hexdigest() != dataset.sha256:
        raise ValueError(f"review dataset v{dataset.version} changed on disk since it was made")
    rows = []
    for line in body.splitlines():
        record = json.loads(line)
        rows.append(
            LabelledTitle(
                title=record["title"],
                brand=record.get("brand") or "",
                status=record["status"],
                category=record["category"],
                source="review",
                group=f"review:{record['review_id']}",
                gtin=record.get("gtin"),
            )
        )
    return rows
