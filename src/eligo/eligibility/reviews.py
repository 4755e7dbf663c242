"""The review queue: reviewers label low-confidence answers; labels apply to the tenant at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from eligo.db.session import declare_write_intent
from eligo.db.types import utcnow
from eligo.eligibility.exceptions import InvalidReview, ReviewNotFound
from eligo.eligibility.models import ReviewItem, TenantDecision
from eligo.eligibility.taxonomy import load_taxonomy
from eligo.security import audit


def list_reviews(
    session: Session, *, tenant_id: str, state: str = "pending", limit: int = 100
) -> list[ReviewItem]:
    """Highest expected value of a label first (uncertainty x traffic)."""
    query = (
        select(ReviewItem)
        .where(ReviewItem.tenant_id == tenant_id, ReviewItem.state == state)
        .order_by(ReviewItem.priority.desc(), ReviewItem.created_at)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def get_review(session: Session, *, tenant_id: str, review_id: str) -> ReviewItem:
    item = session.get(ReviewItem, review_id)
    if item is None or item.tenant_id != tenant_id:
        raise ReviewNotFound()
    return item


def submit_review(
    session: Session,
    *,
    tenant_id: str,
    review_id: str,
    status: str,
    category: str | None,
    note: str | None,
    actor: str,
) -> ReviewItem:
    declare_write_intent(session)
    item = get_review(session, tenant_id=tenant_id, review_id=review_id)
    if category is not None and category not in load_taxonomy():
        raise InvalidReview(f"Unknown category {category!r}: use an id from the taxonomy")
    now = utcnow()
    item.state = "reviewed"
    item.reviewed_status = status
    item.reviewed_category = category
    item.reviewed_by = actor
    item.reviewed_at = now
    item.note = note
    decision = session.execute(
        select(TenantDecision).where(
            TenantDecision.tenant_id == tenant_id, TenantDecision.match_key == item.match_key
        )
    ).scalar_one_or_none()
    if decision is None:
        decision = TenantDecision(tenant_id=tenant_id, match_key=item.match_key)
        session.add(decision)
    decision.status = status
    decision.category = category or item.predicted_category
    decision.review_id = item.id
    decision.decided_by = actor
    decision.created_at = now
    audit.record(
        session,
        action="review.submitted",
        actor=actor,
        tenant_id=tenant_id,
        object_type="eligibility_review",
        object_id=item.id,
        detail={
            "predicted_status": item.predicted_status,
            "reviewed_status": status,
            "model_version": item.model_version,
        },
    )
    session.commit()
    return item
