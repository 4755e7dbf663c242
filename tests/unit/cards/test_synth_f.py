"""Part F training layouts: composed payer and plan names, wordmarks that move, tables."""

from __future__ import annotations

import random

import pytest

from eligo.cards import vocab
from eligo.cards.fields import FIELD_KEYS
from eligo.cards.synth import TRAIN_LAYOUTS, generate_card, layouts_f
from eligo.cards.synth.generator import LAYOUTS
from eligo.cards.synth.render import CARD_H, CARD_W, Canvas, TextItem

from .test_synth import check_draft_geometry, check_truth, drafts

PART_F = tuple(layouts_f.LAYOUTS)


def test_part_f_layouts_are_registered_for_training_only() -> None:
    assert len(PART_F) == 4
    assert set(PART_F) <= set(TRAIN_LAYOUTS)
    assert all(LAYOUTS[name] is fn for name, fn in layouts_f.LAYOUTS.items())


@pytest.mark.parametrize("layout", PART_F)
def test_part_f_cards_have_valid_truth_inside_the_card(layout: str) -> None:
    check_truth(generate_card(layout, 7, "photo"))
    for d in drafts(layout, 12):  # drawn only: quick enough for many seeds
        check_draft_geometry(d)
        assert set(d.truth) <= set(FIELD_KEYS)
        assert "payer_name" in d.truth


def test_composed_names_are_many_and_not_known_payers() -> None:
    rng = random.Random(0)
    payers = {layouts_f.payer_name(rng, blue=i % 3 == 0) for i in range(300)}
    plans = {layouts_f.plan_name(rng, blue=i % 2 == 0) for i in range(300)}
    assert len(payers) > 200
    assert len(plans) > 100
    known = {vocab.norm_label(p) for p in vocab.PAYER_NAMES}
    assert not {vocab.norm_label(p) for p in payers} & known
    # A plan name is a name, never a bare or leading type ("PPO"), which reads as plan_type.
    assert all(p.split()[0] not in vocab.PLAN_TYPES for p in plans)


def _values(cv: Canvas | None, key: str) -> list[TextItem]:
    return [t for t in (cv.items if cv else []) if t.field == key and t.role == "value"]


def test_payer_moves_between_sides_and_places() -> None:
    places = set()
    for d in drafts("regional_wordmark", 16):
        side = "front" if _values(d.front, "payer_name") else "back"
        (item,) = _values(d.front if side == "front" else d.back, "payer_name")
        x0, y0, x1, y1 = item.box
        places.add((side, round((x0 + x1) / 2 / CARD_W, 1), round((y0 + y1) / 2 / CARD_H, 1)))
        assert item.text == d.truth["payer_name"]
    assert len(places) >= 4
    assert {side for side, _, _ in places} == {"front", "back"}


def test_copay_table_truth_is_benefits_over_amounts_in_reading_order() -> None:
    seen = 0
    for d in drafts("hmo_group", 16):
        if "copays" not in d.truth:
            continue
        seen += 1
        items = _values(d.front, "copays")
        names, amounts = items[0::2], items[1::2]
        for name, amount, truth in zip(names, amounts, d.truth["copays"], strict=True):
            assert {"benefit": name.text, "amount": amount.text} == truth
            assert amount.box[1] > name.box[3]  # the amount sits under its benefit
            assert abs(sum(amount.box[0::2]) - sum(name.box[0::2])) < 4  # centred on it
        assert [n.box[0] for n in names] == sorted(n.box[0] for n in names)
    assert seen >= 4


def test_table_rows_print_each_label_over_its_value() -> None:
    d = next(d for d in drafts("coop_table", 20) if "effective_date" in d.truth)
    for key in ("member_id", "group_number", "rx_bin", "rx_pcn", "rx_group", "effective_date"):
        lab = next(t.box for t in d.front.items if t.field == key and t.role == "label")
        (val,) = _values(d.front, key)
        assert val.box[1] > lab[3]
        assert abs(val.box[0] - lab[0]) < 1
    assert _values(d.front, "member_id")[0].text == d.truth["member_id"]
