"""Card layouts, part G: the kit ``layouts_g`` composes cards from (no layout of its own).

- the word lists (payer, plan and employer patterns, labels, titles, fine print, palettes),
  the name generators (``payer_name_g``, ``plan_name_g``, ``employer_name_g``...) and the
  grammar's default weights (``GRAMMAR``) with ``Choices``, one card's weighted draws;
- ``Sheet``, which places every text only where it stays inside its area and clear of every
  text, badge and logo already drawn (measured first on a ``_Probe`` canvas), and ``Col``,
  a column filled top-down;
- the drawing pieces of the front and the back (id lines and tables, corner marks, phones,
  the claims address, the PBM block, fine print): none draws at random, so a piece
  measured on the probe draws the same on the card.

Which piece goes where on a card, and the houses' weights, are ``layouts_g``'s.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import LABELS, Draft, Style, dependents_block
from eligo.cards.synth.layouts_a import copay_block
from eligo.cards.synth.layouts_f import (  # private helpers of part F, reused by import
    BRANDS_F,
    METALS,
    PHONE_LABELS_F,
    PLACES_F,
    PLAN_FIRST,
    PLAN_SECOND,
    SUFFIXES,
    TRADES,
    Pen,
    _copay_table,
    payer_name,
    pbm_name,
    plan_name,
)
from eligo.cards.synth.render import (
    CARD_H,
    CARD_W,
    Box,
    Canvas,
    Color,
    Role,
    TextItem,
    logo,
    union,
)


def _options(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


WHITE: Color = (255, 255, 255)
GREY: Color = (95, 95, 95)
MARGIN = 30.0

BRANDS_G = BRANDS_F + _options(
    "Aldergrove|Brightwater|Calloway|Dunmore|Emberly|Fairhaven|Glenmoor|Hollis|Juniper|"
    "Kingsbury|Lindell|Marlow|Northgate|Pemberton|Rosedale|Tamsin|Westbrook|Yarrow"
)
PAYER_PATTERNS_G = _options(
    "{place} Health Plan|{brand} Health|{brand} Health Plan|{place} Health|"
    "{brand} Blue Cross|{brand} BlueShield|{place} Blue Cross Blue Shield|"
    "BlueCross BlueShield of {state}|{brand} Community Health Plan|"
    "{brand} Health Plan of {state}|{brand}Care of {state}|Healthy {place}|"
    "{brand} Better Health|{place} Family Health Plan|{brand} HealthCare|{brand} Health Network"
)
WORDMARK_PATTERNS_G = _options("{brand}|{brand}|{brand}Care|{brand}Health")
INDUSTRIES = _options(
    "Logistics|Foods|Software|Energy|Hotels|Builders|Outfitters|Paper|Motors|Dental Labs|"
    "Staffing|Analytics|Ceramics|Grain|Aerospace|Pharmacy Services"
)
EMPLOYER_PATTERNS_G = _options(
    "{last} {trade}|{last} {trade} {suffix}|{place} {industry}|{place} {industry} {suffix}|"
    "{brand} {industry}|{last} & {last2}|{last} & {last2} LLP|{place} Unified School District|"
    "{place} Community College|{place} County|City of {city}|County of {place}|"
    "{trade} Workers Local {n}|{place} Teachers Association|{place} Health System|"
    "{brand} Medical Center|{place} Regional Hospital|{place} Fire District|"
    "{place} Credit Union|State of {state}|{brand} Technologies|{last} Family Farms"
)
PLAN_PATTERNS_G = _options(
    "{brand} Medicare Advantage|Medicare Advantage {first}|{first} {second}|"
    "{metal} {deductible} HSA|{brand} {first}|{first} Plus|{first} {second} {year}|"
    "{metal} {first}|{first} Copay {deductible}"
)
PLAN_TYPES_G = ("PPO", "HMO", "EPO", "POS", "HDHP", "PPO", "HMO")
# Card titles shown where a header has no payer; none opens with a label word.
TITLES = (
    "Health Benefits ID Card",
    "Medical ID Card",
    "Health Care Identification Card",
    "Medical & Pharmacy",
    "Your Health Card",
    "Health Benefit Card",
)
FINE_G = (
    "This health plan complies with applicable federal civil rights laws.",
    "Benefits are subject to the terms of your health plan.",
    "Show this card to your doctor, hospital or pharmacist.",
    "Using in-network doctors keeps your costs down.",
    "Out-of-network care may cost you more.",
    "Call before any planned hospital stay.",
    "Free language services: call the number on this card.",
    "Visit us online to find a doctor or download your card.",
    "Not valid for dental or vision benefits unless shown.",
    "The health plan named here is not a guarantee of payment.",
    "Emergency care: call 911 or go to the nearest hospital.",
)
NAME_LABELS_G = _options(
    "Member|Name|Subscriber|Enrollee|Member Name:|Insured|Member Name|Name:|Member:|"
    "Subscriber Name|Enrollee Name"
)
ID_LABELS_G = LABELS["member_id"] + ("Member ID#", "Insured ID", "ID No.")
GROUP_LABELS_G = LABELS["group_number"] + ("Group ID", "Grp #")
PLAN_LABELS_G = _options(
    "Plan|Plan Name|Product|Coverage|Benefit Plan|Program|PLAN:|Plan:|Product:|Plan Name:"
)
TYPE_LABELS_G = ("Network", "Plan Type", "Network:", "Type", "Plan Type:", "Coverage Type")
EMPLOYER_LABELS_G = _options(
    "Employer|Group Name|Company|Sponsor|Account|Employer:|Group Name:|Account Name|"
    "Plan Sponsor|Company:"
)
PLAN_NUMBER_LABELS = ("Plan #", "Plan Code", "Plan No.", "Plan ID")
SPONSOR_G = ("Sponsored by", "Coverage sponsored by", "Offered through")
PBM_LEADS_G = (
    "Pharmacy benefits administered by",
    "Prescription drug benefits administered by",
    "Prescriptions managed by",
    "Pharmacy benefits managed by",
)
PHONE_LABELS_G = {
    "phone_customer_service": PHONE_LABELS_F["phone_customer_service"]
    + LABELS["phone_customer_service"]
    + ("Customer Service:", "Call Us"),
    "phone_provider": PHONE_LABELS_F["phone_provider"]
    + LABELS["phone_provider"]
    + ("Provider Inquiries", "Precertification"),
    "phone_pharmacy": PHONE_LABELS_F["phone_pharmacy"] + LABELS["phone_pharmacy"],
}
EXTRA_PHONES_G = ("Nurse Line 24/7", "Behavioral Health", "TTY 711", "Virtual Care")
PALETTES: tuple[tuple[Color, Color], ...] = (
    ((0, 80, 140), (230, 130, 30)),
    ((0, 60, 120), (0, 150, 200)),
    ((110, 30, 70), (220, 160, 40)),
    ((0, 105, 90), (120, 180, 60)),
    ((60, 50, 130), (200, 60, 110)),
    ((40, 40, 50), (210, 50, 50)),
    ((0, 120, 150), (250, 170, 30)),
    ((150, 30, 40), (60, 60, 60)),
)

# The grammar: each choice with its default weights ("option:weight").
GRAMMAR: dict[str, str] = {
    "header": "band:3 white:3 strip:2 gradient:1",
    "payer_at": "left:4 centre:2 right:2 corner:1 back:1",
    "logo": "yes:3 no:2",
    "payer_case": "title:3 upper:1",
    "tagline": "no:3 yes:1",
    "plan_at": "under:2 corner:2 badge:1 pair:3 band:1 none:1",
    "ptype_at": "badge:2 inside:1 pair:2 none:2",
    "name_form": "bare:2 beside:2 above:1",
    "ids": "column:3 two:2 table:2 grid:1",
    "cols": "two:3 stack:1",
    "split": "540:1 580:1 620:1",
    "rx_at": "right:3 bottom:1",
    "rx_form": "lines:3 table:2",
    "pbm_at": "mark:2 lead:2 rx:1 over:2 back:1 none:1",
    "emp_at": "pair:3 bare:2 sponsored:1 none:2",
    "copays": "table:3 lines:3 none:1",
    "back": "own:4 core:1",
    "label_case": "as:6 upper:3 lower:1",
    "fonts": "sans:3 sans2:1 narrow:1 serif:1",
}


# --- names ---------------------------------------------------------------------------------


def _place(rng: random.Random) -> str:
    return rng.choice(PLACES_F + vals.STATES)


def payer_name_g(rng: random.Random) -> str:
    """Part F's composed payers or the real-world forms of this part (never a real payer).

    One in five is a one-word wordmark ("Northgate", "EmberlyCare"), as many insurers print
    their name: without them the line model learned that a lone word at the top is no payer.
    """
    if rng.random() < 0.2:
        return rng.choice(WORDMARK_PATTERNS_G).format(brand=rng.choice(BRANDS_G))
    if rng.random() < 0.45:
        return payer_name(rng, blue=rng.random() < 0.25)
    pattern = rng.choice(PAYER_PATTERNS_G)
    return pattern.format(
        place=_place(rng), brand=rng.choice(BRANDS_G), state=rng.choice(vals.STATES)
    )


def plan_name_g(rng: random.Random) -> str:
    """A product name; a type ("PPO") may end it but never opens it."""
    if rng.random() < 0.5:
        return plan_name(rng)
    first = rng.choice(PLAN_FIRST)
    second = rng.choice([s for s in PLAN_SECOND if s.split()[0] != first])
    return rng.choice(PLAN_PATTERNS_G).format(
        brand=rng.choice(BRANDS_G),
        first=first,
        second=second,
        metal=rng.choice(METALS),
        deductible=rng.choice((500, 1500, 2000, 3000, 4500, 6000)),
        year=rng.choice((2024, 2025, 2026)),
    )


def employer_name_g(rng: random.Random) -> str:
    """Employers of every shape: bare names, companies, schools, towns, unions, hospitals."""
    last, last2 = rng.sample(vals.LAST_NAMES, 2)
    name = rng.choice(EMPLOYER_PATTERNS_G).format(
        last=last.replace("'", ""),
        last2=last2.replace("'", ""),
        trade=rng.choice(TRADES),
        suffix=rng.choice(SUFFIXES),
        place=rng.choice(PLACES_F),
        industry=rng.choice(INDUSTRIES),
        brand=rng.choice(BRANDS_G),
        state=rng.choice(vals.STATES),
        n=rng.randint(12, 999),
        city=rng.choice(vals.CITIES)[0],
    )
    return name.upper() if rng.random() < 0.35 else name


def pbm_name_g(rng: random.Random) -> str:
    return pbm_name(rng) if rng.random() < 0.75 else rng.choice(vals.PBM_NAMES)


def website(rng: random.Random, payer: str) -> str:
    slug = "".join(ch for ch in payer.lower() if ch.isalnum())
    return rng.choice(("www.", "", "www.")) + slug + rng.choice((".com", ".org", ".com"))


# --- choices -------------------------------------------------------------------------------


@dataclass
class Choices:
    """One card's draws from the grammar, weighted by its house."""

    house: dict[str, str]
    rng: random.Random
    case_style: str = "as"

    def pick(self, key: str) -> str:
        opts = [part.partition(":") for part in self.house.get(key, GRAMMAR[key]).split()]
        names = [o[0] for o in opts]
        weights = [float(o[2] or 1) for o in opts]
        return self.rng.choices(names, weights)[0]

    def case(self, lab: str) -> str:
        """A label in the card's label case (Rx labels keep their "Rx" in lower case)."""
        if self.case_style == "upper":
            return lab.upper()
        if self.case_style == "lower" and not lab.startswith("Rx"):
            return lab.lower()
        return lab

    def label(self, options: tuple[str, ...]) -> str:
        return self.case(self.rng.choice(options))


@dataclass
class Col:
    """A column of the card filled top-down: its x range, cursor and floor."""

    x0: float
    x1: float
    y: float
    y1: float

    @property
    def area(self) -> Box:
        return (self.x0, self.y - 6, self.x1, self.y1)


def _hit(a: Box, b: Box, pad: float = 4) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def _inside(b: Box, area: Box, slack: float = 3) -> bool:
    """Within ``area``, give or take a glyph's side bearing."""
    return (
        area[0] - slack <= b[0]
        and b[2] <= area[2] + slack
        and area[1] - slack <= b[1]
        and b[3] <= area[3] + slack
    )


class _Probe(Canvas):
    """A canvas that measures and records texts without rendering them (for ``Sheet.fits``)."""

    def text(
        self,
        xy: tuple[float, float],
        s: str,
        fnt: Any,
        fill: Color,
        *,
        key: str | None = None,
        role: Role = "text",
        anchor: str = "la",
    ) -> Box:
        x0, y0, x1, y1 = (float(v) for v in self.draw.textbbox(xy, s, font=fnt, anchor=anchor))
        self.items.append(TextItem(s, (x0, y0, x1, y1), key, role))
        return (x0, y0, x1, y1)


Draw = Callable[[Pen], Box]
CARD_AREA: Box = (8.0, 6.0, CARD_W - 8.0, CARD_H - 6.0)


@dataclass
class Sheet:
    """A side drawn without overlaps: every draw is tried on a scratch canvas first."""

    p: Pen
    probe: Pen
    blocked: list[Box] = field(default_factory=list)

    @classmethod
    def of(cls, d: Draft, cv: Canvas, st: Style) -> Sheet:
        scratch = Draft(d.layout, random.Random(0), _Probe())
        return cls(Pen(d, cv, st), Pen(scratch, scratch.front, st))

    @property
    def rng(self) -> random.Random:
        return self.p.rng

    def fits(self, draw: Draw, area: Box = CARD_AREA, *, block: bool = False) -> Box | None:
        """The box ``draw`` would take, or None when it leaves ``area`` or hits anything."""
        self.probe.cv.items.clear()
        self.probe.d.truth.clear()
        box = draw(self.probe)
        new = [t.box for t in self.probe.cv.items] + ([box] if block else [])
        if not new or not all(_inside(b, area) for b in new):
            return None
        texts = new[: len(self.probe.cv.items)]
        if any(_hit(a, b, -1) for i, a in enumerate(texts) for b in texts[i + 1 :]):
            return None  # the piece's own strings collide (a long label and its number)
        taken = [t.box for t in self.p.cv.items] + self.blocked
        if any(_hit(a, b) for a in new for b in taken):
            return None
        return box

    def measure(self, draw: Draw) -> Box:
        """The union of the texts ``draw`` would write (anywhere, overlapping or not)."""
        self.probe.cv.items.clear()
        self.probe.d.truth.clear()
        draw(self.probe)
        return union([t.box for t in self.probe.cv.items])

    def put(self, draw: Draw, area: Box = CARD_AREA, *, block: bool = False) -> Box | None:
        """Draw if it fits (``block``: the returned box, e.g. a badge, stays clear too)."""
        if self.fits(draw, area, block=block) is None:
            return None
        box = draw(self.p)
        if block:
            self.blocked.append(box)
        return box

    def flow(
        self, col: Col, draw: Callable[[Pen, float, float], Box], gap: float = 12
    ) -> Box | None:
        """Draw at the column's cursor and move the cursor under it."""
        box = self.put(lambda p: draw(p, col.x0, col.y), col.area)
        if box is not None:
            col.y = box[3] + gap
        return box

    def first(self, *draws: Draw, area: Box = CARD_AREA, block: bool = False) -> Box | None:
        """The first of several placements that fits."""
        for draw in draws:
            box = self.put(draw, area, block=block)
            if box is not None:
                return box
        return None


# --- drawing pieces (no randomness inside, so a piece draws the same twice) ----------------


def _mark(
    p: Pen,
    x: float,
    base: float,
    text: str,
    key: str,
    ink: Color,
    size: int,
    kind: str,
    right: bool,
) -> Box:
    """A small logo and a name on baseline ``base``: right-aligned at ``x`` or starting there."""
    if right:
        b = p.value(x, base, text, key, size=size, color=ink, anchor="rs")
        lx = b[0] - 40
    else:
        b = p.value(x + 40, base, text, key, size=size, color=ink, anchor="ls")
        lx = x
    logo(p.cv, p.rng, kind, (lx, (b[1] + b[3]) / 2 - 15), 30, ink, (205, 205, 205))
    return (lx, min(b[1], (b[1] + b[3]) / 2 - 15), b[2], max(b[3], (b[1] + b[3]) / 2 + 15))


def _lead(p: Pen, x: float, y: float, lead: str, text: str, key: str, size: int, two: bool) -> Box:
    """A lead ("Sponsored by") and a value after it on one line, or the value under it."""
    lb = p.text((x, y), lead, size, color=p.st.label_color)
    if two:
        vb = p.value(x, lb[3] + 5, text, key, size=size + 2)
    else:
        base = y - p.st.lfont(size).getbbox("Ag", anchor="ls")[1]
        vb = p.value(lb[2] + 8, base, text, key, size=size + 1, anchor="ls")
    return union([lb, vb])


def _grid(p: Pen, x: float, y: float, cells: list[tuple[str, str, str, Any]], ink: Color) -> Box:
    """Boxed cells side by side, each a small label over its value."""
    lf, vf = p.st.lfont(p.st.label_size - 2), p.st.vfont()
    h = lf.getbbox("Ag")[3] + vf.getbbox("Ag")[3] + 26
    x0 = x
    for lab, printed, key, truth in cells:
        w = max(p.cv.width(lab, lf), p.cv.width(printed, vf)) + 28
        p.cv.draw.rectangle((x, y, x + w, y + h), outline=ink, width=2)
        lb = p.d.text(p.cv, (x + 12, y + 7), lab, lf, p.st.label_color, key=key, role="label")
        p.value(x + 12, lb[3] + 6, printed, key, truth)
        x += w
    return (x0, y, x, y + h)


def _row(p: Pen, x: float, y: float, cols: list[tuple[str, str, str, Any]], gap: float) -> Box:
    """Inline pairs along one line ("BIN 610014   PCN ABC   GRP X1")."""
    boxes = []
    for lab, printed, key, truth in cols:
        boxes.append(p.pair(x, y, lab, printed, key, truth))
        x = boxes[-1][2] + gap
    return union(boxes)


def _lines(p: Pen, x: float, y: float, cols: list[tuple[str, str, str, Any]], below: bool) -> Box:
    """Pairs down a column, values aligned right of the widest label (or under each label)."""
    value_x = None if below else x + max(p.cv.width(c[0], p.st.lfont()) for c in cols) + 14
    boxes = []
    for lab, printed, key, truth in cols:
        boxes.append(p.pair(x, y, lab, printed, key, truth, value_x=value_x, below=below))
        y = boxes[-1][3] + 10
    return union(boxes)


def _two(p: Pen, x: float, y: float, cols: list[tuple[str, str, str, Any]], below: bool) -> Box:
    """Pairs two to a row."""
    boxes: list[Box] = []
    for i in range(0, len(cols), 2):
        row = cols[i : i + 2]
        b1 = p.pair(x, y, *row[0], below=below)
        boxes.append(b1)
        if len(row) > 1:
            boxes.append(p.pair(max(b1[2] + 40, x + 250), y, *row[1], below=below))
        y = max(b[3] for b in boxes) + 10
    return union(boxes)


def _fit_size(s: Sheet, text: str, size: int, room: float, low: int = 20) -> int:
    while size > low and s.p.width(text, size) > room:
        size -= 2
    return size


def _logo(p: Pen, kind: str, box: Box, ink: Color, inner: Color) -> Box:
    logo(p.cv, p.rng, kind, (box[0], box[1]), box[2] - box[0], ink, inner)
    return box


def _line(
    p: Pen,
    *,
    x: float,
    y: float,
    text: str,
    key: str | None,
    size: int,
    ink: Color,
    anchor: str,
    bold: bool,
) -> Box:
    """A bare value (``key``) or plain text line."""
    if key is None:
        return p.text((x, y), text, size, color=ink, anchor=anchor)
    return p.value(x, y, text, key, size=size, color=ink, anchor=anchor, bold=bold)


def _deps(p: Pen, x: float, y: float, *, deps: list[str]) -> Box:
    dependents_block(p.d, p.cv, p.st, x, y, deps, indent=18)
    return union([t.box for t in p.cv.items if t.field == "dependents"])


def _copays_table(p: Pen, x: float, y: float, *, items: list[dict[str, str]], size: int) -> Box:
    return _copay_table(p, x, y, items, size)


def _copays_lines(
    p: Pen, x: float, y: float, *, items: list[dict[str, str]], header: str | None, size: int
) -> Box:
    return copay_block(p.d, p.cv, p.st, x, y, items, cols=2, col_w=180, header=header, size=size)


def _bare(p: Pen, x: float, y: float, *, text: str, key: str, size: int, ink: Color) -> Box:
    return p.value(x, y, text, key, size=size, color=ink, bold=False)


def _pair(
    p: Pen,
    x: float,
    y: float,
    *,
    lab: str,
    text: str,
    key: str,
    truth: Any = None,
    below: bool = False,
) -> Box:
    return p.pair(x, y, lab, text, key, truth, below=below)


# --- back pieces -----------------------------------------------------------------------


def _phone(
    p: Pen,
    x: float,
    y: float,
    *,
    lab: str,
    printed: str,
    key: str | None,
    truth: str,
    form: str,
    x1: float,
) -> Box:
    """A phone line: labelled inline, over the number or with the number at ``x1``."""
    if key is None:  # a number that is no field of ours (nurse line, TTY)
        lb = p.text((x, y), lab, p.st.label_size, color=p.st.label_color)
        return union([lb, p.text((lb[2] + 12, y), printed, p.st.label_size, color=GREY)])
    if form == "right":
        lb = p.text((x, y), lab, p.st.label_size, color=p.st.label_color, key=key, role="label")
        return union([lb, p.value(x1, y, printed, key, truth, anchor="ra")])
    return p.pair(x, y, lab, printed, key, truth, below=form == "below")


def _address(
    p: Pen, x: float, y: float, *, lab: str, lines: list[str], truth: str, size: int
) -> Box:
    """The claims address label over its lines (``Draft.claims_address`` draws at random)."""
    boxes = [
        p.text(
            (x, y), lab, p.st.label_size, color=p.st.label_color, key="claims_address", role="label"
        )
    ]
    for line in lines:
        boxes.append(
            p.value(x, boxes[-1][3] + 5, line, "claims_address", truth, size=size, bold=False)
        )
    return union(boxes)


def _pbm_block(
    p: Pen,
    x: float,
    y: float,
    *,
    lead: str,
    pbm: str,
    ink: Color,
    phone: tuple[str, str, str] | None,
) -> Box:
    boxes = [p.text((x, y), lead, 17, color=p.st.label_color)]
    boxes.append(p.value(x, boxes[-1][3] + 5, pbm, "pbm_name", size=22, color=ink))
    if phone is not None:
        lab, printed, truth = phone
        boxes.append(p.pair(x, boxes[-1][3] + 8, lab, printed, "phone_pharmacy", truth))
    return union(boxes)


def _fine(p: Pen, x: float, y: float, *, text: str, size: int) -> Box:
    return p.text((x, y), text, size, color=GREY)


def _fine_block(p: Pen, *, texts: list[str], size: int) -> Box:
    boxes = [_fine(p, 40, 0, text=texts[0], size=size)]
    for text in texts[1:]:
        boxes.append(_fine(p, 40, boxes[-1][3] + 7, text=text, size=size))
    return union(boxes)
