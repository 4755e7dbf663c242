"""Label OCR lines as card fields: label anchors, layout geometry, value formats, a line model.

The work is labelling text, not reading it. For one card side:

1. Split every OCR line into segments at label anchors ("Member ID", "RxBIN", "Grp"...);
   the text after an anchor, up to the next anchor, is that field's inline value.
2. An anchor with no inline value takes the nearest line to its right, or else below it.
3. Value formats find what is printed without a label (MBI, the 80840 issuer, copays).
4. Lines that are still unlabelled go to a small learned line classifier (``linemodel``)
   trained on synthetic cards, which knows payer names, member names, plan names... by
   position, size and wording.

Every candidate carries the OCR score of its line(s), an extraction score from how it was
found, and its box in the OCR image's pixels.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from eligo.cards import correction, spelling, vocab
from eligo.cards.linemodel import (
    LineModel,
    employer_worded,
    has_insurer_word,
    is_name_like,
    line_features,
)
from eligo.cards.ocr import Box, OcrLine

# Anchors that are common English words, or leads that fine print uses too ("... is
# administered by ..."): only anchors at the start of a line or when followed by ':' or '#'.
WEAK_LABELS = frozenset(
    {
        "ID",
        "NAME",
        "MEMBER",
        "GROUP",
        "PLAN",
        "TYPE",
        "PRODUCT",
        "NETWORK",
        "COVERAGE",
        "CALL",
        "SERVICE",
        "MEMBERS",
        "CLAIMS",
        "PHARMACY",
        "PROVIDER",
        "PROVIDERS",
        "PATIENT",
        "INSURED",
        "EMPLOYEE",
        "RECIPIENT",
        "SUBSCRIBER",
        "EFFECTIVE",
        "EFF",
        "ISSUED",
        "COMPANY",
        "SPONSOR",
        "CONTRACT",
        "QUESTIONS",
        "DEDUCTIBLE",
        "DED",
        "EDI",
        "CIN",
        "ENROLLEE",
        "BENEFICIARY",
        "CARDHOLDER",
        "DEPENDENT",
        "DEPENDENTS",
        "EMPLOYER",
        "ISSUER",
        "PRECERTIFICATION",
        "PHARMACIST",
        "PHARMACISTS",
        "COPAY",
        "COPAYS",
        # Leads of a payer, PBM or employer name, and the payer's labels ("your plan
        # administrator"): in fine print they start no value.
        *vocab.FIELD_LABELS["payer_name"],
        *(
            label
            for key in ("pbm_name", "employer")
            for label in vocab.FIELD_LABELS[key]
            if label.endswith((" BY", " THROUGH", " FROM"))
        ),
    }
)

# Per-method prior for the extraction score.
METHOD_SCORE = {
    "label_inline": 0.95,
    # A blurred label read nearly ("Grovp: 123456"): below an exact label's value elsewhere.
    "label_fuzzy_inline": 0.75,
    "label_right": 0.9,
    "label_below": 0.85,
    "label_above": 0.72,
    "format": 0.85,
    "rx_order": 0.75,
    # A deductible known only as the side's one bare amount (its label wiped).
    "lone_amount": 0.75,
}

# A party's name label followed by a phone number labels that party's phone.
_PARTY_PHONE = {"pbm_name": "phone_pharmacy"}

# Fields whose value may continue over several lines below the anchor.
MULTILINE_FIELDS = frozenset({"claims_address", "dependents"})
PHONE_FIELDS = frozenset({"phone_customer_service", "phone_pharmacy", "phone_provider"})
DATE_FIELDS = frozenset({"effective_date", "medicare_part_a_date", "medicare_part_b_date"})

_MBI_LIKE = re.compile(
    r"(?<![A-Z0-9])([1-9][A-Z0-9]{3})[\s\-]?([A-Z0-9]{3})[\s\-]?([A-Z0-9]{4})(?![A-Z0-9])"
)
# The last line of a US address: state code and ZIP (+4) at the end.
_ZIP_END = re.compile(r"\b[A-Z]{2}[\s,]*\d{5}(?:-\d{0,4})?\s*$")
# An address's last line alone: "Jacksonville, FL 32231-5512".
_CITY_STATE_ZIP = re.compile(r"[A-Z][A-Za-z.' -]*,?\s+[A-Z]{2}[\s,]*\d{5}(?:-\d{4})?")
# A Medicare contract and plan benefit package printed without a label ("H1234-001"): the
# separator keeps member ids ("H97711351") out.
_CMS_CONTRACT = re.compile(r"(?<![A-Z0-9\-])[HRS]\d{4}[\-\s]\d{3}(?![A-Z0-9\-])")
_ISSUER = re.compile(r"\(?\s*80840\s*\)?[\s\-]*((?:\d[\s\-]?){10})")
_MONEY = r"(?:\$\s?[\dOoSIl][\d,OoSIl]*(?:\.\d{2})?|\d{1,3}\s?%)"
# $100 or more, as a deductible is printed ("$500", "$3,000").
_LONE_DEDUCTIBLE = re.compile(r"\$\s?(?:\d{3}|\d{1,2},?\d{3})(?:\.\d{2})?")
_OUT_OF_POCKET = re.compile(r"POCKET|\bOOP\b|\bMAX|COINS")
# After a benefit's name, blur reads a dollar sign as an s ("Telehealth s0"): an s before
# digits that end the pair is that sign.
_BLURRED_DOLLAR = r"(?<=\s)[sS]\d{1,3}(?![\w.,%])"
_COPAY_PAIR = re.compile(
    r"([A-Za-z][A-Za-z /&.\-]{0,24}?)\s*[:=\-]?\s*("
    + _MONEY
    + "|"
    + _BLURRED_DOLLAR
    + r")(?:\s*(?:copay|co-pay))?",
    re.IGNORECASE,
)


# A copay list beside an amount no benefit was read for is missing that row: held back.
COPAYS_INCOMPLETE_EXTRACT = 0.5


@dataclass(frozen=True)
class _CopayPair:
    """One copay found on a side."""

    top: float  # the row's top, for reading order
    x: float
    item: dict[str, str]  # {"benefit", "amount"}
    box: Box
    lines: tuple[int, ...]
    read: correction.CopayRead  # how OCR read it, for a re-read of an unsure amount

    @property
    def score(self) -> float:
        """OCR score: that of the less sure of its benefit and amount."""
        return min(self.read.score, self.read.benefit_score)


@dataclass
class Candidate:
    """One field value found on a card side, before correction."""

    key: str
    text: str
    box: Box
    ocr_score: float
    extract_score: float
    method: str
    lines: tuple[int, ...]
    label: str | None = None
    value: object = None  # structured value (copays)
    # How OCR read each copay, for correction to re-read unsure amounts.
    copay_reads: tuple[correction.CopayRead, ...] = ()
    # Line model: the chance this is the side's one line of its field, given the model's
    # reading of every free line (``sole_line_chance``), however unsure the model is.
    share: float | None = None


@dataclass(frozen=True)
class Anchor:
    key: str
    line: int
    start: int  # char offsets of the label in the line text
    end: int
    label: str
    fuzzy: bool = False  # read nearly, not exactly (fuzzy_code_label, misread_suffix_label)


def _fold(text: str) -> str:
    """Strip accents so 'Número' matches 'NUMERO'; keeps one char per input char."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)
        out.append(base[0] if base else ch)
    return "".join(out)


def _label_letters(text: str) -> str:
    """A label's letters as labels are compared: accents stripped, upper case, nothing else."""
    return "".join(ch for ch in _fold(text).upper() if ch.isalpha())


def _split_glued(text: str) -> str:
    """Put a space after a colon that OCR glued to the next word ('ID:123'), read a bar
    between fields as a gap ("RxBIN 610014 | RxPCN ADV") and a multiplication sign as the
    x it was printed as ("R× $10": cards print no ×), or as all of "Rx" when it starts a
    word ("× $0", "×group": blur ran the two letters into one sign)."""
    text = re.sub(r"(?<=\s)\|(?=\s)", " ", text)
    text = re.sub(r"(?<![A-Za-z0-9])×", "Rx", text).replace("×", "x")
    return re.sub(r":(?=\S)", ": ", text)


def _word_starts(orig: str, idx: list[int]) -> list[bool]:
    """Where a label may start or end: separators, case and letter/digit changes, '#', and
    the capital that starts a word after a word in capitals ("SPONSORSierra")."""
    starts = []
    for k, i in enumerate(idx):
        if k == 0 or idx[k - 1] != i - 1:
            starts.append(True)
            continue
        prev, cur = orig[i - 1], orig[i]
        nxt = orig[i + 1] if i + 1 < len(orig) else ""
        starts.append(
            (prev.islower() and cur.isupper())
            or (prev.isupper() and cur.isupper() and nxt.islower())
            or (prev.isalpha() != cur.isalpha())
            or "#" in (prev, cur)
        )
    return starts


# "ID" with its I misread, as a word of its own (same length, so offsets hold).
_ID_MISREAD = re.compile(r"(?<![A-Za-z0-9])[1l|]D(?![A-Za-z0-9])")
# ... or its D read as 0/O too ("I0", "l0"): a word of its own that holds a letter.
_ID_MISREAD_LETTER = re.compile(r"(?<![A-Za-z0-9])(?:[Il|][0O]|1O)(?![A-Za-z0-9])")
# ... or read as "10" entirely: only as a label, opening the line before ':'/'#' ("10 #").
_ID_AS_TEN = re.compile(r"^(\s*)10(?=\s*[:#])")


@lru_cache(maxsize=1)
def _id_stems() -> frozenset[str]:
    """Words printed right before "ID" in an id label ("Member", "Subscriber", "Group")."""
    return frozenset(
        label.split()[-2] for label in vocab.label_index() if label.endswith(" ID") and " " in label
    )


def _read_misread_id(text: str) -> str:
    """The text with a misread "ID" label word restored (same length, so offsets hold).

    "Medicaid |D:", "Subscriber 1D" and a bare "I0" are read as ID anywhere; "10" only as a
    label opening its line ("10 #") or glued to a word that precedes "ID" in an id label and
    followed by a mark ("Member10.322913525"); ".d" only glued to such a word and ending the
    label ("member.d").
    """
    out = _ID_MISREAD.sub("ID", text)
    out = _ID_MISREAD_LETTER.sub("ID", out)
    out = _ID_AS_TEN.sub(lambda m: m.group(1) + "ID", out)

    def stem_id(m: re.Match[str]) -> str:
        if m.group(1).upper() not in _id_stems():
            return m.group(0)
        return m.group(1) + m.group(2) + "ID"

    out = re.sub(r"\b([A-Za-z]+)(\s?)(?:[1Il|][D0O])(?=\s*[:.#])", stem_id, out)
    # A lower-case "id" whose i blur read as a dot, glued to its word: "member.d".
    return re.sub(r"\b([A-Za-z]+)()[.,]d(?=\s*[:#]|\s*$)", stem_id, out)


# Letters blur makes of each other in print OCR reads ("Custemer Serviee", "Plam", "Growp",
# "PEN" for "PCN"): a label read with them is matched on its letters folded alike.
_CONFUSABLE = str.maketrans("ECMWV", "OONUU")


@lru_cache(maxsize=1)
def _confusable_labels() -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (joined.translate(_CONFUSABLE), key, label)
        for joined, key, label in vocab.label_strings_sorted()
    )


def find_anchors(
    text: str, line_idx: int, *, weak: bool = False, confusable: bool = False
) -> list[Anchor]:
    """Label anchors in one line, longest match first, left to right.

    Common words (``WEAK_LABELS``) anchor only where they read as labels, unless ``weak``
    says the line is known to be a row of labels.

    OCR often drops the space between a label and its value ("Group No.45118",
    "ProviderServices800...") so labels are matched on the letters alone, at word
    boundaries (separators, case changes, letter/digit changes). An "ID" OCR misread
    ("Medicaid |D:", "Subscriber 1D", "Member10.") is read as "ID" (``_read_misread_id``).
    ``confusable`` matches letters blur confuses as one (``_CONFUSABLE``); such anchors are
    fuzzy.
    """
    folded = _read_misread_id(_fold(text))
    idx = [i for i, ch in enumerate(folded) if ch.isalnum() or ch == "#"]
    flat = "".join(folded[i].upper() for i in idx)
    starts = _word_starts(folded, idx)
    labels = vocab.label_strings_sorted()
    if confusable:
        flat = flat.translate(_CONFUSABLE)
        labels = _confusable_labels()
    anchors: list[Anchor] = []
    k = 0
    n = len(idx)
    while k < n:
        if not starts[k]:
            k += 1
            continue
        matched: tuple[str, str, str] | None = None
        for joined, key, label in labels:
            j = k + len(joined)
            if (
                j <= n
                and flat.startswith(joined, k)
                and (j == n or starts[j] or (not confusable and _glued_id(folded, idx, j, label)))
            ):
                matched = (joined, key, label)
                break
        if matched is None:
            k += 1
            continue
        joined, key, label = matched
        j = k + len(joined)
        start, end = idx[k], idx[j - 1] + 1
        rest = text[end:]
        followed_by_mark = bool(re.match(r"\s*[:#]", rest))
        if (
            k == 0
            or weak
            or followed_by_mark
            or label not in WEAK_LABELS
            or _between_codes(text[:start], rest)
        ):
            glued = re.match(r"\s?ID(?=[A-Z0-9]{4,}\b)", folded[end:])
            if glued and vocab.label_index().get(label + " ID") == key:
                # "Group IDSBGMFW": the label's own "ID" glued to a letters-only code.
                end += glued.end()
                label += " ID"
                j += 2
            m = re.match(r"\s*[:#.]+", text[end:])
            if m:
                end += m.end()
            anchors.append(Anchor(key, line_idx, start, end, label, fuzzy=confusable))
            k = j
        else:
            k += 1
    return anchors


def _between_codes(before: str, after: str) -> bool:
    """A common word between two codes is a label of a row of label/value pairs ("ID
    123456789 Group 4455", "Group 12345 Plan 678"), not text: the words just before and
    just after it both hold digits."""
    prev = before.split()[-1:] or [""]
    nxt = after.split()[:1] or [""]
    return any(ch.isdigit() for ch in prev[0]) and any(ch.isdigit() for ch in nxt[0])


# Rx fields whose glued label may take a letters-only code ("RXPCNGJFMMJH").
_RX_CODE_KEYS = frozenset({"rx_bin", "rx_pcn", "rx_group"})
# ... and so may a label with no vowel, which starts no word ("PCN", "GRP").
_LETTERS_CODE_KEYS = _RX_CODE_KEYS | {"group_number"}
_VOWELS = re.compile(r"[AEIOUY]")


def _glued_id(folded: str, idx: list[int], j: int, label: str) -> bool:
    """OCR glued an all-caps label to an id ("RxGRPJXZX678549", "Payer IDDW088"): the label
    may end inside a word when it is specific (not a bare weak word) and what follows up to
    the next separator is an id with digits, so "IDENTIFICATION" still is no "ID". After
    an Rx label ("RxPCN") a letters-only code will do."""
    if label in WEAK_LABELS or len(label.replace(" ", "")) < 3:
        return False
    token = re.match(r"[A-Za-z0-9]*", folded[idx[j] :])
    rest = token.group(0) if token else ""
    joined = label.replace(" ", "")
    if len(rest) >= 2 and (
        (joined.startswith("RX") and vocab.label_index().get(label) in _RX_CODE_KEYS)
        or (not _VOWELS.search(joined) and vocab.label_index().get(label) in _LETTERS_CODE_KEYS)
    ):
        # No word starts "RxPCN", "PCN" or "GRP": "RXPCNGJFMMJH" and "PCNBYWGD" are the
        # label and a letters-only code.
        return True
    return len(rest) >= 3 and any(ch.isdigit() for ch in rest)


# A blurred label read with a letter or two wrong ("Enverage Bale") still anchors its value.
FUZZY_LABEL_MIN_RATIO = 0.8


def fuzzy_label(text: str, line_idx: int) -> list[Anchor]:
    """A short letters-only line that is nearly a multi-letter label: a misread bare label."""
    flat = "".join(ch for ch in _fold(text).upper() if ch.isalpha() or ch == "#")
    if len(flat) < 5 or len(text.split()) > 4 or re.search(r"\d", text):
        return []
    labels = vocab.label_strings_sorted()
    printed = vocab.printed_label_strings()
    if any(
        len(joined) >= 5 and joined in flat and label not in WEAK_LABELS
        for joined, _, label in labels
    ):
        return []  # a label's letters read right were judged by find_anchors already
    # A specific label with one letter lost or added ("GROUPN" is "GROUP NO"): that label,
    # though a common word's letters are read right inside it. A common word as a label
    # only cut short at the card's edge or a glare ("Effectiv").
    near = {
        key: label
        for joined, key, label in labels
        if joined in printed
        and "#" not in joined  # "Groups" is no "Group #"
        and _one_edit_apart(flat, joined)
        and (label not in WEAK_LABELS or joined[:-1] == flat)
    }
    if len(near) == 1 and len(flat) >= 6:
        key, label = near.popitem()
        return [Anchor(key, line_idx, 0, len(text), label)]
    if any(len(joined) >= 5 and (joined in flat or flat in joined) for joined, _, _ in labels):
        return []  # a common word read right, or a label's letters cut short: no blur
    # A word that is a label only with its mark ("Medicaid #") is, without the mark, the
    # title the card prints ("Medicald" is the programme's name blurred, no label).
    best = _closest_printed_label(
        flat,
        lambda joined, _key: (
            len(joined) >= 5 and (not joined.endswith("#") or "#" in flat or joined[:-1] in printed)
        ),
    )
    if best is None:
        return []
    return [Anchor(best[0], line_idx, 0, len(text), best[1])]


def misread_longer_label(text: str, found: list[Anchor]) -> list[Anchor]:
    """A line that opens with a short exact label ("Member") and whose other letters are one
    letter off the rest of a longer printed label ("Member Servicel" is "Member Services"):
    that longer label, bare. Blur turns a label's last letter more often than a name reads
    as one."""
    if len(found) != 1 or found[0].start > 1 or re.search(r"\d", text) or len(text.split()) > 4:
        return []
    flat = "".join(ch for ch in _fold(text).upper() if ch.isalpha() or ch == "#")
    head = found[0].label.replace(" ", "")
    if not flat.startswith(head) or len(flat) - len(head) < 3:
        return []
    rest = flat[len(head) :]
    printed = vocab.printed_label_strings()
    for joined, key, label in vocab.label_strings_sorted():
        if (
            joined in printed
            and joined.startswith(head)
            and len(joined) - len(head) >= 4  # "Member Ida" is no "Member ID"
            and _one_edit_apart(rest, joined[len(head) :])
        ):
            return [Anchor(key, found[0].line, 0, len(text), label)]
    return []


# An id, a short word and a one- to three-digit number: "W123456789 Sfk 01".
_ID_WORD_NUMBER = re.compile(r"\S*\d\S*\s+([A-Za-z]{3,6})[:#.]?\s*\d{1,3}\s*")


def misread_suffix_label(text: str, line_idx: int) -> list[Anchor]:
    """An id's suffix label misread by one letter between the id and its number ("Sfk" for
    "Sfx"): ids print no lower case, so a word with lower case that is one letter off a
    suffix label is that label, and the number after it the suffix."""
    m = _ID_WORD_NUMBER.fullmatch(text)
    if m is None or not re.search(r"[a-z]", m.group(1)):
        return []
    word = m.group(1).upper()
    printed = vocab.printed_label_strings()
    near = {
        label
        for joined, key, label in vocab.label_strings_sorted()
        if key == "member_id_suffix" and joined in printed and _one_edit_apart(word, joined)
    }
    if len(near) != 1:
        return []
    end = m.end(1) + (1 if text[m.end(1) : m.end(1) + 1] in (":", "#", ".") else 0)
    return [Anchor("member_id_suffix", line_idx, m.start(1), end, near.pop(), fuzzy=True)]


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter changed, added or dropped (not zero: an exact label was matched already)."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    if len(long_) - len(short) != 1:
        return False
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


# One word and a colon opening a label's value: the rest of the label, misread.
_MISREAD_LABEL_TAIL = re.compile(r"[A-Za-z]{2,8}[:;](?=\s)")

# "ID" as OCR reads it in a blurred label: the I as a one or an l, the D as a zero.
_MISREAD_ID = re.compile(r"\s*([1lI|][D0O])\b[:#.]?")


def misread_id_label(text: str, found: list[Anchor]) -> list[Anchor]:
    """A line that opens with a label word and "ID" read as digits ("Member 10"): the
    printed "Member ID" label, when what follows the word is no value of its own field
    (a name has no digits)."""
    if len(found) != 1 or found[0].start > 1:
        return []
    m = _MISREAD_ID.match(text, found[0].end)
    if m is None or _fits(found[0].key, _value_after(text, found[0].end)):
        return []
    key = vocab.label_index().get(f"{found[0].label} ID")
    if key is None or found[0].label.replace(" ", "") + "ID" not in vocab.printed_label_strings():
        return []
    return [Anchor(key, found[0].line, 0, m.end(), f"{found[0].label} ID")]


# "ID:" opening a line with both letters read as digits and its colon as "=": "10= 8123",
# or with its I lost: "D#555000197".
_MISREAD_BARE_ID = re.compile(r"\s*(?:[1lI|][D0O]|D)\s*[:=;#]\s*(?=\S*\d)")


def misread_bare_id_label(text: str, line_idx: int) -> list[Anchor]:
    """An "ID:" label misread as digits before an id ("10= 812345678"), or with its I
    lost ("D#555000197"): the colon says the characters are a label, and no number is
    printed with one."""
    m = _MISREAD_BARE_ID.match(text)
    if m is None or not _fits("member_id", _value_after(text, m.end())):
        return []
    return [Anchor("member_id", line_idx, 0, m.end(), "ID", fuzzy=True)]


# A label and its colon glued to the value after it: "Efective:09-01-2022".
_LABEL_COLON_VALUE = re.compile(r"\s*([A-Za-z][A-Za-z .]{3,24}?)\s*[:;]\s*(?=\S)")


def fuzzy_colon_label(text: str, line_idx: int) -> list[Anchor]:
    """A blurred label ended by a colon before its value ("Efective:09-01-2022"): the words
    before the colon are nearly a printed label (as ``fuzzy_label`` judges a bare one), and
    what follows fits that label's field."""
    m = _LABEL_COLON_VALUE.match(text)
    if m is None:
        return []
    flat = _label_letters(m.group(1))
    if len(flat) < 5:
        return []
    value = _value_after(text, m.end())
    best = _closest_printed_label(flat, lambda _joined, key: _fits(key, value))
    if best is None:
        return []
    return [Anchor(best[0], line_idx, 0, m.end(), best[1], fuzzy=True)]


def line_anchors(text: str, line_idx: int) -> list[Anchor]:
    """The labels of one line: read exactly, else read with a letter or two wrong."""
    found = _with_confusable(find_anchors(text, line_idx), text, line_idx)
    if found and found[0].start > 1:
        # A row of labelled codes whose first label blur misread ("BINS 610014 PCN ADV").
        found = fuzzy_code_label(text[: found[0].start], line_idx) + found
    return (
        misread_id_label(text, found)
        or misread_longer_label(text, found)
        or _label_row(text, line_idx, found)
        or found
        or misread_suffix_label(text, line_idx)
        or misread_bare_id_label(text, line_idx)
        or _label_with_misread_colon(text, line_idx)
        or fuzzy_colon_label(text, line_idx)
        or fuzzy_label(text, line_idx)
        or fuzzy_phone_label(text, line_idx)
        or fuzzy_code_label(text, line_idx)
    )


def _with_confusable(found: list[Anchor], text: str, line_idx: int) -> list[Anchor]:
    """The exact anchors and the labels read with letters blur confuses (``_CONFUSABLE``)
    where none was read, or where one spans exact anchors as a longer label ("Previders
    Call" is "Providers Call", not "Call"). A label of three letters only among labels read
    right ("BIN 547487 PEN S2054 GRP") or bare ("rx pen"): an id's prefix folds to one too
    ("PEM 8403507301" is no PCN, "GRP MRM89081" no MRN)."""
    out = list(found)
    for blurred in find_anchors(text, line_idx, confusable=True):
        short = len(blurred.label.replace(" ", "")) < 4
        if short and not found and _value_after(text, blurred.end):
            continue
        if (
            short
            and text[blurred.end : blurred.end + 1].isdigit()
            and any(not _value_after(text[a.end : blurred.start], 0) for a in found)
        ):
            continue  # the letters of the id right after a label ("GRP MRM89081" is no MRN)
        inside = [a for a in out if blurred.start < a.end and a.start < blurred.end]
        if all(blurred.start <= a.start and a.end <= blurred.end for a in inside) and not any(
            (a.start, a.end) == (blurred.start, blurred.end) for a in inside
        ):
            out = [a for a in out if a not in inside] + [blurred]
    return sorted(out, key=lambda a: a.start)


def _label_row(text: str, line_idx: int, found: list[Anchor]) -> list[Anchor]:
    """A table's row of labels that OCR read as one line ("ID Number  Group  Plan"): when
    the line opens with a label and its words are labels to the end, common words like
    "Group" and "Plan" are labels too, not the first label's value."""
    if not found or found[0].start > 1:
        return []
    between = [text[a.end : b.start] for a, b in itertools.pairwise(found)]
    if not any(_value_after(rest, 0) for rest in [*between, text[found[-1].end :]]):
        return []  # labels only already
    row = find_anchors(text, line_idx, weak=True)
    if len(row) <= len(found) or _value_after(text, row[-1].end):
        return []
    gaps = (text[a.end : b.start] for a, b in itertools.pairwise(row))
    if any(_value_after(gap, 0) for gap in gaps):
        return []
    return row


def _label_with_misread_colon(text: str, line_idx: int) -> list[Anchor]:
    """A bare label whose colon blur read as a letter ("Memberi", "Subseriberi"): the line
    without that last lower-case i or l, read exactly or nearly, is the label."""
    m = re.fullmatch(r"([A-Za-z][A-Za-z .#]*[a-z])[il]\s*", text)
    if m is None or len(text.split()) > 4:
        return []
    stem = m.group(1)
    found = find_anchors(stem, line_idx)
    if not (len(found) == 1 and found[0].start == 0 and found[0].end == len(stem)):
        found = fuzzy_label(stem, line_idx)
    return [replace(a, end=len(text)) for a in found]


def fuzzy_phone_label(text: str, line_idx: int) -> list[Anchor]:
    """A blurred phone label before its number ("Phammacist Use Only 877-392-8737"): the
    words before the line's phone number are nearly a printed phone label."""
    phones = correction.find_phones(text)
    if not phones:
        return []
    head = text[: phones[0][0]]
    flat = _label_letters(head)
    if len(flat) < 5 or len(head.split()) > 4:
        return []
    best = _closest_printed_label(flat, lambda _joined, key: key in PHONE_FIELDS)
    if best is None:
        return []
    return [Anchor(best[0], line_idx, 0, len(head.rstrip()), best[1])]


# Fields whose value is a code with digits: a blurred label before one is still its label.
CODE_FIELDS = frozenset(
    {"member_id", "group_number", "rx_bin", "rx_group", "rx_id", "payer_id", "medicaid_id"}
)
# Digits blur makes of a label's letters ("6roup", "Gr0up").
_DIGIT_AS_LETTER = str.maketrans("60518", "GOSIB")
_CODE_VALUE = re.compile(r"[A-Za-z0-9-]*\d[A-Za-z0-9-]*\d[A-Za-z0-9-]*")


def fuzzy_code_label(text: str, line_idx: int) -> list[Anchor]:
    """A blurred id label that opens its line before a code ("Grovp: 123456", "6roup
    0034521"): the words before the first token holding two digits are nearly a printed
    label of a field whose value is such a code."""
    words = list(re.finditer(r"\S+", text))
    at = next((k for k, w in enumerate(words) if _CODE_VALUE.fullmatch(w.group(0).strip(":#"))), 0)
    if not 1 <= at <= 3:
        return []
    head = text[: words[at - 1].end()]
    flat = "".join(
        ch for ch in _fold(head).upper().translate(_DIGIT_AS_LETTER) if ch.isalpha() or ch == "#"
    )
    if len(flat) < 5:
        return _short_code_label(flat, words[at].group(0).strip(":#"), head, line_idx)
    best = _closest_printed_label(flat, lambda _joined, key: key in CODE_FIELDS)
    if best is None:
        return []
    return [Anchor(best[0], line_idx, 0, len(head), best[1], fuzzy=True)]


def _code_labels_one_off(flat: str) -> dict[str, str]:
    """Field key -> printed label of the code fields' labels one letter off ``flat``."""
    printed = vocab.printed_label_strings()
    return {
        key: label
        for joined, key, label in vocab.label_strings_sorted()
        if key in CODE_FIELDS and joined in printed and _one_edit_apart(flat, joined)
    }


def _short_code_label(flat: str, code: str, head: str, line_idx: int) -> list[Anchor]:
    """A short code label one letter off ("BINS 610014"): too short to judge by its letters
    alone, so the code after it must be its field's value too (a BIN is six digits)."""
    if len(flat) < 3:
        return []
    near = _code_labels_one_off(flat)
    if len(near) != 1:
        return []
    key, label = near.popitem()
    if not _fits(key, code) or (key == "rx_bin" and not re.fullmatch(r"\d{6}", code)):
        return []
    return [Anchor(key, line_idx, 0, len(head), label, fuzzy=True)]


# A short label alone on its line, its colon maybe read as a letter ("BINN" for "BIN:").
_BARE_SHORT_LABEL = re.compile(r"[A-Za-z]{3,5}[:;.]?")


def _short_labels_beside_codes(
    anchors_by_line: list[list[Anchor]], lines: list[OcrLine], med_h: float
) -> list[list[Anchor]]:
    """A short code label blur misread, alone on its line, whose code OCR read as the next
    line along the row ("BINN" then "775167"): as ``_short_code_label`` judges one line."""
    out = list(anchors_by_line)
    for i, line in enumerate(lines):
        text = line.text.strip()
        if out[i] or not _BARE_SHORT_LABEL.fullmatch(text):
            continue
        beside = [
            m
            for m, other in enumerate(lines)
            if not anchors_by_line[m]
            and _v_overlap(line.box, other.box) >= 0.5
            and 0 <= other.box[0] - line.box[2] <= 3 * med_h
        ]
        if not beside:
            continue
        code = lines[min(beside, key=lambda m: lines[m].box[0])].text.strip()
        if _CODE_VALUE.fullmatch(code):
            flat = _label_letters(text)
            out[i] = _short_code_label(flat, code, line.text, i)
    return out


# A short label blur misread, alone on its line; blur reads an Rx label's x as "+".
_BARE_MISREAD_LABEL = re.compile(r"[A-Za-z+]{3,6}[:;.]?")


def _short_labels_in_label_row(
    anchors_by_line: list[list[Anchor]], lines: list[OcrLine], med_h: float
) -> list[list[Anchor]]:
    """A short code label blur misread ("RaID", "ORP", "R+BIN"), alone on its line, in a
    table's header row: the one code label it is a letter off, when only one field's label
    is, and either two or more code labels read right sit on its row ("RxBIN  RxPCN
    RxGrp"), or another label does and the line under it fits that field ("ID NUMBER
    ORP" over "05741-044"). Without it, that column's value goes to the label on its left,
    glued to the value OCR read across both columns, or to none."""
    out = list(anchors_by_line)
    for i, line in enumerate(lines):
        text = line.text.strip()
        if out[i] or not _BARE_MISREAD_LABEL.fullmatch(text):
            continue
        row = [
            m
            for m, anchors in enumerate(anchors_by_line)
            if m != i and anchors and _v_overlap(line.box, lines[m].box) >= 0.5
        ]
        if not row:
            continue
        near = _code_labels_one_off(_label_letters(text))
        if len(near) != 1:
            continue
        key, label = near.popitem()
        code_labels = [
            m
            for m in row
            if len(anchors_by_line[m]) == 1
            and anchors_by_line[m][0].key in CODE_FIELDS
            and not _value_after(lines[m].text, anchors_by_line[m][0].end)
        ]
        below = [
            other.text.strip()
            for k, other in enumerate(lines)
            if not anchors_by_line[k]
            and abs(other.box[0] - line.box[0]) < 1.5 * med_h
            # By tops: blurred boxes grow into the next row.
            and 0.5 * line.height <= other.box[1] - line.box[1]
            and other.box[1] - line.box[3] <= 1.0 * med_h
        ]
        if len(code_labels) >= 2 or any(_fits(key, value) for value in below):
            out[i] = [Anchor(key, i, 0, len(line.text), label, fuzzy=True)]
    return out


def _closest_printed_label(flat: str, admit: Callable[[str, str], bool]) -> tuple[str, str] | None:
    """(field key, label) of the printed label whose letters are nearest ``flat`` (within
    three letters of its length, ratio at least FUZZY_LABEL_MIN_RATIO), among the labels
    ``admit(joined letters, key)`` accepts."""
    best: tuple[float, str, str] | None = None
    printed = vocab.printed_label_strings()
    for joined, key, label in vocab.label_strings_sorted():
        if joined not in printed or abs(len(joined) - len(flat)) > 3 or not admit(joined, key):
            continue
        ratio = difflib.SequenceMatcher(None, flat, joined).ratio()
        if ratio >= FUZZY_LABEL_MIN_RATIO and (best is None or ratio > best[0]):
            best = (ratio, key, label)
    return None if best is None else (best[1], best[2])


# Share of a line's box inside another's for the two to be the same print.
SAME_PRINT_COVER = 0.8
# A cell read again inside its row's line is a repeat unless OCR was this much surer of it.
REPEAT_SCORE_MARGIN = 0.05


def _drop_repeated_reads(lines: list[OcrLine]) -> list[OcrLine]:
    """OCR sometimes reads a row twice, as one line and as its cells:
    - cells that blur glued into one line ("390760J90" over the BIN "390760" and the PCN
      "J90"): the glued line is the repeat, the cells keep the columns' values apart;
    - a line that holds its cells with their spaces ("Specialist Visit $20 Emergency $100"
      over "Specialist Visit $20" and "Emergency $100"): a cell read no better than the line
      is the repeat (the card would list the copay twice). A cell read clearly better than
      the line stays ("12-01-2024" under a blurred "Efe<tiva: 12-01-2024");
    - a line that is a cell and a stray mark ("+Keystone BlueCross" over the payer's name,
      the logo read as a plus): the line is the repeat."""

    def letters(text: str) -> str:
        return re.sub(r"\s+", "", text)

    def inside(i: int) -> list[int]:
        return sorted(
            (
                k
                for k in range(len(lines))
                if k != i and covered(lines[k].box, lines[i].box) >= SAME_PRINT_COVER
            ),
            key=lambda k: lines[k].box[0],
        )

    glued = {
        i
        for i, ln in enumerate(lines)
        if len(cells := inside(i)) >= 2
        and "".join(letters(lines[k].text) for k in cells) == ln.text.strip()
    }
    repeats: set[int] = set()
    for i, ln in enumerate(lines):
        if i in glued:
            continue
        whole = letters(ln.text)
        for k in inside(i):
            cell = letters(lines[k].text)
            if not 0 < len(cell) < len(whole) or cell not in whole:
                continue
            if not re.search(r"[A-Za-z0-9]", whole.replace(cell, "", 1)):
                repeats.add(i)  # the line is the cell and a stray mark ("+Keystone ...")
            elif lines[k].score <= ln.score + REPEAT_SCORE_MARGIN:
                repeats.add(k)
    return [ln for i, ln in enumerate(lines) if i not in glued | repeats]


def covered(inner: Box, outer: Box) -> float:
    """Share of ``inner``'s area that ``outer`` covers."""
    ix = max(0.0, min(inner[2], outer[2]) - max(inner[0], outer[0]))
    iy = max(0.0, min(inner[3], outer[3]) - max(inner[1], outer[1]))
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    return ix * iy / area if area > 0 else 0.0


def _split_blocks_after_phones(lines: list[OcrLine]) -> list[OcrLine]:
    """Split a phone number from the next block OCR read on the same line: a bare label of
    another field ("1 (866)351-4481Submit claims to:") or an address ("...2567 PO Box 4117",
    "...375-3084 Jacksonville, FL 32231-5512"). The blocks sat side by side on the card; the
    label's value is under it, not before it."""
    out: list[OcrLine] = []
    for ln in lines:
        text = ln.text
        phones = correction.phone_spans(text)
        if not phones:
            out.append(ln)
            continue
        cut = phones[-1][1]
        rest = text[cut:]
        anchors = find_anchors(rest, 0)
        bare_label = (
            len(anchors) == 1
            and anchors[0].key not in PHONE_FIELDS
            and not rest[: anchors[0].start].strip()
            and not _value_after(rest, anchors[0].end)
        )
        address = correction.PO_BOX.match(rest.lstrip()) or _CITY_STATE_ZIP.fullmatch(rest.strip())
        if rest.strip() and (bare_label or address):
            head = text[:cut].rstrip()
            start = len(text) - len(rest.lstrip())
            out.append(OcrLine(head, _sub_box(ln, 0, len(head)), ln.score))
            out.append(OcrLine(text[start:], _sub_box(ln, start, len(text)), ln.score))
        else:
            out.append(ln)
    return out


def _sub_box(line: OcrLine, start: int, end: int) -> Box:
    """Approximate box of a character span of a line (proportional to character count)."""
    n = max(len(line.text), 1)
    x0, y0, x1, y1 = line.box
    w = x1 - x0
    return (x0 + w * start / n, y0, x0 + w * end / n, y1)


def _row_label_boxes(
    lines: list[OcrLine], i: int, anchors_by_line: list[list[Anchor]], label_lines: set[int]
) -> list[Box]:
    """Boxes of the labels on line i's row: its own and those of bare-label lines beside it."""
    boxes = [_span_box(lines[i], a.start, a.end) for a in anchors_by_line[i]]
    for k in label_lines:
        if k != i and _v_overlap(lines[i].box, lines[k].box) >= 0.5:
            boxes.extend(_span_box(lines[k], a.start, a.end) for a in anchors_by_line[k])
    return sorted(boxes)


def _column_span(line: OcrLine, cut: int, lab: Box, row_labels: list[Box]) -> tuple[Box, int, int]:
    """(box, start, end) of the words of ``line[:cut]`` in the column of label box ``lab``.

    A table's value row can come out of OCR as one line across the columns of the label row
    above it. Columns split halfway between neighbouring labels, and a word belongs to the
    column its first letter falls in (values are left-aligned, or centred on their label),
    unless it ends before that column's label starts: then the value on its left runs on
    ("Blue Heron Software Inc" under "Group Name", with "Effective Date" far to the right).
    The whole line is the span when its words fall in one column only; an empty span when
    none of them is in this label's column.
    """
    whole = (line.box, 0, cut)
    if len(row_labels) < 2:
        return whole
    idx = min(range(len(row_labels)), key=lambda n: abs(row_labels[n][0] - lab[0]))
    bounds = [(a[2] + b[0]) / 2 for a, b in itertools.pairwise(row_labels)]

    def column(x0: float, x1: float) -> int:
        col = bisect.bisect(bounds, x0)
        while col > 0 and x1 < row_labels[col][0]:
            col -= 1
        return col

    words = [(w, column(w[2], w[3])) for w in _word_spans(line, cut)]
    if len({col for _, col in words}) < 2:
        return whole
    mine = [w for w, col in words if col == idx]
    if not mine:
        return line.box, 0, 0
    y0, y1 = line.box[1], line.box[3]
    return (mine[0][2], y0, mine[-1][3], y1), mine[0][0], mine[-1][1]


def _word_spans(line: OcrLine, cut: int) -> list[tuple[int, int, float, float]]:
    """(start, end, x0, x1) of each word of ``line[:cut]`` (``_span_box`` positions)."""
    out = []
    for m in re.finditer(r"\S+", line.text[:cut]):
        box = _span_box(line, m.start(), m.end())
        out.append((m.start(), m.end(), box[0], box[2]))
    return out


def _span_box(line: OcrLine, start: int, end: int) -> Box:
    """Box of a character span of a line that may be read across table columns.

    OCR writes one space for any gap, so a line read across columns is wider than its
    letters: letters get the width the line's height suggests (at most their even share of
    the box) and the rest of the width goes to the gaps between words. On an ordinary line
    this is ``_sub_box``.
    """
    text = line.text
    x0, y0, x1, y1 = line.box
    char_w = min((x1 - x0) / max(len(text), 1), 0.55 * (y1 - y0))
    gaps = len(re.findall(r"\s+", text.strip()))
    extra = max(0.0, (x1 - x0) - char_w * len(text)) / max(gaps, 1)
    lead = len(text) - len(text.lstrip())

    def x_at(c: int) -> float:
        return x0 + char_w * c + extra * len(re.findall(r"\s+", text[lead:c]))

    return (x_at(start), y0, x_at(start) + char_w * (end - start), y1)


def _keys_found(found: list[Candidate]) -> set[str]:
    """The fields candidates already give. A "Plan" label's code is the plan number and its
    "EPO" the plan type: neither stands for the plan's name, which is left to the model."""
    keys = set()
    for c in found:
        key = correction.candidate_key(c)
        keys.add(key if key == "plan_number" or c.key == "plan_name" else c.key)
    return keys


def _union(*boxes: Box) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _label_between(lab: Box, value: Box, labels: list[Box], *, across: bool) -> bool:
    """Whether one of ``labels`` sits wholly between label box ``lab`` and a candidate value
    box: on the row between them (``across``) or in the column between them."""
    for b in labels:
        if across:
            if _v_overlap(lab, b) >= 0.5 and b[0] >= lab[2] - 2 and b[2] <= value[0] + 2:
                return True
        elif _h_overlap(b, value) > 0.3 and b[1] >= lab[3] - 2 and b[3] <= value[1] + 2:
            return True
    return False


def _v_overlap(a: Box, b: Box) -> float:
    inter = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, inter) / max(1e-6, min(a[3] - a[1], b[3] - b[1]))


def _h_overlap(a: Box, b: Box) -> float:
    inter = min(a[2], b[2]) - max(a[0], b[0])
    return max(0.0, inter) / max(1e-6, min(a[2] - a[0], b[2] - b[0]))


@dataclass
class SideExtraction:
    lines: list[OcrLine]
    candidates: list[Candidate]
    used: set[int]  # lines consumed as labels or values
    label_lines: set[int]
    bare_label_keys: list[str | None]  # per line: the field of a label printed alone
    label_keys: list[str | None]  # per line: the field of the label it opens with, if any


# Below this line-model probability a free line is not given a field.
LINE_MODEL_MIN_PROB = 0.5
# A payer line the model is less sure of than LINE_MODEL_MIN_PROB, but not unsure: returned
# when it stands out as the side's one payer-like line (below) or when the card names it
# again (correction.confirm_repeated_payer).
WEAK_PAYER_MIN_PROB = 0.05
# A line whose ``sole_line_chance`` reaches this stands out as the side's one line of its
# field: every other line is all but ruled out.
SOLE_LINE_MIN_CHANCE = 0.9
# Every card names its insurer. A weak payer line that stands out so is taken at this
# extract score, which passes the field threshold on a found card.
SOLE_PAYER_EXTRACT = 0.85
_RX_LEAD = re.compile(r"\s*RX\s*[:\-]\s*", re.IGNORECASE)
# "Coverage SILVER 3500 EPO", "Program: STAR Kids": a word printed as the plan's label on
# the plan's own line, which no label list holds ("Coverage: Family" is no plan's label).
_PLAN_LEAD = re.compile(r"\s*(?:COVERAGE|PROGRAM)\b\s*:?\s*", re.IGNORECASE)
# Free-line fields whose line may open with a lead that is no part of the value.
_FREE_LEADS = {"pbm_name": _RX_LEAD, "plan_name": _PLAN_LEAD}


def sole_line_chance(probs: np.ndarray, row: int) -> float:
    """The chance that line ``row`` is the one line of a field, given each line's own
    probability of being it and that exactly one line is: its odds over the sum of all
    lines' odds. A line the model gives 0.2 stands out when every other line gets 0.001."""
    p = np.clip(np.asarray(probs, dtype=np.float64), 1e-6, 1 - 1e-6)
    odds = p / (1 - p)
    return float(odds[row] / odds.sum())


class Extractor:
    """Rule-based labelling plus an optional learned line classifier."""

    def __init__(self, line_model: LineModel | None = None) -> None:
        self.line_model = line_model

    def extract(
        self, lines: list[OcrLine], width: float, height: float, *, side: str = "front"
    ) -> SideExtraction:
        lines = _split_blocks_after_phones(
            [OcrLine(_split_glued(ln.text), ln.box, ln.score) for ln in _drop_repeated_reads(lines)]
        )
        anchors_by_line = [line_anchors(ln.text, i) for i, ln in enumerate(lines)]
        med_h = sorted(ln.height for ln in lines)[len(lines) // 2] if lines else 20.0
        anchors_by_line = _short_labels_beside_codes(anchors_by_line, lines, med_h)
        anchors_by_line = _short_labels_in_label_row(anchors_by_line, lines, med_h)
        anchors_by_line = _rx_context(anchors_by_line, lines, med_h)
        anchors_by_line = [
            _phone_label_words(anchors, ln.text)
            for anchors, ln in zip(anchors_by_line, lines, strict=True)
        ]
        label_lines = {
            i
            for i, anchors in enumerate(anchors_by_line)
            if anchors
            and not _value_after(lines[i].text, anchors[-1].end)
            and (anchors[0].start <= 1 or _qualified_label(lines[i].text, anchors[0], len(anchors)))
        }
        # Lines that open with a label hold their own value: never another label's value.
        anchored = {
            i for i, anchors in enumerate(anchors_by_line) if anchors and anchors[0].start <= 1
        }
        bare_keys: list[str | None] = [
            anchors_by_line[i][-1].key if i in label_lines else None for i in range(len(lines))
        ]
        label_keys: list[str | None] = [
            anchors_by_line[i][0].key if i in anchored else None for i in range(len(lines))
        ]
        used: set[int] = set()
        candidates: list[Candidate] = []

        for i, anchors in enumerate(anchors_by_line):
            line = lines[i]
            for j, anchor in enumerate(anchors):
                end = anchors[j + 1].start if j + 1 < len(anchors) else len(line.text)
                raw = line.text[anchor.end : end]
                value = _value_after(raw, 0)
                if anchor.start <= 1 or j > 0:
                    used.add(i)
                if anchor.key == "copays":
                    continue  # copay blocks are parsed as a whole by _copays
                if value:
                    lead = len(raw) - len(raw.lstrip(" :#.-="))  # as _value_after
                    tail = _MISREAD_LABEL_TAIL.match(value)
                    if tail is not None and _value_after(value, tail.end()):
                        # "Member Narne: JANE DOE": the colon ends the label, so the word
                        # before it is the label's own, misread, not the value's.
                        lead += tail.end()
                        value = _value_after(value, tail.end())
                    vs = anchor.end + lead
                    method = "label_fuzzy_inline" if anchor.fuzzy else "label_inline"
                    cand = Candidate(
                        key=anchor.key,
                        text=value,
                        box=_sub_box(line, vs, vs + len(value)),
                        ocr_score=line.score,
                        extract_score=METHOD_SCORE[method],
                        method=method,
                        lines=(i,),
                        label=anchor.label,
                    )
                    if anchor.key in MULTILINE_FIELDS:
                        self._extend_below(cand, lines, i, label_lines, med_h, used)
                    candidates.append(cand)
                    used.add(i)
                else:
                    # A bare label takes a value from a neighbouring line, but only if nothing
                    # but labels precede it ("Employee Health Benefit Plan" is no label row).
                    before = line.text[anchors[j - 1].end : anchor.start] if j else ""
                    if (
                        (j == 0 and anchor.start <= 1)
                        or (j > 0 and not _value_after(before, 0))
                        or (j == 0 and _qualified_label(line.text, anchor, len(anchors)))
                    ):
                        candidates.extend(
                            self._linked_values(
                                anchor,
                                lines,
                                i,
                                label_lines | anchored,
                                med_h,
                                used,
                                _row_label_boxes(lines, i, anchors_by_line, label_lines),
                            )
                        )
        candidates.extend(self._format_fields(lines, used, candidates))
        # Every insurance card side prints some label or formatted value (an id, a phone):
        # on a side with none (a driver's licence), the model's guesses at free lines
        # ("MONTANA" as the payer) are no card's fields.
        if self.line_model is not None and candidates:
            candidates.extend(
                self._free_lines(
                    lines, width, height, side, used, (bare_keys, label_keys), candidates
                )
            )
        return SideExtraction(lines, candidates, used, label_lines, bare_keys, label_keys)

    def _free_lines(
        self,
        lines: list[OcrLine],
        width: float,
        height: float,
        side: str,
        used: set[int],
        keys: tuple[list[str | None], list[str | None]],
        found: list[Candidate],
    ) -> list[Candidate]:
        """Give unlabelled lines a field with the learned line classifier."""
        assert self.line_model is not None
        free = [i for i in range(len(lines)) if i not in used]
        if not free:
            return []
        feats = line_features(
            lines, width, height, is_back=side == "back", anchor_keys=keys[0], label_keys=keys[1]
        )
        probs = self.line_model.predict(feats[free])
        classes = self.line_model.classes
        # One payer and one plan per card, judged on the model's reading; then the title.
        free_texts = [lines[i].text for i in free]
        # What labels already give ("Plan 860" is a plan number: the plan's name is left to
        # the model); a labelled member leaves no runner-up payer to be the member.
        have = _keys_found(found)
        _second_payer_is_member(probs, classes, free_texts, member_found="member_name" in have)
        _second_payer_is_plan(probs, classes, free_texts)
        _programme_is_no_payer(probs, classes, free_texts)
        _second_plan_is_member(probs, classes, free_texts)
        _named_type_is_plan(probs, classes, free_texts)
        # A line that is exactly a known payer ("Medicare"), or a known payer and the card's
        # title ("MEDICARE HEALTH INSURANCE"), printed large at the top of the card is the
        # payer, whatever the model thinks of its neighbours.
        titled: dict[int, tuple[str, Box]] = {}
        if "payer_name" in classes:
            c = classes.index("payer_name")
            # Large among the lines of the card's upper half: a plan badge in a bottom
            # corner may be printed larger still.
            upper = [i for i in free if lines[i].box[1] < height / 2] or free
            top_h = max(lines[i].height for i in upper)
            top_y = min(lines[i].box[1] for i in free)
            for r, i in enumerate(free):
                ln = lines[i]
                payer = _known_payer(ln.text)
                if (
                    ln.height >= 0.75 * top_h
                    and ln.box[1] <= top_y + 0.5 * ln.height
                    and payer is not None
                ):
                    probs[:, c] = 0.0
                    probs[r] = 0.0
                    probs[r, c] = 0.97
                    box = _sub_box(ln, 0, len(payer))
                    below = _region_below(lines, i, free)
                    if below is not None and payer == ln.text.strip():
                        payer = f"{payer} {lines[below].text.strip()}"
                        box = _union(box, lines[below].box)
                        probs[free.index(below)] = 0.0
                    titled[i] = (payer, box)
                    break
        out: list[Candidate] = []
        for c, key in enumerate(classes):
            if key == "other" or key in have:
                continue
            col = probs[:, c]
            # The two likeliest lines: when the validator rejects the first (a plan name
            # is no person's name), the runner-up may still be the field.
            rows = [r for r in np.argsort(-col)[:2] if int(np.argmax(probs[r])) == c]
            if key == "payer_name" and not rows:
                # The likeliest payer line the model calls "other" (no other field) may
                # still be a weak payer, for the card to confirm.
                top = int(np.argmax(col))
                rows = [top] if classes[int(np.argmax(probs[top]))] == "other" else []
            for r in rows:
                p = float(col[r])
                # An unsure payer is kept, marked weak: the card may name it again
                # elsewhere (the back, its web address), which confirms it
                # (correction.confirm_repeated_payer, after both sides are read).
                weak = (
                    key == "payer_name"
                    and WEAK_PAYER_MIN_PROB <= p < LINE_MODEL_MIN_PROB
                    and not any(c.key == key for c in out)
                )
                if p < LINE_MODEL_MIN_PROB and not weak:
                    continue
                i = free[int(r)]
                line = lines[i]
                words = vocab.norm_label(line.text).split()
                if key == "plan_type" and not any(w in vocab.PLAN_TYPES for w in words):
                    continue
                if key == "plan_name" and _known_payer(line.text) == line.text.strip():
                    continue  # a payer's name ("BlueCross BlueShield" under "Anthem") is no plan
                text = _strip_misread_label(line.text, key)
                box = line.box
                lead_re = _FREE_LEADS.get(key)
                lead = lead_re.match(text) if lead_re else None
                if lead and text[lead.end() :].strip():
                    # "Rx: Express Scripts": the lead says whose pharmacy benefit it is.
                    box = _sub_box(line, len(line.text) - len(text) + lead.end(), len(line.text))
                    text = text[lead.end() :].strip()
                if key == "payer_name" and i in titled:
                    text, box = titled[i]
                method = correction.WEAK_LINE_MODEL if weak else "line_model"
                share = sole_line_chance(col, int(r))
                if key == "payer_name" and share >= SOLE_LINE_MIN_CHANCE:
                    # The side's one payer-like line is the insurer every card names, the
                    # surer the model the better: never below a weak line's standing.
                    p = max(p, SOLE_PAYER_EXTRACT)
                out.append(Candidate(key, text, box, line.score, p, method, (i,), share=share))
        found_keys = have | {c.key for c in out}
        out.extend(_by_shape(lines, free, probs, classes, found_keys))
        taken = {i for c in out for i in c.lines}
        employer = _employer_by_shape(lines, free, probs, classes, have, found_keys, taken)
        if employer is not None:
            out.append(employer)
        return out

    def _linked_values(
        self,
        anchor: Anchor,
        lines: list[OcrLine],
        i: int,
        label_lines: set[int],
        med_h: float,
        used: set[int],
        row_labels: list[Box],
    ) -> list[Candidate]:
        """Candidate values of a bare label: the nearest free line right of, below and
        above it. All are returned (scored by direction and distance) and the field's
        validator picks: a date far to the right is no group number.

        Within one direction the nearest line that fits the field's format wins over a
        nearer one that does not ("Coverage starts" beside "HOSPITAL (PART A)", the date
        half a line lower), and a line another label already took as its value is a
        worse choice (table rows are read top-down, so the next label takes the next row).
        Above/below are judged by line centres, as blurred photos grow boxes into each other.
        Under a row of labels (``row_labels``), a value line OCR read across several columns
        ("W123456789 0078451" under "Member ID  Group") gives this label its column only.
        """
        lab = _sub_box(lines[i], anchor.start, anchor.end)
        lab_in_row = _span_box(lines[i], anchor.start, anchor.end)
        lab_h = max(med_h, lab[3] - lab[1])
        lab_cy = (lab[1] + lab[3]) / 2
        best: dict[str, tuple[float, int]] = {}
        values: dict[tuple[int, bool], tuple[str, Box]] = {}

        def value_of(k: int, column: bool = False) -> tuple[str, Box]:
            """(value, box) of line k for this label: the text before any further label on
            it ("610014  PCN ADV"), and with ``column`` only this label's column."""
            if (k, column) not in values:
                text = lines[k].text
                further = [*find_anchors(text, k), *misread_suffix_label(text, k)]
                cut = min((a.start for a in further if a.start > 0), default=len(text))
                box, start, end = _sub_box(lines[k], 0, cut), 0, cut
                if column:
                    box, start, end = _column_span(lines[k], cut, lab_in_row, row_labels)
                    if (start, end) == (0, cut):
                        box = _sub_box(lines[k], 0, cut)
                values[k, column] = (text[start:end].strip(" :#.-"), box)
            return values[k, column]

        def offer(method: str, dist: float, k: int) -> None:
            if not _fits(anchor.key, value_of(k, method != "label_right")[0]):
                dist += 10.0
            if k in used:
                dist += 1.0
            if method not in best or dist < best[method][0]:
                best[method] = (dist, k)

        # A phone may sit across the card from its label, past the web address.
        reach = 30 if anchor.key in PHONE_FIELDS else 16
        # Another label between this one and a line claims that line ("Plan  Group  123456").
        others = [b for b in row_labels if b[0] > lab_in_row[2] - 1] + [
            lines[m].box for m in label_lines if m != i
        ]
        for k, other in enumerate(lines):
            if k == i or k in label_lines:
                continue
            b = other.box
            cy = (b[1] + b[3]) / 2
            gap_x = b[0] - lab[2]
            beside = _v_overlap(lab, b) >= 0.5 or abs(cy - lab_cy) <= 0.6 * lab_h
            if (
                beside
                and -0.5 * med_h <= gap_x <= reach * med_h
                and not _label_between(lab, b, others, across=True)
            ):
                offer("label_right", max(0.0, gap_x) / (6 * med_h) + abs(cy - lab_cy) / med_h, k)
            aligned = _h_overlap(lab, b) > 0.3 or abs(b[0] - lab[0]) < 1.5 * med_h
            if not aligned:
                continue
            gap_y = b[1] - lab[3]
            if (
                gap_y <= 1.6 * lab_h
                and (gap_y >= -0.3 * med_h or cy >= lab[3] - 0.1 * lab_h)
                and not _label_between(lab, b, others, across=False)
            ):
                offer("label_below", max(0.0, gap_y) / med_h + 0.02 * abs(b[0] - lab[0]) / med_h, k)
            gap_up = lab[1] - b[3]
            if gap_up <= 1.0 * lab_h and (gap_up >= -0.3 * med_h or cy <= lab[1] + 0.1 * lab_h):
                offer("label_above", max(0.0, gap_up) / med_h, k)
        key = anchor.key
        right = best.get("label_right")
        if key in _PARTY_PHONE and right and correction.find_phones(value_of(right[1])[0]):
            # "Pharmacy Benefit Manager  1-800-423-1973": a row of the phone list.
            key, best = _PARTY_PHONE[key], {"label_right": right}
        out: list[Candidate] = []
        for method, (dist, k) in best.items():
            other = lines[k]
            value, box = value_of(k, method != "label_right")
            if not value:
                continue
            cand = Candidate(
                key=key,
                text=value,
                box=box,
                ocr_score=other.score,
                extract_score=METHOD_SCORE[method] - 0.08 * min(1.0, dist),
                method=method,
                lines=(k,),
                label=anchor.label,
            )
            if anchor.key in MULTILINE_FIELDS and method != "label_above":
                self._extend_below(cand, lines, k, label_lines, med_h, used)
            out.append(cand)
        # Only the preferred reading consumes its line; the others stay free for the
        # line model in case they are not this field's value after all. A fallback on a
        # line another label already took is that label's value ("Plan" under the group
        # number reads the group from above; its own value is below).
        out.sort(key=lambda c: -c.extract_score)
        out = out[:1] + [c for c in out[1:] if not set(c.lines) & used]
        if out:
            used.update(out[0].lines)
        return out

    def _extend_below(
        self,
        cand: Candidate,
        lines: list[OcrLine],
        k: int,
        label_lines: set[int],
        med_h: float,
        used: set[int],
    ) -> None:
        """Continue a multi-line value (addresses) with left-aligned lines just below."""
        last = lines[k].box
        texts = [cand.text]
        boxes = [cand.box]
        scores = [cand.ocr_score]
        line_ids = list(cand.lines)
        if cand.key == "dependents":
            # Dependents are also printed side by side on one row.
            right = last
            while True:
                nxt_row = [
                    m
                    for m, other in enumerate(lines)
                    if m not in line_ids
                    and m not in label_lines
                    and m not in used
                    and _v_overlap(right, other.box) >= 0.5
                    and 0 <= other.box[0] - right[2] <= 3 * med_h
                    and not find_anchors(other.text, m)
                ]
                if not nxt_row:
                    break
                m = min(nxt_row, key=lambda m: lines[m].box[0])
                texts.append(lines[m].text.strip())
                boxes.append(lines[m].box)
                scores.append(lines[m].score)
                line_ids.append(m)
                used.add(m)
                right = lines[m].box
        for _ in range(3):
            if cand.key == "claims_address" and _ZIP_END.search(texts[-1]):
                break  # "City, ST 12345" closes an address
            nxt = None
            for m, other in enumerate(lines):
                if m in line_ids or m in label_lines or m in used:
                    continue
                b = other.box
                gap = b[1] - last[3]
                # By centres too: a box OCR merged across two rows reaches into the next.
                centre_y = (b[1] + b[3]) / 2
                below = gap >= -0.3 * med_h or centre_y >= last[3] - 0.1 * (last[3] - last[1])
                if below and gap <= 1.0 * med_h and abs(b[0] - boxes[-1][0]) < 2 * med_h:
                    nxt = m
                    break
            if nxt is None:
                break
            other = lines[nxt]
            if correction.find_phones(other.text) or find_anchors(other.text, nxt):
                break
            # Address lines are short or carry numbers; a sentence is fine print.
            words = len(other.text.split())
            if words > 5 and not (re.search(r"\d", other.text) and words <= 8):
                break
            texts.append(other.text.strip())
            boxes.append(other.box)
            scores.append(other.score)
            line_ids.append(nxt)
            used.add(nxt)
            last = other.box
        cand.text = ", ".join(texts)
        cand.value = texts
        cand.box = _union(*boxes)
        cand.ocr_score = min(scores)
        cand.lines = tuple(line_ids)

    def _format_fields(
        self, lines: list[OcrLine], used: set[int], found: list[Candidate]
    ) -> list[Candidate]:
        """Fields recognised by their value format rather than a label."""
        # A labelled "Plan 860" is the card's plan number already.
        have = _keys_found(found)
        out: list[Candidate] = []

        def add(
            key: str, value: str, line: OcrLine, i: int, m: re.Match[str], have_as: str
        ) -> None:
            box = _sub_box(line, m.start(), m.end())
            out.append(
                Candidate(key, value, box, line.score, METHOD_SCORE["format"], "format", (i,))
            )
            have.add(have_as)
            used.add(i)

        for i, line in enumerate(lines):
            up = line.text.upper()
            if "medicare_mbi_format" not in have:
                m = _MBI_LIKE.search(up)
                if m and correction.normalize_mbi("".join(m.groups())) is not None:
                    add("medicare_mbi", m.group(0), line, i, m, "medicare_mbi_format")
            if "issuer_id" not in have:
                m = _ISSUER.search(up)
                if m:
                    add(
                        "issuer_id",
                        "80840" + re.sub(r"\D", "", m.group(1)),
                        line,
                        i,
                        m,
                        "issuer_id",
                    )
            if "plan_number" not in have and i not in used:
                m = _CMS_CONTRACT.search(up)
                if m:
                    add("plan_number", m.group(0), line, i, m, "plan_number")
        copays = self._copays(lines, found)
        if copays is not None and "copays" not in have:
            out.append(copays)
            # A copay row's benefit ("Rx Generic") is no free line for the line model to
            # call a PBM or a plan.
            used.update(copays.lines)
        if copays is None and "deductible" not in have:
            deductible = _lone_amount_deductible(lines, used)
            if deductible is not None:
                out.append(deductible)
                used.update(deductible.lines)
        out.extend(_rx_column_values(lines, used, found))
        out.extend(_rx_row_values(lines, used, [*found, *out]))
        out.extend(_unlabelled_rx_stack(lines, used, [*found, *out]))
        return out

    def _copays(self, lines: list[OcrLine], found: list[Candidate]) -> Candidate | None:
        """Benefit/amount pairs ("PCP $25", "ER: $250") anywhere on the side.

        A benefit printed in one column and its amount in another (two OCR lines on one
        row) are joined first. Pairs come out in reading order (rows, then left to right).
        """
        taken = {
            ln
            for c in found
            if c.key in ("deductible", "plan_name", "plan_number")
            for ln in c.lines
        }
        texts: dict[int, str] = {}
        for i, line in enumerate(lines):
            text = line.text
            for anchor in find_anchors(text, i):
                if anchor.key == "copays" and anchor.start <= 1:
                    text = " " * anchor.end + text[anchor.end :]
            texts[i] = text
        amount_only = {
            i
            for i, t in texts.items()
            if i not in taken and re.fullmatch(r"\s*" + _MONEY + r"\s*", t)
        }
        joined: dict[int, tuple[str, Box, tuple[int, ...], correction.CopayRead]] = {}
        for i, line in enumerate(lines):
            if i in taken or i in amount_only or _benefit_text(texts[i].strip(" :-")) is None:
                continue
            right = [
                k
                for k in amount_only
                if _v_overlap(line.box, lines[k].box) >= 0.5 and lines[k].box[0] > line.box[2] - 2
            ]
            if right:
                k = min(right, key=lambda k: lines[k].box[0])
                amount_only.discard(k)
                box = (
                    line.box[0],
                    min(line.box[1], lines[k].box[1]),
                    lines[k].box[2],
                    max(line.box[3], lines[k].box[3]),
                )
                text = f"{texts[i].strip()} {lines[k].text.strip()}"
                read = correction.CopayRead(lines[k].box, lines[k].score, line.score, True)
                joined[i] = (text, box, (i, k), read)
        found_pairs: list[_CopayPair] = []
        for i, line in enumerate(lines):
            if i in taken or i in amount_only:
                continue
            # A line of benefits and amounts: one read for all of it.
            one_line = correction.CopayRead(line.box, line.score, line.score, alone=False)
            text, box, ids, read = joined.get(i, (texts[i], line.box, (i,), one_line))
            score = min(read.score, read.benefit_score)
            proxy = OcrLine(text, box, score)
            for m in _COPAY_PAIR.finditer(text):
                benefit = _benefit_text(m.group(1).strip(" :-=/."))
                if benefit is None:
                    continue
                amount = correction.repair_printed_amount(
                    re.sub(r"^[sS](?=\d)", "$", re.sub(r"\s+", "", m.group(2)))
                )
                sub = _sub_box(proxy, m.start(1), m.end(2)) if len(ids) == 1 else box
                item = {"benefit": benefit, "amount": amount}
                found_pairs.append(_CopayPair(box[1], sub[0], item, sub, ids, read))
        paired = {k for _, _, ids, _ in joined.values() for k in ids}
        found_pairs.extend(_copay_table_pairs(lines, texts, taken | paired))
        if not found_pairs:
            return None
        med_h = float(np.median([ln.height for ln in lines]))
        # Reading order: rows (tops within half a line) then x.
        found_pairs.sort(key=lambda p: (p.top, p.x))
        rows: list[list[_CopayPair]] = []
        for p in found_pairs:
            if rows and abs(p.top - rows[-1][0].top) <= 0.5 * med_h:
                rows[-1].append(p)
            else:
                rows.append([p])
        ordered = [p for row in rows for p in sorted(row, key=lambda p: p.x)]
        boxes = [p.box for p in ordered]
        block = _union(*boxes)
        # A row read without its amount or without its benefit: the list misses it.
        orphans = _orphan_amounts(lines, texts, taken, ordered, block, med_h)
        orphans += _orphan_benefits(lines, texts, taken, ordered, block, med_h)
        complete = not orphans
        return Candidate(
            key="copays",
            text="; ".join(f"{p.item['benefit']} {p.item['amount']}" for p in ordered),
            box=block,
            ocr_score=min(p.score for p in ordered),
            extract_score=METHOD_SCORE["format"] if complete else COPAYS_INCOMPLETE_EXTRACT,
            method="format",
            lines=tuple(sorted({i for p in ordered for i in p.lines})),
            value=[p.item for p in ordered],
            copay_reads=tuple(p.read for p in ordered),
        )


def _lone_amount_deductible(lines: list[OcrLine], used: set[int]) -> Candidate | None:
    """A deductible whose label glare wiped or blur faded ("$3,000" alone on its line).

    Only on a side with no copays and no other dollar amount, where nothing speaks of an
    out-of-pocket maximum: there the one amount of $100 or more a card prints on its own
    is its deductible.
    """
    # Any dollar sign counts as an amount: blur reads "$15" as "$Is".
    priced = [i for i, line in enumerate(lines) if "$" in line.text or re.search(_MONEY, line.text)]
    if len(priced) != 1 or priced[0] in used:
        return None
    if any(_OUT_OF_POCKET.search(line.text.upper()) for line in lines):
        return None
    i = priced[0]
    line = lines[i]
    if not _LONE_DEDUCTIBLE.fullmatch(line.text.strip()):
        return None
    return Candidate(
        "deductible",
        line.text.strip(),
        line.box,
        line.score,
        METHOD_SCORE["lone_amount"],
        "lone_amount",
        (i,),
    )


def _orphan_amounts(
    lines: list[OcrLine],
    texts: dict[int, str],
    taken: set[int],
    pairs: list[_CopayPair],
    block: Box,
    med_h: float,
) -> list[int]:
    """Lines in or beside the copay block that print an amount no pair took: rows whose
    benefit glare washed out or blur cut short ("ent $40"), so the list is incomplete.
    Such rows run on from the block (or from each other) a row apart."""
    paired = {i for p in pairs for i in p.lines}
    loose = [
        i
        for i, line in enumerate(lines)
        if i not in taken
        and i not in paired
        and re.search(_MONEY, texts[i])
        and line.box[0] < block[2] + med_h
        and line.box[2] > block[0] - med_h
    ]
    return _rows_running_on(lines, loose, block, med_h)


def _rows_running_on(lines: list[OcrLine], loose: list[int], block: Box, med_h: float) -> list[int]:
    """Those of ``loose`` lines that run on from ``block`` (or from each other) a row apart."""
    top, bottom = block[1], block[3]
    out: list[int] = []
    grew = True
    while grew:
        grew = False
        for i in loose:
            y0, y1 = lines[i].box[1], lines[i].box[3]
            if i not in out and top - 2 * med_h <= y0 and y1 <= bottom + 2 * med_h:
                out.append(i)
                top, bottom = min(top, y0), max(bottom, y1)
                grew = True
    return out


def _orphan_benefits(
    lines: list[OcrLine],
    texts: dict[int, str],
    taken: set[int],
    pairs: list[_CopayPair],
    block: Box,
    med_h: float,
) -> list[int]:
    """Benefit names in the copay block's column that no amount was read for ("SPC" beside
    "0560", a blurred "$60"): rows of the list that are missing, so it is incomplete.
    Such rows run on from the block a row apart, left-aligned with its benefits, below its
    first row (above it, "Rx" is more likely the pharmacy block's label: "R× P")."""
    paired = {i for p in pairs for i in p.lines}
    columns = [p.box[0] for p in pairs]
    loose = [
        i
        for i, line in enumerate(lines)
        if i not in taken
        and i not in paired
        and line.box[1] >= block[1] - 0.5 * med_h
        and not re.search(_MONEY, texts[i])
        and any(abs(line.box[0] - x) < 1.5 * med_h for x in columns)
        and _benefit_text(texts[i].strip(" :-")) is not None
    ]
    return _rows_running_on(lines, loose, block, med_h)


def _copay_table_pairs(
    lines: list[OcrLine], texts: dict[int, str], taken: set[int]
) -> list[_CopayPair]:
    """Copays printed as a table: a row of benefit names over a row of amounts ("PCP
    Specialist ER" over "$25 $50 $250"), read as one line a row or one line a cell.

    Each amount goes to the benefit whose cell it sits under: the nearest benefit above it
    by horizontal centre, within a line and a half, whose cell it overlaps.
    """
    cells: list[tuple[Box, str, float, int]] = []  # benefit cells: box, printed name, score, line
    amounts: list[tuple[Box, str, float, int]] = []
    for i, line in enumerate(lines):
        if i in taken:
            continue
        text = texts[i]
        money = list(re.finditer(_MONEY, text))
        if money and not re.sub(_MONEY, " ", text).strip(" |/"):
            amounts.extend(
                (_span_box(line, m.start(), m.end()), m.group(), line.score, i) for m in money
            )
            continue
        for start, end in _benefit_row(text):
            cells.append((_span_box(line, start, end), text[start:end], line.score, i))
    out: list[_CopayPair] = []
    used: set[int] = set()
    for box, name, score, i in cells:
        h = box[3] - box[1]
        cx = (box[0] + box[2]) / 2
        below = [
            n
            for n, (a_box, _, _, k) in enumerate(amounts)
            if n not in used
            and k != i
            and -0.3 * h <= a_box[1] - box[3] <= 1.5 * h
            and a_box[0] < box[2] + 0.5 * h
            and a_box[2] > box[0] - 0.5 * h
        ]
        if not below:
            continue
        n = min(below, key=lambda n: abs((amounts[n][0][0] + amounts[n][0][2]) / 2 - cx))
        # The amount must sit under no other benefit more squarely than under this one.
        a_box, amount_text, a_score, k = amounts[n]
        a_cx = (a_box[0] + a_box[2]) / 2
        if any(
            abs((other[0] + other[2]) / 2 - a_cx) < abs(cx - a_cx) and abs(other[1] - box[1]) < h
            for other, _, _, _ in cells
            if other != box
        ):
            continue
        used.add(n)
        benefit = _benefit_text(name.strip(" :-=/."))
        if benefit is None:
            continue
        amount = correction.repair_printed_amount(re.sub(r"\s+", "", amount_text))
        cell = (min(box[0], a_box[0]), box[1], max(box[2], a_box[2]), a_box[3])
        item = {"benefit": benefit, "amount": amount}
        read = correction.CopayRead(a_box, a_score, score, True)
        out.append(_CopayPair(box[1], box[0], item, cell, (i, k), read))
    return out


def _benefit_row(text: str) -> list[tuple[int, int]]:
    """Character spans of the benefit names a line is made of ("PCP Specialist Urgent
    Care"), longest names first; none when anything else is on the line."""
    words = [
        (m.start(), m.end(), vocab.norm_label(m.group())) for m in re.finditer(r"[^\s|/]+", text)
    ]
    spans: list[tuple[int, int]] = []
    k = 0
    while k < len(words):
        for tokens in vocab.benefit_tokens_sorted():
            got = tuple(w for _, _, w in words[k : k + len(tokens)])
            if got == tokens:
                spans.append((words[k][0], words[k + len(tokens) - 1][1]))
                k += len(tokens)
                break
        else:
            return []
    return spans


def _strip_misread_label(text: str, key: str) -> str:
    """Drop a blurred label the anchors missed from a free line's value: "Emplover Orchard
    Valley Farms", "Pian Spenser: Northwind Logistics" (the line model still knew the field)."""
    head, colon, tail = text.partition(":")
    # (label part, value part, similarity needed): a colon is evidence of a label itself.
    options = [(head, tail, 0.7)] if colon and len(head.split()) <= 3 else []
    words = text.split()
    options += [
        (" ".join(words[:n]), " ".join(words[n:]), FUZZY_LABEL_MIN_RATIO)
        for n in (1, 2)
        if len(words) > n + 1
    ]
    labels = vocab.label_strings_sorted()
    for label_text, rest, need in options:
        flat = _label_letters(label_text)
        if len(flat) < 5 or not rest.strip() or any(flat == j for j, _, _ in labels):
            continue  # a real word that is some other field's label ("Employee") is text
        for joined, label_key, _ in labels:
            if (
                label_key == key
                and len(joined) >= 5
                and difflib.SequenceMatcher(None, flat, joined).ratio() >= need
            ):
                return rest.strip(" :")
    return text


def _payer_rows(
    probs: np.ndarray, classes: tuple[str, ...], other: str
) -> tuple[int, int, list[int]] | None:
    """(payer column, ``other``'s column, rows read as the payer) when two or more rows are:
    a card names one payer, so all but one of them are something else."""
    if "payer_name" not in classes or other not in classes:
        return None
    p = classes.index("payer_name")
    payers = [r for r in range(len(probs)) if int(np.argmax(probs[r])) == p]
    return (p, classes.index(other), payers) if len(payers) >= 2 else None


def _second_payer_is_member(
    probs: np.ndarray, classes: tuple[str, ...], texts: list[str], *, member_found: bool = False
) -> None:
    """A runner-up "payer" line shaped like a person's name is the member printed without a
    label (in place, on the probability rows). Not beside a member a label names: the line
    is then another name, a self-funded plan's sponsor at the top."""
    found = _payer_rows(probs, classes, "member_name")
    if found is None or member_found:
        return
    p, m, payers = found
    shaped = [r for r in payers if is_name_like(texts[r])]
    # The payer is the likeliest line that is not a person's name, if there is one.
    rest = [r for r in payers if r not in shaped] or payers
    top = max(rest, key=lambda r: float(probs[r, p]))
    for r in shaped:
        if r != top:
            probs[r, m], probs[r, p] = probs[r, p], probs[r, m]


def _second_plan_is_member(probs: np.ndarray, classes: tuple[str, ...], texts: list[str]) -> None:
    """A card names one plan: when no line is read as the member, a runner-up "plan" line
    shaped like a person's name is the member printed without a label (in place, on the
    probability rows)."""
    if "plan_name" not in classes or "member_name" not in classes:
        return
    n, m = classes.index("plan_name"), classes.index("member_name")
    best = np.argmax(probs, axis=1) if len(probs) else np.zeros(0, dtype=int)
    plans = [r for r in range(len(texts)) if int(best[r]) == n]
    if len(plans) < 2 or any(int(b) == m for b in best):
        return
    top = max(plans, key=lambda r: float(probs[r, n]))
    for r in plans:
        if r != top and is_name_like(texts[r]):
            probs[r, m], probs[r, n] = probs[r, n], probs[r, m]


def _second_payer_is_plan(probs: np.ndarray, classes: tuple[str, ...], texts: list[str]) -> None:
    """A runner-up "payer" line that names a public programme among other words ("Medicare
    Honor", "Medicare Choice" beside "Harbor Health", "Texas STAR Medicaid" beside "Molina
    Healthcare", "MedicaidManaged Care" as OCR glues a logo) is the plan's name, as Medicare
    Advantage and Medicaid managed-care plans are named; so is one that calls itself a plan
    ("Buy-Up Plan" over "Electrical Workers Health Plan") (in place, on the probability
    rows). Only the runner-up: a state's own card names its payer so ("Ohio Medicaid"). But a
    programme read as the likeliest payer under another payer line ("Medicaid Managed Care"
    under "Sunrise Health Plan of Vermont") is the plan: the payer's name heads the card."""
    found = _payer_rows(probs, classes, "plan_name")
    if found is None:
        return
    p, n, payers = found

    def programme(r: int) -> bool:
        words = vocab.plan_words(texts[r])
        return len(words) >= 2 and bool({"MEDICARE", "MEDICAID"} & set(words))

    top = max(payers, key=lambda r: float(probs[r, p]))
    above = [r for r in payers if r < top and not programme(r)]
    if programme(top) and above:
        # Rows are in reading order: the first payer line is the card's heading.
        probs[[above[0], top], p] = probs[[top, above[0]], p]
        top = above[0]
    for r in payers:
        if r != top and (programme(r) or vocab.called_plan(texts[r])):
            probs[r, n], probs[r, p] = probs[r, p], probs[r, n]


def _named_type_is_plan(probs: np.ndarray, classes: tuple[str, ...], texts: list[str]) -> None:
    """A line read as the plan type that names a plan beside its type, or that is a Medicaid
    programme's name ("Medicaid", "STAR"), is the plan's name (in place, on the probability
    rows): a plan type is the network's kind (HMO, PPO), not the programme."""
    if "plan_type" not in classes or "plan_name" not in classes:
        return
    t, n = classes.index("plan_type"), classes.index("plan_name")
    for r, text in enumerate(texts):
        named = vocab.names_a_plan(text) or vocab.names_medicaid_program(text)
        if int(np.argmax(probs[r])) == t and named:
            probs[r, n], probs[r, t] = probs[r, t], probs[r, n]


_PROGRAMME_WORDS = frozenset({"PROGRAM", "PROGRAMME", "ASSISTANCE"})


def _programme_is_no_payer(probs: np.ndarray, classes: tuple[str, ...], texts: list[str]) -> None:
    """A state programme's title ("Children's Health Program") over the managed-care plan
    that pays its claims: when another line is also read as the payer, that line is the
    payer and the title is not (in place, on the probability rows)."""
    found = _payer_rows(probs, classes, "other")
    if found is None:
        return
    p, o, payers = found
    titles = [r for r in payers if set(vocab.norm_label(texts[r]).split()) & _PROGRAMME_WORDS]
    if len(titles) == len(payers):
        return
    for r in titles:
        probs[r, o], probs[r, p] = probs[r, p], probs[r, o]


RX_KEYS = frozenset({"rx_bin", "rx_pcn", "rx_id", "rx_plan"})


# A word or three after a phone label, no digits: "Call Us", "Provider Inquiries".
_PHONE_LABEL_TAIL = re.compile(r"[A-Za-z][A-Za-z'&/-]*(?: [A-Za-z][A-Za-z'&/-]*){0,2}[?:]?")


def _phone_label_words(anchors: list[Anchor], text: str) -> list[Anchor]:
    """Words after a phone label are its own words when no number follows them ("Call Us",
    "Provider Inquiries"): the label ends its line and takes the number beside or below it.
    A phone's value is a number, so the words cannot be it."""
    if not anchors or anchors[-1].key not in PHONE_FIELDS:
        return anchors
    last = anchors[-1]
    if not _PHONE_LABEL_TAIL.fullmatch(_value_after(text, last.end)):
        return anchors
    return [*anchors[:-1], replace(last, end=len(text.rstrip()))]


def _rx_context(
    anchors_by_line: list[list[Anchor]], lines: list[OcrLine], med_h: float
) -> list[list[Anchor]]:
    """A plain "Group" inside the pharmacy block (BIN/PCN beside or above it) is RxGrp."""
    rx = [lines[a.line].box for anchors in anchors_by_line for a in anchors if a.key in RX_KEYS]
    if not rx:
        return anchors_by_line
    out: list[list[Anchor]] = []
    for i, anchors in enumerate(anchors_by_line):
        same_line_rx = any(a.key in RX_KEYS for a in anchors)
        box = lines[i].box
        fixed = []
        for a in anchors:
            if a.key == "group_number":
                stacked = (
                    sum(
                        abs(rb[0] - box[0]) < 0.6 * med_h and abs(rb[1] - box[1]) < 4.5 * med_h
                        for rb in rx
                    )
                    >= 2
                )
                # BIN, PCN and Group printed along one row: the row is the pharmacy block.
                # A Group label read a letter off ("roup") beside one Rx label is its Group.
                in_rx_row = sum(_v_overlap(rb, box) >= 0.5 for rb in rx) >= (1 if a.fuzzy else 2)
                if same_line_rx or stacked or in_rx_row:
                    a = replace(a, key="rx_group")
            fixed.append(a)
        out.append(fixed)
    return out


# The pharmacy block prints BIN, PCN and Group in this order, one per row (the NCPDP card
# standard); a value whose label glare wiped takes its place in that order.
RX_COLUMN_ORDER = ("rx_bin", "rx_pcn", "rx_group")
_RX_CODE = re.compile(r"[A-Z0-9][A-Z0-9\-]{1,14}")


def _rx_column_values(
    lines: list[OcrLine], used: set[int], found: list[Candidate]
) -> list[Candidate]:
    """Pharmacy values printed without a readable label, stacked row by row in the column of
    a labelled BIN, PCN or Group value: each takes the key of its row in the standard order
    when its format fits (a BIN is six digits). Scored below a label's reading."""
    # Each key's likeliest reading: a label's stray second reading ("rx pa" right of
    # "rx bin") is no column.
    have: dict[str, Candidate] = {}
    for c in sorted(found, key=lambda c: c.extract_score):
        if c.key in RX_COLUMN_ORDER and len(c.lines) == 1:
            have[c.key] = c
    if not have or len(have) == len(RX_COLUMN_ORDER):
        return []
    med_h = float(np.median([ln.height for ln in lines]))
    taken = used | {i for c in found for i in c.lines}
    ref_key, ref = min(have.items(), key=lambda kv: RX_COLUMN_ORDER.index(kv[0]))
    # The labelled value's own box (a part of its line when the label is inline) sets
    # the column; its line is in the column whatever its text.
    column = [
        i
        for i, ln in enumerate(lines)
        if i == ref.lines[0]
        or (
            abs(ln.box[0] - ref.box[0]) < 0.6 * med_h
            and i not in taken
            and _RX_CODE.fullmatch(ln.text.strip().upper())
        )
    ]
    column.sort(key=lambda i: lines[i].box[1])
    at = column.index(ref.lines[0])
    # Only the unbroken stack of rows around the labelled value (no gap of a blank row).
    stack = [ref.lines[0]]
    for step in (-1, 1):
        k = at + step
        while 0 <= k < len(column):
            prev = stack[0] if step < 0 else stack[-1]
            gap = abs(lines[column[k]].box[1] - lines[prev].box[1])
            if gap > 2.0 * med_h:
                break
            if step < 0:
                stack.insert(0, column[k])
            else:
                stack.append(column[k])
            k += step
    ref_row = stack.index(ref.lines[0])
    ref_order = RX_COLUMN_ORDER.index(ref_key)
    out: list[Candidate] = []
    for row, i in enumerate(stack):
        order = ref_order + row - ref_row
        if i == ref.lines[0] or not 0 <= order < len(RX_COLUMN_ORDER):
            continue
        key = RX_COLUMN_ORDER[order]
        text = lines[i].text.strip()
        if key in have or (key == "rx_bin" and not re.fullmatch(r"\d{6}", text)):
            continue
        if key != "rx_bin" and re.fullmatch(r"\d{6}", text) and "rx_bin" not in have:
            continue  # six digits out of the BIN's row: the order is not the standard one
        out.append(
            Candidate(
                key,
                text,
                lines[i].box,
                lines[i].score,
                METHOD_SCORE["rx_order"],
                "rx_order",
                (i,),
            )
        )
        used.add(i)
    return out


def _rx_row_values(lines: list[OcrLine], used: set[int], found: list[Candidate]) -> list[Candidate]:
    """Pharmacy values printed in one row under a row of labels, BIN first ("rx bin  rx pcn
    rx group" over "866198  LYFW  8Q4SK80B"), whose labels glare wiped but the BIN's: the
    codes right of the BIN's value take the standard order (BIN, PCN, Group), as
    ``_rx_column_values`` does down a column, then the member id again is the Rx ID. A
    value a label did read keeps its key, and must be the one the order expects there, or
    the row is not in that order."""
    bins = [
        c for c in found if c.key == "rx_bin" and c.method == "label_below" and len(c.lines) == 1
    ]
    if not bins:
        return []
    ref = max(bins, key=lambda c: c.extract_score)
    med_h = float(np.median([ln.height for ln in lines]))
    owner = {c.lines[0]: c.key for c in found if len(c.lines) == 1}
    taken = used | {i for c in found for i in c.lines}
    row = sorted(
        (
            i
            for i, ln in enumerate(lines)
            if i != ref.lines[0]
            and _v_overlap(ln.box, lines[ref.lines[0]].box) >= 0.5
            and ln.box[0] > ref.box[2]
        ),
        key=lambda i: lines[i].box[0],
    )
    have = {c.key for c in found}
    member_ids = [
        (correction.compact(c.text).upper(), c.lines) for c in found if c.key == "member_id"
    ]
    out: list[Candidate] = []
    prev = ref.box
    # After the Group, the member's id printed again is the pharmacy id, whose label glare
    # wiped too: pharmacy ids are most often the member id.
    for key, i in zip((*RX_COLUMN_ORDER[1:], "rx_id"), row, strict=False):
        box = lines[i].box
        text = lines[i].text.strip()
        if box[0] - prev[2] > 12 * med_h:
            break  # past the pharmacy block
        prev = box
        if i in taken and owner.get(i) == key:
            continue
        # A blurred "RxID" read as an ID label took the member id printed again there.
        if i in taken and not (key == "rx_id" and owner.get(i) == "member_id"):
            break
        if key in have or not _RX_CODE.fullmatch(text.upper()) or re.fullmatch(r"\d{6}", text):
            break
        code = correction.compact(text).upper()
        if key == "rx_id" and not any(v == code and i not in at for v, at in member_ids):
            break  # not the member id read on another line
        out.append(
            Candidate(key, text, box, lines[i].score, METHOD_SCORE["rx_order"], "rx_order", (i,))
        )
        used.add(i)
    return out


def _unlabelled_rx_stack(
    lines: list[OcrLine], used: set[int], found: list[Candidate]
) -> list[Candidate]:
    """A pharmacy block whose labels glare wiped all of: a six-digit number atop a column of
    codes, a row apart, on a side where no BIN was read. The rows take the standard order
    (BIN, PCN, Group), as ``_rx_column_values`` does from a labelled one."""
    if not lines or any(c.key in RX_COLUMN_ORDER for c in found):
        return []
    med_h = float(np.median([ln.height for ln in lines]))
    taken = used | {i for c in found for i in c.lines}
    free = [
        i
        for i, ln in enumerate(lines)
        if i not in taken and _RX_CODE.fullmatch(ln.text.strip().upper())
    ]
    for top in free:
        if not re.fullmatch(r"\d{6}", lines[top].text.strip()):
            continue
        stack = [top]
        for i in sorted(free, key=lambda i: lines[i].box[1]):
            prev = lines[stack[-1]].box
            box = lines[i].box
            if (
                len(stack) < len(RX_COLUMN_ORDER)
                and abs(box[0] - prev[0]) < 0.6 * med_h
                and 0.5 * med_h < box[1] - prev[1] <= 2.0 * med_h
            ):
                stack.append(i)
        if len(stack) < 2 or any(re.fullmatch(r"\d{6}", lines[i].text.strip()) for i in stack[1:]):
            continue
        used.update(stack)
        last = lines[stack[-1]].box
        # The block's "Group" label alone survived: the value it labelled, the next row down
        # a stack of two, is the Rx group.
        below = [
            c
            for c in found
            if len(stack) == 2
            and c.key == "group_number"
            and len(c.lines) == 1
            and abs(c.box[0] - last[0]) < 0.6 * med_h
            and 0.5 * med_h < lines[c.lines[0]].box[1] - last[1] <= 2.0 * med_h
        ]
        for c in below:
            c.key = "rx_group"
        return [
            Candidate(
                key,
                lines[i].text.strip(),
                lines[i].box,
                lines[i].score,
                METHOD_SCORE["rx_order"],
                "rx_order",
                (i,),
            )
            for key, i in zip(RX_COLUMN_ORDER, stack, strict=False)
        ]
    return []


# Words a card's title adds after the payer's name ("MEDICARE HEALTH INSURANCE").
_CARD_TITLE = re.compile(
    r"\s+(?:HEALTH\s+INSURANCE(?:\s+CARD)?|(?:MEMBER\s+)?(?:ID|IDENTIFICATION|INSURANCE)\s+CARD)\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _known_payer_pattern() -> re.Pattern[str]:
    """A known payer's name as printed on its cards (on ``norm_label`` text): alone, joined
    to a second known name ("Anthem Blue Cross", "BlueCross and Blue Shield"), after one
    brand word when the name is a Blue one ("Horizon Blue Cross Blue Shield"), and with the
    state or region it serves ("BlueCross BlueShield of Texas")."""
    names = sorted({vocab.norm_label(p) for p in vocab.PAYER_NAMES}, key=len, reverse=True)
    known = "|".join(re.escape(n) for n in names)
    blue = r"BLUE ?(?:CROSS|SHIELD)\b.*"
    return re.compile(
        rf"(?:(?:[A-Z]+ )?(?={blue}))?(?:{known})(?: (?:AND |& )?(?:{known}))?"
        r"(?: OF(?: THE)?(?: [A-Z]+){1,4})?"
    )


# Plan names carry a network type or a metal tier beside their brand words ("Blue Access
# PPO", "Humana Gold Plus (HMO)"); these words alone name no plan.
_PLAN_SHAPE_WORDS = frozenset(
    {
        "PPO",
        "HMO",
        "EPO",
        "POS",
        "HDHP",
        "PFFS",
        "DHMO",
        "DPPO",
        "BRONZE",
        "SILVER",
        "GOLD",
        "PLATINUM",
    }
)
_NO_PLAN_WORDS = frozenset({"NETWORK", "PLAN", "IN", "OUT", "OF", "TIER", "PROVIDER", "PROVIDERS"})
# Known PBM marks without spaces: "optum rx" is "OptumRx".
_PBM_MARKS = frozenset(vocab.norm_label(m).replace(" ", "") for m in vocab.PBM_MARKS)
# A fallback's score: just above the field threshold (0.6) on a clean read.
SHAPE_SCORE = 0.7


def _by_shape(
    lines: list[OcrLine],
    free: list[int],
    probs: np.ndarray,
    classes: tuple[str, ...],
    have: set[str],
) -> list[Candidate]:
    """Fields the model missed that a free line names by its shape alone: a known PBM's
    mark ("caremark"), and a plan name that carries its network type or metal tier, calls
    itself a plan ("Base Plan") or is a state's Medicaid programme ("KanCare")."""
    out: list[Candidate] = []
    if "pbm_name" not in have:
        for i in free:
            if vocab.norm_label(lines[i].text).replace(" ", "") in _PBM_MARKS:
                ln = lines[i]
                out.append(
                    Candidate("pbm_name", ln.text.strip(), ln.box, ln.score, 0.9, "shape", (i,))
                )
                break
        else:
            pbm = _pbm_by_name(lines, free, probs, classes)
            if pbm is not None:
                out.append(pbm)
    if "plan_name" not in have and "plan_name" in classes:

        def plan_shaped(r: int, i: int) -> bool:
            text = lines[i].text
            words = vocab.plan_words(text)
            shaped = set(words) & _PLAN_SHAPE_WORDS
            rest = set(words) - _PLAN_SHAPE_WORDS - _NO_PLAN_WORDS
            typed = (
                shaped
                and rest
                and 2 <= len(words) <= 7
                and ":" not in text
                and not re.search(r"\d{3}|\$", text)
            )
            # "Base Plan" read as an employer: no employer's name ends in "Plan".
            read_as = classes[int(np.argmax(probs[r]))]
            return bool(
                (typed and read_as in ("other", "plan_name"))
                or (vocab.called_plan(text) and read_as in ("other", "plan_name", "employer"))
                # "KanCare", "STAR Kids": a state's programme name is the plan, not a person
                # (read with a letter slip too: "Medicald").
                or (
                    vocab.names_medicaid_program(spelling.repair_words(text))
                    and read_as in ("other", "plan_name", "member_name")
                )
            )

        plan = _likeliest_free("plan_name", lines, free, probs, classes, plan_shaped)
        if plan is not None:
            out.append(plan)
    return out


def _likeliest_free(
    key: str,
    lines: list[OcrLine],
    free: list[int],
    probs: np.ndarray,
    classes: tuple[str, ...],
    admit: Callable[[int, int], bool],
) -> Candidate | None:
    """A shape fallback's pick: of the free lines ``admit(row, line index)`` accepts, the
    one the model gives ``key`` the likeliest, as ``key`` scored ``SHAPE_SCORE``."""
    col = classes.index(key)
    best: tuple[float, int] | None = None
    for r, i in enumerate(free):
        if admit(r, i) and (best is None or probs[r, col] > best[0]):
            best = (float(probs[r, col]), i)
    if best is None:
        return None
    ln = lines[best[1]]
    return Candidate(key, ln.text.strip(), ln.box, ln.score, SHAPE_SCORE, "shape", (best[1],))


# Words of pharmacy headings and help lines ("Pharmacy Help Desk", "Mail Order Rx"), which
# name no PBM however pharmacy-like they read.
_PHARMACY_HEADING_WORDS = frozenset(
    {
        "PHARMACY",
        "PHARMACIES",
        "PHARMACIST",
        "PHARMACISTS",
        "PRESCRIPTION",
        "PRESCRIPTIONS",
        "BENEFIT",
        "BENEFITS",
        "PLAN",
        "CALL",
        "HELP",
        "DESK",
        "USE",
        "ONLY",
        "MAIL",
        "ORDER",
        "SPECIALTY",
        "NETWORK",
        "CLAIMS",
        "MEMBER",
        "MEMBERS",
        "SERVICES",
        "INFORMATION",
        "COVERAGE",
        "DRUG",
        "DRUGS",
    }
)


def _pbm_by_name(
    lines: list[OcrLine], free: list[int], probs: np.ndarray, classes: tuple[str, ...]
) -> Candidate | None:
    """When no PBM is found, a short free line named as a pharmacy brand ("MedAxis Rx",
    "TruScripts"; ``vocab.names_pharmacy``) that the model reads as nothing or as the PBM
    is the PBM: a health plan's name never ends in "Rx". Scored as the other fallbacks."""
    if "pbm_name" not in classes:
        return None

    def pharmacy_named(r: int, i: int) -> bool:
        text = lines[i].text
        words = vocab.norm_label(text).split()
        return (
            1 <= len(words) <= 3
            and words[0] != "RX"  # "Rx", "Rx Savings": a heading; the brand comes first
            and not re.search(r"[\d:$@/]", text)
            and not set(words) & _PHARMACY_HEADING_WORDS
            and vocab.names_pharmacy(text)
            and classes[int(np.argmax(probs[r]))] in ("other", "pbm_name")
        )

    return _likeliest_free("pbm_name", lines, free, probs, classes, pharmacy_named)


def _employer_by_shape(
    lines: list[OcrLine],
    free: list[int],
    probs: np.ndarray,
    classes: tuple[str, ...],
    have: set[str],
    found: set[str],
    taken: set[int],
) -> Candidate | None:
    """When the model finds no employer, a free line named as a company or public body
    ("Sandhills School District", "Pioneer Foods LLC"; ``employer_worded``) with no
    insurer's word is the employer, if the model reads it as nothing else, or as the payer
    or the member on a card whose label already names that one. Scored as the
    plan-name fallback (``SHAPE_SCORE``)."""
    if "employer" in found or "employer" not in classes:
        return None

    def employer_named(r: int, i: int) -> bool:
        text = lines[i].text
        words = vocab.norm_label(text).split()
        if (
            i in taken
            or not 2 <= len(words) <= 6
            or re.search(r"[\d:$@]", text)
            or not employer_worded(text)
            or has_insurer_word(text)
        ):
            return False
        read_as = classes[int(np.argmax(probs[r]))]
        # A card has one payer and one member: a line read as one that a label already
        # gives is something else.
        second = read_as in ("payer_name", "member_name") and read_as in have
        return read_as in ("other", "employer") or second

    return _likeliest_free("employer", lines, free, probs, classes, employer_named)


def _region_below(lines: list[OcrLine], i: int, free: list[int]) -> int | None:
    """The free line under a payer's name that ends it with the region it serves, as
    two-line logos print it ("BlueCross BlueShield" over "of Tennessee")."""
    top = lines[i]
    for j in free:
        ln = lines[j]
        joined = f"{top.text.strip()} {ln.text.strip()}"
        if (
            ln.text.strip().lower().startswith("of ")
            and 0 <= ln.box[1] - top.box[3] <= 0.8 * top.height
            and _h_overlap(ln.box, top.box) > 0.5
            and _known_payer(joined) == joined
        ):
            return j
    return None


def _known_payer(text: str) -> str | None:
    """The known payer a line names, as printed: the whole line, or the line without the
    card's title after the name. None when the line is anything else."""
    name = _CARD_TITLE.sub("", text).strip()
    norm = vocab.norm_label(name)
    return name if norm and _known_payer_pattern().fullmatch(norm) else None


def _qualified_label(text: str, anchor: Anchor, n_anchors: int) -> bool:
    """A specific label that ends its line after a word or two ("Health Plan ID", "Your
    Member ID"): a bare label too, the words only qualify it. A heading is longer, and a
    line ending in "Plan" names one ("Employee Health Benefit Plan" under the sponsor)."""
    head = text[: anchor.start].strip()
    return (
        n_anchors == 1
        and anchor.label not in WEAK_LABELS
        and not anchor.label.endswith("PLAN")
        and not _value_after(text, anchor.end)
        # "R+BIN": blur reads an Rx label's x as a plus.
        and bool(re.fullmatch(r"[A-Za-z'+]+(?: [A-Za-z']+)?", head))
    )


def _fits(key: str, text: str) -> bool:
    """Whether a text could be this field's value (its validator accepts it)."""
    if not text:
        return False
    if key in PHONE_FIELDS:
        return bool(correction.find_phones(text)) or correction.normalize_phone(text) is not None
    if key in ("dependents", "claims_address", "copays"):
        return True
    if key in ("plan_name", "plan_type"):
        # "Plan" labels a name, a type or a number: the value decides which (_plan_key).
        return correction.normalize_text(text) is not None
    return correction.normalize_field(key, text) is not None


def _value_after(text: str, end: int) -> str:
    # "=" is a colon as blur reads it ("1D= 804347197"): no part of a value.
    value = text[end:].strip(" :#.-=")
    return value if re.search(r"[A-Za-z0-9]", value) else ""


def _benefit_text(text: str) -> str | None:
    """The benefit name as printed, or None; OCR glues Title Case words ("UrgentCare",
    "ERVisit") and blur drops letters of a long one ("Oice Visit" is "Office Visit")."""
    if not text:
        return None
    split = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    for candidate in (text, split):
        known = _misread_benefit(candidate)
        if known is not None:
            return known
    if _is_benefit(text):
        return _repair_benefit_words(text)
    if split != text and _is_benefit(split):
        return _repair_benefit_words(split)
    return _confusable_benefit(text)


def _repair_benefit_words(text: str) -> str:
    """A benefit of several words ("Rx Generia") whose other word is one letter off exactly
    one vocabulary word of five letters or more ("Generic"); shorter words are too alike."""
    words = []
    for word in text.split():
        norm = vocab.norm_label(word)
        if len(norm) < 5 or norm in _BENEFIT_WORDS:
            words.append(word)
            continue
        near = [
            known
            for known in _BENEFIT_WORDS
            if len(known) == len(norm)
            and sum(a != b for a, b in zip(known, norm, strict=True)) == 1
        ]
        if len(near) == 1:
            shouting = sum(c.isupper() for c in word) > len(word) / 2
            word = near[0] if shouting else near[0].title()
        words.append(word)
    return " ".join(words)


def _confusable_benefit(text: str) -> str | None:
    """The one vocabulary benefit the text is, read with letters blur confuses ("Gemeric"
    is "Generic"), in the text's letter case."""
    norm = vocab.norm_label(text)
    names = _CONFUSABLE_BENEFITS.get(norm.translate(_CONFUSABLE), ())
    if not names and len(norm.replace(" ", "")) >= _A_FOLD_MIN_LETTERS:
        names = _A_FOLDED_BENEFITS.get(norm.translate(_CONFUSABLE_A), ())
    if len(names) != 1:
        return None
    letters = [c for c in text if c.isalpha()]
    return names[0] if all(c.isupper() for c in letters) else names[0].title()


# Long benefit names only: short ones ("Spec", "UC") are one letter from each other.
_MISREAD_BENEFIT_MIN_LETTERS = 8
_MISREAD_BENEFIT_RATIO = 0.85


def _misread_benefit(text: str) -> str | None:
    """A long vocabulary benefit the text is a near miss of, in the text's letter case."""
    norm = vocab.norm_label(text)
    if len(norm.replace(" ", "")) < _MISREAD_BENEFIT_MIN_LETTERS - 2 or norm in _BENEFIT_NAMES:
        return None
    near = []
    for name in _LONG_BENEFIT_NAMES:
        # 2 * shorter / (sum of lengths) bounds the ratio: most lines (sentences, numbers)
        # stop here, as this runs on every line of a side.
        if 2 * min(len(norm), len(name)) < _MISREAD_BENEFIT_RATIO * (len(norm) + len(name)):
            continue
        matcher = difflib.SequenceMatcher(None, norm, name)
        if matcher.quick_ratio() >= _MISREAD_BENEFIT_RATIO:
            near.append((matcher.ratio(), name))
    # max over (ratio, name): the same answer on a tie whatever the set's order.
    ratio, best = max(near, default=(0.0, ""))
    if ratio < _MISREAD_BENEFIT_RATIO:
        return None
    letters = [c for c in text if c.isalpha()]
    return best if all(c.isupper() for c in letters) else best.title()


_BENEFIT_NAMES = frozenset(vocab.norm_label(b) for b in vocab.COPAY_BENEFITS)
_BENEFIT_WORDS = frozenset(word for name in _BENEFIT_NAMES for word in name.split())
_LONG_BENEFIT_NAMES = tuple(
    sorted(n for n in _BENEFIT_NAMES if len(n.replace(" ", "")) >= _MISREAD_BENEFIT_MIN_LETTERS)
)


def _confusable_benefits(fold: dict[int, int]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name in sorted(_BENEFIT_NAMES):
        folded = name.translate(fold)
        out[folded] = (*out.get(folded, ()), name)
    return out


_CONFUSABLE_BENEFITS = _confusable_benefits(_CONFUSABLE)
# In a benefit's name blur also makes an a of an e ("Spac" for "Spec"); no two benefits
# fold alike so. Not on names under four letters: "AR" would be "ER".
_CONFUSABLE_A = str.maketrans("ECMWVA", "OONUUO")
_A_FOLD_MIN_LETTERS = 4
_A_FOLDED_BENEFITS = _confusable_benefits(_CONFUSABLE_A)


def _is_benefit(text: str) -> bool:
    norm = vocab.norm_label(text)
    if not norm:
        return False
    words = tuple(norm.split())
    for tokens in vocab.benefit_tokens_sorted():
        if words[-len(tokens) :] == tokens or words[: len(tokens)] == tokens:
            return True
    return False
