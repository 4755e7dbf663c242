from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from eligo.eligibility.classifier import EligibilityModel, ModelLoadError, ProductText
from eligo.eligibility.embedding import EmbeddingMismatchError, HashingEmbedder

UNSEEN = [
    ProductText("Zenith Ibuprofen 200 mg Tablets 50 ct"),
    ProductText("ZENITH SUNSCREEN LOTION SPF 50"),
    ProductText("Zenith Vitamin D3 2000 IU Softgels"),
    ProductText("Zenith Amoxicillin 500 mg Capsules Rx Only"),
    ProductText("Zenith Matte Lipstick Ruby Red"),
    ProductText("Zenith Vitamin Water Zero Sugar"),
]
EXPECTED = ["eligible", "eligible", "lmn", "rx", "not_eligible", "not_eligible"]


def test_model_learns_statuses_of_unseen_brands(
    trained_model: EligibilityModel, tiny_split: Any
) -> None:
    test = tiny_split.test
    predictions = trained_model.predict([ProductText(r.title, r.brand) for r in test])
    correct = sum(p.status == r.status for p, r in zip(predictions, test, strict=True))
    assert correct / len(test) >= 0.9
    assert [p.status for p in trained_model.predict(UNSEEN)] == EXPECTED


def test_calibrated_probabilities_sum_to_one_and_keep_the_decision(
    trained_model: EligibilityModel,
) -> None:
    probabilities = trained_model.predict_proba(UNSEEN)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-9)
    raw = trained_model.raw_scores(UNSEEN)
    # Temperature scaling is monotone: calibration never changes which status wins.
    np.testing.assert_array_equal(probabilities.argmax(axis=1), raw.argmax(axis=1))
    assert trained_model.temperature > 0
    for prediction in trained_model.predict(UNSEEN):
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
        assert prediction.confidence == max(prediction.probabilities.values())
        assert prediction.needs_review == (prediction.confidence < trained_model.review_threshold)


def test_one_item_and_batch_predictions_agree(trained_model: EligibilityModel) -> None:
    batch = trained_model.predict(UNSEEN)
    for item, expected in zip(UNSEEN, batch, strict=True):
        (single,) = trained_model.predict([item])
        assert single.status == expected.status
        assert single.confidence == pytest.approx(expected.confidence, rel=1e-9)
    assert trained_model.predict([]) == []


def test_neighbours_are_training_titles_most_similar_first(
    trained_model: EligibilityModel, tiny_split: Any
) -> None:
    train_titles = {r.title for r in tiny_split.train}
    (prediction,) = trained_model.predict([ProductText("Zenith Ibuprofen 200 mg Tablets")])
    assert len(prediction.neighbours) == trained_model.n_neighbours
    assert all(n.title in train_titles for n in prediction.neighbours)
    sims = [n.similarity for n in prediction.neighbours]
    assert sims == sorted(sims, reverse=True)
    assert "ibuprofen" in prediction.neighbours[0].title.lower()
    assert prediction.category == "pain_relief"
    assert "ibuprofen" in prediction.reason.lower()


def test_save_load_round_trip_gives_same_predictions(
    trained_model: EligibilityModel, saved_model_dir: Path
) -> None:
    loaded = EligibilityModel.load(saved_model_dir)
    assert loaded.version == trained_model.version
    assert len(loaded.version) == 16
    assert loaded.embedding_checksum == trained_model.embedding_checksum
    np.testing.assert_allclose(
        loaded.predict_proba(UNSEEN), trained_model.predict_proba(UNSEEN), rtol=1e-9
    )
    assert loaded.predict(UNSEEN) == trained_model.predict(UNSEEN)


def test_saving_twice_gives_the_same_version(
    trained_model: EligibilityModel, saved_model_dir: Path, tmp_path: Path
) -> None:
    trained_model.save(tmp_path)
    assert (
        json.loads((tmp_path / "model.json").read_text())["version"]
        == (json.loads((saved_model_dir / "model.json").read_text())["version"])
    )


def test_mismatched_embedding_is_refused(saved_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(EmbeddingMismatchError):
        EligibilityModel.load(saved_model_dir, embedder=HashingEmbedder(dim=64))
    # Same for an artifact whose recorded checksum no longer matches its embedder.
    copy = tmp_path / "model"
    shutil.copytree(saved_model_dir, copy)
    meta = json.loads((copy / "model.json").read_text())
    meta["embedder"]["checksum"] = "0" * 64
    (copy / "model.json").write_text(json.dumps(meta))
    with pytest.raises((EmbeddingMismatchError, ModelLoadError)):
        EligibilityModel.load(copy)


def test_tampered_or_missing_artifact_is_refused(saved_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="eligo train eligibility"):
        EligibilityModel.load(tmp_path / "nothing-here")
    copy = tmp_path / "model"
    shutil.copytree(saved_model_dir, copy)
    with (copy / "neighbours.json").open("a") as fh:
        fh.write(" ")
    with pytest.raises(ModelLoadError, match="version"):
        EligibilityModel.load(copy)


def test_knn_features_give_best_similarity_and_vote_share_per_status() -> None:
    from eligo.eligibility.classifier import knn_features

    labels = np.array([[0, 0, 3], [2, 2, 2]])
    sims = np.array([[0.9, 0.5, 0.4], [0.8, 0.7, 0.6]], dtype=np.float32)
    out = knn_features(labels, sims, 4)
    np.testing.assert_allclose(out[0, :4], [0.9, -1.0, -1.0, 0.4])
    np.testing.assert_allclose(out[0, 4:], [1.4 / 1.8, 0.0, 0.0, 0.4 / 1.8], rtol=1e-4)
    np.testing.assert_allclose(out[1, 4:], [0.0, 0.0, 1.0, 0.0], rtol=1e-4)


def test_concurrent_predictions_match_sequential_ones(trained_model: EligibilityModel) -> None:
    from concurrent.futures import ThreadPoolExecutor

    items = [ProductText(f"{p.title} {i}") for i in range(25) for p in UNSEEN]
    expected = [p.status for p in trained_model.predict(items)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda item: trained_model.predict([item])[0].status, items))
    assert results == expected
