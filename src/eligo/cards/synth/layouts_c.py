"""Card layouts, part C (training only): more real-world variety for the extractor to learn.

- ``sponsor_tpa``: a self-funded employer plan. The employer's name is printed bare as the
  card's title or under a label, the administrator (payer) sits in a banner, and the PBM
  block (PBM name, BIN/PCN/Grp) is on the front or the back.
- ``medicaid_program``: a state Medicaid card (one id under whatever the state calls it)
  or a Medicaid managed-care card (plan member id plus the state Medicaid id).

Names are invented and differ from the other layouts' lists, so the line model learns the
shape of an employer or PBM line rather than a list of names.
"""

from __future__ import annotations

import random

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import Draft, Style, draw_back, label
from eligo.cards.synth.layouts_a import person_name, pick_fonts
from eligo.cards.synth.render import CARD_H, CARD_W, Box, Canvas, jitter, logo

EMPLOYERS_C = (
    "Bayside Packaging Corp",
    "Tri-County Water Authority",
    "Hillcrest Medical Group",
    "Meadowlark Foods",
    "Westfield Unified School District",
    "Copperline Electric Cooperative",
    "Stonebridge Hotels",
    "Carver & Lyle Associates",
    "Northgate Mills Inc",
    "Town of Ellisville",
    "Pinecrest University",
    "Atlas Freight Lines",
    "Sunvale Nurseries LLC",
    "Brightwater Dairy",
)
ADMINISTRATORS_C = (
    "Benefit Partners Administration",
    "Crossroads TPA",
    "Lighthouse Benefit Services",
    "ClearPath Plan Administrators",
    "Union Health Trust",
)
PBMS_C = (
    "Clarion Rx",
    "PharmaBridge",
    "ScriptWell",
    "Apex Pharmacy Benefits",
    "MedRoute",
    "RxHorizon",
    "Vitalis Script",
)
MEDICAID_PLANS_C = (
    ("Lakeview Community Health Plan", "Lakeview Kids"),
    ("Pathway Health Partners", "Pathway Family Care"),
    ("Ridgeline Family Health", "Family First"),
    ("Prairie Health Alliance", "Healthy Steps"),
)


def _pair(
    d: Draft, cv: Canvas, st: Style, x: float, y: float, lab: str, val: str, key: str, below: bool
) -> Box:
    truth = val.replace(" ", "") if key in ("member_id", "medicaid_id") else None
    return d.pair(cv, st, x, y, lab, val, key, truth, below=below)


def _pbm_block(
    d: Draft, cv: Canvas, st: Style, x: float, y: float, color: tuple[int, int, int]
) -> float:
    """PBM name (bare or labelled) over BIN/PCN/Grp; returns the y below the block."""
    rng = d.rng
    pbm = rng.choice(PBMS_C + vals.PBM_NAMES)
    style = rng.random()
    if style < 0.55:
        box = d.value(cv, st, x, y, pbm, "pbm_name", size=rng.choice((26, 30, 34)), color=color)
    elif style < 0.8:
        lab = rng.choice(("Pharmacy Benefit Manager", "PBM", "Rx Administrator"))
        box = d.pair(cv, st, x, y, lab, pbm, "pbm_name", below=True)
    else:
        box = d.pair(cv, st, x, y, rng.choice(("PBM:", "Rx Administrator:")), pbm, "pbm_name")
    yy = box[3] + 14
    labels = rng.choice(
        (("BIN", "PCN", "Group"), ("RxBIN", "RxPCN", "RxGrp"), ("Rx BIN", "Rx PCN", "Rx Group"))
    )
    for (key, val), lab in zip(
        (
            ("rx_bin", vals.rx_bin(rng)),
            ("rx_pcn", vals.rx_pcn(rng)),
            ("rx_group", vals.rx_group(rng)),
        ),
        labels,
        strict=True,
    ):
        b = d.pair(cv, st, x, yy, lab, val, key, value_x=x + 130)
        yy = b[3] + 10
    return yy


def sponsor_tpa(rng: random.Random) -> Draft:
    """Employer plan run by an administrator; PBM block on either side."""
    main = jitter(rng, rng.choice(((30, 70, 130), (120, 40, 40), (40, 100, 60), (60, 60, 60))))
    d = Draft("sponsor_tpa", rng, Canvas(), Canvas())
    st = Style(
        pick_fonts(rng, rng.choice(("sans", "serif", "narrow")), "sans"),
        (70, 70, 70),
        (0, 0, 0),
        20,
        24,
    )
    cv = d.front
    employer = rng.choice(EMPLOYERS_C + vals.EMPLOYERS)
    admin = rng.choice(ADMINISTRATORS_C)
    payer_top = rng.random() < 0.4
    y = 34.0
    if payer_top:
        logo(
            cv,
            rng,
            rng.choice(("circle", "square", "wave")),
            (30, 22),
            54,
            main,
            jitter(rng, (200, 200, 200)),
        )
        d.value(cv, st, 100, 49, admin, "payer_name", size=30, color=main, anchor="lm")
        y = 100.0
    if rng.random() < 0.6:
        # The sponsor's name as the card's title, no label.
        box = d.value(
            cv, st, 30, y, employer, "employer", size=rng.choice((26, 30, 34)), color=main
        )
        y = box[3] + 6
        if rng.random() < 0.5:
            sub = rng.choice(("Employee Health Plan", "Medical Benefits", "Health & Welfare Plan"))
            box = d.text(cv, (30, y), sub, st.lfont(20), st.label_color)
            y = box[3] + 14
        else:
            y += 10
    else:
        lab = rng.choice(
            ("Employer", "Employer:", "Plan Sponsor", "Group Name:", "Sponsor:", "Employer Name")
        )
        box = d.pair(cv, st, 30, y, lab, employer, "employer", below=not lab.endswith(":"))
        y = box[3] + 14
    below = rng.random() < 0.4
    name, _ = person_name(rng, ("upper", "title"))
    box = _pair(
        d,
        cv,
        st,
        30,
        y,
        label(rng, "member_name", ("Member:", "Name", "Participant", "Employee:", "Member Name")),
        name,
        "member_name",
        below,
    )
    y = box[3] + 12
    mid = rng.choice(
        (
            vals.digits(rng, 9),
            vals.letters(rng, 3) + vals.digits(rng, 8),
            vals.letters(rng, 1) + vals.digits(rng, 9),
        )
    )
    id_lab = rng.choice(
        (
            "Member ID",
            "ID #",
            "Identification #",
            "Participant ID",
            "Subscriber ID",
            "ID No.",
            "Member #",
        )
    )
    box = _pair(d, cv, st, 30, y, id_lab, mid, "member_id", below)
    y = box[3] + 12
    grp_lab = rng.choice(("Group No.", "Grp", "Group Number", "Group ID", "GRP #", "Group"))
    box = _pair(
        d,
        cv,
        st,
        30,
        y,
        grp_lab,
        vals.group_number(rng, rng.choice(("digits", "alnum", "dash"))),
        "group_number",
        below,
    )
    y = box[3] + 12
    if rng.random() < 0.5 and y < 470:
        plan = rng.choice(
            ("Core PPO", "Choice Plus", "Premier HDHP", "Open Access Plus", "Essential EPO")
        )
        _pair(
            d,
            cv,
            st,
            30,
            y,
            rng.choice(("Plan", "Plan Name", "Benefit Plan")),
            plan,
            "plan_name",
            below,
        )
    pbm_front = rng.random() < 0.4
    if pbm_front:
        bx = (560.0, 130.0 if payer_top else 60.0, CARD_W - 24.0, 470.0)
        cv.rect(bx, jitter(rng, (236, 240, 244), 8), radius=12)
        _pbm_block(d, cv, st, bx[0] + 18, bx[1] + 16, main)
    if not payer_top:
        cv.rect((0, CARD_H - 70, CARD_W, CARD_H), main)
        d.value(
            cv,
            st,
            30,
            CARD_H - 35,
            admin,
            "payer_name",
            size=28,
            color=(255, 255, 255),
            anchor="lm",
        )
    if pbm_front or rng.random() < 0.3:
        draw_back(d, st, payer_name=admin, header_color=main)
        return d
    back = d.back
    assert back is not None
    yb = _pbm_block(d, back, st, 40, 30, main)
    num = vals.phone(rng)
    style = rng.choice(vals.PHONE_STYLES)
    box = d.pair(
        back,
        st,
        40,
        yb + 6,
        label(rng, "phone_pharmacy"),
        vals.format_phone(num, style),
        "phone_pharmacy",
        vals.canonical_phone(num),
    )
    yb = box[3] + 14
    num = vals.phone(rng)
    box = d.pair(
        back,
        st,
        40,
        yb,
        label(rng, "phone_customer_service"),
        vals.format_phone(num, style),
        "phone_customer_service",
        vals.canonical_phone(num),
    )
    yy = d.claims_address(back, st, rng, 560, 40, 22)
    d.pair(back, st, 560, yy + 14, label(rng, "payer_id"), vals.payer_id(rng), "payer_id")
    d.text(back, (40, CARD_H - 60), "Administered by " + admin, st.lfont(18), (90, 90, 90))
    return d


def medicaid_program(rng: random.Random) -> Draft:
    """State Medicaid card, or a Medicaid managed-care plan's card."""
    state = rng.choice(vals.STATES)
    navy = jitter(rng, rng.choice(((20, 60, 110), (90, 30, 90), (20, 100, 100))))
    d = Draft("medicaid_program", rng, Canvas(bg=jitter(rng, (248, 248, 244), 6)), Canvas())
    st = Style(
        pick_fonts(rng, rng.choice(("sans2", "serif")), "sans"), (50, 50, 60), (0, 0, 0), 21, 26
    )
    cv = d.front
    mco = rng.random() < 0.5
    below = rng.random() < 0.5
    if mco:
        payer, plan = rng.choice(MEDICAID_PLANS_C)
        cv.rect((0, 0, CARD_W, 84), navy)
        d.value(cv, st, 30, 42, payer, "payer_name", size=32, color=(255, 255, 255), anchor="lm")
        y = 100.0
        box = d.text(
            cv,
            (30, y),
            rng.choice(("A Medicaid Managed Care Plan", f"{state} Medicaid Program")),
            st.lfont(19),
            st.label_color,
        )
        y = box[3] + 6
        if rng.random() < 0.6:
            box = d.value(cv, st, 30, y, plan, "plan_name", size=26, color=navy)
            y = box[3] + 12
    else:
        d.text(
            cv,
            (30, 24),
            rng.choice(
                (
                    f"State of {state}",
                    f"{state} Department of Health",
                    f"{state.upper()} HEALTH AND HUMAN SERVICES",
                )
            ),
            st.lfont(22, True),
            navy,
        )
        payer = f"{state} Medicaid"
        box = d.value(cv, st, 30, 58, payer, "payer_name", size=34, color=navy)
        y = box[3] + 24
    name, _ = person_name(rng, ("upper", "title", "last_first"))
    box = _pair(
        d,
        cv,
        st,
        30,
        y,
        rng.choice(("Name", "Member Name", "Recipient", "Member:", "Beneficiary Name")),
        name,
        "member_name",
        below,
    )
    y = box[3] + 14
    if mco:
        box = _pair(
            d,
            cv,
            st,
            30,
            y,
            rng.choice(("Member ID", "Member ID:", "Plan Member #", "Subscriber ID")),
            vals.letters(rng, 1) + vals.digits(rng, 9),
            "member_id",
            below,
        )
        y = box[3] + 14
        lab = rng.choice(
            (
                "Medicaid ID",
                "Medicaid #",
                "Medicaid No.",
                "CIN",
                "State Medicaid ID",
                "Medicaid ID Number",
            )
        )
    else:
        lab = rng.choice(
            (
                "Member ID",
                "ID #",
                "ID Number",
                "Client ID",
                "Recipient ID",
                "Beneficiary ID",
                "Medicaid #",
                "CIN",
                "Identification #",
            )
        )
    mcd = rng.choice(
        (
            vals.digits(rng, rng.choice((9, 10, 11, 12))),
            vals.letters(rng, 2) + vals.digits(rng, 5) + vals.letters(rng, 1),
        )
    )
    box = _pair(d, cv, st, 30, y, lab, mcd, "medicaid_id", below)
    y = box[3] + 14
    if rng.random() < 0.7 and y < 520:
        eff = vals.first_of_month(rng, 2019, 2026)
        d.pair(
            cv,
            st,
            30,
            y,
            rng.choice(("Effective Date", "Eligibility Date:", "Issue Date", "Eff Date")),
            vals.format_date(eff, "mdy"),
            "effective_date",
            eff.isoformat(),
            below=below,
        )
    if rng.random() < 0.6:
        x = 560.0
        yy = 120.0 if mco else 150.0
        for key, val, lab in (
            ("rx_bin", vals.rx_bin(rng), "RxBIN"),
            ("rx_pcn", vals.rx_pcn(rng), "RxPCN"),
            ("rx_group", vals.rx_group(rng), "RxGRP"),
        ):
            b = d.pair(cv, st, x, yy, lab, val, key, value_x=x + 110)
            yy = b[3] + 10
    draw_back(
        d,
        st,
        payer_name=payer,
        header_color=navy,
        phones=("phone_customer_service", "phone_provider", "phone_pharmacy"),
        payer_id=rng.random() < 0.4,
    )
    return d


LAYOUTS = {"sponsor_tpa": sponsor_tpa, "medicaid_program": medicaid_program}
