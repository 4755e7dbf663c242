"""Images that are *not* insurance cards: receipts, empty tables, a driver-licence-like card.

Detection should say ``not_a_card`` for the first two; a driver licence is card-shaped,
so it is for extraction to notice that no insurance field is there.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from eligo.cards.synth import values as vals
from eligo.cards.synth.degrade import PHOTO_DEGRADATIONS, Shot, degrade, empty_scene
from eligo.cards.synth.generator import SynthCard, SynthSide, _side
from eligo.cards.synth.render import (
    CARD_W,
    Canvas,
    font,
    jitter,
    paper_texture,
    style_families,
)

NEGATIVE_KINDS: tuple[str, ...] = ("receipt", "empty_table", "driver_license")

ITEMS = (
    "MILK 2% GAL",
    "BREAD WHEAT",
    "EGGS LARGE 12",
    "BANANAS",
    "COFFEE 12OZ",
    "PAPER TOWEL",
    "SHAMPOO",
    "TOOTHPASTE",
    "CHICKEN BRST",
    "APPLES GALA",
    "RICE 5LB",
    "PASTA",
    "CEREAL",
    "ORANGE JUICE",
    "YOGURT",
    "BATTERIES AA",
    "SOAP BAR",
    "CHEESE CHDR",
    "BUTTER",
    "TOMATOES",
)


def _receipt_canvas(rng: random.Random) -> Canvas:
    w = rng.randint(380, 460)
    h = int(w * rng.uniform(2.4, 3.6))
    cv = Canvas(bg=jitter(rng, (248, 246, 240), 5))
    cv.img = Image.new("RGB", (w, h), cv.bg)
    cv.draw = ImageDraw.Draw(cv.img)
    fam = rng.choice(style_families("mono"))
    big, small = font(fam, 26, True), font(fam, 17)
    ink = (30, 30, 30)
    y = 24.0
    store = rng.choice(("CORNER MARKET", "FRESHWAY GROCERY", "VALUE PHARMACY", "QUICK STOP"))
    b = cv.text((w / 2, y), store, big, ink, anchor="ma")
    y = b[3] + 10
    for line in (
        f"{rng.randint(10, 9999)} MAIN ST",
        f"TEL {vals.format_phone(vals.phone(rng, toll_free=False), 'dash')}",
    ):
        b = cv.text((w / 2, y), line, small, ink, anchor="ma")
        y = b[3] + 6
    y += 14
    total = 0.0
    for _ in range(rng.randint(6, 14)):
        if y > h - 140:
            break
        price = rng.uniform(0.99, 24.99)
        total += price
        cv.text((18, y), rng.choice(ITEMS), small, ink)
        b = cv.text((w - 18, y), f"{price:.2f}", small, ink, anchor="ra")
        y = b[3] + 8
    y += 10
    cv.text((18, y), "TOTAL", big, ink)
    cv.text((w - 18, y), f"{total * 1.07:.2f}", big, ink, anchor="ra")
    return cv


def _licence_canvas(rng: random.Random) -> Canvas:
    state = rng.choice(vals.STATES)
    cv = Canvas(bg=jitter(rng, (225, 235, 245), 8))
    d = cv.draw
    blue = jitter(rng, (30, 60, 130))
    d.rectangle((0, 0, CARD_W, 90), fill=blue)
    fam = rng.choice(style_families("sans"))
    cv.text((30, 45), state.upper(), font(fam, 40, True), (255, 255, 255), anchor="lm")
    cv.text((CARD_W - 30, 45), "DRIVER LICENSE", font(fam, 32, True), (255, 255, 255), anchor="rm")
    d.rectangle((30, 120, 290, 450), fill=jitter(rng, (170, 175, 185)))
    d.ellipse((95, 160, 225, 320), fill=jitter(rng, (200, 160, 130)))
    d.ellipse((60, 300, 260, 470), fill=jitter(rng, (60, 70, 90)))
    first, _mid, last = vals.person(rng)
    lab, val = font(fam, 20), font(fam, 28, True)
    rows = (
        ("DL", vals.letters(rng, 1) + vals.digits(rng, 8)),
        ("EXP", vals.format_date(vals.first_of_month(rng, 2026, 2032), "mdy")),
        ("LN", last.upper()),
        ("FN", first.upper()),
        ("DOB", vals.format_date(vals.first_of_month(rng, 1950, 2005), "mdy")),
        ("ADDRESS", f"{rng.randint(10, 9999)} OAK AVE"),
        ("CLASS", "C"),
    )
    y = 120.0
    for k, v in rows:
        b = cv.text((330, y), k, lab, (90, 20, 20))
        cv.text((b[2] + 14, y - 4), v, val, (10, 10, 10))
        y += 52
    return cv


def generate_negative(kind: str, seed: int, degradation: str = "photo") -> SynthCard:
    """A non-card photo with an empty truth; ``kind`` is one of ``NEGATIVE_KINDS``."""
    if kind not in NEGATIVE_KINDS:
        raise ValueError(f"unknown negative kind {kind!r}; choose from {', '.join(NEGATIVE_KINDS)}")
    rng = random.Random(f"neg:{kind}:{seed}:{degradation}")
    if kind == "empty_table":
        shot: Shot = empty_scene(rng)
        cv = Canvas()
    else:
        if degradation not in PHOTO_DEGRADATIONS and degradation != "clean":
            raise ValueError(f"unknown degradation {degradation!r}")
        cv = _receipt_canvas(rng) if kind == "receipt" else _licence_canvas(rng)
        img = paper_texture(cv.img, rng, 2.0)
        shot = degrade(np.asarray(img), degradation, rng)
    side: SynthSide = _side(cv, shot)
    if kind == "empty_table":
        side.texts = []
        side.quad = []
    return SynthCard(f"neg_{kind}", seed, degradation, side, None, {}, {}, kind=kind)
