"""Validators and repairs for card fields: examples plus Hypothesis properties."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.cards import correction
from eligo.cards.extraction import Candidate

# --- RxBIN ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("610014", "610014"), ("6I0O14", "610014"), (" 004 336 ", "004336"), ("BB5S01", "885501")],
)
def test_bin_repairs_confusions(text: str, expected: str) -> None:
    out = correction.normalize_bin(text)
    assert out is not None
    assert out.value == expected


@pytest.mark.parametrize("text", ["61001", "6100145", "ABCDEF", ""])
def test_bin_rejects_wrong_length_or_letters(text: str) -> None:
    assert correction.normalize_bin(text) is None


@given(st.text(alphabet=string.digits, min_size=6, max_size=6))
def test_bin_digits_are_a_fixed_point(digits: str) -> None:
    out = correction.normalize_bin(digits)
    assert out is not None
    assert out.value == digits
    assert out.corrections == ()


@given(st.text(alphabet=string.digits, min_size=6, max_size=6), st.data())
def test_bin_undoes_letter_confusions(digits: str, data: st.DataObject) -> None:
    back = {"0": "O", "1": "I", "5": "S", "8": "B"}
    noisy = "".join(back[d] if d in back and data.draw(st.booleans()) else d for d in digits)
    out = correction.normalize_bin(noisy)
    assert out is not None
    assert out.value == digits
    assert bool(out.corrections) == (noisy != digits)


# --- phones --------------------------------------------------------------------------------

nanp = st.builds(
    lambda a, e, n: a + e + n,
    st.from_regex(r"[2-9][0-9]{2}", fullmatch=True),
    st.from_regex(r"[2-9][0-9]{2}", fullmatch=True),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
)
PHONE_STYLES = (
    "1-{a}-{e}-{n}",
    "({a}) {e}-{n}",
    "{a}-{e}-{n}",
    "{a}.{e}.{n}",
    "1 ({a}) {e}-{n}",
    "+1 {a} {e} {n}",
)


@given(nanp, st.sampled_from(PHONE_STYLES))
def test_phone_every_print_style_gives_the_canonical_form(ten: str, style: str) -> None:
    printed = style.format(a=ten[:3], e=ten[3:6], n=ten[6:])
    out = correction.normalize_phone(printed)
    assert out is not None
    assert out.value == f"{ten[:3]}-{ten[3:6]}-{ten[6:]}"
    # idempotent
    again = correction.normalize_phone(out.value)
    assert again is not None
    assert again.value == out.value


@pytest.mark.parametrize("text", ["123-456-7890", "800-155-1234", "555-1234", "1-800-555-12345"])
def test_phone_rejects_non_nanp(text: str) -> None:
    assert correction.normalize_phone(text) is None


def test_phone_repairs_o_for_zero_and_records_it() -> None:
    out = correction.normalize_phone("1-8OO-555-2345")
    assert out is not None
    assert out.value == "800-555-2345"
    assert out.corrections
    assert out.corrections[0].kind == "phone_chars"


def test_find_phones_in_a_sentence() -> None:
    found = correction.find_phones("Member Services 1-800-555-2345 TTY 711 Pharmacy (877) 555-9876")
    assert [p for _, p in found] == ["800-555-2345", "877-555-9876"]


# --- dates ---------------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2068, 12, 31))
DATE_FORMATS = ("%m/%d/%Y", "%m-%d-%Y", "%Y-%m-%d", "%m/%d/%y", "%b %d, %Y", "%B %d %Y")


@given(dates, st.sampled_from(DATE_FORMATS))
def test_date_round_trips_to_iso(day: dt.date, fmt: str) -> None:
    out = correction.normalize_date(day.strftime(fmt))
    assert out is not None
    assert out.value == day.isoformat()


def test_date_in_context_and_with_letter_confusions() -> None:
    out = correction.normalize_date("Effective O1/0I/2025")
    assert out is not None
    assert out.value == "2025-01-01"
    assert out.corrections
    month_year = correction.normalize_date("03/2024")
    assert month_year is not None
    assert month_year.value == "2024-03-01"


@pytest.mark.parametrize("text", ["13/45/2024", "02/30/2023", "no date", ""])
def test_date_rejects_impossible(text: str) -> None:
    assert correction.normalize_date(text) is None


# --- MBI -----------------------------------------------------------------------------------

mbi_strategy = st.builds(
    lambda parts: "".join(parts),
    st.tuples(
        st.sampled_from("123456789"),
        st.sampled_from(correction.MBI_LETTERS),
        st.sampled_from(correction.MBI_LETTERS + string.digits),
        st.sampled_from(string.digits),
        st.sampled_from(correction.MBI_LETTERS),
        st.sampled_from(correction.MBI_LETTERS + string.digits),
        st.sampled_from(string.digits),
        st.sampled_from(correction.MBI_LETTERS),
        st.sampled_from(correction.MBI_LETTERS),
        st.sampled_from(string.digits),
        st.sampled_from(string.digits),
    ),
)


@given(mbi_strategy)
def test_mbi_valid_ids_survive_printing_with_dashes(mbi: str) -> None:
    assert correction.is_valid_mbi(mbi)
    out = correction.normalize_mbi(correction.format_mbi(mbi))
    assert out is not None
    assert out.value == mbi
    assert out.corrections == ()


@given(mbi_strategy)
def test_mbi_output_is_always_valid(mbi: str) -> None:
    # Swap digits in numeric slots for look-alike letters: the repair must bring them back.
    noisy = list(mbi)
    for pos in (3, 6, 9, 10):
        noisy[pos] = {"0": "O", "1": "I", "5": "S", "8": "B"}.get(noisy[pos], noisy[pos])
    out = correction.normalize_mbi("".join(noisy))
    assert out is not None
    assert out.value == mbi
    assert correction.is_valid_mbi(out.value)


def test_mbi_rejects_wrong_length_and_bad_first_char() -> None:
    assert correction.normalize_mbi("1EG4TE5MK7") is None
    assert correction.normalize_mbi("0EG4TE5MK73") is None


# --- ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("XOJ 8O1234567", "XOJ801234567"),
        ("W 1234 5678", "W12345678"),
        ("12345-678", "12345-678"),
        ("A7K2P9Q", "A7K2P9Q"),
        ("EGRX123", "EGRX123"),
    ],
)
def test_repair_id(text: str, expected: str) -> None:
    out = correction.repair_id(text)
    assert out is not None
    assert out.value == expected


@pytest.mark.parametrize(
    "value", ["8A9521M9", "4B7720K1", "Q7T55X21", "YRK123A45678", "H1234T5678", "88412U3301"]
)
def test_repair_id_leaves_alphanumeric_ids_alone(value: str) -> None:
    # A letter no digit looks like (M, K, X; A, T, U for OCR) says the id mixes letters and
    # digits by design.
    out = correction.repair_id(value)
    assert out is not None
    assert out.value == value


# A lone O or I before the digits is a misread digit (test_repair_id_edge_digits).
@given(st.from_regex(r"(?:[A-HJ-NP-Z]|[A-Z]{2,3})?[0-9]{5,12}", fullmatch=True))
def test_repair_id_keeps_clean_ids(value: str) -> None:
    out = correction.repair_id(value)
    assert out is not None
    assert out.value == value
    assert out.corrections == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("007845l", "0078451"),  # a lower-case l after the digits
        ("O078451", "0078451"),
        ("I0078451", "10078451"),
        ("0078451O", "00784510"),
        ("A784512", "A784512"),  # a letter prefix that is no digit
        ("W12345678O", "W12345678O"),  # letters elsewhere: left alone
        ("OHIO1", "OHIO1"),
    ],
)
def test_repair_id_edge_digits(text: str, expected: str) -> None:
    out = correction.repair_id(text)
    assert out is not None
    assert out.value == expected


def test_issuer_and_amount() -> None:
    issuer = correction.normalize_issuer("80840 9140461014")
    assert issuer is not None
    assert issuer.value == "808409140461014"
    assert correction.normalize_issuer("80841 9140461014") is None
    amount = correction.normalize_amount("$1,5OO")
    assert amount is not None
    assert amount.value == "$1,500"


@pytest.mark.parametrize(
    ("text", "want", "fixed"),
    [
        ("$5.000", "$5,000", True),  # blur thinned the comma to a point
        ("$1.500", "$1,500", True),
        ("$12.50", "$12.50", False),  # cents are two digits
        ("$250.00", "$250", False),
    ],
)
def test_a_point_before_three_digits_in_an_amount_is_a_comma(
    text: str, want: str, fixed: bool
) -> None:
    amount = correction.normalize_amount(text)
    assert amount is not None
    assert amount.value == want
    assert bool(amount.corrections) is fixed


def _id_candidate(text: str, ocr: float) -> Candidate:
    return Candidate(
        "member_id", text, (0, 0, 100, 20), ocr, 0.95, "label_inline", (0,), label="MEMBER ID"
    )


def test_a_disagreeing_reread_puts_the_field_below_the_threshold() -> None:
    cand = _id_candidate("W1234S678", 0.8)
    split = correction.finalize_side(
        [cand], "front", lambda c: [("W12345678", 0.9, "a"), ("W12345679", 0.9, "b")]
    )
    assert split["member_id"].score < 0.5
    agreed = correction.finalize_side(
        [_id_candidate("W12345678", 0.8)],
        "front",
        lambda c: [("W12345678", 0.9, "a"), ("W12345678", 0.9, "b")],
    )
    assert agreed["member_id"].value == "W12345678"
    assert agreed["member_id"].correct == 1.0


@pytest.mark.parametrize(
    "text", ["HMO Deductible", "PPO Plan", "Claims Dept", "Date of Birth", "Card Issued"]
)
def test_plan_and_benefit_words_are_no_name(text: str) -> None:
    assert correction.normalize_name(text) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("AaronCarter", "Aaron Carter"),
        ("Ronald McDonald", "Ronald McDonald"),
        ("DeShawn Lee", "DeShawn Lee"),
        ("ROBERTS", "ROBERTS"),
        # The narrow space around a middle initial is the one OCR drops most.
        ("RuthO.Harrison", "Ruth O. Harrison"),
        ("Mary K.Smith", "Mary K. Smith"),
        ("RUTHO.HARRISON", "RUTH O. HARRISON"),
        ("J.R. Smith", "J.R. Smith"),
    ],
)
def test_a_name_glued_into_one_word_is_split_at_its_capitals(text: str, want: str) -> None:
    got = correction.normalize_name(text)
    assert got is not None
    assert got.value == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("ALAN 0 PEREZ", "ALAN O PEREZ"),  # a middle initial O read as a zero
        ("Alan 0. Perez", "Alan O. Perez"),
        ("SCOTT 0'BRIEN", "SCOTT O'BRIEN"),
        ("J0HN SMITH", None),  # a zero inside a word is no name
        ("SMITH 0", None),
    ],
)
def test_a_zero_standing_for_an_o_in_a_name_is_the_letter(text: str, want: str | None) -> None:
    got = correction.normalize_name(text)
    assert (got.value if got is not None else None) == want
    if got is not None:
        assert [f.kind for f in got.corrections] == ["name_letters"]


def _side_candidates(payer: str, member_id: str) -> list[Candidate]:
    return [
        Candidate("payer_name", payer, (0, 0, 200, 30), 0.99, 0.9, "line_model", (0,)),
        Candidate(
            "member_id", member_id, (0, 40, 200, 70), 0.99, 0.95, "label_inline", (1,), label="ID"
        ),
    ]


def test_the_id_prefix_is_derived_on_blue_plans_only() -> None:
    blue = correction.finalize_side(
        _side_candidates("BlueState BlueCross BlueShield", "ZGX432694731"), "front"
    )
    assert blue["member_id_prefix"].value == "ZGX"
    assert blue["member_id_prefix"].score >= 0.5
    # A TPA's id that starts with letters has no BlueCard prefix: withheld (score < 0.5).
    tpa = correction.finalize_side(
        _side_candidates("Lighthouse Benefit Services", "SXA67998181"), "front"
    )
    assert tpa["member_id_prefix"].score < 0.5


@pytest.mark.parametrize(
    ("printed", "ocr", "want"),
    [
        ("127B87D84", 1.0, "127B87D84"),  # two letters read crisply: printed so
        ("D003D7L60", 0.99, "D003D7L60"),
        ("127B87D84", 0.9, "127887084"),  # read unsurely: the digits they look like
        ("1278870B4", 1.0, "127887084"),  # one letter: a slip in one place
    ],
)
def test_two_letters_between_digits_read_crisply_are_kept(
    printed: str, ocr: float, want: str
) -> None:
    rx_id = Candidate("rx_id", printed, (0, 40, 200, 70), ocr, 0.95, "label_inline", (0,))
    assert correction.finalize_side([rx_id], "back")["rx_id"].value == want


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PO Box 37056, Kansas City. MO 64121", "PO Box 37056, Kansas City, MO 64121"),
        ("PO Box 30441, Des Moines, 14 50306", "PO Box 30441, Des Moines, IA 50306"),
        ("PO Box 1, Dallas, TX 75201-1234", "PO Box 1, Dallas, TX 75201-1234"),
        ("PO Box 1, Town, 12 75201", "PO Box 1, Town, 12 75201"),  # no state reads "12"
        ("PO Box7013, Chattanooga, TN 37422", "PO Box 7013, Chattanooga, TN 37422"),
        ("PO Bax 32681, Little Rock, AR 72203", "PO Box 32681, Little Rock, AR 72203"),  # blur
        # A two-word city glued by OCR is spaced; an inner capital after a prefix stays.
        ("PO Box 1, FortWorth, TX 76101", "PO Box 1, Fort Worth, TX 76101"),
        ("PO Box 1, SaltLakeCity, UT 84101", "PO Box 1, Salt Lake City, UT 84101"),
        ("PO Box 1, McAllen, TX 78501", "PO Box 1, McAllen, TX 78501"),
        ("PO Box 1, DeKalb, IL 60115", "PO Box 1, DeKalb, IL 60115"),
        ("PO Box 1, MacArthur, WV 25873", "PO Box 1, MacArthur, WV 25873"),
        ("1 MainSt, Dallas, TX 75201", "1 MainSt, Dallas, TX 75201"),  # only the city
    ],
)
def test_address_city_state_punctuation_and_state_digits(text: str, expected: str) -> None:
    out = correction.normalize_address(text)
    assert out is not None
    assert out.value == expected


def _line_model_field(key: str, value: str, side: str = "front") -> correction.FieldValue:
    return correction.FieldValue(
        key,
        value,
        (0, 0, 100, 20),
        side,
        0.99,
        0.9,
        1.0,
        [{"step": "extract", "method": "line_model"}],
    )


@pytest.mark.parametrize(
    ("payer", "pbm", "doubted"),
    [
        ("Avantra Health", "Avantra Rx", True),  # the payer's own drug benefit brand
        ("Harbor Health", "MedicareRx Prescription Drug Coverage", True),  # no company
        ("Harbor Health", "RxNova", False),
        ("Summit Health Plan", "Navara Health Solutions", False),  # common words only
    ],
)
def test_a_line_model_pbm_that_is_the_payers_brand_or_names_coverage_is_doubted(
    payer: str, pbm: str, doubted: bool
) -> None:
    merged = correction.merge_sides(
        {"payer_name": _line_model_field("payer_name", payer)},
        {"pbm_name": _line_model_field("pbm_name", pbm, "back")},
    )
    assert (merged["pbm_name"].extract <= correction.DOUBTED_PBM_EXTRACT) is doubted


@pytest.mark.parametrize("pharmacy", ["MedAxis Rx", "PillPath", "Humana Pharmacy Solutions"])
def test_of_two_payers_the_one_named_as_a_pharmacy_is_the_pbm(pharmacy: str) -> None:
    front = _line_model_field("payer_name", pharmacy)
    back = _line_model_field("payer_name", "Fernway Health", "back")
    back.extract = 0.5  # the surer reading is the pharmacy's, yet it is no payer
    merged = correction.merge_sides({"payer_name": front}, {"payer_name": back})
    assert merged["payer_name"].value == "Fernway Health"
    assert merged["pbm_name"].value == pharmacy
    assert merged["pbm_name"].provenance[-1]["from"] == "payer_name"
    assert merged["pbm_name"].extract == correction.PHARMACY_PBM_EXTRACT


@pytest.mark.parametrize(
    ("front_payer", "back_fields"),
    [
        ("Fernway Health", {}),  # neither is named as a pharmacy
        ("TruScripts", {"pbm_name": "OptumRx"}),  # the card gives its PBM already
    ],
)
def test_two_payers_are_left_to_their_scores_otherwise(
    front_payer: str, back_fields: dict[str, str]
) -> None:
    back = {"payer_name": _line_model_field("payer_name", "Lumen Health", "back")}
    back.update({k: _line_model_field(k, v, "back") for k, v in back_fields.items()})
    merged = correction.merge_sides(
        {"payer_name": _line_model_field("payer_name", front_payer)}, back
    )
    assert merged["payer_name"].value == front_payer  # the front's reading, as sure
    assert merged.get("pbm_name") is None or merged["pbm_name"].value == "OptumRx"


ADMIN = "Meridian Benefit Administrators"


def _administered_card(
    front_names: list[tuple[str, str, float]], front_payer: str = ADMIN
) -> dict[str, correction.FieldValue]:
    """A TPA card: the back names the administrator after "Claims administered by", the front
    prints it too; ``front_names`` are the front's line-model readings (key, text, top y),
    ``front_payer`` the one it took for the payer."""
    back = correction.FieldValue(
        "payer_name",
        ADMIN,
        (40, 300, 500, 330),
        "back",
        0.85,  # less sure than the front's reading, which is kept
        0.95,
        1.0,
        [{"step": "extract", "method": "label_inline", "label": "CLAIMS ADMINISTERED BY"}],
    )
    merged = correction.merge_sides(
        {"payer_name": _line_model_field("payer_name", front_payer)}, {"payer_name": back}
    )
    candidates = [
        Candidate(key, text, (30, y, 400, y + 30), 0.99, 0.6, "line_model", (i,))
        for i, (key, text, y) in enumerate([*front_names, ("payer_name", ADMIN, 500)])
    ]
    correction.sponsor_beside_administrator(merged, candidates)
    return merged


@pytest.mark.parametrize("read_as", ["payer_name", "employer"])
def test_the_top_name_beside_a_named_administrator_is_the_employer(read_as: str) -> None:
    merged = _administered_card([(read_as, "City of Springfield", 20)])
    assert merged["payer_name"].value == ADMIN
    assert merged["payer_name"].provenance[1]["label"] == "CLAIMS ADMINISTERED BY"
    assert merged["employer"].value == "City of Springfield"
    assert merged["employer"].extract == correction.SPONSOR_EXTRACT
    assert merged["employer"].provenance[-1]["with"] == "administrator"


def test_a_named_administrator_is_the_payer_over_the_sponsor_the_model_took() -> None:
    # The line model took the sponsor at the top for the payer, surer than the back's read.
    merged = _administered_card(
        [("payer_name", "Blue Heron Software Inc", 20)], front_payer="Blue Heron Software Inc"
    )
    assert merged["payer_name"].value == ADMIN
    assert merged["payer_name"].provenance[-1] == {
        "step": "cross_check",
        "with": "front",
        "agree": False,
    }
    assert merged["employer"].value == "Blue Heron Software Inc"


@pytest.mark.parametrize("front_payer", ["Meridian Benefit Administrators"])
@pytest.mark.parametrize("back_read", ["MeridianBe", "Meridian Benefit Adminstrators"])
def test_a_short_or_slipped_read_of_the_same_administrator_is_left_to_the_scores(
    front_payer: str, back_read: str
) -> None:
    back = correction.FieldValue(
        "payer_name",
        back_read,
        (40, 300, 500, 330),
        "back",
        0.85,
        0.95,
        1.0,
        [{"step": "extract", "method": "label_inline", "label": "CLAIMS ADMINISTERED BY"}],
    )
    front = _line_model_field("payer_name", front_payer)
    merged = correction.merge_sides({"payer_name": front}, {"payer_name": back})
    assert merged["payer_name"].value == front_payer


@pytest.mark.parametrize(
    "top",
    [
        "Cigna",  # a known insurer's logo: the network, not the sponsor
        "MedAxis Rx",  # the pharmacy benefit's brand
        "Meridian Benefit",  # the administrator's own name, cut short
    ],
)
def test_no_employer_from_an_insurer_pharmacy_or_the_administrator(top: str) -> None:
    assert "employer" not in _administered_card([("payer_name", top, 20)])


def test_no_employer_from_the_top_name_without_an_administrator() -> None:
    merged = correction.merge_sides(
        {"payer_name": _line_model_field("payer_name", "Fernway Health")}, {}
    )
    top = Candidate(
        "payer_name", "City of Springfield", (30, 20, 400, 50), 0.99, 0.6, "line_model", (0,)
    )
    correction.sponsor_beside_administrator(merged, [top])
    assert "employer" not in merged


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Prime Therapeutics", True),
        ("Ambetter Balanced Care 11 (Silver)", True),
        ("3M Company", True),
        ("Acme Tool & Die Co.", True),
        ("1-800-423-1973", False),
        ("your employer or union", False),
        ("H1234 5678", False),
        ("", False),
    ],
)
def test_an_organisation_name_is_words(text: str, ok: bool) -> None:
    assert (correction.normalize_org(text) is not None) is ok


def _weak_payer(value: str, extract: float = 0.35) -> correction.FieldValue:
    return correction.FieldValue(
        "payer_name",
        value,
        (0, 0, 100, 20),
        "front",
        0.95,
        extract,
        1.0,
        [{"step": "extract", "method": correction.WEAK_LINE_MODEL}],
    )


@pytest.mark.parametrize(
    ("payer", "texts", "confirmed"),
    [
        # printed again on the back, in the fine print, or as the web address
        ("Fernway Health", ["Fernway Health", "Member ID", "FERNWAY HEALTH"], True),
        ("Fernway Health", ["Fernway Health", "Fernway Health is a licensee of..."], True),
        ("Fernway Health", ["Fernway Health", "Visit www.fernwayhealth.com"], True),
        ("Fernway Health Plan", ["Fernway Health Plan", "fernway-health.example.org"], True),
        ("Oscar", ["Oscar", "hioscar.com"], True),
        # once only; a host that shares a common word only; too short to be telling
        ("Fernway Health", ["Fernway Health", "Member ID 123"], False),
        ("Fernway Health", ["Fernway Health", "www.health.com"], False),
        ("Health Plan", ["Health Plan", "HEALTH PLAN"], False),
        ("Alba", ["Alba", "ALBA"], False),
    ],
)
def test_a_weak_payer_is_returned_when_the_card_names_it_again(
    payer: str, texts: list[str], confirmed: bool
) -> None:
    fields = {"payer_name": _weak_payer(payer)}
    correction.confirm_repeated_payer(fields, texts)
    assert (fields["payer_name"].extract == correction.CONFIRMED_PAYER_EXTRACT) is confirmed


def test_a_model_payer_named_again_is_trusted_and_a_labelled_one_left_alone() -> None:
    texts = ["Fernway Health", "FERNWAY HEALTH"]
    unsure = _line_model_field("payer_name", "Fernway Health")
    unsure.extract = 0.6
    fields = {"payer_name": unsure}
    correction.confirm_repeated_payer(fields, texts)
    assert fields["payer_name"].extract == correction.CONFIRMED_PAYER_EXTRACT
    labelled = _line_model_field("payer_name", "Fernway Health")
    labelled.extract = 0.6
    labelled.provenance = [{"step": "extract", "method": "label_inline"}]
    fields = {"payer_name": labelled}
    correction.confirm_repeated_payer(fields, texts)
    assert fields["payer_name"].extract == 0.6


def test_both_sides_reading_the_same_value_keep_the_surer_reading() -> None:
    front = _line_model_field("payer_name", "Georgia Medicaid")
    front.extract = 0.55
    back = _line_model_field("payer_name", "Georgia Medicaid", "back")
    back.extract = 0.78
    merged = correction.merge_sides({"payer_name": front}, {"payer_name": back})
    assert merged["payer_name"].side == "back"
    assert merged["payer_name"].provenance[-1] == {
        "step": "cross_check",
        "with": "front",
        "agree": True,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gold1500", "Gold 1500"),
        ("Platinum70 EPO", "Platinum 70 EPO"),
        ("SILVER3500 HMO", "SILVER 3500 HMO"),
        ("Silver 2000", "Silver 2000"),
        ("PPO1", "PPO1"),  # one digit: a product code, not a tier's number
        ("HMO250", "HMO250"),  # three letters
        ("MedicaidManaged Care", "Medicaid Managed Care"),  # OCR lost the space
        ("MedicareBlue Rx", "MedicareBlue Rx"),  # a brand glued on purpose
        ("Medicaid Plus", "Medicaid Plus"),
    ],
)
def test_a_plan_names_tier_number_is_set_off_from_its_word(text: str, expected: str) -> None:
    out = correction.normalize_plan_name(text)
    assert out is not None
    assert out.value == expected
    assert bool(out.corrections) is (text != expected)


def test_a_payer_the_model_all_but_ruled_out_needs_the_web_address() -> None:
    texts = ["Bellwether", "BELLWETHER"]
    fields = {"payer_name": _weak_payer("Bellwether", extract=0.08)}
    correction.confirm_repeated_payer(fields, texts)
    assert fields["payer_name"].extract == 0.08
    correction.confirm_repeated_payer(fields, [*texts, "www.bellwether.org"])
    assert fields["payer_name"].extract == correction.CONFIRMED_PAYER_EXTRACT


@pytest.mark.parametrize(
    ("fields", "payer"),
    [
        # The government's card: a Medicare number and Part A/B dates, its heading unread.
        ({"medicare_mbi": "1EG4TE5MK73", "medicare_part_a_date": "2016-03-01"}, "Medicare"),
        # A Medicare Advantage card names its plan's fields: no payer is guessed.
        (
            {
                "medicare_mbi": "1EG4TE5MK73",
                "medicare_part_a_date": "2016-03-01",
                "member_id": "H12345678",
            },
            None,
        ),
        # A Medicare number alone says nothing of the card.
        ({"medicare_mbi": "1EG4TE5MK73"}, None),
    ],
)
def test_the_original_medicare_card_is_paid_by_medicare(
    fields: dict[str, str], payer: str | None
) -> None:
    merged = correction.merge_sides({k: _line_model_field(k, v) for k, v in fields.items()}, {})
    got = merged.get("payer_name")
    assert (got.value if got is not None else None) == payer
    if got is not None:
        assert got.provenance[-1]["from"] == "medicare_mbi"


@pytest.mark.parametrize(
    ("text", "payer"),
    [
        ("Medicaid Managed Care", False),  # the programme the plan runs, under the payer
        ("Sunrise Health Plan of Iowa", True),
        ("Medicaid Health Plan of Ohio", True),  # a word of its own
    ],
)
def test_a_programmes_title_is_no_payer(text: str, payer: bool) -> None:
    assert (correction.normalize_field("payer_name", text) is not None) is payer


def test_a_blurred_medicare_heading_is_repaired_and_confirmed_by_the_card() -> None:
    # "Health Insurance" alone is the card's title, no payer; "Nedicare" is Medicare.
    assert correction.normalize_field("payer_name", "Health Insurance") is None
    assert correction.normalize_field("payer_name", "Sunrise Health Plan") is not None
    heading = Candidate("payer_name", "Nedicare", (0, 0, 100, 20), 0.99, 0.61, "line_model", (0,))
    payer = correction.finalize_side([heading], "front")["payer_name"]
    assert payer.value == "Medicare"
    unsure = correction.FieldValue(
        "payer_name", "Medicare", (0, 0, 100, 20), "front", 0.99, 0.3, 0.9, []
    )
    fields = {
        "medicare_mbi": _line_model_field("medicare_mbi", "8CU0CY1UK81"),
        "medicare_part_a_date": _line_model_field("medicare_part_a_date", "2012-04-01"),
        "payer_name": unsure,
    }
    merged = correction.merge_sides(fields, {})
    assert merged["payer_name"].value == "Medicare"
    assert merged["payer_name"].score > unsure.score
    assert merged["payer_name"].provenance[-1]["from"] == "medicare_mbi"
    # A payer read as another name is left alone.
    fields["payer_name"] = _line_model_field("payer_name", "Humana")
    assert correction.merge_sides(fields, {})["payer_name"].value == "Humana"


def test_a_dependent_read_as_one_word_is_split_at_the_members_surname() -> None:
    def side(member: str, dependents: list[str]) -> dict[str, correction.FieldValue]:
        box = (0, 0, 100, 20)
        return correction.finalize_side(
            [
                Candidate("member_name", member, box, 0.99, 0.95, "label_inline", (0,)),
                Candidate("dependents", "", box, 0.99, 0.85, "label_below", (1,), value=dependents),
            ],
            "front",
        )

    got = side("JANE Q CARTER", ["JAMESCARTER", "ANN CARTER"])["dependents"]
    assert got.value == ["JAMES CARTER", "ANN CARTER"]
    assert got.correct == 0.9
    assert got.provenance[-1]["kind"] == "surname_space"
    # Another surname, or a member with a suffix after the surname.
    assert side("JANE CARTER", ["JAMESBROWN"])["dependents"].value == ["JAMESBROWN"]
    assert side("JANE CARTER JR", ["JAMESCARTER"])["dependents"].value == ["JAMES CARTER"]
    # A short surname ends first names too: a first name listed alone stays whole.
    assert side("JANE LEE", ["ASHLEE"])["dependents"].value == ["ASHLEE"]
    # A middle initial glued to the surname; a longer word that starts with it stays.
    assert side("JANE Q CARTER", ["ANN QCARTER"])["dependents"].value == ["ANN Q CARTER"]
    assert side("JANE Q CARTER", ["ANN CARTERSON"])["dependents"].value == ["ANN CARTERSON"]
    # Two names side by side read as one line, glued at the surname or not.
    for line in ("ANN CARTERJAMES CARTER", "ANN CARTER JAMES CARTER"):
        assert side("JANE CARTER", [line])["dependents"].value == ["ANN CARTER", "JAMES CARTER"]
    assert side("JANE CARTER", ["ANN CARTER JAMES BROWN"])["dependents"].value == [
        "ANN CARTER JAMES BROWN"
    ]


def test_a_members_name_read_as_one_word_is_split_at_a_surname_the_card_prints() -> None:
    def member(name: str, others: list[str]) -> str:
        box = (0, 0, 100, 20)
        got = correction.finalize_side(
            [
                Candidate("member_name", name, box, 1.0, 0.85, "label_below", (0,)),
                Candidate("dependents", "", box, 0.99, 0.85, "label_below", (1,), value=others),
            ],
            "front",
        )
        return str(got["member_name"].value) if "member_name" in got else ""

    assert member("VIRGINIAREYNOLDS", ["GREGORY REYNOLDS"]) == "VIRGINIA REYNOLDS"
    assert member("VIRGINIAREYNOLDS", ["GREGORY SMITH"]) == ""  # one word: no name
    assert member("ALREYNOLDS", ["GREGORY REYNOLDS"]) == ""  # no first name of three letters


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("0pen Access Plus", "Open Access Plus"),  # a word-initial zero in Title Case
        ("Sunrise Health Plan of lowa", "Sunrise Health Plan of Iowa"),
        ("Plan 0ne", "Plan 0ne"),  # one capital word only: no Title Case to judge by
        ("Gold 0 Deductible", "Gold 0 Deductible"),  # a number stays a number
    ],
)
def test_title_case_text_reads_a_word_initial_zero_as_o_and_l_as_i(text: str, want: str) -> None:
    norm = correction.normalize_text(text)
    assert norm is not None
    assert norm.value == want


def _copays_candidate(amount_score: float) -> Candidate:
    reads = (
        correction.CopayRead((900, 300, 980, 330), 1.0, 1.0, alone=True),
        correction.CopayRead((930, 380, 980, 410), amount_score, 1.0, alone=True),
    )
    return Candidate(
        "copays",
        "Specialist $60; Rx Generic $5",
        (596, 296, 980, 412),
        min(amount_score, 1.0),
        0.85,
        "format",
        (7, 8, 9, 10),
        value=[
            {"benefit": "Specialist", "amount": "$60"},
            {"benefit": "Rx Generic", "amount": "$5"},
        ],
        copay_reads=reads,
    )


def test_an_unsure_copay_amount_a_reread_agrees_on_counts_at_the_rereads_score() -> None:
    crops: list[Any] = []

    def reread(read: Any) -> list[tuple[str, float, str]]:
        crops.append(read.box)
        return [("$5", 0.99, "rapidocr_enhanced"), ("S5", 0.97, "tesseract")]

    got = correction.finalize_side([_copays_candidate(0.79)], "front", reread)["copays"]
    assert crops == [(930, 380, 980, 410)]  # only the unsure amount is read again
    assert got.ocr == 0.99
    assert got.provenance[-1]["step"] == "reread"


def test_a_copay_amount_a_reread_reads_otherwise_keeps_its_low_score() -> None:
    got = correction.finalize_side(
        [_copays_candidate(0.79)], "front", lambda c: [("$15", 0.99, "rapidocr_enhanced")]
    )["copays"]
    assert got.ocr == 0.79
    assert got.value[1] == {"benefit": "Rx Generic", "amount": "$5"}
