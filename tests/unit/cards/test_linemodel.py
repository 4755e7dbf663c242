"""The line classifier's features and model file (no OCR, no synthetic rendering)."""

from __future__ import annotations

import numpy as np
import pytest

from eligo.cards import linemodel
from eligo.cards.linemodel import LineModel, feature_names, line_features
from eligo.cards.ocr import OcrLine


def line(text: str, x0: float, y0: float, h: float = 24) -> OcrLine:
    return OcrLine(text, (x0, y0, x0 + 13 * len(text), y0 + h), 0.98)


def features(lines: list[OcrLine], keys: list[str | None]) -> dict[str, np.ndarray]:
    rows = line_features(lines, 1012, 638, is_back=False, anchor_keys=keys, label_keys=keys)
    return dict(zip(feature_names(), rows.T, strict=True))


CARD = [
    line("Valley Mutual Health", 300, 20, h=40),  # 0: payer, the title
    line("Member ID", 30, 120),  # 1: bare label
    line("XQ4481902", 30, 150),  # 2
    line("Group", 30, 190),  # 3: bare label
    line("88123", 30, 220),  # 4
    line("DELMONT PLASTICS INC", 30, 258),  # 5: bare employer under the id block
    line("City of Port Ellery", 30, 300),  # 6
    line("Administered by", 600, 400),  # 7
    line("Anchor Plan Services", 600, 430),  # 8: payer below "administered by"
]
KEYS: list[str | None] = [None, "member_id", None, "group_number", None, None, None, None, None]


def test_one_row_per_line_and_one_column_per_name() -> None:
    rows = line_features(CARD, 1012, 638, is_back=True, anchor_keys=KEYS, label_keys=KEYS)
    assert rows.shape == (len(CARD), len(feature_names()))
    assert len(set(feature_names())) == len(feature_names())
    empty = line_features([], 1012, 638, is_back=False, anchor_keys=[])
    assert empty.shape == (0, len(feature_names()))


def test_layout_free_size_and_place() -> None:
    f = features(CARD, KEYS)
    assert f["is_tallest"][0] == 1
    assert f["is_tallest"][5] == 0
    assert f["is_topmost"][0] == 1
    assert f["is_topmost"][2] == 0
    assert f["h_over_max"][0] == 1.0
    assert f["h_over_max"][2] == pytest.approx(0.6)
    assert f["taller_above"][2] == 1
    assert f["taller_above"][0] == 0


def test_word_families_tell_an_employer_from_a_payer() -> None:
    f = features(CARD, KEYS)
    assert f["company_suffix"][5] == 1
    assert f["company_suffix"][0] == 0
    assert f["public_word"][6] == 1
    assert f["public_word"][0] == 0
    assert f["insurer_words"][0] > 0
    assert f["insurer_words"][5] == 0
    assert f["company_words"][5] > 0


def test_neighbours_above() -> None:
    f = features(CARD, KEYS)
    assert f["ids_above"][4] >= 1  # the group label sits right above
    assert f["ids_above"][8] == 0
    assert f["intro_above"][8] == 1
    assert f["intro_above"][5] == 0
    assert f["label_gap"][2] < f["label_gap"][8]


def _random_rows(n: int = 140) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.random((n, len(feature_names()))).astype(np.float32)
    y = (x[:, 0] * len(linemodel.CLASSES)).astype(np.int32) % len(linemodel.CLASSES)
    return x, y


def test_model_round_trips_and_uses_its_own_columns() -> None:
    x, y = _random_rows()
    subset = feature_names()[:20]
    model = linemodel.train(x, y, features=subset)
    again = LineModel.from_json(model.to_json())
    assert again.features == tuple(subset)
    probs = again.predict(x[:5])  # full rows: the model picks its 20 columns
    assert probs.shape == (5, len(linemodel.CLASSES))
    np.testing.assert_allclose(probs, model.predict(x[:5]))
    scrambled = x[:5].copy()
    scrambled[:, 20:] = 0.0  # columns the model does not use change nothing
    np.testing.assert_allclose(again.predict(scrambled), probs)


def test_a_bagged_model_averages_its_boosters_and_round_trips() -> None:
    x, y = _random_rows()
    bagged = linemodel.train(x, y, seed=3, bag=2)
    assert len(bagged.boosters) == 2
    singles = [linemodel.train(x, y, seed=s).predict(x[:5]) for s in (3, 4)]
    np.testing.assert_allclose(bagged.predict(x[:5]), np.mean(singles, axis=0), rtol=1e-6)
    again = LineModel.from_json(bagged.to_json())
    np.testing.assert_allclose(again.predict(x[:5]), bagged.predict(x[:5]))


def test_model_with_unknown_features_is_refused() -> None:
    x, y = _random_rows()
    doc = linemodel.train(x, y).to_json().replace('"ocr_score"', '"retired_feature"')
    with pytest.raises(ValueError, match="retired_feature"):
        LineModel.from_json(doc)


def test_shipped_model_loads_and_predicts() -> None:
    model = linemodel.load_line_model()
    assert model is not None
    rows = line_features(CARD, 1012, 638, is_back=False, anchor_keys=KEYS, label_keys=KEYS)
    probs = model.predict(rows)
    assert probs.shape == (len(CARD), len(model.classes))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_row_seeds_give_composed_houses_their_own_count() -> None:
    from eligo.cards.synth import COMPOSED_LAYOUTS, TRAIN_LAYOUTS

    composed = COMPOSED_LAYOUTS[0]
    drawn = next(n for n in TRAIN_LAYOUTS if n not in COMPOSED_LAYOUTS)
    assert linemodel.row_seeds(composed, 8, 32) == range(100, 132)
    assert linemodel.row_seeds(drawn, 8, 32) == range(100, 108)
    assert linemodel.row_seeds(composed, 8) == range(100, 108)
