"""Card vocabularies: field label anchors, benefit names, known payers and the BIN -> PBM table.

Labels are compared after ``norm_label`` (upper case, punctuation folded to spaces), so
"Member ID#:" and "MEMBER ID" are the same anchor. Longer labels win over their prefixes
("RxGrp" over "Grp", "Member ID" over "Member").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# field key -> printed label variants. A label may belong to one field only.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "member_id": (
        "ID",
        "ID #",
        "ID NO",
        "ID NUMBER",
        "MEMBER ID",
        "MEMBER #",
        "MEMBER NO",
        "MEMBER NUMBER",
        "MEMBER ID NUMBER",
        "MEMBER ID NO",
        "MBR ID",
        "MBR ID #",
        "MBR #",
        "SUBSCRIBER ID",
        "SUBSCRIBER #",
        "SUBSCRIBER NO",
        "SUBSCRIBER NUMBER",
        "IDENTIFICATION",
        "IDENTIFICATION #",
        "IDENTIFICATION NO",
        "IDENTIFICATION NUMBER",
        "ENROLLEE ID",
        "EMPLOYEE ID",
        "PARTICIPANT ID",
        "PARTICIPANT #",
        "UNIQUE ID",
        "MRN",
        "MEDICAL RECORD #",
        "MEDICAL RECORD NUMBER",
        "HEALTH MEDICAL RECORD #",
        "INSURED ID",
        "POLICY #",
        "POLICY NO",
        "POLICY NUMBER",
        "CERTIFICATE #",
        "CERT #",
        "PLAN MEMBER #",
        "PLAN MEMBER ID",
        "MEMBER ID #",
        "ID CARD #",
        "CARDHOLDER ID",
        "CARDHOLDER #",
        "ENROLLEE #",
        "INSURED #",
        "MEMBER IDENTIFICATION",
        "MEMBER IDENTIFICATION NUMBER",
        "SUBSCRIBER IDENTIFICATION",
        "CUSTOMER ID",
        "PATIENT ID",
    ),
    "member_name": (
        "MEMBER",
        "MEMBER NAME",
        "NAME",
        "ENROLLEE",
        "ENROLLEE NAME",
        "PATIENT",
        "BENEFICIARY",
        "BENEFICIARY NAME",
        "INSURED",
        "INSURED NAME",
        "CARDHOLDER",
        "CARDHOLDER NAME",
        "RECIPIENT",
        "RECIPIENT NAME",
        "NAME NOMBRE",
        "COVERED MEMBER",
        "MEMBER NAME NOMBRE",
        "EMPLOYEE",
        "EMPLOYEE NAME",
        "PARTICIPANT",
        "PARTICIPANT NAME",
        "COVERED PERSON",
    ),
    "subscriber_name": (
        "SUBSCRIBER",
        "SUBSCRIBER NAME",
        "POLICYHOLDER",
        "POLICY HOLDER",
        "PRIMARY SUBSCRIBER",
    ),
    "dependents": (
        "DEPENDENTS",
        "DEPENDENT",
        "DEPENDENT NAMES",
        "DEPENDENT NAME",
        "DEPS",
        "COVERED MEMBERS",
        "COVERED DEPENDENTS",
        "ENROLLED DEPENDENTS",
        "ELIGIBLE DEPENDENTS",
        "DEPENDENTS COVERED",
        "FAMILY MEMBERS",
        "COVERED FAMILY MEMBERS",
        "OTHER COVERED MEMBERS",
        "ALSO COVERED",
        "COVERED PERSONS",
        "ENROLLED MEMBERS",
    ),
    "group_number": (
        "GROUP",
        "GRP",
        "GRP #",
        "GRP NO",
        "GROUP #",
        "GROUP NO",
        "GROUP NUMBER",
        "GROUP ID",
        "GRP ID",
        "GROUP NBR",
        "GROUP CODE",
        "GRP CODE",
        "GROUP POLICY",
        "GROUP POLICY #",
        # "Group/Account", "Account No.": the employer's account with the plan is its group.
        "GROUP ACCOUNT",
        "GROUP ACCOUNT #",
        "GROUP ACCT",
        "ACCOUNT #",
        "ACCOUNT NUMBER",
        "ACCT #",
        "EMPLOYER GROUP",
        "EMPLOYER GROUP #",
        "EMPLOYER GROUP NUMBER",
        "EMPLOYER GRP",
        "EMP GROUP",
        # "Group/Plan #": one code for the employer's group and its plan. Not without the
        # number word: "ID Number  Group  Plan" is a row of column headers.
        "GROUP PLAN #",
        "GRP PLAN #",
    ),
    "employer": (
        "EMPLOYER",
        "EMPLOYER NAME",
        "GROUP NAME",
        "COMPANY",
        "SPONSOR",
        "PLAN SPONSOR",
        "EMPLOYER GROUP NAME",
        "ACCOUNT NAME",
        "SPONSORED BY",
        "COVERAGE SPONSORED BY",
        "PLAN SPONSORED BY",
        "OFFERED THROUGH",
        "COVERAGE OFFERED THROUGH",
        "RETIREE COVERAGE FROM",
    ),
    # "PLAN" is printed for both names and types; extraction decides by the value.
    "plan_name": ("PLAN", "PLAN NAME", "PRODUCT", "BENEFIT PLAN"),
    "plan_type": ("PLAN TYPE", "TYPE", "COVERAGE TYPE", "PRODUCT TYPE", "NETWORK"),
    "plan_number": (
        "PLAN #",
        "PLAN NO",
        "PLAN NUMBER",
        "PLAN ID",
        "PLAN CODE",
        "CONTRACT",
        "CONTRACT #",
        "CONTRACT NO",
        "BENEFIT PLAN ID",
        "CMS PLAN",
        "CMS PLAN #",
        "CMS PLAN ID",
        "PBP",
        "PBP #",
        "CONTRACT PBP",
        "CONTRACT ID",
        "CMS CONTRACT",
        "BENEFIT PLAN CODE",
    ),
    "rx_bin": ("RXBIN", "RX BIN", "BIN", "BIN #", "RX BIN #", "BIN NO"),
    "rx_pcn": ("RXPCN", "RX PCN", "PCN", "PCN #"),
    "rx_group": ("RXGRP", "RX GRP", "RXGROUP", "RX GROUP", "RX GRP #", "RXGRP #", "RX GROUP #"),
    "rx_id": ("RXID", "RX ID", "RX ID #", "RXID #", "RX MEMBER ID"),
    "rx_plan": ("RXPLAN", "RX PLAN", "RX PLAN #"),
    # The plan's administrator (a TPA on a self-funded plan) or insurer, named after a lead
    # ("Administered by", "Underwritten by"): the payer that takes the claims.
    "payer_name": (
        "ADMINISTERED BY",
        "CLAIMS ADMINISTERED BY",
        "PLAN ADMINISTERED BY",
        "BENEFITS ADMINISTERED BY",
        "CLAIMS ADMINISTRATOR",
        "PLAN ADMINISTRATOR",
        "THIRD PARTY ADMINISTRATOR",
        "UNDERWRITTEN BY",
    ),
    "pbm_name": (
        "PBM",
        "PHARMACY BENEFIT MANAGER",
        "PHARMACY BENEFITS MANAGER",
        "RX ADMINISTRATOR",
        "PHARMACY BENEFITS ADMINISTERED BY",
        "PHARMACY BENEFITS MANAGED BY",
        "PRESCRIPTION BENEFITS ADMINISTERED BY",
        "PRESCRIPTION DRUG BENEFITS ADMINISTERED BY",
        "PRESCRIPTIONS MANAGED BY",
        "RX BENEFITS ADMINISTERED BY",
        "PHARMACY BENEFITS BY",
    ),
    "issuer_id": ("ISSUER", "ISSUER ID", "ISSUER #", "ISSUER 80840", "ISSUER NUMBER"),
    "payer_id": (
        "PAYER ID",
        "PAYER #",
        "PAYOR ID",
        "EDI",
        "EDI #",
        "EDI PAYER ID",
        "CLAIMS PAYER ID",
        "ELECTRONIC PAYER ID",
    ),
    "effective_date": (
        "EFFECTIVE",
        "EFFECTIVE DATE",
        "EFF",
        "EFF DATE",
        "EFF DT",
        "COVERAGE DATE",
        "COVERAGE EFFECTIVE",
        "COVERAGE START",
        "START DATE",
        "ISSUE DATE",
        "ISSUED",
        "DATE ISSUED",
        "CARD ISSUED",
        "ELIGIBILITY DATE",
        "ELIGIBLE SINCE",
        "EFFECTIVE DT",
        "DATE EFFECTIVE",
        "EFFECTIVE FROM",
        "EFFECTIVE ON",
        "COVERAGE EFFECTIVE DATE",
        "COVERAGE EFF DATE",
        "COVERAGE START DATE",
        "COVERAGE BEGINS",
        "PLAN EFFECTIVE DATE",
        "ORIGINAL EFFECTIVE DATE",
        "ENROLLMENT DATE",
        "MEMBER SINCE",
        "ISSUE DT",
        "DATE OF ISSUE",
        "ISSUED ON",
    ),
    "copays": (
        "COPAY",
        "COPAYS",
        "CO PAY",
        "CO PAYS",
        "COPAYMENTS",
        "OFFICE COPAYS",
        "OFFICE VISIT COPAYS",
        "YOUR COPAYS",
        "COST SHARE",
    ),
    "deductible": (
        "DEDUCTIBLE",
        "DED",
        "DEDUCT",
        "IN NETWORK DEDUCTIBLE",
        "ANNUAL DEDUCTIBLE",
        "DEDUCTIBLE IND",
        "IND DEDUCTIBLE",
        "IND DED",
        "INDIVIDUAL DEDUCTIBLE",
    ),
    "phone_customer_service": (
        "CUSTOMER SERVICE",
        "MEMBER SERVICES",
        "MEMBER SERVICE",
        "MEMBERS",
        "FOR MEMBERS",
        "CUSTOMER CARE",
        "MEMBER CARE",
        "QUESTIONS",
        "QUESTIONS CALL",
        "CALL",
        "SERVICE",
    ),
    "phone_pharmacy": (
        "PHARMACY",
        "PHARMACY HELP DESK",
        "PHARMACIST",
        "PHARMACISTS",
        "FOR PHARMACISTS",
        "FOR PHARMACIES",
        "PHARMACY SERVICES",
        "RX HELP DESK",
        "PHARMACY HELPDESK",
        "PHARMACIST USE ONLY",
        "PHARMACISTS ONLY",
        "PHARMACY HELPLINE",
        "PHARMACY HELP LINE",
        "PHARMACIST HELP DESK",
        "PHARMACY CUSTOMER SERVICE",
        "PHARMACY MEMBER SERVICES",
        "PHARMACY QUESTIONS",
        "PHARMACY INQUIRIES",
        "PHARMACY PROVIDERS",
        "PHARMACY PROVIDER SERVICES",
        "PHARMACY BENEFIT QUESTIONS",
        "PHARMACY TECHNICAL HELP DESK",
        "RX CUSTOMER SERVICE",
        "RX MEMBER SERVICES",
        "RX SERVICES",
        "RX QUESTIONS",
        "RX HELPDESK",
        "PRESCRIPTION SERVICES",
        "PRESCRIPTION DRUG QUESTIONS",
    ),
    "phone_provider": (
        "PROVIDER",
        "PROVIDERS",
        "PROVIDER SERVICES",
        "PROVIDER SERVICE",
        "PROVIDER LINE",
        "PROVIDERS CALL",
        "FOR PROVIDERS",
        "PRECERTIFICATION",
        "PRIOR AUTHORIZATION",
    ),
    "claims_address": (
        "SEND CLAIMS TO",
        "MAIL CLAIMS TO",
        "SUBMIT CLAIMS TO",
        "CLAIMS ADDRESS",
        "MEDICAL CLAIMS",
        "CLAIMS MAILING ADDRESS",
        "FILE CLAIMS WITH",
    ),
    "medicare_mbi": (
        "MEDICARE NUMBER",
        "MEDICARE #",
        "MEDICARE ID",
        "MBI",
        "MEDICARE NUMBER NUMERO DE MEDICARE",
        "MEDICARE BENEFICIARY IDENTIFIER",
    ),
    "medicare_part_a_date": (
        "HOSPITAL PART A",
        "PART A",
        "PART A HOSPITAL",
        "HOSPITAL INSURANCE PART A",
        "PART A HOSPITAL INSURANCE",
        "MEDICARE PART A",
        "PART A EFFECTIVE",
        "PART A EFFECTIVE DATE",
        "PART A EFF DATE",
        "PART A DATE",
        "PARTE A",
        "HOSPITAL PARTE A",
    ),
    "medicare_part_b_date": (
        "MEDICAL PART B",
        "PART B",
        "PART B MEDICAL",
        "MEDICAL INSURANCE PART B",
        "PART B MEDICAL INSURANCE",
        "MEDICARE PART B",
        "PART B EFFECTIVE",
        "PART B EFFECTIVE DATE",
        "PART B EFF DATE",
        "PART B DATE",
        "PARTE B",
        "MEDICO PARTE B",
    ),
    "member_id_suffix": (
        "SFX",
        "SUFFIX",
        "SUFFIX #",
        "MEMBER SUFFIX",
        "MEMBER SFX",
        "MBR SFX",
        "ID SUFFIX",
        "DEPENDENT SUFFIX",
        # Pharmacy claims call the suffix the person code.
        "PERSON CODE",
        "PERSON #",
        "DEPENDENT #",
        "DEP #",
        "DEP",
    ),
    "medicaid_id": (
        "MEDICAID ID",
        "MEDICAID #",
        "MEDICAID NUMBER",
        "MEDICAID NO",
        "MEDICAID ID NUMBER",
        "RECIPIENT ID",
        "CLIENT ID",
        "CIN",
        "BENEFICIARY ID",
        "STATE MEDICAID ID",
        "STATE ID",
        "CIN #",
        "MEDICAID ID #",
        "MEDICAID MEMBER ID",
        "MEDICAID RECIPIENT ID",
        "MEDICAID BENEFICIARY ID",
        "MEDICAID CARD #",
        "RECIPIENT #",
        "RECIPIENT NO",
        "CLIENT #",
        "CLIENT NUMBER",
        "MEDICAL ASSISTANCE ID",
    ),
}

# Benefit names printed in copay blocks; canonical text is the printed abbreviation's expansion.
COPAY_BENEFITS: tuple[str, ...] = (
    "PCP",
    "PRIMARY CARE",
    "OFFICE VISIT",
    "OV",
    "SPECIALIST",
    "SPEC",
    "SPC",
    "ER",
    "EMERGENCY ROOM",
    "EMERGENCY",
    "URGENT CARE",
    "UC",
    "URGENT",
    "TELEHEALTH",
    "VIRTUAL VISIT",
    "HOSPITAL",
    "INPATIENT",
    "OUTPATIENT",
    "GENERIC",
    "BRAND",
    "RX",
    "CHIRO",
    "CHIROPRACTIC",
    "PREVENTIVE",
    "WELLNESS",
    "EXAM",
    "EYE EXAM",
    "MATERIALS",
    "LENSES",
    "FRAMES",
    "CONTACTS",
    "VISIT",
    "VIRTUAL",
    "PRIMARY",
)

PLAN_TYPES: tuple[str, ...] = (
    "PPO",
    "HMO",
    "EPO",
    "POS",
    "HDHP",
    "HSA",
    "HRA",
    "PFFS",
    "SNP",
    "MEDICARE ADVANTAGE",
    "MEDICAID",
    "DENTAL",
    "VISION",
    "INDEMNITY",
    "OPEN ACCESS",
    "HMO-POS",
    "DHMO",
    "DPPO",
)

# Words a plan-type badge may carry beside its type ("HMO Deductible", "PPO Network").
_TYPE_QUALIFIERS = frozenset({"DEDUCTIBLE", "NETWORK", "PLAN", "IN", "OUT", "OF", "TIER"})
_TYPE_WORDS = frozenset(w for t in PLAN_TYPES for w in t.split())


def names_a_plan(text: str) -> bool:
    """A plan type among brand or tier words ("Choice Plus PPO", "Silver 3500 EPO", "Open
    Access Plus") names the plan; a type badge is its type alone ("PPO", "HMO-POS")."""
    words = norm_label(text).replace("#", " ").split()
    return any(w in _TYPE_WORDS for w in words) and any(
        w not in _TYPE_WORDS and w not in _TYPE_QUALIFIERS for w in words
    )


# A type or programme glued to a brand word, as logos print them ("PPOBlue", "BlueHMO",
# "MedicaidManaged Care"): OCR reads no space.
_GLUED_TYPE = re.compile(
    r"\b(?:PPO|HMO|EPO|POS|DHMO|DPPO|Medicaid|Medicare)(?=[A-Z][a-z])"
    r"|(?<=[a-z])(?:PPO|HMO|EPO|POS)\b"
)


def plan_words(text: str) -> list[str]:
    """The normalised words of a plan line, a type or programme glued to a brand word set
    apart."""
    return norm_label(_GLUED_TYPE.sub(lambda m: f" {m.group(0)} ", text)).split()


# Words before "Plan" that make it a kind of coverage, an insurer or a phrase, not a plan's
# name ("Dental Plan", "Union Health Plan", "Your Plan").
_NOT_PLAN_NAME_WORDS = frozenset(
    [
        "HEALTH",
        "HEALTHCARE",
        "CARE",
        "MEDICAL",
        "DENTAL",
        "VISION",
        "DRUG",
        "PRESCRIPTION",
        "PHARMACY",
        "BENEFIT",
        "BENEFITS",
        "INSURANCE",
        "WELFARE",
        "RETIREMENT",
        "PENSION",
        "EMPLOYEE",
        "EMPLOYEES",
        "RETIREE",
        "GROUP",
        "MEDICARE",
        "MEDICAID",
        "ADVANTAGE",
        "STATE",
        "TRUST",
        "FUND",
        "YOUR",
        "THIS",
        "OUR",
        "THE",
        "MY",
        "A",
        "OF",
        "THAT",
    ]
)


def called_plan(text: str) -> bool:
    """A plan called by its name and the word Plan ("Base Plan", "Buy-Up Plan", "Gold 1500
    Plan"): no other line but a plan's name ends that way."""
    if ":" in text:
        return False
    words = norm_label(text).split()
    return (
        2 <= len(words) <= 4
        and words[-1] == "PLAN"
        and not set(words[:-1]) & _NOT_PLAN_NAME_WORDS
        and any(ch.isalpha() for w in words[:-1] for ch in w)
    )


_PHARMACY_STEMS = ("SCRIPT", "PHARM", "PILL")


def names_pharmacy(text: str) -> bool:
    """Named as a pharmacy brand: an "Rx" at the end ("MedAxis Rx", "OptumRx") or a
    "Script", "Pharm" or "Pill" word ("TruScripts", "Humana Pharmacy Solutions",
    "PillPath"). A health plan's own name never is."""
    words = norm_label(text).split()
    return bool(words) and (
        words[-1].endswith("RX") or any(s in w for w in words for s in _PHARMACY_STEMS)
    )


# The legal forms that end a company's name ("Delmont Plastics Inc", "Lewis & Reed LLP").
COMPANY_FORMS = frozenset(
    ["INC", "LLC", "CO", "CORP", "CORPORATION", "COMPANY", "LTD", "LP", "LLP", "PLLC", "PC"]
)


# US health, dental and vision payers as their cards print them; a line that names one of
# these (see ``extraction._known_payer``) printed large at the top of a card is its payer.
# State Medicaid programme names are left out: on a managed-care card they are the
# programme, not the plan that pays.
PAYER_NAMES: tuple[str, ...] = (
    "Aetna",
    "Anthem",
    "Blue Cross",
    "Blue Shield",
    "BlueCross BlueShield",
    "Blue Cross Blue Shield",
    "Cigna",
    "Humana",
    "Kaiser Permanente",
    "UnitedHealthcare",
    "United Healthcare",
    "Oscar",
    "Molina",
    "Centene",
    "Ambetter",
    "WellCare",
    "Highmark",
    "Florida Blue",
    "Premera",
    "Regence",
    "CareFirst",
    "Excellus",
    "Independence",
    "Harvard Pilgrim",
    "Tufts",
    "EmblemHealth",
    "Medical Mutual",
    "Priority Health",
    "HealthPartners",
    "Wellmark",
    "Delta Dental",
    "MetLife",
    "Guardian",
    "VSP",
    "EyeMed",
    "UMR",
    "Meritain",
    "Medicare",
    "Medicaid",
    # Regional, Medicaid managed-care, Medicare Advantage and exchange plans
    "Aetna Better Health",
    "UnitedHealthcare Community Plan",
    "AmeriHealth",
    "AmeriHealth Caritas",
    "Amerigroup",
    "Wellpoint",
    "CareSource",
    "Health Net",
    "Fidelis Care",
    "Healthfirst",
    "MVP Health Care",
    "Geisinger Health Plan",
    "SelectHealth",
    "Presbyterian Health Plan",
    "Sentara Health Plans",
    "Optima Health",
    "Point32Health",
    "ConnectiCare",
    "UPMC Health Plan",
    "Dean Health Plan",
    "Quartz",
    "Medica",
    "PreferredOne",
    "Baylor Scott & White Health Plan",
    "Simply Healthcare",
    "Sunshine Health",
    "Superior HealthPlan",
    "Buckeye Health Plan",
    "Peach State Health Plan",
    "Meridian",
    "Community Health Choice",
    "Texas Children's Health Plan",
    "L.A. Care Health Plan",
    "Sharp Health Plan",
    "SCAN Health Plan",
    "Alignment Health Plan",
    "Clover Health",
    "Devoted Health",
    "Capital Blue Cross",
    "Independence Blue Cross",
    "Blue Shield of California",
    "Molina Healthcare",
    "Oscar Health",
    "Cigna Healthcare",
    "GEHA",
    "Mutual of Omaha",
    "Tricare",
    "United Concordia",
    "DentaQuest",
    "Guardian Dental",
    "Humana Dental",
    "Davis Vision",
    "Superior Vision",
    "Avesis",
    "Allied Benefit Systems",
    "HealthSmart",
    "WebTPA",
    "Luminare Health",
)


def names_known_payer(text: str) -> bool:
    """Holds a known payer's name as whole words ("Cigna", "Aetna Choice POS II"): an
    insurer's or administrator's mark, never an employer's name."""
    words = f" {norm_label(text)} "
    return any(f" {norm_label(name)} " in words for name in PAYER_NAMES)


# Pharmacy benefit managers whose marks cards print on their own ("caremark" in a corner).
PBM_MARKS: tuple[str, ...] = (
    "Express Scripts",
    "CVS Caremark",
    "Caremark",
    "OptumRx",
    "Optum Rx",
    "Humana Pharmacy Solutions",
    "Prime Therapeutics",
    "MedImpact",
    "Navitus",
    "Elixir",
    "Capital Rx",
    "MagellanRx",
    "Envolve Pharmacy Solutions",
    "WellDyneRx",
    "SmithRx",
    "EmpiRx",
    "ProAct",
)

# States' names for their Medicaid and CHIP programmes, which managed-care cards print as the
# plan ("KanCare" under "Sunflower Health Plan"). One word, most of them, and no plan word:
# only the name itself says it is a plan. Public programme names (medicaid.gov, state sites).
# "Medicaid" itself heads the list: a managed-care plan's card prints it alone to say which
# of the plan's products (Medicaid, CHIP, Medicare, Marketplace) the member is in.
MEDICAID_PROGRAMS: tuple[str, ...] = (
    "Medicaid",
    "ALL Kids",
    "Denali KidCare",
    "AHCCCS",
    "KidsCare",
    "ARKids First",
    "ARHOME",
    "Medi-Cal",
    "Health First Colorado",
    "CHP+",
    "HUSKY",
    "HUSKY A",
    "HUSKY B",
    "HUSKY C",
    "HUSKY D",
    "HUSKY Health",
    "Diamond State Health Plan",
    "DC Healthy Families",
    "Florida KidCare",
    "MediKids",
    "PeachCare for Kids",
    "Georgia Families",
    "Med-QUEST",
    "QUEST Integration",
    "HealthChoice Illinois",
    "Hoosier Healthwise",
    "Hoosier Care Connect",
    "Healthy Indiana Plan",
    "IA Health Link",
    "Hawki",
    "KanCare",
    "KCHIP",
    "Healthy Louisiana",
    "LaCHIP",
    "MaineCare",
    "MassHealth",
    "Healthy Michigan Plan",
    "MIChild",
    "MinnesotaCare",
    "MississippiCAN",
    "MO HealthNet",
    "Healthy Montana Kids",
    "Heritage Health",
    "Nevada Check Up",
    "Granite Advantage",
    "NJ FamilyCare",
    "Centennial Care",
    "Turquoise Care",
    "Child Health Plus",
    "NC Health Choice",
    "SoonerCare",
    "Oregon Health Plan",
    "HealthChoices",
    "RIte Care",
    "Healthy Connections",
    "TennCare",
    "CoverKids",
    "STAR",
    "STAR+PLUS",
    "STAR Kids",
    "STAR Health",
    "Dr. Dynasaur",
    "Green Mountain Care",
    "Cardinal Care",
    "FAMIS",
    "Apple Health",
    "Mountain Health Trust",
    "WVCHIP",
    "BadgerCare Plus",
    "EqualityCare",
)


@lru_cache(maxsize=1)
def _medicaid_program_names() -> frozenset[str]:
    return frozenset(norm_label(p) for p in MEDICAID_PROGRAMS)


def names_medicaid_program(text: str) -> bool:
    """The line is a state's Medicaid or CHIP programme name, as printed."""
    return norm_label(text) in _medicaid_program_names()


# BINs printed on pharmacy blocks and the PBM that owns them (public processor BINs).
BIN_TO_PBM: dict[str, str] = {
    "003858": "Express Scripts",
    "610014": "Express Scripts",
    "400023": "Express Scripts",
    "004336": "CVS Caremark",
    "610591": "CVS Caremark",
    "012114": "CVS Caremark",
    "610502": "CVS Caremark",
    "610011": "OptumRx",
    "610097": "OptumRx",
    "610279": "OptumRx",
    "610494": "OptumRx",
    "015581": "Humana Pharmacy Solutions",
    "610649": "Humana Pharmacy Solutions",
    "011552": "Prime Therapeutics",
    "610455": "Prime Therapeutics",
    "003585": "MedImpact",
    "610602": "Navitus",
    "610241": "Elixir",
    "017010": "Express Scripts",
    "020099": "Capital Rx",
}

_PUNCT = re.compile(r"[^A-Z0-9#]+")


def norm_label(text: str) -> str:
    """Upper-case, strip accents, fold punctuation (except '#') to spaces, split off '#'."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    up = folded.upper().replace("#", " # ")
    return " ".join(_PUNCT.sub(" ", up).split())


# Cards abbreviate "number" every which way: "Group #", "Group No.", "GRP NBR", "Group Num".
NUMBER_WORDS: tuple[str, ...] = ("#", "NO", "NBR", "NUM", "NUMBER")


def _number_variants(label: str) -> list[str]:
    """A label ending in a number word (or in "ID") with every other way of printing it."""
    words = label.split()
    if len(words) >= 2 and words[-1] in NUMBER_WORDS:
        stem = words[:-1]
    elif len(words) >= 2 and words[-1] == "ID":
        stem = words
    else:
        return []
    return [" ".join([*stem, w]) for w in NUMBER_WORDS]


@lru_cache(maxsize=1)
def label_index() -> dict[str, str]:
    """Normalised label text -> field key.

    Printed labels come first; then each label ending in a number word gets the other
    number words ("GROUP #" -> "GROUP NBR"), unless that text is another field's label.
    """
    index: dict[str, str] = {}
    for key, labels in FIELD_LABELS.items():
        for label in labels:
            index[norm_label(label)] = key
    for key, labels in FIELD_LABELS.items():
        for label in labels:
            for variant in _number_variants(norm_label(label)):
                index.setdefault(variant, key)
    return index


@lru_cache(maxsize=1)
def label_tokens_sorted() -> tuple[tuple[tuple[str, ...], str], ...]:
    """Label token tuples, longest first, for greedy longest-match at a position."""
    items = [(tuple(label.split()), key) for label, key in label_index().items()]
    items.sort(key=lambda item: -len(item[0]))
    return tuple(items)


@lru_cache(maxsize=1)
def label_strings_sorted() -> tuple[tuple[str, str, str], ...]:
    """(label letters without spaces, field key, label) longest first, for glued OCR text."""
    items = [(label.replace(" ", ""), key, label) for label, key in label_index().items()]
    items.sort(key=lambda item: -len(item[0]))
    return tuple(items)


@lru_cache(maxsize=1)
def printed_label_strings() -> frozenset[str]:
    """Label letters of the labels as listed (no generated number-word variants): the set
    a blurred line is compared with, so "Medicare Honor" is no "Medicare No"."""
    return frozenset(
        norm_label(label).replace(" ", "") for labels in FIELD_LABELS.values() for label in labels
    )


@lru_cache(maxsize=1)
def benefit_tokens_sorted() -> tuple[tuple[str, ...], ...]:
    items = [tuple(norm_label(b).split()) for b in COPAY_BENEFITS]
    items.sort(key=lambda t: -len(t))
    return tuple(items)


def pbm_for_bin(rx_bin: str) -> str | None:
    return BIN_TO_PBM.get(rx_bin)
