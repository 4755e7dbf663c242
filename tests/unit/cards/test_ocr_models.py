"""Derived OCR models: built offline from the shipped ones, used only while they match."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from eligo.cards.ocr import RapidOcrEngine
from eligo.cards.ocr_models import (
    DET_FILE,
    MANIFEST_NAME,
    REC_FILE,
    derived_model_paths,
    shipped_model_paths,
)
from eligo.cards.synth import generate_card
from eligo.cli.main import app


@pytest.fixture(scope="module")
def derived_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Models derived through the CLI, with a small calibration set (the suite's budget)."""
    directory = tmp_path_factory.mktemp("ocr-models")
    result = CliRunner().invoke(
        app, ["cards", "build-ocr-models", "--out", str(directory), "--calibration-cards", "6"]
    )
    assert result.exit_code == 0, result.output
    assert "recogniser 544 classes" in result.output
    return directory


@pytest.fixture(scope="module")
def flat_sides() -> list[np.ndarray]:
    # Held-out layouts: the calibration saw TRAIN layouts only.
    card = generate_card("keystone_blue", seed=11, degradation="photo")
    assert card.back is not None
    return [card.front.flat(), card.back.flat()]


def _engines(directory: Path) -> tuple[RapidOcrEngine, RapidOcrEngine]:
    shipped = RapidOcrEngine(use_derived=False)
    derived = RapidOcrEngine(derived_dir=directory)
    shipped.load()
    derived.load()
    assert (shipped.models, derived.models) == ("shipped", "derived")
    return shipped, derived


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ax0, ay0, ax1, ay1 = a[:, 0].min(), a[:, 1].min(), a[:, 0].max(), a[:, 1].max()
    bx0, by0, bx1, by1 = b[:, 0].min(), b[:, 1].min(), b[:, 0].max(), b[:, 1].max()
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return float(inter / union) if union > 0 else 0.0


def test_the_build_names_its_sources_and_is_used(derived_dir: Path) -> None:
    manifest = json.loads((derived_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["calibration"] == {"layouts": "train", "cards": 6, "seed": 27000}
    assert derived_model_paths(derived_dir) == (derived_dir / DET_FILE, derived_dir / REC_FILE)
    params = RapidOcrEngine(derived_dir=derived_dir).params()
    assert params["Det.model_path"] == str(derived_dir / DET_FILE)
    assert params["Rec.model_path"] == str(derived_dir / REC_FILE)
    # Built models are far smaller: int8 weights, a class layer of 544 instead of 18,710.
    shipped_det, shipped_rec = shipped_model_paths()
    assert (derived_dir / DET_FILE).stat().st_size < shipped_det.stat().st_size / 2
    assert (derived_dir / REC_FILE).stat().st_size < shipped_rec.stat().st_size * 0.7


def test_derived_models_find_and_read_the_same_lines(
    derived_dir: Path, flat_sides: list[np.ndarray]
) -> None:
    shipped, derived = _engines(derived_dir)
    for flat in flat_sides:
        want = shipped.detect(flat)
        got = derived.detect(flat)
        assert len(want) >= 10
        matched = sum(max((_iou(w, g) for g in got), default=0.0) >= 0.6 for w in want)
        assert matched >= 0.9 * len(want)
        # The Latin recogniser on the shipped boxes: the same text, scores within a hair.
        for a, b in zip(shipped.recognize(flat, want), derived.recognize(flat, want), strict=True):
            assert (a is None) == (b is None)
            if a is not None and b is not None:
                assert a.text == b.text
                assert b.score == pytest.approx(a.score, abs=0.02)


def test_models_from_another_rapidocr_or_a_broken_build_are_not_used(
    derived_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in (DET_FILE, REC_FILE, MANIFEST_NAME):
        (copy / name).write_bytes((derived_dir / name).read_bytes())
    assert derived_model_paths(copy) is not None

    manifest = json.loads((copy / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["sources"]["det"] = "0" * 64  # built from another wheel's detector
    (copy / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    assert derived_model_paths(copy) is None
    engine = RapidOcrEngine(derived_dir=copy)
    params = engine.params()
    assert engine.models == "shipped"
    assert Path(params["Det.model_path"]) == shipped_model_paths()[0]

    (copy / MANIFEST_NAME).write_bytes((derived_dir / MANIFEST_NAME).read_bytes())
    with (copy / REC_FILE).open("ab") as fh:  # a half-written model
        fh.write(b"\0")
    assert derived_model_paths(copy) is None
    assert derived_model_paths(tmp_path / "nothing-here") is None
