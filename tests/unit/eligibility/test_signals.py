"""Rule signals: one test per rule, plus the contract the classifier relies on."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligo.eligibility.signals import SIGNAL_NAMES, extract_signals, signal_features
from eligo.eligibility.text import normalize_title


def values(title: str, description: str | None = None) -> dict[str, float]:
    return dict(extract_signals(title, description).values)


@pytest.mark.parametrize(
    ("title", "spf"),
    [
        ("CeraVe AM Facial Moisturizing Lotion SPF 30", 30.0),
        ("Sunscreen SPF50+ Sport", 50.0),
        ("Tanning Oil spf4", 4.0),
        ("Lip balm SPF 15 and SPF 30 duo", 30.0),
        ("Sun Protection Factor 45 lotion", 45.0),
    ],
)
def test_spf_value(title: str, spf: float) -> None:
    v = values(title)
    assert v["spf"] == spf
    assert v["spf_ge_15"] == float(spf >= 15)


def test_spf_absent_is_nan_not_zero() -> None:
    v = values("Daily Face Moisturizer")
    assert math.isnan(v["spf"])
    assert v["spf_ge_15"] == 0.0


def test_broad_spectrum() -> None:
    assert values("Mineral Sunscreen Broad Spectrum SPF 30")["broad_spectrum"] == 1.0
    assert values("Mineral Sunscreen SPF 30")["broad_spectrum"] == 0.0


@pytest.mark.parametrize(
    ("title", "pct"),
    [
        ("Purell Advanced Hand Sanitizer 70% Alcohol", 70.0),
        ("Germ-X 62% Ethyl Alcohol", 62.0),
        ("Sanitizer alcohol 80%", 80.0),
        ("Hand gel 40 percent alcohol", 40.0),
        ("PocketBac sanitizing gel 0% alcohol", 0.0),
        ("Foaming sanitizer alcohol-free", 0.0),
    ],
)
def test_alcohol_percent(title: str, pct: float) -> None:
    v = values(title)
    assert v["alcohol_pct"] == pct
    assert v["alcohol_ge_60"] == float(pct >= 60)


def test_alcohol_absent_is_nan() -> None:
    assert math.isnan(values("Hand sanitizer gel 8 oz")["alcohol_pct"])
    assert values("Foaming sanitizer alcohol-free")["alcohol_free"] == 1.0


def test_drug_facts_vs_supplement_facts() -> None:
    drug = values("Allergy relief tablets", "Drug Facts: Active ingredient cetirizine HCl 10 mg")
    supp = values("Vitamin D3 softgels", "Supplement Facts: serving size 1 softgel")
    assert (drug["drug_facts"], drug["supplement_facts"]) == (1.0, 0.0)
    assert (supp["drug_facts"], supp["supplement_facts"]) == (0.0, 1.0)
    assert values("Nature Made Vitamin C Dietary Supplement")["supplement_facts"] == 1.0


@pytest.mark.parametrize(
    ("title", "rx", "otc"),
    [
        ("Lisinopril 10 mg Tablets Rx Only", 1.0, 0.0),
        ("Amoxicillin 500 mg Prescription Required", 1.0, 0.0),
        ("Daily contacts - requires a prescription", 1.0, 0.0),
        ("Ibuprofen 200 mg Non-Prescription", 0.0, 1.0),
        ("Reading glasses, no prescription needed", 0.0, 1.0),
        ("Hearing aid OTC self-fitting", 0.0, 1.0),
        ("Ibuprofen 200 mg tablets", 0.0, 0.0),
    ],
)
def test_prescription_markers(title: str, rx: float, otc: float) -> None:
    v = values(title)
    assert (v["rx_only"], v["otc_claim"]) == (rx, otc)


def test_dosage_form_and_strength() -> None:
    v = values("Ibuprofen 200mg Tablets")
    assert v["dosage_form"] == 1.0
    assert v["strength_mg"] == 200.0
    assert values("Vitamin B12 1000 mcg lozenges")["strength_mg"] == pytest.approx(1.0)
    assert values("Yoga mat 6 mm")["dosage_form"] == 0.0
    assert math.isnan(values("Yoga mat 6 mm")["strength_mg"])


def test_claim_counts() -> None:
    assert values("Fast pain relief medicated cream")["medical_claim"] >= 2
    assert values("Radiant glow tinted fragrance lotion")["cosmetic_claim"] >= 3
    assert values("Chocolate protein bar snack 12 servings")["food_claim"] >= 3
    assert values("Plain cotton socks")["medical_claim"] == 0.0


def test_pediatric_homeopathic_negated_mmhg() -> None:
    assert values("Children's Allergy Relief Grape")["pediatric"] == 1.0
    assert values("Oscillococcinum 200C Homeopathic")["homeopathic"] == 1.0
    assert values("Natural pain balm, ibuprofen-free")["negated_active"] == 1.0
    assert values("Ibuprofen tablets")["negated_active"] == 0.0
    assert values("Jobst 20-30 mmHg knee high")["compression_mmhg"] == 30.0


def test_reason_names_the_rules() -> None:
    reason = extract_signals("Hand Sanitizer 40% Alcohol SPF 8 Rx Only").reason
    assert "40% alcohol (below the 60% hand-sanitizer threshold)" in reason
    assert "SPF 8 (below" in reason
    assert "prescription-only" in reason
    assert extract_signals("Cotton socks").reason == ""


def test_feature_hook_contract() -> None:
    # features.py calls signal_features(normalized_text) and reads SIGNAL_NAMES in order.
    raw = "Purell Hand Sanitizer 70% Alcohol"
    features = signal_features(normalize_title(raw))
    assert tuple(features) == SIGNAL_NAMES
    assert features == extract_signals(raw).values or all(
        (a == b) or (math.isnan(a) and math.isnan(b))
        for a, b in zip(features.values(), extract_signals(raw).values.values(), strict=True)
    )
    assert len(set(SIGNAL_NAMES)) == len(SIGNAL_NAMES)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_total_on_any_text(text: str) -> None:
    features = signal_features(text)
    assert tuple(features) == SIGNAL_NAMES
    assert all(isinstance(v, float) for v in features.values())
