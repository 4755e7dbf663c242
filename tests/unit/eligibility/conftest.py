"""Shared fixtures for the eligibility model tests: a tiny labelled corpus and a trained model.

The model is trained once per session with the model-free ``HashingEmbedder`` (a few seconds);
tests that need the distilled static embedding build a toy one instead (test_embedding.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from eligo.eligibility.classifier import EligibilityModel
from eligo.eligibility.embedding import HashingEmbedder
from eligo.eligibility.training import TrainingConfig, fit_model


@dataclass(frozen=True)
class Row:
    title: str
    brand: str | None
    status: str
    category: str
    source: str = "fixture"
    group: str = ""


# (status, category, product phrases): small, but each status has its own vocabulary and
# a few near misses across boundaries (vitamin water vs vitamin D, lotion vs sunscreen).
_CATALOGUE: dict[tuple[str, str], tuple[str, ...]] = {
    ("eligible", "pain_relief"): (
        "Ibuprofen 200 mg Tablets",
        "Acetaminophen Extra Strength Caplets",
        "Naproxen Sodium Pain Reliever",
        "Aspirin Low Dose 81 mg",
    ),
    ("eligible", "first_aid"): (
        "Adhesive Bandages Assorted Sizes",
        "First Aid Kit 100 Pieces",
        "Antibiotic Ointment Triple Action",
        "Sterile Gauze Pads 4x4",
    ),
    ("eligible", "sunscreen"): (
        "Sunscreen Lotion SPF 50",
        "Sport Sunscreen Spray SPF 30",
        "Mineral Sunscreen Stick SPF 45",
    ),
    ("lmn", "vitamins"): (
        "Vitamin D3 2000 IU Softgels",
        "Multivitamin Gummies for Adults",
        "Fish Oil Omega 3 Capsules",
        "Magnesium Glycinate Supplement",
    ),
    ("lmn", "massage"): (
        "Percussion Massage Gun",
        "Shiatsu Neck Massager with Heat",
        "Foot Massager Machine",
    ),
    ("rx", "prescription_drugs"): (
        "Amoxicillin 500 mg Capsules Rx Only",
        "Lisinopril 10 mg Tablets Prescription",
        "Atorvastatin 20 mg Rx",
        "Metformin ER 750 mg Prescription Only",
    ),
    ("rx", "prescription_eyewear"): (
        "Prescription Eyeglasses Single Vision",
        "Daily Contact Lenses Prescription 30 Pack",
    ),
    ("not_eligible", "cosmetics"): (
        "Matte Lipstick Ruby Red",
        "Volumizing Mascara Black",
        "Face Moisturizer Lotion Fragrance Free",
        "Eyeshadow Palette Nude",
    ),
    ("not_eligible", "food"): (
        "Vitamin Water Zero Sugar",
        "Organic Whole Milk Vitamin D",
        "Potato Chips Sea Salt",
        "Chocolate Chip Cookies",
    ),
    ("not_eligible", "hygiene"): (
        "Whitening Toothpaste Mint",
        "Deodorant Stick Fresh Scent",
        "Body Wash Lavender",
    ),
}
_BRANDS = ("Acme", "Bolt", "Cora", "Delta", "Evergreen", "Fable", "Gala", "Harbor")
_SIZES = ("", " 100 ct", " 8 oz", " Value Pack", " 2 Pack", " 24 Count")


def tiny_corpus() -> list[Row]:
    rows: list[Row] = []
    for (status, category), phrases in _CATALOGUE.items():
        for b, brand in enumerate(_BRANDS):
            for p, phrase in enumerate(phrases):
                size = _SIZES[(b + p) % len(_SIZES)]
                title = f"{brand} {phrase}{size}"
                if (b + p) % 3 == 0:
                    title = title.upper()
                rows.append(Row(title, brand, status, category, group=brand))
    return rows


@dataclass(frozen=True)
class Split:
    train: list[Row]
    validation: list[Row]
    test: list[Row]


def split_by_brand(rows: list[Row]) -> Split:
    """Brand-held-out, like the real split: the last two brands are validation and test."""
    return Split(
        train=[r for r in rows if r.brand not in ("Gala", "Harbor")],
        validation=[r for r in rows if r.brand == "Gala"],
        test=[r for r in rows if r.brand == "Harbor"],
    )


TINY_CONFIG = TrainingConfig(
    embedding="hashing",
    hashing_dim=128,
    use_keywords=False,
    use_signals=False,
    num_boost_round=60,
    early_stopping_rounds=15,
    min_data_in_leaf=3,
    learning_rate=0.2,
    threads=1,
    target_accuracy=0.95,
)


@pytest.fixture(scope="session")
def tiny_config() -> TrainingConfig:
    return TINY_CONFIG


@pytest.fixture(scope="session")
def tiny_split() -> Split:
    return split_by_brand(tiny_corpus())


@pytest.fixture(scope="session")
def trained_model(tiny_split: Split) -> EligibilityModel:
    model, _ = fit_model(
        tiny_split.train,
        tiny_split.validation,
        embedder=HashingEmbedder(dim=128),
        config=TINY_CONFIG,
    )
    return model


@pytest.fixture(scope="session")
def saved_model_dir(
    trained_model: EligibilityModel, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    directory = tmp_path_factory.mktemp("eligibility-model")
    trained_model.save(directory)
    return directory
