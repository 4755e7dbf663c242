"""Request and response bodies of the eligibility, basket and review routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from eligo.schemas import RequestModel, ResponseModel

MAX_BATCH_ITEMS = 1000
MAX_BASKET_ITEMS = 1000
Status = Literal["eligible", "lmn", "rx", "not_eligible"]
Source = Literal["list", "tenant_review", "model"]

# No control characters (NUL included): they never belong in a product title.
_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Title = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=_NO_CONTROL)]
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=_NO_CONTROL)]
Description = Annotated[str, StringConstraints(max_length=5000, pattern=_NO_CONTROL)]
GtinText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=20, pattern=r"^[0-9 \-]+$"),
    Field(description="UPC-A, EAN-13 or GTIN-14 with a valid check digit"),
]


class ProductQuery(RequestModel):
    gtin: GtinText | None = None
    title: Title | None = None
    brand: ShortText | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _gtin_or_title(self) -> ProductQuery:
        if not self.gtin and not self.title:
            raise ValueError("give at least one of gtin or title")
        return self


class CheckBatchRequest(RequestModel):
    items: list[ProductQuery] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)


class NeighbourOut(ResponseModel):
    title: str
    status: str
    category: str
    similarity: float


class DecisionOut(ResponseModel):
    status: Status
    confidence: float
    needs_review: bool
    source: Source
    category: str | None
    reason: str
    citation: str | None
    model_version: str | None
    list_version: int | None
    gtin: str | None = Field(description="The GTIN-14 the answer is for, when one was given")
    review_id: str | None = None
    neighbours: list[NeighbourOut] = Field(default_factory=list)


class CheckBatchResponse(ResponseModel):
    results: list[DecisionOut]


class BasketItem(ProductQuery):
    sku: ShortText | None = None
    quantity: int = Field(ge=1, le=10_000)
    unit_price_cents: int = Field(ge=0, le=100_000_000)


class BasketRequest(RequestModel):
    items: list[BasketItem] = Field(min_length=1, max_length=MAX_BASKET_ITEMS)
    lmn_on_file: bool = Field(
        default=False,
        description="The member has a Letter of Medical Necessity on file: lmn items count "
        "toward the healthcare total",
    )


class BasketLine(ResponseModel):
    index: int
    sku: str | None
    quantity: int
    unit_price_cents: int
    line_total_cents: int
    counts_toward_healthcare: bool
    decision: DecisionOut


class IiasTotals(ResponseModel):
    healthcare_total_cents: int = Field(
        description="Amount the merchant sends as the IIAS healthcare total (Rx included)"
    )
    rx_total_cents: int = Field(description="Amount the merchant sends as the IIAS Rx total")


class BasketTotals(ResponseModel):
    basket_total_cents: int
    eligible_cents: int
    lmn_cents: int
    rx_cents: int
    not_eligible_cents: int
    needs_review_cents: int
    iias: IiasTotals


class BasketResponse(ResponseModel):
    lines: list[BasketLine]
    totals: BasketTotals


class ReviewOut(ResponseModel):
    id: str
    gtin: str | None
    title: str
    brand: str | None
    predicted_status: str
    predicted_category: str | None
    confidence: float
    model_version: str
    hits: int
    priority: float
    state: str
    reviewed_status: str | None
    reviewed_category: str | None
    created_at: datetime
    reviewed_at: datetime | None


class ReviewPage(ResponseModel):
    items: list[ReviewOut]


class ReviewSubmit(RequestModel):
    status: Status
    category: Annotated[str, StringConstraints(max_length=100, pattern=r"^[a-z0-9_]*$")] | None = (
        None
    )
    note: Annotated[str, StringConstraints(max_length=1000, pattern=_NO_CONTROL)] | None = None
