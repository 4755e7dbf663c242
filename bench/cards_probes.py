"""Hand-built OCR lines of card sides patterned on real US cards, through extraction.

    python bench/cards_probes.py            # misses, then the score and a BENCH line
    python bench/cards_probes.py --all      # every side's fields

The synthetic layouts (``cards/synth``) invent their payers and wording; these sides print
what real cards print: national and Blue payers as their cards name them ("BlueCross
BlueShield of Texas", "Horizon Blue Cross Blue Shield of New Jersey"), Medicare Advantage,
Medicaid managed care, exchange and TPA cards, phone lists and claims addresses on backs. The
names and numbers are made up. Each side is a list of OCR lines with boxes (the card is
1012 x 638, as ``Extractor`` sees a flattened card) and the fields it must give, compared
after dropping case, spaces and punctuation. It checks the extraction rules and the shipped
line model on real wording, without images; it is no accuracy figure (``cards_eval.py``
and ``cards_lolo.py`` are).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from eligo.cards import correction
from eligo.cards.extraction import Extractor
from eligo.cards.linemodel import load_line_model
from eligo.cards.ocr import OcrLine


def L(text: str, x0: float, y0: float, h: float = 28, w: float | None = None) -> OcrLine:  # noqa: N802
    """An OCR line at (x0, y0), as wide as its text at about half the line height a letter."""
    return OcrLine(text, (x0, y0, x0 + (w if w else 0.55 * h * len(text)), y0 + h), 0.98)


def B(text: str, x0: float, y0: float, h: float = 22) -> OcrLine:  # noqa: N802
    """A line of a card back (smaller print)."""
    return OcrLine(text, (x0, y0, x0 + 0.5 * h * len(text), y0 + h), 0.98)


Side = tuple[str, list[OcrLine], dict[str, str]]

FRONTS: list[Side] = [
    (
        "uhc",
        [
            L("UnitedHealthcare", 40, 30, 48),
            L("Choice Plus", 640, 40, 30),
            L("Health Plan (80840) 911-87726-04", 40, 110, 22),
            L("Member ID: 998877665", 40, 150, 26),
            L("Group Number: 705214", 520, 150, 26),
            L("Member:", 40, 200, 22),
            L("JOHN Q SAMPLE", 40, 230, 28),
            L("Payer ID 87726", 40, 300, 22),
            L("Rx Bin: 610279", 520, 300, 22),
            L("Rx PCN: 9999", 520, 330, 22),
            L("Rx Grp: UHEALTH", 520, 360, 22),
            L("PCP $25  Spec $50  ER $300", 40, 420, 22),
            L("optum Rx", 760, 560, 30),
        ],
        {
            "payer_name": "UnitedHealthcare",
            "plan_name": "Choice Plus",
            "member_name": "JOHN Q SAMPLE",
            "group_number": "705214",
            "member_id": "998877665",
            "pbm_name": "OptumRx",
            "rx_bin": "610279",
            "rx_pcn": "9999",
            "rx_group": "UHEALTH",
            "issuer_id": "(80840) 911-87726-04",
        },
    ),
    (
        "aetna",
        [
            L("aetna", 40, 30, 52),
            L("Aetna Choice POS II", 40, 110, 28),
            L("Member", 40, 170, 20),
            L("MARIA L GARCIA", 40, 195, 28),
            L("ID W123456789", 40, 250, 28),
            L("Group # 0123456-10-001", 40, 300, 24),
            L("Effective Date 01/01/2026", 40, 340, 22),
            L("PCP $20", 600, 170, 24),
            L("SPEC $40", 600, 205, 24),
            L("ER $250", 600, 240, 24),
            L("RxBIN 610502", 600, 300, 22),
            L("RxPCN ADV", 600, 330, 22),
            L("RxGRP RX8852", 600, 360, 22),
        ],
        {
            "payer_name": "Aetna",
            "plan_name": "Aetna Choice POS II",
            "member_name": "MARIA L GARCIA",
            "member_id": "W123456789",
            "group_number": "0123456-10-001",
        },
    ),
    (
        "cigna",
        [
            L("Cigna", 40, 30, 50),
            L("Open Access Plus", 40, 100, 26),
            L("Name", 40, 160, 20),
            L("ROBERT T JONES", 140, 158, 26),
            L("ID U12345678 01", 40, 200, 26),
            L("Group 3334445", 40, 240, 26),
            L("Network OAP", 40, 280, 24),
            L("Issuer (80840)", 40, 320, 22),
            L("PCP Visit $25", 600, 160, 22),
            L("Specialist $45", 600, 195, 22),
            L("RxBIN 017010", 600, 320, 22),
            L("RxPCN 02300000", 600, 350, 22),
            L("RxGrp 3334445", 600, 380, 22),
            L("Employer: ACME WIDGET CORP", 40, 560, 22),
        ],
        {
            "payer_name": "Cigna",
            "plan_name": "Open Access Plus",
            "member_name": "ROBERT T JONES",
            "group_number": "3334445",
            "employer": "ACME WIDGET CORP",
            "rx_bin": "017010",
            "rx_pcn": "02300000",
            "rx_group": "3334445",
            # "As printed, without spaces": the member's suffix stays on the id.
            "member_id": "U1234567801",
        },
    ),
    (
        "bcbs_tx",
        [
            L("BlueCross BlueShield of Texas", 40, 30, 36),
            L("Blue Choice PPO", 40, 90, 28),
            L("Subscriber Name", 40, 150, 20),
            L("LINDA K PARK", 40, 175, 28),
            L("Identification No.", 40, 225, 20),
            L("XOH 912345678", 40, 250, 30),
            L("Group No. 123456", 40, 300, 24),
            L("Plan 860", 520, 300, 24),
            L("BCBSTX", 40, 350, 22),
            L("PPO", 880, 540, 50),
            L("RxBIN 011552", 40, 420, 22),
            L("RxPCN TXCOMM", 40, 450, 22),
            L("RxGrp BCTXA", 40, 480, 22),
        ],
        {
            "payer_name": "BlueCross BlueShield of Texas",
            "plan_name": "Blue Choice PPO",
            "member_name": "LINDA K PARK",
            "group_number": "123456",
            "member_id": "XOH912345678",
            "rx_bin": "011552",
            "rx_pcn": "TXCOMM",
            "rx_group": "BCTXA",
            "member_id_prefix": "XOH",
        },
    ),
    (
        "humana_ma",
        [
            L("Humana", 40, 30, 50),
            L("Humana Gold Plus (HMO)", 40, 100, 28),
            L("JAMES WILSON", 40, 160, 30),
            L("Member ID H12345678", 40, 210, 26),
            L("CMS H1036 123", 40, 250, 22),
            L("RxBIN 610649", 560, 210, 22),
            L("RxPCN 03200000", 560, 240, 22),
            L("RxGRP XE120", 560, 270, 22),
            L("MedicareR", 820, 560, 28),
            L("PCP $0  SPC $35", 40, 320, 22),
        ],
        {
            "payer_name": "Humana",
            "plan_name": "Humana Gold Plus (HMO)",
            "member_name": "JAMES WILSON",
            "member_id": "H12345678",
            "rx_bin": "610649",
            "rx_pcn": "03200000",
            "rx_group": "XE120",
        },
    ),
    (
        "kaiser",
        [
            L("KAISER PERMANENTE", 40, 30, 42),
            L("Northern California", 40, 85, 22),
            L("SUSAN LEE", 40, 160, 30),
            L("MRN 000012345678", 40, 210, 26),
            L("Deductible HMO Plan", 40, 260, 24),
            L("Group 604", 40, 300, 24),
            L("Office Visit $30", 560, 210, 22),
        ],
        {"payer_name": "KAISER PERMANENTE", "member_name": "SUSAN LEE", "group_number": "604"},
    ),
    (
        "ambetter",
        [
            L("Ambetter", 40, 30, 50),
            L("from Sunshine Health", 40, 90, 22),
            L("Ambetter Balanced Care 11 (Silver)", 40, 140, 26),
            L("Subscriber: CARLOS DIAZ", 40, 200, 24),
            L("Member: CARLOS DIAZ", 40, 235, 24),
            L("Member ID: U7012345678", 40, 270, 24),
            L("Policy Effective Date: 01/01/2026", 40, 305, 22),
            L("RxBIN: 004336", 600, 270, 22),
            L("RxPCN: ADV", 600, 300, 22),
            L("RxGRP: RX5480", 600, 330, 22),
        ],
        {
            "payer_name": "Ambetter",
            "plan_name": "Ambetter Balanced Care 11 (Silver)",
            "member_name": "CARLOS DIAZ",
            "member_id": "U7012345678",
            "rx_bin": "004336",
            "rx_pcn": "ADV",
            "rx_group": "RX5480",
            "effective_date": "2026-01-01",
        },
    ),
    (
        "medicaid_mco",
        [
            L("Molina Healthcare", 40, 30, 40),
            L("Texas STAR Medicaid", 40, 90, 26),
            L("Member Name: ASHLEY BROWN", 40, 150, 24),
            L("Member ID: 512345678", 40, 190, 24),
            L("Medicaid ID: 512345678", 40, 225, 24),
            L("Effective: 09/01/2026", 40, 260, 22),
            L("PCP: DR. ALAN SMITH", 40, 300, 22),
            L("PCP Phone: (512) 555-0100", 40, 335, 22),
            L("RxBIN: 004336", 600, 190, 22),
            L("RxPCN: MCAIDADV", 600, 220, 22),
            L("RxGRP: RX8859", 600, 250, 22),
        ],
        {
            "payer_name": "Molina Healthcare",
            "plan_name": "Texas STAR Medicaid",
            "member_name": "ASHLEY BROWN",
            "member_id": "512345678",
            "rx_bin": "004336",
            "rx_pcn": "MCAIDADV",
            "rx_group": "RX8859",
            "medicaid_id": "512345678",
            "effective_date": "2026-09-01",
        },
    ),
    (
        "tpa",
        [
            L("MERITAIN HEALTH", 40, 30, 38),
            L("CITY OF SPRINGFIELD", 40, 85, 28),
            L("Employee Benefit Plan", 40, 120, 22),
            L("Participant: DAVID CHEN", 40, 180, 24),
            L("ID: MHX123456789", 40, 215, 24),
            L("Group: 10457", 40, 250, 24),
            L("PPO Network", 600, 180, 24),
            L("Aetna Signature Administrators", 600, 215, 20),
            L("Rx: Express Scripts", 40, 330, 22),
            L("BIN 003858 PCN A4 GRP SPRGFLD", 40, 360, 22),
        ],
        {
            "payer_name": "MERITAIN HEALTH",
            "employer": "CITY OF SPRINGFIELD",
            "member_name": "DAVID CHEN",
            "member_id": "MHX123456789",
            "group_number": "10457",
            "pbm_name": "Express Scripts",
            "rx_bin": "003858",
            "rx_pcn": "A4",
            "rx_group": "SPRGFLD",
        },
    ),
    (
        "oscar",
        [
            L("oscar", 40, 30, 52),
            L("Oscar Simple Bronze", 40, 100, 26),
            L("Member", 40, 160, 20),
            L("EMILY STONE", 40, 185, 28),
            L("Member ID", 40, 235, 20),
            L("OSC12345678-01", 40, 260, 28),
            L("Group", 520, 235, 20),
            L("0023341", 520, 260, 28),
            L("EPO", 880, 40, 40),
            L("Rx Bin 003858", 520, 330, 22),
            L("Rx PCN MA", 520, 360, 22),
            L("Rx Group 2FDA", 520, 390, 22),
        ],
        {
            "payer_name": "oscar",
            "plan_name": "Oscar Simple Bronze",
            "member_name": "EMILY STONE",
            "group_number": "0023341",
            "rx_bin": "003858",
            "rx_pcn": "MA",
            "rx_group": "2FDA",
            "member_id": "OSC12345678-01",
            "plan_type": "EPO",
        },
    ),
    (
        "anthem",
        [
            L("Anthem", 40, 30, 46),
            L("BlueCross BlueShield", 40, 80, 22),
            L("Blue Access PPO", 600, 40, 26),
            L("Member Name", 40, 150, 20),
            L("KEVIN O NEIL", 40, 172, 28),
            L("Member ID", 40, 220, 20),
            L("YRK123A45678", 40, 242, 28),
            L("Group No.", 520, 220, 20),
            L("174512", 520, 242, 28),
            L("PCP $20 / SPC $40 / UC $50 / ER $250", 40, 320, 22),
            L("RX BIN 020099", 40, 380, 22),
            L("RX PCN CRX", 40, 410, 22),
            L("RX GRP ANTHEM1", 40, 440, 22),
        ],
        {
            "payer_name": "Anthem",
            "plan_name": "Blue Access PPO",
            "member_name": "KEVIN O NEIL",
            "group_number": "174512",
            "member_id": "YRK123A45678",
            "rx_bin": "020099",
            "rx_pcn": "CRX",
            "rx_group": "ANTHEM1",
        },
    ),
    (
        "bcbs_il",
        [
            L("BlueCross BlueShield of Illinois", 300, 28, 30),
            L("Blue Choice Preferred PPO", 40, 80, 24),
            L("JENNIFER A SMITH", 40, 150, 28),
            L("Identification Number", 40, 200, 20),
            L("XOF812345678", 40, 225, 30),
            L("Group Number", 520, 200, 20),
            L("P12345", 520, 225, 30),
            L("BCBSIL", 40, 300, 20),
            L("RxBIN 011552", 40, 360, 22),
            L("RxPCN IL", 40, 390, 22),
            L("RxGRP ILCA", 40, 420, 22),
            L("PPO", 880, 540, 50),
        ],
        {
            "payer_name": "BlueCross BlueShield of Illinois",
            "plan_name": "Blue Choice Preferred PPO",
            "member_name": "JENNIFER A SMITH",
            "group_number": "P12345",
            "member_id": "XOF812345678",
            "rx_bin": "011552",
            "rx_pcn": "IL",
            "rx_group": "ILCA",
            "plan_type": "PPO",
        },
    ),
    (
        "aarp",
        [
            L("UnitedHealthcare", 40, 30, 44),
            L("AARP Medicare Advantage Choice (PPO)", 40, 95, 24),
            L("Member:", 40, 150, 20),
            L("WILLIAM R MOORE", 40, 175, 28),
            L("Member ID: 912345678-00", 40, 225, 24),
            L("Group Number: 99999", 40, 260, 24),
            L("Payer ID: 87726", 40, 295, 22),
            L("RxBIN: 610097", 600, 225, 22),
            L("RxPCN: 9999", 600, 255, 22),
            L("RxGrp: COSAMA", 600, 285, 22),
            L("H2001-816-000", 40, 560, 20),
        ],
        {
            "payer_name": "UnitedHealthcare",
            "plan_name": "AARP Medicare Advantage Choice (PPO)",
            "member_name": "WILLIAM R MOORE",
            "group_number": "99999",
            "rx_bin": "610097",
            "rx_pcn": "9999",
            "rx_group": "COSAMA",
            "payer_id": "87726",
            "member_id": "912345678-00",
        },
    ),
    (
        "wellcare",
        [
            L("wellcare", 40, 30, 48),
            L("Wellcare No Premium Open (PPO)", 40, 95, 24),
            L("Member Name", 40, 150, 20),
            L("PATRICIA HALL", 40, 172, 28),
            L("Member ID", 40, 220, 20),
            L("78123456", 40, 242, 28),
            L("RxBIN 004336", 600, 150, 22),
            L("RxPCN MEDDADV", 600, 180, 22),
            L("RxGRP RX8514", 600, 210, 22),
            L("Issuer 80840", 600, 240, 22),
        ],
        {
            "payer_name": "wellcare",
            "plan_name": "Wellcare No Premium Open (PPO)",
            "member_name": "PATRICIA HALL",
            "member_id": "78123456",
            "rx_bin": "004336",
            "rx_pcn": "MEDDADV",
            "rx_group": "RX8514",
        },
    ),
    (
        "highmark",
        [
            L("Highmark Blue Shield", 40, 30, 40),
            L("PPOBlue", 700, 40, 30),
            L("MICHAEL DAVIS", 40, 140, 28),
            L("ID", 40, 190, 20),
            L("YKB123456789", 100, 186, 28),
            L("Group", 40, 240, 20),
            L("10045678", 140, 236, 28),
            L("OV $25 SPEC $50 ER $200", 40, 320, 22),
            L("RxBIN 610014 RxPCN MEDDPRIME", 40, 380, 22),
        ],
        {
            "payer_name": "Highmark Blue Shield",
            "plan_name": "PPOBlue",
            "member_name": "MICHAEL DAVIS",
            "group_number": "10045678",
            "member_id": "YKB123456789",
            "rx_bin": "610014",
            "rx_pcn": "MEDDPRIME",
        },
    ),
    (
        "horizon",
        [
            L("Horizon Blue Cross Blue Shield of New Jersey", 40, 30, 28),
            L("OMNIA Silver", 40, 80, 26),
            L("Member", 40, 140, 20),
            L("ANGELA WHITE", 40, 162, 28),
            L("ID# 3HZN12345678", 40, 210, 26),
            L("Group# 123456789", 40, 250, 26),
            L("Horizon Tier 1", 600, 140, 22),
        ],
        {
            "payer_name": "Horizon Blue Cross Blue Shield of New Jersey",
            "plan_name": "OMNIA Silver",
            "member_name": "ANGELA WHITE",
            "group_number": "123456789",
        },
    ),
    (
        "superior",
        [
            L("Superior HealthPlan", 40, 30, 40),
            L("STAR Kids", 40, 90, 28),
            L("Member: TYLER JOHNSON", 40, 150, 24),
            L("Medicaid ID: 612345678", 40, 190, 24),
            L("Date of Birth: 04/12/2015", 40, 225, 22),
            L("Effective Date: 09/01/2026", 40, 260, 22),
            L("Primary Care Provider: CHILDRENS CLINIC", 40, 300, 22),
        ],
        {
            "payer_name": "Superior HealthPlan",
            "plan_name": "STAR Kids",
            "member_name": "TYLER JOHNSON",
            "medicaid_id": "612345678",
        },
    ),
    (
        "kancare",
        [
            L("Sunflower Health Plan", 40, 30, 38),
            L("KanCare", 760, 36, 34),
            L("Member: JORDAN WHITE", 40, 150, 24),
            L("Member ID: 701234567", 40, 190, 24),
            L("Effective Date: 01/01/2027", 40, 225, 22),
            L("PCP: PRAIRIE FAMILY MEDICINE", 40, 265, 22),
            L("RxBIN: 004336", 600, 190, 22),
            L("RxPCN: MCAIDADV", 600, 220, 22),
            L("RxGRP: RX5826", 600, 250, 22),
        ],
        {
            "payer_name": "Sunflower Health Plan",
            "plan_name": "KanCare",
            "member_name": "JORDAN WHITE",
            "member_id": "701234567",
            "rx_group": "RX5826",
        },
    ),
    (
        "medi_cal",
        [
            L("L.A. Care", 40, 30, 42),
            L("HEALTH PLAN", 40, 78, 20),
            L("Medi-Cal", 40, 120, 30),
            L("Name: ROSA MARTINEZ", 40, 180, 24),
            L("ID#: 19876543A", 40, 215, 24),
            L("Issue Date: 02/01/2027", 40, 250, 22),
            L("PCP: EASTSIDE COMMUNITY CLINIC", 40, 290, 22),
        ],
        {
            "payer_name": "L.A. Care",
            "plan_name": "Medi-Cal",
            "member_name": "ROSA MARTINEZ",
            "member_id": "19876543A",
        },
    ),
    (
        "delta",
        [
            L("DELTA DENTAL", 40, 30, 44),
            L("Delta Dental PPO", 40, 95, 26),
            L("Subscriber: NANCY KING", 40, 160, 24),
            L("Subscriber ID: 123456789", 40, 195, 24),
            L("Group Number: 05432", 40, 230, 24),
            L("Group Name: RIVERSIDE SCHOOL DISTRICT", 40, 265, 22),
        ],
        {
            "payer_name": "DELTA DENTAL",
            "plan_name": "Delta Dental PPO",
            "member_name": "NANCY KING",
            "group_number": "05432",
            "employer": "RIVERSIDE SCHOOL DISTRICT",
        },
    ),
    (
        "employer_top",
        [
            L("BlueCross BlueShield", 40, 30, 40),
            L("of Tennessee", 40, 72, 24),
            L("ACME MANUFACTURING INC", 520, 40, 24),
            L("Network P", 520, 75, 22),
            L("SARAH MILLER", 40, 150, 28),
            L("ID ZGP880012345", 40, 200, 26),
            L("GROUP 117788", 40, 240, 26),
            L("caremark", 760, 560, 30),
        ],
        {
            "payer_name": "BlueCross BlueShield of Tennessee",
            "employer": "ACME MANUFACTURING INC",
            "member_name": "SARAH MILLER",
            "group_number": "117788",
            "pbm_name": "caremark",
        },
    ),
    (
        "bcbs_fep",
        [
            L("BlueCross BlueShield", 40, 30, 40),
            L("FEP", 860, 30, 44),
            L("Federal Employee Program", 40, 80, 22),
            L("Standard Option", 40, 115, 24),
            L("Member Name", 40, 165, 20),
            L("ROBERT J KING", 40, 187, 28),
            L("Enrollee ID", 40, 235, 20),
            L("R12345678", 40, 257, 30),
            L("Enrollment Code 105", 520, 257, 22),
            L("RxBIN 610239", 520, 330, 22),
            L("RxPCN FEPRX", 520, 360, 22),
            L("RxGRP 65006500", 520, 390, 22),
            L("PPO", 880, 560, 40),
        ],
        {
            "payer_name": "BlueCross BlueShield",
            "plan_name": "Standard Option",
            "member_name": "ROBERT J KING",
            "member_id": "R12345678",
            "rx_bin": "610239",
            "rx_pcn": "FEPRX",
            "rx_group": "65006500",
            "plan_type": "PPO",
        },
    ),
    (
        "medicare_original",
        [
            L("MEDICARE HEALTH INSURANCE", 200, 30, 36),
            L("Name/Nombre", 40, 110, 18),
            L("JOHN L SMITH", 40, 132, 30),
            L("Medicare Number/Número de Medicare", 40, 190, 18),
            L("1EG4-TE5-MK73", 40, 212, 30),
            L("Entitled to/Con derecho a", 40, 280, 18),
            L("Coverage starts/Cobertura empieza", 520, 280, 18),
            L("HOSPITAL (PART A)", 40, 310, 24),
            L("03-01-2016", 520, 310, 24),
            L("MEDICAL (PART B)", 40, 345, 24),
            L("03-01-2016", 520, 345, 24),
        ],
        {
            "member_name": "JOHN L SMITH",
            "medicare_mbi": "1EG4TE5MK73",
            "medicare_part_a_date": "2016-03-01",
            "medicare_part_b_date": "2016-03-01",
        },
    ),
    (
        "humana_group",
        [
            L("Humana", 40, 30, 50),
            L("ChoiceCare Network PPO", 40, 100, 26),
            L("MEMBER NAME", 40, 150, 20),
            L("LISA M GREEN", 40, 172, 28),
            L("MEMBER ID: H87654321", 40, 220, 24),
            L("GROUP #: 765432", 40, 255, 24),
            L("Effective Date: 01/01/2026", 40, 290, 22),
            L("RxBIN: 610649", 600, 220, 22),
            L("RxPCN: 03191503", 600, 250, 22),
            L("RxGRP: RXH001", 600, 280, 22),
            L("PCP $30  SPEC $60  ER $350", 40, 360, 22),
        ],
        {
            "payer_name": "Humana",
            "plan_name": "ChoiceCare Network PPO",
            "member_name": "LISA M GREEN",
            "member_id": "H87654321",
            "group_number": "765432",
            "effective_date": "2026-01-01",
            "rx_bin": "610649",
            "rx_pcn": "03191503",
            "rx_group": "RXH001",
        },
    ),
    (
        "umr",
        [
            L("UMR", 40, 30, 50),
            L("BRIGHTWATER MANUFACTURING INC", 40, 95, 24),
            L("Member: JASON T REED", 40, 150, 24),
            L("Member ID: 12345678", 40, 185, 24),
            L("Group #: 76-412345", 40, 220, 24),
            L("Network: UnitedHealthcare Choice Plus", 40, 270, 22),
            L("Rx: OptumRx", 600, 150, 22),
            L("RxBIN 610279  RxPCN 9999", 600, 185, 22),
            L("RxGRP UMRRX", 600, 220, 22),
        ],
        {
            "payer_name": "UMR",
            "employer": "BRIGHTWATER MANUFACTURING INC",
            "member_name": "JASON T REED",
            "member_id": "12345678",
            "group_number": "76-412345",
            "pbm_name": "OptumRx",
            "rx_bin": "610279",
            "rx_pcn": "9999",
            "rx_group": "UMRRX",
        },
    ),
    (
        "caresource",
        [
            L("CareSource", 40, 30, 46),
            L("Member Name: MARIA LOPEZ", 40, 110, 24),
            L("Member ID #: 106123456789", 40, 145, 24),
            L("Medicaid ID #: 912345678901", 40, 180, 24),
            L("Effective Date: 10/01/2026", 40, 215, 22),
            L("PCP: SMITH FAMILY PRACTICE", 40, 260, 22),
            L("PCP Phone: 1-614-555-0133", 40, 295, 22),
            L("RxBIN: 004336", 600, 145, 22),
            L("RxPCN: MCAIDADV", 600, 175, 22),
            L("RxGRP: RX5479", 600, 205, 22),
            L("MEDICAID", 820, 560, 30),
        ],
        {
            "payer_name": "CareSource",
            "member_name": "MARIA LOPEZ",
            "member_id": "106123456789",
            "medicaid_id": "912345678901",
            "effective_date": "2026-10-01",
            "rx_bin": "004336",
            "rx_pcn": "MCAIDADV",
            "rx_group": "RX5479",
        },
    ),
    (
        "bcbs_ma_dep",
        [
            L("Blue Cross Blue Shield of Massachusetts", 40, 30, 30),
            L("HMO Blue New England", 40, 80, 26),
            L("Subscriber", 40, 135, 20),
            L("THOMAS A BAKER", 40, 157, 28),
            L("ID XXZ876543210", 40, 205, 26),
            L("Group 009876543", 520, 205, 26),
            L("Dependents", 40, 255, 20),
            L("EMMA BAKER", 40, 277, 24),
            L("NOAH BAKER", 40, 305, 24),
            L("Deductible $2,000", 600, 255, 22),
            L("PCP $25  SPEC $50", 600, 285, 22),
        ],
        {
            "payer_name": "Blue Cross Blue Shield of Massachusetts",
            "plan_name": "HMO Blue New England",
            "member_name": "THOMAS A BAKER",
            "member_id": "XXZ876543210",
            "group_number": "009876543",
            "deductible": "$2,000",
        },
    ),
]

BACKS: list[Side] = [
    (
        "uhc_back",
        [
            B("For Members:", 40, 30),
            B("www.myuhc.com", 300, 30),
            B("1-866-633-2446  TTY 711", 600, 30),
            B("For Providers:", 40, 70),
            B("www.uhcprovider.com", 300, 70),
            B("1-877-842-3210", 600, 70),
            B("Medical Claims: PO Box 30555, Salt Lake City, UT 84130-0555", 40, 110),
            B("Payer ID 87726", 40, 150),
            B("Pharmacy Claims: OptumRx PO Box 650334, Dallas, TX 75265-0334", 40, 190),
            B("For Pharmacists: 1-877-305-8952", 40, 230),
            B("Nurseline: 1-877-440-0253", 40, 270),
        ],
        {
            "phone_customer_service": "8666332446",
            "phone_provider": "8778423210",
            "payer_id": "87726",
            "phone_pharmacy": "8773058952",
        },
    ),
    (
        "aetna_back",
        [
            B("Member Services: 1-888-802-3862", 40, 30),
            B("Precertification: 1-888-802-3862", 40, 65),
            B("Pharmacy Help Desk: 1-888-792-3862", 40, 100),
            B("Mental Health: 1-888-802-3862", 40, 135),
            B("Send Claims to:", 40, 180),
            B("Aetna", 40, 205),
            B("PO Box 981106", 40, 230),
            B("El Paso, TX 79998-1106", 40, 255),
            B("Payer ID: 60054", 40, 300),
            B("Aetna.com", 40, 340),
        ],
        {
            "phone_customer_service": "8888023862",
            "phone_pharmacy": "8887923862",
            "payer_id": "60054",
            "claims_address": "Aetna, PO Box 981106, El Paso, TX 79998-1106",
        },
    ),
    (
        "bcbs_back",
        [
            B("Customer Service", 40, 30),
            B("1-800-521-2227", 300, 30),
            B("Provider Service", 40, 65),
            B("1-800-451-0287", 300, 65),
            B("Pharmacy Benefit Manager", 40, 100),
            B("1-800-423-1973", 300, 100),
            B("Blue Cross and Blue Shield of Texas", 40, 150),
            B("P.O. Box 660044", 40, 175),
            B("Dallas, TX 75266-0044", 40, 200),
            B("Prime Therapeutics", 40, 250),
        ],
        {
            "phone_customer_service": "8005212227",
            "phone_provider": "8004510287",
            "phone_pharmacy": "8004231973",
            "pbm_name": "Prime Therapeutics",
        },
    ),
    (
        "cigna_back",
        [
            B("Customer Service 1-800-244-6224", 40, 30),
            B("Cigna Behavioral Health 1-800-274-7603", 40, 65),
            B("Pharmacy Service 1-800-835-3784", 40, 100),
            B("Medical Claims: Cigna, PO Box 188061, Chattanooga, TN 37422-8061", 40, 140),
            B("Electronic Payer ID 62308", 40, 180),
            B("Rx Claims: Express Scripts", 40, 215),
            B("Administered by Cigna Health and Life Insurance Company", 40, 560, 18),
        ],
        {
            "phone_customer_service": "8002446224",
            "phone_pharmacy": "8008353784",
            "payer_id": "62308",
        },
    ),
    (
        "kaiser_back",
        [
            B("Member Services 1-800-464-4000 (TTY 711)", 40, 30),
            B("Advice Nurse 1-866-454-8855", 40, 65),
            B("If you are admitted to a non-plan hospital call 1-800-225-8883", 40, 100),
            B("Send claims to:", 40, 150),
            B("Kaiser Permanente", 40, 175),
            B("P.O. Box 12923", 40, 200),
            B("Oakland, CA 94604-2923", 40, 225),
            B("kp.org", 40, 280),
        ],
        {
            "phone_customer_service": "8004644000",
            "claims_address": "Kaiser Permanente, P.O. Box 12923, Oakland, CA 94604-2923",
        },
    ),
    (
        "humana_back",
        [
            B("Customer Service: 1-800-457-4708", 40, 30),
            B("Provider Services: 1-800-448-6262", 40, 65),
            B("Pharmacist Use Only: 1-800-865-8715", 40, 100),
            B("Medical Claims: Humana Claims Office", 40, 150),
            B("P.O. Box 14601", 40, 175),
            B("Lexington, KY 40512-4601", 40, 200),
            B("Payer ID 61101", 40, 250),
            B("Humana.com", 40, 290),
        ],
        {
            "phone_customer_service": "8004574708",
            "phone_provider": "8004486262",
            "phone_pharmacy": "8008658715",
            "payer_id": "61101",
        },
    ),
]


def _flat(value: Any) -> str:
    return "".join(ch for ch in str(value).upper() if ch.isalnum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="print every side's fields")
    args = parser.parse_args(argv)
    extractor = Extractor(line_model=load_line_model())
    right = total = 0
    for side, sides in (("front", FRONTS), ("back", BACKS)):
        for name, lines, want in sides:
            cands = extractor.extract(lines, 1012, 638, side=side).candidates
            got = {k: v.value for k, v in correction.finalize_side(cands, side).items()}
            for key, value in want.items():
                total += 1
                if key in got and _flat(got[key]) == _flat(value):
                    right += 1
                else:
                    print(f"{name:13s} {key:23s} want {value!r:45s} got {got.get(key)!r}")
            if args.all:
                print(name, got)
    print(f"{right}/{total} fields right")
    print("BENCH " + json.dumps({"bench": "cards_probes", "right": right, "fields": total}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
