"""Card layouts, part B: more national payers, Medicaid, marketplace, vision, held-out designs."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import Draft, Style, draw_back, label
from eligo.cards.synth.layouts_a import (
    copay_block,
    person_name,
    pick_fonts,
    relative_name,
    rx_block,
)
from eligo.cards.synth.render import CARD_H, CARD_W, Canvas, Fonts, jitter, logo, style_families


def avantra(rng: random.Random) -> Draft:
    """Purple national-payer card: W-prefixed ids, long group numbers, copay box, Rx line."""
    purple = jitter(rng, (110, 40, 140))
    d = Draft("avantra", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "sans", "sans2"), (90, 70, 100), (20, 0, 30), 21, 25)
    cv = d.front
    logo(cv, rng, "circle", (34, 30), 58, purple, (255, 255, 255))
    d.value(cv, st, 104, 59, "Avantra Health", "payer_name", size=38, color=purple, anchor="lm")
    plan = rng.choice(
        ("Open Access Managed Choice", "Managed Choice POS", "Avantra Select", "HealthFund Aligned")
    )
    d.value(cv, st, 36, 112, plan, "plan_name", size=23, color=purple)
    name, _ = person_name(rng, ("upper",))
    y = 165.0
    box = d.pair(cv, st, 36, y, "Member:", name, "member_name")
    y = box[3] + 14
    mid = "W" + vals.digits(rng, 9)
    box = d.pair(cv, st, 36, y, rng.choice(("ID", "ID#", "Member ID")), mid, "member_id", vsize=28)
    y = box[3] + 14
    grp = (
        f"{vals.digits(rng, 7)}-{vals.digits(rng, 3)}-{vals.digits(rng, 5)}"
        if rng.random() < 0.5
        else vals.digits(rng, 8)
    )
    box = d.pair(cv, st, 36, y, rng.choice(("Group #", "GRP", "Group:")), grp, "group_number")
    y = box[3] + 14
    if rng.random() < 0.7:
        eff = vals.first_of_month(rng, 2019, 2026)
        d.pair(
            cv,
            st,
            36,
            y,
            "Effective Date:",
            vals.format_date(eff, rng.choice(("mdy", "iso"))),
            "effective_date",
            eff.isoformat(),
        )
    bx = (600.0, 150.0, CARD_W - 30.0, 420.0)
    cv.draw.rounded_rectangle(bx, radius=10, outline=purple, width=3)
    n = rng.choice((3, 4, 5))
    copay_block(
        d,
        cv,
        st,
        bx[0] + 18,
        bx[1] + 14,
        vals.copays(rng, n),
        cols=1,
        header=rng.choice(("Copays", "Office Visit Copays", "Copay")),
        size=21,
    )
    y = 460.0
    lbl = rng.choice((("RxBIN", "RxPCN", "RxGRP"), ("BIN", "PCN", "GRP")))
    x = 36.0
    for key, val, lab in (
        ("rx_bin", vals.rx_bin(rng), lbl[0]),
        ("rx_pcn", vals.rx_pcn(rng), lbl[1]),
        ("rx_group", vals.rx_group(rng), lbl[2]),
    ):
        box = d.pair(cv, st, x, y, lab, val, key, vsize=23)
        x = box[2] + 40
    d.text(
        cv,
        (36, CARD_H - 60),
        rng.choice(
            ("Dental coverage: see separate card", "Avantra Rx", "Pharmacy network: Avantra Rx")
        ),
        st.lfont(18),
        st.label_color,
    )
    draw_back(d, st, payer_name="Avantra Health", header_color=purple, site="avantra-example.com")
    return d


def harbor(rng: random.Random) -> Draft:
    """Green Medicare Advantage card: member id, CMS plan number, PCP, Rx block, copays."""
    green = jitter(rng, (40, 130, 60))
    d = Draft("harbor", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "sans2", "sans2"), (60, 80, 60), (0, 0, 0), 20, 25)
    cv = d.front
    cv.rect((0, 0, CARD_W, 92), green)
    logo(cv, rng, "wave", (26, 16), 60, (255, 255, 255), jitter(rng, (190, 230, 160)))
    d.value(
        cv, st, 100, 46, "Harbor Health", "payer_name", size=36, color=(255, 255, 255), anchor="lm"
    )
    ptype = rng.choice(("HMO", "PPO", "HMO-POS"))
    plan = rng.choice(("Gold Plus", "Choice", "Value Plus", "Honor"))
    d.value(
        cv,
        st,
        CARD_W - 30,
        46,
        f"Medicare {plan}",
        "plan_name",
        size=26,
        color=(255, 255, 255),
        anchor="rm",
    )
    name, _ = person_name(rng, ("upper",))
    y = 115.0
    box = d.pair(
        cv, st, 30, y, rng.choice(("Member Name", "Member")), name, "member_name", below=True
    )
    y = box[3] + 12
    mid = "H" + vals.digits(rng, 8)
    box = d.pair(cv, st, 30, y, rng.choice(("Member ID", "ID")), mid, "member_id", below=True)
    cms = f"H{vals.digits(rng, 4)}-{vals.digits(rng, 3)}"
    d.pair(cv, st, 380, y, "CMS Plan", cms, "plan_number", below=True)
    d.pair(cv, st, 640, y, "Plan Type", ptype, "plan_type", below=True)
    y = box[3] + 16
    pcp, _ = person_name(rng, ("title",))
    d.text(cv, (30, y), f"PCP: Dr. {pcp}", st.lfont(21), st.label_color)
    y += 44
    copay_block(d, cv, st, 30, y, vals.copays(rng, 4), cols=2, col_w=250, header=None, size=21)
    rx_block(
        d,
        cv,
        st,
        640,
        240,
        labels=("RxBIN:", "RxPCN:", "RxGRP:", "RxID"),
        step=40,
        value_x=760,
        rx_plan=rng.random() < 0.5,
    )
    if rng.random() < 0.6:
        eff = vals.first_of_month(rng, 2020, 2026)
        d.pair(
            cv,
            st,
            640,
            420,
            "Eff:",
            vals.format_date(eff, "mdy"),
            "effective_date",
            eff.isoformat(),
        )
    d.text(
        cv, (30, CARD_H - 50), "MedicareRx  Prescription Drug Coverage", st.lfont(19, True), green
    )
    draw_back(d, st, payer_name="Harbor Health", header_color=green)
    return d


def medicaid_state(rng: random.Random) -> Draft:
    """A state Medicaid card: state banner, Medicaid id, issue date, state Rx routing."""
    state = rng.choice(vals.STATES)
    navy = jitter(rng, (20, 50, 100))
    d = Draft("medicaid_state", rng, Canvas(bg=jitter(rng, (240, 245, 250), 6)), Canvas())
    st = Style(pick_fonts(rng, "serif", "sans"), (40, 40, 60), (0, 0, 0), 21, 27)
    cv = d.front
    logo(cv, rng, "star", (30, 22), 70, jitter(rng, (200, 160, 30)), navy)
    d.text(cv, (116, 30), f"STATE OF {state.upper()}", st.lfont(24, True), navy)
    payer = f"{state} Medicaid"
    d.value(cv, st, 116, 62, payer, "payer_name", size=34, color=navy)
    name, _ = person_name(rng, ("upper", "last_first"))
    y = 150.0
    box = d.pair(
        cv,
        st,
        40,
        y,
        rng.choice(("Name", "Recipient Name", "Member Name")),
        name,
        "member_name",
        below=True,
    )
    y = box[3] + 16
    mcd = vals.digits(rng, rng.choice((10, 11, 12)))
    box = d.pair(
        cv,
        st,
        40,
        y,
        rng.choice(("Medicaid ID", "Medicaid ID Number", "Recipient ID", "ID Number")),
        mcd,
        "medicaid_id",
        below=True,
        vsize=30,
    )
    dob = vals.date_between(rng, dt.date(1940, 1, 1), dt.date(2020, 12, 31))
    d.text(cv, (520, y), "Date of Birth", st.lfont(), st.label_color)
    d.text(cv, (520, y + 30), vals.format_date(dob, "mdy"), st.vfont(), st.value_color)
    y = box[3] + 16
    issued = vals.date_between(rng, dt.date(2019, 1, 1), dt.date(2026, 6, 30))
    d.pair(
        cv,
        st,
        40,
        y,
        rng.choice(("Issue Date", "Date Issued", "Card Issued")),
        vals.format_date(issued, "mdy"),
        "effective_date",
        issued.isoformat(),
        below=True,
    )
    if rng.random() < 0.6:
        rx_block(d, cv, st, 520, y, labels=("RxBIN", "RxPCN", "RxGrp", ""), step=38, value_x=640)
    d.text(
        cv,
        (40, CARD_H - 48),
        "Carry this card at all times. Show it to your provider.",
        st.lfont(18),
        st.label_color,
    )
    draw_back(
        d,
        st,
        payer_name=payer,
        header_color=navy,
        phones=("phone_customer_service", "phone_provider", "phone_pharmacy"),
        payer_id=rng.random() < 0.3,
    )
    return d


def vision(rng: random.Random) -> Draft:
    """Vision card, front only: exam/materials copays, member + id + group."""
    orange = jitter(rng, (220, 110, 20))
    d = Draft("vision", rng, Canvas(bg=jitter(rng, (255, 250, 240), 5)))
    st = Style(pick_fonts(rng, "sans", "sans"), (90, 70, 50), (20, 10, 0), 21, 26)
    cv = d.front
    cv.draw.ellipse((30, 26, 130, 86), outline=orange, width=8)
    cv.draw.ellipse((60, 40, 100, 72), fill=jitter(rng, (40, 90, 160)))
    d.value(cv, st, 150, 56, "ClearView Vision", "payer_name", size=38, color=orange, anchor="lm")
    name, _ = person_name(rng)
    box = d.pair(
        cv,
        st,
        36,
        130,
        rng.choice(("Member", "Covered Member", "Name")),
        name,
        "member_name",
        below=True,
    )
    y = box[3] + 16
    box = d.pair(
        cv,
        st,
        36,
        y,
        rng.choice(("Member ID", "ID", "Unique ID")),
        vals.digits(rng, rng.choice((9, 11))),
        "member_id",
        below=True,
    )
    d.pair(
        cv,
        st,
        420,
        y,
        label(rng, "group_number", ("Group", "Group #", "Group Number")),
        vals.group_number(rng, "digits"),
        "group_number",
        below=True,
    )
    y = box[3] + 20
    items = [
        {
            "benefit": rng.choice(("Exam", "Eye Exam", "WellVision Exam")),
            "amount": vals.money(rng, (0, 10, 15, 20)),
        },
        {
            "benefit": rng.choice(("Materials", "Lenses", "Frames & Lenses")),
            "amount": vals.money(rng, (0, 10, 20, 25)),
        },
    ]
    if rng.random() < 0.5:
        items.append({"benefit": "Contacts", "amount": vals.money(rng, (0, 25, 40))})
    copay_block(
        d,
        cv,
        st,
        36,
        y,
        items,
        cols=len(items),
        col_w=280,
        header=rng.choice(("Copays", "Your Copays")),
    )
    if rng.random() < 0.7:
        plan = rng.choice(("Vision Choice", "Signature Plan", "Vision Basic"))
        d.value(cv, st, CARD_W - 36, 130, plan, "plan_name", size=24, color=orange, anchor="ra")
    cust = vals.phone(rng)
    d.pair(
        cv,
        st,
        36,
        CARD_H - 70,
        "Customer Service",
        vals.format_phone(cust, "dash1"),
        "phone_customer_service",
        vals.canonical_phone(cust),
        lsize=19,
        vsize=22,
    )
    return d


def summit_hmo(rng: random.Random) -> Draft:
    """Integrated HMO card: medical record number as id, many copays, deductible."""
    blue = jitter(rng, (0, 100, 170))
    d = Draft("summit_hmo", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "serif", "sans"), (60, 60, 60), (0, 0, 0), 20, 25)
    cv = d.front
    logo(cv, rng, "star", (30, 24), 60, blue, blue)
    d.value(cv, st, 100, 54, "Summit Health Plan", "payer_name", size=34, color=blue, anchor="lm")
    name, _ = person_name(rng, ("title", "upper"))
    d.value(cv, st, 36, 110, name, "member_name", size=30)
    mrn = vals.digits(rng, rng.choice((8, 9, 10)))
    box = d.pair(
        cv,
        st,
        36,
        165,
        rng.choice(("MRN", "Health/Medical Record #", "Medical Record Number")),
        mrn,
        "member_id",
        vsize=28,
    )
    box = d.pair(
        cv,
        st,
        36,
        box[3] + 14,
        label(rng, "group_number", ("Group", "Grp", "Group No.")),
        vals.group_number(rng, "digits"),
        "group_number",
    )
    ptype = rng.choice(("HMO", "DHMO", "HMO Deductible"))
    d.value(cv, st, CARD_W - 36, 110, ptype, "plan_type", size=26, color=blue, anchor="ra")
    y = box[3] + 20
    copay_block(
        d,
        cv,
        st,
        36,
        y,
        vals.copays(rng, 6),
        cols=3,
        col_w=300,
        header=rng.choice(("Copays:", "Cost Share", "Copays")),
        size=20,
    )
    d.pair(
        cv,
        st,
        36,
        CARD_H - 70,
        label(rng, "deductible", ("Deductible:", "Ded:", "Annual Deductible:")),
        vals.deductible(rng),
        "deductible",
    )
    draw_back(
        d, st, payer_name="Summit Health Plan", header_color=blue, payer_id=rng.random() < 0.5
    )
    return d


def marketplace(rng: random.Random) -> Draft:
    """ACA marketplace card: metal tier plan name, deductible, effective date, Rx block."""
    color = jitter(rng, (0, 120, 110))
    d = Draft("marketplace", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "sans", "sans"), (80, 80, 80), (0, 0, 0), 20, 25)
    cv = d.front
    cv.rect((0, 0, 22, CARD_H), color)
    logo(cv, rng, "square", (46, 26), 56, color, (255, 255, 255))
    d.value(
        cv, st, 116, 54, "Horizon Valley Health", "payer_name", size=34, color=color, anchor="lm"
    )
    tier = rng.choice(("Bronze", "Silver", "Gold", "Platinum"))
    ptype = rng.choice(("HMO", "EPO", "PPO"))
    d.value(cv, st, 46, 104, f"{tier} {rng.choice((60, 70, 80, 90))} {ptype}", "plan_name", size=26)
    name, _ = person_name(rng, ("upper", "title"))
    y = 160.0
    box = d.pair(
        cv,
        st,
        46,
        y,
        label(rng, "member_name", ("Subscriber:", "Member:", "Name:")),
        name,
        "member_name",
    )
    box = d.pair(
        cv,
        st,
        46,
        box[3] + 12,
        label(rng, "member_id", ("Member ID:", "ID:", "Subscriber ID:")),
        "U" + vals.digits(rng, 8) if rng.random() < 0.5 else vals.digits(rng, 11),
        "member_id",
    )
    eff = vals.first_of_month(rng, 2021, 2026)
    box = d.pair(
        cv,
        st,
        46,
        box[3] + 12,
        label(rng, "effective_date", ("Effective Date:", "Eff Date:", "Coverage Start:")),
        vals.format_date(eff, rng.choice(("mdy", "mdy2"))),
        "effective_date",
        eff.isoformat(),
    )
    box = d.pair(
        cv,
        st,
        46,
        box[3] + 12,
        label(rng, "deductible", ("Deductible:", "Ind Deductible:", "Ded:")),
        vals.deductible(rng),
        "deductible",
    )
    if rng.random() < 0.5:
        d.pair(cv, st, 46, box[3] + 12, "Group:", vals.group_number(rng, "alnum"), "group_number")
    rx_block(d, cv, st, 600, 160, step=42, value_x=720, rx_id=None)
    copay_block(d, cv, st, 600, 330, vals.copays(rng, 3), cols=1, header="Copays", size=20)
    draw_back(d, st, payer_name="Horizon Valley Health", header_color=color)
    return d


# --- held-out layouts: new arrangements of the same kinds of cards ---


def cedar(rng: random.Random) -> Draft:
    """Teal/orange national payer: suffix after a U-prefixed id, network name, copay table."""
    teal = jitter(rng, (0, 110, 130))
    orange = jitter(rng, (230, 120, 30))
    d = Draft("cedar", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "sans2", "narrow"), (70, 90, 90), (0, 0, 0), 21, 26)
    cv = d.front
    logo(cv, rng, "leaf", (CARD_W - 110, 24), 70, teal, orange)
    d.value(cv, st, 36, 40, "Cedar Health", "payer_name", size=40, color=teal)
    name, _ = person_name(rng, ("upper", "title"))
    y = 120.0
    box = d.pair(cv, st, 36, y, "Name", name, "member_name", value_x=200)
    mid = "U" + vals.digits(rng, 8)
    box = d.pair(cv, st, 36, box[3] + 14, "ID", mid, "member_id", value_x=200)
    if rng.random() < 0.5:
        d.pair(cv, st, box[2] + 30, box[1], "Sfx", f"{rng.randint(1, 3):02d}", "member_id_suffix")
    box = d.pair(cv, st, 36, box[3] + 14, "Group", vals.digits(rng, 7), "group_number", value_x=200)
    network = rng.choice(("Open Access Plus", "LocalPlus", "Connect"))
    box = d.pair(cv, st, 36, box[3] + 14, "Network", network, "plan_name", value_x=200)
    eff = vals.first_of_month(rng, 2019, 2026)
    d.pair(
        cv,
        st,
        36,
        box[3] + 14,
        "Coverage Date",
        vals.format_date(eff, "mdy"),
        "effective_date",
        eff.isoformat(),
        value_x=200,
    )
    rx_block(
        d,
        cv,
        st,
        600,
        112,
        labels=("Rx Bin", "Rx PCN", "Rx Grp", "Rx ID"),
        step=38,
        value_x=720,
        rx_plan=rng.random() < 0.4,
    )
    items = vals.copays(rng, 4)
    x0, y0 = 600.0, 300.0
    cv.rect(
        (x0 - 10, y0 - 8, CARD_W - 24, y0 + 40 * len(items) + 10), jitter(rng, (235, 245, 245), 5)
    )
    for i, item in enumerate(items):
        b1 = d.text(
            cv,
            (x0, y0 + 40 * i),
            item["benefit"],
            st.lfont(21),
            st.label_color,
            key="copays",
            role="value",
        )
        d.text(
            cv,
            (CARD_W - 40, y0 + 40 * i),
            item["amount"],
            st.vfont(22),
            st.value_color,
            key="copays",
            role="value",
            anchor="ra",
        )
        _ = b1
    d.set("copays", items)
    cv.rect((0, CARD_H - 24, CARD_W, CARD_H), orange)
    draw_back(d, st, payer_name="Cedar Health", header_color=teal, site="cedarhealth-example.com")
    return d


def keystone_blue(rng: random.Random) -> Draft:
    """Second Blue plan: values under labels, alpha prefix, subscriber and dependents, RxID."""
    blue = jitter(rng, (20, 70, 150))
    d = Draft("keystone_blue", rng, Canvas(bg=jitter(rng, (245, 248, 255), 4)), Canvas())
    st = Style(pick_fonts(rng, "sans", "sans2"), (40, 60, 110), (0, 0, 0), 19, 25)
    cv = d.front
    logo(cv, rng, "shield", (30, 20), 56, blue, (255, 255, 255))
    logo(cv, rng, "cross", (94, 20), 56, blue, blue)
    payer = rng.choice(("Keystone Blue", "Keystone BlueCross"))
    d.value(cv, st, 166, 48, payer, "payer_name", size=34, color=blue, anchor="lm")
    name, last = person_name(rng, ("upper",))
    y = 110.0
    box = d.pair(
        cv, st, 30, y, rng.choice(("MEMBER NAME", "Member")), name, "member_name", below=True
    )
    if rng.random() < 0.5:
        d.pair(
            cv,
            st,
            520,
            y,
            "SUBSCRIBER",
            relative_name(rng, last, "upper"),
            "subscriber_name",
            below=True,
        )
    y = box[3] + 12
    prefix = vals.letters(rng, 3)
    mid = prefix + vals.digits(rng, 9)
    box = d.pair(
        cv,
        st,
        30,
        y,
        rng.choice(("MEMBER ID", "IDENTIFICATION NO.", "ID NUMBER")),
        mid,
        "member_id",
        below=True,
        vsize=28,
    )
    d.set("member_id_prefix", prefix)
    d.pair(
        cv,
        st,
        520,
        y,
        rng.choice(("GROUP NO.", "GROUP NUMBER", "GRP")),
        vals.group_number(rng, "dash"),
        "group_number",
        below=True,
    )
    y = box[3] + 12
    rx_id = mid if rng.random() < 0.7 else vals.alnum(rng, 9)
    x = 30.0
    for key, val, lab in (
        ("rx_bin", vals.rx_bin(rng), "RxBIN"),
        ("rx_pcn", vals.rx_pcn(rng), "RxPCN"),
        ("rx_group", vals.rx_group(rng), "RxGrp"),
        ("rx_id", rx_id, "RxID"),
    ):
        box = d.pair(cv, st, x, y, lab, val, key, below=True, vsize=22)
        x = max(box[2] + 34, x + 150)
    y = box[3] + 14
    if rng.random() < 0.6:
        deps = [relative_name(rng, last, "upper") for _ in range(rng.randint(1, 2))]
        lb = d.text(
            cv, (30, y), "DEPENDENTS", st.lfont(), st.label_color, key="dependents", role="label"
        )
        x = 30.0
        for dep in deps:
            b = d.text(
                cv,
                (x, lb[3] + 6),
                dep,
                st.vfont(21, False),
                st.value_color,
                key="dependents",
                role="value",
            )
            x = b[2] + 40
        d.set("dependents", deps)
    ptype = rng.choice(("PPO", "EPO", "POS"))
    cv.draw.rounded_rectangle(
        (CARD_W - 150, CARD_H - 110, CARD_W - 30, CARD_H - 40), radius=10, outline=blue, width=4
    )
    d.value(cv, st, CARD_W - 90, CARD_H - 75, ptype, "plan_type", size=30, color=blue, anchor="mm")
    draw_back(d, st, payer_name=payer, header_color=blue, columns=True)
    return d


def medicaid_mco(rng: random.Random) -> Draft:
    """Medicaid managed-care card: plan member id and state Medicaid id both printed."""
    state = rng.choice(vals.STATES)
    red = jitter(rng, (170, 40, 60))
    d = Draft("medicaid_mco", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "sans2", "sans"), (80, 60, 60), (0, 0, 0), 20, 25)
    cv = d.front
    logo(cv, rng, "circle", (30, 26), 54, red, jitter(rng, (250, 200, 80)))
    payer = f"Sunrise Health Plan of {state}"
    d.value(cv, st, 100, 53, payer, "payer_name", size=30, color=red, anchor="lm")
    d.value(
        cv,
        st,
        100,
        86,
        rng.choice(("Medicaid", "Medicaid Managed Care", "STAR")),
        "plan_name",
        size=22,
        color=red,
    )
    name, _ = person_name(rng, ("upper",))
    y = 140.0
    box = d.pair(cv, st, 30, y, rng.choice(("Member:", "Member Name:")), name, "member_name")
    box = d.pair(
        cv,
        st,
        30,
        box[3] + 14,
        rng.choice(("Member ID:", "Plan ID:", "ID#")),
        vals.digits(rng, 9),
        "member_id",
    )
    box = d.pair(
        cv,
        st,
        30,
        box[3] + 14,
        rng.choice(("Medicaid ID:", "Medicaid #:", "State ID:")),
        vals.digits(rng, 12),
        "medicaid_id",
    )
    eff = vals.first_of_month(rng, 2020, 2026)
    box = d.pair(
        cv,
        st,
        30,
        box[3] + 14,
        "Effective:",
        vals.format_date(eff, rng.choice(("mdy", "mdy_dash"))),
        "effective_date",
        eff.isoformat(),
    )
    pcp, _ = person_name(rng, ("title",))
    d.text(cv, (30, box[3] + 20), f"PCP: {pcp}, MD", st.lfont(20), st.label_color)
    rx_block(d, cv, st, 600, 150, labels=("BIN:", "PCN:", "Group:", ""), step=40, value_x=700)
    cust = vals.phone(rng)
    d.pair(
        cv,
        st,
        30,
        CARD_H - 66,
        "Member Services:",
        vals.format_phone(cust, "paren1"),
        "phone_customer_service",
        vals.canonical_phone(cust),
        lsize=19,
        vsize=22,
    )
    draw_back(
        d, st, payer_name=payer, header_color=red, phones=("phone_pharmacy", "phone_provider")
    )
    return d


def tpa_pbm2(rng: random.Random) -> Draft:
    """Second TPA design: two columns, PBM block on the back, network logo bar."""
    navy = jitter(rng, (30, 40, 80))
    d = Draft("tpa_pbm2", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, "sans", "narrow"), (90, 90, 100), (0, 0, 0), 20, 24)
    cv = d.front
    employer = rng.choice(vals.EMPLOYERS)
    d.value(cv, st, 30, 30, employer, "employer", size=30, color=navy)
    d.text(cv, (30, 72), "Employee Health Benefit Plan", st.lfont(21), st.label_color)
    name, _ = person_name(rng, ("title", "upper"))
    lbls = ("Participant", "Member", "Employee")
    box = d.pair(cv, st, 30, 130, rng.choice(lbls), name, "member_name", below=True)
    box = d.pair(
        cv,
        st,
        30,
        box[3] + 12,
        rng.choice(("Participant ID", "Member ID", "ID")),
        vals.letters(rng, 2) + vals.digits(rng, 7),
        "member_id",
        below=True,
    )
    box = d.pair(
        cv,
        st,
        30,
        box[3] + 12,
        rng.choice(("Plan Number", "Group Number", "Group")),
        vals.group_number(rng, "alpha"),
        "group_number",
        below=True,
    )
    plan_no = vals.digits(rng, 3)
    d.pair(cv, st, 520, 130, "Plan", plan_no, "plan_number", below=True)
    eff = vals.first_of_month(rng, 2019, 2026)
    d.pair(
        cv,
        st,
        520,
        210,
        "Effective",
        vals.format_date(eff, "mdy"),
        "effective_date",
        eff.isoformat(),
        below=True,
    )
    copay_block(
        d, cv, st, 520, 300, vals.copays(rng, 4), cols=2, col_w=230, header="Copays", size=20
    )
    cv.rect((0, CARD_H - 86, CARD_W, CARD_H), jitter(rng, (230, 232, 240), 5))
    tpa = rng.choice(("Pinnacle Benefit Services", "Northstar TPA", "Unity Plan Administrators"))
    d.value(cv, st, 30, CARD_H - 43, tpa, "payer_name", size=26, color=navy, anchor="lm")
    d.text(
        cv,
        (CARD_W - 30, CARD_H - 43),
        rng.choice(("PrimeWay Network", "OpenNet")),
        st.lfont(22, True),
        jitter(rng, (170, 40, 40)),
        anchor="rm",
    )
    # Back: PBM block first, then the usual contact lines.
    bk = d.back
    assert bk is not None
    pbm = rng.choice(vals.PBM_NAMES)
    d.value(bk, st, 40, 30, pbm, "pbm_name", size=28, color=navy)
    x = 40.0
    for key, val, lab in (
        ("rx_bin", vals.rx_bin(rng), "BIN"),
        ("rx_pcn", vals.rx_pcn(rng), "PCN"),
        ("rx_group", vals.rx_group(rng), "GRP"),
    ):
        box = d.pair(bk, st, x, 80, lab, val, key)
        x = box[2] + 36
    _back_below(d, st, tpa, navy)
    return d


def _back_below(d: Draft, st: Style, payer: str, color: tuple[int, int, int]) -> None:
    """Contact lines under an existing back header (used by layouts with a PBM back)."""
    rng = d.rng
    bk = d.back
    assert bk is not None
    y = 140.0
    style = rng.choice(vals.PHONE_STYLES)
    for key in ("phone_customer_service", "phone_pharmacy", "phone_provider"):
        num = vals.phone(rng)
        box = d.pair(
            bk,
            st,
            40,
            y,
            label(rng, key),
            vals.format_phone(num, style),
            key,
            vals.canonical_phone(num),
        )
        y = box[3] + 12
    yy = d.claims_address(bk, st, rng, 40, y + 8, 23)
    d.pair(bk, st, 560, y + 8, label(rng, "payer_id"), vals.payer_id(rng), "payer_id")
    d.text(bk, (40, min(yy + 20, 600)), f"Claims administered by {payer}", st.lfont(18), color)


def minimal(rng: random.Random) -> Draft:
    """Minimalist digital-first card: lowercase labels, values below, big type, front only."""
    ink = jitter(rng, (30, 30, 60), 10)
    accent = jitter(rng, (40, 120, 240))
    d = Draft("minimal", rng, Canvas(bg=jitter(rng, (250, 250, 252), 3)))
    fonts = Fonts(
        rng.choice(style_families("sans2")),
        rng.choice(style_families("sans2")),
        rng.uniform(0.95, 1.05),
    )
    st = Style(fonts, (110, 110, 130), ink, 20, 30, value_bold=False)
    cv = d.front
    d.value(
        cv,
        st,
        36,
        34,
        rng.choice(("bright", "oscilla", "plume")) + " health",
        "payer_name",
        size=40,
        bold=True,
        color=accent,
    )
    name, _ = person_name(rng, ("title",))
    box = d.pair(cv, st, 36, 120, "member", name, "member_name", below=True)
    y = box[3] + 18
    box = d.pair(
        cv,
        st,
        36,
        y,
        "member id",
        vals.digits(rng, 8) + vals.letters(rng, 1),
        "member_id",
        below=True,
    )
    d.pair(cv, st, 400, y, "group", vals.group_number(rng, "digits"), "group_number", below=True)
    d.pair(cv, st, 700, y, "plan", rng.choice(("EPO", "PPO", "HMO")), "plan_type", below=True)
    y = box[3] + 22
    x = 36.0
    for key, val, lab in (
        ("rx_bin", vals.rx_bin(rng), "rx bin"),
        ("rx_pcn", vals.rx_pcn(rng), "rx pcn"),
        ("rx_group", vals.rx_group(rng), "rx group"),
    ):
        box = d.pair(cv, st, x, y, lab, val, key, below=True, vsize=26)
        x = max(box[2] + 50, x + 200)
    y = box[3] + 24
    num = vals.phone(rng)
    d.pair(
        cv,
        st,
        36,
        y,
        "questions?",
        vals.format_phone(num, "paren"),
        "phone_customer_service",
        vals.canonical_phone(num),
        below=True,
        vsize=26,
    )
    if rng.random() < 0.6:
        d.pair(
            cv, st, 500, y, "deductible", vals.deductible(rng), "deductible", below=True, vsize=26
        )
    return d


def medicare_paper(rng: random.Random) -> Draft:
    """Printed-at-home Medicare card: same fields, plain paper look, labels below values."""
    d = Draft("medicare_paper", rng, Canvas(bg=jitter(rng, (248, 246, 240), 5)))
    fonts = Fonts(rng.choice(style_families("serif")), rng.choice(style_families("mono")), 1.0)
    st = Style(fonts, (60, 60, 60), (0, 0, 0), 18, 28)
    cv = d.front
    blue = jitter(rng, (40, 70, 150), 10)
    cv.rect((20, 20, CARD_W - 20, 80), blue)
    d.value(
        cv,
        st,
        40,
        50,
        "Medicare",
        "payer_name",
        size=36,
        bold=True,
        color=(255, 255, 255),
        anchor="lm",
    )
    d.text(cv, (260, 50), "Health Insurance", st.lfont(30, True), (255, 255, 255), anchor="lm")
    name, _ = person_name(rng, ("upper",))
    b = d.value(cv, st, 40, 120, name, "member_name", size=30)
    d.text(cv, (40, b[3] + 6), "Name/Nombre", st.lfont(), st.label_color)
    m = vals.mbi(rng)
    b = d.value(cv, st, 40, 220, vals.format_mbi(m), "medicare_mbi", m, size=30)
    d.text(cv, (40, b[3] + 6), "Medicare Number/Número de Medicare", st.lfont(), st.label_color)
    start = vals.first_of_month(rng, 2008, 2026)
    y = 330.0
    for text, key in (
        ("Part A (Hospital)", "medicare_part_a_date"),
        ("Part B (Medical)", "medicare_part_b_date"),
    ):
        d.text(cv, (40, y), text, st.vfont(26, False), (0, 0, 0))
        d.value(
            cv,
            st,
            560,
            y,
            vals.format_date(start, rng.choice(("mdy_dash", "mdy"))),
            key,
            start.isoformat(),
            size=26,
        )
        y += 50
    d.text(cv, (560, 300), "Coverage starts", st.lfont(), st.label_color)
    d.text(
        cv,
        (40, CARD_H - 60),
        "Keep this card. Show it when you get care.",
        st.lfont(18),
        st.label_color,
    )
    return d


LAYOUTS: dict[str, Callable[[random.Random], Draft]] = {
    "avantra": avantra,
    "harbor": harbor,
    "medicaid_state": medicaid_state,
    "vision": vision,
    "summit_hmo": summit_hmo,
    "marketplace": marketplace,
    "cedar": cedar,
    "keystone_blue": keystone_blue,
    "medicaid_mco": medicaid_mco,
    "tpa_pbm2": tpa_pbm2,
    "minimal": minimal,
    "medicare_paper": medicare_paper,
}

# Layouts never used for training: scores on them measure generalization.
HELDOUT: tuple[str, ...] = (
    "cedar",
    "keystone_blue",
    "medicaid_mco",
    "tpa_pbm2",
    "minimal",
    "medicare_paper",
)
