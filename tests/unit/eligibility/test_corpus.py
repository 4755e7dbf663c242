"""Labelled corpus: determinism, coverage, weak labels, brand-held-out splits, challenge set."""

from __future__ import annotations

import collections
import csv
import hashlib
import re
import time
from pathlib import Path

import pytest

from eligo.eligibility.corpus import (
    SOURCES,
    LabelledTitle,
    build_corpus,
    corpus_csv,
    load_challenge_set,
    split_corpus,
    split_key,
)
from eligo.eligibility.corpus.synthetic import STORE_BRANDS, invented_brands
from eligo.eligibility.taxonomy import STATUSES, Taxonomy, load_taxonomy
from eligo.eligibility.text import normalize_title


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny stand-in for the shared data folder, with rows chosen to exercise each rule."""
    root = tmp_path_factory.mktemp("shared")
    off = root / "off_us_grocery_upcs"
    off.mkdir()
    (off / "off_2018_upc_names.csv").write_text(
        "upc12,product_name\n"
        "041220000001,Organic Whole Milk Vitamin D\n"
        "041220000002,Honey Lemon Cough Drops Menthol\n"  # medical: filtered
        "041220000003,Sea Salt Potato Chips\n"
        "041220000004,Salade de fruits exotiques\n"  # not English: filtered
        "300450000005,Ibuprofen Tablets 200 mg\n"  # NDC number system 3: filtered
        "000000001234,Mini coco\n"  # padded in-store code: filtered
        "041220000006,Vitamin C Supplement Tablets\n"  # supplement: filtered
        "041220000007,Chocolate Chip Cookies &amp; Cream\n",
        encoding="utf-8",
    )
    dsld = root / "dsld_supplements"
    dsld.mkdir()
    header = (
        "dsld_id,brand,product_name,net_contents,product_type,supplement_form,"
        "claims_or_uses,target_groups,market_status\n"
    )
    (dsld / "dsld_products_2019.csv").write_text(
        header + "1,Acme Labs,Acme Labs Prenatal Multi,60 Tablet(s),Multi,Tablet,,,On Market\n"
        "2,Bulkit,Whey Protein Isolate Chocolate,5 lbs,Amino acid/protein,Powder,,,On Market\n"
        "3,Sunvita,Vitamin D3 2000 IU,120 Softgel(s),Vitamin,Softgel Capsule,,,On Market\n"
        "4,Sugarfast,Glucose Tablets Orange,50 Tablet(s),Other,Tablet,,,On Market\n"
        "5,Leafy,Calming Chamomile Tea,20 Bag(s),Herb,"
        '"Supplement form, Other (e.g. tea bag)",,,On Market\n',
        encoding="utf-8",
    )
    fda = root / "fda_device_product_codes"
    fda.mkdir()
    (fda / "fda_device_product_codes_2019.csv").write_text(
        "product_code,device_name,device_class,review_panel,medical_specialty,"
        "regulation_number,submission_type_id,gmp_exempt,implant,life_sustaining,definition\n"
        'FLL,"Thermometer, Electronic, Clinical",2,GU,GU,880.2910,1,N,N,N,\n'
        'BRX,"Stool, Anesthesia",1,AN,AN,868.6700,4,N,N,N,\n'
        'HHW,"Sunglasses (Non-Prescription Including Photosensitive)",1,OP,OP,886.5850,4,N,N,N,\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def small(shared: Path) -> list[LabelledTitle]:
    return build_corpus(scale=0.05, shared_data=shared)


def test_small_build_is_fast_and_sized(shared: Path) -> None:
    start = time.perf_counter()
    rows = build_corpus(scale=0.05, seed=7, shared_data=shared)
    elapsed = time.perf_counter() - start
    assert 600 <= len(rows) <= 2000
    assert elapsed < 6.0, f"scale=0.05 build took {elapsed:.2f}s"


def test_same_seed_is_byte_identical(shared: Path, small: list[LabelledTitle]) -> None:
    again = build_corpus(scale=0.05, shared_data=shared)
    first = corpus_csv(small).encode()
    assert hashlib.sha256(first).digest() == hashlib.sha256(corpus_csv(again).encode()).digest()
    other = build_corpus(scale=0.05, seed=1, shared_data=shared)
    assert corpus_csv(other) != corpus_csv(small)


def test_rows_are_valid(taxonomy: Taxonomy, small: list[LabelledTitle]) -> None:
    for row in small:
        assert row.title.strip()
        assert row.status in STATUSES
        assert row.source in SOURCES
        assert row.category in taxonomy
        assert taxonomy.get(row.category).status == row.status, row
        assert row.group
    titles = [normalize_title(r.title) for r in small]
    assert len(titles) == len(set(titles)), "normalized titles must be unique"


def test_every_category_and_status_is_covered(
    taxonomy: Taxonomy, small: list[LabelledTitle]
) -> None:
    synthetic = {r.category for r in small if r.source == "synthetic"}
    assert synthetic == {c.id for c in taxonomy.categories}
    counts = collections.Counter(r.status for r in small)
    assert all(counts[s] >= 0.1 * len(small) for s in STATUSES), counts


def test_titles_look_like_listings(small: list[LabelledTitle]) -> None:
    synthetic = [r.title for r in small if r.source == "synthetic"]
    assert sum(t.isupper() for t in synthetic) >= 0.02 * len(synthetic)
    assert sum(bool(re.search(r"\d", t)) for t in synthetic) >= 0.6 * len(synthetic)
    brands = {r.brand for r in small if r.source == "synthetic"}
    assert len(brands) >= 300


def test_near_miss_pairs_share_a_brand(taxonomy: Taxonomy, shared: Path) -> None:
    rows = build_corpus(scale=0.25, shared_data=shared)
    by_brand: dict[str, set[str]] = collections.defaultdict(set)
    for row in rows:
        if row.source == "synthetic":
            by_brand[row.brand].add(row.category)
    pairs = 0
    for category in taxonomy.categories:
        for other in category.near_misses:
            pairs += any({category.id, other} <= cats for cats in by_brand.values())
    assert pairs >= 0.8 * sum(len(c.near_misses) for c in taxonomy.categories)


def test_weak_labels(small: list[LabelledTitle]) -> None:
    off = {r.title: r for r in small if r.source == "off"}
    assert set(off) == {
        "Organic Whole Milk Vitamin D",
        "Sea Salt Potato Chips",
        "Chocolate Chip Cookies & Cream",
    }
    assert all(r.status == "not_eligible" and r.gtin for r in off.values())
    dsld = {r.brand: r for r in small if r.source == "dsld"}
    assert (dsld["Acme Labs"].status, dsld["Acme Labs"].category) == (
        "eligible",
        "prenatal_vitamins",
    )
    assert dsld["Bulkit"].status == "not_eligible"
    assert (dsld["Sunvita"].status, dsld["Sunvita"].category) == ("lmn", "vitamin_d")
    assert dsld["Sugarfast"].category == "glucose_tablets"
    assert dsld["Leafy"].category == "herbal_tea"
    fda = {r.title: r for r in small if r.source == "fda"}
    assert fda["Clinical Electronic Thermometer"].category == "thermometer"
    assert not any("Stool" in t for t in fda)


def test_missing_shared_data_gives_synthetic_only(tmp_path: Path) -> None:
    rows = build_corpus(scale=0.02, shared_data=tmp_path / "absent")
    assert rows
    assert {r.source for r in rows} == {"synthetic"}


def test_bad_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        build_corpus(scale=0)


def test_split_is_brand_held_out(small: list[LabelledTitle]) -> None:
    splits = split_corpus(small)
    parts = {"train": splits.train, "validation": splits.validation, "test": splits.test}
    assert sum(len(p) for p in parts.values()) == len(small)
    keys = {name: {split_key(r) for r in rows} for name, rows in parts.items()}
    assert not keys["test"] & (keys["train"] | keys["validation"])
    assert not keys["validation"] & keys["train"]
    test_brands = {r.brand.casefold() for r in splits.test if r.brand}
    assert not test_brands & {r.brand.casefold() for r in splits.train if r.brand}
    groups = {name: {r.group for r in rows} for name, rows in parts.items()}
    assert not groups["test"] & groups["train"]
    share = len(splits.test) / len(small)
    assert 0.08 < share < 0.35, share
    assert {r.status for r in splits.test} == set(STATUSES)


def test_split_is_deterministic_and_validates(small: list[LabelledTitle]) -> None:
    a, b = split_corpus(small, seed=3), split_corpus(small, seed=3)
    assert a == b
    assert split_corpus(small, seed=4).test != a.test
    with pytest.raises(ValueError, match="shares"):
        split_corpus(small, validation_share=0.6, test_share=0.5)


def _generator_brands(taxonomy: Taxonomy) -> set[str]:
    brands = set(STORE_BRANDS)
    for family in taxonomy.families.values():
        brands.update(family.brands)
        brands.update(invented_brands(2026, family.id))
    for category in taxonomy.categories:
        brands.update(category.brands)
    return brands


# Generator brands that are also ordinary words in product names ("Ultra Sheer", "Hydro Boost").
_GENERIC_WORD_BRANDS = {
    "ultra", "boost", "razor", "prime", "plunge", "polar", "advantage", "cascade", "horizon",
}  # fmt: skip


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip() + " "


def test_challenge_set(taxonomy: Taxonomy) -> None:
    rows = load_challenge_set()
    assert len(rows) >= 400
    counts = collections.Counter(r.status for r in rows)
    assert all(counts[s] >= 0.2 * len(rows) for s in STATUSES), counts
    for row in rows:
        assert row.source == "challenge"
        assert row.category in taxonomy, row.category
        assert taxonomy.get(row.category).status == row.status, row
    titles = [normalize_title(r.title) for r in rows]
    assert len(set(titles)) == len(titles)


def test_challenge_uses_no_generator_brand(taxonomy: Taxonomy) -> None:
    brands = {
        _words(b)
        for b in _generator_brands(taxonomy)
        if _words(b).strip() not in _GENERIC_WORD_BRANDS
    }
    clashes = []
    for row in load_challenge_set():
        title = _words(row.title)
        for brand in brands:
            if (len(brand.strip()) >= 5 and brand in title) or title.startswith(brand):
                clashes.append((brand.strip(), row.title))
    assert not clashes, clashes[:10]


def test_challenge_titles_are_not_in_the_corpus(small: list[LabelledTitle]) -> None:
    corpus = {normalize_title(r.title) for r in small}
    assert not corpus & {normalize_title(r.title) for r in load_challenge_set()}


def test_challenge_loader_rejects_bad_status(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "status", "category", "note"])
        writer.writerow(["Some title", "maybe", "sunscreen", ""])
    with pytest.raises(ValueError, match="unknown status"):
        load_challenge_set(path)


@pytest.mark.slow
def test_full_build_size_and_time(request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("full corpus build: run with -m slow")
    start = time.perf_counter()
    rows = build_corpus()
    elapsed = time.perf_counter() - start
    assert len(rows) >= 20_000
    assert elapsed < 20.0, elapsed


def test_module_entry_point_writes_csv(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eligo.eligibility.corpus.__main__ import main

    out = tmp_path / "corpus.csv"
    assert main(["--scale", "0.05", "--shared-data", str(shared), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "categories" in printed
    assert "challenge" in printed
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    assert set(rows[0]) == {"title", "brand", "status", "category", "source", "group", "gtin"}
