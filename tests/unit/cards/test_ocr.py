"""OCR engines: pinned shipped models, no network, lines with boxes and scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from eligo.cards.ocr import (
    OcrLine,
    RapidOcrEngine,
    TesseractEngine,
    get_rapid_engine,
    parse_tesseract_tsv,
    rapidocr_model_dir,
)
from eligo.cards.synth import generate_card


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return get_rapid_engine()


@pytest.fixture(scope="module")
def flat_card() -> tuple[np.ndarray, dict[str, Any]]:
    card = generate_card("tpa_pbm", seed=3, degradation="clean")
    return card.front.flat(), card.truth


@pytest.fixture(scope="module")
def card_lines(
    engine: RapidOcrEngine, flat_card: tuple[np.ndarray, dict[str, Any]]
) -> list[OcrLine]:
    return engine.read(flat_card[0])


def test_params_pin_every_model_to_a_shipped_file() -> None:
    params = RapidOcrEngine(use_cls=True, use_derived=False).params()
    paths = [Path(v) for k, v in params.items() if k.endswith(".model_path")]
    assert len(paths) == 3
    for path in paths:
        assert path.is_file()
        assert path.parent == rapidocr_model_dir()
    assert params["EngineConfig.onnxruntime.intra_op_num_threads"] == 2


def test_loaded_engine_uses_the_pinned_speed_settings(engine: RapidOcrEngine) -> None:
    loaded = engine._load_locked()
    assert loaded.text_det.limit_side_len == engine.det_limit_side == 736
    assert loaded.text_rec.rec_batch_num == engine.rec_batch == 2


def test_reads_a_card_with_networking_disabled(
    no_network: list[Any], engine: RapidOcrEngine, flat_card: tuple[np.ndarray, dict[str, Any]]
) -> None:
    image, truth = flat_card
    engine.load()
    lines = engine.read(image)
    assert no_network == []
    text = " ".join(ln.text for ln in lines).replace(" ", "")
    assert truth["rx_bin"] in text
    assert truth["member_id"] in text
    h, w = image.shape[:2]
    for ln in lines:
        x0, y0, x1, y1 = ln.box
        assert 0 <= x0 < x1 <= w + 2
        assert 0 <= y0 < y1 <= h + 2
        assert 0.0 <= ln.score <= 1.0


def test_read_line_on_a_crop(
    engine: RapidOcrEngine,
    flat_card: tuple[np.ndarray, dict[str, Any]],
    card_lines: list[OcrLine],
) -> None:
    image, truth = flat_card
    target = next(ln for ln in card_lines if truth["rx_bin"] in ln.text.replace(" ", ""))
    x0, y0, x1, y1 = (int(v) for v in target.box)
    text, score = engine.read_line(image[y0:y1, x0:x1])
    assert truth["rx_bin"] in text.replace(" ", "")
    assert score > 0.5


def test_tesseract_tsv_parsing() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t200\t40\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t5\t60\t20\t96.5\tRxBIN\n"
        "5\t1\t1\t1\t1\t2\t80\t5\t70\t20\t91\t610014\n"
    )
    words = parse_tesseract_tsv(tsv)
    assert [w[0] for w in words] == ["RxBIN", "610014"]
    assert words[0][1] == pytest.approx(0.965)
    assert words[1][2] == (80.0, 5.0, 150.0, 25.0)


def test_tesseract_missing_binary_degrades_to_nothing(
    flat_card: tuple[np.ndarray, dict[str, Any]],
) -> None:
    image, _ = flat_card
    missing = TesseractEngine(binary="/nonexistent/tesseract")
    assert missing.read_line(image[:60, :300]) == ("", 0.0)
    assert missing.read(image[:60, :300]) == []


@pytest.mark.skipif(TesseractEngine().binary is None, reason="tesseract-ocr not installed")
def test_tesseract_reads_a_clean_crop(
    flat_card: tuple[np.ndarray, dict[str, Any]], card_lines: list[OcrLine]
) -> None:
    image, truth = flat_card
    target = next(ln for ln in card_lines if truth["member_id"] in ln.text.replace(" ", ""))
    x0, y0, x1, y1 = (int(v) for v in target.box)
    text, score = TesseractEngine().read_line(image[y0 - 4 : y1 + 4, x0 - 4 : x1 + 4])
    assert truth["member_id"] in text.replace(" ", "")
    assert score > 0.3


def test_detect_then_recognize_matches_a_full_read(
    engine: RapidOcrEngine,
    flat_card: tuple[np.ndarray, dict[str, Any]],
    card_lines: list[OcrLine],
) -> None:
    image, _ = flat_card
    quads = engine.detect(image)
    assert all(q.shape == (4, 2) for q in quads)
    lines = engine.recognize(image, quads)
    assert len(lines) == len(quads)
    texts = {ln.text for ln in lines if ln is not None}
    # Same boxes, same recogniser: nearly every line of the full read comes back as is.
    same = sum(ln.text in texts for ln in card_lines)
    assert same >= 0.9 * len(card_lines)
    assert engine.recognize(image, []) == []
