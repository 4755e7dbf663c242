"""Card layouts, part A: national commercial payers, Blue plans, Medicare, TPA, dental.

Each layout is a function ``(rng) -> Draft``. Payer names are invented.
"""

from __future__ import annotations

import random

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import Draft, Style, dependents_block, draw_back, label
from eligo.cards.synth.render import (
    CARD_H,
    CARD_W,
    Box,
    Canvas,
    Color,
    Fonts,
    jitter,
    logo,
    style_families,
)


def pick_fonts(rng: random.Random, label_style: str, value_style: str) -> Fonts:
    return Fonts(
        rng.choice(style_families(label_style)),
        rng.choice(style_families(value_style)),
        scale=rng.uniform(0.93, 1.07),
    )


def person_name(
    rng: random.Random, styles: tuple[str, ...] = ("upper", "title")
) -> tuple[str, str]:
    """(printed name, last name) for a new person."""
    first, mid, last = vals.person(rng)
    return vals.format_name(rng, first, mid, last, rng.choice(styles)), last


def relative_name(rng: random.Random, last: str, style: str) -> str:
    first, mid, _ = vals.person(rng)
    return vals.format_name(rng, first, mid, last, style)


def copay_block(
    d: Draft,
    cv: Canvas,
    st: Style,
    x: float,
    y: float,
    items: list[dict[str, str]],
    *,
    cols: int = 2,
    col_w: float = 230,
    header: str | None = "Copays",
    size: int = 22,
) -> Box:
    """Benefit/amount pairs in a grid; the whole list is the ``copays`` truth."""
    boxes: list[Box] = []
    yy = y
    if header:
        hb = d.text(
            cv, (x, yy), header, st.lfont(size, True), st.label_color, key="copays", role="label"
        )
        boxes.append(hb)
        yy = hb[3] + 8
    row_h = size * 1.45
    widest = max(
        cv.width(it["benefit"], st.lfont(size)) + cv.width(it["amount"], st.vfont(size))
        for it in items
    )
    col_w = max(col_w, widest + 34)
    while cols > 1 and x + (cols - 1) * col_w + widest > CARD_W - 20:
        cols -= 1  # wrap to more rows rather than run off the card
    for i, item in enumerate(items):
        cx = x + (i % cols) * col_w
        cy = yy + (i // cols) * row_h
        bb = d.text(
            cv,
            (cx, cy),
            item["benefit"],
            st.lfont(size),
            st.label_color,
            key="copays",
            role="value",
        )
        ab = d.text(
            cv,
            (bb[2] + 8, cy),
            item["amount"],
            st.vfont(size),
            st.value_color,
            key="copays",
            role="value",
        )
        boxes.extend([bb, ab])
    d.set("copays", items)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def rx_block(
    d: Draft,
    cv: Canvas,
    st: Style,
    x: float,
    y: float,
    *,
    labels: tuple[str, str, str, str] | None = None,
    rx_id: str | None = None,
    step: float = 40,
    value_x: float | None = None,
    issuer: bool = False,
    rx_plan: bool = False,
) -> float:
    """RxBIN / RxPCN / RxGrp (/ RxID) lines; returns the y below the block."""
    rng = d.rng
    lb = labels or (
        label(rng, "rx_bin"),
        label(rng, "rx_pcn"),
        label(rng, "rx_group"),
        label(rng, "rx_id"),
    )
    entries = [
        ("rx_bin", vals.rx_bin(rng)),
        ("rx_pcn", vals.rx_pcn(rng)),
        ("rx_group", vals.rx_group(rng)),
    ]
    if rx_id is not None:
        entries.append(("rx_id", rx_id))
    labs = list(lb[: len(entries)])
    if rx_plan:
        entries.append(
            ("rx_plan", vals.letters(rng, rng.randint(2, 4)) + vals.digits(rng, rng.randint(2, 4)))
        )
        labs.append(rng.choice(("RxPlan", "Rx Plan", "RXPLAN")))
    for (key, val), lab in zip(entries, labs, strict=True):
        box = d.pair(cv, st, x, y, lab, val, key, value_x=value_x)
        y = max(y + step, box[3] + 6)
    if issuer:
        iid = vals.issuer_id(rng)
        box = d.pair(cv, st, x, y, "Issuer (80840)", iid[5:], "issuer_id", iid)
        y = box[3] + 6
    return y


def unitedcare(rng: random.Random) -> Draft:
    """National-payer style: logo band, id block left, Rx block right, copays, plan badge."""
    blue = jitter(rng, (0, 40, 120))
    accent = jitter(rng, (240, 140, 20))
    d = Draft("unitedcare", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "sans", "sans"), (80, 80, 80), (15, 15, 15), 21, 25)
    cv = d.front
    logo(cv, rng, "arc", (36, 24), 72, blue, accent)
    d.value(cv, st, 120, 36, "UnitedCare", "payer_name", size=42, color=blue)
    plan_name = rng.choice(
        ("Choice Plus", "Navigate Plus", "Options PPO", "Core Choice", "Charter Select")
    )
    d.value(cv, st, CARD_W - 40, 40, plan_name, "plan_name", size=26, anchor="ra", color=blue)
    iid = vals.issuer_id(rng)
    printed_iid = f"{iid[5:8]}-{iid[8:13]}-{iid[13:]}" if rng.random() < 0.5 else iid[5:]
    d.pair(
        cv, st, 36, 118, "Health Plan (80840)", printed_iid, "issuer_id", iid, lsize=19, vsize=21
    )
    name, _ = person_name(rng)
    y = 165.0
    below = rng.random() < 0.35
    name_box = d.pair(
        cv,
        st,
        36,
        y,
        label(rng, "member_name", ("Member:", "Member Name:")),
        name,
        "member_name",
        below=below,
    )
    y = name_box[3] + 14
    mid = vals.digits(rng, 9, lead_nonzero=rng.random() < 0.5)
    box = d.pair(
        cv,
        st,
        36,
        y,
        label(rng, "member_id", ("Member ID:", "ID Number:", "Member ID")),
        mid,
        "member_id",
        below=below,
    )
    y = box[3] + 14
    grp = vals.group_number(rng, rng.choice(("digits", "alpha")))
    box = d.pair(
        cv,
        st,
        36,
        y,
        label(rng, "group_number", ("Group Number:", "Group:", "Grp #")),
        grp,
        "group_number",
        below=below,
    )
    y = box[3] + 14
    if rng.random() < 0.7:
        box = d.pair(cv, st, 36, y, "Payer ID:", vals.payer_id(rng), "payer_id")
        y = box[3] + 14
    rx_block(
        d,
        cv,
        st,
        640,
        165,
        labels=("Rx Bin:", "Rx PCN:", "Rx Grp:", "Rx ID:"),
        step=42,
        value_x=760,
    )
    n = rng.choice((3, 4))
    copay_block(
        d,
        cv,
        st,
        36,
        max(y, 430),
        vals.copays(rng, n),
        header=rng.choice(("Copay:", "Copays", "Office Copays")),
        cols=n,
        col_w=230,
    )
    ptype = rng.choice(("PPO", "POS", "EPO", "HMO"))
    bx = (CARD_W - 150, CARD_H - 110, CARD_W - 36, CARD_H - 50)
    cv.rect(bx, accent, radius=10)
    d.value(
        cv,
        st,
        (bx[0] + bx[2]) / 2,
        (bx[1] + bx[3]) / 2,
        ptype,
        "plan_type",
        size=30,
        color=(255, 255, 255),
        anchor="mm",
    )
    draw_back(d, st, payer_name="UnitedCare", header_color=blue, site="www.unitedcare-example.com")
    return d


def bluestate(rng: random.Random) -> Draft:
    """Blue-plan style: shield and cross marks, 3-letter alpha prefix ids, suitcase plan badge."""
    blue = jitter(rng, (0, 84, 164))
    d = Draft("bluestate", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "sans2", "sans"), (0, 60, 120), (0, 0, 0), 21, 27)
    cv = d.front
    cv.rect((0, 0, CARD_W, 110), blue)
    logo(cv, rng, "cross", (30, 22), 64, (255, 255, 255), blue)
    logo(cv, rng, "shield", (104, 22), 64, (255, 255, 255), blue)
    payer = rng.choice(("BlueState BCBS", "BlueState BlueCross BlueShield", "BlueState Blue"))
    d.value(cv, st, 190, 55, payer, "payer_name", size=34, color=(255, 255, 255), anchor="lm")
    name, _ = person_name(rng, ("upper",))
    d.value(cv, st, 40, 140, name, "member_name", size=32)
    prefix = vals.letters(rng, 3)
    number = vals.digits(rng, 9) if rng.random() < 0.6 else "W" + vals.digits(rng, 8)
    printed = f"{prefix}{number}" if rng.random() < 0.5 else f"{prefix} {number}"
    y = 200.0
    id_label = label(
        rng, "member_id", ("Identification #", "ID", "Member ID", "Identification Number")
    )
    box = d.pair(cv, st, 40, y, id_label, printed, "member_id", printed.replace(" ", ""), vsize=32)
    d.set("member_id_prefix", prefix)
    if rng.random() < 0.5:
        sfx = f"{rng.randint(1, 4):02d}"
        d.pair(cv, st, box[2] + 30, y + 6, rng.choice(("Sfx", "Suffix")), sfx, "member_id_suffix")
    y = box[3] + 18
    box = d.pair(
        cv,
        st,
        40,
        y,
        label(rng, "group_number", ("Group No.", "Group", "Group #")),
        vals.group_number(rng, "digits"),
        "group_number",
    )
    y = box[3] + 18
    d.text(
        cv,
        (40, y),
        f"BC/BS Plan Codes {vals.digits(rng, 3)}/{vals.digits(rng, 3)}",
        st.lfont(19),
        st.label_color,
    )
    y += 40
    if rng.random() < 0.6:
        eff = vals.first_of_month(rng, 2019, 2026)
        d.pair(
            cv,
            st,
            40,
            y,
            label(rng, "effective_date"),
            vals.format_date(eff, rng.choice(("mdy", "mdy2"))),
            "effective_date",
            eff.isoformat(),
        )
    rx_block(d, cv, st, 600, 300, step=40, value_x=730, issuer=rng.random() < 0.4)
    ptype = rng.choice(("PPO", "EPO", "HMO", "POS"))
    sx, sy = 820.0, 140.0
    cv.draw.rounded_rectangle((sx, sy, sx + 140, sy + 90), radius=12, outline=blue, width=5)
    cv.draw.rectangle((sx + 45, sy - 16, sx + 95, sy), outline=blue, width=5)
    d.value(cv, st, sx + 70, sy + 45, ptype, "plan_type", size=34, color=blue, anchor="mm")
    cv.rect((0, CARD_H - 30, CARD_W, CARD_H), blue)
    draw_back(d, st, payer_name=payer, header_color=blue, site="bluestate-example.org")
    return d


def medicare(rng: random.Random) -> Draft:
    """Red-white-blue Medicare card: name, MBI (printed with dashes), Part A/B dates."""
    d = Draft("medicare", rng, Canvas(bg=jitter(rng, (250, 250, 248), 4)))
    fonts = Fonts(
        rng.choice(style_families("sans")),
        rng.choice(style_families("sans")),
        rng.uniform(0.95, 1.05),
    )
    st = Style(fonts, (40, 40, 40), (0, 0, 0), 19, 30)
    cv = d.front
    blue: Color = jitter(rng, (30, 60, 140), 10)
    red: Color = jitter(rng, (190, 30, 40), 10)
    cv.rect((0, 0, CARD_W, 96), blue)
    cv.rect((0, 96, CARD_W, 112), red)
    d.value(cv, st, 40, 48, "MEDICARE", "payer_name", size=44, color=(255, 255, 255), anchor="lm")
    d.text(cv, (330, 48), "HEALTH INSURANCE", st.lfont(34, True), (255, 255, 255), anchor="lm")
    lf = st.lfont(19)
    d.text(cv, (40, 140), "Name/Nombre", lf, st.label_color)
    name, _ = person_name(rng, ("upper",))
    d.value(cv, st, 40, 168, name, "member_name", size=30)
    d.text(cv, (40, 240), "Medicare Number/Número de Medicare", lf, st.label_color)
    m = vals.mbi(rng)
    d.value(
        cv,
        st,
        40,
        268,
        vals.format_mbi(m) if rng.random() < 0.85 else m,
        "medicare_mbi",
        m,
        size=32,
    )
    d.text(cv, (40, 345), "Entitled to/Con derecho a", lf, st.label_color)
    d.text(cv, (600, 345), "Coverage starts/Cobertura empieza", lf, st.label_color)
    start = vals.first_of_month(rng, 2005, 2026)
    y = 380.0
    parts = [
        ("HOSPITAL (PART A)", "medicare_part_a_date"),
        ("MEDICAL (PART B)", "medicare_part_b_date"),
    ]
    if rng.random() < 0.15:
        parts = parts[: rng.choice((1, 2))]
    for text, key in parts:
        d.text(cv, (40, y), text, st.vfont(28), (0, 0, 0))
        when = (
            start
            if key.endswith("a_date") or rng.random() < 0.7
            else vals.first_of_month(rng, start.year, 2026)
        )
        d.value(cv, st, 600, y, vals.format_date(when, "mdy_dash"), key, when.isoformat(), size=28)
        y += 52
    cv.rect((0, CARD_H - 26, CARD_W, CARD_H), red)
    return d


def tpa_pbm(rng: random.Random) -> Draft:
    """Self-funded plan run by a TPA, with an employer line, dependents and a PBM block."""
    green = jitter(rng, (20, 110, 90))
    d = Draft("tpa_pbm", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "narrow", "sans"), (70, 70, 70), (0, 0, 0), 20, 24)
    cv = d.front
    tpa = rng.choice(
        (
            "Meridian Benefit Administrators",
            "Keystone Plan Services",
            "Allied Claims Group",
            "Crescent Health Admin",
        )
    )
    logo(
        cv,
        rng,
        rng.choice(("leaf", "wave", "square")),
        (30, 26),
        56,
        green,
        jitter(rng, (150, 200, 80)),
    )
    d.value(cv, st, 100, 54, tpa, "payer_name", size=30, color=green, anchor="lm")
    employer = rng.choice(vals.EMPLOYERS)
    box = d.pair(
        cv,
        st,
        30,
        100,
        rng.choice(("Employer:", "Group Name:", "Plan Sponsor:")),
        employer,
        "employer",
    )
    name, last = person_name(rng, ("upper", "title"))
    box = d.pair(
        cv,
        st,
        30,
        box[3] + 16,
        label(rng, "member_name", ("Member:", "Name:", "Employee:")),
        name,
        "member_name",
    )
    mid = vals.letters(rng, 1) + vals.digits(rng, 8) if rng.random() < 0.5 else vals.digits(rng, 9)
    box = d.pair(
        cv,
        st,
        30,
        box[3] + 12,
        label(rng, "member_id", ("Member ID:", "ID#", "ID:", "Employee ID:")),
        mid,
        "member_id",
    )
    box = d.pair(
        cv,
        st,
        30,
        box[3] + 12,
        label(rng, "group_number", ("Group:", "Grp:", "Group #:")),
        vals.group_number(rng, rng.choice(("digits", "alnum"))),
        "group_number",
    )
    y = box[3] + 14
    if rng.random() < 0.6:
        style = "upper" if name.isupper() else "title"
        deps = [relative_name(rng, last, style) for _ in range(rng.randint(1, 3))]
        y = dependents_block(d, cv, st, 30, y, deps, indent=20, size=21) + 10
    if rng.random() < 0.7 and y < 560:
        d.pair(
            cv,
            st,
            30,
            y,
            label(rng, "deductible", ("Deductible:", "Ind Ded:", "Deductible")),
            vals.deductible(rng),
            "deductible",
        )
    # PBM block in a tinted box on the right.
    bx = (560.0, 150.0, CARD_W - 24.0, 520.0)
    cv.rect(bx, jitter(rng, (230, 240, 236), 8), radius=14)
    pbm = rng.choice(vals.PBM_NAMES)
    d.value(cv, st, bx[0] + 20, bx[1] + 16, pbm, "pbm_name", size=30, color=green)
    rx_id = mid if rng.random() < 0.6 else vals.alnum(rng, 10)
    rx_block(
        d,
        cv,
        st,
        bx[0] + 20,
        bx[1] + 80,
        labels=("BIN", "PCN", "RxGrp", "RxID"),
        rx_id=rx_id,
        step=46,
        value_x=bx[0] + 130,
        rx_plan=rng.random() < 0.5,
    )
    d.text(cv, (bx[0] + 20, bx[3] - 40), "Pharmacy benefits", st.lfont(19), st.label_color)
    network = rng.choice(("OpenNet", "CareLink Network", "PrimeWay Network"))
    d.text(
        cv, (CARD_W - 30, 40), network, st.lfont(22, True), jitter(rng, (180, 60, 40)), anchor="ra"
    )
    draw_back(d, st, payer_name=tpa, header_color=green)
    return d


def dental(rng: random.Random) -> Draft:
    """Dental card: subscriber + member, subscriber id, group, employer; no Rx."""
    teal = jitter(rng, (0, 130, 150))
    d = Draft("dental", rng, Canvas(bg=jitter(rng, (246, 252, 252), 4)), Canvas())
    st = Style(pick_fonts(rng, "sans2", "sans2"), (70, 90, 100), (0, 20, 30), 21, 25)
    cv = d.front
    logo(cv, rng, "leaf", (34, 28), 64, teal, jitter(rng, (120, 200, 210)))
    payer = rng.choice(("BrightSmile Dental", "BrightSmile Dental Plans"))
    d.value(cv, st, 112, 60, payer, "payer_name", size=38, color=teal, anchor="lm")
    plan = rng.choice(("Dental PPO Plus", "Dental Basic", "Dental Premier", "DHMO Select"))
    d.value(cv, st, CARD_W - 36, 130, plan, "plan_name", size=24, anchor="ra", color=teal)
    name, last = person_name(rng)
    y = 170.0
    box = d.pair(cv, st, 36, y, "Member:", name, "member_name", below=True)
    if rng.random() < 0.4:
        style = "upper" if name.isupper() else "title"
        sub = relative_name(rng, last, style)
        d.pair(cv, st, 520, y, "Subscriber:", sub, "subscriber_name", below=True)
    y = box[3] + 18
    box = d.pair(
        cv,
        st,
        36,
        y,
        rng.choice(("Subscriber ID", "Member ID", "ID")),
        vals.digits(rng, rng.choice((9, 11))),
        "member_id",
        below=True,
    )
    d.pair(
        cv,
        st,
        520,
        y,
        label(rng, "group_number", ("Group", "Group Number", "Group #")),
        vals.group_number(rng, "dash"),
        "group_number",
        below=True,
    )
    y = box[3] + 18
    box = d.pair(
        cv,
        st,
        36,
        y,
        rng.choice(("Group Name", "Employer")),
        rng.choice(vals.EMPLOYERS),
        "employer",
        below=True,
    )
    if rng.random() < 0.6:
        eff = vals.first_of_month(rng, 2019, 2026)
        d.pair(
            cv,
            st,
            520,
            y,
            "Effective Date",
            vals.format_date(eff, "mdy"),
            "effective_date",
            eff.isoformat(),
            below=True,
        )
    cv.rect((0, CARD_H - 40, CARD_W, CARD_H), teal)
    draw_back(
        d,
        st,
        payer_name=payer,
        header_color=teal,
        phones=("phone_customer_service", "phone_provider"),
    )
    return d
