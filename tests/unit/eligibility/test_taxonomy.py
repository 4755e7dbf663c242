"""Taxonomy: the shipped YAML validates, lookups and the keyword matcher behave, bad YAML fails."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from eligo.eligibility.signals import signal_features
from eligo.eligibility.taxonomy import (
    MIN_EXAMPLES,
    STATUSES,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
    parse_taxonomy,
)
from eligo.eligibility.text import normalize_title


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    path = Path(__file__).parents[3] / "src/eligo/eligibility/data/taxonomy.yaml"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def test_shipped_taxonomy_is_large_and_complete(taxonomy: Taxonomy) -> None:
    assert len(taxonomy) >= 300
    counts = taxonomy.counts_by_status()
    assert set(counts) == set(STATUSES)
    assert all(counts[s] >= 25 for s in STATUSES), counts
    for category in taxonomy.categories:
        assert category.status in STATUSES
        assert len(category.examples) >= MIN_EXAMPLES
        assert category.rule
        assert "\n" not in category.rule
        assert category.citation
        assert category.keywords


def test_citation_keys_are_expanded(taxonomy: Taxonomy) -> None:
    assert "CARES Act" in taxonomy.get("ibuprofen").citation
    assert "Pub 502" in taxonomy.get("multivitamin").citation


def test_near_misses_cross_a_status_boundary(taxonomy: Taxonomy) -> None:
    with_near_misses = [c for c in taxonomy.categories if c.near_misses]
    assert len(with_near_misses) >= 0.9 * len(taxonomy)
    crossing = sum(
        any(taxonomy.get(o).status != c.status for o in c.near_misses) for c in with_near_misses
    )
    assert crossing >= 0.9 * len(with_near_misses)


def test_load_is_cached(taxonomy: Taxonomy) -> None:
    assert load_taxonomy() is taxonomy


def test_lookup(taxonomy: Taxonomy) -> None:
    assert taxonomy.get("sunscreen").status == "eligible"
    assert "sunscreen" in taxonomy
    assert "no_such_category" not in taxonomy
    with pytest.raises(KeyError):
        taxonomy.get("no_such_category")
    assert {c.status for c in taxonomy.by_status("rx")} == {"rx"}


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Motrin IB Ibuprofen 200mg 100 Tablets", "ibuprofen"),
        ("Store Brand Cetirizine Hydrochloride 10 mg 365 ct", "antihistamine_allergy"),
        ("Sun Bum Original SPF 50 Sunscreen Lotion 8 fl oz", "sunscreen"),
        ("Nordic Naturals Ultimate Omega 120 Soft Gels Fish Oil", "omega3_fish_oil"),
        ("Luvs Diapers Size 4 186 ct", "baby_diapers"),
        ("Tena Adult Briefs Maximum Absorbency Large", "incontinence_briefs"),
        ("DenTek Comfort Wax for Braces Orthodontic Wax", "orthodontic_wax"),
        ("Atorvastatin Calcium 40 mg 90 Tablets Rx Only", "statin_rx"),
    ],
)
def test_match_finds_category(taxonomy: Taxonomy, title: str, category: str) -> None:
    hits = taxonomy.match(normalize_title(title))
    assert hits, title
    assert hits[0].category == category
    assert hits[0].terms


def test_match_on_unrelated_title_is_empty(taxonomy: Taxonomy) -> None:
    assert taxonomy.match(normalize_title("Zq9 qwerty xyzzy")) == []
    assert taxonomy.match("") == []


def test_negated_ingredient_does_not_match(taxonomy: Taxonomy) -> None:
    hits = taxonomy.match(normalize_title("Ibuprofen-free herbal balm"))
    assert "ibuprofen" not in {h.category for h in hits}


def test_disqualifier_term_moves_hit(taxonomy: Taxonomy) -> None:
    hits = taxonomy.match(normalize_title("Botanica CBD Pain Relief Cream 1000 mg"))
    assert hits[0].category == "cbd_topical"
    assert hits[0].status == "not_eligible"
    assert "topical_pain_relief" not in {h.category for h in hits}


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Glowa Daily Face Moisturizer SPF 30 Broad Spectrum", "facial_moisturizer_spf"),
        ("Glowa Daily Face Moisturizer SPF 8", "face_moisturizer"),
        ("Glowa Face Moisturizer", "face_moisturizer"),
        ("Cleanly Hand Sanitizer 70% Alcohol 8 oz", "hand_sanitizer"),
        ("Cleanly Hand Sanitizer 40% Alcohol 8 oz", "scented_hand_gel"),
        ("Cleanly Hand Sanitizer Alcohol Free Foam", "scented_hand_gel"),
        ("Beachy Sunscreen Lotion SPF 4", "tanning_oil_low_spf"),
    ],
)
def test_conditional_disqualifiers_use_signals(
    taxonomy: Taxonomy, title: str, category: str
) -> None:
    text = normalize_title(title)
    hits = taxonomy.match(text, signals=signal_features(text))
    assert hits[0].category == category


def test_condition_needs_the_signal(taxonomy: Taxonomy) -> None:
    # Without signals the SPF condition cannot hold, so nothing moves.
    hits = taxonomy.match(normalize_title("Glowa Daily Face Moisturizer SPF 30"))
    assert hits[0].category == "face_moisturizer"


def test_status_scores(taxonomy: Taxonomy) -> None:
    hits = taxonomy.match(normalize_title("Ibuprofen 200 mg tablets"))
    scores = taxonomy.status_scores(hits)
    assert set(scores) == set(STATUSES)
    assert scores["eligible"] > 0 == scores["rx"]


def test_match_is_fast(taxonomy: Taxonomy) -> None:
    titles = [normalize_title(c.examples[0]) for c in taxonomy.categories]
    start = time.perf_counter()
    for _ in range(5):
        for title in titles:
            taxonomy.match(title)
    per_title = (time.perf_counter() - start) / (5 * len(titles))
    assert per_title < 0.001, f"{per_title * 1e6:.0f} us per title"


def _broken(document: dict[str, Any], mutate: Any) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    mutate(doc)
    return doc


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["categories"].append(copy.deepcopy(d["categories"][0])), "duplicate"),
        (lambda d: d["categories"][0].update(status="maybe"), "unknown status"),
        (lambda d: d["categories"][0].update(near_misses=["nope_nothing"]), "near_miss"),
        (lambda d: d["categories"][0].update(examples=["one", "two"]), "examples"),
        (lambda d: d["categories"][0].update(id="Bad-Id"), "snake_case"),
        (lambda d: d["categories"][0].update(family="nowhere"), "family"),
        (lambda d: d["categories"][0].pop("rule"), "rule"),
        (lambda d: d["categories"][0].update(keywords=[]), "keyword"),
        (
            lambda d: d["categories"][0].update(
                disqualifiers=[{"terms": ["x"], "move_to": "nowhere"}]
            ),
            "disqualifier",
        ),
        (
            lambda d: d["categories"][0].update(
                disqualifiers=[{"terms": ["x"], "move_to": "sunscreen", "condition": "spf ~ 3"}]
            ),
            "condition",
        ),
        (lambda d: d.update(categories=[]), "categories"),
    ],
)
def test_invalid_documents_raise_clear_errors(
    document: dict[str, Any], mutate: Any, message: str
) -> None:
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(_broken(document, mutate))


def test_unreadable_or_invalid_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("categories: [unclosed", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="YAML"):
        load_taxonomy(bad)


def test_examples_match_their_own_category(taxonomy: Taxonomy) -> None:
    # Keywords must cover the taxonomy's own example titles; a drop here means an edit left
    # a category's vocabulary behind its examples.
    total = top1 = 0
    for category in taxonomy.categories:
        for example in category.examples:
            text = normalize_title(example)
            hits = taxonomy.match(text, signals=signal_features(text))
            total += 1
            top1 += bool(hits) and hits[0].category == category.id
    assert top1 / total >= 0.9, f"{top1}/{total}"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_match_is_total(text: str) -> None:
    taxonomy = load_taxonomy()
    normalized = normalize_title(text)
    hits = taxonomy.match(normalized, signals=signal_features(normalized))
    assert all(h.category in taxonomy and h.status in STATUSES and h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_supplement_facts_vs_drug_facts_disqualifiers(taxonomy: Taxonomy) -> None:
    drug = taxonomy.match(normalize_title("Melatonin PM Drug Facts Diphenhydramine 25 mg"))
    supp = taxonomy.match(normalize_title("Nighttime Sleep Aid Dietary Supplement with Valerian"))
    assert (drug[0].category, drug[0].moved_from) == ("sleep_aid", "melatonin")
    assert (supp[0].category, supp[0].status) == ("herbal_sleep_stress", "lmn")
