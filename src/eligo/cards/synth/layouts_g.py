"""Card layouts, part G (training only): a grammar that composes a new card design per seed.

Each layout of parts A-F is one hand-drawn design with a few switches, so the line model
learns those designs. ``compose`` draws an independent design on every seed from the
conventions of real US cards:

- the header (a coloured band, white, a thin strip over white, a gradient band) carries the
  payer wordmark left, centred or right, with or without a logo and a tagline; or the payer
  sits small in a bottom corner or on the back only, and the header shows the plan, the
  employer or a card title;
- the plan name sits under the payer, in the opposite top corner, in a badge, labelled in a
  pair, in a footer band, or nowhere; the plan type in a badge, inside the plan name,
  labelled, or nowhere;
- the member block is a bare name or one labelled beside or above it, the ids in a column,
  two columns, a table (labels over values) or boxed cells, sometimes with a plan number;
- the Rx ids right, or in a row along the bottom, as lines or a table; the PBM as a corner
  mark, over the Rx ids, after a lead ("Pharmacy benefits administered by"), on the back;
- the employer labelled, a bare line near the member, "Sponsored by" in the footer;
- copays as a table or lines; effective date, issuer and payer ids sometimes; a back with
  phones, claims address, a PBM block and fine print.

Every text is placed through ``Sheet.put``, which measures it on a scratch canvas first and
draws it only if it stays inside its area and clear of every text, badge and logo already
drawn, so no two strings overlap. ``LAYOUTS`` registers six "houses": the same grammar with
different weights, so leave-one-layout-out runs see several composed families.

Non-field text (titles, fine print, web addresses) keeps the words "Health" and "Plan" as
decoys but never opens with a label word ("Member", "Plan", "Group", "Network"...), which
extraction reads as labels; the word "Medicaid" is left out because it turns a generic id
label into the Medicaid id (``correction._relabel``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import FINE_PRINT, LABELS, Draft, Style, dependents_block, draw_back
from eligo.cards.synth.layouts_a import copay_block, person_name, pick_fonts, relative_name
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
    _badge,
    _copay_table,
    _table,
    member_id,
    payer_name,
    pbm_name,
    plan_name,
    table_copays,
    tagline,
)
from eligo.cards.synth.render import (
    CARD_H,
    CARD_W,
    LOGO_KINDS,
    Box,
    Canvas,
    Color,
    Role,
    TextItem,
    jitter,
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

# Six houses: the grammar with a fixed bias each (unlisted choices keep the defaults).
HOUSES: dict[str, dict[str, str]] = {
    "composed_1": {
        "header": "band:5 gradient:2 white:1",
        "payer_at": "left:5 centre:1 right:1 corner:1 back:1",
        "pbm_at": "mark:3 over:2 lead:1 back:1",
    },
    "composed_2": {
        "header": "white:4 strip:2 band:1",
        "payer_at": "centre:3 left:2 right:1 back:1",
        "rx_at": "bottom:2 right:1",
        "rx_form": "table:2 lines:1",
        "plan_at": "pair:3 under:2 none:1",
        "fonts": "serif:2 sans:2 sans2:1",
    },
    "composed_3": {
        "header": "gradient:2 band:2 strip:1",
        "plan_at": "badge:2 corner:2 band:2 pair:1",
        "ids": "grid:2 table:1 column:1",
        "ptype_at": "badge:3 pair:1 none:1",
    },
    "composed_4": {
        "payer_at": "corner:3 back:2 right:1 left:1",
        "emp_at": "pair:3 bare:2 sponsored:2",
        "plan_at": "pair:2 under:1 band:1 none:1",
        "name_form": "beside:2 above:2 bare:1",
    },
    "composed_5": {
        "header": "strip:3 white:2",
        "payer_at": "right:3 left:1 centre:1 corner:1",
        "ids": "table:3 two:2",
        "copays": "table:3 lines:1",
        "cols": "stack:2 two:1",
        "fonts": "narrow:2 sans:1",
    },
    "composed_6": {},
}


# --- names ---------------------------------------------------------------------------------


def _place(rng: random.Random) -> str:
    return rng.choice(PLACES_F + vals.STATES)


def payer_name_g(rng: random.Random) -> str:
    """Part F's composed payers or the real-world forms of this part (never a real payer)."""
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


# --- the card ------------------------------------------------------------------------------


@dataclass
class Cast:
    """What one card prints and where each piece goes."""

    payer: str
    plan: str
    ptype: str
    pbm: str
    employer: str
    at: dict[str, str]
    main: Color
    accent: Color
    logo_kind: str


def _cast(g: Choices) -> Cast:
    rng = g.rng
    at = {
        k: g.pick(k)
        for k in ("payer_at", "plan_at", "ptype_at", "pbm_at", "emp_at", "rx_at", "cols")
    }
    payer = payer_name_g(rng)
    if g.pick("payer_case") == "upper":
        payer = payer.upper()
    plan, ptype = plan_name_g(rng), rng.choice(PLAN_TYPES_G)
    if at["ptype_at"] == "inside":
        if at["plan_at"] == "none" or any(t in plan.split() for t in PLAN_TYPES_G):
            at["ptype_at"] = "badge"
        else:
            plan = f"{plan} {ptype}" if rng.random() < 0.6 else f"{plan} ({ptype})"
    if rng.random() < 0.2:
        plan = plan.upper()
    main, accent = (jitter(rng, c, 14) for c in rng.choice(PALETTES))
    kind = rng.choice(LOGO_KINDS)
    return Cast(payer, plan, ptype, pbm_name_g(rng), employer_name_g(rng), at, main, accent, kind)


def _fit_size(s: Sheet, text: str, size: int, room: float, low: int = 20) -> int:
    while size > low and s.p.width(text, size) > room:
        size -= 2
    return size


def _header(s: Sheet, g: Choices, c: Cast) -> float:
    """The top of the card; returns the header's bottom."""
    rng, at = s.rng, c.at
    kind = g.pick("header")
    on_band = kind in ("band", "gradient")
    ink = WHITE if on_band else c.main
    sub = jitter(rng, (225, 235, 245), 8) if on_band else c.accent
    # The top line: the payer, or (payer elsewhere) the plan, the employer or a title.
    key: str | None = "payer_name"
    if at["payer_at"] in ("left", "centre", "right"):
        title, pos, size = c.payer, at["payer_at"], rng.randrange(22, 46, 2)
    else:
        pos = rng.choice(("left", "left", "centre"))
        size = rng.randrange(24, 36, 2)
        what = rng.choice(("plan", "employer", "title", "title"))
        if what == "plan" and at["plan_at"] not in ("band", "none"):
            title, key, at["plan_at"] = c.plan, "plan_name", "title"
        elif what == "employer" and at["emp_at"] != "none":
            title, key, at["emp_at"] = c.employer, "employer", "title"
        else:
            title, key = rng.choice(TITLES), None
    with_logo = key == "payer_name" and g.pick("logo") == "yes"
    if at["plan_at"] == "corner" and pos == "centre":
        at["plan_at"] = "under"
    if at["plan_at"] == "under" and key != "payer_name":
        at["plan_at"] = "pair"
    corner = c.plan if at["plan_at"] == "corner" else None
    if corner is None and at["ptype_at"] == "badge" and pos != "centre" and rng.random() < 0.5:
        corner = c.ptype
    csize = rng.choice((20, 22, 24))
    cwidth = s.p.width(corner, csize) + (36 if corner == c.ptype else 0) if corner else 0.0
    room = CARD_W - 2 * MARGIN - (cwidth + 40 if corner else 0)
    lsize = 0.0
    if with_logo:
        lsize = min(64.0, size * 1.3 + 8)
        room -= lsize + 14
    size = _fit_size(s, title, size, room)
    if s.p.width(title, size) > room:  # even the smallest size is too wide: no corner
        corner, size = None, _fit_size(s, title, size, room + cwidth + 40)
    tfont = s.p.st.vfont(size)
    top = 26.0 if kind == "strip" else rng.choice((16.0, 20.0))
    lines: list[tuple[str, str | None, int, bool]] = []  # text, key, size, bold
    if key == "payer_name" and g.pick("tagline") == "yes":
        lines.append((tagline(rng), None, rng.choice((16, 17, 18)), False))
    if at["plan_at"] == "under":
        lines.append((c.plan, "plan_name", rng.choice((20, 22, 24)), rng.random() < 0.6))
    bottom = top + max(float(tfont.getbbox(title)[3]), lsize)
    for text, _, lsz, bold in lines:
        bottom += 6 + s.p.st.vfont(lsz, bold).getbbox(text)[3]
    head = bottom + rng.choice((14.0, 18.0, 24.0))
    if kind == "strip":
        s.p.cv.rect((0, 0, CARD_W, 12), c.main)
        s.p.cv.rect((MARGIN, head - 3, CARD_W - MARGIN, head - 1), c.accent)
    elif kind == "band":
        s.p.cv.rect((0, 0, CARD_W, head), c.main)
    elif kind == "gradient":
        far = tuple(round(m * 0.55 + a * 0.2) for m, a in zip(c.main, c.accent, strict=True))
        for i in range(16):
            t = i / 15
            col = tuple(round(m * (1 - t) + f * t) for m, f in zip(c.main, far, strict=True))
            s.p.cv.rect(
                (i * CARD_W / 16, 0, (i + 1) * CARD_W / 16 + 1, head), (col[0], col[1], col[2])
            )
    zone: Box = (MARGIN - 4, 4, CARD_W - MARGIN + 4, head - 4)
    width = s.p.width(title, size)
    x, anchor = {
        "left": (MARGIN + (lsize + 14 if with_logo else 0), "la"),
        "centre": (CARD_W / 2 + (lsize + 14) / 2 * with_logo, "ma"),
        "right": (CARD_W - MARGIN, "ra"),
    }[pos]
    ty = top + max(0.0, (lsize - float(tfont.getbbox(title)[3])) / 2) if with_logo else top
    if key is None:
        tb = s.put(
            lambda p: p.text((x, ty), title, size, bold=True, color=ink, anchor=anchor), zone
        )
    else:
        tb = s.put(lambda p: p.value(x, ty, title, key, size=size, color=ink, anchor=anchor), zone)
    assert tb is not None, "the header's first line always fits"
    if with_logo:
        lx = {"left": MARGIN, "centre": x - width / 2 - lsize - 14, "right": x - width - lsize - 14}
        lbox = (lx[pos], top, lx[pos] + lsize, top + lsize)
        inner = c.main if on_band else WHITE
        s.put(lambda p: _logo(p, c.logo_kind, lbox, ink, inner), zone, block=True)
    y = tb[3] + 6
    for text, lkey, lsz, bold in lines:
        piece = partial(_line, x=x, y=y, text=text, key=lkey, size=lsz, ink=sub, anchor=anchor)
        b = s.put(partial(piece, bold=bold), zone)
        if b is None and lkey == "plan_name":
            at["plan_at"] = "pair"
        y = (b[3] if b else y) + 6
    if corner is not None:
        cx, canchor = (CARD_W - MARGIN, "ra") if pos != "right" else (MARGIN, "la")
        if corner == c.ptype:
            cx = cx if pos != "right" else MARGIN + cwidth
            b = s.put(
                lambda p: _badge(p, cx, top, c.ptype, "plan_type", ink, csize, outline=True),
                zone,
                block=True,
            )
            if b is not None:
                at["ptype_at"] = "done"
        else:
            b = s.put(
                lambda p: p.value(
                    cx, top + 4, c.plan, "plan_name", size=csize, color=sub, anchor=canchor
                ),
                zone,
            )
            if b is None:
                at["plan_at"] = "pair"
    elif at["plan_at"] == "corner":
        at["plan_at"] = "pair"
    return head


def _logo(p: Pen, kind: str, box: Box, ink: Color, inner: Color) -> Box:
    logo(p.cv, p.rng, kind, (box[0], box[1]), box[2] - box[0], ink, inner)
    return box


def _footer(s: Sheet, g: Choices, c: Cast) -> float:
    """Bands and bottom-corner marks; returns the floor the body must stay above."""
    rng, at = s.rng, c.at
    floor = CARD_H - 10.0
    if at["plan_at"] == "band" or rng.random() < 0.15:
        bh = rng.choice((44.0, 50.0, 56.0))
        s.p.cv.rect((0, CARD_H - bh, CARD_W, CARD_H), c.main)
        zone = (MARGIN - 4, CARD_H - bh + 2, CARD_W - MARGIN + 4, CARD_H - 2)
        mid = CARD_H - bh / 2
        site = website(rng, c.payer) if rng.random() < 0.6 else None
        if at["plan_at"] == "band":
            sz = rng.choice((20, 22, 24))
            plan = partial(_line, x=MARGIN, y=mid, text=c.plan, key="plan_name", size=sz)
            if s.put(partial(plan, ink=WHITE, anchor="lm", bold=True), zone) is None:
                at["plan_at"] = "pair"
        if site is not None:
            x, anchor = (CARD_W - MARGIN, "rm") if at["plan_at"] == "band" else (MARGIN, "lm")
            site_line = partial(
                _line,
                x=x,
                y=mid,
                text=site,
                key=None,
                size=17,
                ink=WHITE,
                anchor=anchor,
                bold=False,
            )
            s.put(site_line, zone)
        floor = CARD_H - bh - 8
    elif at["plan_at"] == "band":
        at["plan_at"] = "pair"
    base = floor - 12
    slots: dict[str, Box] = {}
    right_first = rng.random() < 0.75
    if at["payer_at"] == "corner":
        size = rng.choice((20, 22, 24, 26))
        mark = partial(_mark, base=base, text=c.payer, key="payer_name", ink=c.main, size=size)
        if not _corner(s, slots, partial(mark, kind=c.logo_kind), right_first):
            at["payer_at"] = "back"
    if at["pbm_at"] == "mark":
        ink = c.accent if rng.random() < 0.5 else c.main
        size = rng.choice((18, 20, 22))
        mark = partial(_mark, base=base, text=c.pbm, key="pbm_name", ink=ink, size=size)
        if not _corner(s, slots, partial(mark, kind="circle"), not right_first):
            at["pbm_at"] = "over"
    if at["emp_at"] == "sponsored" and "left" not in slots:
        lead, two = rng.choice(SPONSOR_G), rng.random() < 0.3
        y0 = base - (44 if two else 20)
        b = s.put(lambda p: _lead(p, MARGIN, y0, lead, c.employer, "employer", 18, two))
        if b is not None:
            slots["left"] = b
            at["emp_at"] = "done"
        else:
            at["emp_at"] = "pair"
    return min([floor, *(b[1] for b in slots.values())]) - 12


def _corner(s: Sheet, slots: dict[str, Box], mark: Callable[..., Box], right: bool) -> bool:
    """Put a corner mark in the first free bottom corner (right first or left first)."""
    for side in ("right", "left") if right else ("left", "right"):
        if side in slots:
            continue
        x = CARD_W - MARGIN if side == "right" else MARGIN
        b = s.put(partial(mark, x=x, right=side == "right"), block=True)
        if b is not None:
            slots[side] = b
            return True
    return False


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


def _rx_cols(g: Choices) -> list[tuple[str, str, str, Any]]:
    rng = g.rng
    cols: list[tuple[str, str, str, Any]] = [
        (g.label(LABELS["rx_bin"]), vals.rx_bin(rng), "rx_bin", None),
        (g.label(LABELS["rx_pcn"]), vals.rx_pcn(rng), "rx_pcn", None),
        (g.label(LABELS["rx_group"]), vals.rx_group(rng), "rx_group", None),
    ]
    if rng.random() < 0.25:
        cols.append((g.label(LABELS["rx_id"]), vals.alnum(rng, 10), "rx_id", None))
    return cols


@dataclass
class RxPlan:
    """How the Rx block and the PBM near it are drawn (all choices made up front)."""

    cols: list[tuple[str, str, str, Any]]
    form: str  # lines | table | row
    pbm: str | None  # over | lead | rx | None
    pbm_size: int
    lead: str
    two: bool
    gap: float


def _rx_group(p: Pen, x: float, y: float, c: Cast, rx: RxPlan) -> Box:
    boxes = []
    if rx.pbm == "over":
        boxes.append(p.value(x, y, c.pbm, "pbm_name", size=rx.pbm_size, color=c.main))
        y = boxes[-1][3] + 10
    if rx.form == "table":
        boxes.append(_table(p, x, y, rx.cols, rx.gap))
    elif rx.form == "row":
        boxes.append(_row(p, x, y, rx.cols, rx.gap))
    else:
        boxes.append(_lines(p, x, y, rx.cols, below=False))
    y = boxes[-1][3] + 12
    if rx.pbm in ("lead", "rx"):
        lead = "Rx:" if rx.pbm == "rx" else rx.lead
        boxes.append(_lead(p, x, y, lead, c.pbm, "pbm_name", 18, rx.two and rx.pbm == "lead"))
    return union(boxes)


def _ids(g: Choices, c: Cast) -> tuple[list[tuple[str, str, str, Any]], str | None]:
    """Member id, group and sometimes a plan number; a Blue plan's id may carry a prefix."""
    rng = g.rng
    prefix = None
    mid: tuple[str, str, str, Any]
    if "BLUE" in c.payer.upper():  # Blue plans print a three-letter prefix
        prefix = vals.letters(rng, 3)
        number = rng.choice((vals.digits(rng, 9), "W" + vals.digits(rng, 8)))
        printed = f"{prefix}{number}" if rng.random() < 0.6 else f"{prefix} {number}"
        mid = (g.label(ID_LABELS_G), printed, "member_id", printed.replace(" ", ""))
    else:
        mid = (g.label(ID_LABELS_G), member_id(rng), "member_id", None)
    style = rng.choice(("digits", "alnum", "dash", "alpha"))
    cols = [mid, (g.label(GROUP_LABELS_G), vals.group_number(rng, style), "group_number", None)]
    if rng.random() < 0.2:
        number = rng.choice((vals.digits(rng, 3), vals.letters(rng, 1) + vals.digits(rng, 2)))
        cols.append((g.label(PLAN_NUMBER_LABELS), number, "plan_number", None))
    return cols, prefix


def _id_draws(
    g: Choices, c: Cast, cols: list[tuple[str, str, str, Any]]
) -> list[Callable[[Pen, float, float], Box]]:
    """The chosen id form first, then simpler ones to fall back to."""
    rng = g.rng
    form, below, gap = g.pick("ids"), rng.random() < 0.3, rng.choice((30.0, 44.0, 60.0))
    forms: dict[str, Callable[[Pen, float, float], Box]] = {
        "column": lambda p, x, y: _lines(p, x, y, cols, below=below),
        "two": lambda p, x, y: _two(p, x, y, cols, below=below),
        "table": lambda p, x, y: _table(p, x, y, cols, gap),
        "grid": lambda p, x, y: _grid(p, x, y, cols, c.main),
    }
    order = [form, "column"] + (["two"] if form != "two" else [])
    return [forms[f] for f in order] + [lambda p, x, y: _lines(p, x, y, cols, below=True)]


def _issuer(rng: random.Random) -> tuple[str, str, str]:
    iid = vals.issuer_id(rng)
    lab, printed = rng.choice(
        (
            ("Issuer (80840)", iid[5:]),
            ("Issuer ID", iid),
            ("Issuer", f"(80840) {iid[5:]}"),
            ("Issuer #", f"80840-{iid[5:]}"),
        )
    )
    return lab, printed, iid


def _body(s: Sheet, g: Choices, c: Cast, top: float, floor: float) -> None:
    """Member, ids, plan, employer left; badges, Rx and copays right (or one stack)."""
    rng, at = s.rng, c.at
    split = float(g.pick("split"))
    air = rng.choice((12.0, 16.0, 20.0, 26.0, 32.0))  # the card's vertical spacing
    stack = at["cols"] == "stack"
    pbm = at["pbm_at"] if at["pbm_at"] in ("over", "lead", "rx") else None
    rx = RxPlan(
        _rx_cols(g),
        g.pick("rx_form"),
        pbm,
        rng.choice((20, 22, 26)),
        rng.choice(PBM_LEADS_G),
        rng.random() < 0.5,
        rng.choice((28.0, 40.0, 56.0)),
    )
    placed_rx = False
    if rng.random() < 0.35:  # a line of fine print along the bottom
        text, size = rng.choice(FINE_G + FINE_PRINT), rng.choice((14, 15, 16))
        line = partial(_line, x=MARGIN, y=floor, text=text, key=None, size=size, ink=GREY)
        b = s.put(partial(line, anchor="ls", bold=False))
        floor = b[1] - 12 if b else floor
    left = Col(MARGIN, CARD_W - MARGIN if stack else split - 24, top, floor)
    right = Col(split, CARD_W - MARGIN, top, floor)
    if at["rx_at"] == "bottom" or stack:  # a row along the bottom sets both columns' floor
        chosen = rx.form
        for rx.form in dict.fromkeys(("row" if chosen == "lines" else chosen, "table", "row")):
            h = s.measure(partial(_rx_group, x=MARGIN, y=0, c=c, rx=rx))
            y0 = floor - (h[3] - h[1])
            area = (MARGIN - 2, top, CARD_W - MARGIN, floor)
            b = s.put(partial(_rx_group, x=MARGIN, y=y0, c=c, rx=rx), area)
            if b is not None:
                placed_rx, left.y1, right.y1 = True, b[1] - 16, b[1] - 16
                break
        else:
            rx.form = chosen
    # Left column: the member block.
    name, last = person_name(rng, ("upper", "title", "last_first", "upper"))
    emp_size = rng.choice((18, 20, 22))
    emp_draw = partial(_bare, text=c.employer, key="employer", size=emp_size, ink=GREY)
    if at["emp_at"] == "bare" and rng.random() < 0.35 and s.flow(left, emp_draw, 10):
        at["emp_at"] = "done"
    form, lab = g.pick("name_form"), g.label(NAME_LABELS_G)
    nsize = rng.choice((26, 28, 30, 34))
    by_form = {
        "bare": lambda p, x, y: p.value(x, y, name, "member_name", size=nsize),
        "beside": lambda p, x, y: p.pair(x, y, lab, name, "member_name"),
        "above": lambda p, x, y: p.pair(x, y, lab, name, "member_name", below=True),
    }
    for f in (form, "above", "bare"):
        if s.flow(left, by_form[f], air + rng.choice((0, 4, 10))):
            break
    if at["emp_at"] == "bare" and s.flow(left, emp_draw, air + 2):
        at["emp_at"] = "done"
    ids, prefix = _ids(g, c)
    for draw in _id_draws(g, c, ids):
        if s.flow(left, draw, air + 2):
            if prefix is not None:
                s.p.d.set("member_id_prefix", prefix)
            break
    # Right column: badges, the Rx group, copays.
    badges = []
    if at["plan_at"] == "badge":
        badges.append((c.plan, "plan_name", c.accent, rng.choice((20, 22)), rng.random() < 0.3))
    if at["ptype_at"] == "badge":
        badges.append((c.ptype, "plan_type", c.main, rng.choice((24, 28)), rng.random() < 0.5))
    for text, key, ink, size, outline in badges:
        b = s.first(
            *(
                partial(
                    _badge,
                    x=CARD_W - MARGIN,
                    y=y,
                    text=text,
                    key=key,
                    color=ink,
                    size=size,
                    outline=outline,
                )
                for y in ((right.y, left.y) if not stack else (top, left.y))
            ),
            area=(left.x0 if stack else right.x0, top - 6, CARD_W - MARGIN, right.y1),
            block=True,
        )
        if b is not None and not stack:
            right.y = b[3] + 14
        elif b is None and key == "plan_name":
            at["plan_at"] = "pair"
        if b is not None and stack:
            left.y = max(left.y, b[3] + 14)
    if not placed_rx:
        for col in (left,) if stack else (right, left):
            grp = partial(_rx_group, c=c, rx=rx)
            if s.flow(col, grp, 18) or (rx.form != "lines" and _retry_lines(s, col, c, rx)):
                placed_rx = True
                break
    if not placed_rx:
        at["pbm_at"] = "back" if pbm else at["pbm_at"]
    # Left column again: labelled plan pieces, employer, dates, ids of the issuer.
    pairs: list[tuple[str, str, str, Any, bool]] = []  # label, printed, key, truth, below
    if at["plan_at"] == "pair":
        pairs.append((g.label(PLAN_LABELS_G), c.plan, "plan_name", None, rng.random() < 0.3))
    if at["ptype_at"] == "pair":
        pairs.append((g.label(TYPE_LABELS_G), c.ptype, "plan_type", None, False))
    if at["emp_at"] in ("pair", "sponsored"):
        lab = g.label(EMPLOYER_LABELS_G)
        below = not lab.endswith(":") and rng.random() < 0.5
        pairs.append((lab, c.employer, "employer", None, below))
    if rng.random() < 0.5:
        eff = vals.first_of_month(rng, 2021, 2026)
        printed = vals.format_date(eff, rng.choice(("mdy", "mdy2", "mdy_dash")))
        lab = g.label(LABELS["effective_date"])
        pairs.append((lab, printed, "effective_date", eff.isoformat(), False))
    if rng.random() < 0.2:
        ilab, printed, iid = _issuer(rng)
        pairs.append((g.case(ilab), printed, "issuer_id", iid, False))
    if rng.random() < 0.2:
        lab = g.label(LABELS["deductible"])
        pairs.append((lab, vals.deductible(rng), "deductible", None, False))
    if rng.random() < 0.15:
        pairs.append((g.label(LABELS["payer_id"]), vals.payer_id(rng), "payer_id", None, False))
    rng.shuffle(pairs)
    for lab, text, key, truth, below in pairs:
        draw = partial(_pair, lab=lab, text=text, key=key, truth=truth, below=below)
        for col in (left, right) if not stack else (left,):
            if s.flow(col, draw, air):
                break
    copays = g.pick("copays")
    if copays != "none":
        size = rng.choice((17, 18, 19, 20))
        cdraw: Callable[[Pen, float, float], Box]
        if copays == "table":
            cdraw = partial(
                _copays_table, items=table_copays(rng, rng.choice((3, 4, 5))), size=size
            )
        else:
            items = vals.copays(rng, rng.choice((2, 3, 4)))
            header = rng.choice(("Copays", "Office Copays", "Your Copays", None))
            cdraw = partial(_copays_lines, items=items, header=header, size=size)
        for col in (right, left) if not stack else (left,):
            if s.flow(col, cdraw, 14):
                break
    if rng.random() < 0.3:
        deps = [
            relative_name(rng, last, "upper" if name.isupper() else "title")
            for _ in range(rng.randint(1, 3))
        ]
        s.flow(left, partial(_deps, deps=deps), 12)


def _retry_lines(s: Sheet, col: Col, c: Cast, rx: RxPlan) -> bool:
    rx.form = "lines"
    return s.flow(col, partial(_rx_group, c=c, rx=rx), 18) is not None


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


# --- the back ------------------------------------------------------------------------------


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


def _clean_trial(d: Draft, draw: Callable[[Draft], None]) -> bool:
    """Whether ``draw`` (which draws at random) leaves the back without overlapping texts:
    tried on a copy of the draft whose random state is the draft's."""
    rng = random.Random()
    rng.setstate(d.rng.getstate())
    trial = Draft(d.layout, rng, d.front, _Probe(), dict(d.truth))
    draw(trial)
    boxes = [t.box for t in trial.back.items] if trial.back else []
    inside = all(_inside(b, CARD_AREA, 8) for b in boxes)
    return inside and not any(_hit(a, b, -1) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def _back(front: Sheet, g: Choices, c: Cast) -> None:
    """The back: the payer (band, title, corner mark or not at all), phones, claims address,
    payer id, the PBM block when the PBM is printed here, fine print."""
    d, st, rng, at = front.p.d, front.p.st, g.rng, c.at
    assert d.back is not None
    payer_back, pbm_back = at["payer_at"] == "back", at["pbm_at"] == "back"
    site = website(rng, c.payer) if rng.random() < 0.5 else None
    if g.pick("back") == "core" and not payer_back and not pbm_back:
        small = replace(st, label_size=min(st.label_size, 20), value_size=min(st.value_size, 24))
        core = partial(draw_back, st=small, payer_name=c.payer, header_color=c.main, site=site)
        if _clean_trial(d, core):
            core(d)
            return
    s = Sheet.of(d, d.back, st)
    head = rng.choice(("band", "title", "corner") + (() if payer_back else ("none", "none")))
    size = _fit_size(s, c.payer, rng.choice((24, 26, 28, 30)), CARD_W - 100)
    y, floor = 30.0, CARD_H - 22.0
    if head == "band":
        d.back.rect((0, 0, CARD_W, 64), c.main)
        s.put(lambda p: p.value(40, 32, c.payer, "payer_name", size=size, color=WHITE, anchor="lm"))
        y = 86.0
    elif head == "title":
        b = s.put(lambda p: p.value(40, 26, c.payer, "payer_name", size=size, color=c.main))
        y = (b[3] if b else 26) + 20
    elif head == "corner":
        b = s.put(
            lambda p: _mark(
                p, CARD_W - MARGIN, floor, c.payer, "payer_name", c.main, 22, c.logo_kind, True
            ),
            block=True,
        )
        floor = (b[1] if b else floor) - 12
    split = rng.choice((560.0, 600.0, 620.0))
    left, right = Col(40, split - 30, y, floor), Col(split, CARD_W - MARGIN, y, floor)
    # Phones down the left.
    style = rng.choice(vals.PHONE_STYLES)
    form = rng.choice(("inline", "inline", "below", "right"))
    keys: list[str] = ["phone_customer_service"]
    keys += [k for k in ("phone_provider", "phone_pharmacy") if rng.random() < 0.75]
    rng.shuffle(keys)
    if pbm_back and "phone_pharmacy" in keys:
        keys.remove("phone_pharmacy")
    if rng.random() < 0.4:
        keys.insert(rng.randint(1, len(keys)), rng.choice(EXTRA_PHONES_G))
    for key in keys:
        num = vals.phone(rng)
        field_key = key if key in PHONE_LABELS_G else None
        lab = g.label(PHONE_LABELS_G[key]) if field_key else key
        draw = partial(
            _phone,
            lab=lab,
            printed=vals.format_phone(num, style),
            key=field_key,
            truth=vals.canonical_phone(num),
            form=form,
            x1=left.x1,
        )
        s.flow(left, draw, 14)
    # Claims address, payer id and the PBM on the right.
    if rng.random() < 0.75:
        lines, truth = vals.claims_address(rng)
        lab = g.label(LABELS["claims_address"])
        s.flow(right, partial(_address, lab=lab, lines=lines, truth=truth, size=21), 16)
    if rng.random() < 0.55:
        pid = d.truth.get("payer_id") or vals.payer_id(rng)
        s.flow(right, partial(_pair, lab=g.label(LABELS["payer_id"]), text=pid, key="payer_id"), 16)
    if pbm_back:
        num = vals.phone(rng)
        phone = None
        if rng.random() < 0.7 and "phone_pharmacy" not in d.truth:
            printed = vals.format_phone(num, style)
            phone = (g.label(PHONE_LABELS_G["phone_pharmacy"]), printed, vals.canonical_phone(num))
        block = partial(
            _pbm_block, lead=rng.choice(PBM_LEADS_G), pbm=c.pbm, ink=c.main, phone=phone
        )
        if not s.flow(right, block, 16):
            s.flow(left, block, 16)
    # Fine print across the card under both columns.
    body = Col(40, CARD_W - MARGIN, max(left.y, right.y) + 6, floor)
    fsize = rng.choice((15, 16, 17, 18))
    texts = rng.sample(FINE_G + FINE_PRINT, rng.randint(3, 5)) + ([site] if site else [])
    if rng.random() < 0.5:  # the fine print sits at the bottom of the card
        h = s.measure(partial(_fine_block, texts=texts, size=fsize))
        body.y = max(body.y, floor - (h[3] - h[1]) - 2)
    for text in texts:
        s.flow(body, partial(_fine, text=text, size=fsize), 7)


# --- the composer --------------------------------------------------------------------------


def compose(layout: str, rng: random.Random) -> Draft:
    """One card of a house's family: every choice drawn anew from the grammar."""
    g = Choices(HOUSES[layout], rng)
    g.case_style = g.pick("label_case")
    c = _cast(g)
    fonts = g.pick("fonts")
    label_color = rng.choice((GREY, (70, 70, 70), jitter(rng, c.main, 10)))
    value_color = rng.choice(((0, 0, 0), (20, 20, 30), tuple(v // 3 for v in c.main)))
    st = Style(
        pick_fonts(rng, rng.choice((fonts, "sans")), fonts),
        label_color,
        (value_color[0], value_color[1], value_color[2]),
        rng.choice((19, 20, 21, 22)),
        rng.choice((23, 24, 26, 28)),
        label_bold=rng.random() < 0.2,
        value_bold=rng.random() < 0.8,
    )
    bg = WHITE if rng.random() < 0.6 else jitter(rng, (248, 248, 244), 5)
    d = Draft(layout, rng, Canvas(bg=bg), Canvas(bg=bg))
    s = Sheet.of(d, d.front, st)
    head = _header(s, g, c)
    floor = _footer(s, g, c)
    _body(s, g, c, head + rng.choice((16.0, 22.0, 30.0)), floor)
    _back(s, g, c)
    return d


LAYOUTS: dict[str, Callable[[random.Random], Draft]] = {
    name: partial(compose, name) for name in HOUSES
}
