"""Card detection on synthetic photos: corners, orientation, fallbacks and not_a_card."""

from __future__ import annotations

import time

import numpy as np
import pytest

from eligo.cards.detection import CARD_H, CARD_W, Detection, detect_card
from eligo.cards.intake import decode_image
from eligo.cards.synth import SynthCard, generate_card
from eligo.cards.synth.negatives import generate_negative


def detect(card: SynthCard) -> tuple[Detection, np.ndarray, np.ndarray]:
    dec = decode_image(card.front.image)
    det = detect_card(dec.bgr)
    truth = np.array(card.front.quad) * dec.scale
    return det, truth, dec.bgr


def corner_error(quad: np.ndarray, truth: np.ndarray) -> float:
    """Largest corner distance as a share of the card diagonal, in the best corner order."""
    diag = float(np.linalg.norm(truth[2] - truth[0]))
    return min(float(np.abs(np.roll(quad, -k, axis=0) - truth).max()) / diag for k in range(4))


def test_finds_the_card_in_a_phone_photo(photo_card: SynthCard) -> None:
    det, truth, _ = detect(photo_card)
    assert det.found
    assert not det.not_a_card
    assert det.method in ("edges", "color")
    assert corner_error(det.quad, truth) < 0.03
    # Upright card: the detected TL is the card's own TL.
    assert float(np.abs(det.quad - truth).max()) / np.linalg.norm(truth[2] - truth[0]) < 0.03
    assert det.card.shape == (CARD_H, CARD_W, 3)


@pytest.mark.parametrize(("layout", "seed"), [("sponsor_tpa", 5000), ("mco_family", 5000)])
def test_a_blurred_card_with_faded_print_is_found(layout: str, seed: int) -> None:
    # Blur fades the print below the text check's usual contrast; the outline is clear.
    det, truth, _ = detect(generate_card(layout, seed, "photo_blur"))
    assert det.found
    assert det.method in ("edges", "color")
    assert corner_error(det.quad, truth) < 0.03


def test_quarter_turned_card_is_found_and_flattened_landscape(rotated_card: SynthCard) -> None:
    det, truth, _ = detect(rotated_card)
    assert det.found
    assert corner_error(det.quad, truth) < 0.03
    assert det.orientation in (90, 270)
    assert det.card.shape[1] > det.card.shape[0]


def test_upside_down_card_is_turned_back() -> None:
    det, truth, _ = detect(generate_card("unitedcare", 5, "photo_rot180"))
    assert corner_error(det.quad, truth) < 0.03
    assert det.orientation == 180
    assert float(np.abs(det.quad - truth).max()) / np.linalg.norm(truth[2] - truth[0]) < 0.03


def test_homography_maps_card_corners_back_to_the_quad(photo_card: SynthCard) -> None:
    det, _, bgr = detect(photo_card)
    corners = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], float)
    assert det.to_original(corners) == pytest.approx(det.quad, abs=0.5)
    flipped = det.rotated(bgr, 2)
    assert flipped.orientation == (det.orientation + 180) % 360
    assert flipped.to_original(corners)[0] == pytest.approx(det.quad[2], abs=0.5)


def test_tight_scan_uses_the_whole_image() -> None:
    card = generate_card("dental", 4, "clean")
    det, _, bgr = detect(card)
    assert det.found
    assert not det.not_a_card
    h, w = bgr.shape[:2]
    assert det.quad.min() >= -1
    assert det.quad[:, 0].max() <= w + 1
    assert det.quad[:, 1].max() <= h + 1


def test_receipt_and_empty_table_are_not_cards() -> None:
    # Best effort by design (a real card must never be rejected): ~70-80% of synthetic
    # receipts and empty tables are flagged; these seeds are among them.
    for kind, seed in (("receipt", 2), ("empty_table", 0)):
        neg = generate_negative(kind, seed, "photo")
        det = detect_card(decode_image(neg.front.image).bgr)
        assert det.not_a_card, kind
        assert not det.found
        assert det.reason


def test_driver_licence_is_card_shaped() -> None:
    neg = generate_negative("driver_license", 1, "photo")
    det = detect_card(decode_image(neg.front.image).bgr)
    assert not det.not_a_card  # extraction, not detection, rejects it


def test_detection_is_fast(photo_card: SynthCard) -> None:
    dec = decode_image(photo_card.front.image)
    detect_card(dec.bgr)
    started = time.perf_counter()
    for _ in range(3):
        detect_card(dec.bgr)
    assert (time.perf_counter() - started) / 3 < 0.25  # ~30 ms on an idle core


def test_a_slanted_card_without_outline_is_turned_level() -> None:
    """A white card on a white table gives no outline: the whole frame is taken, turned so
    the text rows run level (read slanted, rows mix)."""
    import cv2

    from eligo.cards.detection import _text_skew

    card = generate_card("unitedcare", seed=4, degradation="clean")
    flat = cv2.imdecode(np.frombuffer(card.front.image, np.uint8), cv2.IMREAD_COLOR)
    h, w = flat.shape[:2]
    frame = np.full((int(w * 0.9), int(w * 1.2), 3), 255, np.uint8)  # 4:3, no card shape
    y0, x0 = (frame.shape[0] - h) // 2, (frame.shape[1] - w) // 2
    frame[y0 : y0 + h, x0 : x0 + w] = flat
    centre = (frame.shape[1] / 2, frame.shape[0] / 2)
    turn = cv2.getRotationMatrix2D(centre, -10.0, 1.0)  # 10 degrees clockwise
    slanted = cv2.warpAffine(frame, turn, frame.shape[1::-1], borderValue=(255, 255, 255))

    def skew_of(image: np.ndarray) -> float | None:
        return _text_skew(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))

    assert skew_of(slanted) == pytest.approx(10.0, abs=1.5)
    assert skew_of(flat) is None  # level text is left alone
    det = detect_card(slanted)
    assert det.method == "whole_image"
    assert skew_of(det.card) is None
