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

The word lists, name generators, ``Sheet`` and the drawing pieces live in ``layouts_g_kit``;
this module holds the houses, the front composer (header, footer, body), the back and
``LAYOUTS``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import FINE_PRINT, LABELS, Draft, Style, draw_back
from eligo.cards.synth.layouts_a import person_name, pick_fonts, relative_name
from eligo.cards.synth.layouts_f import (  # private helpers of part F, reused by import
    Pen,
    _badge,
    _table,
    member_id,
    table_copays,
    tagline,
)
from eligo.cards.synth.layouts_g_kit import (  # the kit's private pieces, reused by import
    CARD_AREA,
    EMPLOYER_LABELS_G,
    EXTRA_PHONES_G,
    FINE_G,
    GREY,
    GROUP_LABELS_G,
    ID_LABELS_G,
    MARGIN,
    NAME_LABELS_G,
    PALETTES,
    PBM_LEADS_G,
    PHONE_LABELS_G,
    PLAN_LABELS_G,
    PLAN_NUMBER_LABELS,
    PLAN_TYPES_G,
    SPONSOR_G,
    TITLES,
    TYPE_LABELS_G,
    WHITE,
    Choices,
    Col,
    Sheet,
    _address,
    _bare,
    _copays_lines,
    _copays_table,
    _deps,
    _fine,
    _fine_block,
    _fit_size,
    _grid,
    _hit,
    _inside,
    _lead,
    _line,
    _lines,
    _logo,
    _mark,
    _pair,
    _pbm_block,
    _phone,
    _Probe,
    _row,
    _two,
    employer_name_g,
    payer_name_g,
    pbm_name_g,
    plan_name_g,
    website,
)
from eligo.cards.synth.render import (
    CARD_H,
    CARD_W,
    LOGO_KINDS,
    Box,
    Canvas,
    Color,
    jitter,
    union,
)

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


# --- the back ------------------------------------------------------------------------------


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
