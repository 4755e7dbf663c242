"""Card layouts, part F (training only): payer wordmarks, plan names and tables that vary.

On card designs it has not seen, the line model misses the payer line and the plan name
most. These layouts compose both from word lists (so no name can be memorized) and put
them where real US cards do:

- ``regional_wordmark``: a regional insurer's card. The wordmark sits top left with a
  logo, top centre, top right, small in the bottom-right corner or on the back only,
  sometimes over a tagline; the plan name is under it, in the opposite corner or
  labelled ("Plan:", "Product:", "Network:"); the employer labelled or "Sponsored by".
- ``coop_table``: a co-op or mutual's card printed as tables: "Member ID  Group  Plan"
  over their values, "RxBIN  RxPCN  RxGRP" over theirs and a copay table (benefit names
  over amounts); the payer in the header band, the PBM beside its table or small.
- ``blue_licensee``: a Blue plan ("Blue Cross of <State>", "<Place> Blue") with the
  licensee line, prefixed member ids, the plan name in a stripe, a badge or labelled,
  the plan type in an outline box.
- ``hmo_group``: an HMO card headed by the employer or the plan name, the payer small in
  a corner or on the back only, a PCP line, a copay table in a tinted box and the Rx
  ids in one row or as a table.

Non-field text avoids the words extraction reads as labels ("Member", "Plan" at a line's
start, "Group", "Network", "Pharmacy"...).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import LABELS, Draft, Style, dependents_block, label
from eligo.cards.synth.layouts_a import copay_block, person_name, pick_fonts, relative_name
from eligo.cards.synth.render import CARD_H, CARD_W, LOGO_KINDS, Box, Canvas, Color, jitter, logo


def _options(text: str) -> tuple[str, ...]:
    """A word list written as one "|"-separated string (keeps long lists short)."""
    return tuple(text.split("|"))


WHITE: Color = (255, 255, 255)
GREY: Color = (90, 90, 90)

PLACES_F = _options(
    "Cascade|Heartland|Piedmont|Tri-Valley|Big Sky|Gulf Coast|Ozark|Chesapeake|"
    "High Desert|Red River|Bluegrass|Great Plains|Sierra|Mohawk Valley|Coastal Bend|"
    "Upstate|Sandhills|Palmetto|Allegheny|Willamette|Central Valley|Northwoods|"
    "Lowcountry|Hill Country|Snake River|Cumberland|Finger Lakes|Permian|"
    "Three Rivers|Inland Empire"
)
BRANDS_F = _options(
    "Verity|Amberly|Solace|Kinwell|Meridia|Clearview|Bellwether|Trueline|Wellspring|"
    "Goldleaf|Altura|Corvana|Everwell|Nexa|Sunward|Ironwood|Oakhurst|Stellan|Avalon|"
    "Lumina|Crescent|Larkspur|Quintara|Redbud|Sequoia|Thrive|Unity|Harbinger"
)
PAYER_PATTERNS = _options(
    "{place} Health Plan|{brand} Healthcare|{brand} Community Care|"
    "{place} Community Care|{brand} Mutual|{place} Mutual Health|"
    "{brand} Health Partners|{place} Medical Group|{brand} Health|"
    "{place} Health Alliance|{brand} Health Cooperative|{place} Health Co-op|"
    "{brand} Health Insurance|{place} Healthcare"
)
BLUE_PATTERNS = _options(
    "Blue Cross of {state}|{place} Blue|BlueCross BlueShield of {state}|"
    "Blue Shield of {place}|{state} Blue Cross|Blue Cross Blue Shield of {state}"
)
TAGLINES = _options(
    "Health Plan of the Valley|A nonprofit health plan|"
    "Your neighborhood health partner|Caring for families since {year}|"
    "Serving {place} since {year}|Locally owned and operated|Good health starts here"
)
LICENSEE = (
    "An Independent Licensee of the Blue Cross Blue Shield Association",
    "An independent licensee of the Blue Cross and Blue Shield Association",
    "Independent licensee of the Blue Cross Blue Shield Association",
)
PLAN_FIRST = _options(
    "Choice|Select|Open Access|Premier|Advantage|Essential|Connect|Preferred|"
    "Signature|Focus|Balance|Freedom|Summit|Compass|Harmony|Vista|Pathway|Prime|"
    "Smart|Local"
)
PLAN_SECOND = _options(
    "Plus|Network|Saver|Select|Flex|Premier|Access|Complete|Advantage|Value|Elite|"
    "Plus HSA|Copay Saver"
)
METALS = ("Bronze", "Silver", "Gold", "Platinum")
PLAN_TYPES_F = ("PPO", "HMO", "EPO", "POS")
PBM_STEMS = ("Clear", "Meri", "Vero", "Nova", "Cura", "Presto", "Verde", "Tru", "Alto", "Brio")
PBM_STEMS2 = ("Lyra", "Orbit", "Civic", "Pillar", "Halo", "Kestra", "Zenith", "Maple", "Arbor")
PBM_TAILS = ("Rx", " Rx", "Script", "Scripts", " Rx Solutions", " Pharmacy Solutions", "Med Rx")
TRADES = _options(
    "Roofing|Tool & Die|Marine|Electric|Construction|Printing|Bakery|Landscaping|"
    "Plumbing|Freight|Textiles|Engineering|Dairy|Lumber"
)
EMPLOYER_PATTERNS = _options(
    "{last} {trade} {suffix}|{last} {trade} {suffix}|County of {place}|"
    "City of {place}|{place} School District|{place} Credit Union|"
    "{place} Water Authority|{brand} Technologies Inc|{place} {trade} Co"
)
SUFFIXES = ("Inc", "LLC", "Co", "Corp", "Company", "Inc.")
# Leads of the employer only: "Coverage provided by" names the insurer on real cards.
SPONSOR_F = ("Sponsored by", "Coverage sponsored by", "Offered by")
# Side text; none opens with a label word.
TEXT_F = (
    "Keep this card with you and show it when you get care.",
    "Find a doctor or hospital online or in our app.",
    "Emergency? Dial 911 or go to the nearest ER.",
    "Urgent needs after hours: use a virtual visit.",
    "Benefits depend on the terms of your coverage.",
    "Lost your card? Print a new one online.",
    "Interpreter services are free of charge.",
)
# Copay benefit names the table reader knows as one name each ("PCP Visit" is two).
TABLE_BENEFITS = {
    "pcp": ("PCP", "Primary Care", "Office Visit"),
    "spec": ("Specialist", "Spec"),
    "uc": ("Urgent Care", "UC"),
    "er": ("ER", "Emergency Room"),
    "vv": ("Telehealth", "Virtual Visit"),
    "rx": ("Generic",),
}
PHONE_LABELS_F = {
    "phone_customer_service": ("Member Care:", "Customer Service", "Questions?", "Member Services"),
    "phone_pharmacy": ("Pharmacy Questions", "Rx Customer Service", "Pharmacist Help Desk"),
    "phone_provider": ("Prior Authorization", "Providers:", "Provider Services"),
}
EXTRA_PHONES = ("Nurse Line 24/7", "Behavioral Health", "TTY 711")
PLAN_LABELS_F = ("Plan:", "Product:", "Plan Name:", "Network:")
NAME_LABELS_F = ("Member", "Member Name", "Name:", "Member:")
RX_TABLE_LABELS = (
    ("RxBIN", "RxPCN", "RxGRP"),
    ("BIN", "PCN", "Rx Grp"),
    ("Rx BIN", "Rx PCN", "Rx Group"),
)
ID_TABLE_LABELS = (
    ("Member ID", "Group"),
    ("ID Number", "Group No."),
    ("Subscriber ID", "Group #"),
    ("ID", "Grp"),
)


def payer_name(rng: random.Random, *, blue: bool = False) -> str:
    """An invented payer name composed from place or brand words (never a real payer)."""
    pattern = rng.choice(BLUE_PATTERNS if blue else PAYER_PATTERNS)
    place, brand, state = (
        rng.choice(PLACES_F + vals.STATES),
        rng.choice(BRANDS_F),
        rng.choice(vals.STATES),
    )
    return pattern.format(place=place, brand=brand, state=state)


def plan_name(rng: random.Random, *, blue: bool = False) -> str:
    """A product name ("Choice Plus", "Gold 2500", "Silver Copay Saver"), never a bare type."""
    kind = rng.random()
    if blue and kind < 0.4:
        return "Blue " + rng.choice(PLAN_FIRST)
    if kind < 0.3:
        tail = rng.choice(
            (str(rng.choice((1000, 1500, 2500, 3500, 5000))), rng.choice(PLAN_SECOND))
        )
        return f"{rng.choice(METALS)} {tail}"
    first = rng.choice(PLAN_FIRST)
    return f"{first} {rng.choice([s for s in PLAN_SECOND if s.split()[0] != first])}"


def pbm_name(rng: random.Random) -> str:
    return rng.choice(PBM_STEMS + PBM_STEMS2) + rng.choice(PBM_TAILS)


def employer_name(rng: random.Random) -> str:
    last, trade, suffix = rng.choice(vals.LAST_NAMES), rng.choice(TRADES), rng.choice(SUFFIXES)
    place, brand = rng.choice(PLACES_F), rng.choice(BRANDS_F)
    pattern = rng.choice(EMPLOYER_PATTERNS)
    return pattern.format(last=last, trade=trade, suffix=suffix, place=place, brand=brand)


def tagline(rng: random.Random) -> str:
    return rng.choice(TAGLINES).format(place=rng.choice(PLACES_F), year=rng.randint(1935, 1999))


def table_copays(rng: random.Random, n: int) -> list[dict[str, str]]:
    """Copays whose benefit names a table reader takes as one name each."""
    kinds = rng.sample(list(TABLE_BENEFITS), n)
    money = {k: vals.money(rng, vals.COPAY_AMOUNTS[k]) for k in kinds}
    return [{"benefit": rng.choice(TABLE_BENEFITS[k]), "amount": money[k]} for k in kinds]


def member_id(rng: random.Random) -> str:
    return rng.choice(
        (
            vals.letters(rng, 1) + vals.digits(rng, 8),
            "W" + vals.digits(rng, 9),
            vals.digits(rng, 9) + "0" + str(rng.randint(1, 4)),
            vals.letters(rng, 3) + vals.digits(rng, 7),
        )
    )


@dataclass
class Pen:
    """One side being drawn: the draft, the canvas and the style, so calls stay short."""

    d: Draft
    cv: Canvas
    st: Style

    @property
    def rng(self) -> random.Random:
        return self.d.rng

    def value(self, x: float, y: float, text: str, key: str, truth: Any = None, **kw: Any) -> Box:
        return self.d.value(self.cv, self.st, x, y, text, key, truth, **kw)

    def pair(
        self, x: float, y: float, lab: str, text: str, key: str, truth: Any = None, **kw: Any
    ) -> Box:
        return self.d.pair(self.cv, self.st, x, y, lab, text, key, truth, **kw)

    def text(self, xy: tuple[float, float], s: str, size: int = 17, **kw: Any) -> Box:
        """Plain (or label) text in the label font."""
        color = kw.pop("color", GREY)
        return self.d.text(self.cv, xy, s, self.st.lfont(size, kw.pop("bold", None)), color, **kw)

    def width(self, s: str, size: int) -> float:
        return self.cv.width(s, self.st.vfont(size))


def _table(
    p: Pen, x: float, y: float, cols: list[tuple[str, str, str, Any]], gap: float = 44
) -> Box:
    """A row of labels over a row of values, one column each: (label, printed, key, truth)."""
    boxes = []
    for lab, printed, key, truth in cols:
        boxes.append(p.pair(x, y, lab, printed, key, truth, below=True, gap=8))
        x = boxes[-1][2] + gap
    return (boxes[0][0], boxes[0][1], boxes[-1][2], max(b[3] for b in boxes))


def _copay_table(p: Pen, x: float, y: float, items: list[dict[str, str]], size: int) -> Box:
    """Benefit names over their amounts, each column centred on the wider of the two."""
    lf, vf = p.st.lfont(size), p.st.vfont(size + 2)
    kw: dict[str, Any] = {"key": "copays", "role": "value", "anchor": "ma"}
    right = bottom = 0.0
    for item in items:
        w = max(p.cv.width(item["benefit"], lf), p.cv.width(item["amount"], vf))
        b1 = p.d.text(p.cv, (x + w / 2, y), item["benefit"], lf, p.st.label_color, **kw)
        b2 = p.d.text(p.cv, (x + w / 2, b1[3] + 8), item["amount"], vf, p.st.value_color, **kw)
        right, bottom = max(right, b1[2], b2[2]), max(bottom, b2[3])
        x += w + 40
    p.d.set("copays", items)
    return (x, y, right, bottom)


def _badge(
    p: Pen,
    x: float,
    y: float,
    text: str,
    key: str,
    color: Color,
    size: int = 26,
    outline: bool = False,
) -> Box:
    """A value in a filled (or outlined) rounded box whose right edge is ``x``."""
    w = p.width(text, size)
    box = (x - w - 36, y, x, y + size + 22)
    if outline:
        p.cv.draw.rounded_rectangle(box, radius=10, outline=color, width=4)
    else:
        p.cv.rect(box, color, radius=10)
    mid_x, mid_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    p.value(mid_x, mid_y, text, key, size=size, color=color if outline else WHITE, anchor="mm")
    return box


def _rx_lines(p: Pen, x: float, y: float, rx_id: bool = False) -> Box:
    """Labelled Rx ids down a column, values aligned right of the widest label."""
    rng = p.rng
    entries = [
        ("rx_bin", vals.rx_bin(rng), label(rng, "rx_bin")),
        ("rx_pcn", vals.rx_pcn(rng), label(rng, "rx_pcn")),
        ("rx_group", vals.rx_group(rng), label(rng, "rx_group")),
    ]
    if rx_id:
        entries.append(("rx_id", vals.alnum(rng, 10), label(rng, "rx_id")))
    value_x = x + max(p.cv.width(lab, p.st.lfont()) for _, _, lab in entries) + 14
    top, right = y, 0.0
    for key, val, lab in entries:
        b = p.pair(x, y, lab, val, key, value_x=value_x)
        y, right = b[3] + 10, max(right, b[2])
    return (x, top, right, y - 10)


def _rx_table(p: Pen, x: float, y: float) -> Box:
    rng = p.rng
    labs = rng.choice(RX_TABLE_LABELS)
    values = (vals.rx_bin(rng), vals.rx_pcn(rng), vals.rx_group(rng))
    keys = ("rx_bin", "rx_pcn", "rx_group")
    return _table(
        p, x, y, [(a, b, c, None) for a, b, c in zip(labs, values, keys, strict=True)], 40
    )


def _mark(p: Pen, x: float, y: float, text: str, key: str, color: Color, size: int = 22) -> Box:
    """A small logo and a name right-aligned at ``x`` on baseline ``y`` (a corner mark)."""
    b = p.value(x, y, text, key, size=size, color=color, anchor="rs")
    kind, accent = p.rng.choice(LOGO_KINDS), jitter(p.rng, (200, 200, 200))
    logo(p.cv, p.rng, kind, (b[0] - 40, (b[1] + b[3]) / 2 - 15), 30, color, accent)
    return (b[0] - 40, b[1], b[2], b[3])


def _employer_pair(p: Pen, x: float, y: float, employer: str) -> Box:
    lab = p.rng.choice(("Employer:", "Group Name:", "Employer", "Group Name"))
    return p.pair(x, y, lab, employer, "employer", below=not lab.endswith(":"))


def _sponsored(p: Pen, x: float, y: float, employer: str) -> Box:
    """ "Sponsored by" and the employer on one baseline (two strings)."""
    lead = p.text((x, y), p.rng.choice(SPONSOR_F), 19, color=p.st.label_color, anchor="ls")
    b = p.value(lead[2] + 8, y, employer, "employer", size=20, anchor="ls")
    return (lead[0], min(lead[1], b[1]), b[2], max(lead[3], b[3]))


def _eff(p: Pen, x: float, y: float, **kw: Any) -> Box:
    eff = vals.first_of_month(p.rng, 2021, 2026)
    printed = vals.format_date(eff, p.rng.choice(("mdy", "mdy2")))
    return p.pair(
        x, y, label(p.rng, "effective_date"), printed, "effective_date", eff.isoformat(), **kw
    )


def _dependents(p: Pen, x: float, y: float, name: str, last: str) -> float:
    style = "upper" if name.isupper() else "title"
    deps = [relative_name(p.rng, last, style) for _ in range(p.rng.randint(1, 2))]
    return dependents_block(p.d, p.cv, p.st, x, y, deps, indent=18)


def _phones(p: Pen, y: float) -> float:
    """Phone lines down the left: labelled inline, over the number or with the number
    right-aligned; sometimes a line that is no field (nurse line, TTY). Returns the bottom."""
    rng = p.rng
    style = rng.choice(vals.PHONE_STYLES)
    right_num = rng.random() < 0.4
    below = not right_num and rng.random() < 0.3
    keys = ["phone_customer_service"]
    keys += [k for k in ("phone_provider", "phone_pharmacy") if rng.random() < 0.75]
    rng.shuffle(keys)
    if rng.random() < 0.35:
        keys.append(rng.choice(EXTRA_PHONES))
    for key in keys:
        num = vals.phone(rng)
        printed, truth = vals.format_phone(num, style), vals.canonical_phone(num)
        if key not in PHONE_LABELS_F:  # a number that is no field of ours
            b1 = p.text((40, y), key, p.st.label_size, color=p.st.label_color)
            b2 = p.text((b1[2] + 12, y), printed, p.st.label_size + 2, color=p.st.value_color)
            y = max(b1[3], b2[3]) + 14
            continue
        lab = rng.choice(PHONE_LABELS_F[key] + LABELS[key])
        if right_num:
            lb = p.text(
                (40, y), lab, p.st.label_size, color=p.st.label_color, key=key, role="label"
            )
            vb = p.value(560, y, printed, key, truth, anchor="ra")
            y = max(lb[3], vb[3]) + 14
        else:
            y = p.pair(40, y, lab, printed, key, truth, below=below)[3] + 14
    return y


def _back_f(
    front: Pen, color: Color, payer: str, payer_at: str, pbm: str | None, *, licensee: bool = False
) -> None:
    """A card back: the payer as a band, a title, a bottom-right mark or not at all; phones,
    claims address, payer id; the PBM in the footer."""
    d, st = front.d, front.st
    assert d.back is not None
    p, rng = Pen(d, d.back, st), d.rng
    y = 30.0
    if payer_at == "band":
        d.back.rect((0, 0, CARD_W, 64), color)
        p.value(40, 32, payer, "payer_name", size=28, color=WHITE, anchor="lm")
        y = 86.0
    elif payer_at == "title":
        y = p.value(40, y, payer, "payer_name", size=rng.choice((26, 30)), color=color)[3] + 20
    y = _phones(p, y)
    yr = {"band": 96.0, "title": 90.0}.get(payer_at, 40.0)
    if rng.random() < 0.75:
        yr = d.claims_address(d.back, st, rng, 620, yr, 22) + 14
    if rng.random() < 0.6:
        yr = p.pair(620, yr, label(rng, "payer_id"), vals.payer_id(rng), "payer_id")[3] + 14
    y = max(y, yr) + 4
    floor = CARD_H - 24.0
    if payer_at == "corner":
        floor = _mark(p, CARD_W - 30, floor, payer, "payer_name", color, size=24)[1] - 12
    if pbm is not None:
        b = p.value(40, floor, pbm, "pbm_name", size=22, color=color, anchor="ls")
        floor = min(floor, p.text((40, b[1] - 6), "Prescriptions managed by", anchor="ls")[1] - 10)
    lines = rng.sample(TEXT_F, 3)
    if licensee:
        lines.insert(0, rng.choice(LICENSEE))
    for line in lines:
        if y + 22 > floor:
            break
        y = p.text((40, y), line)[3] + 8


def _colors(rng: random.Random) -> tuple[Color, Color]:
    main = jitter(rng, rng.choice(((0, 80, 130), (110, 30, 60), (0, 105, 90), (60, 50, 120))))
    accent = jitter(rng, rng.choice(((225, 120, 20), (200, 40, 60), (40, 150, 200))))
    return main, accent


def _start(
    layout: str,
    rng: random.Random,
    fonts: tuple[str, str],
    sizes: tuple[int, int],
    bg: Color = WHITE,
) -> Pen:
    st = Style(pick_fonts(rng, *fonts), (70, 70, 70), (0, 0, 0), *sizes)
    d = Draft(layout, rng, Canvas(bg=bg), Canvas())
    return Pen(d, d.front, st)


def _name(
    p: Pen, x: float, y: float, p_bare: float, styles: tuple[str, ...]
) -> tuple[Box, str, str]:
    """The member's name, bare and large or with a label; (box, name, last name)."""
    name, last = person_name(p.rng, styles)
    if p.rng.random() < p_bare:
        return p.value(x, y, name, "member_name", size=p.rng.choice((28, 32))), name, last
    lab = p.rng.choice(NAME_LABELS_F)
    return p.pair(x, y, lab, name, "member_name", below=not lab.endswith(":")), name, last


def regional_wordmark(rng: random.Random) -> Draft:
    """Regional insurer: the wordmark top left / centre / right, in the bottom-right corner
    or on the back; plan under it, in the other top corner or labelled."""
    main, accent = _colors(rng)
    fonts = (rng.choice(("sans", "serif")), rng.choice(("sans", "sans2")))
    p = _start("regional_wordmark", rng, fonts, (20, 24))
    payer, plan, pbm, employer = payer_name(rng), plan_name(rng), pbm_name(rng), employer_name(rng)
    payer_at = rng.choice(("left", "centre", "right", "corner", "back"))
    plan_at = rng.choice(("under", "labelled", "corner"))
    if plan_at == "under" and payer_at not in ("left", "centre"):
        plan_at = "labelled"
    size = rng.choice((30, 34, 38))
    b: Box = (30.0, 20.0, 30.0, 30.0)
    if payer_at == "left":
        logo(p.cv, rng, rng.choice(LOGO_KINDS), (28, 20), 56, main, accent)
        b = p.value(96, 48, payer, "payer_name", size=size, color=main, anchor="lm")
    elif payer_at == "centre":
        b = p.value(CARD_W / 2, 22, payer, "payer_name", size=size, color=main, anchor="ma")
    elif payer_at == "right":
        b = _mark(p, CARD_W - 30, 56, payer, "payer_name", main, size=size - 4)
    head = b[3]
    at_x, anchor = {"left": (96.0, "la"), "centre": (CARD_W / 2, "ma")}.get(payer_at, (982.0, "ra"))
    if payer_at in ("left", "centre", "right") and rng.random() < 0.45:
        head = p.text((at_x, head + 6), tagline(rng), anchor=anchor)[3]
    if plan_at == "under":
        bold = rng.random() < 0.6
        head = p.value(
            at_x, head + 8, plan, "plan_name", size=22, color=accent, anchor=anchor, bold=bold
        )[3]
    elif plan_at == "corner":
        x, anchor = (30.0, "la") if payer_at == "right" else (CARD_W - 30.0, "ra")
        if payer_at == "centre" or b[2] > CARD_W - 60 - p.width(plan, 24):
            plan_at = "labelled"
        else:
            head = max(
                head, p.value(x, 28, plan, "plan_name", size=24, color=accent, anchor=anchor)[3]
            )
    y = top = max(head + 26, 110.0)
    # Left column: member, ids, plan, employer.
    nb, name, last = _name(p, 30, y, 0.4, ("upper", "title", "last_first"))
    y = nb[3] + 14
    below = rng.random() < 0.3
    grp = vals.group_number(rng, rng.choice(("digits", "alnum", "dash")))
    for key, printed in (("member_id", member_id(rng)), ("group_number", grp)):
        y = p.pair(30, y, label(rng, key), printed, key, below=below)[3] + 12
    if plan_at == "labelled":
        lab = rng.choice((*PLAN_LABELS_F, "Plan Name", "Product"))
        y = p.pair(30, y, lab, plan, "plan_name", below=not lab.endswith(":"))[3] + 12
    emp_at = rng.choice(("pair", "sponsored", "none"))
    if emp_at == "pair":
        y = _employer_pair(p, 30, y, employer)[3] + 12
    if rng.random() < 0.35 and y < 440:
        y = _eff(p, 30, y)[3] + 12
    # Right column: the PBM over its Rx ids, copays under them.
    pbm_at = rng.choice(("over", "bottom", "back", "none"))
    yr = top
    if pbm_at == "over":
        yr = p.value(600, yr, pbm, "pbm_name", size=rng.choice((22, 26)), color=main)[3] + 12
    yr = _rx_lines(p, 600, yr, rx_id=rng.random() < 0.3)[3] + 18
    floor = CARD_H - 28.0
    table = rng.random() < 0.5 and y < floor - 120
    if table:
        _copay_table(
            p, 30, rng.choice((y + 16, max(y + 16, floor - 118))), table_copays(rng, 4), 19
        )
    elif yr < 360:
        header = rng.choice(("Copays", None))
        copay_block(
            p.d, p.cv, p.st, 600, yr, vals.copays(rng, 4), col_w=190, header=header, size=19
        )
    elif rng.random() < 0.5:
        _badge(p, CARD_W - 30, yr, rng.choice(PLAN_TYPES_F), "plan_type", accent)
    # Bottom line: employer or PBM left, the payer's corner mark right.
    if emp_at == "sponsored":
        _sponsored(p, 30, floor, employer)
    elif pbm_at == "bottom":
        p.value(30, floor, pbm, "pbm_name", size=22, color=accent, anchor="ls")
    if payer_at == "corner":
        _mark(p, CARD_W - 30, floor, payer, "payer_name", main, size=22)
    if rng.random() < 0.3 and emp_at != "sponsored" and y < 430 and not table:
        _dependents(p, 30, y, name, last)
    back_at = rng.choice(("band", "title") if payer_at == "back" else ("band", "title", "none"))
    _back_f(p, main, payer, back_at, pbm if pbm_at == "back" else None)
    return p.d


def coop_table(rng: random.Random) -> Draft:
    """A co-op or mutual's card printed as tables: ids, Rx ids and copays each a row of
    labels over a row of values; the payer in the header band."""
    main, accent = _colors(rng)
    p = _start("coop_table", rng, (rng.choice(("sans", "narrow")), "sans"), (19, 25))
    payer, plan, pbm, employer = payer_name(rng), plan_name(rng), pbm_name(rng), employer_name(rng)
    p.cv.rect((0, 0, CARD_W, 76), main)
    if rng.random() < 0.4:
        b = p.value(CARD_W / 2, 38, payer, "payer_name", size=32, color=WHITE, anchor="mm")
        right = float(CARD_W)
    else:
        logo(p.cv, rng, rng.choice(LOGO_KINDS), (24, 12), 52, WHITE, accent)
        b = p.value(90, 38, payer, "payer_name", size=32, color=WHITE, anchor="lm")
        right = b[2]
    plan_at = rng.choice(("table", "table", "band", "badge"))
    ptype = rng.choice(PLAN_TYPES_F) if rng.random() < 0.5 else None
    if plan_at == "band" and right + p.width(plan, 24) > CARD_W - 80:
        plan_at = "table"
    if plan_at == "band":
        p.value(CARD_W - 30, 38, plan, "plan_name", size=24, color=WHITE, anchor="rm", bold=False)
    y = 96.0
    emp_at = rng.choice(("header", "pair", "sponsored", "none"))
    if emp_at == "header":
        y = p.value(30, y, employer.upper(), "employer", size=20, color=main)[3] + 14
    nb, name, last = _name(p, 30, y, 0.5, ("upper", "title"))
    if plan_at == "badge":
        _badge(p, CARD_W - 30, y - 4, plan, "plan_name", accent, size=22)
    y = nb[3] + 20
    id_labels = rng.choice(ID_TABLE_LABELS)
    grp = vals.group_number(rng, rng.choice(("digits", "alnum")))
    cols: list[tuple[str, str, str, Any]] = [
        (id_labels[0], member_id(rng), "member_id", None),
        (id_labels[1], grp, "group_number", None),
    ]
    if plan_at == "table":
        cols.append(
            (rng.choice(("Plan", "Product", "Network", "Plan Name")), plan, "plan_name", None)
        )
    elif ptype is not None:
        cols.append((rng.choice(("Plan", "Plan Type", "Type")), ptype, "plan_type", None))
        ptype = None
    if rng.random() < 0.4:
        eff = vals.first_of_month(rng, 2021, 2026)
        lab = rng.choice(("Effective", "Eff Date"))
        cols.append((lab, vals.format_date(eff, "mdy"), "effective_date", eff.isoformat()))
    y = _table(p, 30, y, cols, gap=rng.choice((40, 56)))[3] + 22
    rx = _rx_table(p, 30, y)
    pbm_at = rng.choice(("beside", "corner", "back", "none"))
    if pbm_at == "beside" and rx[2] + 50 + p.width(pbm, 24) < CARD_W - 30:
        mid = (rx[1] + rx[3]) / 2
        p.value(CARD_W - 30, mid, pbm, "pbm_name", size=24, color=main, anchor="rm")
    elif pbm_at == "beside":
        pbm_at = "corner"
    y = rx[3] + 22
    if ptype is not None:
        _badge(p, CARD_W - 30, y, ptype, "plan_type", main, outline=True)
    if rng.random() < 0.7:
        if rng.random() < 0.4:
            head = rng.choice(("Copays", "Your Copays"))
            y = p.text((30, y), head, 19, bold=True, key="copays", role="label")[3] + 8
        items = table_copays(rng, rng.choice((3, 4, 5)))
        y = _copay_table(p, 30, y, items, rng.choice((18, 20)))[3] + 18
    floor = CARD_H - 26.0
    if emp_at == "pair" and y < floor - 70:
        _employer_pair(p, 30, y, employer)
    elif emp_at == "sponsored":
        _sponsored(p, 30, floor, employer)
    elif rng.random() < 0.35 and y < floor - 90:
        _dependents(p, 30, y, name, last)
    if pbm_at == "corner":
        _mark(p, CARD_W - 30, floor, pbm, "pbm_name", accent, size=20)
    back_at = rng.choice(("band", "title", "corner", "none"))
    _back_f(p, main, payer, back_at, pbm if pbm_at == "back" else None)
    return p.d


def blue_licensee(rng: random.Random) -> Draft:
    """A Blue plan: "Blue Cross of <State>" in a band or beside cross-and-shield marks, the
    licensee line, a prefixed member id, the plan in a stripe, a badge or labelled."""
    blue = jitter(rng, rng.choice(((0, 84, 164), (0, 60, 130), (20, 100, 180))))
    p = _start("blue_licensee", rng, (rng.choice(("sans2", "sans")), "sans"), (20, 26))
    p.st.label_color = jitter(rng, (0, 50, 100), 10)
    payer, plan = payer_name(rng, blue=True), plan_name(rng, blue=True)
    pbm, employer = pbm_name(rng), employer_name(rng)
    payer_at = rng.choice(("band", "left", "centre"))
    color = WHITE if payer_at == "band" else blue
    if payer_at == "band":
        p.cv.rect((0, 0, CARD_W, 96), blue)
    if payer_at == "centre":
        b = p.value(CARD_W / 2, 20, payer, "payer_name", size=32, color=color, anchor="ma")
    else:
        inner = blue if payer_at == "band" else WHITE
        logo(p.cv, rng, "cross", (26, 18), 58, color, inner)
        logo(p.cv, rng, "shield", (92, 18), 58, color, inner)
        size = rng.choice((30, 34))
        b = p.value(166, 47, payer, "payer_name", size=size, color=color, anchor="lm")
    y = max(b[3], 96.0 if payer_at == "band" else 0.0) + 14
    if payer_at == "centre" and rng.random() < 0.5:
        y = p.text((CARD_W / 2, b[3] + 6), rng.choice(LICENSEE), 15, anchor="ma")[3] + 14
    plan_at = rng.choice(("stripe", "badge", "labelled"))
    if plan_at == "stripe":
        p.cv.rect((0, y, CARD_W, y + 44), jitter(rng, (215, 230, 245), 8))
        p.value(30, y + 22, plan, "plan_name", size=24, color=blue, anchor="lm")
        y += 60
    emp_at = rng.choice(("above", "pair", "none"))
    if emp_at == "above":
        y = p.value(30, y, employer.upper(), "employer", size=19, bold=False, color=GREY)[3] + 10
    name, _ = person_name(rng, ("upper",))
    b = p.value(30, y, name, "member_name", size=rng.choice((28, 30)))
    top = b[1]
    if plan_at == "badge":
        _badge(p, CARD_W - 30, top, plan, "plan_name", blue, size=22)
    y = b[3] + 16
    prefix = vals.letters(rng, 3)
    number = rng.choice(
        (vals.digits(rng, 9), "W" + vals.digits(rng, 8), vals.digits(rng, 8) + "01")
    )
    printed = f"{prefix}{number}" if rng.random() < 0.5 else f"{prefix} {number}"
    lab = rng.choice(("Identification Number", "Member ID", "ID", "Subscriber ID"))
    b = p.pair(30, y, lab, printed, "member_id", printed.replace(" ", ""), below=rng.random() < 0.5)
    p.d.set("member_id_prefix", prefix)
    lab = label(rng, "group_number", ("Group No.", "Group", "Group Number"))
    y = p.pair(30, b[3] + 12, lab, vals.group_number(rng), "group_number")[3] + 12
    if plan_at == "labelled":
        y = p.pair(30, y, rng.choice(PLAN_LABELS_F), plan, "plan_name")[3] + 12
    if emp_at == "pair":
        y = _employer_pair(p, 30, y, employer)[3] + 12
    # Right: plan type in an outline box, Rx ids under it.
    yr = top + (60 if plan_at == "badge" else 0)
    if rng.random() < 0.7:
        ptype = rng.choice(PLAN_TYPES_F)
        yr = _badge(p, CARD_W - 40, yr, ptype, "plan_type", blue, size=30, outline=True)[3] + 18
    pbm_at = rng.choice(("over", "corner", "back"))
    if pbm_at == "over":
        yr = p.value(620, yr, pbm, "pbm_name", size=22, color=blue)[3] + 10
    _rx_lines(p, 620, yr, rx_id=rng.random() < 0.4)
    floor = CARD_H - 24.0
    if rng.random() < 0.5:
        p.cv.rect((0, CARD_H - 40, CARD_W, CARD_H), blue)
        floor = CARD_H - 52.0
    if pbm_at == "corner":
        _mark(p, CARD_W - 30, floor, pbm, "pbm_name", blue, size=20)
    if rng.random() < 0.6 and y < floor - 80:
        items = vals.copays(rng, rng.choice((2, 3, 4)))
        copay_block(p.d, p.cv, p.st, 30, y + 16, items, col_w=220, header=None, size=19)
    elif payer_at != "centre" and y < floor - 30:
        p.text((30, floor), rng.choice(LICENSEE), 15, anchor="ls")
    back_at = rng.choice(("band", "title", "none"))
    _back_f(p, blue, payer, back_at, pbm if pbm_at == "back" else None, licensee=True)
    return p.d


def hmo_group(rng: random.Random) -> Draft:
    """HMO card: headed by the employer or the plan, the payer small in a corner or on the
    back; PCP line, a copay table in a tinted box, Rx ids in one row or as a table."""
    main, accent = _colors(rng)
    fonts = ("sans", rng.choice(("sans", "narrow")))
    p = _start("hmo_group", rng, fonts, (20, 25), jitter(rng, (252, 251, 247), 3))
    payer, plan, pbm, employer = payer_name(rng), plan_name(rng), pbm_name(rng), employer_name(rng)
    payer_at = rng.choice(("right", "corner", "back", "centre"))
    head_at = rng.choice(("employer", "plan")) if payer_at != "centre" else "plan"
    if payer_at == "centre":
        b = p.value(CARD_W / 2, 28, payer, "payer_name", size=30, color=main, anchor="ma")
        b = p.value(CARD_W / 2, b[3] + 8, plan, "plan_name", size=22, color=accent, anchor="ma")
    else:
        text, key = (employer, "employer") if head_at == "employer" else (plan, "plan_name")
        b = p.value(30, 28, text, key, size=rng.choice((28, 32)), color=main)
        if payer_at == "right" and b[2] + 80 + p.width(payer, 22) < CARD_W - 30:
            _mark(p, CARD_W - 30, b[3], payer, "payer_name", main, size=22)
        elif payer_at == "right":
            payer_at = "corner"
    y = b[3] + 20
    bx = _badge(
        p, CARD_W - 30, y, rng.choice(("HMO", "HMO", "POS", "EPO")), "plan_type", accent, 28
    )
    name, _ = person_name(rng, ("upper", "title", "last_first"))
    lab = rng.choice(("Member:", "Member Name", "Name:", "Patient"))
    y = p.pair(30, y, lab, name, "member_name", below=not lab.endswith(":"))[3] + 12
    below = rng.random() < 0.3
    for key, printed in (
        ("member_id", member_id(rng)),
        ("group_number", vals.group_number(rng, "alpha")),
    ):
        y = p.pair(30, y, label(rng, key), printed, key, below=below)[3] + 12
    if head_at == "employer" and payer_at != "centre":
        y = p.pair(30, y, rng.choice(PLAN_LABELS_F), plan, "plan_name")[3] + 12
    elif rng.random() < 0.5:
        y = _employer_pair(p, 30, y, employer)[3] + 12
    first, _, last = vals.person(rng)
    color = p.st.label_color
    yr = p.text((580, bx[3] + 16), f"PCP: Dr. {first} {last}", 19, color=color)[3] + 6
    if rng.random() < 0.6:
        num = vals.format_phone(vals.phone(rng, toll_free=False), "paren")
        yr = p.text((580, yr), f"PCP Phone {num}", 18, color=color)[3] + 6
    yr += 14
    pbm_at = rng.choice(("near", "back", "none"))
    if rng.random() < 0.5:
        rb = _rx_table(p, 30, max(y + 6, yr))
        if pbm_at == "near" and rb[2] + 40 + p.width(pbm, 22) < CARD_W - 30:
            mid = (rb[1] + rb[3]) / 2
            p.value(rb[2] + 40, mid, pbm, "pbm_name", size=22, color=main, anchor="lm")
        elif pbm_at == "near":
            pbm_at = "back"
    else:
        if pbm_at == "near":
            yr = p.value(580, yr, pbm, "pbm_name", size=22, color=main)[3] + 8
        rb = _rx_lines(p, 580, yr)
    y = max(y, rb[3]) + 18
    floor = CARD_H - 24.0
    if payer_at == "corner":
        _mark(p, CARD_W - 30, floor, payer, "payer_name", main, size=22)
    if "employer" not in p.d.truth and rng.random() < 0.5:
        _sponsored(p, 30, floor, employer)
    if y < floor - 110:
        y = rng.choice((y, floor - 114))
        p.cv.rect((20.0, y, CARD_W - 20.0, y + 74), jitter(rng, (232, 238, 242), 6), radius=8)
        _copay_table(p, 40, y + 8, table_copays(rng, rng.choice((3, 4, 5))), 18)
    back_at = "title" if payer_at == "back" else rng.choice(("band", "title", "corner", "none"))
    _back_f(p, main, payer, back_at, pbm if pbm_at == "back" else None)
    return p.d


LAYOUTS = {
    "regional_wordmark": regional_wordmark,
    "coop_table": coop_table,
    "blue_licensee": blue_licensee,
    "hmo_group": hmo_group,
}
