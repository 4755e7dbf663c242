"""Public generator API: one card (front/back, truth, boxes) per (layout, seed, degradation)."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from eligo.cards.synth import (
    layouts_a,
    layouts_b,
    layouts_c,
    layouts_d,
    layouts_e,
    layouts_f,
    layouts_g,
)
from eligo.cards.synth.core import Draft
from eligo.cards.synth.degrade import DEGRADATIONS, Shot, degrade, project
from eligo.cards.synth.render import CARD_H, CARD_W, Canvas, paper_texture, union

logger = logging.getLogger(__name__)

LayoutFn = Callable[[random.Random], Draft]

LAYOUTS: dict[str, LayoutFn] = {
    "unitedcare": layouts_a.unitedcare,
    "bluestate": layouts_a.bluestate,
    "medicare": layouts_a.medicare,
    "tpa_pbm": layouts_a.tpa_pbm,
    "dental": layouts_a.dental,
    **layouts_b.LAYOUTS,
    **layouts_c.LAYOUTS,
    **layouts_d.LAYOUTS,  # training only, like part C
    **layouts_e.LAYOUTS,  # training only
    **layouts_f.LAYOUTS,  # training only
    **layouts_g.LAYOUTS,  # training only
}

# Whole layouts are held out so accuracy on them measures generalization, not memory.
HELDOUT_LAYOUTS: tuple[str, ...] = tuple(n for n in layouts_b.HELDOUT if n in LAYOUTS)
TRAIN_LAYOUTS: tuple[str, ...] = tuple(n for n in LAYOUTS if n not in HELDOUT_LAYOUTS)
# Layouts that draw a new card design on every seed (part G's houses), not one design.
COMPOSED_LAYOUTS: tuple[str, ...] = tuple(layouts_g.LAYOUTS)


# Fields printed inside another field's text (the Blue-plan prefix is part of the id).
DERIVED: dict[str, str] = {"member_id_prefix": "member_id"}


@dataclass
class TextLine:
    """A string drawn on the card, with its field key (if any) and role, for training."""

    text: str
    box: list[float]  # axis-aligned box on the image
    card_box: list[float]  # box on the flat card (CARD_W x CARD_H)
    field: str | None
    role: str


@dataclass
class SynthSide:
    image: bytes  # encoded file bytes, as a camera or scanner would deliver them
    fmt: str  # "png" | "jpeg"
    size: tuple[int, int]  # (width, height)
    quad: list[list[float]]  # card corners TL, TR, BR, BL (card's own orientation) in the image
    rotation: int  # clockwise degrees the card content is turned in the image
    homography: list[list[float]]  # flat card -> image
    texts: list[TextLine] = field(default_factory=list)

    @property
    def ext(self) -> str:
        return "png" if self.fmt == "png" else "jpg"

    def flat(self, *, grey: bool = False) -> np.ndarray:
        """The card as the image shows it, warped back flat (CARD_W x CARD_H) with the true
        homography: the card without detection's own estimate of where it is."""
        flags = cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_COLOR
        image = cv2.imdecode(np.frombuffer(self.image, np.uint8), flags)
        if image is None:
            raise ValueError("the side's image bytes do not decode")
        to_flat = np.linalg.inv(np.asarray(self.homography))
        return np.asarray(cv2.warpPerspective(image, to_flat, (CARD_W, CARD_H)))


@dataclass
class SynthCard:
    layout: str
    seed: int
    degradation: str
    front: SynthSide
    back: SynthSide | None
    truth: dict[str, Any]
    # field key -> {"side": "front"|"back", "box": [x0, y0, x1, y1]} on that side's image
    boxes: dict[str, dict[str, Any]]
    kind: str = "card"  # "card" or a negative kind ("receipt", "empty_table", "driver_license")

    def record(
        self, front_file: str | None = None, back_file: str | None = None, *, texts: bool = False
    ) -> dict[str, Any]:
        """The JSON-able truth record written to ``truth.jsonl``."""
        rec: dict[str, Any] = {
            "layout": self.layout,
            "seed": self.seed,
            "degradation": self.degradation,
            "kind": self.kind,
            "front": front_file,
            "back": back_file,
            "truth": self.truth,
            "boxes": self.boxes,
            "front_quad": self.front.quad,
            "front_rotation": self.front.rotation,
            "back_quad": self.back.quad if self.back else None,
            "back_rotation": self.back.rotation if self.back else None,
        }
        if texts:
            rec["texts"] = {
                side: [vars(t) for t in s.texts]
                for side, s in (("front", self.front), ("back", self.back))
                if s is not None
            }
        return rec


def _side(canvas: Canvas, shot: Shot) -> SynthSide:
    h = shot.homography
    texts = []
    for item in canvas.items:
        x0, y0, x1, y1 = item.box
        pts = project(h, np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
        box = [round(float(v), 1) for v in (*pts.min(axis=0), *pts.max(axis=0))]
        texts.append(
            TextLine(item.text, box, [round(v, 1) for v in item.box], item.field, item.role)
        )
    from eligo.cards.synth.degrade import card_corners

    cw, ch = canvas.img.size
    corners = project(h, card_corners(cw, ch))
    quad = [[round(float(x), 2), round(float(y), 2)] for x, y in corners]
    height, width = shot.rgb.shape[:2]
    return SynthSide(
        image=shot.encode(),
        fmt=shot.fmt,
        size=(width, height),
        quad=quad,
        rotation=shot.rotation,
        homography=[[float(v) for v in row] for row in h],
        texts=texts,
    )


def field_boxes(front: SynthSide, back: SynthSide | None) -> dict[str, dict[str, Any]]:
    """Union of value boxes per field; the front wins when a field is printed on both sides."""
    out: dict[str, dict[str, Any]] = {}
    for name, side in (("front", front), ("back", back)):
        if side is None:
            continue
        per: dict[str, list[tuple[float, float, float, float]]] = {}
        for t in side.texts:
            if t.field and t.role == "value":
                b = t.box
                per.setdefault(t.field, []).append((b[0], b[1], b[2], b[3]))
        for key, boxes in per.items():
            if key not in out:
                out[key] = {"side": name, "box": [round(v, 1) for v in union(boxes)]}
    return out


def _render(canvas: Canvas, rng: random.Random, degradation: str) -> SynthSide:
    img = paper_texture(canvas.img, rng, strength=rng.uniform(1.5, 4.0))
    shot = degrade(np.asarray(img), degradation, rng)
    return _side(canvas, shot)


def generate_card(layout: str, seed: int, degradation: str = "clean") -> SynthCard:
    """Draw one card of ``layout`` and degrade both sides. Deterministic in its arguments.

    The card's content depends only on ``(layout, seed)``, so one seed rendered under two
    degradations shows the same person and numbers.
    """
    try:
        fn = LAYOUTS[layout]
    except KeyError:
        raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}") from None
    if degradation not in DEGRADATIONS:
        raise ValueError(
            f"unknown degradation {degradation!r}; choose from {', '.join(DEGRADATIONS)}"
        )
    draft = fn(random.Random(f"card:{layout}:{seed}"))
    front = _render(
        draft.front, random.Random(f"deg:{layout}:{seed}:{degradation}:front"), degradation
    )
    back = None
    if draft.back is not None:
        back = _render(
            draft.back, random.Random(f"deg:{layout}:{seed}:{degradation}:back"), degradation
        )
    drawn = {t.field for s in (front, back) if s for t in s.texts if t.role == "value"}
    missing = set(draft.truth) - drawn - set(DERIVED)
    if missing:  # a layout bug, not bad luck: every truth field must be drawn
        raise AssertionError(f"layout {layout} set truth without drawing {sorted(missing)}")
    boxes = field_boxes(front, back)
    for key, source in DERIVED.items():
        if key in draft.truth and source in boxes:
            boxes[key] = dict(boxes[source])
    return SynthCard(layout, seed, degradation, front, back, draft.truth, boxes)


def iter_dataset(
    layouts: Sequence[str],
    n: int,
    seed: int = 0,
    degradations: Sequence[str] = DEGRADATIONS,
) -> Iterator[SynthCard]:
    """``n`` cards cycling through layouts, then degradations, so every pair is covered evenly."""
    if not layouts or not degradations:
        raise ValueError("need at least one layout and one degradation")
    for i in range(n):
        layout = layouts[i % len(layouts)]
        degradation = degradations[(i // len(layouts)) % len(degradations)]
        yield generate_card(layout, seed * 1_000_003 + i, degradation)


def write_dataset(
    out_dir: Path | str,
    layouts: Sequence[str],
    n: int,
    seed: int = 0,
    degradations: Sequence[str] = DEGRADATIONS,
    *,
    texts: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write images and ``truth.jsonl`` (one record per card) to ``out_dir``; returns its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    truth_path = out / "truth.jsonl"
    with truth_path.open("w", encoding="utf-8") as fh:
        for i, card in enumerate(iter_dataset(layouts, n, seed, degradations)):
            stem = f"{i:06d}_{card.layout}_{card.degradation}"
            front_file = f"{stem}_front.{card.front.ext}"
            (out / front_file).write_bytes(card.front.image)
            back_file = None
            if card.back is not None:
                back_file = f"{stem}_back.{card.back.ext}"
                (out / back_file).write_bytes(card.back.image)
            rec = {"id": stem, **card.record(front_file, back_file, texts=texts)}
            fh.write(json.dumps(rec) + "\n")
            if progress:
                progress(i + 1)
    logger.info("wrote %d cards to %s", n, out)
    return truth_path
