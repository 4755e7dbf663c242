"""Per-field validators and repairs for card values read by OCR.

Each normaliser takes OCR text and returns the canonical value or ``None`` when the text cannot
be that field. Character confusions (O/0, I/1, S/5, B/8, ...) are repaired only where the
field's format says which class a position must be, and every change is reported as a
``Correction`` so the pipeline can record it in the field's provenance.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eligo.cards import spelling, vocab

# Letters OCR confuses with digits, and back.
TO_DIGIT: dict[str, str] = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "|": "1",
    "!": "1",
    "T": "7",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
    "A": "4",
}
TO_ALPHA: dict[str, str] = {
    "0": "O",
    "1": "I",
    "5": "S",
    "8": "B",
    "2": "Z",
    "6": "G",
    "4": "A",
    "7": "T",
}

# MBI letters exclude S, L, O, I, B, Z (CMS MBI format specification).
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
# Position classes: C = 1-9, A = MBI letter, N = 0-9, X = MBI letter or digit.
MBI_PATTERN = "CAXNAXNAANN"
# Where an excluded letter shows up in a letter slot, the look-alike letter that is allowed.
MBI_LETTER_FIX: dict[str, str] = {"O": "D", "I": "J", "S": "C", "L": "E", "B": "P", "Z": "Y"}


@dataclass(frozen=True, slots=True)
class Correction:
    """One change made to a field value, kept in provenance."""

    kind: str
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return {"step": "correct", "kind": self.kind, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class Normalized:
    value: str
    corrections: tuple[Correction, ...] = ()


def compact(text: str) -> str:
    """Drop spaces and separator punctuation that cards print inside ids."""
    return re.sub(r"[\s\-–.·:]+", "", text)


def _to_digits(text: str) -> str:
    return "".join(TO_DIGIT.get(ch, ch) for ch in text.upper())


# --- RxBIN ---------------------------------------------------------------------------------


def normalize_bin(text: str) -> Normalized | None:
    """RxBIN (IIN): exactly 6 digits."""
    raw = compact(text).upper()
    fixed = _to_digits(raw)
    if not re.fullmatch(r"\d{6}", fixed):
        return None
    fixes = (Correction("bin_digits", raw, fixed),) if fixed != raw else ()
    return Normalized(fixed, fixes)


# --- phone numbers -------------------------------------------------------------------------


PHONE_CANDIDATE = re.compile(
    r"(?<![\dA-Z])(?:1[\s.\-]?)?\(?[\dOIlSB]{3}\)?[\s.\-]?[\dOIlSB]{3}[\s.\-]?[\dOIlSB]{4}(?![\d])"
)


def format_phone(digits10: str) -> str:
    return f"{digits10[0:3]}-{digits10[3:6]}-{digits10[6:10]}"


def normalize_phone(text: str) -> Normalized | None:
    """A NANP number (area and exchange codes start 2-9), formatted ``NXX-NXX-XXXX``.

    Vanity letters are not converted: cards print the digits next to them.
    """
    raw = text.strip()
    body = re.sub(r"(?i)\b(?:ext|x)\.?\s*\d+\s*$", "", raw)
    chars = [TO_DIGIT.get(ch.upper(), ch) if ch in "OoIlSB|" else ch for ch in body]
    digits = "".join(ch for ch in chars if ch.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    out = format_phone(digits)
    plain = "".join(ch for ch in body if ch.isdigit())
    fixes = (Correction("phone_chars", raw, out),) if plain not in (digits, "1" + digits) else ()
    return Normalized(out, fixes)


def find_phones(text: str) -> list[tuple[int, str]]:
    """All phone numbers in a text, as (start offset, canonical number)."""
    return [(start, number) for start, _end, number in phone_spans(text)]


def phone_spans(text: str) -> list[tuple[int, int, str]]:
    """All phone numbers in a text, as (start, end offset, canonical number)."""
    found: list[tuple[int, int, str]] = []
    for match in PHONE_CANDIDATE.finditer(text):
        norm = normalize_phone(match.group(0))
        if norm is not None:
            found.append((match.start(), match.end(), norm.value))
    return found


# --- dates ---------------------------------------------------------------------------------

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("JAN", "JANUARY"),
            ("FEB", "FEBRUARY"),
            ("MAR", "MARCH"),
            ("APR", "APRIL"),
            ("MAY",),
            ("JUN", "JUNE"),
            ("JUL", "JULY"),
            ("AUG", "AUGUST"),
            ("SEP", "SEPT", "SEPTEMBER"),
            ("OCT", "OCTOBER"),
            ("NOV", "NOVEMBER"),
            ("DEC", "DECEMBER"),
        ),
        start=1,
    )
    for name in names
}
_NUM_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4}|\d{2})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?!\d)")
_MONTH_YEAR = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-]\s*(\d{4})(?!\d)")
_TEXT_DATE = re.compile(r"\b([A-Z]{3,9})\.?\s+(\d{1,2})(?:ST|ND|RD|TH)?,?\s+(\d{4})\b")
_DAY_TEXT_DATE = re.compile(r"\b(\d{1,2})\s+([A-Z]{3,9})\.?,?\s+(\d{4})\b")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def normalize_date(text: str) -> Normalized | None:
    """A date as ISO ``YYYY-MM-DD``; US month-first order; ``MM/YYYY`` means the 1st."""
    raw = text.strip()
    up = raw.upper()
    # Digits misread as letters inside a numeric date ("O1/0I/2025").
    fixed = re.sub(
        r"[\dOIlS|]+(?:\s*[/\-.]\s*[\dOIlS|]+){1,2}",
        lambda m: "".join(TO_DIGIT.get(c, c) if c in "OISL|" else c for c in m.group(0).upper()),
        up,
    )
    fixes: tuple[Correction, ...] = ()
    if fixed != up:
        fixes = (Correction("date_digits", raw, fixed),)
    for pattern, order in ((_ISO_DATE, "ymd"), (_NUM_DATE, "mdy")):
        m = pattern.search(fixed)
        if m:
            a, b, c = m.groups()
            iso = _iso(int(a), int(b), int(c)) if order == "ymd" else _iso(_year(c), int(a), int(b))
            if iso:
                return Normalized(iso, fixes)
    m = _TEXT_DATE.search(fixed)
    if m and m.group(1) in _MONTHS:
        iso = _iso(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
        if iso:
            return Normalized(iso, fixes)
    m = _DAY_TEXT_DATE.search(fixed)
    if m and m.group(2) in _MONTHS:
        iso = _iso(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
        if iso:
            return Normalized(iso, fixes)
    m = _MONTH_YEAR.search(fixed)
    if m:
        iso = _iso(int(m.group(2)), int(m.group(1)), 1)
        if iso:
            return Normalized(iso, fixes)
    return None


# --- Medicare MBI --------------------------------------------------------------------------


def _mbi_char(ch: str, cls: str) -> str | None:
    if cls == "C":
        ch = TO_DIGIT.get(ch, ch)
        return ch if ch in "123456789" else None
    if cls == "N":
        ch = TO_DIGIT.get(ch, ch)
        return ch if ch.isdigit() else None
    if cls == "A":
        ch = TO_ALPHA.get(ch, ch)
        ch = MBI_LETTER_FIX.get(ch, ch)
        return ch if ch in MBI_LETTERS else None
    # X: letter or digit; an excluded letter is most likely its digit look-alike.
    if ch.isdigit() or ch in MBI_LETTERS:
        return ch
    fixed = TO_DIGIT.get(ch)
    return fixed if fixed is not None and fixed.isdigit() else None


def is_valid_mbi(text: str) -> bool:
    return len(text) == 11 and all(
        _mbi_char(ch, cls) == ch for ch, cls in zip(text, MBI_PATTERN, strict=True)
    )


def normalize_mbi(text: str) -> Normalized | None:
    """A Medicare Beneficiary Identifier: 11 characters, position rules ``CAXNAXNAANN``.

    Letter slots must mostly hold letters already (at most one digit look-alike is
    repaired), so an 11-digit number is not turned into an MBI.
    """
    raw = compact(text).upper()
    if len(raw) != 11:
        return None
    letter_slots = [raw[i] for i, cls in enumerate(MBI_PATTERN) if cls == "A"]
    if sum(ch.isdigit() for ch in letter_slots) > 1:
        return None
    out = []
    for ch, cls in zip(raw, MBI_PATTERN, strict=True):
        fixed = _mbi_char(ch, cls)
        if fixed is None:
            return None
        out.append(fixed)
    value = "".join(out)
    fixes = (Correction("mbi_chars", raw, value),) if value != raw else ()
    return Normalized(value, fixes)


def format_mbi(value: str) -> str:
    """The printed form with dashes (``1EG4-TE5-MK73``)."""
    return f"{value[:4]}-{value[4:7]}-{value[7:]}"


# --- ids and codes -------------------------------------------------------------------------


# Marks OCR reads out of specks and label punctuation before an id ("ID$ W664537462").
_STRAY_MARKS = "$=~_'\"`^*+<>()[]{},;:.#"


def _drop_stray_marks(text: str) -> str:
    """Strip a leading or trailing token made only of marks; ids never begin or end in one."""
    tokens = text.split()
    while len(tokens) > 1 and all(ch in _STRAY_MARKS for ch in tokens[0]):
        tokens.pop(0)
    while len(tokens) > 1 and all(ch in _STRAY_MARKS for ch in tokens[-1]):
        tokens.pop()
    return " ".join(tokens)


# Letters OCR reads for a digit inside an id. Not A, T or U: OCR seldom takes a 4, 7 or 0
# for them, and issuers do print them inside ids (Anthem's "YRK123A45678"). A field of
# digits only (RxBIN) still reads them as digits (TO_DIGIT).
_ID_BODY_DIGIT = {ch: d for ch, d in TO_DIGIT.items() if ch not in "ATU"}


def repair_id(text: str, *, body_digits: bool = True) -> Normalized | None:
    """A member/group/Rx id as printed, without spaces (dashes kept).

    In a numeric body (after a prefix of up to three letters), a letter OCR confuses with a
    digit and flanked by digits is read as that digit; ids with several letters, or with a
    letter no digit looks like ("8A9521M9"), are alphanumeric by design and left alone.
    Without ``body_digits`` no letter is changed: a code printed with letters and digits
    mixed by design (an Rx group, as a PCN).
    """
    printed = re.sub(r"\s+", "", _drop_stray_marks(text)).strip("#:*.,;")
    raw = printed.upper()
    if len(raw) < 3 or not re.fullmatch(r"[A-Z0-9|\-/]+", raw):
        return None
    raw_fixed = _edge_digits(printed, raw)
    m = re.match(r"([A-Z]{0,3})(.*)", raw_fixed)
    assert m is not None
    prefix, body = m.group(1), m.group(2).replace("|", "1")
    letters_in_body = [i for i, ch in enumerate(body) if ch.isalpha()]
    alphanumeric = any(body[i] not in _ID_BODY_DIGIT for i in letters_in_body)
    if body_digits and len(body) >= 5 and 0 < len(letters_in_body) <= 2 and not alphanumeric:
        chars = list(body)
        for i in letters_in_body:
            left = chars[i - 1] if i > 0 else ""
            right = chars[i + 1] if i + 1 < len(chars) else ""
            if chars[i] in _ID_BODY_DIGIT and left.isdigit() and right.isdigit():
                chars[i] = _ID_BODY_DIGIT[chars[i]]
        body = "".join(chars)
    value = prefix + body
    fixes = (Correction("id_digits", raw, value),) if value != raw else ()
    return Normalized(value, fixes)


# Letters that are digits in all but shape at the end of a run of digits: capital O and I,
# and lower-case o and l (ids print no lower case).
_EDGE_DIGIT = {"O": "0", "o": "0", "I": "1", "l": "1"}


def _edge_digits(printed: str, raw: str) -> str:
    """An all-digit id read with its first or last digit as a letter that looks the same
    ("O078451", "007845l"): that digit. Issuers leave O and I out of ids for this reason."""
    if len(raw) < 5:
        return raw
    for i in (0, len(raw) - 1):
        rest = raw[1:] if i == 0 else raw[:-1]
        if printed[i] in _EDGE_DIGIT and rest.isdigit():
            return raw[:i] + _EDGE_DIGIT[printed[i]] + raw[i + 1 :]
    return raw


# A word after an id's first token with lower-case letters ("W123456789 Sfk 01"): ids print
# no lower case, so it is the next field's label, misread past the label list.
_LOWER_WORD_AFTER = re.compile(r"\s+(?=[A-Za-z]*[a-z][A-Za-z]*(?:\s|$))")


def normalize_rx_group(text: str) -> Normalized | None:
    """An Rx group as printed: PBMs mix letters and digits in it by design ("RX12B4S7"), so
    no letter is read as a digit, as in a PCN."""
    return repair_id(text, body_digits=False)


def normalize_number_id(text: str) -> Normalized | None:
    """Member, group and similar ids: as ``repair_id`` and holding at least one digit, up to
    a word in lower case."""
    text = text.strip()
    m = _LOWER_WORD_AFTER.search(text)
    if m is not None and len(text[m.end() :].split()[0]) >= 2:
        text = text[: m.start()]
    out = repair_id(text)
    if out is None or not re.search(r"\d", out.value) or "/" in out.value:
        return None
    if any(len(w) >= 4 and w.isalpha() and w in _label_words() for w in text.upper().split()):
        return None  # a card word beside a code ("Plan 45512") is a label, not id letters
    return out


def normalize_group(text: str) -> Normalized | None:
    """A group number: an id with digits, or a code printed in capitals only ("HESCPE").

    A letters-only value must be one upper-case token of 4-10 letters that is no card word
    ("EMPLOYER", "PPO"): group codes are printed that way, label words are not codes.
    """
    return _id_or_capitals(text, r"[A-Z]{4,10}")


def normalize_rx_id(text: str) -> Normalized | None:
    """A pharmacy member id: an id with digits, or one code of 6-12 capitals that is no card
    word. PBMs issue random letters-and-digits ids, so some hold no digit ("KLGRPEUXR"); a
    label names it, the way a letters-only group code is named. An O or I may be a 0 or 1
    read as a letter ("VKUCEWOWQ"): such a code is left to the re-read."""
    return _id_or_capitals(text, r"[A-HJ-NP-Z]{6,12}")


def _id_or_capitals(text: str, capitals: str) -> Normalized | None:
    """An id with digits, else one token of capitals matching ``capitals`` that is no card
    word (a label word beside a code is a label, not the code)."""
    out = normalize_number_id(text)
    if out is not None:
        return out
    token = _drop_stray_marks(text).strip(" #:.")
    if not re.fullmatch(capitals, token) or token in NOT_NAME_WORDS or token in _label_words():
        return None
    return Normalized(token)


@lru_cache(maxsize=1)
def _label_words() -> frozenset[str]:
    return frozenset(w for label in vocab.label_index() for w in label.split())


def normalize_suffix(text: str) -> Normalized | None:
    """A member id suffix: one to three characters ("01", "2", "A1"); O/I read in a
    number are its digits."""
    raw = compact(_drop_stray_marks(text)).upper().strip("#")
    if not re.fullmatch(r"[A-Z0-9]{1,3}", raw):
        return None
    fixed = raw
    if any(ch.isdigit() for ch in raw) and all(ch.isdigit() or ch in "OQDIL" for ch in raw):
        fixed = _to_digits(raw)
    fixes = (Correction("suffix_digits", raw, fixed),) if fixed != raw else ()
    return Normalized(fixed, fixes)


def normalize_pcn(text: str) -> Normalized | None:
    raw = re.sub(r"\s+", "", text).upper()
    if not re.fullmatch(r"[A-Z0-9]{2,10}", raw):
        return None
    return Normalized(raw)


def normalize_issuer(text: str) -> Normalized | None:
    """Health-plan issuer id: 80840 followed by a 10-digit id (the prefix may be a label).

    OCR sometimes swallows the ``0)`` closing a printed ``(80840)``: 8084 followed by ten
    digits is read as that.
    """
    raw = re.sub(r"[\s\-()]+", "", text).upper()
    digits = _to_digits(raw)
    if not digits.isdigit():
        return None
    if len(digits) == 10:
        fixed = "80840" + digits
    elif len(digits) == 15 and digits.startswith("80840"):
        fixed = digits
    elif len(digits) == 14 and digits.startswith("8084"):
        fixed = "80840" + digits[-10:]
    else:
        return None
    fixes = (Correction("issuer_digits", raw, fixed),) if fixed != raw else ()
    return Normalized(fixed, fixes)


_AMOUNT = re.compile(r"\$\s*([\dOSIl,]+(?:\.\d{2})?)")
_POINT_FOR_COMMA = re.compile(r"(\d)\.(\d{3})(?!\d)")


def repair_printed_amount(text: str) -> str:
    """A copay amount as printed, with letters OCR read for digits repaired ("$o" -> "$0");
    the amount pattern only admits letters that look like digits."""
    return _to_digits(text)


def normalize_amount(text: str) -> Normalized | None:
    """A dollar amount printed as ``$1,500`` -> ``$1,500`` (digits repaired).

    A point before three digits is a comma blur thinned ("$5.000"): cents are two digits.
    """
    fixes: tuple[Correction, ...] = ()
    comma = _POINT_FOR_COMMA.sub(r"\1,\2", text)
    if comma != text:
        fixes = (Correction("thousands_separator", text, comma),)
        text = comma
    m = _AMOUNT.search(text)
    if not m:
        m2 = re.fullmatch(r"\s*(\d[\d,]*(?:\.\d{2})?)\s*", text)
        if not m2:
            return None
        number = m2.group(1)
    else:
        number = m.group(1)
    fixed = _to_digits(number.upper().replace(",", ""))
    if not re.fullmatch(r"\d+(?:\.\d{2})?", fixed):
        return None
    whole, _, cents = fixed.partition(".")
    out = f"${int(whole):,}" + (f".{cents}" if cents and cents != "00" else "")
    return Normalized(out, fixes)


NOT_NAME_WORDS = frozenset(
    {
        "HEALTH",
        "PLAN",
        "PLANS",
        "BENEFIT",
        "BENEFITS",
        "INSURANCE",
        "SERVICES",
        "MEDICAL",
        "DENTAL",
        "VISION",
        "GROUP",
        "NUMBER",
        "MEMBER",
        "CARD",
        "COVERAGE",
        "PHARMACY",
        "NETWORK",
        "DEDUCTIBLE",
        "COPAY",
        "COPAYS",
        "CLAIMS",
        "PROVIDER",
        "PAYER",
        "ADMINISTRATORS",
        "TPA",
        "RX",
        # Card lines beside the name: "Date of Birth", "DOB", "Card Issued", "Expires".
        "BIRTH",
        "DOB",
        "ISSUED",
        "EFFECTIVE",
        "EXPIRES",
        "GENDER",
        *(w for t in vocab.PLAN_TYPES for w in t.split()),
    }
)


# OCR reads a middle initial O ("ALAN 0 PEREZ") and O'Brien's O ("0'BRIEN") as a zero.
_ZERO_FOR_O = re.compile(r"(?<=[A-Za-z.] )0(?=\.? [A-Za-z])|(?<![\w'])0(?='[A-Za-z]{2})")


def normalize_name(text: str) -> Normalized | None:
    """A person's name as printed; text with plan/insurance words is not a name. A zero
    where an O stands alone or before an apostrophe is that letter."""
    lettered = _ZERO_FOR_O.sub("O", text)
    fixes = (Correction("name_letters", text, lettered),) if lettered != text else ()
    text = lettered
    if re.search(r"\d", text):
        return None
    cleaned = " ".join(re.sub(r"[^A-Za-z'\-., ]+", " ", text).split())
    if len(cleaned) < 2 or not re.search(r"[A-Za-z]{2}", cleaned):
        return None
    # OCR drops the narrow space around a middle initial: "RuthO.Harrison", "Mary K.Smith".
    cleaned = re.sub(r"(?<=[a-z])(?=[A-Z]\.)|(?<=[A-Z]{2})(?=[A-Z]\.\s?[A-Z]{2})", " ", cleaned)
    cleaned = re.sub(r"(?<=\b[A-Z]\.)(?=[A-Z][a-z]|[A-Z]{2})", " ", cleaned)
    if " " not in cleaned:
        # One word is no full name: OCR glued "Aaron Carter" into "AaronCarter". Inside a
        # name of two or more words "McDonald" and "DeShawn" keep their capitals.
        cleaned = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", " ", cleaned)
    if set(vocab.norm_label(cleaned).split()) & NOT_NAME_WORDS:
        return None
    return Normalized(cleaned, fixes)


# How a dependent is related, printed beside the name ("JANE DOE (Spouse)", "02 - Child").
RELATION_WORDS = r"SPOUSE|CHILD|SON|DAUGHTER|DEPENDENT|DEP|DOMESTIC PARTNER|PARTNER|SELF"


def _dependent_name(text: str) -> str:
    """A dependent's name without the suffix number or relation printed beside it."""
    name = re.sub(r"^\s*\d{1,3}\s*[-.:)]?\s+", "", text)
    name = re.sub(r"\s+[-:]?\s*\d{1,3}\s*$", "", name)
    name = re.sub(r"\s*\([^)]*\)\s*$", "", name)
    name = re.sub(r"(?i)\s*[-,/]?\s*\b(?:" + RELATION_WORDS + r")\s*$", "", name)
    return name.strip() or text


def split_names(text: str) -> list[str]:
    """Names listed on one line ("Sara Coleman, Tom Coleman; Ann Lee"), each of two words
    or more; a "Last, First" name (one word before the comma) stays whole."""
    parts = [p.strip() for p in re.split(r"[,;]", text)]
    if len(parts) > 1 and all(len(p.split()) >= 2 for p in parts):
        return parts
    return [text]


def normalize_text(text: str) -> Normalized | None:
    cleaned = " ".join(text.strip(" :#*").split())
    # In Title Case text a word-initial lower-case l is a capital I ("lowa" -> "Iowa").
    # ... and a word-initial zero a capital O ("0pen Access Plus" -> "Open").
    if sum(w[:1].isupper() for w in cleaned.split()) >= 2:
        cleaned = re.sub(r"\bl(?=[a-z]{2})", "I", cleaned)
        cleaned = re.sub(r"\b0(?=[a-z]{2})", "O", cleaned)
    return Normalized(cleaned) if cleaned else None


# A name read out of fine print starts like a sentence's object, not like a company.
_FINE_PRINT_NAME = re.compile(r"(?:your|our|this|these|that|any)\b", re.IGNORECASE)


def normalize_org(text: str) -> Normalized | None:
    """The name of a payer, PBM, employer or plan: words, not a phone number or an id
    ("Pharmacy Benefit Manager  1-800-423-1973" gives the PBM no name)."""
    norm = normalize_text(text)
    if norm is None or _FINE_PRINT_NAME.match(norm.value):
        return None  # "Coverage offered through your employer or union."
    letters = sum(ch.isalpha() for ch in norm.value)
    digits = sum(ch.isdigit() for ch in norm.value)
    return norm if letters >= 2 and digits <= letters else None


# Words every card prints around its payer's name: a line of them only is a card's title
# ("Health Insurance" beside a blurred "Medicare") or its programme ("Medicaid Managed
# Care"), no payer.
_TITLE_WORDS = frozenset(
    {"HEALTH", "INSURANCE", "CARD", "MEDICAL", "CARE", "PLAN", "BENEFIT", "BENEFITS"}
    | {"MEMBER", "ID", "IDENTIFICATION", "COVERAGE", "OF", "AND", "THE"}
    | {"MEDICAID", "MANAGED"}
)


def names_programme_plan(text: str) -> bool:
    """A plan line that is a Medicaid programme's name ("STAR", "MassHealth"), or Medicaid
    and title words only ("Medicaid Managed Care"): its form says what it is, as a company's
    form says an employer's (a tagline, "A Medicaid Managed Care Plan", is neither)."""
    words = _upper_words(text)
    return vocab.names_medicaid_program(text) or ("MEDICAID" in words and words <= _TITLE_WORDS)


def _upper_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Z]+", text.upper()))


def normalize_payer(text: str) -> Normalized | None:
    """A payer's name (as ``normalize_org``), not words any card's title is made of."""
    norm = normalize_org(text)
    if norm is None or _upper_words(norm.value) <= _TITLE_WORDS:
        return None
    return norm


# "Gold1500", "Platinum70 EPO": OCR lost the space between a tier word and its number.
_WORD_NUMBER_GLUED = re.compile(r"\b([A-Za-z][a-z]{3,}|[A-Z]{4,})(\d{2,})\b")


# "MedicaidManaged Care": OCR lost the space after the programme's name. Not "Medicare",
# which brands glue on purpose ("MedicareBlue Rx").
_MEDICAID_GLUED = re.compile(r"\bMedicaid(?=[A-Z][a-z])")


def normalize_plan_name(text: str) -> Normalized | None:
    """A plan's name (``normalize_org``), with a tier's number set off from its word and
    "Medicaid" from the word OCR glued to it."""
    norm = normalize_org(text)
    if norm is None:
        return None
    value, fixes = norm.value, list(norm.corrections)
    for name, glued, spaced in (
        ("word_number_space", _WORD_NUMBER_GLUED, r"\1 \2"),
        ("programme_space", _MEDICAID_GLUED, "Medicaid "),
    ):
        fixed = glued.sub(spaced, value)
        if fixed != value:
            fixes.append(Correction(name, value, fixed))
            value = fixed
    return Normalized(value, tuple(fixes))


US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "PR",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
)


def _state_code(m: re.Match[str]) -> str:
    code = m.group(1)
    fixed = "".join(TO_ALPHA.get(ch, ch) for ch in code)
    return fixed if code != fixed and fixed in US_STATES else code


# "PO Box" as OCR reads it: "P.O. Box", "P0 BOX", "PO Bax" (blur), glued to its number
# ("PO Box7013").
PO_BOX = re.compile(r"\bP\.?\s?[0O]\.?\s?B[0OA]X(?=\d|\b)", re.IGNORECASE)


# The city: the words after the last comma (or the start) before ", ST 12345".
_CITY_BEFORE_STATE = re.compile(r"[^,]+(?=, [A-Z]{2} \d{5}(?:-\d{4})?$)")


def _space_glued_city(city: str) -> str:
    """A two-word city OCR glued ("FortWorth", "DesMoines"); names that keep an inner
    capital start with a short prefix ("McAllen", "DeKalb", "LaGrange", "MacArthur")."""
    words = []
    for word in city.split(" "):
        parts = re.split(r"(?<=[a-z])(?=[A-Z])", word)
        glued = len(parts) > 1 and parts[0] != "Mac"
        if glued and all(re.fullmatch(r"[A-Z][a-z]{2,}", p) for p in parts):
            word = " ".join(parts)
        words.append(word)
    return " ".join(words)


def normalize_address(text: str) -> Normalized | None:
    """Address lines joined by ', '; OCR drops the space after a comma ('Dallas,TX')."""
    cleaned = re.sub(r"\s*,\s*", ", ", " ".join(text.split())).strip(" ,:")
    # A capital O read as zero at the start of a word ("0maha", "P0 Box").
    cleaned = re.sub(r"\b0(?=[a-z]{2})", "O", cleaned)
    cleaned = PO_BOX.sub("PO Box", cleaned)
    cleaned = re.sub(r"\bPO Box(?=\d)", "PO Box ", cleaned)  # "PO Box7013"
    # State and ZIP glued together ("AZ85072"); a dangling ZIP+4 dash.
    cleaned = re.sub(r"\b([A-Z]{2})(\d{5})\b", r"\1 \2", cleaned).rstrip("-")
    # The comma before the state read as a period ("Albany. NY 12201"); a state code read
    # as digits ("Des Moines, 14 50306" for IA), repaired only into a real state code.
    cleaned = re.sub(r"(?<=[a-z])\.\s+(?=[A-Z]{2}\s+\d{5}(?:-\d{4})?$)", ", ", cleaned)
    cleaned = re.sub(r"(?<=, )([A-Z0-9]{2})(?=\s+\d{5}(?:-\d{4})?$)", _state_code, cleaned)
    cleaned = _CITY_BEFORE_STATE.sub(lambda m: _space_glued_city(m.group(0)), cleaned)
    if not re.search(r"\d", cleaned):
        return None
    return Normalized(cleaned)


# field -> normaliser; fields not listed use normalize_text.
NORMALIZERS: dict[str, Callable[[str], Normalized | None]] = {
    "rx_bin": normalize_bin,
    "rx_pcn": normalize_pcn,
    "member_id": normalize_number_id,
    "member_id_suffix": normalize_suffix,
    "group_number": normalize_group,
    "rx_group": normalize_rx_group,
    "rx_id": normalize_rx_id,
    "rx_plan": normalize_text,
    "plan_number": normalize_number_id,
    "payer_id": normalize_number_id,
    "medicaid_id": normalize_number_id,
    "issuer_id": normalize_issuer,
    "medicare_mbi": normalize_mbi,
    "effective_date": normalize_date,
    "medicare_part_a_date": normalize_date,
    "medicare_part_b_date": normalize_date,
    "phone_customer_service": normalize_phone,
    "phone_pharmacy": normalize_phone,
    "phone_provider": normalize_phone,
    "member_name": normalize_name,
    "subscriber_name": normalize_name,
    "deductible": normalize_amount,
    "claims_address": normalize_address,
    "payer_name": normalize_payer,
    "pbm_name": normalize_org,
    "employer": normalize_org,
    "plan_name": normalize_plan_name,
}


def normalize_field(key: str, text: str) -> Normalized | None:
    return NORMALIZERS.get(key, normalize_text)(text)


def pbm_from_bin(rx_bin: str) -> str | None:
    return vocab.pbm_for_bin(rx_bin)


# --- candidates -> fields ------------------------------------------------------------------

Reread = Callable[[Any], list[tuple[str, float, str]]]

# Re-read a field's crop when its OCR score is below this.
REREAD_BELOW = 0.9
NAME_FIELDS = frozenset({"member_name", "subscriber_name"})
GENERIC_ID_LABELS = frozenset(
    {
        "ID",
        "ID #",
        "ID NO",
        "ID NUMBER",
        "IDENTIFICATION",
        "IDENTIFICATION #",
        "IDENTIFICATION NO",
        "IDENTIFICATION NUMBER",
    }
)
# On a card the state Medicaid program itself issues, its member id is the Medicaid id.
MEMBER_ID_LABELS = frozenset(
    {"MEMBER ID", "MEMBER #", "MEMBER NO", "MEMBER NUMBER", "MEMBER ID NUMBER", "MEMBER ID #"}
)
PREFIX_ID = re.compile(r"^([A-Z]{3})(?=W?\d{6,})")
# The three-letter id prefix routes BlueCard claims: only Blue plans print one as such.
BLUE_PLAN = re.compile(r"BLUE|BCBS|BC\s*/\s*BS", re.IGNORECASE)


@dataclass
class FieldValue:
    """A field ready for the output document (box in the OCR image's pixels)."""

    key: str
    value: Any
    box: tuple[float, float, float, float]
    side: str
    ocr: float
    extract: float
    correct: float
    provenance: list[dict[str, Any]]

    @property
    def score(self) -> float:
        return self.ocr * self.extract * self.correct


PLAN_LABELS = frozenset({"PLAN", "NETWORK", "PRODUCT", "PLAN TYPE", "TYPE", "PLAN NAME"})


def _plan_key(key: str, value: str, label: str) -> str:
    """Plan labels are printed loosely: decide name, type or number by the value.

    A bare code (digits, or letters+digits without spaces) is a plan number, a value that
    starts with a plan-type word (PPO, HMO...) is a type unless brand or tier words name a
    plan beside it ("HMO Blue"), anything else a name. "Plan Name" is no loose label: what
    it heads is the plan's name, "PPO" too, as the card calls it that.
    """
    norm = vocab.norm_label(value)
    words = norm.split()
    if not words:
        return key
    # One code, dashes included: a CMS contract-PBP "H6352-955" is a plan number.
    if re.fullmatch(r"[A-Z]{0,2}\d[\dA-Z]*(?:-[\dA-Z]+)*", value.strip().upper()):
        return "plan_number"
    if label == "PLAN NAME":
        return "plan_name"
    if norm in vocab.PLAN_TYPES or (words[0] in vocab.PLAN_TYPES and not vocab.names_a_plan(value)):
        return "plan_type"
    return "plan_name"


def _normalize_candidate(key: str, cand: Any) -> tuple[Any, tuple[Correction, ...]] | None:
    if key == "copays":
        return (cand.value, ()) if cand.value else None
    if key == "dependents":
        parts = cand.value if isinstance(cand.value, list) else [cand.text]
        parts = [name for p in parts for name in split_names(p)]
        names = [n.value for p in parts if (n := normalize_name(_dependent_name(p))) is not None]
        return (names, ()) if names else None
    if key in PHONE_FIELDS_:
        phones = find_phones(cand.text)
        if phones:
            return phones[0][1], ()
        out = normalize_phone(cand.text)
        return (out.value, out.corrections) if out else None
    if key in NAME_FIELDS:
        out = normalize_name(cand.text)
        if out is None or len(out.value.replace(",", " ").split()) < 2:
            return None
        return out.value, out.corrections
    out = normalize_field(key, cand.text)
    if out is None:
        return None
    if cand.ocr_score >= CRISP_READ:
        out = _keep_crisp_letters(out)
    if key in SPELLED_FIELDS:
        repaired = spelling.repair_words(out.value)
        # A crisp read is left as printed ("Optum"), unless the repair makes it a Medicaid
        # programme's or a known payer's name: OCR reads "Medicald" sure of itself.
        if repaired != out.value and (
            cand.ocr_score < CRISP_READ
            or vocab.names_medicaid_program(repaired)
            or vocab.names_known_payer(repaired)
        ):
            fix = Correction("spelling", out.value, repaired)
            return repaired, (*out.corrections, fix)
    return out.value, out.corrections


def _keep_crisp_letters(out: Normalized) -> Normalized:
    """An id read crisply with two letters between digits ("127B87D84") is printed so:
    ``repair_id`` reads such letters as the digits they look like, but a sure read mistakes
    two digits of one id for letters far less often than pharmacy and plan ids mix them
    by design. One such letter is still a digit (a slip in one place is likelier)."""
    fix = next((f for f in out.corrections if f.kind == "id_digits"), None)
    if fix is None or len(fix.before) != len(fix.after):
        return out
    # Letters between digits made digits; the first and last characters are edge repairs.
    body = range(1, len(fix.after) - 1)
    made = [i for i in body if fix.before[i].isalpha() and fix.after[i].isdigit()]
    if len(made) < 2:
        return out
    value = "".join(fix.before[i] if i in made else ch for i, ch in enumerate(fix.after))
    rest = tuple(f for f in out.corrections if f is not fix)
    if value != fix.before:
        rest += (Correction("id_digits", fix.before, value),)
    return Normalized(value, rest)


PHONE_FIELDS_ = frozenset({"phone_customer_service", "phone_pharmacy", "phone_provider"})
# Names of organisations and plans get look-alike letter slips repaired (``spelling``) when
# OCR was unsure of the line: a crisp read of a coined name ("Optum") is left as printed.
SPELLED_FIELDS = frozenset({"payer_name", "pbm_name", "employer", "plan_name"})
# A line OCR read this surely is left as printed where a repair would be a guess.
CRISP_READ = 0.985


def _vote(key: str, readings: list[tuple[str, float, str]]) -> tuple[Any, str, float] | None:
    """Pick a value among readings of one crop: valid ones, majority, then score."""
    valid: list[tuple[Any, float, str]] = []
    for text, score, source in readings:
        out = normalize_field(key, text)
        if out is not None:
            valid.append((out.value, score, source))
    if not valid:
        return None
    counts: dict[Any, list[tuple[float, str]]] = {}
    for value, score, source in valid:
        counts.setdefault(value, []).append((score, source))
    best = max(counts.items(), key=lambda kv: (len(kv[1]), max(s for s, _ in kv[1])))
    agree = len(best[1]) / len(readings)
    return best[0], best[1][0][1], agree


def _is_id_code(text: str) -> bool:
    """One code of five digits or more (letters allowed), as ids are printed."""
    token = _drop_stray_marks(text).strip(" :#.")
    return (
        bool(re.fullmatch(r"[A-Z0-9\-]+", token))
        and sum(ch.isdigit() for ch in token) >= 5
        and normalize_number_id(token) is not None
    )


def candidate_key(cand: Any) -> str:
    """The field a candidate is, once its label and value are read together."""
    if cand.label in PLAN_LABELS and cand.key in ("plan_name", "plan_type"):
        return _plan_key(cand.key, cand.text, cand.label)
    if cand.label == "EMPLOYER GROUP" and not re.search(r"\d", cand.text):
        return "employer"  # "Employer Group: Acme Corp" names the employer
    if (
        cand.label
        and cand.key in NAME_FIELDS
        and cand.method in ("label_inline", "label_right")
        and "NAME" not in cand.label.split()
        and _is_id_code(cand.text)
    ):
        # "Member E876303280": a label that is short for "Member ID", on the id's own line.
        # A line under a name label is some other block's value (an MBI, a Medicaid id).
        return "member_id"
    return str(cand.key)


def finalize_side(
    candidates: list[Any],
    side: str,
    reread: Reread | None = None,
    texts: Sequence[str] = (),
) -> dict[str, FieldValue]:
    """Validate and repair one side's candidates; keep the best per field.

    Low-confidence winners (and fields whose labelled value failed its validator) get one
    re-read of their crop; only those, so a clean card pays nothing extra. ``texts`` are
    the side's OCR lines, for what the card says outside any field ("Medicaid").
    """
    best: dict[str, FieldValue] = {}
    source: dict[str, Any] = {}
    failed: dict[str, Any] = {}
    plan_codes: list[FieldValue] = []
    surnames = _family_surnames(candidates)
    for cand in candidates:
        key = candidate_key(cand)
        prov: list[dict[str, Any]] = [
            {
                "step": "extract",
                "method": cand.method,
                **({"label": cand.label} if cand.label else {}),
                **({"share": round(cand.share, 3)} if cand.share is not None else {}),
            }
        ]
        if key in NAME_FIELDS:
            spaced = _space_name_by_surname(cand.text, surnames)
            if spaced != cand.text:
                prov.append(Correction("surname_space", cand.text, spaced).as_dict())
                cand = copy.copy(cand)
                cand.text = spaced
        normed = _normalize_candidate(key, cand)
        if normed is None:
            top = failed.get(key)
            if cand.method.startswith("label") and (
                top is None or cand.extract_score > top.extract_score
            ):
                failed[key] = cand
            continue
        value, fixes = normed
        correct = 1.0
        if fixes:
            correct = 0.9
            prov.extend(f.as_dict() for f in fixes)
        fv = FieldValue(
            key, value, cand.box, side, cand.ocr_score, cand.extract_score, correct, prov
        )
        if key == "plan_number":
            plan_codes.append(fv)
        if key not in best or fv.score > best[key].score:
            best[key] = fv
            source[key] = cand
    if reread is not None:
        for key, cand in failed.items():
            if key not in best and key not in NO_REREAD:
                repaired = _reread_field(key, cand, side, None, reread)
                if repaired is not None:
                    best[key] = repaired
        for key, fv in list(best.items()):
            cand = source.get(key)
            if cand is not None and key not in NO_REREAD and fv.ocr < REREAD_BELOW:
                best[key] = _reread_field(key, cand, side, fv, reread) or fv
        copays = best.get("copays")
        if copays is not None and copays.ocr < REREAD_BELOW:
            _reread_copay_amounts(copays, source["copays"], reread)
    _plain_plan_code_as_group(best, plan_codes)
    _relabel(best, candidates, says_medicaid=any(_names_medicaid(t) for t in texts))
    _plan_id_as_member_id(best)
    _derive(best, side, blue_card=any(BLUE_PLAN.search(c.text) for c in candidates))
    _space_dependents_by_surname(best)
    return best


NO_REREAD = frozenset({"copays", "dependents", "claims_address"})


@dataclass(frozen=True)
class CopayRead:
    """How OCR read one copay: the amount's box and score, and the benefit's score (the
    same line's when OCR read both as one line)."""

    box: tuple[float, float, float, float]
    score: float
    benefit_score: float
    alone: bool  # the amount is a line (or table cell) of its own: its crop can be re-read


def _reread_copay_amounts(fv: FieldValue, cand: Any, reread: Reread) -> None:
    """Copay amounts OCR was unsure of ("$5" at 0.79) are read again from their crops: one
    a re-read agrees on counts at the re-read's score. The list's OCR score is that of its
    least sure amount or benefit."""
    items = fv.value
    reads = getattr(cand, "copay_reads", ())
    if not isinstance(items, list) or len(reads) != len(items):
        return
    scores: list[float] = []
    for item, read in zip(items, reads, strict=True):
        amount = read.score
        if read.alone and amount < REREAD_BELOW <= read.benefit_score:
            readings = reread(read)
            amount = max(
                [amount, *(sc for text, sc, _ in readings if _same_amount(text, item["amount"]))]
            )
        scores.append(min(amount, read.benefit_score))
    ocr = min(scores)
    if ocr > fv.ocr:
        fv.provenance.append({"step": "reread", "what": "copay amounts", "ocr": round(ocr, 3)})
        fv.ocr = ocr


def _same_amount(reading: str, amount: str) -> bool:
    """A re-read says the same amount; blur reads a dollar sign as "s" or "S"."""

    def digits(text: str) -> str:
        return _to_digits(re.sub(r"^\s*[$sS]\s*", "", text.strip()).replace(",", ""))

    return bool(reading.strip()) and digits(reading) == digits(amount)


def _reread_field(
    key: str, cand: Any, side: str, current: FieldValue | None, reread: Reread
) -> FieldValue | None:
    """Vote among the first reading and re-reads of the field's crop."""
    readings = [(cand.text, cand.ocr_score, "ocr"), *reread(cand)]
    voted = _vote(key, readings)
    if voted is None:
        return None
    value, src, agree = voted
    prov = (
        list(current.provenance)
        if current is not None
        else [
            {
                "step": "extract",
                "method": cand.method,
                **({"label": cand.label} if cand.label else {}),
            }
        ]
    )
    prov.append({"step": "reread", "sources": [r[2] for r in readings], "agree": round(agree, 2)})
    before = current.value if current is not None else cand.text
    if value != before:
        prov.append(Correction("reread_" + src, str(before), str(value)).as_dict())
    # Readings that disagree are evidence against the value: two of three agreeing puts a
    # field below the default threshold (calibrated on training layouts, docs/cards.md).
    correct = agree**2
    if current is not None:
        correct = min(current.correct, correct) if value == current.value else correct
    return FieldValue(key, value, cand.box, side, cand.ocr_score, cand.extract_score, correct, prov)


def _plan_id_as_member_id(fields: dict[str, FieldValue]) -> None:
    """Managed-care cards print the member's number as "Plan ID": a long number under a
    plan label on a card with no member id is the member id."""
    plan = fields.get("plan_number")
    if plan is None or "member_id" in fields:
        return
    if sum(ch.isdigit() for ch in str(plan.value)) >= 8:
        plan.key = "member_id"
        plan.provenance.append({"step": "relabel", "from": "plan_number"})
        fields["member_id"] = fields.pop("plan_number")


def _names_medicaid(text: str) -> bool:
    """A heading, title or label that says Medicaid; not fine print ("...if you have
    Medicaid, call...")."""
    return bool(re.search(r"\bMEDICAID\b", text.upper())) and len(text.split()) <= 6


def _relabel(
    fields: dict[str, FieldValue], candidates: list[Any], *, says_medicaid: bool = False
) -> None:
    """Labels whose field depends on the rest of the card.

    "Subscriber" or "Subscriber Name" alone names the member when no other member name is
    printed; a generic "ID Number" on a card that says Medicaid and prints no Medicaid id is
    that id.
    """
    sub = fields.get("subscriber_name")
    bare_subscriber = sub is not None and any(
        p.get("label") in ("SUBSCRIBER", "SUBSCRIBER NAME") for p in sub.provenance
    )
    if sub is not None and bare_subscriber and "member_name" not in fields:
        sub.key = "member_name"
        fields["member_name"] = fields.pop("subscriber_name")
    mid = fields.get("member_id")
    if mid is not None and "medicaid_id" not in fields:
        labels = {p.get("label") for p in mid.provenance}
        payer = fields.get("payer_name")
        state_program = payer is not None and "MEDICAID" in str(payer.value).upper()
        medicaid = (
            state_program or says_medicaid or any("MEDICAID" in c.text.upper() for c in candidates)
        )
        generic = bool(labels & GENERIC_ID_LABELS) or (
            state_program and bool(labels & MEMBER_ID_LABELS)
        )
        if generic and medicaid:
            mid.key = "medicaid_id"
            fields["medicaid_id"] = fields.pop("member_id")


_NAME_SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV"})


def _family_surnames(candidates: list[Any]) -> frozenset[str]:
    """Surnames the card's names print with a space before them ("HEATHER O REYNOLDS"):
    the last word of each name of two words or more, four letters or longer."""
    out = set()
    for cand in candidates:
        if cand.key not in NAME_FIELDS and cand.key != "dependents":
            continue
        value = getattr(cand, "value", None)
        for name in value if isinstance(value, list) else str(cand.text).split(","):
            words = [w for w in str(name).split() if w.upper() not in _NAME_SUFFIXES]
            if len(words) >= 2 and len(words[-1]) >= 4 and words[-1].isalpha():
                out.add(words[-1].upper())
    return frozenset(out)


def _space_name_by_surname(text: str, surnames: frozenset[str]) -> str:
    """A name OCR read as one word ("VIRGINIAREYNOLDS"), a first name of three letters or
    more glued to a surname another name on the card prints: the two words."""
    word = text.strip()
    if not word.isalpha():
        return text
    for surname in sorted(surnames, key=len, reverse=True):
        if len(word) >= len(surname) + 3 and word.upper().endswith(surname):
            cut = len(word) - len(surname)
            return f"{word[:cut]} {word[cut:]}"
    return text


def _space_dependents_by_surname(fields: dict[str, FieldValue]) -> None:
    """Dependents' names OCR glued, repaired at the member's surname, which a family on one
    card shares (in capitals no change of case marks where blur dropped a space):
    - one word that ends with it is a first name and the surname ("JAMESCARTER");
    - a later word that is one letter and it is a middle initial and the surname ("ANN
      QCARTER");
    - two names side by side that OCR read as one line, the surname glued to the next
      first name or not, are two names ("ANN CARTERJAMES CARTER")."""
    member, deps = fields.get("member_name"), fields.get("dependents")
    if member is None or deps is None or not isinstance(deps.value, list):
        return
    words = [
        w for w in str(member.value).replace(",", " ").split() if w.upper() not in _NAME_SUFFIXES
    ]
    surname = words[-1] if len(words) >= 2 else ""
    # Short surnames end first names too: "ASHLEE" beside a member named Lee is one name.
    if len(surname) < 4 or not surname.isalpha():
        return
    last = re.escape(surname)
    spaced: list[str] = []
    for name in deps.value:
        text = str(name)
        # Only where a first name (and an initial) and the surname again follow it.
        pairs = re.split(rf"(?i)(?<={last})\s*(?=[A-Z]{{3,}}(?:\s+[A-Z]\.?)?\s+{last}\b)", text)
        for part in pairs:
            part = re.sub(rf"(?i)^([A-Z]{{3,}})({last})$", r"\1 \2", part.strip())
            part = re.sub(rf"(?i)(?<=\S )([A-Z])({last})$", r"\1 \2", part)
            spaced.append(part)
    if spaced != deps.value:
        deps.provenance.append(Correction("surname_space", str(deps.value), str(spaced)).as_dict())
        deps.value = spaced
        deps.correct = min(deps.correct, 0.9)


def _derive(fields: dict[str, FieldValue], side: str, *, blue_card: bool = True) -> None:
    """Fields implied by others: Blue-plan id prefix, PBM from a known BIN.

    Other payers' ids start with letters too ("SXA67998181"): on a side that does not name a
    Blue plan the prefix is derived below the default threshold (withheld, not guessed).
    """
    mid = fields.get("member_id")
    if mid is not None and "member_id_prefix" not in fields:
        m = PREFIX_ID.match(str(mid.value))
        if m:
            fields["member_id_prefix"] = FieldValue(
                "member_id_prefix",
                m.group(1),
                mid.box,
                side,
                mid.ocr,
                mid.extract * (0.95 if blue_card else 0.45),
                mid.correct,
                [{"step": "derive", "from": "member_id", "blue_plan": blue_card}],
            )
    rx_bin = fields.get("rx_bin")
    if rx_bin is not None and "pbm_name" not in fields:
        pbm = pbm_from_bin(str(rx_bin.value))
        if pbm:
            # Below the default threshold on purpose: the card did not print it.
            fields["pbm_name"] = FieldValue(
                "pbm_name",
                pbm,
                rx_bin.box,
                side,
                rx_bin.ocr,
                0.45,
                1.0,
                [{"step": "derive", "from": "rx_bin", "table": "bin_to_pbm"}],
            )


def _hamming_close(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 1


def merge_sides(front: dict[str, FieldValue], back: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """One value per field from both sides, plus cross-checks (RxId vs member id)."""
    merged = dict(front)
    for key, fv in back.items():
        other = merged.get(key)
        if other is None:
            merged[key] = fv
            continue
        if other.value == fv.value:
            # Both sides read the same value: keep the surer reading (its box), a bit surer.
            keep, seen = (other, fv) if other.score >= fv.score else (fv, other)
            check = {"step": "cross_check", "with": seen.side, "agree": True}
            label = next((p["label"] for p in seen.provenance if p.get("label")), None)
            keep.provenance.append({**check, "label": label} if label else check)
            keep.correct = min(1.0, keep.correct * 1.05)
            merged[key] = keep
            continue
        if key == "payer_name" and _pharmacy_is_no_payer(merged, other, fv, back):
            continue
        winner, loser = (other, fv) if other.score >= fv.score else (fv, other)
        if key == "payer_name" and _administrator_over_model_name(loser, winner):
            winner, loser = loser, winner
        winner.provenance.append({"step": "cross_check", "with": loser.side, "agree": False})
        winner.correct *= 0.85
        merged[key] = winner
    rx_id, mid = merged.get("rx_id"), merged.get("member_id")
    if rx_id is not None and mid is not None and rx_id.value != mid.value:
        a, b = str(rx_id.value), str(mid.value)
        if _hamming_close(a, b):
            src, dst = (rx_id, mid) if rx_id.ocr > mid.ocr else (mid, rx_id)
            dst.provenance.append(
                Correction("cross_check_" + src.key, str(dst.value), str(src.value)).as_dict()
            )
            dst.value = src.value
            dst.correct = min(dst.correct, 0.85)
    _plan_number_as_group(merged)
    _doubt_pbm_that_is_no_pbm(merged)
    _original_medicare_payer(merged)
    return merged


# Fields a plan's own card prints and the government's Medicare card never does.
_PLAN_CARD_FIELDS = frozenset(
    {"member_id", "group_number", "plan_name", "plan_number", "rx_bin", "pbm_name", "employer"}
)
MEDICARE_CARD_EXTRACT = 0.9


def _original_medicare_payer(merged: dict[str, FieldValue]) -> None:
    """The red, white and blue Medicare card prints a Medicare number (MBI) and Part A or B
    entitlement dates and no plan's fields: its payer is Medicare, when its "MEDICARE
    HEALTH INSURANCE" heading was not read (glare, a tight crop)."""
    mbi = merged.get("medicare_mbi")
    part = merged.get("medicare_part_a_date") or merged.get("medicare_part_b_date")
    read = merged.get("payer_name")
    # A heading read as Medicare, but unsure (blurred, "Nedicare" repaired), is confirmed.
    if read is not None and str(read.value).casefold() != "medicare":
        return
    if mbi is None or part is None or _PLAN_CARD_FIELDS & set(merged):
        return
    derived = FieldValue(
        "payer_name",
        "Medicare",
        mbi.box,
        mbi.side,
        mbi.ocr,
        MEDICARE_CARD_EXTRACT,
        1.0,
        [{"step": "derive", "from": "medicare_mbi", "why": "Original Medicare card"}],
    )
    if read is None or derived.score > read.score:
        merged["payer_name"] = derived


PHARMACY_PBM_EXTRACT = 0.85


# Leads that name a self-funded plan's administrator (a TPA), which takes the claims.
ADMINISTRATOR_LABELS = frozenset(
    label for label in vocab.FIELD_LABELS["payer_name"] if "ADMINISTER" in label
)
# A sponsor read beside a named administrator (on either side, or both agreeing): the model
# read a name; the card's layout says whose (sure, not certain).
SPONSOR_EXTRACT = 0.85


def _names_administrator(fv: FieldValue) -> bool:
    return any(p.get("label") in ADMINISTRATOR_LABELS for p in fv.provenance)


# Two readings of one name this alike are one name read twice ("Unit y Plan
# Administrators"); two payers' names share a word or two at most.
SAME_NAME_RATIO = 0.8


def _administrator_over_model_name(challenger: FieldValue, held: FieldValue) -> bool:
    """The sides name two payers: one the card names as its administrator ("Claims
    administered by X"), the other a name the line model picked. A self-funded plan's card
    prints its sponsor's name biggest; the administrator, which takes the claims, is the
    payer (``sponsor_beside_administrator`` then makes the sponsor the employer). Two reads
    of one name ("PinnacleBe", glare cut it short) are left to their scores."""
    held_methods = {p.get("method") for p in held.provenance}
    a, b = _alnum_lower(str(challenger.value)), _alnum_lower(str(held.value))
    same_name = a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= SAME_NAME_RATIO
    return (
        _names_administrator(challenger)
        and not _names_administrator(held)
        and bool(held_methods & LINE_MODEL_METHODS)
        and not same_name
    )


def sponsor_beside_administrator(fields: dict[str, FieldValue], front: Sequence[Any]) -> None:
    """The employer of a self-funded plan: on a card that names its administrator ("Claims
    administered by X"), the front's topmost name the line model took for a payer or an
    employer, when it is not that administrator, a known insurer or a pharmacy, is the
    plan's sponsor. TPA cards print the employer's name at the top ("City of Springfield
    Employee Benefit Plan") and the administrator's lower or on the back."""
    payer = fields.get("payer_name")
    if payer is None or not _names_administrator(payer):
        return
    held = fields.get("employer")
    if held is not None and held.provenance[0].get("method") not in LINE_MODEL_METHODS:
        return
    names = [
        c for c in front if c.key in ("payer_name", "employer") and c.method in LINE_MODEL_METHODS
    ]
    if not names:
        return
    top = min(names, key=lambda c: c.box[1])
    text = _alnum_lower(top.text)
    admin = _alnum_lower(str(payer.value))
    if (
        not text
        or text in admin
        or admin in text
        or re.search(r"\d", top.text)
        or vocab.names_pharmacy(top.text)
        or vocab.names_known_payer(top.text)
    ):
        return
    normed = normalize_org(top.text)
    if normed is None or (held is not None and held.value != normed.value):
        return
    extract = max(SPONSOR_EXTRACT, held.extract if held is not None else 0.0)
    fields["employer"] = FieldValue(
        "employer",
        normed.value,
        top.box,
        "front",
        top.ocr_score,
        extract,
        1.0,
        [
            {"step": "extract", "method": top.method, "read_as": top.key},
            {"step": "cross_check", "with": "administrator", "agree": True},
        ],
    )


def _pharmacy_is_no_payer(
    merged: dict[str, FieldValue],
    front: FieldValue,
    back: FieldValue,
    back_fields: dict[str, FieldValue],
) -> bool:
    """The sides name two payers and one is named as a pharmacy brand ("MedAxis Rx" on the
    front, "Fernway Health" on the back): a card has one payer, so that one is the PBM,
    when neither side gave a PBM. True when the two were set apart so."""
    if "pbm_name" in merged or "pbm_name" in back_fields:
        return False
    rx = [fv for fv in (front, back) if vocab.names_pharmacy(str(fv.value))]
    if len(rx) != 1 or not rx[0].provenance or rx[0].provenance[0].get("label"):
        return False  # a labelled payer is the payer, whatever its name
    pbm = rx[0]
    pbm.key = "pbm_name"
    # The model's payer probability says nothing of a PBM; the name and the second payer
    # do, about as surely as a sole payer line (extraction.SOLE_PAYER_EXTRACT).
    pbm.extract = PHARMACY_PBM_EXTRACT
    pbm.provenance.append({"step": "relabel", "from": "payer_name", "why": "names a pharmacy"})
    merged["payer_name"] = back if pbm is front else front
    merged["pbm_name"] = pbm
    return True


# The extraction method of a payer line the line model was unsure of (extraction.py).
WEAK_LINE_MODEL = "line_model_weak"
# Extraction methods of values the learned line classifier labelled.
LINE_MODEL_METHODS = frozenset({"line_model", WEAK_LINE_MODEL})
# A line-model payer (weak or not) that the card names again: nearly as sure as a label.
CONFIRMED_PAYER_EXTRACT = 0.9
# "www.fernwayhealth.com", "fernway.example.org": the first name of the host after "www"
# (".example" is the test domain the synthetic cards print).
_WEB_HOST = re.compile(
    r"(?i)(?<![a-z0-9@])(?:https?://)?(?:www\.)?([a-z0-9][a-z0-9-]*)(?:\.[a-z0-9-]+)*"
    r"\.(?:com|org|net|gov|us|health|example)\b"
)
_MIN_REPEATED_NAME = 5  # letters: "Oscar" yes, "Blue" no
_WEB_ONLY_BELOW = 0.2  # model probability under which only the web address confirms


def _alnum_lower(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def confirm_repeated_payer(fields: dict[str, FieldValue], texts: Sequence[str]) -> None:
    """Trust a payer the line model was unsure of when the card names it again.

    Cards print their insurer's name more than once: the back's header, the fine print
    ("Fernway Health is an independent licensee..."), the web address ("fernwayhealth.com").
    ``texts`` are the OCR lines of both sides; the payer's own line is one of them.
    """
    payer = fields.get("payer_name")
    methods = {p.get("method") for p in payer.provenance} if payer is not None else set()
    if payer is None or not methods & LINE_MODEL_METHODS:
        return
    name = _alnum_lower(str(payer.value))
    words = set(vocab.norm_label(str(payer.value)).split())
    if len(name) < _MIN_REPEATED_NAME or not words - _COMMON_NAME_WORDS:
        return
    repeats = sum(name in _alnum_lower(t) for t in texts)
    hosts = {m.group(1).replace("-", "").lower() for t in texts for m in _WEB_HOST.finditer(t)}
    on_web = any(name in h or (len(h) >= _MIN_REPEATED_NAME and name.startswith(h)) for h in hosts)
    if not on_web and (repeats < 2 or payer.extract < _WEB_ONLY_BELOW):
        return  # a line the model all but ruled out needs the web address, not a repeat
    payer.extract = max(payer.extract, CONFIRMED_PAYER_EXTRACT)
    payer.provenance.append(
        {"step": "cross_check", "with": "web_address" if on_web else "repeated_name", "agree": True}
    )


# Words any insurer, plan or PBM name may hold: sharing one says nothing.
_COMMON_NAME_WORDS = frozenset(
    [
        "HEALTH",
        "HEALTHCARE",
        "CARE",
        "PLAN",
        "PLANS",
        "BENEFIT",
        "BENEFITS",
        "MEDICAL",
        "INSURANCE",
        "RX",
        "PHARMACY",
        "SOLUTIONS",
        "SERVICES",
        "GROUP",
        "NETWORK",
        "MANAGEMENT",
        "ADMINISTRATORS",
        "TRUST",
        "FUND",
        "THE",
        "OF",
        "AND",
    ]
)
# A PBM is a company; a line with these words describes coverage ("Prescription Drug
# Coverage", "Rx Plan").
_NOT_PBM_WORDS = frozenset({"COVERAGE", "PLAN", "PLANS"})
DOUBTED_PBM_EXTRACT = 0.3


def _doubt_pbm_that_is_no_pbm(fields: dict[str, FieldValue]) -> None:
    """A PBM name read from an unlabelled line ("Avantra Rx" on an Avantra Health card,
    "MedicareRx Prescription Drug Coverage") that shares a distinctive word with the payer
    or plan name is the payer's own drug benefit brand, and one that names coverage is no
    company: both are kept for review below the threshold, not returned."""
    pbm = fields.get("pbm_name")
    if pbm is None or not any(p.get("method") == "line_model" for p in pbm.provenance):
        return
    words = set(vocab.norm_label(str(pbm.value)).split())
    own = {
        w
        for key in ("payer_name", "plan_name")
        if key in fields
        for w in vocab.norm_label(str(fields[key].value)).split()
        if len(w) >= 4
    } - _COMMON_NAME_WORDS
    reason = "names coverage" if words & _NOT_PBM_WORDS else "payer's own" if words & own else ""
    if reason:
        pbm.extract = min(pbm.extract, DOUBTED_PBM_EXTRACT)
        pbm.provenance.append({"step": "cross_check", "with": "payer_name", "doubt": reason})


# Plain plan-number labels; CMS contract/PBP labels name a Medicare plan, never a group.
PLAIN_PLAN_NUMBER_LABELS = frozenset(
    {"PLAN #", "PLAN NO", "PLAN NUMBER", "PLAN NBR", "PLAN NUM", "PLAN CODE"}
)
CMS_PLAN = re.compile(r"[HRSE]\d{4}(?:-\d{3})?")


def _is_plain_plan_code(fv: FieldValue) -> bool:
    """A code under a plain "Plan No." label (no CMS contract, no "Benefit Plan ID")."""
    labels = {p.get("label") for p in fv.provenance}
    return bool(labels & PLAIN_PLAN_NUMBER_LABELS) and not CMS_PLAN.fullmatch(str(fv.value))


def _plain_plan_code_as_group(best: dict[str, FieldValue], plan_codes: list[FieldValue]) -> None:
    """A side that prints two different plan codes and no group prints its group as one of
    them: the one under a plain "Plan Number" label, the self-funded plan's name for the
    employer's group (as ``_plan_number_as_group``), while "Plan: 0042" codes the benefit
    option. Without this the weaker reading was dropped and the card lost its group."""
    plan = best.get("plan_number")
    if plan is None or "group_number" in best:
        return
    if _is_plain_plan_code(plan):
        group: FieldValue | None = plan
        rest = [fv for fv in plan_codes if fv.value != plan.value and not _is_plain_plan_code(fv)]
        plan = max(rest, key=lambda fv: fv.score, default=None)
    else:
        rest = [fv for fv in plan_codes if fv.value != plan.value and _is_plain_plan_code(fv)]
        group = max(rest, key=lambda fv: fv.score, default=None)
    if group is None or plan is None:
        return
    group.key = "group_number"
    group.provenance.append({"step": "relabel", "from": "plan_number"})
    best["group_number"], best["plan_number"] = group, plan


def _plan_number_as_group(fields: dict[str, FieldValue]) -> None:
    """Self-funded employer cards print the employer's plan code as "Plan No." and no
    group: on a card with no group number, a plain plan number that is no CMS contract
    is the group number."""
    plan = fields.get("plan_number")
    if plan is None or "group_number" in fields or not _is_plain_plan_code(plan):
        return
    plan.key = "group_number"
    plan.provenance.append({"step": "relabel", "from": "plan_number"})
    fields["group_number"] = fields.pop("plan_number")
