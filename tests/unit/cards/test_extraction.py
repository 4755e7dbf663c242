"""Extraction on hand-built OCR lines: anchors, geometry, formats, then correction."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from eligo.cards import correction, extraction, vocab
from eligo.cards.extraction import (
    Candidate,
    Extractor,
    _drop_repeated_reads,
    _strip_misread_label,
    find_anchors,
    fuzzy_label,
    line_anchors,
    misread_suffix_label,
)
from eligo.cards.linemodel import CLASSES, feature_names, line_features, load_line_model
from eligo.cards.ocr import OcrLine


def L(text: str, x0: float, y0: float, x1: float | None = None, h: float = 28) -> OcrLine:
    """An OCR line at (x0, y0); width from the text length unless given."""
    return OcrLine(text, (x0, y0, x1 if x1 is not None else x0 + 14 * len(text), y0 + h), 0.99)


def read_as(probs: np.ndarray, classes: tuple[str, ...]) -> list[str]:
    """The class each line is read as (its likeliest)."""
    return [classes[int(np.argmax(row))] for row in probs]


def fields_of(lines: list[OcrLine], side: str = "front") -> dict[str, Any]:
    ext = Extractor(line_model=None).extract(lines, 1012, 638, side=side)
    return {k: v.value for k, v in correction.finalize_side(ext.candidates, side).items()}


@pytest.mark.parametrize(
    ("text", "key", "label"),
    [
        ("Group No.45118", "group_number", "GROUP NO"),
        ("Identification #CHMW19348368", "member_id", "IDENTIFICATION #"),
        ("ProviderServices(877)950-1733", "phone_provider", "PROVIDER SERVICES"),
        ("Send ClaimsTo:", "claims_address", "SEND CLAIMS TO"),
        ("Effective Date03/01/2026", "effective_date", "EFFECTIVE DATE"),
        (
            "Medicare Number/Número de Medicare",
            "medicare_mbi",
            "MEDICARE NUMBER NUMERO DE MEDICARE",
        ),
        ("RxBIN:610014", "rx_bin", "RXBIN"),
        ("RxGRPJXZX678549", "rx_group", "RXGRP"),
        ("RXPCNGJFMMJH", "rx_pcn", "RXPCN"),  # a letters-only code after an Rx label
        ("Rx PCNVSNUF", "rx_pcn", "RXPCN"),
        ("SPONSORSierra Community College", "employer", "SPONSOR"),  # caps, then a word
        ("Electronic Payer IDDW088", "payer_id", "ELECTRONIC PAYER ID"),
    ],
)
def test_anchors_survive_glued_ocr_text(text: str, key: str, label: str) -> None:
    anchors = find_anchors(text, 0)
    assert anchors
    assert anchors[0].key == key
    assert anchors[0].label == label


def test_a_glued_rx_label_is_no_pbm_name() -> None:
    """ "RxPCNVSNUF" is the PCN, never the line model's PBM name."""
    got = fields_of(
        [
            L("HaloScript", 40, 300, h=24),
            L("RxBIN 610014", 40, 340, h=22),
            L("RxPCNVSNUF", 40, 370, h=22),
            L("RxGRP ABC123", 40, 400, h=22),
            L("Member ID W123456789", 40, 200),
        ]
    )
    assert got["rx_pcn"] == "VSNUF"
    assert got.get("pbm_name") != "RxPCNVSNUF"


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("GRP NBR 12345", "group_number", "12345"),
        ("Group Num: 7788", "group_number", "7788"),
        ("Grp/Plan # 0034521", "group_number", "0034521"),
        ("Group/Plan No: 0034521", "group_number", "0034521"),
        ("Emp Group 0034521", "group_number", "0034521"),
        ("Member Nbr 123456789", "member_id", "123456789"),
        ("Mbr No. W12345678", "member_id", "W12345678"),
        ("Subscriber ID No. 99887766", "member_id", "99887766"),
        ("Cardholder ID 12345678", "member_id", "12345678"),
        ("Plan Nbr 0045", "plan_number", "0045"),
        ("Contract/PBP H1234-012", "plan_number", "H1234-012"),
        ("Medicaid Nbr 1234567", "medicaid_id", "1234567"),
        ("Recipient # 12345", "medicaid_id", "12345"),
        ("Member Suffix 01", "member_id_suffix", "01"),
        ("Part B Effective Date 01/01/2020", "medicare_part_b_date", "01/01/2020"),
        ("Part A Eff. Date 01/01/2020", "medicare_part_a_date", "01/01/2020"),
        ("Coverage Effective Date 01/01/2024", "effective_date", "01/01/2024"),
        ("Pharmacy Helpline 1-800-555-1212", "phone_pharmacy", "1-800-555-1212"),
        ("Medicaid |D: 3330746211", "medicaid_id", "3330746211"),
        ("Subscriber 1D 418620013", "member_id", "418620013"),
    ],
)
def test_label_variants_real_cards_print(text: str, key: str, value: str) -> None:
    """The word "number" abbreviated every way (#, No., Nbr, Num); compound labels whole."""
    anchors = find_anchors(text, 0)
    assert [a.key for a in anchors] == [key]
    assert text[anchors[0].end :].strip() == value


@pytest.mark.parametrize(
    "text",
    [
        "Boise, ID 83707",
        "PO Box 1234 Plan Services",
        "Pharmacy benefits",
        "Member IDENTITY 42",
        "BINGHAMTON 13901",
    ],
)
def test_weak_labels_inside_text_are_not_anchors(text: str) -> None:
    keys = [a.key for a in find_anchors(text, 0) if a.start > 0]
    assert keys == []


def test_inline_right_and_below_values() -> None:
    lines = [
        L("Member:", 32, 166),
        L("ZACHARY OWENS", 32, 193),
        L("Rx Bin:", 635, 160),
        L("938245", 755, 159),
        L("Rx PCN:", 636, 205),
        L("A97", 755, 201),
        L("Group No.R20478", 32, 296),
        L("Payer ID: 96943", 33, 362),
    ]
    got = fields_of(lines)
    assert got["member_name"] == "ZACHARY OWENS"
    assert got["rx_bin"] == "938245"
    assert got["rx_pcn"] == "A97"
    assert got["group_number"] == "R20478"
    assert got["payer_id"] == "96943"


def test_back_side_phones_address_and_payer_id() -> None:
    lines = [
        L("Customer Service800.659.4364", 38, 85),
        L("Pharmacists:833.895.1154", 38, 119),
        L("For Providers 1 (800) 722-6312", 37, 155),
        L("Submit claims to:", 37, 200),
        L("Attn: Claims", 37, 228),
        L("PO Box 83679", 37, 256),
        L("Des Moines, IA 50306-4933", 37, 284),
        L("EDI Payer ID HA217", 37, 330),
        L("Call the number above for precertification of inpatient stays.", 37, 370),
    ]
    got = fields_of(lines, "back")
    assert got["phone_customer_service"] == "800-659-4364"
    assert got["phone_pharmacy"] == "833-895-1154"
    assert got["phone_provider"] == "800-722-6312"
    assert got["claims_address"] == "Attn: Claims, PO Box 83679, Des Moines, IA 50306-4933"
    assert got["payer_id"] == "HA217"


def test_medicare_card() -> None:
    lines = [
        L("Name/Nombre", 35, 137),
        L("LINDA M RUIZ", 37, 173),
        L("Medicare Number/Número de Medicare", 36, 237),
        L("4JM9-YM6-HW19", 37, 271),
        L("Coverage starts/Cobertura empieza", 596, 343),
        L("HOSPITAL (PART A)", 35, 381),
        L("04-01-2007", 597, 382),
        L("MEDICAL (PART B)", 36, 434),
        L("O4-01-2OO9", 597, 434),
    ]
    got = fields_of(lines)
    assert got["member_name"] == "LINDA M RUIZ"
    assert got["medicare_mbi"] == "4JM9YM6HW19"
    assert got["medicare_part_a_date"] == "2007-04-01"
    assert got["medicare_part_b_date"] == "2009-04-01"
    assert "plan_name" not in got


def test_copays_dependents_issuer_and_prefix() -> None:
    lines = [
        L("Health Plan (80840) 914-04610-14", 33, 114),
        L("ID: XOJ8O1234567", 30, 160),
        L("Dependents:", 25, 222),
        L("Sara Coleman", 47, 251),
        L("Tom Coleman", 47, 280),
        L("Office Copays", 31, 427),
        L("SPC $60", 30, 459, 130),
        L("ER Visit $100", 262, 460, 407),
        L("Emergency$200", 491, 460, 600),
        L("Spec 20%", 723, 460, 830),
    ]
    got = fields_of(lines)
    assert got["issuer_id"] == "808409140461014"
    assert got["member_id"] == "XOJ801234567"
    assert got["member_id_prefix"] == "XOJ"
    assert got["dependents"] == ["Sara Coleman", "Tom Coleman"]
    assert got["copays"] == [
        {"benefit": "SPC", "amount": "$60"},
        {"benefit": "ER Visit", "amount": "$100"},
        {"benefit": "Emergency", "amount": "$200"},
        {"benefit": "Spec", "amount": "20%"},
    ]


def test_an_eleven_digit_id_is_not_an_mbi() -> None:
    got = fields_of([L("Subscriber ID", 36, 170), L("10622004728", 36, 200)])
    assert got["member_id"] == "10622004728"
    assert "medicare_mbi" not in got


def test_id_repair_is_recorded_in_provenance() -> None:
    ext = Extractor(line_model=None).extract([L("Member ID: 8561O7366", 30, 100)], 1012, 638)
    fields = correction.finalize_side(ext.candidates, "front")
    fv = fields["member_id"]
    assert fv.value == "856107366"
    assert fv.correct < 1.0
    assert {
        "step": "correct",
        "kind": "id_digits",
        "before": "8561O7366",
        "after": "856107366",
    } in (fv.provenance)


def test_cross_checks_align_rx_id_with_member_id_and_merge_sides() -> None:
    front = fields_of_values({"member_id": ("895277638", 0.99), "rx_id": ("895277G38", 0.80)})
    back = fields_of_values({"member_id": ("895277638", 0.95)}, side="back")
    merged = correction.merge_sides(front, back)
    assert merged["rx_id"].value == "895277638"
    assert any(p.get("kind") == "cross_check_member_id" for p in merged["rx_id"].provenance)
    assert any(
        p == {"step": "cross_check", "with": "back", "agree": True}
        for p in merged["member_id"].provenance
    )


def fields_of_values(
    values: dict[str, tuple[str, float]], side: str = "front"
) -> dict[str, correction.FieldValue]:
    return {
        k: correction.FieldValue(k, v, (0, 0, 10, 10), side, s, 0.95, 1.0, [])
        for k, (v, s) in values.items()
    }


def test_line_features_shape_and_shipped_model() -> None:
    lines = [L("UnitedCare", 116, 40, h=47), L("ZACHARY OWENS", 32, 193), L("POS", 885, 541)]
    feats = line_features(lines, 1012, 638, is_back=False, anchor_keys=[None, None, None])
    assert feats.shape == (3, len(feature_names()))
    model = load_line_model()
    if model is None:
        pytest.skip("line model not built")
    probs = model.predict(feats)
    assert probs.shape == (3, len(CLASSES))
    assert probs.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-6)
    assert CLASSES[int(probs[0].argmax())] == "payer_name"
    assert CLASSES[int(probs[2].argmax())] == "plan_type"


def test_an_address_ends_at_its_zip_line() -> None:
    lines = [
        L("Send Claims To:", 610, 96),
        L("PO Box 57368", 610, 124),
        L("Charlotte, NC 28272", 610, 152),
        L("Claims administered by Crossroads TPA", 610, 180),
        L("In an emergency, go to the nearest emergency room or call 911.", 40, 400),
    ]
    got = fields_of(lines, "back")
    assert got["claims_address"] == "PO Box 57368, Charlotte, NC 28272"


def test_glued_payer_id_label_is_not_an_address_line() -> None:
    lines = [
        L("Medical Claims:", 38, 157),
        L("PO Box 48955", 38, 185),
        L("Kansas City, MO 64121-3046", 38, 213),
        L("Payor IDR938", 38, 241),
    ]
    got = fields_of(lines, "back")
    assert got["claims_address"] == "PO Box 48955, Kansas City, MO 64121-3046"
    assert got["payer_id"] == "R938"


def test_member_id_on_a_state_medicaid_card_is_the_medicaid_id() -> None:
    front = [L("Member ID: 712065636695", 30, 200)]
    ext = Extractor(line_model=None).extract(front, 1012, 638)
    payer = Candidate(
        "payer_name", "Ohio Medicaid", (30, 40, 300, 80), 0.99, 0.95, "line_model", (9,)
    )
    got = correction.finalize_side([*ext.candidates, payer], "front")
    assert got["medicaid_id"].value == "712065636695"
    assert "member_id" not in got


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Healthy Kids Medicaid", "medicaid_id"),
        ("If you also have Medicaid, show both cards at every visit.", "member_id"),
    ],
)
def test_a_generic_id_on_a_side_that_says_medicaid_is_the_medicaid_id(
    heading: str, key: str
) -> None:
    # No line model: the side's own lines say Medicaid, no candidate does.
    lines = [L(heading, 30, 40), L("ID 1045669327", 30, 200)]
    ext = Extractor(line_model=None).extract(lines, 1012, 638)
    texts = [ln.text for ln in ext.lines]
    got = correction.finalize_side(ext.candidates, "front", None, texts)
    assert got[key].value == "1045669327"


def test_member_id_on_a_managed_care_card_stays_the_member_id() -> None:
    front = [L("Member ID: T383999010", 30, 200), L("A Medicaid Managed Care Plan", 30, 100)]
    got = fields_of(front)
    assert got["member_id"] == "T383999010"
    assert "medicaid_id" not in got


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Emplover Orchard Valley Farms", "Orchard Valley Farms"),
        ("Pian Spenser: Northwind Logistics", "Northwind Logistics"),
        ("Employee Health Plan", "Employee Health Plan"),
        ("Acme Manufacturing Co", "Acme Manufacturing Co"),
    ],
)
def test_a_blurred_label_is_cut_from_a_free_line(text: str, want: str) -> None:
    assert _strip_misread_label(text, "employer") == want


def test_row_labels_take_the_dates_of_an_offset_column_in_order() -> None:
    """Medicare-style rows: each date sits half a line below its label, beside a column
    heading that is no date; Part A takes the first date, Part B the next one."""
    lines = [
        L("HOSPITAL (PART A)", 65, 316, 321, h=40),
        L("Coverage starts", 528, 318, 818, h=35),
        L("06-01-2013", 528, 342, 684, h=32),
        L("MEDICAL (PART B)", 65, 352, 308, h=39),
        L("09-01-2014", 526, 378, 682, h=32),
    ]
    got = fields_of(lines)
    assert got["medicare_part_a_date"] == "2013-06-01"
    assert got["medicare_part_b_date"] == "2014-09-01"
    # "Coverage starts" read right is a heading, not a blurred "Coverage Date" label.
    assert "effective_date" not in got


def test_below_is_judged_by_line_centres_on_blurred_boxes() -> None:
    # Blur grows boxes into each other: the group value's box starts above the label's
    # bottom, the member id's box ends below the label's top.
    lines = [
        L("Subscriber ID", 328, 361, 415, h=33),
        L("418620013", 332, 370, 429, h=38),
        L("Group:", 337, 398, 382, h=21),
        L("94360-622", 340, 403, 428, h=32),
    ]
    got = fields_of(lines)
    assert got["group_number"] == "94360-622"


def test_letters_only_group_code_under_its_label() -> None:
    lines = [
        L("ID #", 25, 188, 76),
        L("133171385", 28, 214, 184),
        L("Group ID", 26, 246, 116),
        L("HESCPE", 27, 277, 141),
    ]
    got = fields_of(lines)
    assert got["member_id"] == "133171385"
    assert got["group_number"] == "HESCPE"


def test_a_qualified_bare_label_takes_the_value_below() -> None:
    lines = [
        L("Medicaid #", 26, 247, 146),
        L("3709233497", 27, 277, 206),
        L("Health Plan ID", 27, 309, 176),
        L("Y40113515", 26, 335, 191),
    ]
    got = fields_of(lines)
    assert got["medicaid_id"] == "3709233497"
    assert got["member_id"] == "Y40113515"


def test_stray_marks_before_an_inline_id_are_dropped() -> None:
    got = fields_of([L("ID$ W664537462", 97, 181, 292), L("GRP 58036298", 106, 217, 253)])
    assert got["member_id"] == "W664537462"


@pytest.mark.parametrize("text", ["Medicare Honor", "Coverage starts", "Groups"])
def test_plan_names_and_headings_are_no_blurred_labels(text: str) -> None:
    assert fuzzy_label(text, 0) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Grovp Nunber", "group_number"),
        ("GROUPN", "group_number"),  # "GROUP NO", its O lost
        ("Effectiv", "effective_date"),  # a common word as a label, cut short
    ],
)
def test_a_blurred_bare_label_still_anchors(text: str, key: str) -> None:
    anchors = fuzzy_label(text, 0)
    assert [a.key for a in anchors] == [key]


def test_a_row_ocr_read_both_whole_and_by_cells_is_read_once() -> None:
    lines = [
        L("Copays", 514, 299, 609),
        L("Specialist Visit $20 Emergency $100", 513, 329, 931),
        L("Specialist Visit $20", 516, 333, 726),
        L("Emergency $100", 740, 332, 931),
        L("UC $75", 515, 361, 603),
    ]
    got = fields_of(lines)["copays"]
    assert [c["benefit"] for c in got] == ["Specialist Visit", "Emergency", "UC"]
    # Blur bridged two columns: the line across both is the repeat, not the cells.
    lines = [
        L("RxBIN", 26, 231, 99),
        L("RxPCN", 177, 233, 253),
        L("390760J90", 26, 256, 231),
        L("390760", 29, 257, 136),
        L("J90", 119, 256, 229),
    ]
    got = fields_of(lines)
    assert (got.get("rx_bin"), got.get("rx_pcn")) == ("390760", "J90")
    # One cell of the row read again on its own: the cell is the repeat.
    lines = [
        L("Specialist Visit $30 UC $40", 517, 358, 829),
        L("UC $40", 740, 359, 829),
        L("Telehealth $15", 517, 329, 675),
    ]
    assert [c["benefit"] for c in fields_of(lines)["copays"]] == [
        "Telehealth",
        "Specialist Visit",
        "UC",
    ]
    # A label and its value read as one line and as cells: the line keeps them together;
    # a cell OCR was surer of than of the blurred line stays.
    lines = [
        L("Member Services: 1 (844) 445-5314", 27, 560, 449),
        L("Member", 37, 570, 123),
        L("Services", 115, 568, 221),
        L("1 (844) 445-5314", 215, 562, 448),
        OcrLine("Efe<tiva: 12-01-2024", (27, 235, 313, 272), 0.85),
        OcrLine("Effective:", (31, 241, 141, 270), 1.0),
        OcrLine("12-01-2024", (137, 239, 311, 269), 1.0),
    ]
    got = fields_of(lines)
    assert got.get("phone_customer_service") == "844-445-5314"
    assert got.get("effective_date") == "2024-12-01"
    # A logo read as a mark before the name: the clean cell is the print.
    lines = [L("+Keystone BlueCross", 26, 11, 553, h=78), L("Keystone BlueCross", 161, 30, 542)]
    assert [ln.text for ln in _drop_repeated_reads(lines)] == ["Keystone BlueCross"]


@pytest.mark.parametrize(
    ("value", "suffix"),
    [
        ("A12345678 Sfx 01", "01"),  # read right
        ("A12345678 Sfk 01", "01"),  # blur turned the x
        ("A12345678 Stx: 02", "02"),
        ("A12345678 Sfxyz 01", None),  # two letters off
        ("A12345678 Rel 01", None),  # two letters off "Dep"
    ],
)
def test_a_suffix_label_misread_by_a_letter_still_labels_the_suffix(
    value: str, suffix: str | None
) -> None:
    lines = [L("ID", 30, 150), L(value, 200, 150), L("Group", 30, 190), L("1234567", 200, 190)]
    got = fields_of(lines)
    assert got.get("member_id") == "A12345678"
    assert got.get("member_id_suffix") == suffix
    assert got.get("group_number") == "1234567"


def test_a_word_in_capitals_after_an_id_is_no_misread_suffix_label() -> None:
    # "SEX" is one letter off "SFX", but ids print capitals: no blur made it lower case.
    assert misread_suffix_label("A12345678 SEX 01", 0) == []
    assert [a.key for a in misread_suffix_label("A12345678 Sfk 01", 0)] == ["member_id_suffix"]


@pytest.mark.parametrize(
    ("label", "want"),
    [
        ("Member 10", "W123456789"),  # "ID" read as a one and a zero
        ("Member 1D", "W123456789"),
        ("Subscriber lD", "W123456789"),
        ("Member 1000", None),  # a number, not "ID": the member label's value (no name)
    ],
)
def test_id_read_as_digits_after_a_label_word_still_labels_the_id(
    label: str, want: str | None
) -> None:
    got = fields_of([L(label, 30, 150), L("W123456789", 30, 180)])
    assert got.get("member_id") == want


@pytest.mark.parametrize(
    ("line", "key", "want"),
    [
        ("Member Narne: JANE Q DOE", "member_name", "JANE Q DOE"),  # "Name" misread
        ("Group Nurnber: 1234567", "group_number", "1234567"),
        ("Member: JANE Q DOE", "member_name", "JANE Q DOE"),
    ],
)
def test_a_misread_label_word_before_a_colon_is_no_part_of_the_value(
    line: str, key: str, want: str
) -> None:
    assert fields_of([L(line, 30, 150)]).get(key) == want


def test_a_caption_ending_in_plan_is_no_label_of_the_name_above_it() -> None:
    # Under the sponsor's name, with "Employee" misread so no label opens the line.
    lines = [
        L("Harbor Tools LLC", 27, 32, 361, h=43),
        L("Emplyee Health Benefit Plan", 28, 73, 348, h=30),
        L("Member ID", 29, 132),
        L("W123456789", 29, 162),
    ]
    got = fields_of(lines)
    assert "plan_name" not in got
    assert got["member_id"] == "W123456789"
    # A qualified "Plan Name" label still labels the line under it.
    assert (
        fields_of([L("Health Plan Name", 30, 40), L("Gold Choice", 30, 75)]).get("plan_name")
        == "Gold Choice"
    )


def test_an_id_colon_read_as_digits_and_equals_still_labels_the_id() -> None:
    assert fields_of([L("10= 812345678", 30, 150)]).get("member_id") == "812345678"
    # Without the colon "10" is a number like any other.
    assert "member_id" not in fields_of([L("10 812345678", 30, 150)])


@pytest.mark.parametrize(
    ("line", "bin_"),
    [
        ("BINS 610014 PCN ADV GRP RX1234", "610014"),  # the row's first label misread
        ("Bln 610014", "610014"),
        ("BINS 61001 PCN ADV", None),  # five digits: no BIN, so no BIN label either
        ("Dept 610014", None),  # no code label one letter off
    ],
)
def test_a_short_code_label_one_letter_off_labels_a_code_of_its_format(
    line: str, bin_: str | None
) -> None:
    got = fields_of([L(line, 30, 150)], side="back")
    assert got.get("rx_bin") == bin_
    if "PCN" in line:
        assert got.get("rx_pcn") == "ADV"


def test_a_plan_label_over_a_contract_pbp_code_is_the_plan_number() -> None:
    lines = [L("Plan", 430, 178, 483), L("H6352-955", 379, 205, 542)]
    got = fields_of(lines)
    assert got.get("plan_number") == "H6352-955"
    assert "plan_name" not in got


def test_a_blurred_longer_label_beats_the_short_exact_label_it_starts_with() -> None:
    # "Member Services" read as "Member Servicel": the phone label, not a member named Servicel.
    got = fields_of([L("Member Servicel", 37, 89), L("1-833-726-7925", 38, 121)], "back")
    assert got.get("phone_customer_service") == "833-726-7925"
    assert "member_name" not in got


@pytest.mark.parametrize(
    ("lines", "key", "phone"),
    [
        (
            [L("Call Us", 36, 140, 129), L("1-855-690-3337", 40, 171, 263)],
            "phone_customer_service",
            "855-690-3337",
        ),
        (
            [L("PROVIDER INQUIRIES", 47, 41, 320), L("844-315-7792", 331, 42, 536)],
            "phone_provider",
            "844-315-7792",
        ),
        (
            [L("Pharmacy Hotline", 40, 60), L("(800) 423-1973", 40, 92)],
            "phone_pharmacy",
            "800-423-1973",
        ),
    ],
)
def test_words_after_a_phone_label_are_the_labels_own(
    lines: list[OcrLine], key: str, phone: str
) -> None:
    # The words are no number, so the phone beside or below is the label's value.
    assert fields_of(lines, "back").get(key) == phone


def test_a_name_after_a_short_label_is_not_read_as_a_longer_label() -> None:
    got = fields_of([L("Member Sevier", 30, 100)])
    assert "phone_customer_service" not in got


def test_a_label_and_an_address_glued_after_phone_numbers_are_their_own_blocks() -> None:
    # OCR joined each phone with the block printed beside it; the merged second row is tall.
    lines = [
        L("Member Services:", 39, 30, 241),
        L("1 (866) 351-4481 Submit claims to:", 329, 26, 806, h=35),
        L("Providers Call:", 38, 73, 202),
        L("1 (844) 387-2567 PO Box 4117", 326, 57, 783, h=50),
        L("Little Rock, AR 72203", 605, 96, 891, h=32),
    ]
    got = fields_of(lines, "back")
    assert got["phone_customer_service"] == "866-351-4481"
    assert got["phone_provider"] == "844-387-2567"
    assert got["claims_address"] == "PO Box 4117, Little Rock, AR 72203"


def test_an_address_last_line_glued_after_a_phone_number_continues_the_address() -> None:
    lines = [
        L("Send Claims To:", 606, 95, 770),
        L("PO Box 64412", 604, 123, 790),
        L("Provider Line", 39, 160, 172),
        L("1 (866) 375-3084 Jacksonville, FL 32231-5512", 327, 150, 964, h=36),
    ]
    got = fields_of(lines, "back")
    assert got["phone_provider"] == "866-375-3084"
    assert got["claims_address"] == "PO Box 64412, Jacksonville, FL 32231-5512"


def test_a_copay_amount_read_with_letters_for_digits_is_repaired() -> None:
    got = fields_of([L("Virtual $o", 30, 300), L("Specialist $4O", 30, 330)])
    assert got["copays"] == [
        {"benefit": "Virtual", "amount": "$0"},
        {"benefit": "Specialist", "amount": "$40"},
    ]


def test_a_copay_benefit_read_with_a_times_sign_or_glued_to_an_acronym_is_read_right() -> None:
    # OCR reads the x of "Rx" as a multiplication sign, and drops the space after "ER".
    got = fields_of([L("R× $10", 30, 300), L("ERVisit$250", 30, 330), L("UrgentCare $75", 30, 360)])
    assert got["copays"] == [
        {"benefit": "Rx", "amount": "$10"},
        {"benefit": "ER Visit", "amount": "$250"},
        {"benefit": "Urgent Care", "amount": "$75"},
    ]


def test_a_dollar_sign_blur_read_as_an_s_after_a_benefit_is_the_sign() -> None:
    lines = [L("Spec $50", 516, 330, 620), L("Telehealth s0", 516, 359, 661)]
    lines += [L("Generic Rx S20", 744, 359, 908), L("Dental plans 3", 516, 420, 700)]
    assert fields_of(lines)["copays"] == [
        {"benefit": "Spec", "amount": "$50"},
        {"benefit": "Telehealth", "amount": "$0"},
        {"benefit": "Generic Rx", "amount": "$20"},
    ]


def test_a_copay_list_with_a_benefit_whose_amount_blur_garbled_is_incomplete() -> None:
    # "$60" read as "0560" and "$300" as "3300": "SPC" and "ER" have no amount.
    rows = [("Urgent Care", "$25", 301), ("SPC", "0560", 340), ("ER", "3300", 421)]
    lines = [L(b, 593, y, 726) for b, _, y in rows] + [L(a, 889, y, 979) for _, a, y in rows]
    ext = Extractor(line_model=None).extract(lines, 1012, 638)
    (copays,) = [c for c in ext.candidates if c.key == "copays"]
    assert copays.value == [{"benefit": "Urgent Care", "amount": "$25"}]
    assert copays.extract_score == extraction.COPAYS_INCOMPLETE_EXTRACT
    # Read right, the list is whole; an "Rx" label above it is no benefit of the list.
    lines[4] = L("$60", 889, 340, 979)
    lines[5] = L("$300", 889, 421, 979)
    lines.append(L("R× P", 593, 262, 650))
    ext = Extractor(line_model=None).extract(lines, 1012, 638)
    (copays,) = [c for c in ext.candidates if c.key == "copays"]
    assert len(copays.value) == 3
    assert copays.extract_score > extraction.COPAYS_INCOMPLETE_EXTRACT


def test_a_long_benefit_name_missing_letters_is_the_vocabulary_benefit() -> None:
    got = fields_of(
        [L("Oice Visit $25", 30, 300), L("Emergncy Room $350", 30, 330), L("Spc $40", 30, 360)]
    )
    assert got["copays"] == [
        {"benefit": "Office Visit", "amount": "$25"},
        {"benefit": "Emergency Room", "amount": "$350"},
        # Short names are left as printed: "Spc" is one letter from "Spec" and from "SPC".
        {"benefit": "Spc", "amount": "$40"},
    ]


def test_a_bare_label_whose_colon_was_read_as_a_letter_still_anchors() -> None:
    # Blur reads "Member:" as "Memberi" and "Subscriber:" as "Subseriberi" (not "Subscriber ID").
    lines = [
        L("Memberi", 32, 179, 140),
        L("Subseriberi", 515, 177, 649),
        L("Martha Collins", 32, 207, 252),
        L("Roy Collins", 514, 207, 685),
    ]
    got = fields_of(lines)
    assert got.get("member_name") == "Martha Collins"
    assert got.get("subscriber_name") == "Roy Collins"
    assert "member_id" not in got


@pytest.mark.parametrize("text", ["Daniel", "Michael Neil", "Medical"])
def test_a_word_ending_in_i_or_l_is_no_label_with_a_misread_colon(text: str) -> None:
    assert line_anchors(text, 0) == []


def test_rx_values_whose_labels_glare_wiped_take_their_rows_in_the_standard_order() -> None:
    # "RxBIN:" and "RxPCN:" were lost to glare; "RxGRP:" was read.
    lines = [
        L("ID", 38, 171, 68),
        L("H53904286", 40, 196, 198),
        L("695020", 760, 234, 864),
        L("FJ6735", 758, 270, 857),
        L("RxGRP:", 641, 315, 715),
        L("51361245", 758, 310, 897),
    ]
    got = fields_of(lines)
    assert got["rx_group"] == "51361245"
    assert got.get("rx_bin") == "695020"
    assert got.get("rx_pcn") == "FJ6735"


def test_an_rx_column_out_of_the_standard_order_is_left_unlabelled() -> None:
    # Six digits in the PCN's row: this block is not printed BIN, PCN, Group.
    lines = [
        L("A1B2C3", 760, 234, 864),
        L("610014", 758, 270, 857),
        L("RxGRP:", 641, 315, 715),
        L("51361245", 758, 310, 897),
    ]
    got = fields_of(lines)
    assert "rx_bin" not in got
    assert "rx_pcn" not in got


@pytest.mark.parametrize(
    ("labels", "pcn", "group"),
    [
        ([], "LYFW", "8Q4SK80B"),  # both labels lost: the standard order
        ([("roup", 472, 528)], "LYFW", "8Q4SK80B"),  # a label's tail is no label
        ([("rx pcn", 240, 314)], "LYFW", "8Q4SK80B"),
        ([("rx group", 240, 330)], None, "LYFW"),  # a Group label second: out of order
    ],
)
def test_rx_values_in_a_row_whose_labels_glare_wiped_take_the_standard_order(
    labels: list[tuple[str, float, float]], pcn: str | None, group: str | None
) -> None:
    lines = [
        L("member id", 43, 186, 158),
        L("91515363E", 44, 213, 225),
        L("rx bin", 43, 259, 106),
        *(L(text, x0, 260, x1) for text, x0, x1 in labels),
        L("866198", 43, 285, 152),
        L("LYFW", 240, 288, 314),
        L("8Q4SK80B", 440, 290, 586),
    ]
    got = fields_of(lines)
    assert (got.get("rx_bin"), got.get("rx_pcn"), got.get("rx_group")) == ("866198", pcn, group)


@pytest.mark.parametrize(
    ("fourth", "rx_id"),
    [
        ("ADV758482950", "ADV758482950"),  # the member id again: the Rx ID
        ("ADV758482951", None),  # another code: nothing says what it is
    ],
)
@pytest.mark.parametrize("rx_id_label", [[], [("DID", 501, 547)]])  # "RxID" wiped or misread
def test_the_member_id_after_an_rx_row_whose_last_label_glare_wiped_is_the_rx_id(
    fourth: str, rx_id: str | None, rx_id_label: list[tuple[str, float, float]]
) -> None:
    lines = [
        L("ID NUMBER", 29, 171, 148),
        L("ADV758482950", 29, 196, 279),
        L("RxBIN", 27, 231, 95),
        L("RxPCN", 175, 229, 248),
        L("RxGrp", 322, 231, 389),
        *(L(text, x0, 231, x1) for text, x0, x1 in rx_id_label),
        L("409834", 29, 256, 129),
        L("WEE", 175, 256, 240),
        L("GZCJ477941", 322, 258, 483),
        L(fourth, 510, 257, 712),
    ]
    got = fields_of(lines)
    assert (got.get("rx_bin"), got.get("rx_pcn"), got.get("rx_group")) == (
        "409834",
        "WEE",
        "GZCJ477941",
    )
    assert got.get("rx_id") == rx_id


def test_an_rx_column_is_set_by_the_likeliest_bin_not_a_stray_second_reading() -> None:
    from eligo.cards.extraction import Candidate, _rx_column_values

    lines = [L("610014", 700, 100, 800), L("rx pa", 300, 100, 360)]
    lines += [L("ADV", 700, 135, 750), L("GRP1", 700, 170, 770)]
    found = [
        Candidate("rx_bin", "610014", lines[0].box, 1.0, 0.85, "label_below", (0,)),
        Candidate("rx_bin", "rx pa", lines[1].box, 0.94, 0.82, "label_right", (1,)),
    ]
    got = {c.key: c.text for c in _rx_column_values(lines, set(), found)}
    assert got == {"rx_pcn": "ADV", "rx_group": "GRP1"}


def test_an_inline_rx_label_sets_the_column_by_its_value() -> None:
    # The value of "RxGRP: 51361245" starts right of its label: the glare-wiped BIN above
    # is aligned with that value, not with the line's left edge.
    lines = [
        L("610014", 730, 270, 818),
        L("RxGRP: 51361245", 620, 305, 860),
    ]
    got = fields_of(lines)
    assert got["rx_group"] == "51361245"
    assert "rx_pcn" not in got


@pytest.mark.parametrize(
    "lines",
    [
        # labels apart, the value row read as one line across both columns
        [
            L("Member ID", 40, 200),
            L("Group Number", 400, 200),
            L("W123456789 0078451", 40, 235, 498),
        ],
        # both rows read as one line each
        [L("Member ID Group #", 40, 200, 520), L("W123456789 0078451", 40, 235, 498)],
        # the label row read as one line, the values apart
        [L("Member ID Group #", 40, 200, 520), L("W123456789", 40, 235), L("0078451", 400, 235)],
    ],
)
def test_a_value_row_under_a_label_row_is_split_by_column(lines: list[OcrLine]) -> None:
    fields = fields_of(lines)
    assert fields["member_id"] == "W123456789"
    assert fields["group_number"] == "0078451"


def test_a_common_word_between_two_labels_of_a_header_row_is_a_label() -> None:
    keys = [a.key for a in line_anchors("ID Number Group Plan Type", 0)]
    assert keys == ["member_id", "group_number", "plan_type"]


def test_a_row_of_common_word_labels_is_a_table_header() -> None:
    # "Group" and "Plan" are labels here, not the value of "ID Number".
    fields = fields_of(
        [L("ID Number Group Plan", 40, 200, 640), L("W123456789 0078451 PPO", 40, 235, 602)]
    )
    assert fields["member_id"] == "W123456789"
    assert fields["group_number"] == "0078451"
    assert fields["plan_type"] == "PPO"


@pytest.mark.parametrize(
    ("text", "key"), [("Plan: PPO", "plan_type"), ("Plan: HMO Blue Select", "plan_name")]
)
def test_a_plan_label_takes_a_type_alone_as_the_type(text: str, key: str) -> None:
    assert key in fields_of([L(text, 40, 300, 400)])


@pytest.mark.parametrize(
    "lines",
    [
        [L("Plan Name: PPO", 40, 300, 400)],
        [L("Plan Name", 40, 300, 200), L("PPO", 40, 335, 90)],
        [L("Plan Name: HMO Select", 40, 300, 480)],
    ],
)
def test_what_a_plan_name_label_heads_is_the_plan_name(lines: list[OcrLine]) -> None:
    fields = fields_of(lines)
    assert fields["plan_name"] == lines[-1].text.split(": ")[-1]
    assert "plan_type" not in fields


def test_an_rx_table_read_as_two_lines() -> None:
    fields = fields_of([L("RxBIN RxPCN RxGRP", 40, 300, 500), L("610014 ADV RX1234", 40, 335, 480)])
    assert (fields["rx_bin"], fields["rx_pcn"], fields["rx_group"]) == ("610014", "ADV", "RX1234")


def test_a_name_column_keeps_its_words() -> None:
    fields = fields_of(
        [L("Member Name Member ID", 40, 200, 520), L("JOHN A SMITH W123456789", 40, 235, 560)]
    )
    assert fields["member_name"] == "JOHN A SMITH"
    assert fields["member_id"] == "W123456789"


def test_a_label_followed_by_words_is_no_label_row() -> None:
    # "Plan" after "Group" with a value at the end: an ordinary label and value line.
    assert fields_of([L("Group 0078451", 40, 200)])["group_number"] == "0078451"
    assert line_anchors("Member ID Group Health Plan Inc", 0)[0].key == "member_id"
    assert len(line_anchors("Member ID Group Health Plan Inc", 0)) == 1


@pytest.mark.parametrize(
    "lines",
    [
        # each row read as one line
        [
            L("Office Visit Specialist Urgent Care ER", 40, 300, 700),
            L("$25 $50 $75 $250", 40, 335, 700),
        ],
        # one line a cell
        [
            L("Office Visit", 40, 300),
            L("Specialist", 240, 300),
            L("Urgent Care", 420, 300),
            L("ER", 620, 300),
            L("$25", 60, 335),
            L("$50", 250, 335),
            L("$75", 440, 335),
            L("$250", 610, 335),
        ],
    ],
)
def test_copays_printed_as_a_table(lines: list[OcrLine]) -> None:
    assert fields_of(lines)["copays"] == [
        {"benefit": "Office Visit", "amount": "$25"},
        {"benefit": "Specialist", "amount": "$50"},
        {"benefit": "Urgent Care", "amount": "$75"},
        {"benefit": "ER", "amount": "$250"},
    ]


def test_an_amount_under_a_word_that_is_no_benefit_is_no_copay() -> None:
    fields = fields_of([L("Deductible", 40, 300), L("$1,500", 40, 335)])
    assert "copays" not in fields


def test_a_known_payer_in_the_card_title_is_the_payer() -> None:
    lines = [
        L("MEDICARE HEALTH INSURANCE", 40, 20, h=45),
        L("Name/Nombre", 40, 120, h=20),
        L("JOHN L SMITH", 40, 145),
        L("Medicare Number/Número de Medicare", 40, 200, h=20),
        L("1EG4-TE5-MK73", 40, 225),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    fields = correction.finalize_side(ext.candidates, "front")
    assert fields["payer_name"].value == "MEDICARE"
    assert fields["payer_name"].extract == pytest.approx(0.97)


@pytest.mark.parametrize(
    ("lines", "key", "value"),
    [
        (
            [L("Administered by", 40, 300, h=20), L("Anchor Plan Services", 40, 325)],
            "payer_name",
            "Anchor Plan Services",
        ),
        (
            [L("Claims Administrator: Keystone Benefits", 40, 300)],
            "payer_name",
            "Keystone Benefits",
        ),
        (
            [
                L("Prescription drug benefits administered by", 40, 300, h=20),
                L("MedAxis Rx", 40, 325),
            ],
            "pbm_name",
            "MedAxis Rx",
        ),
        ([L("Prescriptions managed by PillPath", 40, 300)], "pbm_name", "PillPath"),
        (
            [L("Coverage sponsored by", 40, 300, h=20), L("Wexford Transit Corp", 40, 325)],
            "employer",
            "Wexford Transit Corp",
        ),
        (
            [L("Retiree coverage from", 40, 300, h=20), L("OSPREY BAY SEAFOODS", 40, 325)],
            "employer",
            "OSPREY BAY SEAFOODS",
        ),
        ([L("Offered through Millbrook Paper Co", 40, 300)], "employer", "Millbrook Paper Co"),
    ],
)
def test_a_name_after_an_administrator_lead(lines: list[OcrLine], key: str, value: str) -> None:
    assert fields_of(lines) == {key: value}


@pytest.mark.parametrize(
    "text",
    [
        "This plan is administered by the plan sponsor.",
        "Contact your plan administrator for details.",
        "Coverage offered through your employer or union.",
    ],
)
def test_a_lead_inside_fine_print_starts_no_value(text: str) -> None:
    assert fields_of([L(text, 40, 300, 700)]) == {}


def test_a_second_payer_named_after_medicare_is_the_plan() -> None:
    from eligo.cards.extraction import _second_payer_is_plan

    classes = ("other", "payer_name", "plan_name")
    texts = ["Harbor Health", "Medicare Honor", "Medicare", "Texas STAR Medicaid"]
    probs = np.array([[0.0, 1.0, 0.0], [0.05, 0.91, 0.04], [0.1, 0.6, 0.3], [0.08, 0.82, 0.1]])
    _second_payer_is_plan(probs, classes, texts)
    assert read_as(probs, classes) == [
        "payer_name",
        "plan_name",
        "payer_name",
        "plan_name",
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("PPO", False),
        ("HMO-POS", False),
        ("HMO Deductible", False),
        ("Medicare Advantage", False),
        ("PPO Plan", False),
        ("Choice Plus PPO", True),
        ("Silver 3500 EPO", True),
        ("Open Access Plus", True),
        ("HMO Blue", True),
        ("Heritage Value", False),  # no type: not this test's business
    ],
)
def test_a_plan_type_among_brand_words_names_a_plan(text: str, names: bool) -> None:
    assert vocab.names_a_plan(text) is names


def test_a_line_read_as_the_type_that_names_a_plan_is_the_plan_name() -> None:
    from eligo.cards.extraction import _named_type_is_plan

    classes = ("other", "plan_name", "plan_type")
    texts = ["Choice Plus PPO", "PPO", "Heritage Health"]
    probs = np.array([[0.1, 0.2, 0.7], [0.0, 0.1, 0.9], [0.8, 0.1, 0.1]])
    _named_type_is_plan(probs, classes, texts)
    assert read_as(probs, classes) == ["plan_name", "plan_type", "other"]
    assert probs[0, 1] == pytest.approx(0.7)


def test_a_medicaid_programme_read_as_the_type_is_the_plan_and_found_by_shape() -> None:
    from eligo.cards.extraction import SHAPE_SCORE, _by_shape, _named_type_is_plan

    # A managed-care card prints "Medicaid" alone to say which of the plan's products the
    # member is in: the programme, not the network's kind. "HMO" stays the type.
    classes = ("other", "payer_name", "plan_name", "plan_type")
    texts = ["Sunflower Health Plan", "Medicaid", "HMO"]
    probs = np.array([[0.0, 1.0, 0.0, 0.0], [0.01, 0.0, 0.01, 0.98], [0.02, 0.0, 0.0, 0.98]])
    _named_type_is_plan(probs, classes, texts)
    read = read_as(probs, classes)
    assert read == ["payer_name", "plan_name", "plan_type"]
    # "Medicaid" is a payer's name too (a state's own card), so the line model's plan
    # candidate is refused; the programme-name fallback finds it.
    lines = [L("Sunflower Health Plan", 40, 30), L("Medicaid", 40, 80), L("HMO", 760, 36)]
    found = _by_shape(lines, [0, 1, 2], probs, classes, set())
    assert [(c.key, c.text, c.extract_score) for c in found] == [
        ("plan_name", "Medicaid", SHAPE_SCORE)
    ]


def test_a_glued_programme_read_as_the_runner_up_payer_is_the_plan() -> None:
    from eligo.cards.extraction import _second_payer_is_plan

    classes = ("other", "payer_name", "plan_name")
    # OCR glued the programme's logo: its words are still read.
    texts = ["Bayside Health Plan of Ohio", "MedicaidManaged Care"]
    probs = np.array([[0.01, 0.98, 0.01], [0.03, 0.97, 0.0]])
    _second_payer_is_plan(probs, classes, texts)
    assert read_as(probs, classes) == ["payer_name", "plan_name"]
    # The likelier payer is left alone: a state's own card names its payer "Ohio Medicaid".
    texts = ["Ohio Medicaid", "Bayside Health Plan of Ohio"]
    probs = np.array([[0.01, 0.98, 0.01], [0.03, 0.97, 0.0]])
    _second_payer_is_plan(probs, classes, texts)
    assert read_as(probs, classes) == ["payer_name", "payer_name"]


def test_a_programme_title_is_no_payer_beside_its_plan() -> None:
    from eligo.cards.extraction import _programme_is_no_payer

    classes = ("other", "payer_name", "plan_name")
    texts = ["Children's Health Program", "Mesa Verde Health Partners"]
    probs = np.array([[0.0, 0.99, 0.01], [0.15, 0.8, 0.05]])
    _programme_is_no_payer(probs, classes, texts)
    assert read_as(probs, classes) == ["other", "payer_name"]
    # Alone, the programme's title stays the payer.
    alone = np.array([[0.0, 0.99, 0.01]])
    _programme_is_no_payer(alone, classes, texts[:1])
    assert read_as(alone, classes) == ["payer_name"]


def test_a_second_payer_shaped_like_a_name_is_the_member() -> None:
    from eligo.cards.extraction import _second_payer_is_member

    classes = ("other", "payer_name", "member_name")
    texts = ["Harbor Health", "RICHARD ALLEN"]
    probs = np.array([[0.0, 0.9, 0.1], [0.1, 0.8, 0.1]])
    labelled = probs.copy()
    _second_payer_is_member(probs, classes, texts)
    assert read_as(probs, classes) == ["payer_name", "member_name"]
    # Beside a member a label names, the runner-up is another name (a sponsor): left alone.
    _second_payer_is_member(labelled, classes, texts, member_found=True)
    assert read_as(labelled, classes) == ["payer_name", "payer_name"]


def test_a_second_plan_shaped_like_a_name_is_the_member_when_none_is_found() -> None:
    from eligo.cards.extraction import _second_plan_is_member

    classes = ("other", "plan_name", "member_name")
    texts = ["Heritage Value", "Janice Perez"]
    probs = np.array([[0.0, 1.0, 0.0], [0.0, 0.97, 0.03]])
    _second_plan_is_member(probs, classes, texts)
    assert read_as(probs, classes) == ["plan_name", "member_name"]
    # With a member already read, the runner-up stays a plan line.
    texts3 = [*texts, "Walter Patel"]
    probs3 = np.array([[0.0, 1.0, 0.0], [0.0, 0.97, 0.03], [0.0, 0.01, 0.99]])
    _second_plan_is_member(probs3, classes, texts3)
    assert read_as(probs3, classes) == [
        "plan_name",
        "plan_name",
        "member_name",
    ]


@pytest.mark.parametrize(
    ("text", "payer"),
    [
        ("BlueCross BlueShield of Texas", "BlueCross BlueShield of Texas"),
        ("Blue Cross and Blue Shield of Illinois", "Blue Cross and Blue Shield of Illinois"),
        (
            "Horizon Blue Cross Blue Shield of New Jersey",
            "Horizon Blue Cross Blue Shield of New Jersey",
        ),
        ("Anthem Blue Cross", "Anthem Blue Cross"),
        ("Highmark Blue Shield", "Highmark Blue Shield"),
        ("Aetna Member ID Card", "Aetna"),
        ("Superior HealthPlan", "Superior HealthPlan"),
        ("Baylor Scott & White Health Plan", "Baylor Scott & White Health Plan"),
        # a plan named after its payer, and a brand word before a name that is not Blue
        ("Aetna Choice POS II", None),
        ("Humana Gold Plus (HMO)", None),
        ("Acme Aetna", None),
    ],
)
def test_a_known_payer_with_its_region_or_brand(text: str, payer: str | None) -> None:
    from eligo.cards.extraction import _known_payer

    assert _known_payer(text) == payer


def test_a_blue_payer_title_on_two_lines_is_one_payer() -> None:
    lines = [
        L("BlueCross BlueShield", 40, 30, h=40),
        L("of Tennessee", 40, 72, h=24),
        L("SARAH MILLER", 40, 150),
        L("ID ZGP880012345", 40, 200),
        # the plan badge in a corner is printed larger than the title
        L("PPO", 880, 540, h=50),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    fields = correction.finalize_side(ext.candidates, "front")
    assert fields["payer_name"].value == "BlueCross BlueShield of Tennessee"
    assert fields["payer_name"].box == (40, 30, 40 + 14 * 20, 96)


def test_a_plan_number_under_a_plan_label_leaves_the_plan_name_free() -> None:
    lines = [
        L("BlueCross BlueShield of Texas", 40, 30, h=36),
        L("Blue Choice PPO", 40, 90),
        L("Plan 860", 520, 300, h=24),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    fields = {k: v.value for k, v in correction.finalize_side(ext.candidates, "front").items()}
    assert fields["plan_number"] == "860"
    assert fields["plan_name"] == "Blue Choice PPO"


def test_a_plan_type_under_a_plan_label_leaves_the_plan_name_free() -> None:
    lines = [
        L("Verity Health", 40, 30, h=36),
        L("Open Access Plus", 40, 90),
        L("Plan", 520, 260, h=22),
        L("EPO", 520, 290, h=24),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    fields = {k: v.value for k, v in correction.finalize_side(ext.candidates, "front").items()}
    assert fields["plan_type"] == "EPO"
    assert fields["plan_name"] == "Open Access Plus"


@pytest.mark.parametrize(
    ("text", "called"),
    [
        ("Base Plan", True),
        ("Buy-Up Plan", True),
        ("Gold 1500 Plan", True),
        ("Electrical Workers Health Plan", False),  # an insurer
        ("Dental Plan", False),  # a kind of coverage
        ("Your Plan", False),
        ("1500 Plan", False),
        ("Plan: Gold", False),  # a label and its value
        ("Plan Gold", False),
    ],
)
def test_a_plan_called_by_its_name_and_the_word_plan(text: str, called: bool) -> None:
    assert vocab.called_plan(text) is called


def test_a_second_payer_that_calls_itself_a_plan_is_the_plan() -> None:
    from eligo.cards.extraction import _second_payer_is_plan

    classes = ("other", "payer_name", "plan_name")
    texts = ["Buy-Up Plan", "Electrical Workers Health Plan"]
    probs = np.array([[0.07, 0.91, 0.02], [0.05, 0.95, 0.0]])
    _second_payer_is_plan(probs, classes, texts)
    assert read_as(probs, classes) == ["plan_name", "payer_name"]


def test_a_plan_called_a_plan_is_no_employer() -> None:
    from eligo.cards.extraction import SHAPE_SCORE, _by_shape

    lines = [L("Pioneer Foods LLC", 40, 95), L("Base Plan", 40, 300)]
    classes = ("other", "plan_name", "employer")
    probs = np.array([[0.1, 0.0, 0.9], [0.3, 0.14, 0.4]])
    got = [
        (c.key, c.text, c.extract_score) for c in _by_shape(lines, [0, 1], probs, classes, set())
    ]
    assert got == [("plan_name", "Base Plan", SHAPE_SCORE)]


def test_a_plan_or_pbm_named_by_its_shape_when_the_model_says_other() -> None:
    from eligo.cards.extraction import SHAPE_SCORE, _by_shape

    lines = [
        L("PPO Network", 600, 180),
        L("Wellcare No Premium Open (PPO)", 40, 95),
        L("PCP $20 HMO $30", 40, 300),
        L("caremark", 760, 560),
    ]
    classes = ("other", "plan_name", "pbm_name")
    probs = np.array([[0.9, 0.1, 0.0], [0.95, 0.05, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    got = {
        c.key: (c.text, c.extract_score)
        for c in _by_shape(lines, [0, 1, 2, 3], probs, classes, set())
    }
    assert got == {
        "plan_name": ("Wellcare No Premium Open (PPO)", SHAPE_SCORE),
        "pbm_name": ("caremark", 0.9),
    }
    # The model's own plan or PBM comes first.
    assert _by_shape(lines, [0, 1, 2, 3], probs, classes, {"plan_name", "pbm_name"}) == []


def test_a_plan_type_glued_to_its_brand_word_names_the_plan() -> None:
    from eligo.cards.extraction import SHAPE_SCORE, _by_shape

    # A logo's "PPOBlue" is read without a space; "Posada Foods" only starts with "POS".
    lines = [L("Posada Foods", 40, 300), L("PPOBlue", 700, 40), L("HMOPOS", 700, 90)]
    classes = ("other", "plan_name")
    probs = np.array([[0.99, 0.01], [0.99, 0.0], [0.99, 0.0]])
    got = [(c.text, c.extract_score) for c in _by_shape(lines, [0, 1, 2], probs, classes, set())]
    assert got == [("PPOBlue", SHAPE_SCORE)]


def test_a_state_medicaid_programme_is_the_plan_whatever_the_model_reads() -> None:
    from eligo.cards.extraction import SHAPE_SCORE, _by_shape

    # One word and no plan word: the model reads "KanCare" as nothing, "STAR Kids" as a
    # member's name. A payer's line is left to the payer.
    classes = ("other", "payer_name", "member_name", "plan_name")
    for text, read in (("KanCare", 0), ("STAR Kids", 2), ("Medi-Cal", 0)):
        probs = np.zeros((2, 4))
        probs[0, 1] = 1.0
        probs[1, read] = 0.95
        probs[1, 3] = 0.05
        lines = [L("Sunflower Health Plan", 40, 30), L(text, 760, 36)]
        got = [(c.text, c.extract_score) for c in _by_shape(lines, [0, 1], probs, classes, set())]
        assert got == [(text, SHAPE_SCORE)], text
    probs = np.array([[0.0, 0.0, 1.0, 0.0], [0.0, 0.95, 0.0, 0.05]])
    lines = [L("JO LEE", 40, 150), L("KanCare", 40, 30)]
    assert _by_shape(lines, [0, 1], probs, classes, set()) == []
    assert vocab.names_medicaid_program("STAR+PLUS")
    assert not vocab.names_medicaid_program("Star Plumbing Co")


def test_a_medicaid_title_read_a_letter_off_is_the_plan_and_no_label() -> None:
    from eligo.cards.extraction import SHAPE_SCORE, _by_shape, line_anchors

    # Blur read "Medicaid" as "Medicald", sure of it (0.99): no "Medicaid #" label with
    # its mark lost, but the programme's name, repaired.
    assert line_anchors("Medicald", 1) == []
    assert [a.key for a in line_anchors("Medicald #", 1)] == ["medicaid_id"]
    classes = ("other", "payer_name", "member_name", "plan_name")
    probs = np.array([[0.0, 1.0, 0.0, 0.0], [0.95, 0.0, 0.0, 0.05]])
    lines = [L("Sunrise Health Plan of Iowa", 97, 32), L("Medicald", 96, 85)]
    (plan,) = _by_shape(lines, [0, 1], probs, classes, set())
    assert (plan.text, plan.extract_score) == ("Medicald", SHAPE_SCORE)
    assert correction.finalize_side([plan], "front")["plan_name"].value == "Medicaid"


def test_a_pharmacy_brand_is_the_pbm_when_the_model_finds_none() -> None:
    from eligo.cards.extraction import SHAPE_SCORE, _by_shape

    lines = [
        L("Pharmacy Help Desk", 40, 60),
        L("Mail Order Rx", 40, 100),
        L("MedAxis Rx", 40, 140),
        L("Call 1-800-555-0100 Rx", 40, 180),
    ]
    classes = ("other", "payer_name", "pbm_name")
    probs = np.array([[0.9, 0.0, 0.1], [0.9, 0.0, 0.1], [0.55, 0.31, 0.14], [1.0, 0.0, 0.0]])
    got = [
        (c.key, c.text, c.extract_score)
        for c in _by_shape(lines, [0, 1, 2, 3], probs, classes, set())
    ]
    assert got == [("pbm_name", "MedAxis Rx", SHAPE_SCORE)]
    # Read as the payer, or a PBM already found: left alone.
    probs[2] = [0.3, 0.6, 0.1]
    assert _by_shape(lines, [0, 1, 2, 3], probs, classes, set()) == []
    probs[2] = [0.55, 0.31, 0.14]
    assert _by_shape(lines, [0, 1, 2, 3], probs, classes, {"pbm_name"}) == []


def test_an_employer_named_by_its_shape_when_the_model_finds_none() -> None:
    from eligo.cards.extraction import SHAPE_SCORE, _employer_by_shape

    lines = [
        L("Sandhills School District", 40, 95),
        L("Fairhaven Public Library", 40, 140),
        L("Department of Health Services", 40, 30),
        L("Hill Country Health Alliance", 40, 500),
    ]
    classes = ("other", "payer_name", "employer")
    # Read as other (employer the runner-up), as the payer, as other, as the payer.
    probs = np.array([[0.5, 0.1, 0.4], [0.02, 0.97, 0.01], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0]])
    free = [0, 1, 2, 3]

    def employer(have: set[str], found: set[str], taken: set[int]) -> str | None:
        got = _employer_by_shape(lines, free, probs, classes, have, found, taken)
        assert got is None or got.extract_score == SHAPE_SCORE
        return got.text if got is not None else None

    assert employer(set(), set(), set()) == "Sandhills School District"
    # "X of Y" alone is no employer's form: a Medicaid programme, a card's caption.
    for text in ("State of Georgia", "Date of Birth"):
        assert (
            _employer_by_shape([L(text, 40, 95)], [0], probs[:1], classes, set(), set(), set())
            is None
        )
    # A line another field took, or a card whose employer is found, gives none.
    assert employer(set(), set(), {0}) is None
    assert employer(set(), {"employer"}, set()) is None
    # A second payer line is the employer only when a label already named the payer.
    assert employer({"payer_name"}, {"payer_name"}, {0}) == "Fairhaven Public Library"
    # So is a line read as the member beside a member a label names ("Harbor Tools LLC").
    member_row = np.array([[0.28, 0.0, 0.25, 0.47]])
    member_classes = ("other", "payer_name", "employer", "member_name")
    tools = [L("Harbor Tools LLC", 40, 60)]
    for have, want in (({"member_name"}, "Harbor Tools LLC"), (set(), None)):
        got = _employer_by_shape(tools, [0], member_row, member_classes, have, set(), set())
        assert (got.text if got is not None else None) == want


def test_a_subscriber_name_alone_is_the_member() -> None:
    lines = [
        L("Subscriber Name", 40, 150, h=20),
        L("LINDA K PARK", 40, 175),
        L("ID XOH912345678", 40, 230),
    ]
    fields = fields_of(lines)
    assert fields["member_name"] == "LINDA K PARK"
    assert "subscriber_name" not in fields


def test_a_phone_across_the_card_past_the_web_address() -> None:
    lines = [
        L("For Members:", 40, 30, h=22),
        L("www.myuhc.com", 300, 30, h=22),
        L("1-866-633-2446 TTY 711", 600, 30, h=22),
        L("For Providers:", 40, 70, h=22),
        L("www.uhcprovider.com", 300, 70, h=22),
        L("1-877-842-3210", 600, 70, h=22),
    ]
    fields = fields_of(lines, side="back")
    assert fields["phone_customer_service"] == "866-633-2446"
    assert fields["phone_provider"] == "877-842-3210"


def test_a_pbm_label_before_a_phone_labels_the_pharmacy_phone() -> None:
    lines = [
        L("Pharmacy Benefit Manager", 40, 100, h=22),
        L("1-800-423-1973", 420, 100, h=22),
        L("Blue Cross and Blue Shield of Texas", 40, 150, h=22),
    ]
    fields = fields_of(lines, side="back")
    assert fields["phone_pharmacy"] == "800-423-1973"
    assert "pbm_name" not in fields


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "RxBIN 610014 | RxPCN ADV | RxGRP RX1234",
            {"rx_bin": "610014", "rx_pcn": "ADV", "rx_group": "RX1234"},
        ),
        ("ID# 912345678 Dep 02", {"member_id": "912345678", "member_id_suffix": "02"}),
    ],
)
def test_fields_apart_on_one_line(text: str, want: dict[str, str]) -> None:
    fields = fields_of([L(text, 40, 300, 700)])
    assert {k: fields.get(k) for k in want} == want


def test_a_value_that_ends_before_the_next_column_keeps_its_last_word() -> None:
    # "Inc" passes halfway to "Effective Date" but ends long before that label starts.
    lines = [
        L("Group Name", 33, 308, 178),
        L("Effective Date", 517, 307, 678),
        L("Blue Heron Software Inc", 32, 338, 395, h=31),
        L("10/01/2020", 517, 335, 687),
    ]
    fields = fields_of(lines)
    assert fields["employer"] == "Blue Heron Software Inc"
    assert fields["effective_date"] == "2020-10-01"


def test_a_plan_label_takes_the_code_beside_it() -> None:
    # "Plan" labels a name, a type or a number: a code is as good a value as a name.
    # The preferred reading takes its line: the code beside the label, not the name below,
    # which stays free for other labels (or is offered as the plan's name too).
    lines = [L("Plan", 40, 200, h=24), L("860", 120, 200, h=24), L("Gold Choice", 40, 232, h=24)]
    ext = Extractor(line_model=None).extract(lines, 1012, 638)
    assert ext.used == {0, 1}
    assert fields_of(lines)["plan_number"] == "860"


def test_a_label_between_claims_the_value_beyond_it() -> None:
    """The bare labels "Plan" and "Group" share a row with the group number right of
    "Group": it is the group's, not also the plan's."""
    lines = [L("Plan", 40, 200), L("Group", 300, 200), L("0078451", 400, 200)]
    got = fields_of(lines)
    assert got["group_number"] == "0078451"
    assert "plan_number" not in got
    # With a code under "Plan", that code is the plan number.
    got = fields_of([*lines, L("A01", 40, 236)])
    assert got["plan_number"] == "A01"


def test_a_label_in_the_column_between_claims_the_value_below_it() -> None:
    lines = [
        L("Plan", 40, 200),
        L("Group", 40, 234),
        L("0078451", 40, 268),
    ]
    got = fields_of(lines)
    assert got["group_number"] == "0078451"
    assert "plan_number" not in got


def test_a_known_payer_under_the_payer_is_no_plan_name() -> None:
    """Anthem prints "BlueCross BlueShield" under its name: a payer's name, never the
    plan, which is the network line beside it."""
    lines = [
        L("Anthem", 40, 30, h=46),
        L("BlueCross BlueShield", 40, 80, h=22),
        L("Blue Access PPO", 600, 40, h=26),
        L("Member Name", 40, 150, h=20),
        L("KEVIN O NEIL", 40, 172),
        L("Member ID", 40, 220, h=20),
        L("YRK123445678", 40, 242),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    fields = {k: v.value for k, v in correction.finalize_side(ext.candidates, "front").items()}
    assert fields["payer_name"] == "Anthem"
    assert fields["plan_name"] == "Blue Access PPO"


def test_an_rx_lead_is_cut_from_the_pbm_name() -> None:
    lines = [
        L("MERITAIN HEALTH", 40, 30, h=38),
        L("Participant: DAVID CHEN", 40, 180, h=24),
        L("ID: MHX123456789", 40, 215, h=24),
        L("Group: 10457", 40, 250, h=24),
        L("Rx: Express Scripts", 40, 330, h=22),
        L("BIN 003858 PCN A4 GRP SPRGFLD", 40, 360, h=22),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    fields = correction.finalize_side(ext.candidates, "front")
    assert fields["pbm_name"].value == "Express Scripts"
    assert fields["pbm_name"].box[0] > 40 + 14 * 3


def test_a_side_without_labels_or_formats_gets_no_line_model_fields() -> None:
    """A driver's licence: a state name large at the top reads like a one-word payer, but
    nothing on the side is a card label or a card value's format."""
    lines = [
        L("MONTANA", 28, 25, 261, h=41),
        L("DRIVER LICENSE", 684, 28, 984, h=33),
        L("DL M15766452", 328, 120, 556, h=26),
        L("EXP 10/01/2032", 325, 170, 561, h=31),
        L("LN YOUNG", 324, 221, 483, h=29),
        L("FN MICHELLE", 326, 274, 529, h=29),
        L("DOB 05/01/2004", 327, 326, 567, h=29),
        L("ADDRESS 4977 OAK AVE", 326, 377, 666, h=29),
        L("CLASS C", 325, 428, 433, h=30),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    assert ext.candidates == []
    with_id = [*lines, L("Member ID W123456789", 300, 300)]
    ext = Extractor(line_model=load_line_model()).extract(with_id, 1012, 638)
    assert any(c.method == "line_model" for c in ext.candidates)


def test_a_coverage_lead_is_cut_from_the_plan_name() -> None:
    lines = [
        L("Fernway Health", 40, 30, h=40),
        L("Coverage SILVER 3500 EPO", 40, 90, h=26),
        L("Member", 40, 150, h=20),
        L("EMILY STONE", 40, 172),
        L("Member ID", 40, 220, h=20),
        L("FHX12345678", 40, 242),
        L("Group", 520, 220, h=20),
        L("0023341", 520, 242),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    plan = [c for c in ext.candidates if c.key == "plan_name"]
    assert [c.text for c in plan] == ["SILVER 3500 EPO"]
    assert plan[0].box[0] > 40 + 8 * 10


_TPA_BACK = [
    L("Northgate Benefit Services", 40, 50, h=24),
    L("Customer Service 1-888-969-4643", 40, 100, h=24),
    L("Pharmacy Help Desk 1-800-845-9537", 40, 140, h=24),
    L("Payer ID 44577", 40, 220, h=24),
    L("Emergencies: dial 911 or go to the nearest ER", 40, 300, h=20),
]


def _back_payer(lines: list[OcrLine]) -> tuple[correction.FieldValue, dict[str, Any]]:
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638, side="back")
    fields = correction.merge_sides({}, correction.finalize_side(ext.candidates, "back"))
    correction.confirm_repeated_payer(fields, [ln.text for ln in ext.lines])
    return fields["payer_name"], fields["payer_name"].provenance[0]


def test_an_unsure_payer_that_is_the_sides_one_payer_like_line_is_taken() -> None:
    """The shipped model reads a TPA's name atop a back as "other" more than "payer"; but
    every other line is all but ruled out, and every card names its payer."""
    payer, extract = _back_payer([*_TPA_BACK, L("www.example.com", 40, 560, h=20)])
    assert payer.value == "Northgate Benefit Services"
    assert extract["method"] == correction.WEAK_LINE_MODEL
    assert extract["share"] >= extraction.SOLE_LINE_MIN_CHANCE
    assert payer.extract == extraction.SOLE_PAYER_EXTRACT


def test_an_unsure_payer_beside_a_rival_stays_weak() -> None:
    """A second insurer-like name on the side: neither stands out, so the weak payer needs
    the card to name it again (correction.confirm_repeated_payer)."""
    payer, extract = _back_payer([*_TPA_BACK, L("Valley Mutual", 600, 50, h=24)])
    assert payer.value in ("Northgate Benefit Services", "Valley Mutual")
    assert extract["method"] == correction.WEAK_LINE_MODEL
    assert extract["share"] < extraction.SOLE_LINE_MIN_CHANCE
    assert payer.extract < extraction.LINE_MODEL_MIN_PROB


@pytest.mark.parametrize(
    ("probs", "row", "low", "high"),
    [
        ([0.2, 0.001, 0.002], 0, 0.98, 1.0),  # unsure, yet the only candidate
        ([0.3, 0.3], 0, 0.5, 0.5),  # two alike: either
        ([0.9, 0.9, 0.2], 2, 0.0, 0.02),  # two sure lines outweigh it
        ([0.0, 0.0], 0, 0.5, 0.5),  # nothing at all: no line stands out
    ],
)
def test_sole_line_chance(probs: list[float], row: int, low: float, high: float) -> None:
    chance = extraction.sole_line_chance(np.array(probs), row)
    assert low - 1e-9 <= chance <= high + 1e-9


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("Grovp: 123456", "group_number", "123456"),
        ("6roup 123456", "group_number", "123456"),
        ("Gr0up 0034521", "group_number", "0034521"),
        ("Memher ID W123456789", "member_id", "W123456789"),
        ("Rx8IN 610014", "rx_bin", "610014"),
        ("Coupon 123456", None, None),  # a word, not a blurred label
        ("Suite 100 Boston", None, None),
    ],
)
def test_a_blurred_id_label_before_its_code_still_labels_it(
    text: str, key: str | None, value: str | None
) -> None:
    got = fields_of([L("Fernway Health", 40, 30, h=40), L("JOHN SMITH", 40, 150), L(text, 40, 250)])
    codes = {k: v for k, v in got.items() if k in extraction.CODE_FIELDS}
    assert codes == ({key: value} if key else {})


def test_a_nearly_read_label_gives_way_to_an_exact_one() -> None:
    """Glare clipped "RX MEMBER ID" to "EMBER ID": nearly "Member ID", but the card's
    exact id label has the member id."""
    got = fields_of(
        [
            L("Oakhurst Blue Cross", 40, 36, h=39),
            L("SUBSCRIBER ID", 40, 171, h=26),
            L("ATX 852121767", 40, 199, h=26),
            L("EMBER ID 1E6EW6A6QD", 40, 324, h=29),
        ]
    )
    assert got["member_id"] == "ATX852121767"


@pytest.mark.parametrize(
    ("lines", "side", "want"),
    [
        # Blur confuses c/e/o, m/n and u/w/v in print: labels are matched on letters
        # folded alike, beside the labels read right.
        (
            [L("BIN 547487 PEN S2054 GRP WXCB9197", 39, 73, 579)],
            "back",
            {"rx_bin": "547487", "rx_pcn": "S2054"},
        ),
        ([L("Plam", 514, 131, 569), L("479", 514, 156, 573)], "front", {"plan_number": "479"}),
        (
            [L("Growp", 28, 258, 102), L("U4497415", 28, 287, 164)],
            "front",
            {"group_number": "U4497415"},
        ),
        (
            [L("Previders Call: 1 (833) 950-9334", 39, 204, 422)],
            "back",
            {"phone_provider": "833-950-9334"},
        ),
        (
            [L("Custemer Serviee 1 (844) 724-4833", 39, 134, 458)],
            "back",
            {"phone_customer_service": "844-724-4833"},
        ),
    ],
)
def test_labels_read_with_letters_blur_confuses_still_label(
    lines: list[OcrLine], side: str, want: dict[str, str]
) -> None:
    got = fields_of(lines, side)
    assert {k: got.get(k) for k in want} == want


def test_a_confusable_reading_keeps_exact_labels_and_their_values() -> None:
    # "Call" alone would label the customer service phone; the longer blurred label wins,
    # and a line read right gets the same anchors as before.
    assert [a.label for a in line_anchors("Previders Call: 1 (833) 950-9334", 0)] == [
        "PROVIDERS CALL"
    ]
    assert [(a.label, a.fuzzy) for a in line_anchors("RxBIN 610014 RxPCN ADV", 0)] == [
        ("RXBIN", False),
        ("RXPCN", False),
    ]
    assert line_anchors("JAMES MOON", 0) == []
    assert line_anchors("PEM 8403507301", 0) == []  # an id's prefix, not "PCN" read blurred
    # ... and after a label: the group code's letters, not a medical record number's label.
    assert [a.label for a in line_anchors("GRP MRM89081", 0)] == ["GRP"]
    rx_row = [L("BIN 681148 PCN 8017915", 54, 73, 396), L("GRP MRM89081", 420, 77, 618)]
    assert fields_of(rx_row, "back").get("rx_group") == "MRM89081"
    assert [a.label for a in line_anchors("r pen", 0)] == ["PCN"]  # a bare "rx pcn" label
    # Folded alike, "NC" would be "No": a code after "GRP" is no "GRP No" label's tail.
    got = fields_of([L("BIN 910600 PCN CT39 GRP NCWX4", 39, 78, 504)], "back")
    assert got.get("rx_group") == "NCWX4"


def test_a_benefit_read_with_letters_blur_confuses_is_the_vocabulary_benefit() -> None:
    lines = [
        L("Copays", 515, 301, 611),
        L("ER $500", 517, 333, 611),
        L("Gemeric $20", 744, 332, 880),
        L("PCP $0", 515, 361, 599),
        L("SPC $60", 744, 361, 841),
    ]
    got = fields_of(lines)
    assert {c["benefit"]: c["amount"] for c in got["copays"]} == {
        "ER": "$500",
        "Generic": "$20",
        "PCP": "$0",
        "SPC": "$60",
    }


def test_a_benefit_read_with_an_a_for_its_e_is_the_vocabulary_benefit() -> None:
    lines = [
        L("Copays", 512, 296, 599),
        L("Rx $15", 514, 328, 592),
        L("PCP $20", 743, 327, 834),
        L("Spac $30", 514, 355, 614),
        L("Urgent $75", 743, 356, 863),
    ]
    got = fields_of(lines)
    assert {c["benefit"]: c["amount"] for c in got["copays"]} == {
        "Rx": "$15",
        "PCP": "$20",
        "Spec": "$30",
        "Urgent": "$75",
    }
    # A short word is no benefit so: "Ar" would be "ER".
    assert "copays" not in fields_of([L("Copays", 512, 296, 599), L("Ar $30", 514, 328, 592)])


@pytest.mark.parametrize(
    ("line", "pcn"),
    [
        ("BIN 485018 PCNBYWGD GRP YVHV539", "BYWGD"),  # no word starts "PCN"
        ("BIN 485018 PCN BYWGD GRP YVHV539", "BYWGD"),
    ],
)
def test_a_vowelless_rx_label_glued_to_a_letters_only_code(line: str, pcn: str) -> None:
    got = fields_of([L(line, 38, 77, 553)], "back")
    assert (got.get("rx_bin"), got.get("rx_pcn")) == ("485018", pcn)


@pytest.mark.parametrize(
    ("label", "code", "bin_"),
    [
        ("BINN", "775167", "775167"),  # "BIN:" with its colon read as a letter
        ("BINN", "77516", None),  # five digits are no BIN
        ("DEPT", "775167", None),  # no code label one letter off
    ],
)
def test_a_short_misread_label_alone_labels_the_code_beside_it(
    label: str, code: str, bin_: str | None
) -> None:
    got = fields_of([L(label, 645, 137, 704), L(code, 734, 134, 844)])
    assert got.get("rx_bin") == bin_


@pytest.mark.parametrize(
    ("last_label", "rx_id"),
    [
        ("RaID", "JKG923892992"),  # "RxID" blurred: its column is its own again
        ("Dute", None),  # no code label is a letter off "Dute"
    ],
)
def test_a_misread_short_label_in_a_row_of_rx_labels_splits_the_value_row(
    last_label: str, rx_id: str | None
) -> None:
    # Blur bridged the gap between the Group and RxID values: OCR read one line across both.
    lines = [
        L("RxBIN", 42, 233, 110),
        L("RePCN", 187, 231, 261),
        L("RxGrp", 332, 233, 400),
        L(last_label, 476, 235, 531),
        L("703745", 43, 257, 148),
        L("U375", 184, 257, 262),
        L("YGKBXJN JKG923892992", 330, 254, 669),
    ]
    got = fields_of(lines)
    assert (got.get("rx_bin"), got.get("rx_id")) == ("703745", rx_id)
    if rx_id is not None:
        assert got.get("rx_group") == "YGKBXJN"


@pytest.mark.parametrize(
    ("group_label", "group"),
    [
        ("ORP", "05741-044"),  # "GRP" blurred, over a value that fits a group
        ("GNP", "05741-044"),
        ("ORP NOTE", None),  # a longer line is no misread short label
    ],
)
def test_a_misread_short_label_beside_another_label_over_a_fitting_value(
    group_label: str, group: str | None
) -> None:
    lines = [
        L("ID NUMBER", 30, 173, 124),
        L(group_label, 517, 170, 562),
        L("HAF354302191", 26, 195, 255),
        L("05741-044", 516, 193, 661),
        L("R+BIN", 31, 233, 101),  # "RxBIN", its x read as a plus
        L("322494", 32, 257, 137),
    ]
    got = fields_of(lines)
    assert (got.get("member_id"), got.get("group_number")) == ("HAF354302191", group)
    assert got.get("rx_bin") == "322494"


def test_a_colon_read_as_an_equals_sign_is_no_part_of_the_value_or_its_box() -> None:
    # Blur read "ID:" as "1D=": the crop re-read for the id must not start at the "=".
    line = L("1D= 804347197", 29, 167, 225)
    ext = Extractor(line_model=None).extract([line], 1012, 638)
    (cand,) = [c for c in ext.candidates if c.key == "member_id"]
    assert cand.text == "804347197"
    assert cand.box[0] == pytest.approx(29 + (225 - 29) * 4 / 13)


@pytest.mark.parametrize(
    ("line", "key", "value"),
    [
        ("Efective:09-01-2022", "effective_date", "2022-09-01"),  # an f lost to blur
        ("Grovp Numbr: 0769367", "group_number", "0769367"),
        ("Efective:PPO", "effective_date", None),  # no date after it: not that label
        ("Notes: 09-01-2022", "effective_date", None),  # no label near "Notes"
    ],
)
def test_a_blurred_label_ended_by_a_colon_labels_the_value_after_it(
    line: str, key: str, value: str | None
) -> None:
    assert fields_of([L(line, 26, 233, 309)]).get(key) == value


@pytest.mark.parametrize(
    ("line", "member_id"),
    [
        ("D#555000197", "555000197"),  # "ID#" with its I lost
        ("10= 812345678", "812345678"),
        ("D 555000197", None),  # no colon or sign: nothing says "D" is a label
    ],
)
def test_an_id_label_misread_or_cut_short_before_an_id(line: str, member_id: str | None) -> None:
    assert fields_of([L(line, 27, 168, 247)]).get("member_id") == member_id


def test_a_labelled_pharmacy_id_of_capitals_only_is_kept() -> None:
    got = fields_of([L("RxID", 511, 231, 567), L("KLGRPEUXR", 512, 258, 674)])
    assert got.get("rx_id") == "KLGRPEUXR"
    assert correction.normalize_rx_id("PHARMACY") is None  # a card word
    assert correction.normalize_rx_id("SMITH") is None  # too short for an id
    assert correction.normalize_rx_id("VKUCEWOWQ") is None  # O may be a 0: left to re-read


def test_a_programme_read_as_the_likeliest_payer_under_the_payer_is_the_plan() -> None:
    from eligo.cards.extraction import _second_payer_is_plan

    classes = ("other", "payer_name", "plan_name")
    texts = ["Sunrise Health Plan of Vermont", "Medicaid Managed Care", "Member Services"]
    probs = np.array([[0.02, 0.97, 0.01], [0.0, 0.99, 0.01], [1.0, 0.0, 0.0]])
    _second_payer_is_plan(probs, classes, texts)
    assert read_as(probs, classes) == ["payer_name", "plan_name", "other"]
    assert probs[0, 1] == pytest.approx(0.99)  # the heading takes the payer's confidence
    # A programme above the payer line is left to the runner-up rule ("Ohio Medicaid").
    texts = ["Ohio Medicaid", "Bayside Health Plan of Ohio"]
    probs = np.array([[0.01, 0.98, 0.01], [0.03, 0.97, 0.0]])
    _second_payer_is_plan(probs, classes, texts)
    assert read_as(probs, classes) == ["payer_name", "payer_name"]


def test_an_amount_read_with_a_letter_in_its_own_column_joins_its_benefit() -> None:
    # Blur reads "$0" as "$o"; alone on its line it must still be an amount to pair with.
    got = fields_of([L("PCP Visit", 596, 300), L("$o", 938, 300), L("ER Visit", 596, 340)])
    assert got["copays"] == [{"benefit": "PCP Visit", "amount": "$0"}]


_COPAY_COLUMN = [
    L("Cedar Health", 36, 40, h=44),
    L("Name", 36, 120),
    L("BRITTANY BAKER", 198, 116),
    L("ID", 36, 160),
    L("U30686787", 198, 156),
    L("Rx Bin", 596, 110),
    L("219767", 716, 106),
    L("Specialist", 596, 298),
    L("$60", 925, 296, 979),
    L("Rx Generic", 596, 338),
    L("$5", 936, 336, 979),
]


def test_a_copay_rows_benefit_is_no_line_for_the_model() -> None:
    """ "Rx Generic" beside its amount is a copay, not the name of a pharmacy benefit manager."""
    ext = Extractor(line_model=load_line_model()).extract(_COPAY_COLUMN, 1012, 638)
    copays = [c for c in ext.candidates if c.key == "copays"]
    assert [c.value for c in copays] == [
        [{"benefit": "Specialist", "amount": "$60"}, {"benefit": "Rx Generic", "amount": "$5"}]
    ]
    assert not [c for c in ext.candidates if c.method == "line_model" and c.lines[0] >= 7]


def test_a_copay_list_beside_an_amount_without_its_benefit_is_held_back() -> None:
    """Glare washed out a row's benefit: its amount is left over, the list is incomplete."""
    whole = Extractor(line_model=None).extract(_COPAY_COLUMN, 1012, 638)
    cut = [ln for ln in _COPAY_COLUMN if ln.text != "Rx Generic"]
    partial = Extractor(line_model=None).extract(cut, 1012, 638)
    (complete,) = [c for c in whole.candidates if c.key == "copays"]
    (incomplete,) = [c for c in partial.candidates if c.key == "copays"]
    assert complete.extract_score == extraction.METHOD_SCORE["format"]
    assert incomplete.value == [{"benefit": "Specialist", "amount": "$60"}]
    assert incomplete.extract_score == extraction.COPAYS_INCOMPLETE_EXTRACT


def test_the_sides_one_payer_line_scores_no_lower_than_a_weak_one() -> None:
    """A lower-case brand atop the card: the model gives it a middling probability, yet it
    is the side's one payer-like line, like a weak line that stands out."""
    lines = [
        L("bright health", 50, 49, 336, h=48),
        L("member", 52, 131, 140, h=24),
        L("Ashley L. Barnes", 51, 156, 288, h=31),
        L("member id", 51, 200, 163, h=26),
        L("group", 400, 202, 464, h=28),
        L("plan", 686, 200, 740, h=29),
        L("36525928K", 52, 226, 220, h=29),
        L("40027", 401, 229, 495, h=30),
        L("PPO", 688, 228, 751, h=32),
        L("rx bin", 51, 270, 112, h=25),
        L("rx pcn", 242, 270, 311, h=27),
        L("rx group", 435, 271, 521, h=25),
        L("505935", 52, 295, 153, h=27),
        L("MKN", 242, 297, 307, h=29),
        L("Z8RTLXPA", 436, 298, 567, h=27),
        L("questions?", 50, 341, 162, h=28),
        L("deductible", 495, 342, 604, h=26),
        L("(866) 517-2172", 52, 370, 253, h=29),
        L("$250", 495, 366, 567, h=31),
    ]
    ext = Extractor(line_model=load_line_model()).extract(lines, 1012, 638)
    (payer,) = [c for c in ext.candidates if c.key == "payer_name"]
    assert payer.text == "bright health"
    assert payer.share is not None
    assert payer.share >= extraction.SOLE_LINE_MIN_CHANCE
    assert payer.extract_score >= extraction.SOLE_PAYER_EXTRACT


def test_a_multiplication_sign_starting_a_word_is_rx_and_a_benefits_period_is_dropped() -> None:
    # Blur runs "Rx" into one sign; an abbreviation's period is no part of the benefit.
    got = fields_of([L("SPC $30", 510, 348), L("× $0", 510, 378), L("Urgent. $25", 750, 348)])
    assert got["copays"] == [
        {"benefit": "SPC", "amount": "$30"},
        {"benefit": "Urgent", "amount": "$25"},
        {"benefit": "Rx", "amount": "$0"},
    ]
    assert fields_of([L("×group", 439, 272), L("VSN92369", 431, 298)])["rx_group"] == "VSN92369"


def test_a_pharmacy_block_whose_labels_glare_wiped_takes_the_standard_order() -> None:
    front = [
        L("Member Name: DAVID THOMAS", 28, 140),
        L("801596", 698, 150, 804),
        L("Member ID: 560205703", 31, 173),
        L("CJBJJBM", 697, 189, 808),
        L("Effective: 06-01-2020", 30, 235),
        L("PU0819", 696, 228, 807),
    ]
    got = fields_of(front)
    assert (got["rx_bin"], got["rx_pcn"], got["rx_group"]) == ("801596", "CJBJJBM", "PU0819")
    # The block's "Group" label alone survived: its value is the Rx group, not the member's.
    with_group = [*front[:5], L("Group", 598, 229, 663), L("07412", 697, 228, 788)]
    got = fields_of(with_group)
    assert (got["rx_bin"], got["rx_pcn"], got["rx_group"]) == ("801596", "CJBJJBM", "07412")
    assert "group_number" not in got


def test_a_six_digit_number_alone_or_over_another_is_no_pharmacy_block() -> None:
    assert "rx_bin" not in fields_of([L("Member ID: 560205703", 31, 173), L("801596", 698, 150)])
    got = fields_of([L("801596", 698, 150, 804), L("123456", 698, 189, 804)])
    assert "rx_bin" not in got


def _minimal_front(amount: str, *extra: OcrLine) -> list[OcrLine]:
    """A minimal card's front whose "deductible" label glare wiped: its amount is alone."""
    return [
        L("oscilla health", 36, 34, h=40),
        L("member id", 36, 180, h=20),
        L("67504871G", 36, 205),
        L("rx bin", 36, 260, h=20),
        L("982240", 36, 285),
        L("questions?", 36, 340, h=20),
        L("(844) 394-7249", 36, 365),
        L(amount, 500, 365),
        *extra,
    ]


def test_the_sides_one_bare_amount_is_its_deductible_when_the_label_was_wiped() -> None:
    assert fields_of(_minimal_front("$3,000"))["deductible"] == "$3,000"
    assert fields_of(_minimal_front("$500"))["deductible"] == "$500"


@pytest.mark.parametrize(
    ("amount", "extra"),
    [
        ("$25", ()),  # too small for a deductible: a copay whose benefit was lost
        ("$3,000", (L("$6,000", 700, 365),)),  # two amounts: which is which is unknown
        ("$3,000", (L("Out-of-Pocket Max", 700, 340, h=20),)),
        ("$3,000", (L("Specialist $50", 700, 300),)),  # a copay list prints amounts
        ("$200", (L("$Is", 700, 300), L("$7s", 700, 400))),  # amounts blur made unreadable
    ],
)
def test_a_bare_amount_is_no_deductible_where_other_amounts_could_be_it(
    amount: str, extra: tuple[OcrLine, ...]
) -> None:
    assert "deductible" not in fields_of(_minimal_front(amount, *extra))


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Rx Generia", "Rx Generic"),  # blur took the c for an a
        ("RX GENERlC", "RX GENERIC"),
        ("Generic Rx", "Generic Rx"),
        ("Rx Genera", "Rx Genera"),  # a letter short: not one substitution away
        ("Rx Tier 1", "Rx Tier 1"),
    ],
)
def test_a_benefit_word_one_letter_off_a_vocabulary_word_is_that_word(text: str, want: str) -> None:
    assert extraction._benefit_text(text) == want
