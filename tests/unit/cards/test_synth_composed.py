"""Part G training layouts: one grammar composes a new card design on every seed."""

from __future__ import annotations

import random

import pytest

from eligo.cards import vocab
from eligo.cards.fields import FIELD_KEYS
from eligo.cards.synth import HELDOUT_LAYOUTS, TRAIN_LAYOUTS, generate_card, layouts_g
from eligo.cards.synth.generator import LAYOUTS
from eligo.cards.synth.render import CARD_H, CARD_W, Canvas, TextItem

from .test_synth import check_draft_geometry, check_truth, drafts

HOUSES = tuple(layouts_g.LAYOUTS)
# Fields printed as one string whose truth is that string (ids lose their spaces).
ONE_STRING = (
    "payer_name",
    "plan_name",
    "plan_type",
    "pbm_name",
    "employer",
    "member_name",
    "member_id",
    "group_number",
    "plan_number",
    "rx_bin",
    "rx_pcn",
    "rx_group",
    "rx_id",
    "payer_id",
    "deductible",
)


def _values(cv: Canvas | None, key: str) -> list[TextItem]:
    return [t for t in (cv.items if cv else []) if t.field == key and t.role == "value"]


def test_composed_houses_are_registered_for_training_only() -> None:
    assert len(HOUSES) == 6
    assert set(HOUSES) <= set(TRAIN_LAYOUTS)
    assert not set(HOUSES) & set(HELDOUT_LAYOUTS)
    assert all(LAYOUTS[name] is fn for name, fn in layouts_g.LAYOUTS.items())


def test_generation_is_deterministic_per_seed() -> None:
    a, b = generate_card("composed_3", 5, "clean"), generate_card("composed_3", 5, "clean")
    assert a.truth == b.truth
    assert a.front.image == b.front.image
    assert [t.card_box for t in a.front.texts] == [t.card_box for t in b.front.texts]
    assert generate_card("composed_3", 6, "clean").truth != a.truth


@pytest.mark.parametrize("layout", HOUSES)
def test_cards_have_valid_truth_and_no_overlapping_text(layout: str) -> None:
    check_truth(generate_card(layout, 1, "photo"))
    for d in drafts(layout, 25):
        check_draft_geometry(d)
        assert set(d.truth) <= set(FIELD_KEYS)
        assert "member_id" in d.truth
        assert "member_name" in d.truth
        # The payer is on the front, or legitimately on the back only.
        assert _values(d.front, "payer_name") or _values(d.back, "payer_name")


def test_every_field_is_printed_as_its_truth() -> None:
    for layout in HOUSES:
        for d in drafts(layout, 10, start=100):
            for key in ONE_STRING:
                items = _values(d.front, key) + _values(d.back, key)
                assert bool(items) == (key in d.truth), (layout, key)
                for item in items:
                    assert item.text.replace(" ", "") == str(d.truth[key]).replace(" ", "")
            if "member_id_prefix" in d.truth:
                assert d.truth["member_id"].startswith(d.truth["member_id_prefix"])


def test_designs_differ_across_seeds() -> None:
    """Payer and plan move, ids change form, headers and backs vary within one house."""
    payer_at, plan_at, id_forms = set(), set(), set()
    for d in drafts("composed_6", 40):
        side, cv = ("front", d.front) if _values(d.front, "payer_name") else ("back", d.back)
        x0, y0, x1, y1 = _values(cv, "payer_name")[0].box
        payer_at.add((side, round((x0 + x1) / 2 / CARD_W * 3), round((y0 + y1) / 2 / CARD_H * 3)))
        plans = _values(d.front, "plan_name")
        if plans:
            labelled = any(t.field == "plan_name" and t.role == "label" for t in d.front.items)
            px, py = plans[0].box[0] / CARD_W, plans[0].box[1] / CARD_H
            plan_at.add((labelled, round(px * 3), round(py * 3)))
        lab = next(t.box for t in d.front.items if t.field == "member_id" and t.role == "label")
        val = _values(d.front, "member_id")[0].box
        id_forms.add("below" if val[1] > lab[3] - 2 else "beside")
    assert len(payer_at) >= 5
    assert {side for side, _, _ in payer_at} == {"front", "back"}
    assert len(plan_at) >= 5
    assert {labelled for labelled, _, _ in plan_at} == {True, False}
    assert id_forms == {"below", "beside"}


def test_houses_weigh_the_grammar_differently() -> None:
    """composed_4 puts the payer in a corner or on the back far more than composed_1."""

    def low_or_back(layout: str) -> int:
        n = 0
        for d in drafts(layout, 30):
            front = _values(d.front, "payer_name")
            n += not front or front[0].box[1] > CARD_H / 2
        return n

    assert low_or_back("composed_4") > low_or_back("composed_1") + 5


def test_composed_names_are_many_and_not_known_payers() -> None:
    rng = random.Random(0)
    payers = {layouts_g.payer_name_g(rng) for _ in range(400)}
    plans = {layouts_g.plan_name_g(rng) for _ in range(400)}
    employers = [layouts_g.employer_name_g(rng) for _ in range(400)]
    assert len(payers) > 300
    assert len(plans) > 200
    assert len(set(employers)) > 300
    known = {vocab.norm_label(p) for p in vocab.PAYER_NAMES}
    assert not {vocab.norm_label(p) for p in payers} & known
    assert all(p.split()[0].upper() not in vocab.PLAN_TYPES for p in plans)
    assert any("MEDICARE ADVANTAGE" in p.upper() for p in plans)  # a plan, never a payer
    assert not any("MEDICARE" in p.upper() for p in payers)
    # Many insurers print a one-word wordmark; the model must see some.
    assert 40 < sum(len(p.split()) == 1 for p in payers) < 150
    company = ("INC", "LLC", "CORP", "CO", "COMPANY", "LLP")
    bare = [e for e in employers if not set(vocab.norm_label(e).split()) & set(company)]
    assert len(bare) > len(employers) / 2  # most employers carry no company word
