"""Eligibility checks, baskets and the review queue: thin routes over the services."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from eligo.db.session import SessionDep
from eligo.eligibility import reviews, service
from eligo.eligibility.baskets import PricedLine, counts_toward_healthcare, total_basket
from eligo.eligibility.dependencies import ModelHolderDep
from eligo.eligibility.runtime import ModelHolder
from eligo.eligibility.schemas import (
    BasketLine,
    BasketRequest,
    BasketResponse,
    BasketTotals,
    CheckBatchRequest,
    CheckBatchResponse,
    DecisionOut,
    IiasTotals,
    NeighbourOut,
    ProductQuery,
    ReviewOut,
    ReviewPage,
    ReviewSubmit,
)
from eligo.security.dependencies import MerchantPrincipal, ReviewerPrincipal
from eligo.security.roles import Principal
from eligo.settings import Settings, SettingsDep

router = APIRouter()

# Canary stickiness by request key (else by tenant): send the same key for the same shopper.
ROUTING_KEY_HEADER = "x-routing-key"


def _queries(items: list[ProductQuery]) -> list[service.Query]:
    return [
        service.Query(gtin=i.gtin, title=i.title, brand=i.brand, description=i.description)
        for i in items
    ]


def _decide(
    request: Request,
    session: Session,
    principal: Principal,
    models: ModelHolder,
    settings: Settings,
    items: list[ProductQuery],
) -> list[service.Decision]:
    """Decide with the model routing chose for this request, then let routing observe it."""
    queries = _queries(items)
    model = models.for_request(
        tenant_id=principal.tenant_id, request_key=request.headers.get(ROUTING_KEY_HEADER)
    )
    started = time.perf_counter()
    decisions = service.decide(
        session,
        tenant_id=principal.tenant_id,
        queries=queries,
        model=model,
        review_threshold=settings.eligibility.review_threshold,
    )
    models.observe(
        model,
        tenant_id=principal.tenant_id,
        titles=[q.title for q in queries],
        decisions=decisions,
        seconds=time.perf_counter() - started,
    )
    return decisions


def _out(decision: service.Decision) -> DecisionOut:
    return DecisionOut(
        status=decision.status,
        confidence=decision.confidence,
        needs_review=decision.needs_review,
        source=decision.source,
        category=decision.category,
        reason=decision.reason,
        citation=decision.citation,
        model_version=decision.model_version,
        list_version=decision.list_version,
        gtin=decision.gtin,
        review_id=decision.review_id,
        neighbours=[NeighbourOut.model_validate(n) for n in decision.neighbours],
    )


# The checkout routes are async and do their blocking work in one threadpool call: a sync route
# costs a second thread hop, because FastAPI then also validates the response in a thread.
@router.post("/eligibility/check", tags=["eligibility"])
async def check(
    body: ProductQuery,
    request: Request,
    session: SessionDep,
    principal: MerchantPrincipal,
    models: ModelHolderDep,
    settings: SettingsDep,
) -> DecisionOut:
    """Is this product payable with FSA/HSA funds? List first, then your reviews, then the model."""
    [decision] = await run_in_threadpool(
        _decide, request, session, principal, models, settings, [body]
    )
    return _out(decision)


@router.post("/eligibility/check-batch", tags=["eligibility"])
async def check_batch(
    body: CheckBatchRequest,
    request: Request,
    session: SessionDep,
    principal: MerchantPrincipal,
    models: ModelHolderDep,
    settings: SettingsDep,
) -> CheckBatchResponse:
    """Up to 1,000 products at once, answered in order."""
    decisions = await run_in_threadpool(
        _decide, request, session, principal, models, settings, body.items
    )
    return CheckBatchResponse(results=[_out(d) for d in decisions])


@router.post("/baskets", tags=["baskets"])
async def price_basket(
    body: BasketRequest,
    request: Request,
    session: SessionDep,
    principal: MerchantPrincipal,
    models: ModelHolderDep,
    settings: SettingsDep,
) -> BasketResponse:
    """Split a cart into eligible, lmn, rx and not-eligible amounts, with the IIAS totals."""
    decisions = await run_in_threadpool(
        _decide, request, session, principal, models, settings, list(body.items)
    )
    priced = [
        PricedLine(item.quantity, item.unit_price_cents, d.status, d.needs_review)
        for item, d in zip(body.items, decisions, strict=True)
    ]
    totals = total_basket(priced, lmn_on_file=body.lmn_on_file)
    lines = [
        BasketLine(
            index=index,
            sku=item.sku,
            quantity=item.quantity,
            unit_price_cents=item.unit_price_cents,
            line_total_cents=line.total_cents,
            counts_toward_healthcare=counts_toward_healthcare(line, lmn_on_file=body.lmn_on_file),
            decision=_out(decision),
        )
        for index, (item, line, decision) in enumerate(
            zip(body.items, priced, decisions, strict=True)
        )
    ]
    return BasketResponse(
        lines=lines,
        totals=BasketTotals(
            basket_total_cents=totals.basket_total_cents,
            eligible_cents=totals.by_status_cents["eligible"],
            lmn_cents=totals.by_status_cents["lmn"],
            rx_cents=totals.by_status_cents["rx"],
            not_eligible_cents=totals.by_status_cents["not_eligible"],
            needs_review_cents=totals.needs_review_cents,
            iias=IiasTotals(
                healthcare_total_cents=totals.healthcare_total_cents,
                rx_total_cents=totals.rx_total_cents,
            ),
        ),
    )


@router.get("/reviews", tags=["reviews"])
def list_reviews(
    session: SessionDep,
    principal: ReviewerPrincipal,
    state: Annotated[Literal["pending", "reviewed"], Query()] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReviewPage:
    """Your tenant's review queue, highest expected value of a label first."""
    items = reviews.list_reviews(session, tenant_id=principal.tenant_id, state=state, limit=limit)
    return ReviewPage(items=[ReviewOut.model_validate(i) for i in items])


@router.post("/reviews/{review_id}", tags=["reviews"])
def submit_review(
    review_id: str, body: ReviewSubmit, session: SessionDep, principal: ReviewerPrincipal
) -> ReviewOut:
    """Label a queued product; the label answers your tenant's checks at once."""
    item = reviews.submit_review(
        session,
        tenant_id=principal.tenant_id,
        review_id=review_id,
        status=body.status,
        category=body.category,
        note=body.note,
        actor=principal.actor,
    )
    return ReviewOut.model_validate(item)
