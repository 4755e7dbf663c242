"""The card scan pipeline: image bytes in, labelled fields with scores and boxes out.

Per side: decode and measure quality (``intake``), find and flatten the card
(``detection``), OCR the flat card, label the lines (``extraction``), validate and repair
each value, re-reading low-confidence crops with other preprocessing and Tesseract
(``correction``). Then both sides are merged and cross-checked.

Field values and images are PHI: nothing here logs them, only counts and timings.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from eligo.cards import correction, spelling
from eligo.cards.extraction import Candidate, Extractor, covered, find_anchors
from eligo.cards.linemodel import LineModel, employer_shaped, load_line_model
from eligo.cards.ocr import Box, OcrLine, RapidOcrEngine, TesseractEngine

logger = logging.getLogger(__name__)

# The flat card is OCR'd at this width (ID-1 aspect): large enough for 6-pt print,
# small enough for ~0.5 s of detection on two cores.
OCR_WIDTH = 1012
OCR_HEIGHT = 638
# Without a card outline, this many label anchors in the text still make it a card.
MIN_ANCHORS_FOR_CARD = 3
# Detection confidence of a side with no card outline whose text carries that many labels:
# that of a tight scan, which detection also takes whole (detection.py).
TEXT_CONFIRMED_DETECT_SCORE = 0.5
# Below this mean OCR score the card may be upside down: read it turned 180 as well.
UPSIDE_DOWN_MEAN_SCORE = 0.88
# A re-read crop is scaled so its text is about this many pixels high.
REREAD_TEXT_HEIGHT = 48
# Below this mean OCR score the card may be blurred: deblur it and read it again.
BLUR_SUSPECT_MEAN_SCORE = 0.95
# Below this sharpness (intake's blur score, measured on the flat card) small labels fade
# out of detection without lowering any score: deblur and read again. Sharp photos measure
# 300 and more; at 120-175, blur still merged "Rx $20" into a confident "20".
CARD_BLUR_MAX = 175.0
# In the deblurred second read, lines the first read was this sure of are not recognised
# again (a box overlapping theirs this much is the same line).
SURE_LINE_SCORE = 0.97
# A second deblurring (motion, where defocus was the estimate) is kept only if its read is
# this much more confident text than the first.
ALT_BLUR_GAIN = 1.25
SAME_LINE_IOU = 0.6
SAME_ROW_PX = 10.0
# Lines the glare read adds must be at least this long ("$0" is; a label's last letter is not).
MIN_GLARE_LINE_CHARS = 2
# A line whose box another covers this much of is part of that line.
SAME_LINE_COVER = 0.6


@dataclass
class Side:
    """One decoded, flattened card side and how to map its pixels back to the upload."""

    name: str
    card: np.ndarray  # flat card, BGR, OCR_WIDTH x OCR_HEIGHT
    to_original: Callable[[np.ndarray], np.ndarray]  # (N, 2) card points -> original pixels
    detect_score: float
    card_found: bool
    quality: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    not_a_card: bool = False
    texts: list[str] = field(default_factory=list)  # the OCR lines extraction read
    candidates: list[Candidate] = field(default_factory=list)  # what extraction found


# Line-model fields whose value no validator checks (a member name must look like a person's
# name, a plan type must hold a plan-type word): their final score counts the model's
# probability twice, calibrated out of layout (docs/cards.md, "Returned vs low confidence").
LINE_MODEL_FREE_TEXT = frozenset({"payer_name", "plan_name", "employer", "pbm_name"})


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + (time.perf_counter() - started) * 1000


def _box_to_original(box: Box, to_original: Callable[[np.ndarray], np.ndarray]) -> list[float]:
    x0, y0, x1, y1 = box
    pts = to_original(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64))
    return [
        round(float(pts[:, 0].min()), 1),
        round(float(pts[:, 1].min()), 1),
        round(float(pts[:, 0].max()), 1),
        round(float(pts[:, 1].max()), 1),
    ]


def _crop(card: np.ndarray, box: Box, pad: float = 0.25) -> np.ndarray:
    x0, y0, x1, y1 = box
    h = y1 - y0
    h_img, w_img = card.shape[:2]
    xa = max(0, int(x0 - pad * h))
    xb = min(w_img, int(x1 + pad * h))
    ya = max(0, int(y0 - pad * h))
    yb = min(h_img, int(y1 + pad * h))
    return card[ya:yb, xa:xb]


def _enhance(crop: np.ndarray) -> np.ndarray:
    """Grey, contrast-equalised, scaled so text is ~REREAD_TEXT_HEIGHT px: another look."""
    import cv2

    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    scale = max(1.0, min(4.0, REREAD_TEXT_HEIGHT / max(1, grey.shape[0] * 0.7)))
    if scale > 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    grey = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4)).apply(grey)
    return np.asarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))


class CardScanner:
    """Holds the loaded engines; ``scan`` is safe to call from several threads."""

    def __init__(
        self,
        *,
        threshold: float | None = None,
        ocr: RapidOcrEngine | None = None,
        tesseract: TesseractEngine | None = None,
        line_model: LineModel | None = None,
        use_line_model: bool = True,
        reread: bool = True,
        deblur: bool = True,
        glare: bool = True,
    ) -> None:
        if threshold is None:
            from eligo.settings import get_settings

            threshold = get_settings().cards.field_threshold
        self.threshold = threshold
        self.ocr = ocr or RapidOcrEngine()
        self.tesseract = tesseract if tesseract is not None else TesseractEngine()
        if line_model is None and use_line_model:
            line_model = load_line_model()
        self.extractor = Extractor(line_model)
        self.reread_enabled = reread
        self.deblur_enabled = deblur
        self.glare_enabled = glare
        self._load_lock = threading.Lock()
        self._loaded = False

    def load(self) -> None:
        """Load the OCR models and the word list now (start-up), not on the first card."""
        with self._load_lock:
            if not self._loaded:
                self.ocr.load()
                spelling.english_counts()
                self._loaded = True

    # --- per side ------------------------------------------------------------------------

    def _prepare(self, data: bytes, name: str) -> Side:
        from eligo.cards import intake

        timings: dict[str, float] = {}
        with _timed(timings, "decode"):
            decoded = intake.decode_image(data)
        with _timed(timings, "detect"):
            det = _detect(decoded.bgr)
        return _side_from(name, decoded, det, timings)

    def _reread(self, card: np.ndarray) -> Callable[[Any], list[tuple[str, float, str]]]:
        def reread(cand: Candidate) -> list[tuple[str, float, str]]:
            crop = _crop(card, cand.box)
            if crop.size == 0:
                return []
            enhanced = _enhance(crop)
            readings = []
            text, score = self.ocr.read_line(enhanced)
            if text:
                readings.append((text, score, "rapidocr_enhanced"))
            if self.tesseract.available():
                text, score = self.tesseract.read_line(enhanced)
                if text:
                    readings.append((text, score, "tesseract"))
            return readings

        return reread

    def _fields(self, side: Side) -> tuple[dict[str, correction.FieldValue], Side]:
        with _timed(side.timings, "ocr"):
            lines = self.ocr.read(side.card)
            if _mostly_vertical(lines):
                # No card outline was found and the frame holds the card sideways: turn it
                # both ways and keep the reading with the more confident text.
                best = (_reading_quality(lines), side, lines)
                for turn in ("cw", "ccw"):
                    turned = _turn_side(side, turn)
                    turned_lines = self.ocr.read(turned.card)
                    quality = _reading_quality(turned_lines)
                    if quality > best[0]:
                        best = (quality, turned, turned_lines)
                    if quality > 0.9 * len(turned_lines) > 0:
                        break
                _, side, lines = best
            if self.deblur_enabled and _blur_suspect(side.card, lines):
                # Timed on its own as well (inside "ocr"): only blurred sides pay it.
                with _timed(side.timings, "deblur"):
                    side, lines = self._read_deblurred(side, lines)
            if self.glare_enabled:
                side, lines = self._read_under_glare(side, lines)
            if _upside_down_suspect(lines):
                # Upside-down text reads as confident-looking gibberish at low scores.
                turned = _turn_side(side, "180")
                turned_lines = self.ocr.read(turned.card)
                if _reading_quality(turned_lines) > 1.2 * _reading_quality(lines):
                    side, lines = turned, turned_lines
        if not side.card_found:
            # Detection saw no card outline; the text decides: card labels mean a card
            # (a paper card, a tight crop), anything else (a receipt) returns no fields.
            anchors = sum(len(find_anchors(ln.text, i)) for i, ln in enumerate(lines))
            if side.not_a_card and anchors < MIN_ANCHORS_FOR_CARD:
                return {}, side
            side.not_a_card = False
            if anchors >= MIN_ANCHORS_FOR_CARD:
                # The labels show the frame is a card as surely as a tight scan's shape does:
                # its fields are not tempered as a guess (a photographed paper card).
                side.detect_score = max(side.detect_score, TEXT_CONFIRMED_DETECT_SCORE)
        return self.fields_from_lines(side, lines), side

    def _read_deblurred(self, side: Side, lines: list[OcrLine]) -> tuple[Side, list[OcrLine]]:
        """Read the card again after deblurring it; keep the more confident reading. A
        smear the estimate is unsure of is undone as defocus, then as motion: the motion's
        read must be clearly better (ALT_BLUR_GAIN) to be kept, as a wrong kernel's ghosts
        read as more text."""
        from eligo.cards.deblur import deblur, likely_blurs

        best = (_reading_quality(lines), side, lines)
        for n, blur in enumerate(likely_blurs(side.card)):
            sharp = deblur(side.card, blur)
            sharp_lines = self._reread_unsure(sharp, lines)
            quality = _reading_quality(sharp_lines)
            if quality > best[0] * (ALT_BLUR_GAIN if n else 1.0):
                best = (quality, replace(side, card=sharp), sharp_lines)
        return best[1], best[2]

    def _read_under_glare(self, side: Side, lines: list[OcrLine]) -> tuple[Side, list[OcrLine]]:
        """Under a glare spot, darken the faded print and read the unsure lines again."""
        from eligo.cards import glare

        weight = glare.glare_weight(side.card)
        if weight is None:
            return side, lines
        # Timed on its own as well (inside "ocr"): only glared sides pay it.
        with _timed(side.timings, "glare"):
            flat = glare.flatten_glare(side.card, weight)
            flat_lines = _merge_glare_read(lines, self._reread_unsure(flat, lines))
        if _reading_quality(flat_lines) <= _reading_quality(lines):
            return side, lines
        return replace(side, card=flat), flat_lines

    def _reread_unsure(self, sharp: np.ndarray, lines: list[OcrLine]) -> list[OcrLine]:
        """Detect lines on the deblurred (or glare-flattened) card; recognise only those the
        first read was unsure of or missed (recognition is most of the cost), keep the sure
        ones."""
        sure = [ln for ln in lines if ln.score >= SURE_LINE_SCORE]
        slots: list[OcrLine | None] = []
        todo: list[np.ndarray] = []
        for quad in self.ocr.detect(sharp):
            box = (
                float(quad[:, 0].min()),
                float(quad[:, 1].min()),
                float(quad[:, 0].max()),
                float(quad[:, 1].max()),
            )
            match = max(sure, key=lambda ln: _iou(ln.box, box), default=None)
            if match is not None and _iou(match.box, box) >= SAME_LINE_IOU:
                sure.remove(match)
                slots.append(match)
            else:
                slots.append(None)
                todo.append(quad)
        readings = iter(self.ocr.recognize(sharp, todo))
        merged = [ln if ln is not None else next(readings) for ln in slots]
        # Sure lines the second detection did not find stay: they were read well once.
        return _reading_order([ln for ln in merged if ln is not None] + sure)

    def fields_from_lines(self, side: Side, lines: list[OcrLine]) -> dict[str, Any]:
        """Label, validate and repair one side's OCR lines (split out for evaluation)."""
        with _timed(side.timings, "extract"):
            ext = self.extractor.extract(lines, OCR_WIDTH, OCR_HEIGHT, side=side.name)
        with _timed(side.timings, "correct"):
            reread = self._reread(side.card) if self.reread_enabled else None
            texts = [ln.text for ln in ext.lines]
            side.texts = texts
            side.candidates = ext.candidates
            fields = correction.finalize_side(ext.candidates, side.name, reread, texts)
        logger.debug("side %s: %d lines, %d fields", side.name, len(lines), len(fields))
        return fields

    # --- whole card ----------------------------------------------------------------------

    def scan(
        self, front: bytes, back: bytes | None = None, *, threshold: float | None = None
    ) -> dict[str, Any]:
        """Scan one card (front, optional back) into the output document."""
        started = time.perf_counter()
        threshold = self.threshold if threshold is None else threshold
        sides = [self._prepare(front, "front")]
        if back is not None:
            sides.append(self._prepare(back, "back"))
        return self.scan_sides(sides, threshold=threshold, started=started)

    def scan_sides(
        self, sides: list[Side], *, threshold: float | None = None, started: float | None = None
    ) -> dict[str, Any]:
        started = time.perf_counter() if started is None else started
        threshold = self.threshold if threshold is None else threshold
        self.load()
        per_side: dict[str, dict[str, correction.FieldValue]] = {}
        read_sides: list[Side] = []
        for side in sides:
            per_side[side.name], used_side = self._fields(side)
            read_sides.append(used_side)
        sides = read_sides
        merged = correction.merge_sides(per_side.get("front", {}), per_side.get("back", {}))
        by_name = {s.name: s for s in sides}
        correction.confirm_repeated_payer(merged, [t for s in sides for t in s.texts])
        correction.sponsor_beside_administrator(merged, by_name["front"].candidates)
        doc_fields: dict[str, Any] = {}
        low: dict[str, Any] = {}
        for key, fv in sorted(merged.items()):
            side = by_name[fv.side]
            entry = _field_entry(fv, side)
            (doc_fields if entry["score"] >= threshold else low)[key] = entry
        timings: dict[str, float] = {}
        for side in sides:
            for stage, ms in side.timings.items():
                timings[stage] = timings.get(stage, 0.0) + ms
                timings[f"{side.name}_{stage}"] = ms
        timings = {k: round(v, 1) for k, v in timings.items()}
        timings["total"] = round((time.perf_counter() - started) * 1000, 1)
        front = by_name["front"]
        return {
            "card_detected": front.card_found,
            "not_a_card": front.not_a_card,
            "quality": {s.name: s.quality for s in sides},
            "fields": doc_fields,
            "low_confidence": low,
            "threshold": threshold,
            "timings_ms": timings,
        }


def _merge_glare_read(first: list[OcrLine], second: list[OcrLine]) -> list[OcrLine]:
    """Tidy the read under flattened glare (``second``, built on ``first``'s sure lines).

    - A line of one character new under the glare is what is left of a wiped label (the
      "N" of "PCN"): as a line it would pass for a value. Dropped.
    - A sure line of the first read whose box a new line, as sure, mostly covers ("LYF"
      inside "LYFW") is the same print read in part: the new line replaces it, or the card
      reads twice. An unsure new line does not ("Merber ID:" over a sure "ID").
    - A new reading equal to the first but for spaces keeps the first's spaces: darkened
      print runs words together ("RUTH GROGERS"), and OCR drops spaces far more often than
      it invents them.
    """
    kept = {id(ln) for ln in first}
    new = [
        ln for ln in second if id(ln) not in kept and len(ln.text.strip()) >= MIN_GLARE_LINE_CHARS
    ]
    out: list[OcrLine] = []
    for ln in second:
        if id(ln) in kept:
            if not any(
                n.score >= SURE_LINE_SCORE and covered(ln.box, n.box) >= SAME_LINE_COVER
                for n in new
            ):
                out.append(ln)
            continue
        if len(ln.text.strip()) < MIN_GLARE_LINE_CHARS:
            continue
        before = max(first, key=lambda b: _iou(b.box, ln.box), default=None)
        if (
            before is not None
            and _iou(before.box, ln.box) >= SAME_LINE_IOU
            and before.text.replace(" ", "") == ln.text.replace(" ", "")
            and before.text.count(" ") > ln.text.count(" ")
        ):
            ln = replace(ln, text=before.text)
        out.append(ln)
    return _reading_order(out)


def _mostly_vertical(lines: list[OcrLine]) -> bool:
    """Most text lines taller than wide: the card is turned a quarter in the frame."""
    long_lines = [ln for ln in lines if len(ln.text) >= 4]
    if len(long_lines) < 3:
        return False
    vertical = sum(ln.height > 1.5 * (ln.box[2] - ln.box[0]) for ln in long_lines)
    return vertical > len(long_lines) / 2


def _mean_score_below(lines: list[OcrLine], threshold: float) -> bool:
    """The mean score of the longer lines is low (blurred, upside down...)."""
    long_lines = [ln for ln in lines if len(ln.text) >= 4]
    if len(long_lines) < 3:
        return False
    return float(np.mean([ln.score for ln in long_lines])) < threshold


def _iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Top to bottom, left to right within a row (rapidocr's own order)."""
    ordered = sorted(lines, key=lambda ln: (ln.box[1], ln.box[0]))
    for i in range(len(ordered) - 1):
        for j in range(i, -1, -1):
            a, b = ordered[j], ordered[j + 1]
            if abs(b.box[1] - a.box[1]) < SAME_ROW_PX and b.box[0] < a.box[0]:
                ordered[j], ordered[j + 1] = b, a
            else:
                break
    return ordered


def _blur_suspect(card: np.ndarray, lines: list[OcrLine]) -> bool:
    """Unsure text or a soft card: worth a deblurred second read."""
    from eligo.cards.intake import measure_quality

    if _mean_score_below(lines, BLUR_SUSPECT_MEAN_SCORE):
        return True
    return measure_quality(card)["blur"] < CARD_BLUR_MAX


def _upside_down_suspect(lines: list[OcrLine]) -> bool:
    return _mean_score_below(lines, UPSIDE_DOWN_MEAN_SCORE)


def _reading_quality(lines: list[OcrLine]) -> float:
    """Confident horizontal characters: a rough score to compare orientations."""
    return sum(
        ln.score * len(ln.text) / 10
        for ln in lines
        if (ln.box[2] - ln.box[0]) > ln.height and ln.score > 0.6
    )


def _turn_side(side: Side, turn: str) -> Side:
    """The side with its card image turned (``cw``, ``ccw`` or ``180``) and re-fitted."""
    import cv2

    h, w = side.card.shape[:2]
    code = {
        "cw": cv2.ROTATE_90_CLOCKWISE,
        "ccw": cv2.ROTATE_90_COUNTERCLOCKWISE,
        "180": cv2.ROTATE_180,
    }[turn]
    turned = cv2.rotate(side.card, code)
    sx, sy = OCR_WIDTH / turned.shape[1], OCR_HEIGHT / turned.shape[0]
    card = cv2.resize(turned, (OCR_WIDTH, OCR_HEIGHT), interpolation=cv2.INTER_AREA)
    base = side.to_original

    def to_original(pts: np.ndarray) -> np.ndarray:
        p = np.asarray(pts, dtype=np.float64) / np.array([sx, sy])
        if turn == "cw":  # turned (x', y') came from (y', h - x')
            back = np.stack([p[:, 1], h - p[:, 0]], axis=1)
        elif turn == "ccw":  # from (w - y', x')
            back = np.stack([w - p[:, 1], p[:, 0]], axis=1)
        else:  # 180: from (w - x', h - y')
            back = np.stack([w - p[:, 0], h - p[:, 1]], axis=1)
        return base(back)

    return Side(
        name=side.name,
        card=card,
        to_original=to_original,
        detect_score=side.detect_score,
        card_found=side.card_found,
        quality=side.quality,
        timings=side.timings,
        not_a_card=side.not_a_card,
    )


def _field_entry(fv: correction.FieldValue, side: Side) -> dict[str, Any]:
    detect = round(side.detect_score, 3)
    # Detection confidence tempers the field score without vetoing it: a whole-image
    # fallback still reads clean scans well.
    score = fv.score * (0.75 + 0.25 * side.detect_score)
    if (
        fv.key in LINE_MODEL_FREE_TEXT
        and _from_line_model(fv)
        and not (fv.key == "employer" and employer_shaped(str(fv.value)))
        and not (fv.key == "plan_name" and correction.names_programme_plan(str(fv.value)))
    ):
        # The line model's probability is overconfident on a layout it was not trained on:
        # it counts twice (p^2). Leave-one-layout-out over the train layouts, docs/cards.md.
        # An employer named as a company or public body is checked by that form, like a
        # member's name by a person's, and a plan named as a Medicaid programme so.
        score *= fv.extract
    return {
        "value": fv.value,
        "score": round(score, 3),
        "scores": [detect, round(fv.ocr, 3), round(fv.extract, 3), round(fv.correct, 3)],
        "box": _box_to_original(fv.box, side.to_original),
        "side": fv.side,
        "provenance": fv.provenance,
    }


def _from_line_model(fv: correction.FieldValue) -> bool:
    """The field's value was labelled by the learned line classifier."""
    return any(
        p.get("step") == "extract" and p.get("method") in correction.LINE_MODEL_METHODS
        for p in fv.provenance
    )


@dataclass
class Detected:
    """What the pipeline needs from card detection."""

    card: np.ndarray  # the flattened card (BGR)
    to_image: Callable[[np.ndarray], np.ndarray]  # (N, 2) card points -> decoded-image points
    confidence: float
    found: bool
    not_a_card: bool = False


def _detect(bgr: np.ndarray) -> Detected:
    """Find and flatten the card; the whole image (low confidence) when no card is found."""
    try:
        # Imported by name: detection is optional in minimal builds.
        detection: Any = importlib.import_module("eligo.cards.detection")
    except ImportError:  # detection not installed in this build: read the whole frame
        return _whole_image(bgr)
    det: Any = detection.detect_card(bgr)
    return Detected(
        card=det.card,
        to_image=det.to_original,
        confidence=float(det.confidence),
        found=bool(det.found),
        not_a_card=bool(getattr(det, "not_a_card", False)),
    )


def _whole_image(bgr: np.ndarray) -> Detected:
    return Detected(card=bgr, to_image=lambda pts: pts, confidence=0.3, found=False)


def _side_from(name: str, decoded: Any, det: Detected, timings: dict[str, float]) -> Side:
    """Scale the flat card to the OCR size and chain the maps back to the upload's pixels."""
    import cv2

    card = det.card
    h, w = card.shape[:2]
    sx, sy = OCR_WIDTH / w, OCR_HEIGHT / h
    if (w, h) != (OCR_WIDTH, OCR_HEIGHT):
        interp = cv2.INTER_AREA if sx < 1 else cv2.INTER_CUBIC
        card = cv2.resize(card, (OCR_WIDTH, OCR_HEIGHT), interpolation=interp)

    def to_original(pts: np.ndarray) -> np.ndarray:
        on_card = np.asarray(pts, dtype=np.float64) / np.array([sx, sy])
        return np.asarray(decoded.to_original(det.to_image(on_card)))

    return Side(
        name=name,
        card=card,
        to_original=to_original,
        detect_score=det.confidence,
        card_found=det.found,
        quality=dict(decoded.quality),
        timings=timings,
        not_a_card=det.not_a_card,
    )


_default_scanner: CardScanner | None = None
_default_lock = threading.Lock()


def get_scanner() -> CardScanner:
    """The process-wide scanner (engines loaded once)."""
    global _default_scanner
    with _default_lock:
        if _default_scanner is None:
            _default_scanner = CardScanner()
        return _default_scanner


def scan_images(
    front: bytes, back: bytes | None = None, *, threshold: float | None = None
) -> dict[str, Any]:
    """Scan a card from image bytes with the shared scanner; see ``CardScanner.scan``."""
    return get_scanner().scan(front, back, threshold=threshold)
