"""End to end on a few synthetic cards: bytes in, output document out, offline, no PHI logged."""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
import pytest

from eligo.cards.errors import InvalidImage
from eligo.cards.fields import FIELD_KEYS
from eligo.cards.ocr import get_rapid_engine
from eligo.cards.pipeline import CardScanner, Side, _turn_side
from eligo.cards.synth import SynthCard, generate_card


@pytest.fixture(scope="module")
def scanner() -> CardScanner:
    return CardScanner(threshold=0.5, ocr=get_rapid_engine())


@pytest.fixture(scope="module")
def photo_card() -> SynthCard:
    return generate_card("unitedcare", seed=11, degradation="photo")


@pytest.fixture(scope="module")
def photo_doc(scanner: CardScanner, photo_card: SynthCard) -> dict[str, Any]:
    assert photo_card.back is not None
    return scanner.scan(photo_card.front.image, photo_card.back.image)


def _iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def test_document_shape(photo_doc: dict[str, Any]) -> None:
    assert photo_doc["card_detected"] is True
    assert set(photo_doc["quality"]) == {"front", "back"}
    for stage in ("decode", "detect", "ocr", "extract", "correct", "total"):
        assert photo_doc["timings_ms"][stage] >= 0
    for group in ("fields", "low_confidence"):
        for key, entry in photo_doc[group].items():
            assert key in FIELD_KEYS
            assert set(entry) >= {"value", "scores", "box", "side", "provenance", "score"}
            assert len(entry["scores"]) == 4
            assert all(0.0 <= s <= 1.0 for s in entry["scores"])
            assert entry["side"] in ("front", "back")
    for entry in photo_doc["fields"].values():
        assert entry["score"] >= photo_doc["threshold"]
    json.dumps(photo_doc)  # JSON-able as is


def test_key_fields_match_truth_and_boxes_land_on_the_original_photo(
    photo_doc: dict[str, Any], photo_card: SynthCard
) -> None:
    fields = photo_doc["fields"]
    for key in ("member_id", "group_number", "rx_bin", "payer_name", "phone_customer_service"):
        assert fields[key]["value"] == photo_card.truth[key], key
        truth_box = photo_card.boxes[key]
        assert fields[key]["side"] == truth_box["side"]
        assert _iou(fields[key]["box"], truth_box["box"]) > 0.4, key
    wrong = [k for k, e in fields.items() if photo_card.truth.get(k) != e["value"]]
    assert len(wrong) <= 1, wrong


def test_threshold_moves_fields_to_low_confidence(
    scanner: CardScanner, photo_card: SynthCard, photo_doc: dict[str, Any]
) -> None:
    everything = {**photo_doc["fields"], **photo_doc["low_confidence"]}
    sides = [scanner._prepare(photo_card.front.image, "front")]
    doc = scanner.scan_sides(sides, threshold=1.01)
    assert doc["fields"] == {}
    assert set(doc["low_confidence"]) <= set(everything)
    assert doc["low_confidence"]


def test_offline_and_no_phi_in_logs(
    no_network: list[Any], caplog: pytest.LogCaptureFixture, scanner: CardScanner
) -> None:
    card = generate_card("tpa_pbm", seed=12, degradation="clean")
    with caplog.at_level(logging.DEBUG):
        doc = scanner.scan(card.front.image)
    assert no_network == []
    assert doc["fields"]["member_id"]["value"] == card.truth["member_id"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for key in ("member_id", "member_name", "group_number"):
        assert str(card.truth[key]) not in logged


def test_bad_bytes_raise_a_card_error(scanner: CardScanner) -> None:
    with pytest.raises(InvalidImage):
        scanner.scan(b"")
    with pytest.raises(InvalidImage):
        scanner.scan(b"this is not an image at all")


@pytest.mark.parametrize(
    ("turn", "corner", "expected"),
    [
        ("180", (0.0, 0.0), (1012.0, 638.0)),
        ("cw", (0.0, 0.0), (0.0, 638.0)),
        ("ccw", (0.0, 0.0), (1012.0, 0.0)),
        ("cw", (1012.0, 638.0), (1012.0, 0.0)),
    ],
)
def test_turned_sides_map_points_back_to_the_card(
    turn: str, corner: tuple[float, float], expected: tuple[float, float]
) -> None:
    card = np.zeros((638, 1012, 3), dtype=np.uint8)
    side = Side("front", card, lambda pts: pts, 1.0, True, {})
    turned = _turn_side(side, turn)
    assert turned.card.shape == (638, 1012, 3)
    got = turned.to_original(np.array([corner]))[0]
    assert got == pytest.approx(expected, abs=1e-6)


def test_a_shaken_card_is_deblurred_and_read(scanner: CardScanner) -> None:
    """Motion blur a human still reads: the deblurred second read recovers the ids (the
    first read alone returned neither when this test was written)."""
    import cv2

    from eligo.cards.deblur import motion_kernel

    card = generate_card("unitedcare", seed=4, degradation="clean")
    flat = card.front.flat()
    shaken = cv2.filter2D(flat, -1, motion_kernel(15.0, 100.0), borderType=cv2.BORDER_REFLECT)
    ok, buf = cv2.imencode(".png", shaken)
    assert ok

    def read_ids(deblur: bool) -> dict[str, Any]:
        sc = CardScanner(threshold=0.5, ocr=scanner.ocr, deblur=deblur)
        fields = sc.scan(buf.tobytes())["fields"]
        return {k: fields[k]["value"] for k in ("member_id", "rx_bin") if k in fields}

    want = {k: card.truth[k] for k in ("member_id", "rx_bin")}
    assert read_ids(deblur=True) == want


def test_a_softly_shaken_card_is_suspected_of_blur_even_when_its_text_reads_sure() -> None:
    """Slight motion blur leaves OCR confident and wrong ("20" for "Rx $20"): the card's
    own sharpness has to send it to the deblurred read. A sharp card is not sent."""
    import cv2

    from eligo.cards.deblur import motion_kernel
    from eligo.cards.ocr import OcrLine
    from eligo.cards.pipeline import _blur_suspect

    card = generate_card("unitedcare", seed=4, degradation="clean")
    flat = card.front.flat()
    soft = cv2.filter2D(flat, -1, motion_kernel(7.0, 100.0), borderType=cv2.BORDER_REFLECT)
    sure = [OcrLine(f"Line number {i}", (10, 40 * i, 300, 40 * i + 30), 0.99) for i in range(6)]
    assert _blur_suspect(soft, sure)
    assert not _blur_suspect(flat, sure)


def test_reading_order_is_rows_then_columns() -> None:
    from eligo.cards.ocr import OcrLine
    from eligo.cards.pipeline import _reading_order

    lines = [
        OcrLine("c", (10, 50, 60, 70), 1.0),
        OcrLine("b", (500, 12, 560, 30), 1.0),
        OcrLine("a", (10, 15, 60, 33), 1.0),
    ]
    assert [ln.text for ln in _reading_order(lines)] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("key", "value", "method", "want"),
    [
        ("payer_name", "Acme Health", "line_model", 0.9 * 0.8 * 0.8),
        ("payer_name", "Acme Health", "label_inline", 0.9 * 0.8),
        ("member_name", "Jane Roe", "line_model", 0.9 * 0.8),
        # A plan named as a Medicaid programme is checked by that form: p counts once.
        ("plan_name", "Medicaid Managed Care", "line_model", 0.9 * 0.8),
        ("plan_name", "STAR", "line_model", 0.9 * 0.8),
        ("plan_name", "A Medicaid Managed Care Plan", "line_model", 0.9 * 0.8 * 0.8),
        ("plan_name", "Gold 1500", "line_model", 0.9 * 0.8 * 0.8),
    ],
)
def test_a_free_text_line_model_probability_counts_twice_in_the_final_score(
    key: str, value: str, method: str, want: float
) -> None:
    from eligo.cards.correction import FieldValue
    from eligo.cards.pipeline import _field_entry

    prov: list[dict[str, Any]] = [{"step": "extract", "method": method}]
    fv = FieldValue(key, value, (0, 0, 100, 20), "front", 0.9, 0.8, 1.0, prov)
    side = Side("front", np.zeros((4, 4, 3), np.uint8), lambda p: p, 1.0, True, {})
    assert _field_entry(fv, side)["score"] == pytest.approx(want, abs=1e-3)


def test_a_side_without_outline_whose_text_holds_card_labels_is_no_weak_guess(
    scanner: CardScanner,
) -> None:
    """A photographed paper card gives detection no outline, so the whole frame is taken at a
    weak 0.15; three or more labels in its text make it as sure a card as a tight scan."""
    card = generate_card("unitedcare", seed=4, degradation="clean")
    flat = card.front.flat()
    blank = np.full_like(flat, 235)

    def detect_scores(image: np.ndarray) -> set[float]:
        side = Side("front", image, lambda p: p, 0.15, False, {})
        doc = scanner.scan_sides([side])
        return {e["scores"][0] for e in [*doc["fields"].values(), *doc["low_confidence"].values()]}

    assert detect_scores(flat) == {0.5}
    assert detect_scores(blank) == set()  # no text: no fields, nothing promoted
