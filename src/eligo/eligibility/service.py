"""Eligibility decisions: the list first, then the tenant's own reviews, then the model.

Services take plain values and a session and return domain objects; the router shapes them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eligo.catalog import service as catalog_service
from eligo.catalog.gtin import InvalidGtin, normalize_gtin
from eligo.db.types import new_id, utcnow
from eligo.eligibility.classifier import EligibilityModel, Neighbour, Prediction
from eligo.eligibility.exceptions import ModelNotLoaded
from eligo.eligibility.features import ProductText
from eligo.eligibility.models import ReviewItem, TenantDecision
from eligo.eligibility.taxonomy import load_taxonomy
from eligo.eligibility.text import normalize_title
from eligo.errors import InvalidInput

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Query:
    gtin: str | None = None
    title: str | None = None
    brand: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Decision:
    status: str
    confidence: float
    needs_review: bool
    source: str  # list | tenant_review | model
    category: str | None
    reason: str
    citation: str | None
    model_version: str | None
    list_version: int | None
    gtin: str | None
    review_id: str | None = None
    neighbours: tuple[Neighbour, ...] = field(default_factory=tuple)


def title_key(title: str) -> str:
    return "title:" + normalize_title(title)[:590]


def gtin_key(gtin: str) -> str:
    return "gtin:" + gtin


def normalize_gtins(queries: Sequence[Query]) -> list[str | None]:
    """GTIN-14 per query; every bad code is reported at once, with its index."""
    normalized: list[str | None] = []
    problems: list[dict[str, object]] = []
    for index, query in enumerate(queries):
        if not query.gtin:
            normalized.append(None)
            continue
        try:
            normalized.append(normalize_gtin(query.gtin))
        except InvalidGtin as exc:
            normalized.append(None)
            problems.append({"index": index, "field": "gtin", "message": exc.message})
    if problems:
        where = problems[0]["message"] if len(problems) == 1 else f"{len(problems)} items"
        raise InvalidInput(f"Invalid GTIN: {where}", details=problems)
    return normalized


def citation_for(category: str | None) -> str | None:
    taxonomy = load_taxonomy()
    if category and category in taxonomy:
        return taxonomy.get(category).citation
    return None


def decide_from_list(
    hits: dict[str, catalog_service.ListHit], gtins: Sequence[str | None], version: int
) -> list[Decision | None]:
    """List answers where the GTIN is on the list; None where it is not."""
    decisions: list[Decision | None] = []
    for gtin in gtins:
        hit = hits.get(gtin) if gtin else None
        if hit is None:
            decisions.append(None)
            continue
        decisions.append(
            Decision(
                status=hit.status,
                confidence=1.0,
                needs_review=False,
                source="list",
                category=hit.category or None,
                reason=f"On the eligible-product list (version {version}) as {hit.status}",
                citation=citation_for(hit.category)
                or f"Eligible-product list version {version} ({hit.source or 'feed'})",
                model_version=None,
                list_version=version,
                gtin=gtin,
            )
        )
    return decisions


def decide(
    session: Session,
    *,
    tenant_id: str,
    queries: Sequence[Query],
    model: EligibilityModel | None,
    review_threshold: float | None = None,
) -> list[Decision]:
    """Answer every query, in order: list hit, tenant review, model; low confidence is queued."""
    gtins = normalize_gtins(queries)
    version = catalog_service.active_version(session)
    hits = catalog_service.lookup_many(session, gtins=[g for g in gtins if g], version=version)
    decisions = decide_from_list(hits, gtins, version)

    _apply_tenant_decisions(session, tenant_id, queries, gtins, decisions, version)

    pending = [i for i, d in enumerate(decisions) if d is None and queries[i].title]
    if pending:
        if model is None:
            raise ModelNotLoaded()
        answers = model_decisions(
            model,
            [queries[i] for i in pending],
            gtins=[gtins[i] for i in pending],
            list_version=version,
            review_threshold=review_threshold,
        )
        for index, answer in zip(pending, answers, strict=True):
            decisions[index] = answer
        # End the reads first (see security.service.authenticate): queueing writes.
        session.commit()
        _queue_reviews(session, tenant_id, queries, gtins, decisions, pending, model.version)

    for index, decision in enumerate(decisions):
        if decision is None:  # a GTIN that is not on the list, and no title to classify
            decisions[index] = Decision(
                status="not_eligible",
                confidence=0.0,
                needs_review=True,
                source="list",
                category=None,
                reason=(
                    f"GTIN not on the eligible-product list (version {version}); "
                    "send the product title to classify it"
                ),
                citation=None,
                model_version=None,
                list_version=version or None,
                gtin=gtins[index],
            )
    session.commit()
    return [d for d in decisions if d is not None]


def _apply_tenant_decisions(
    session: Session,
    tenant_id: str,
    queries: Sequence[Query],
    gtins: Sequence[str | None],
    decisions: list[Decision | None],
    version: int,
) -> None:
    keys_by_index: dict[int, list[str]] = {}
    for index, decision in enumerate(decisions):
        if decision is not None:
            continue
        keys = []
        if gtins[index]:
            keys.append(gtin_key(gtins[index] or ""))
        if queries[index].title:
            keys.append(title_key(queries[index].title or ""))
        keys_by_index[index] = keys
    wanted = {key for keys in keys_by_index.values() for key in keys}
    if not wanted:
        return
    found: dict[str, TenantDecision] = {}
    wanted_list = sorted(wanted)
    for start in range(0, len(wanted_list), 500):
        rows = session.execute(
            select(TenantDecision).where(
                TenantDecision.tenant_id == tenant_id,
                TenantDecision.match_key.in_(wanted_list[start : start + 500]),
            )
        ).scalars()
        found.update((row.match_key, row) for row in rows)
    for index, keys in keys_by_index.items():
        row = next((found[key] for key in keys if key in found), None)
        if row is None:
            continue
        decisions[index] = Decision(
            status=row.status,
            confidence=1.0,
            needs_review=False,
            source="tenant_review",
            category=row.category,
            reason=f"Reviewed by your team on {row.created_at:%Y-%m-%d}",
            citation=citation_for(row.category),
            model_version=None,
            list_version=version or None,
            gtin=gtins[index],
        )


def model_decisions(
    model: EligibilityModel,
    queries: Sequence[Query],
    *,
    gtins: Sequence[str | None],
    list_version: int,
    review_threshold: float | None,
) -> list[Decision]:
    """The model's answers for titled queries (no database: the CLI's bulk path uses it too)."""
    predictions = model.predict(
        [
            ProductText(title=q.title or "", brand=q.brand, description=q.description)
            for q in queries
        ]
    )
    return [
        _model_decision(prediction, model, gtin, list_version, review_threshold)
        for prediction, gtin in zip(predictions, gtins, strict=True)
    ]


def _model_decision(
    prediction: Prediction,
    model: EligibilityModel,
    gtin: str | None,
    version: int,
    review_threshold: float | None,
) -> Decision:
    needs_review = prediction.needs_review or (
        review_threshold is not None and prediction.confidence < review_threshold
    )
    return Decision(
        status=prediction.status,
        confidence=round(float(prediction.confidence), 4),
        needs_review=needs_review,
        source="model",
        category=prediction.category,
        reason=prediction.reason,
        citation=citation_for(prediction.category),
        model_version=model.version,
        list_version=version or None,
        gtin=gtin,
        neighbours=prediction.neighbours,
    )


# Review rows per upsert statement (16 columns each: well under SQLite's variable limit).
REVIEW_UPSERT_CHUNK = 500


def _queue_reviews(
    session: Session,
    tenant_id: str,
    queries: Sequence[Query],
    gtins: Sequence[str | None],
    decisions: list[Decision | None],
    indexes: Sequence[int],
    model_version: str,
) -> None:
    """Upsert one pending review per (tenant, product); repeated traffic raises its priority.

    One multi-row upsert per chunk, not one statement per item: a 500-item basket of new
    titles queues hundreds of reviews. Repeats inside one request are merged first (a
    statement may not touch the same row twice)."""
    now = utcnow()
    rows: dict[str, dict[str, Any]] = {}
    indexes_by_key: dict[str, list[int]] = {}
    for index in indexes:
        decision = decisions[index]
        if decision is None or not decision.needs_review:
            continue
        query = queries[index]
        gtin = gtins[index]
        key = gtin_key(gtin) if gtin else title_key(query.title or "")
        hits = rows[key]["hits"] + 1 if key in rows else 1
        rows[key] = {
            "id": new_id(),
            "tenant_id": tenant_id,
            "match_key": key,
            "gtin": gtin,
            "title": (query.title or "")[:1000],
            "brand": query.brand,
            "predicted_status": decision.status,
            "predicted_category": decision.category,
            "confidence": decision.confidence,
            "model_version": model_version,
            "hits": hits,
            "priority": hits * (1.0 - decision.confidence),
            "state": "pending",
            "created_at": now,
            "last_seen_at": now,
        }
        indexes_by_key.setdefault(key, []).append(index)
    chunk = list(rows.values())
    for start in range(0, len(chunk), REVIEW_UPSERT_CHUNK):
        ids = _upsert_reviews(session, chunk[start : start + REVIEW_UPSERT_CHUNK])
        for key, review_id in ids.items():
            for index in indexes_by_key[key]:
                decision = decisions[index]
                if decision is not None:
                    decisions[index] = replace(decision, review_id=review_id)


def _upsert_reviews(session: Session, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Insert or bump review rows; returns the review id by match key."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ReviewItem).values(rows)
    new = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["tenant_id", "match_key"],
        set_={
            "hits": ReviewItem.hits + new.hits,
            "priority": (ReviewItem.hits + new.hits) * (1.0 - new.confidence),
            "predicted_status": new.predicted_status,
            "predicted_category": new.predicted_category,
            "confidence": new.confidence,
            "model_version": new.model_version,
            "last_seen_at": new.last_seen_at,
        },
    ).returning(ReviewItem.match_key, ReviewItem.id)
    return {key: review_id for key, review_id in session.execute(statement)}
