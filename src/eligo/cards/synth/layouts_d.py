"""Card layouts, part D (training only): free-text fields in places the other layouts avoid.

The line model learns what a payer, employer or plan line *is* (its words and neighbours),
so these layouts move them around:

- ``crest_regional``: a regional commercial card, payer name centred at the top, the plan
  name bare top right or labelled under the ids, the employer bare under the group number.
- ``mco_family``: a Medicaid managed-care card. The state programme's title is the largest
  text (not the payer); the plan (payer) name sits smaller beside a logo, with a bare
  product name; a PCP line looks like a person's name but is not the member.
- ``tpa_employer``: a self-funded plan whose title is the employer; the administrator is a
  small "administered by" block; PBM name bare over the Rx ids.
- ``union_trust``: a trust-fund card with the plan name as its largest line, the fund
  (payer) below it or at the bottom, a bare member name and an employer line.

Names are invented here and differ from the other layouts' lists.
"""

from __future__ import annotations

import random

from eligo.cards.synth import values as vals
from eligo.cards.synth.core import Draft, Style, dependents_block, draw_back, label
from eligo.cards.synth.layouts_a import copay_block, person_name, pick_fonts, relative_name
from eligo.cards.synth.render import CARD_H, CARD_W, LOGO_KINDS, Box, Canvas, jitter, logo

PAYERS_D = (
    "Crestline Health",
    "Northfork Health Plan",
    "Valley Mutual Health",
    "Tidewater Care Partners",
    "Granite Peak Health",
    "Riverstone Health Plans",
)
MCOS_D = (
    ("Sunbridge Health Plan", ("Sunbridge Kids", "Sunbridge Family")),
    ("Cornerstone Community Care", ("Cornerstone Plus", "Healthy Start")),
    ("Bayou Family Health", ("Bayou Kids", "Family Connect")),
    ("Mesa Verde Health Partners", ("Mesa Care", "Little Steps")),
)
PROGRAMS_D = (
    "State Medical Assistance",
    "Healthy Families Program",
    "Medicaid Managed Care",
    "Children's Health Program",
    "Community Care Program",
)
TPAS_D = (
    "Keystone Benefit Administrators",
    "Meridian Claims Services",
    "Bluewater TPA",
    "Summit Benefit Solutions",
    "Anchor Plan Services",
)
EMPLOYERS_D = (
    "Hollis & Grant Construction",
    "Marlow County Schools",
    "Fairhaven Public Library",
    "Oakridge Dental Partners",
    "Quarry Road Brewing Co",
    "City of Port Ellery",
    "Delmont Plastics Inc",
    "Juniper Ridge Vineyards",
    "Sterling Precision Tools LLC",
    "Wexford Transit Corp",
    "Greenhill Academy",
    "Rowan Valley Water District",
)
FUNDS_D = (
    "Metro Trades Health Fund",
    "Ironworkers Welfare Trust",
    "Pacific Culinary Benefit Fund",
    "Electrical Workers Health Plan",
    "Laborers Regional Health Trust",
)
PLANS_D = (
    "Gold Choice",
    "Value Plan 500",
    "Base Plan",
    "Buy-Up Plan",
    "Option A",
    "Signature Select",
    "Premier Care",
    "Standard Option",
    "Family Advantage",
)
PLAN_LABELS_D = ("Plan:", "Product:", "Benefit Plan:", "Plan Name:", "Coverage:")
PCP_TITLES = ("PCP:", "Primary Care:", "Your PCP:", "Doctor:")


def _either(
    d: Draft,
    cv: Canvas,
    st: Style,
    x: float,
    y: float,
    key: str,
    printed: str,
    labels: tuple[str, ...],
    *,
    p_bare: float,
    size: int | None = None,
    truth: str | None = None,
) -> Box:
    """Draw a field bare (no label) with probability ``p_bare``, else labelled inline or below
    (a label without a colon goes above its value)."""
    rng = d.rng
    if rng.random() < p_bare:
        return d.value(cv, st, x, y, printed, key, truth, size=size)
    lab = rng.choice(labels)
    return d.pair(cv, st, x, y, lab, printed, key, truth, below=not lab.endswith(":"))


def _id_stack(
    d: Draft,
    cv: Canvas,
    st: Style,
    x: float,
    y: float,
    entries: list[tuple[str, str, str, str | None]],
) -> float:
    """(key, label, printed, truth) pairs down a column, inline or all below; returns the
    bottom. A None truth is the printed value."""
    below = d.rng.random() < 0.35
    for key, lab, printed, truth in entries:
        box = d.pair(cv, st, x, y, lab, printed, key, truth, below=below)
        y = box[3] + 12
    return y


def _rx_ids(d: Draft, cv: Canvas, st: Style, x: float, y: float, pbm: str | None) -> float:
    """An optional bare PBM name over BIN / PCN / Grp; returns the bottom."""
    rng = d.rng
    if pbm is not None:
        box = d.value(cv, st, x, y, pbm, "pbm_name", size=rng.choice((22, 26, 30)))
        y = box[3] + 10
    labels = rng.choice(
        (("BIN:", "PCN:", "GRP:"), ("RxBIN", "RxPCN", "RxGRP"), ("Bin", "Pcn", "Grp"))
    )
    for key, val, lab in zip(
        ("rx_bin", "rx_pcn", "rx_group"),
        (vals.rx_bin(rng), vals.rx_pcn(rng), vals.rx_group(rng)),
        labels,
        strict=True,
    ):
        box = d.pair(cv, st, x, y, lab, val, key, value_x=x + 110)
        y = box[3] + 8
    return y


def crest_regional(rng: random.Random) -> Draft:
    """Regional commercial plan, payer centred on top, bare employer under the group."""
    main = jitter(rng, rng.choice(((20, 90, 110), (90, 30, 90), (30, 60, 140))))
    d = Draft("crest_regional", rng, Canvas(), Canvas())
    st = Style(pick_fonts(rng, rng.choice(("sans", "serif")), "sans"), (70, 70, 70), (0, 0, 0))
    cv = d.front
    payer = rng.choice(PAYERS_D)
    band = rng.random() < 0.4
    if band:
        cv.rect((0, 0, CARD_W, 84), main)
    color = (255, 255, 255) if band else main
    d.value(
        cv,
        st,
        CARD_W / 2,
        42,
        payer,
        "payer_name",
        size=rng.choice((34, 38)),
        color=color,
        anchor="mm",
    )
    logo(cv, rng, rng.choice(LOGO_KINDS), (24, 16), 52, color, jitter(rng, (220, 180, 60)))
    plan = rng.choice(PLANS_D)
    plan_top = rng.random() < 0.5
    if plan_top:
        d.value(cv, st, CARD_W - 30, 110, plan, "plan_name", size=24, color=main, anchor="ra")
    name, last = person_name(rng)
    y = _id_stack(
        d,
        cv,
        st,
        36,
        110,
        [
            (
                "member_name",
                label(rng, "member_name", ("Enrollee:", "Name:", "Covered Person")),
                name,
                None,
            ),
            (
                "member_id",
                rng.choice(("Subscriber No.", "Member #", "ID:", "Member ID")),
                vals.letters(rng, 3) + vals.digits(rng, 7),
                None,
            ),
            ("group_number", label(rng, "group_number"), vals.group_number(rng, "digits"), None),
        ],
    )
    employer = rng.choice(EMPLOYERS_D + vals.EMPLOYERS)
    box = _either(
        d,
        cv,
        st,
        36,
        y,
        "employer",
        employer.upper() if rng.random() < 0.4 else employer,
        ("Employer:", "Group Name:", "Employer"),
        p_bare=0.6,
        size=22,
        truth=None,
    )
    y = box[3] + 14
    if not plan_top:
        box = _either(d, cv, st, 36, y, "plan_name", plan, PLAN_LABELS_D, p_bare=0.3, size=24)
        y = box[3] + 14
    if rng.random() < 0.6:
        copay_block(d, cv, st, 640, 330, vals.copays(rng, 4), cols=1, header=None, size=21)
    if rng.random() < 0.5:
        ptype = rng.choice(("PPO", "EPO", "POS", "HMO"))
        d.value(
            cv, st, CARD_W - 40, CARD_H - 40, ptype, "plan_type", size=34, color=main, anchor="rs"
        )
    if rng.random() < 0.4 and y < 540:
        deps = [relative_name(rng, last, "upper" if name.isupper() else "title") for _ in range(2)]
        dependents_block(d, cv, st, 36, y, deps, indent=20)
    draw_back(d, st, payer_name=payer, header_color=main)
    return d


def mco_family(rng: random.Random) -> Draft:
    """Medicaid managed care: programme title on top, plan name small beside a logo."""
    main = jitter(rng, rng.choice(((0, 110, 90), (150, 60, 20), (50, 50, 130))))
    d = Draft("mco_family", rng, Canvas(), Canvas())
    st = Style(
        pick_fonts(rng, "sans", rng.choice(("sans", "serif"))), (60, 60, 60), (10, 10, 10), 20, 25
    )
    cv = d.front
    mco, products = rng.choice(MCOS_D)
    d.text(cv, (30, 24), rng.choice(PROGRAMS_D), st.vfont(rng.choice((36, 40)), True), main)
    right = rng.random() < 0.5
    if right:
        logo(
            cv,
            rng,
            rng.choice(LOGO_KINDS),
            (CARD_W - 80, 90),
            50,
            main,
            jitter(rng, (240, 200, 90)),
        )
        box = d.value(cv, st, CARD_W - 96, 100, mco, "payer_name", size=26, color=main, anchor="ra")
    else:
        box = d.value(cv, st, 30, 84, mco, "payer_name", size=24, color=main)
    if rng.random() < 0.7:
        x, anchor = (CARD_W - 96, "ra") if right else (30, "la")
        d.value(cv, st, x, box[3] + 8, rng.choice(products), "plan_name", size=21, anchor=anchor)
    name, _ = person_name(rng)
    y = 190.0
    entries: list[tuple[str, str, str, str | None]] = [
        ("member_name", rng.choice(("Member:", "Recipient:", "Name:", "Member Name")), name, None),
        (
            "medicaid_id",
            rng.choice(("Medicaid ID:", "Recipient ID:", "State ID #", "Medicaid #")),
            vals.digits(rng, 10),
            None,
        ),
        (
            "member_id",
            rng.choice(("Plan ID:", "Member ID:", "Health Plan ID")),
            vals.letters(rng, 1) + vals.digits(rng, 8),
            None,
        ),
    ]
    if rng.random() < 0.5:
        eff = vals.first_of_month(rng, 2022, 2026)
        entries.append(
            (
                "effective_date",
                label(rng, "effective_date"),
                vals.format_date(eff, rng.choice(("mdy", "mdy2"))),
                eff.isoformat(),
            )
        )
    y = _id_stack(d, cv, st, 30, y, entries)
    if y < 560:
        first, _, plast = vals.person(rng)
        d.text(
            cv,
            (30, y + 4),
            f"{rng.choice(PCP_TITLES)} Dr. {first} {plast}",
            st.lfont(20),
            st.label_color,
        )
    if rng.random() < 0.5:
        _rx_ids(d, cv, st, 600, 200, rng.choice(vals.PBM_NAMES) if rng.random() < 0.6 else None)
        draw_back(d, st, payer_name=mco, header_color=main, address=rng.random() < 0.5)
        return d
    back = d.back
    assert back is not None
    yb = _rx_ids(d, back, st, 40, 30, rng.choice(vals.PBM_NAMES))
    num = vals.phone(rng)
    d.pair(
        back,
        st,
        40,
        yb + 12,
        label(rng, "phone_customer_service"),
        vals.format_phone(num, "dash"),
        "phone_customer_service",
        vals.canonical_phone(num),
    )
    d.text(
        back,
        (40, CARD_H - 70),
        f"{mco} is a managed care plan of the state program.",
        st.lfont(17),
        (90, 90, 90),
    )
    return d


def tpa_employer(rng: random.Random) -> Draft:
    """Self-funded plan titled with the employer; small "administered by" payer block."""
    main = jitter(rng, rng.choice(((40, 40, 40), (10, 80, 50), (120, 30, 30), (20, 50, 110))))
    d = Draft("tpa_employer", rng, Canvas(), Canvas())
    st = Style(
        pick_fonts(rng, "narrow", rng.choice(("sans", "narrow"))), (80, 80, 80), (0, 0, 0), 20, 24
    )
    cv = d.front
    employer = rng.choice(EMPLOYERS_D + vals.EMPLOYERS)
    tpa = rng.choice(TPAS_D)
    box = d.value(cv, st, 30, 26, employer, "employer", size=rng.choice((30, 34, 38)), color=main)
    y = box[3] + 6
    if rng.random() < 0.6:
        sub = rng.choice(("Group Health Benefit Plan", "Employee Medical Plan", "Health Plan"))
        box = d.text(cv, (30, y), sub, st.lfont(20), st.label_color)
        y = box[3] + 4
    plan = rng.choice(PLANS_D)
    if rng.random() < 0.5:
        d.value(cv, st, CARD_W - 30, 30, plan, "plan_name", size=22, color=main, anchor="ra")
        plan = ""
    name, last = person_name(rng)
    y = _id_stack(
        d,
        cv,
        st,
        30,
        max(y + 24, 130),
        [
            (
                "member_name",
                rng.choice(("Employee:", "Participant", "Member:", "Name")),
                name,
                None,
            ),
            (
                "member_id",
                rng.choice(("Participant ID", "ID #", "Member ID:")),
                vals.digits(rng, 9),
                None,
            ),
            (
                "group_number",
                rng.choice(("Group #", "Plan No.", "Group:", "Group ID")),
                vals.group_number(rng, "alnum"),
                None,
            ),
        ],
    )
    if plan:
        box = _either(d, cv, st, 30, y, "plan_name", plan, PLAN_LABELS_D, p_bare=0.25, size=22)
        y = box[3] + 12
    if rng.random() < 0.5 and y < 500:
        style = "upper" if name.isupper() else "title"
        deps = [relative_name(rng, last, style) for _ in range(rng.randint(1, 2))]
        dependents_block(d, cv, st, 30, y, deps, indent=18)
    x = 590.0
    yr = _rx_ids(d, cv, st, x, 140, rng.choice(vals.PBM_NAMES) if rng.random() < 0.7 else None)
    # The administrator: under an "Administered by" line or alone at the bottom right.
    if rng.random() < 0.5 and yr < 470:
        b = d.text(
            cv,
            (x, yr + 20),
            rng.choice(("Administered by", "Claims administrator:")),
            st.lfont(18),
            st.label_color,
        )
        d.value(cv, st, x, b[3] + 6, tpa, "payer_name", size=22, color=main)
    else:
        d.value(
            cv, st, CARD_W - 30, CARD_H - 36, tpa, "payer_name", size=26, color=main, anchor="rs"
        )
    draw_back(d, st, payer_name=tpa, header_color=main)
    return d


def union_trust(rng: random.Random) -> Draft:
    """Trust-fund card: the plan name is the largest line, the fund (payer) smaller."""
    main = jitter(rng, rng.choice(((100, 20, 20), (20, 20, 90), (30, 90, 30))))
    d = Draft("union_trust", rng, Canvas(), Canvas())
    st = Style(
        pick_fonts(rng, "serif", rng.choice(("serif", "sans"))), (50, 50, 50), (0, 0, 0), 21, 26
    )
    cv = d.front
    fund = rng.choice(FUNDS_D)
    plan = rng.choice(PLANS_D)
    cv.rect((0, 0, 22, CARD_H), main)
    box = d.value(cv, st, 50, 24, plan, "plan_name", size=rng.choice((36, 42)), color=main)
    fund_top = rng.random() < 0.5
    y = box[3] + 10
    if fund_top:
        box = d.value(cv, st, 50, y, fund, "payer_name", size=24)
        y = box[3] + 10
    y += 20
    name, _ = person_name(rng)
    if rng.random() < 0.5:
        box = d.value(cv, st, 50, y, name, "member_name", size=28)
        y = box[3] + 16
        entries: list[tuple[str, str, str, str | None]] = []
    else:
        entries = [("member_name", label(rng, "member_name"), name, None)]
    entries += [
        (
            "member_id",
            label(rng, "member_id"),
            vals.digits(rng, 3) + " " + vals.digits(rng, 6),
            None,
        ),
        ("group_number", label(rng, "group_number"), vals.group_number(rng, "dash"), None),
    ]
    entries = [
        (k, lab, p, p.replace(" ", "") if k == "member_id" else t) for k, lab, p, t in entries
    ]
    y = _id_stack(d, cv, st, 50, y, entries)
    employer = rng.choice(EMPLOYERS_D + vals.EMPLOYERS)
    if y < 470:
        box = _either(
            d,
            cv,
            st,
            50,
            y,
            "employer",
            employer,
            ("Employer:", "Contributing Employer", "Employer"),
            p_bare=0.5,
            size=21,
        )
    if rng.random() < 0.6:
        d.value(
            cv,
            st,
            CARD_W - 40,
            40,
            rng.choice(("PPO", "EPO", "HMO")),
            "plan_type",
            size=30,
            anchor="ra",
            color=main,
        )
    if rng.random() < 0.5:
        copay_block(
            d,
            cv,
            st,
            600,
            150,
            vals.copays(rng, 3),
            cols=1,
            header=rng.choice(("Copays", None)),
            size=21,
        )
    if not fund_top:
        d.value(
            cv, st, CARD_W - 30, CARD_H - 30, fund, "payer_name", size=26, color=main, anchor="rs"
        )
    draw_back(d, st, payer_name=fund, header_color=main, payer_id=rng.random() < 0.5)
    return d


LAYOUTS = {
    "crest_regional": crest_regional,
    "mco_family": mco_family,
    "tpa_employer": tpa_employer,
    "union_trust": union_trust,
}
