from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from eligo.eligibility.baskets import PricedLine, total_basket

lines = st.lists(
    st.builds(
        PricedLine,
        quantity=st.integers(1, 10_000),
        unit_price_cents=st.integers(0, 100_000_000),
        status=st.sampled_from(["eligible", "lmn", "rx", "not_eligible"]),
        needs_review=st.booleans(),
    ),
    max_size=60,
)


@given(lines, st.booleans())
def test_totals_always_sum_to_the_basket_total(basket: list[PricedLine], lmn: bool) -> None:
    totals = total_basket(basket, lmn_on_file=lmn)
    assert sum(totals.by_status_cents.values()) == totals.basket_total_cents
    assert totals.basket_total_cents == sum(li.quantity * li.unit_price_cents for li in basket)
    assert 0 <= totals.rx_total_cents <= totals.healthcare_total_cents
    # Lines that need review never count toward the IIAS amounts.
    assert totals.healthcare_total_cents + totals.needs_review_cents <= totals.basket_total_cents
    assert all(isinstance(v, int) for v in totals.by_status_cents.values())


def test_iias_policy() -> None:
    basket = [
        PricedLine(2, 1099, "eligible", False),  # 2198 healthcare
        PricedLine(1, 2500, "rx", False),  # 2500 healthcare and rx
        PricedLine(1, 1999, "lmn", False),  # only with an LMN on file
        PricedLine(3, 499, "not_eligible", False),
        PricedLine(1, 800, "eligible", True),  # a guess: kept out of the IIAS amounts
    ]
    without = total_basket(basket)
    assert without.healthcare_total_cents == 2198 + 2500
    assert without.rx_total_cents == 2500
    assert without.needs_review_cents == 800
    assert without.basket_total_cents == 2198 + 2500 + 1999 + 1497 + 800
    with_lmn = total_basket(basket, lmn_on_file=True)
    assert with_lmn.healthcare_total_cents == 2198 + 2500 + 1999
