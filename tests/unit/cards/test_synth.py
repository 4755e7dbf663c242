"""The synthetic card generator: determinism, truth consistency, geometry."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from eligo.cards.fields import FIELD_KEYS
from eligo.cards.synth import (
    DEGRADATIONS,
    HELDOUT_LAYOUTS,
    LAYOUTS,
    TRAIN_LAYOUTS,
    SynthCard,
    generate_card,
    iter_dataset,
    write_dataset,
)
from eligo.cards.synth import values as vals
from eligo.cards.synth.core import Draft
from eligo.cards.synth.render import CARD_H, CARD_W

DATE_FIELDS = {"effective_date", "medicare_part_a_date", "medicare_part_b_date"}
PHONE_FIELDS = {"phone_customer_service", "phone_pharmacy", "phone_provider"}


def check_truth(card: SynthCard) -> None:
    truth = card.truth
    assert set(truth) <= set(FIELD_KEYS)
    assert "payer_name" in truth
    assert set(card.boxes) == set(truth), "every truth field has a box"
    for key, value in truth.items():
        side = card.front if card.boxes[key]["side"] == "front" else card.back
        assert side is not None
        x0, y0, x1, y1 = card.boxes[key]["box"]
        w, h = side.size
        assert -2 <= x0 < x1 <= w + 2, key
        assert -2 <= y0 < y1 <= h + 2, key
        if key in DATE_FIELDS:
            dt.date.fromisoformat(value)
        elif key in PHONE_FIELDS:
            assert len(value) == 12
            assert value.replace("-", "").isdigit()
        elif key == "rx_bin":
            assert len(value) == 6
            assert value.isdigit()
        elif key == "medicare_mbi":
            assert vals.is_valid_mbi(value)
        elif key == "issuer_id":
            assert value.startswith("80840")
            assert len(value) == 15
        elif key in ("member_id", "group_number", "rx_id", "rx_pcn", "rx_group", "medicaid_id"):
            assert value
            assert " " not in value
        elif key == "copays":
            assert value
            assert all(set(c) == {"benefit", "amount"} for c in value)
        elif key == "dependents":
            assert value
            assert all(isinstance(n, str) and n for n in value)
    if "member_id_prefix" in truth:
        assert truth["member_id"].startswith(truth["member_id_prefix"])


def check_geometry(card: SynthCard) -> None:
    """Every string lies on the card and no two strings overlap (they would be unreadable)."""
    for side in (card.front, card.back):
        if side is None:
            continue
        boxes = [t.card_box for t in side.texts]
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= CARD_W
            assert 0 <= y0 < y1 <= CARD_H
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                assert dx <= 2 or dy <= 2, (a, b)


def drafts(layout: str, n: int, start: int = 0) -> list[Draft]:
    """Drawn (not rendered) cards, seeded as ``generate_card`` seeds them: boxes are on the
    flat card, and drawing is quick enough for many seeds."""
    fn = LAYOUTS[layout]
    return [fn(random.Random(f"card:{layout}:{s}")) for s in range(start, start + n)]


def check_draft_geometry(d: Draft) -> None:
    """``check_geometry`` on a drawn card's sides."""
    sides = [
        SimpleNamespace(texts=[SimpleNamespace(card_box=t.box) for t in cv.items])
        for cv in (d.front, d.back)
        if cv is not None
    ]
    back = sides[1] if len(sides) > 1 else None
    check_geometry(SimpleNamespace(front=sides[0], back=back))  # type: ignore[arg-type]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_draws_consistent_truth(layout: str) -> None:
    for seed in range(2):
        card = generate_card(layout, seed, "clean")
        check_truth(card)
        check_geometry(card)


def test_layout_split_is_disjoint_and_complete() -> None:
    assert not set(TRAIN_LAYOUTS) & set(HELDOUT_LAYOUTS)
    assert set(TRAIN_LAYOUTS) | set(HELDOUT_LAYOUTS) == set(LAYOUTS)
    assert len(TRAIN_LAYOUTS) >= 4


def test_part_d_layouts_train_only_and_move_the_payer() -> None:
    from eligo.cards.synth import layouts_d

    assert set(layouts_d.LAYOUTS) <= set(TRAIN_LAYOUTS)
    for layout in layouts_d.LAYOUTS:
        places = set()
        for seed in range(6):
            x0, y0, x1, y1 = generate_card(layout, seed, "clean").boxes["payer_name"]["box"]
            places.add((round((x0 + x1) / 2, -2), round((y0 + y1) / 2, -2)))
        # crest_regional always centres its payer on top; the others move it.
        assert len(places) >= 2 or layout == "crest_regional", layout


def test_part_e_layouts_are_train_only() -> None:
    from eligo.cards.synth import layouts_e

    assert set(layouts_e.LAYOUTS) <= set(TRAIN_LAYOUTS)


def test_generation_is_deterministic() -> None:
    a = generate_card("unitedcare", 42, "photo_hard")
    b = generate_card("unitedcare", 42, "photo_hard")
    assert a.front.image == b.front.image
    assert a.truth == b.truth
    assert a.boxes == b.boxes
    c = generate_card("unitedcare", 43, "photo_hard")
    assert c.truth != a.truth


def test_content_is_shared_across_degradations() -> None:
    clean = generate_card("dental", 5, "clean")
    photo = generate_card("dental", 5, "photo_blur")
    assert clean.truth == photo.truth
    assert clean.front.image != photo.front.image


def test_photo_quad_matches_encoded_image(photo_card: SynthCard) -> None:
    img = Image.open(io.BytesIO(photo_card.front.image))
    assert img.format == "JPEG"
    assert img.size == photo_card.front.size
    quad = np.array(photo_card.front.quad)
    w, h = img.size
    assert (quad[:, 0] >= 0).all()
    assert (quad[:, 0] <= w).all()
    assert (quad[:, 1] >= 0).all()
    assert (quad[:, 1] <= h).all()
    # The card occupies a real share of the frame and its corners keep their order.
    xs, ys = quad[:, 0], quad[:, 1]
    area = 0.5 * abs(np.dot(xs, np.roll(ys, 1)) - np.dot(ys, np.roll(xs, 1)))
    assert 0.1 < area / (w * h) < 0.95


def test_rotated_photo_records_rotation(rotated_card: SynthCard) -> None:
    assert rotated_card.front.rotation in (90, 270)
    quad = np.array(rotated_card.front.quad)
    top = np.linalg.norm(quad[1] - quad[0])
    left = np.linalg.norm(quad[3] - quad[0])
    assert top > left  # the card's own top edge is still its long edge
    tl_to_tr = quad[1] - quad[0]
    assert abs(tl_to_tr[1]) > abs(tl_to_tr[0])  # ...but it runs vertically in the image


def test_clean_scan_box_holds_the_value_pixels(clean_card: SynthCard) -> None:
    img = np.asarray(Image.open(io.BytesIO(clean_card.front.image)).convert("L"))
    x0, y0, x1, y1 = (round(v) for v in clean_card.boxes["member_id"]["box"])
    inside = img[y0:y1, x0:x1]
    assert inside.min() < 100  # dark ink inside the id box
    texts = [t for t in clean_card.front.texts if t.field == "member_id" and t.role == "value"]
    assert texts[0].text.replace(" ", "") == clean_card.truth["member_id"]


def test_iter_dataset_covers_layouts_and_degradations() -> None:
    cards = list(iter_dataset(["medicare", "dental"], 4, seed=1, degradations=["clean", "photo"]))
    assert [(c.layout, c.degradation) for c in cards] == [
        ("medicare", "clean"),
        ("dental", "clean"),
        ("medicare", "photo"),
        ("dental", "photo"),
    ]


def test_write_dataset_round_trips(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    path = write_dataset(out, ["medicare"], 2, seed=3, degradations=["clean"], texts=True)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert (out / row["front"]).exists()
        assert row["truth"]["medicare_mbi"]
        assert row["texts"]["front"]


def test_unknown_layout_and_degradation_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown layout"):
        generate_card("nope", 1)
    with pytest.raises(ValueError, match="unknown degradation"):
        generate_card("medicare", 1, "sepia")


def test_mbi_rules() -> None:
    rng = random.Random(0)
    for _ in range(200):
        m = vals.mbi(rng)
        assert vals.is_valid_mbi(m)
        assert not set(m) & set("SLOIBZ")
    assert not vals.is_valid_mbi("0EG4TE5MK73")  # position 1 cannot be 0
    assert vals.is_valid_mbi("1EG4TE5MK73")


def test_degradations_list_is_stable() -> None:
    assert DEGRADATIONS[0] == "clean"
    assert "photo_rot180" in DEGRADATIONS
