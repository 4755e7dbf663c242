"""Title normalization: examples for each rule, Hypothesis properties for the guarantees."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligo.eligibility.text import MAX_NORMALIZED_CHARS, normalize_title, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("IBUPROFEN 200MG 100CT Tablets™", "ibuprofen 200 milligram 100 count tablets"),
        ("Ibuprofen 200 mg, 100-count", "ibuprofen 200 milligram 100 count"),
        ("Ibuprofen 100 ct", "ibuprofen 100 count"),
        ("Ibuprofen 100ea", "ibuprofen 100 count"),
        ("Sunscreen SPF50+ 3 fl. oz.", "sunscreen spf 50 3 fluid ounce"),
        ("Lotion 8floz", "lotion 8 fluid ounce"),
        ("Vitamin C 30 tabs", "vitamin c 30 tablets"),
        ("Fish Oil 120 caps", "fish oil 120 capsules"),
        ("Hand Sanitizer 70 % Alcohol", "hand sanitizer 70% alcohol"),
        ("Hand Sanitizer 70 percent alcohol", "hand sanitizer 70% alcohol"),
        ("Cream w/ Aloe & Vitamin E", "cream with aloe and vitamin e"),
        ("NEW! Best Seller Allergy Relief", "allergy relief"),
        ("#1 Doctor Recommended Pain Relief", "pain relief"),
        ("Ｆｕｌｌ－ｗｉｄｔｈ  ＴＥＸＴ", "full width text"),
        ("Dr. Scholl's 1.5 oz", "dr scholl s 1.5 ounce"),
        ("Baby Shampoo 13.5 fl oz", "baby shampoo 13.5 fluid ounce"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize_title(raw) == expected


def test_count_spellings_agree() -> None:
    spellings = ["100ct", "100 ct", "100-ct", "100 count", "100 Count", "100CT", "100 cnt", "100ea"]
    assert {normalize_title(f"Aspirin {s}") for s in spellings} == {"aspirin 100 count"}


def test_relevant_words_survive() -> None:
    # Words that carry eligibility signal must not be stripped as marketing noise.
    out = normalize_title("Medicated Relief Value Pack Rx Only Drug Facts")
    for word in ("medicated", "relief", "value", "pack", "rx", "only", "drug", "facts"):
        assert word in tokens(out)


def test_bounded_on_huge_input() -> None:
    out = normalize_title("bandage " * 50_000)
    assert len(out) <= MAX_NORMALIZED_CHARS
    assert out.endswith("bandage")


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_never_raises_and_is_bounded(raw: str) -> None:
    out = normalize_title(raw)
    assert isinstance(out, str)
    assert len(out) <= MAX_NORMALIZED_CHARS
    assert out == out.strip()
    assert "  " not in out


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_idempotent_on_any_unicode(raw: str) -> None:
    once = normalize_title(raw)
    assert normalize_title(once) == once


_TITLE_ALPHABET = st.sampled_from(
    [
        *"abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,-/%&#!+()'™®",
        *("ct", "oz", "fl oz", "mg", "SPF", "tabs", "caps", "new!", "best seller", "ea", " x "),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TITLE_ALPHABET, max_size=40).map("".join))
def test_idempotent_on_title_like_text(raw: str) -> None:
    once = normalize_title(raw)
    assert normalize_title(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=3000))
def test_long_unicode_bounded_and_idempotent(raw: str) -> None:
    once = normalize_title(raw * 3)
    assert len(once) <= MAX_NORMALIZED_CHARS
    assert normalize_title(once) == once


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_idempotent_on_any_ascii(raw: str) -> None:
    # ASCII input takes a single-pass fast path; it must still be a fixed point.
    once = normalize_title(raw)
    assert normalize_title(once) == once
