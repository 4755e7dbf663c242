"""Basket arithmetic: integer cents only, so totals always add up exactly.

IIAS (the SIGIS Inventory Information Approval System) asks the merchant for two amounts:
the healthcare total (every FSA/HSA-eligible line, prescriptions included) and the Rx total.
Policy: a line counts toward them when its status is eligible or rx (lmn too when the member
has a Letter of Medical Necessity on file) and it does not need review; a line that needs review
is reported in ``needs_review_cents`` and left out, so a card is never charged on a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HEALTHCARE_STATUSES = frozenset({"eligible", "rx"})


@dataclass(frozen=True)
class PricedLine:
    quantity: int
    unit_price_cents: int
    status: str
    needs_review: bool

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass(frozen=True)
class Totals:
    basket_total_cents: int
    by_status_cents: dict[str, int]
    needs_review_cents: int
    healthcare_total_cents: int
    rx_total_cents: int


def counts_toward_healthcare(line: PricedLine, *, lmn_on_file: bool) -> bool:
    if line.needs_review:
        return False
    return line.status in HEALTHCARE_STATUSES or (lmn_on_file and line.status == "lmn")


def total_basket(lines: Sequence[PricedLine], *, lmn_on_file: bool = False) -> Totals:
    by_status = {"eligible": 0, "lmn": 0, "rx": 0, "not_eligible": 0}
    needs_review = healthcare = rx = 0
    for line in lines:
        amount = line.total_cents
        by_status[line.status] += amount
        if line.needs_review:
            needs_review += amount
        if counts_toward_healthcare(line, lmn_on_file=lmn_on_file):
            healthcare += amount
            if line.status == "rx":
                rx += amount
    return Totals(
        basket_total_cents=sum(line.total_cents for line in lines),
        by_status_cents=by_status,
        needs_review_cents=needs_review,
        healthcare_total_cents=healthcare,
        rx_total_cents=rx,
    )
