"""Card layouts, part E (training only): free-text fields where real national cards put them.

The line model learns what a payer, plan, PBM or employer line looks like from where it
sits and what is around it; the other training layouts put those lines in few places.
These move them, after common US card designs:

- ``national_band``: a national commercial card. The plan name is a coloured band; the
  payer is the title, a small mark inside the band, or printed on the back only; the
  employer is in the band or a line above the member; the PBM is a logo in the bottom
  right corner, far from the Rx ids (or in the back's footer).
- ``ma_group``: a Medicare Advantage card. The plan name is a second line under the
  payer, a footer band or a top-right line; a retiree group plan's employer sits under
  "Sponsored by"; the PBM mark stands beside the BIN block; a CMS contract code.
- ``metal_exchange``: a marketplace card. A large bare member name, the payer small in
  a corner, in the footer band or on the back only; the metal-tier plan under the name,
  as a pill or in the footer; the PBM as a corner mark or on the back.
- ``tpa_network``: a self-funded plan run by an administrator. The employer fills the
  header band or a line above the member; the plan name is under the header, labelled or
  a footer; a rental-network mark (not a field) and the administrator in bottom slots.

Non-field text (web addresses, app prompts, fine print, network marks) avoids the label
words ("Member", "Plan", "Pharmacy", "Group", "Network"...), which extraction reads as
labels. Names are invented here and differ from the other layouts' lists.
"""

from __future__ import annotations

import random

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import Draft, Style, dependents_block, label
from eligo.cards.synth.layouts_a import copay_block, person_name, pick_fonts, relative_name
from eligo.cards.synth.render import (
    CARD_H,
    CARD_W,
    LOGO_KINDS,
    Box,
    Canvas,
    Color,
    jitter,
    logo,
    union,
)

WHITE: Color = (255, 255, 255)

PAYERS_E = (
    "Brightpath Health",
    "Lumen Health Insurance",
    "Harborlight Health",
    "Cobalt Health Plans",
    "Northstar Mutual",
    "Trillium Coast Health",
    "Sagebrush Health Co",
)
MA_PAYERS_E = (
    "Evergold Health",
    "Hearthstone Senior Health",
    "Beacon Senior Care",
    "Silverpine Health",
    "Lakemont Health Alliance",
)
EXCHANGE_PAYERS_E = (
    "Brightpath Health",
    "Kestrel Health",
    "Ambrook Health Plan",
    "Pelican State Health",
    "Fernway Health",
)
TPAS_E = (
    "Alder Benefit Services",
    "Cobblestone Claims Administration",
    "Pinnacle Plan Administrators",
    "Tidewell Benefits",
    "Lodestar Benefit Group",
)
PLANS_E = (
    "Open Access Choice",
    "Select Plus",
    "Navigate Balanced",
    "Choice Flex",
    "Core Advantage",
    "Smart Value",
    "Premier Access",
    "Choice Fund HSA",
    "Local Plus",
)
MA_PLANS_E = (
    "Senior Choice Plus",
    "Gold Advantage",
    "Retiree Select",
    "Complete Care",
    "Medicare Advantage Choice",
    "Group Retiree Advantage",
    "Heritage Value",
)
METAL_PLANS_E = (
    "Bronze Saver",
    "Silver Classic",
    "Gold Essential",
    "Silver 73 Value",
    "Bronze Simple",
    "Platinum Plus",
    "Silver Standard",
)
TPA_PLANS_E = ("Base Plan", "Buy-Up Plan", "HDHP with HSA", "Core Plan", "Plan B", "Value Option")
PBMS_E = (
    "Capstone Rx",
    "ScriptBridge",
    "MedSpan Rx",
    "Navara Health Solutions",
    "Keel Therapeutics",
    "Elevate Rx",
    "ProxiScript",
)
EMPLOYERS_E = (
    "Halvorsen Marine Supply",
    "County of Bexley",
    "Tamarack Software Inc",
    "St. Brendan Parish School",
    "Copperfield Logistics",
    "Ardent Home Health",
    "Millbrook Paper Co",
    "Ridgeway Fire District",
    "Lantern Hill Hotels",
    "Osprey Bay Seafoods",
    "State Teachers Retirement System",
    "Valley Electric Retirees",
)
NETWORKS_E = ("PrimeWay Access", "Horizon Link", "Cardinal Alliance", "FirstAccess", "OpenReach")
# Real cards' side text; none of it starts with a field label.
TEXT_E = (
    "Download the app to see your digital card",
    "Virtual visits available 24/7",
    "Nurse advice line open 24 hours a day",
    "Carry this card with you at all times.",
    "Show this card before you receive care.",
    "Benefits are subject to the terms of your coverage.",
    "Emergencies: dial 911 or go to the nearest hospital.",
    "Este documento no garantiza cobertura.",
    "Accepted by doctors and hospitals nationwide",
    "Report lost or stolen cards online.",
)
SPONSOR_LINES = (
    "Sponsored by",
    "Coverage sponsored by",
    "Offered through",
    "Retiree coverage from",
)
PBM_LEADS = ("Prescription drug benefits administered by", "Prescriptions managed by")


def _site(rng: random.Random, brand: str) -> str:
    """A web address built on the payer's brand, as real cards print them."""
    slug = brand.split()[0].lower()
    return rng.choice(
        (f"www.{slug}.example.com", f"Sign in at {slug}.example.com", f"{slug}health.example")
    )


def _rx_entries(rng: random.Random) -> list[tuple[str, str]]:
    return [
        ("rx_bin", vals.rx_bin(rng)),
        ("rx_pcn", vals.rx_pcn(rng)),
        ("rx_group", vals.rx_group(rng)),
    ]


def _rx_labels(rng: random.Random) -> tuple[str, str, str]:
    return rng.choice(
        (("RxBIN", "RxPCN", "RxGRP"), ("BIN", "PCN", "GRP"), ("Rx BIN:", "Rx PCN:", "Rx Grp:"))
    )


def _rx_column(
    d: Draft,
    cv: Canvas,
    st: Style,
    x: float,
    y: float,
    entries: list[tuple[str, str]],
    labels: tuple[str, ...],
    value_dx: float = 110,
) -> Box:
    """Rx ids down a column, values aligned; returns the block's box."""
    boxes = []
    for (key, val), lab in zip(entries, labels, strict=False):
        b = d.pair(cv, st, x, y, lab, val, key, value_x=x + value_dx)
        boxes.append(b)
        y = b[3] + 10
    return union(boxes)


def _rx_row(d: Draft, cv: Canvas, st: Style, x: float, y: float) -> Box:
    """BIN, PCN and Grp side by side on one line, as many national cards print them."""
    boxes = []
    for (key, val), lab in zip(_rx_entries(d.rng), _rx_labels(d.rng), strict=True):
        b = d.pair(cv, st, x, y, lab, val, key, gap=8, vsize=st.value_size - 2)
        boxes.append(b)
        x = b[2] + 30
    return union(boxes)


def _name(
    d: Draft, cv: Canvas, st: Style, x: float, y: float, labels: tuple[str, ...], p_bare: float
) -> Box:
    """The member's name, bare and large or under/beside a label."""
    rng = d.rng
    name, _ = person_name(rng, ("upper", "title", "upper"))
    if rng.random() < p_bare:
        return d.value(cv, st, x, y, name, "member_name", size=rng.choice((28, 32)))
    lab = rng.choice(labels)
    return d.pair(cv, st, x, y, lab, name, "member_name", below=not lab.endswith(":"))


def _employer_line(d: Draft, cv: Canvas, st: Style, x: float, y: float, employer: str) -> Box:
    """A bare employer line, sometimes under a small "Sponsored by" line."""
    rng = d.rng
    if rng.random() < 0.5:
        b = d.text(cv, (x, y), rng.choice(SPONSOR_LINES), st.lfont(18), st.label_color)
        y = b[3] + 5
    printed = employer.upper() if rng.random() < 0.4 else employer
    return d.value(
        cv, st, x, y, printed, "employer", size=rng.choice((20, 22)), bold=rng.random() < 0.5
    )


def _phones(d: Draft, cv: Canvas, st: Style, x: float, y: float, value_x: float | None) -> float:
    """Customer-service (always) and other phone pairs down a column; returns the bottom."""
    rng = d.rng
    style = rng.choice(vals.PHONE_STYLES)
    keys = ["phone_customer_service"] + [
        k for k in ("phone_provider", "phone_pharmacy") if rng.random() < 0.7
    ]
    for key in keys:
        num = vals.phone(rng)
        b = d.pair(
            cv,
            st,
            x,
            y,
            label(rng, key),
            vals.format_phone(num, style),
            key,
            vals.canonical_phone(num),
            value_x=value_x,
        )
        y = b[3] + 14
    return y


def _back(
    d: Draft,
    st: Style,
    color: Color,
    *,
    payer: str,
    payer_at: str,
    pbm: str | None = None,
) -> None:
    """A card back: phones, claims address, web and fine print; the payer as the header
    (``payer_at="top"``) or a mark in the bottom-right corner (``"corner"``); an optional
    PBM line in the footer."""
    rng = d.rng
    cv = d.back
    assert cv is not None
    y = 30.0
    if payer_at == "top":
        b = d.value(cv, st, 40, y, payer, "payer_name", size=rng.choice((26, 30)), color=color)
        y = b[3] + 22
    elif rng.random() < 0.5:
        b = d.text(cv, (40, y), _site(rng, payer), st.lfont(22, True), color)
        y = b[3] + 22
    value_x = None if rng.random() < 0.5 else 330.0
    y = _phones(d, cv, st, 40, y, value_x)
    yr = 30.0 if payer_at != "top" else 90.0
    if rng.random() < 0.6:
        yr = d.claims_address(cv, st, rng, 620, yr, 22) + 14
    if rng.random() < 0.5:
        b = d.pair(cv, st, 620, yr, label(rng, "payer_id"), vals.payer_id(rng), "payer_id")
        yr = b[3] + 14
    y = max(y, yr) + 6
    # The footer: PBM and corner payer, drawn from the bottom up; fine print fills above.
    floor = CARD_H - 26.0
    if payer_at == "corner":
        b = d.value(
            cv, st, CARD_W - 30, floor, payer, "payer_name", size=26, color=color, anchor="rs"
        )
        floor = b[1] - 12
    if pbm is not None:
        b = d.value(cv, st, 40, floor, pbm, "pbm_name", size=rng.choice((22, 26)), anchor="ls")
        top = b[1]
        if rng.random() < 0.6:
            lead = d.text(
                cv, (40, top - 6), rng.choice(PBM_LEADS), st.lfont(17), (90, 90, 90), anchor="ls"
            )
            top = lead[1]
        floor = min(floor, top - 12)
    small = st.lfont(17)
    for line in rng.sample(TEXT_E, 3):
        if y + 24 > floor:
            break
        b = d.text(cv, (40, y), line, small, (90, 90, 90))
        y = b[3] + 8


def national_band(rng: random.Random) -> Draft:
    """National commercial card: plan band, payer as title / in the band / on the back,
    PBM mark in the bottom-right corner."""
    main = jitter(rng, rng.choice(((0, 70, 140), (120, 20, 80), (0, 100, 110), (70, 40, 130))))
    accent = jitter(rng, rng.choice(((220, 60, 40), (230, 130, 0), (0, 140, 80))))
    d = Draft("national_band", rng, Canvas(), Canvas())
    st = Style(
        pick_fonts(rng, rng.choice(("sans", "sans2")), rng.choice(("sans", "narrow"))),
        (80, 80, 80),
        (0, 0, 0),
        20,
        25,
    )
    cv = d.front
    payer = rng.choice(PAYERS_E)
    plan = rng.choice(PLANS_E)
    employer = rng.choice(EMPLOYERS_E + vals.EMPLOYERS)
    payer_at = rng.choice(("title", "band", "back"))
    y = 0.0
    if payer_at == "title":
        logo(cv, rng, rng.choice(LOGO_KINDS), (28, 18), 56, main, accent)
        size = rng.choice((32, 38))
        d.value(cv, st, 98, 46, payer, "payer_name", size=size, color=main, anchor="lm")
        y = 88.0
    band_h = 58.0
    cv.rect((0, y, CARD_W, y + band_h), main)
    mid = y + band_h / 2
    d.value(cv, st, 30, mid, plan, "plan_name", size=rng.choice((24, 28)), color=WHITE, anchor="lm")
    has_employer = False
    if payer_at == "band":
        d.value(cv, st, CARD_W - 30, mid, payer, "payer_name", size=24, color=WHITE, anchor="rm")
    elif rng.random() < 0.5:
        d.value(
            cv,
            st,
            CARD_W - 30,
            mid,
            employer.upper(),
            "employer",
            size=20,
            bold=False,
            color=WHITE,
            anchor="rm",
        )
        has_employer = True
    top = y + band_h + 22
    y = top
    if not has_employer and rng.random() < 0.5:
        b = _employer_line(d, cv, st, 30, y, employer)
        y = b[3] + 16
        has_employer = True
    b = _name(d, cv, st, 30, y, ("Name", "Member", "Member Name", "Name:"), 0.5)
    y = b[3] + 16
    mid_value = rng.choice(
        (
            vals.letters(rng, 1) + vals.digits(rng, 8),
            vals.digits(rng, 11),
            "W" + vals.digits(rng, 9),
        )
    )
    b1 = d.pair(
        cv,
        st,
        30,
        y,
        rng.choice(("Member ID", "ID", "ID Number", "Identification #")),
        mid_value,
        "member_id",
        below=True,
    )
    b2 = d.pair(
        cv,
        st,
        340,
        y,
        rng.choice(("Group", "Group Number", "Group #")),
        vals.group_number(rng, rng.choice(("digits", "alnum"))),
        "group_number",
        below=True,
    )
    y = max(b1[3], b2[3]) + 14
    if rng.random() < 0.5:
        eff = vals.first_of_month(rng, 2021, 2026)
        b = d.pair(
            cv,
            st,
            30,
            y,
            label(rng, "effective_date"),
            vals.format_date(eff, "mdy"),
            "effective_date",
            eff.isoformat(),
        )
        y = b[3] + 14
    if not has_employer and rng.random() < 0.4 and y < 390:
        b = d.pair(
            cv, st, 30, y, rng.choice(("Employer", "Group Name")), employer, "employer", below=True
        )
        y = b[3] + 14
    # Right column: a plan-type word and copays.
    yr = top
    if rng.random() < 0.4:
        ptype = rng.choice(("PPO", "POS", "EPO", "HMO"))
        b = d.value(cv, st, CARD_W - 40, yr, ptype, "plan_type", size=30, color=main, anchor="ra")
        yr = b[3] + 16
    if rng.random() < 0.7:
        copay_block(
            d,
            cv,
            st,
            640,
            yr,
            vals.copays(rng, rng.choice((3, 4))),
            cols=1,
            header=rng.choice(("Copays", "Office Copays", None)),
            size=20,
        )
    # Bottom: the Rx ids on the left, the PBM's mark far away in the right corner.
    pbm = rng.choice(PBMS_E + vals.PBM_NAMES)
    y = max(y + 6, 450.0)
    if rng.random() < 0.5:
        _rx_row(d, cv, st, 30, y)
        if rng.random() < 0.5:
            d.text(cv, (30, CARD_H - 28), _site(rng, payer), st.lfont(18), main, anchor="ls")
    else:
        _rx_column(d, cv, st, 30, y, _rx_entries(rng), _rx_labels(rng))
    pbm_front = rng.random() < 0.7
    if pbm_front:
        size = rng.choice((28, 34))
        d.value(
            cv, st, CARD_W - 30, CARD_H - 28, pbm, "pbm_name", size=size, color=accent, anchor="rs"
        )
    _back(
        d,
        st,
        main,
        payer=payer,
        payer_at="corner" if payer_at == "back" and rng.random() < 0.5 else "top",
        pbm=None if pbm_front else pbm,
    )
    return d


def ma_group(rng: random.Random) -> Draft:
    """Medicare Advantage card: plan under the payer, in a footer band or top right; a
    retiree group's sponsor; the PBM mark beside the BIN block; a CMS contract code."""
    main = jitter(rng, rng.choice(((0, 60, 120), (0, 100, 100), (90, 30, 100), (30, 90, 40))))
    d = Draft("ma_group", rng, Canvas(bg=jitter(rng, (250, 250, 246), 4)), Canvas())
    st = Style(
        pick_fonts(rng, rng.choice(("sans", "serif")), rng.choice(("sans", "sans2"))),
        (60, 60, 60),
        (0, 0, 0),
        20,
        25,
    )
    cv = d.front
    payer = rng.choice(MA_PAYERS_E)
    plan = rng.choice(MA_PLANS_E)
    logo(cv, rng, rng.choice(LOGO_KINDS), (28, 20), 58, main, jitter(rng, (240, 180, 40)))
    b = d.value(
        cv, st, 100, 49, payer, "payer_name", size=rng.choice((30, 34)), color=main, anchor="lm"
    )
    if rng.random() < 0.6:
        d.text(cv, (CARD_W - 30, 22), "MedicareRx", st.vfont(26, True), main, anchor="ra")
        d.text(
            cv,
            (CARD_W - 30, 56),
            "Prescription Drug Coverage",
            st.lfont(16),
            (80, 80, 80),
            anchor="ra",
        )
    plan_at = rng.choice(("under", "footer", "right"))
    y = b[3] + 26
    if plan_at == "under":
        pb = d.value(
            cv,
            st,
            100,
            b[3] + 8,
            plan,
            "plan_name",
            size=rng.choice((22, 24)),
            bold=rng.random() < 0.5,
        )
        y = pb[3] + 22
    elif plan_at == "right":
        d.value(cv, st, CARD_W - 30, 96, plan, "plan_name", size=24, color=main, anchor="ra")
        y = 140.0
    y = max(y, 110.0)
    b = _name(d, cv, st, 30, y, ("Member", "Member Name", "Name:", "Member:"), 0.5)
    y = b[3] + 14
    b = d.pair(
        cv,
        st,
        30,
        y,
        rng.choice(("Member ID", "Member ID:", "ID#", "ID:")),
        rng.choice((vals.letters(rng, 1) + vals.digits(rng, 8), vals.digits(rng, 9) + "01")),
        "member_id",
    )
    y = b[3] + 14
    if rng.random() < 0.5:
        b = _employer_line(d, cv, st, 30, y, rng.choice(EMPLOYERS_E))
        y = b[3] + 14
        if rng.random() < 0.6:
            b = d.pair(
                cv, st, 30, y, label(rng, "group_number"), vals.group_number(rng), "group_number"
            )
            y = b[3] + 14
    if rng.random() < 0.4 and y < 420:
        eff = vals.first_of_month(rng, 2022, 2026)
        b = d.pair(
            cv,
            st,
            30,
            y,
            rng.choice(("Effective Date", "Eff Date", "Coverage Date")),
            vals.format_date(eff, rng.choice(("mdy", "mdy2"))),
            "effective_date",
            eff.isoformat(),
        )
        y = b[3] + 14
    if rng.random() < 0.4 and y < 440:
        first, _, last = vals.person(rng)
        b = d.text(cv, (30, y), f"PCP: Dr. {first} {last}", st.lfont(19), st.label_color)
        y = b[3] + 14
    # Rx block on the right, the PBM's mark beside it (or above it when it does not fit).
    entries = _rx_entries(rng)
    labels = _rx_labels(rng)
    x = 560.0
    yr = 150.0 if plan_at == "right" else 120.0
    pbm = rng.choice(PBMS_E + vals.PBM_NAMES)
    pfont = st.vfont(24, True)
    right = x + 110 + max(cv.width(v, st.vfont()) for _, v in entries)
    if right + 30 + cv.width(pbm, pfont) < CARD_W - 24:
        rb = _rx_column(d, cv, st, x, yr, entries, labels)
        d.value(
            cv,
            st,
            rb[2] + 30,
            (rb[1] + rb[3]) / 2,
            pbm,
            "pbm_name",
            size=24,
            color=main,
            anchor="lm",
        )
    else:
        b = d.value(cv, st, x, yr, pbm, "pbm_name", size=24, color=main)
        rb = _rx_column(d, cv, st, x, b[3] + 10, entries, labels)
    bottom = max(y, rb[3] + 14)
    if rng.random() < 0.5 and bottom < CARD_H - 150:
        copay_block(
            d,
            cv,
            st,
            30,
            CARD_H - 130,
            vals.copays(rng, 4),
            cols=4,
            col_w=200,
            header=None,
            size=19,
        )
    contract = f"{rng.choice('HR')}{vals.digits(rng, 4, lead_nonzero=True)}-{vals.digits(rng, 3)}"
    if plan_at == "footer":
        cv.rect((0, CARD_H - 56, CARD_W, CARD_H), main)
        d.value(cv, st, 30, CARD_H - 28, plan, "plan_name", size=24, color=WHITE, anchor="lm")
        if rng.random() < 0.6:
            d.value(
                cv,
                st,
                CARD_W - 30,
                CARD_H - 28,
                contract,
                "plan_number",
                size=18,
                bold=False,
                color=WHITE,
                anchor="rm",
            )
    elif rng.random() < 0.6:
        d.value(
            cv,
            st,
            CARD_W - 30,
            CARD_H - 26,
            contract,
            "plan_number",
            size=18,
            bold=False,
            anchor="rs",
        )
    _back(d, st, main, payer=payer, payer_at=rng.choice(("top", "corner")))
    return d


def metal_exchange(rng: random.Random) -> Draft:
    """Marketplace card: big bare name, payer small in a corner / in the footer / on the
    back, metal-tier plan under the name, as a pill or in the footer."""
    main = jitter(rng, rng.choice(((0, 120, 130), (60, 50, 150), (170, 30, 90), (20, 110, 60))))
    d = Draft("metal_exchange", rng, Canvas(), Canvas())
    st = Style(
        pick_fonts(rng, "sans2", rng.choice(("sans", "sans2"))), (90, 90, 90), (10, 10, 10), 19, 24
    )
    cv = d.front
    payer = rng.choice(EXCHANGE_PAYERS_E)
    plan = rng.choice(METAL_PLANS_E)
    pbm = rng.choice(PBMS_E + vals.PBM_NAMES)
    payer_at = rng.choice(("corner", "footer", "back"))
    plan_at = rng.choice(("under", "pill", "footer"))
    if payer_at == "footer":
        plan_at = rng.choice(("under", "pill"))
    pbm_at = (
        rng.choice(("corner", "back", "none"))
        if payer_at != "corner"
        else rng.choice(("back", "none"))
    )
    corner = None
    if payer_at == "corner":
        corner = (payer, "payer_name", main)
    elif pbm_at == "corner":
        corner = (pbm, "pbm_name", (60, 60, 60))
    if corner is not None:
        text, key, color = corner
        size = rng.choice((22, 26))
        w = cv.width(text, st.vfont(size))
        logo(
            cv,
            rng,
            rng.choice(LOGO_KINDS),
            (CARD_W - 30 - w - 46, 22),
            36,
            color,
            jitter(rng, (200, 200, 200)),
        )
        d.value(cv, st, CARD_W - 30, 40, text, key, size=size, color=color, anchor="rm")
    y = 80.0 if corner is not None else 36.0
    name, _ = person_name(rng, ("upper", "title"))
    bare = rng.random() < 0.6
    if bare:
        b = d.value(cv, st, 30, y, name, "member_name", size=rng.choice((30, 34)))
        y = b[3] + 12
    if plan_at == "under":
        b = d.value(cv, st, 30, y, plan, "plan_name", size=22, color=main)
        y = b[3] + 18
    elif plan_at == "pill":
        pf = st.vfont(22, True)
        w = cv.width(plan, pf)
        cv.rect((30, y, 30 + w + 36, y + 40), main, radius=20)
        d.value(cv, st, 48, y + 20, plan, "plan_name", size=22, color=WHITE, anchor="lm")
        y += 58
    else:
        y += 10
    top = y
    if not bare:
        b = d.pair(
            cv,
            st,
            30,
            y,
            rng.choice(("Member", "Name", "Member Name")),
            name,
            "member_name",
            below=True,
        )
        y = b[3] + 14
    b = d.pair(
        cv,
        st,
        30,
        y,
        rng.choice(("Member ID", "ID", "Member ID:", "ID#")),
        vals.letters(rng, rng.choice((1, 2))) + vals.digits(rng, rng.choice((8, 9))),
        "member_id",
        below=rng.random() < 0.5,
    )
    y = b[3] + 14
    if rng.random() < 0.5:
        b = d.pair(
            cv,
            st,
            30,
            y,
            rng.choice(("Group", "Group No.", "Group:")),
            vals.group_number(rng),
            "group_number",
        )
        y = b[3] + 14
    if rng.random() < 0.5:
        b = d.pair(
            cv,
            st,
            30,
            y,
            rng.choice(("Deductible", "Annual Deductible:", "Ind Ded")),
            vals.deductible(rng),
            "deductible",
        )
        y = b[3] + 14
    ptype = rng.random() < 0.5
    if ptype:
        d.value(
            cv,
            st,
            CARD_W - 40,
            top,
            rng.choice(("EPO", "HMO", "PPO")),
            "plan_type",
            size=28,
            color=main,
            anchor="ra",
        )
    footer = plan_at == "footer" or payer_at == "footer"
    limit = CARD_H - (76 if footer else 20)
    rx_row = rng.random() < 0.5
    if rx_row:
        rb = _rx_row(d, cv, st, 30, max(y + 10, limit - 80))
        if rng.random() < 0.6:
            copay_block(
                d,
                cv,
                st,
                600,
                top + (50 if ptype else 0),
                vals.copays(rng, 4),
                cols=2,
                col_w=170,
                header=None,
                size=19,
            )
        if not footer and rng.random() < 0.5:
            d.text(cv, (30, rb[3] + 14), _site(rng, payer), st.lfont(17), main)
    else:
        _rx_column(d, cv, st, 620, top + (60 if ptype else 0), _rx_entries(rng), _rx_labels(rng))
        if rng.random() < 0.5 and y < limit - 110:
            copay_block(
                d, cv, st, 30, y + 6, vals.copays(rng, 4), cols=2, col_w=190, header=None, size=19
            )
    if footer:
        cv.rect((0, CARD_H - 56, CARD_W, CARD_H), main)
        if plan_at == "footer":
            d.value(cv, st, 30, CARD_H - 28, plan, "plan_name", size=24, color=WHITE, anchor="lm")
        else:
            d.text(cv, (30, CARD_H - 28), _site(rng, payer), st.lfont(18), WHITE, anchor="lm")
        if payer_at == "footer":
            d.value(
                cv,
                st,
                CARD_W - 30,
                CARD_H - 28,
                payer,
                "payer_name",
                size=26,
                color=WHITE,
                anchor="rm",
            )
    _back(
        d,
        st,
        main,
        payer=payer,
        payer_at=rng.choice(("top", "corner")),
        pbm=pbm if pbm_at == "back" else None,
    )
    return d


def tpa_network(rng: random.Random) -> Draft:
    """Self-funded plan: employer in the header band or above the member, plan under the
    header / labelled / in a footer slot, a rental-network mark, the administrator."""
    main = jitter(rng, rng.choice(((30, 60, 90), (110, 40, 30), (20, 90, 70), (60, 60, 60))))
    d = Draft("tpa_network", rng, Canvas(), Canvas())
    st = Style(
        pick_fonts(rng, rng.choice(("narrow", "sans")), rng.choice(("sans", "narrow"))),
        (70, 70, 70),
        (0, 0, 0),
        20,
        24,
    )
    cv = d.front
    employer = rng.choice(EMPLOYERS_E[:10] + vals.EMPLOYERS)
    tpa = rng.choice(TPAS_E)
    plan = rng.choice(TPA_PLANS_E)
    emp_at = rng.choice(("header", "above"))
    plan_at = rng.choice(("under", "labelled", "footer"))
    cv.rect((0, 0, CARD_W, 74), main)
    payer_placed = False
    if emp_at == "header":
        d.value(
            cv,
            st,
            30,
            37,
            employer,
            "employer",
            size=rng.choice((26, 30)),
            color=WHITE,
            anchor="lm",
        )
        if rng.random() < 0.5:
            d.value(
                cv,
                st,
                CARD_W - 30,
                37,
                tpa,
                "payer_name",
                size=20,
                bold=False,
                color=WHITE,
                anchor="rm",
            )
            payer_placed = True
    else:
        logo(cv, rng, rng.choice(("circle", "wave", "square")), (24, 12), 50, WHITE, main)
        d.value(cv, st, 88, 37, tpa, "payer_name", size=28, color=WHITE, anchor="lm")
        payer_placed = True
    y = 92.0
    if plan_at == "under":
        b = d.value(cv, st, 30, y, plan, "plan_name", size=22, color=main)
        y = b[3] + 16
    if emp_at == "above":
        b = _employer_line(d, cv, st, 30, y + 6, employer)
        y = b[3] + 16
    y = max(y, 110.0)
    below = rng.random() < 0.35
    name_labels = ("Employee:", "Participant", "Name", "Member:", "Covered Person")
    if rng.random() < 0.3:
        name, last = person_name(rng)
        b = d.value(cv, st, 30, y, name, "member_name", size=28)
    else:
        name, last = person_name(rng)
        b = d.pair(cv, st, 30, y, rng.choice(name_labels), name, "member_name", below=below)
    y = b[3] + 12
    for key, lab, printed in (
        (
            "member_id",
            rng.choice(("Participant ID", "ID #", "Member ID:", "Employee ID")),
            vals.digits(rng, 9),
        ),
        (
            "group_number",
            rng.choice(("Group #", "Group No.", "Group:", "Group ID")),
            vals.group_number(rng, "alnum"),
        ),
    ):
        b = d.pair(cv, st, 30, y, lab, printed, key, below=below)
        y = b[3] + 12
    if plan_at == "labelled":
        lab = rng.choice(("Plan:", "Benefit Plan", "Plan Name:"))
        b = d.pair(cv, st, 30, y, lab, plan, "plan_name", below=not lab.endswith(":"))
        y = b[3] + 12
    if rng.random() < 0.4 and y < 420:
        style = "upper" if name.isupper() else "title"
        deps = [relative_name(rng, last, style) for _ in range(rng.randint(1, 2))]
        y = dependents_block(d, cv, st, 30, y, deps, indent=18) + 8
    # Rx on the right; the PBM over it, beside its first line, or on the back.
    pbm = rng.choice(PBMS_E + vals.PBM_NAMES)
    pbm_at = rng.choice(("over", "back", "none"))
    x, yr = 600.0, 100.0
    if pbm_at == "over":
        b = d.value(cv, st, x, yr, pbm, "pbm_name", size=rng.choice((24, 28)), color=main)
        yr = b[3] + 12
    labels = rng.choice(
        (("RxBIN", "RxPCN", "RxGRP", "RxID"), ("BIN:", "PCN:", "Rx Grp:", "Rx ID:"))
    )
    entries = _rx_entries(rng)
    if rng.random() < 0.5:
        entries.append(("rx_id", vals.alnum(rng, 10)))
    rb = _rx_column(d, cv, st, x, yr, entries, labels, value_dx=120)
    if rng.random() < 0.5 and rb[3] < 330:
        copay_block(d, cv, st, x, rb[3] + 20, vals.copays(rng, 3), cols=1, header=None, size=19)
    # Bottom slots: the network mark right; the plan or the administrator left.
    floor = CARD_H - 24.0
    if rng.random() < 0.7:
        net = rng.choice(NETWORKS_E)
        nf = st.vfont(24, True)
        w = cv.width(net, nf)
        bx = (CARD_W - 54 - w, CARD_H - 84, CARD_W - 24, CARD_H - 24)
        cv.draw.rounded_rectangle(bx, radius=10, outline=main, width=3)
        d.text(cv, ((bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2), net, nf, main, anchor="mm")
    left: list[tuple[str, str]] = []
    if plan_at == "footer":
        left.append((plan, "plan_name"))
    if not payer_placed:
        left.append((tpa, "payer_name"))
    for text, key in left:
        b = d.value(cv, st, 30, floor, text, key, size=22, color=main, anchor="ls")
        floor = b[1] - 8
        if key == "payer_name" and rng.random() < 0.6:
            b = d.text(
                cv, (30, floor), "Administered by", st.lfont(17), st.label_color, anchor="ls"
            )
            floor = b[1] - 8
    _back(
        d,
        st,
        main,
        payer=tpa,
        payer_at=rng.choice(("top", "corner")),
        pbm=pbm if pbm_at == "back" else None,
    )
    return d


LAYOUTS = {
    "national_band": national_band,
    "ma_group": ma_group,
    "metal_exchange": metal_exchange,
    "tpa_network": tpa_network,
}
