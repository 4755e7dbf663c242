"""Group numbers, member ids and their neighbours as real US cards print them."""

from __future__ import annotations

import pytest

from eligo.cards import correction
from eligo.cards.extraction import Extractor, find_anchors
from eligo.cards.ocr import OcrLine
from tests.unit.cards.test_extraction import L, fields_of


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Group/Account 00123", "00123"),
        ("Group Acct: 45512", "45512"),
        ("Account # 0045512", "0045512"),
        ("Account No. 0045512", "0045512"),
        ("Employer Group 45512", "45512"),
        ("Employer Group #: 0123456-01", "0123456-01"),
    ],
)
def test_account_and_employer_group_labels_give_the_group_number(text: str, value: str) -> None:
    got = fields_of([L(text, 30, 100)])
    assert got.get("group_number") == value
    assert "employer" not in got


def test_an_employer_group_label_over_a_name_is_the_employer() -> None:
    got = fields_of([L("Employer Group: Acme Tool Works", 30, 100)])
    assert got.get("employer") == "Acme Tool Works"
    assert "group_number" not in got


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Group 12345 Plan 678", {"group_number": "12345", "plan_number": "678"}),
        ("ID 123456789 Group 4455", {"member_id": "123456789", "group_number": "4455"}),
        (
            "ID: XYZ123456789 GROUP 0123456-01",
            {"member_id": "XYZ123456789", "group_number": "0123456-01"},
        ),
    ],
)
def test_a_row_of_label_value_pairs_splits_at_each_label(text: str, want: dict[str, str]) -> None:
    got = fields_of([L(text, 30, 100)])
    for key, value in want.items():
        assert got.get(key) == value


@pytest.mark.parametrize(
    "text", ["Boise, ID 83707", "Suite 200 Plan Services", "Room 12 Group Visits"]
)
def test_a_common_word_beside_one_number_is_no_label(text: str) -> None:
    assert [a.start for a in find_anchors(text, 0) if a.start > 0] == []


def test_a_card_word_is_never_part_of_an_id() -> None:
    assert correction.normalize_number_id("Plan 45512") is None
    assert correction.normalize_group("GROUP 0123") is None
    kept = correction.normalize_number_id("XYZ 123 456 789")
    assert kept is not None
    assert kept.value == "XYZ123456789"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("W123456789 Sfk 01", "W123456789"),  # a blurred "Sfx" past the label list
        ("ZGP 48213357 Dep 02", "ZGP48213357"),
        ("XYZ 123 456 789", "XYZ123456789"),
        ("W123456789 01", "W12345678901"),  # no word: digits printed apart stay the id's
    ],
)
def test_an_id_ends_before_a_word_in_lower_case(text: str, want: str) -> None:
    out = correction.normalize_number_id(text)
    assert out is not None
    assert out.value == want


def test_an_id_beside_a_misread_suffix_label_is_the_id_alone() -> None:
    got = fields_of([L("ID", 30, 100, 60), L("W123456789 Sfk 01", 80, 100)])
    assert got["member_id"] == "W123456789"


def test_an_rx_group_keeps_the_letters_printed_among_its_digits() -> None:
    # A member id's "B" between digits is a misread 8; a PBM's Rx group mixes them by design.
    got = fields_of([L("RxGrp: RX12B4S7", 30, 100), L("Member ID W12B456789", 30, 140)])
    assert got["rx_group"] == "RX12B4S7"
    assert got["member_id"] == "W128456789"


def test_dependents_listed_on_one_line_are_separate_names() -> None:
    got = fields_of([L("Dependents: Sara Coleman, Tom Coleman", 30, 100)])
    assert got["dependents"] == ["Sara Coleman", "Tom Coleman"]


def test_a_last_first_name_is_one_dependent() -> None:
    assert correction.split_names("Coleman, Sara") == ["Coleman, Sara"]
    assert correction.split_names("Sara Coleman; Tom Coleman") == ["Sara Coleman", "Tom Coleman"]


def test_a_plan_label_under_the_group_does_not_read_the_group_from_above() -> None:
    lines = [
        L("GRP #", 30, 288, 101, h=16),
        L("LE783FSQC", 30, 314, 190, h=22),
        L("Plan", 30, 352, 77, h=16),
        L("Essential EPO", 30, 378, 223, h=20),
    ]
    got = fields_of(lines)
    assert got["group_number"] == "LE783FSQC"
    assert got.get("plan_name") == "Essential EPO"
    assert "plan_number" not in got


def test_a_plain_plan_number_on_a_card_without_group_is_the_group() -> None:
    lines = [
        L("Participant ID", 26, 198, 154),
        L("730629053", 26, 228, 184),
        L("Plan No.", 24, 259, 107),
        L("XFD38V", 24, 285, 141),
    ]
    front = Extractor(line_model=None).extract(lines, 1012, 638)
    merged = correction.merge_sides(correction.finalize_side(front.candidates, "front"), {})
    assert merged["group_number"].value == "XFD38V"
    assert "plan_number" not in merged


@pytest.mark.parametrize("plain_gap", [4, 14])
def test_a_plain_plan_number_beside_another_plan_code_is_the_group(plain_gap: int) -> None:
    # Two plan codes and no group: the "Plan Number" column is the employer's group, the
    # "Plan" code the benefit option. Either may be the surer reading.
    lines = [
        L("Plan Number", 30, 300, 190, h=20),
        L("TX40021", 30, 320 + plain_gap, 140, h=24),
        L("Plan", 500, 300, 560, h=20),
        L("0042", 500, 329, 560, h=24),
    ]
    got = fields_of(lines)
    assert got.get("group_number") == "TX40021"
    assert got.get("plan_number") == "0042"


@pytest.mark.parametrize(
    "lines",
    [
        # A group beside both codes: the plan codes stay plan codes.
        [L("Group # 0123456", 30, 100), L("Plan No. XFD38V", 30, 140), L("Plan 0042", 500, 140)],
        # Both plain: nothing tells which one is the group.
        [L("Plan No. XFD38V", 30, 100), L("Plan # 0042", 500, 100)],
    ],
)
def test_two_plan_codes_stay_without_a_plain_one_beside_another(lines: list[OcrLine]) -> None:
    got = fields_of(lines)
    assert "plan_number" in got
    assert got.get("group_number") in (None, "0123456")


@pytest.mark.parametrize(
    "lines",
    [
        [L("Group # 0123456", 30, 100), L("Plan No. XFD38V", 30, 140)],
        [L("CMS Plan H1293-369", 30, 100)],
        [L("Plan No. H1293-369", 30, 100)],
    ],
)
def test_a_plan_number_stays_beside_a_group_or_as_a_cms_contract(lines: list[OcrLine]) -> None:
    front = Extractor(line_model=None).extract(lines, 1012, 638)
    merged = correction.merge_sides(correction.finalize_side(front.candidates, "front"), {})
    assert "plan_number" in merged


@pytest.mark.parametrize(
    ("lines", "want"),
    [
        ([L("Member10.322913525", 32, 168)], "322913525"),
        ([L("MemberI0: W123456789", 32, 168)], "W123456789"),
        ([L("I0", 27, 176, 54), L("H97711351", 28, 200, 188)], "H97711351"),
        ([L("10 #", 27, 199, 76), L("699436599", 27, 219, 187)], "699436599"),
        ([L("Subscriber lD 418620013", 32, 168)], "418620013"),
        # "member id" in lower case, its i read as a dot: not the member's name "d".
        ([L("member.d", 37, 192, 152), L("49245736A", 36, 214, 217)], "49245736A"),
    ],
)
def test_an_id_label_read_with_its_letters_as_digits_still_anchors(
    lines: list[OcrLine], want: str
) -> None:
    assert fields_of(lines).get("member_id") == want


@pytest.mark.parametrize(
    "text", ["$10: copay", "Plan 10 Gold", "Room 10", "10 Main St", "Smith.d", "www.example.d"]
)
def test_a_ten_that_is_no_label_stays_a_number(text: str) -> None:
    assert [a.key for a in find_anchors(text, 0) if a.key == "member_id"] == []


def test_a_member_label_over_an_id_is_the_member_id() -> None:
    got = fields_of([L("Member Name. GEORGE FISCHER", 30, 100), L("Member E876303280", 30, 130)])
    assert got["member_id"] == "E876303280"
    assert got["member_name"] == "GEORGE FISCHER"


@pytest.mark.parametrize(
    "lines",
    [
        # A name label beside the name, the MBI line under it.
        [L("Name", 30, 100), L("JANE Q PUBLIC", 120, 100), L("1EG4TE5MK73", 30, 130)],
        # "Member" beside the name, a Medicaid number under it (its label further left).
        [L("Member", 30, 100), L("JANE Q PUBLIC", 140, 100), L("04471938265", 30, 130)],
    ],
)
def test_an_id_under_a_name_label_is_no_member_id(lines: list[OcrLine]) -> None:
    got = fields_of(lines)
    assert "member_id" not in got
    assert got["member_name"] == "JANE Q PUBLIC"


def test_group_id_glued_to_a_letters_only_code() -> None:
    assert fields_of([L("Group IDSBGMFW", 30, 199)]).get("group_number") == "SBGMFW"


def test_a_blurred_phone_label_before_its_number() -> None:
    lines = [
        L("Customer Service 800-339-4867", 37, 25),
        L("Phammacist Use Only 877-392-8737", 37, 63),
        L("Provlder Servces 888-851-7438", 38, 107),
    ]
    got = fields_of(lines, "back")
    assert got["phone_customer_service"] == "800-339-4867"
    assert got["phone_pharmacy"] == "877-392-8737"
    assert got["phone_provider"] == "888-851-7438"


@pytest.mark.parametrize(
    ("text", "want"),
    [("Suffix: O1", "01"), ("Person Code 02", "02"), ("Dependent # 03", "03"), ("SFX A1", "A1")],
)
def test_suffix_labels_and_digit_repair(text: str, want: str) -> None:
    assert fields_of([L(text, 30, 100)]).get("member_id_suffix") == want


def test_a_suffix_label_takes_no_long_value() -> None:
    lines = [L("Suffix", 30, 100, 90), L("XYZ123456789", 110, 100, 280)]
    assert "member_id_suffix" not in fields_of(lines)


def test_dependents_without_their_suffix_or_relation() -> None:
    lines = [
        L("Covered Persons:", 30, 100, 200),
        L("02 JANE DOE (Spouse)", 30, 130, 260),
        L("03 - TIM DOE", 30, 160, 200),
    ]
    assert fields_of(lines)["dependents"] == ["JANE DOE", "TIM DOE"]


def test_an_unlabelled_cms_contract_is_the_plan_number() -> None:
    got = fields_of([L("ID H97711351", 30, 100), L("H5143-886", 700, 560, 850)])
    assert got["plan_number"] == "H5143-886"
    assert got["member_id"] == "H97711351"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("HOSPITAL (PARTE A) 01-01-2020", "medicare_part_a_date"),
        ("PARTE B 01-01-2020", "medicare_part_b_date"),
    ],
)
def test_spanish_medicare_part_labels(text: str, key: str) -> None:
    assert fields_of([L(text, 30, 100)]).get(key) == "2020-01-01"
