"""The card draft a layout fills in: two canvases, the truth dict, and field-drawing helpers.

Truth rules (documented in docs/cards.md):
- values are what the card prints; ids lose their spaces (``XYZ 1234`` -> ``XYZ1234``);
- dates are ISO ``YYYY-MM-DD`` whatever the printed format; phones are ``NNN-NNN-NNNN``;
- ``issuer_id`` is ``80840`` + 10 digits and ``medicare_mbi`` has no dashes;
- ``copays`` is a list of ``{"benefit", "amount"}`` as printed; ``dependents`` a list of names;
- ``claims_address`` is the printed lines joined by ``", "``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from eligo.cards.fields import FIELD_KEYS
from eligo.cards.synth import values as vals
from eligo.cards.synth.render import Box, Canvas, Color, Fonts, FontT, Role, union


@dataclass
class Style:
    """How one block of label/value pairs looks."""

    fonts: Fonts
    label_color: Color = (60, 60, 60)
    value_color: Color = (0, 0, 0)
    label_size: int = 22
    value_size: int = 26
    label_bold: bool = False
    value_bold: bool = True

    def lfont(self, size: int | None = None, bold: bool | None = None) -> FontT:
        return self.fonts.label(size or self.label_size, self.label_bold if bold is None else bold)

    def vfont(self, size: int | None = None, bold: bool | None = None) -> FontT:
        return self.fonts.value(size or self.value_size, self.value_bold if bold is None else bold)


@dataclass
class Draft:
    """A card being drawn: its sides and the truth collected from every field drawn."""

    layout: str
    rng: random.Random
    front: Canvas
    back: Canvas | None = None
    truth: dict[str, Any] = field(default_factory=dict)

    def set(self, key: str, value: Any) -> None:
        if key not in FIELD_KEYS:
            raise KeyError(f"unknown field key {key!r}")
        if key in self.truth and self.truth[key] != value:
            raise ValueError(f"field {key!r} drawn twice with different values")
        self.truth[key] = value

    def text(
        self,
        cv: Canvas,
        xy: tuple[float, float],
        s: str,
        fnt: FontT,
        fill: Color,
        *,
        key: str | None = None,
        role: Role = "text",
        anchor: str = "la",
    ) -> Box:
        return cv.text(xy, s, fnt, fill, key=key, role=role, anchor=anchor)

    def value(
        self,
        cv: Canvas,
        st: Style,
        x: float,
        y: float,
        printed: str,
        key: str,
        truth: Any = None,
        *,
        size: int | None = None,
        bold: bool | None = None,
        color: Color | None = None,
        anchor: str = "la",
    ) -> Box:
        """Draw a bare value (no label), e.g. the member name or payer name."""
        box = cv.text(
            (x, y),
            printed,
            st.vfont(size, bold),
            color or st.value_color,
            key=key,
            role="value",
            anchor=anchor,
        )
        self.set(key, printed if truth is None else truth)
        return box

    def pair(
        self,
        cv: Canvas,
        st: Style,
        x: float,
        y: float,
        label: str,
        printed: str,
        key: str,
        truth: Any = None,
        *,
        below: bool = False,
        gap: float = 10,
        value_x: float | None = None,
        lsize: int | None = None,
        vsize: int | None = None,
        lcolor: Color | None = None,
        vcolor: Color | None = None,
    ) -> Box:
        """Draw ``label`` then ``printed`` right of it (same baseline) or below it.

        ``y`` is the top of the pair. Returns the union box of label and value.
        """
        lf, vf = st.lfont(lsize), st.vfont(vsize)
        lcol, vcol = lcolor or st.label_color, vcolor or st.value_color
        if below:
            lb = cv.text((x, y), label, lf, lcol, key=key, role="label")
            vb = cv.text(
                (value_x or x, lb[3] + gap * 0.5), printed, vf, vcol, key=key, role="value"
            )
        else:
            base = y + max(
                lf.getbbox("Ag", anchor="ls")[1] * -1, vf.getbbox("Ag", anchor="ls")[1] * -1
            )
            lb = cv.text((x, base), label, lf, lcol, key=key, role="label", anchor="ls")
            vx = value_x if value_x is not None else lb[2] + gap
            vb = cv.text((vx, base), printed, vf, vcol, key=key, role="value", anchor="ls")
        self.set(key, printed if truth is None else truth)
        return union([lb, vb])

    def claims_address(
        self, cv: Canvas, st: Style, rng: random.Random, x: float, y: float, vsize: int
    ) -> float:
        """Draw a claims-address label with the address lines below it; returns their bottom."""
        lines, truth = vals.claims_address(rng)
        lb = cv.text(
            (x, y),
            label(rng, "claims_address"),
            st.lfont(),
            st.label_color,
            key="claims_address",
            role="label",
        )
        bottom = lb[3] + 6
        for line in lines:
            box = cv.text(
                (x, bottom),
                line,
                st.vfont(vsize, False),
                st.value_color,
                key="claims_address",
                role="value",
            )
            bottom = box[3] + 5
        self.set("claims_address", truth)
        return bottom


# Label vocabularies: each layout picks from these (or its own) so labels vary.
LABELS: dict[str, tuple[str, ...]] = {
    "member_id": (
        "Member ID",
        "ID#",
        "ID",
        "Member ID:",
        "Identification #",
        "ID Number",
        "Subscriber ID",
        "Mbr ID",
    ),
    "member_name": ("Member", "Member Name", "Name", "Member:", "Subscriber", "Enrollee"),
    "group_number": ("Group", "Grp", "Group No.", "Group #", "Group Number", "GRP#", "Group:"),
    "rx_bin": ("RxBIN", "BIN", "Rx Bin", "RXBIN", "BIN:", "Rx BIN"),
    "rx_pcn": ("RxPCN", "PCN", "Rx PCN", "RXPCN", "PCN:"),
    "rx_group": ("RxGrp", "RxGRP", "Rx Group", "RXGRP", "Rx Grp"),
    "rx_id": ("RxID", "Rx ID", "RXID", "Rx Member ID"),
    "effective_date": ("Effective Date", "Eff Date", "Effective", "Coverage Date", "Eff. Date:"),
    "payer_id": ("Payer ID", "Payer ID:", "EDI Payer ID", "Electronic Payer ID", "Payor ID"),
    "plan_type": ("Plan Type", "Network", "Plan"),
    "plan_name": ("Plan", "Plan Name", "Product"),
    "deductible": ("Deductible", "Ded", "In-Network Deductible", "Ind Ded"),
    "employer": ("Employer", "Group Name", "Sponsor"),
    "phone_customer_service": (
        "Member Services",
        "Customer Service",
        "Questions? Call",
        "Member Services:",
        "Customer Care",
    ),
    "phone_pharmacy": (
        "Pharmacy Help Desk",
        "Pharmacist Use Only",
        "Pharmacy Services",
        "Rx Help Desk",
        "Pharmacists:",
    ),
    "phone_provider": (
        "Provider Services",
        "Providers",
        "For Providers",
        "Provider Line",
        "Providers Call:",
    ),
    "claims_address": (
        "Send Claims To:",
        "Medical Claims:",
        "Claims Address",
        "Mail Claims To:",
        "Submit claims to:",
    ),
}


def label(rng: random.Random, key: str, options: tuple[str, ...] | None = None) -> str:
    return rng.choice(options or LABELS[key])


FINE_PRINT = (
    "This card does not guarantee coverage or eligibility.",
    "Present this card at the time of service.",
    "Possession of this card does not prove eligibility for benefits.",
    "Call the number above for precertification of inpatient stays.",
    "In an emergency, go to the nearest emergency room or call 911.",
    "Misuse of this card may be subject to prosecution.",
    "Providers: verify eligibility and benefits before rendering services.",
)


def draw_back(
    d: Draft,
    st: Style,
    *,
    payer_name: str,
    header_color: Color,
    phones: tuple[str, ...] = ("phone_customer_service", "phone_pharmacy", "phone_provider"),
    address: bool = True,
    payer_id: bool = True,
    columns: bool | None = None,
    site: str | None = None,
) -> None:
    """A typical card back: phone block, claims address, payer id, fine print."""
    rng = d.rng
    cv = d.back
    assert cv is not None
    cols = rng.random() < 0.5 if columns is None else columns
    y = 34.0
    if rng.random() < 0.5:
        cv.rect((0, 0, 1012, 70), header_color)
        d.text(cv, (40, 35), payer_name, st.vfont(30), (255, 255, 255), anchor="lm")
        y = 96.0
    else:
        d.text(cv, (40, y), payer_name, st.vfont(28), header_color)
        y += 52
    phone_style = rng.choice(vals.PHONE_STYLES)
    below = rng.random() < 0.3
    for key in phones:
        if d.rng.random() < 0.15 and key != "phone_customer_service":
            continue
        num = vals.phone(rng)
        box = d.pair(
            cv,
            st,
            40,
            y,
            label(rng, key),
            vals.format_phone(num, phone_style),
            key,
            vals.canonical_phone(num),
            below=below,
            value_x=None if below else (330 if cols else None),
        )
        y = box[3] + 14
    x2, y2 = (610.0, 96.0) if cols else (40.0, y + 6)
    if address:
        yy = d.claims_address(cv, st, rng, x2, y2, 24)
        y2 = yy + 14
    if payer_id:
        pid = d.truth.get("payer_id") or vals.payer_id(rng)
        box = d.pair(cv, st, x2, y2, label(rng, "payer_id"), pid, "payer_id")
        y2 = box[3] + 14
    y = max(y, y2) + 8
    small = st.lfont(18)
    for line in rng.sample(FINE_PRINT, rng.randint(2, 4)):
        if y > 590:
            break
        b = d.text(cv, (40, y), line, small, (90, 90, 90))
        y = b[3] + 8
    if site and y < 600:
        d.text(cv, (40, min(y + 4, 600)), site, st.lfont(20, True), header_color)


def dependents_block(
    d: Draft,
    cv: Canvas,
    st: Style,
    x: float,
    y: float,
    deps: list[str],
    *,
    indent: float,
    size: int = 20,
) -> float:
    """A "Dependents:" label with one indented name per line; returns the bottom."""
    lb = d.text(
        cv, (x, y), "Dependents:", st.lfont(), st.label_color, key="dependents", role="label"
    )
    yy = lb[3] + 4
    for dep in deps:
        b = d.text(
            cv,
            (x + indent, yy),
            dep,
            st.vfont(size, False),
            st.value_color,
            key="dependents",
            role="value",
        )
        yy = b[3] + 4
    d.set("dependents", deps)
    return yy
