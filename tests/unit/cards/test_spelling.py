"""Look-alike letter slips in organisation and plan names, against the English word list."""

from __future__ import annotations

import pytest

from eligo.cards import correction, spelling
from eligo.cards.extraction import Candidate


@pytest.mark.parametrize(
    ("read", "printed"),
    [
        ("Orehard Valley Farms", "Orchard Valley Farms"),
        ("Blue Heron Software Ine", "Blue Heron Software Inc"),
        ("Evergreen Sentor Living", "Evergreen Senior Living"),
        ("Witliams Engineering Corp", "Williams Engineering Corp"),
        ("GoId 1500", "Gold 1500"),
        ("ESSONTIAL FLEX", "ESSENTIAL FLEX"),
        ("McQucen Foods", "McQueen Foods"),
        ("FcdEx Ground", "FedEx Ground"),
        ("orehard", "orchard"),
    ],
)
def test_a_look_alike_slip_becomes_the_word(read: str, printed: str) -> None:
    assert spelling.repair_words(read) == printed


@pytest.mark.parametrize(
    "name",
    [
        # Coined brands no single swap away from a word.
        "MedImpact",
        "Rxelerate",
        "PillPath",
        "Navara Health Solutions",
        # Payers and PBMs eligo knows by name, though "Optum" is one swap from "Opium".
        "Optum Rx",
        "Medica",
        "Humana",
        # Words, and words too short to tell.
        "Harbor Valley Farms",
        "UMR",
        "Lewis & Reed",
    ],
)
def test_words_and_known_names_stay_as_read(name: str) -> None:
    assert spelling.repair_words(name) == name


def _employer(text: str, ocr: float) -> Candidate:
    return Candidate("employer", text, (0, 0, 300, 30), ocr, 0.9, "line_model", (0,))


def test_an_unsure_read_of_a_name_is_repaired_and_the_repair_recorded() -> None:
    fields = correction.finalize_side([_employer("Orehard Valley Farms", 0.95)], "front")
    employer = fields["employer"]
    assert employer.value == "Orchard Valley Farms"
    assert employer.correct < 1.0
    assert {
        "step": "correct",
        "kind": "spelling",
        "before": "Orehard Valley Farms",
        "after": "Orchard Valley Farms",
    } in employer.provenance


def test_a_crisp_read_is_left_as_printed() -> None:
    # OCR sure of every letter: the card may well print a coined name.
    fields = correction.finalize_side([_employer("Orehard Valley Farms", 0.999)], "front")
    assert fields["employer"].value == "Orehard Valley Farms"


def test_a_person_name_is_never_respelled() -> None:
    member = Candidate(
        "member_name", "Jane Witliams", (0, 0, 300, 30), 0.9, 0.95, "label_inline", (0,)
    )
    assert correction.finalize_side([member], "front")["member_name"].value == "Jane Witliams"
