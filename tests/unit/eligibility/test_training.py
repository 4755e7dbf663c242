from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from eligo.eligibility.classifier import STATUS_ORDER, EligibilityModel, ProductText, softmax
from eligo.eligibility.embedding import HashingEmbedder
from eligo.eligibility.evaluation import (
    choose_review_threshold,
    evaluate,
    evaluation_markdown,
    fit_temperature,
)
from eligo.eligibility.training import TrainingConfig, fit_model, train_eligibility


def _one_hot_probs(predicted: list[str], confidence: float = 0.9) -> np.ndarray:
    rest = (1 - confidence) / (len(STATUS_ORDER) - 1)
    probs = np.full((len(predicted), len(STATUS_ORDER)), rest)
    for row, status in enumerate(predicted):
        probs[row, STATUS_ORDER.index(status)] = confidence
    return probs


def test_evaluate_counts_confusion_recall_and_costly_swaps() -> None:
    labels = ["eligible", "eligible", "lmn", "rx", "not_eligible", "not_eligible"]
    predicted = ["eligible", "not_eligible", "lmn", "rx", "eligible", "not_eligible"]
    probs = _one_hot_probs(predicted)
    probs[1] = [0.3, 0.1, 0.1, 0.5]  # the first swap is a low-confidence one
    ev = evaluate(
        "t", labels, probs, STATUS_ORDER, review_threshold=0.8, titles=[f"t{i}" for i in range(6)]
    )
    assert ev.accuracy == pytest.approx(4 / 6)
    assert ev.confusion == [[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]]
    assert ev.per_status["eligible"].recall == pytest.approx(0.5)
    assert ev.per_status["not_eligible"].precision == pytest.approx(0.5)
    assert ev.eligible_not_eligible_rate == pytest.approx(2 / 6)
    assert ev.coverage == pytest.approx(5 / 6)
    assert ev.covered_accuracy == pytest.approx(4 / 5)
    assert ev.min_recall == pytest.approx(0.5)
    assert [(m.title, m.expected, m.predicted) for m in ev.misclassified] == [
        ("t1", "eligible", "not_eligible"),
        ("t4", "not_eligible", "eligible"),
    ]
    metrics = ev.metrics()
    assert metrics["t_accuracy"] == pytest.approx(4 / 6)
    assert metrics["t_recall_lmn"] == 1.0
    text = evaluation_markdown(ev)
    assert "| eligible | 1 | 0 | 0 | 1 |" in text
    assert "t4" in text
    json.dumps(ev.to_dict())


def test_fit_temperature_recovers_the_temperature_that_generated_labels() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=4.0, size=(20_000, 4))
    true_t = 2.5
    probs = softmax(logits, true_t)
    labels = np.array([rng.choice(4, p=p) for p in probs])
    assert fit_temperature(logits, labels) == pytest.approx(true_t, rel=0.08)


def test_review_threshold_is_the_lowest_meeting_the_target_accuracy() -> None:
    confidence = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([True, True, True, False, True, False])
    assert choose_review_threshold(confidence, correct, target_accuracy=1.0) == 0.9
    assert choose_review_threshold(confidence, correct, target_accuracy=0.8) == 0.7
    # Nothing reaches the target: everything goes to review (the ceiling).
    never = np.zeros(len(confidence), dtype=bool)
    assert choose_review_threshold(confidence, never, target_accuracy=0.9, ceiling=0.97) == 0.97


def test_fit_is_deterministic_given_the_seed(
    tiny_split: Any, tiny_config: TrainingConfig, trained_model: EligibilityModel
) -> None:
    again, _ = fit_model(
        tiny_split.train,
        tiny_split.validation,
        embedder=HashingEmbedder(dim=128),
        config=tiny_config,
    )
    assert again.booster.model_to_string() == trained_model.booster.model_to_string()
    assert again.temperature == trained_model.temperature
    assert again.review_threshold == trained_model.review_threshold


def test_train_eligibility_end_to_end_writes_a_loadable_model_and_report(
    tmp_path: Path, tiny_config: TrainingConfig
) -> None:
    config = replace(tiny_config, scale=0.03, hashing_dim=64, use_keywords=True)
    out = tmp_path / "model"
    # No shared data folder: synthetic rows only, which keeps this test to seconds.
    report = train_eligibility(config, out, progress=False, shared_data=tmp_path / "no-data")

    assert (out / "report.json").is_file()
    assert (out / "report.md").is_file()
    saved = json.loads((out / "report.json").read_text())
    assert saved["model_version"] == report.model_version
    assert saved["metrics"]["test_accuracy"] == pytest.approx(report.test.accuracy)
    assert report.test.n > 50
    # The tiny model must have learned something real on brands it never saw.
    assert report.test.accuracy > 0.7
    assert report.data["train"]["rows"] > report.data["test"]["rows"] > 0
    assert "## Test split" in (out / "report.md").read_text()
    assert report.params["embedder"]["kind"] == "hashing"
    assert {"test_accuracy", "test_recall_rx", "review_threshold"} <= set(report.metrics)
    if report.challenge is not None:
        assert report.challenge.n >= 1
        assert "challenge_accuracy" in report.metrics

    loaded = EligibilityModel.load(out)
    assert loaded.version == report.model_version
    items = [ProductText("Ibuprofen 200 mg tablets 100 count"), ProductText("Potato chips")]
    first = loaded.predict(items)
    assert [p.status for p in first] == [
        p.status for p in EligibilityModel.load(out).predict(items)
    ]
    assert all(p.category is None or isinstance(p.category, str) for p in first)


def test_training_knn_features_never_see_the_rows_own_brand(
    trained_model: EligibilityModel,
) -> None:
    from eligo.eligibility.training import _knn_matrix

    index = trained_model.neighbours
    queries = index.matrix[:3].astype(np.float32)
    plain = _knn_matrix(index, queries, 5)
    # Without masking, each row finds itself: best similarity ~1 for its own status.
    own = [STATUS_ORDER.index(s) for s in index.statuses[:3]]
    assert all(plain[i, own[i]] > 0.99 for i in range(3))
    keys = [t.split()[0].casefold() for t in index.titles]
    masked = _knn_matrix(index, queries, 5, query_keys=keys[:3], index_keys=keys)
    assert all(masked[i, own[i]] < 0.99 for i in range(3))


def test_train_cli_trains_and_summarises(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from eligo.cli.train import app

    out = tmp_path / "model"
    result = CliRunner().invoke(
        app,
        [
            "eligibility",
            "--out",
            str(out),
            "--scale",
            "0.03",
            "--embedding",
            "hashing",
            "--shared-data",
            str(tmp_path / "no-data"),
            "--no-track",
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "test: accuracy" in result.output
    assert EligibilityModel.load(out).version in result.output


def test_swap_into_place_replaces_an_existing_model_dir(tmp_path: Path) -> None:
    from eligo.eligibility.training import _swap_into_place

    out = tmp_path / "model"
    out.mkdir()
    (out / "model.json").write_text("old")
    staging = tmp_path / ".model.new"
    staging.mkdir()
    (staging / "model.json").write_text("new")
    _swap_into_place(staging, out)
    assert (out / "model.json").read_text() == "new"
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
