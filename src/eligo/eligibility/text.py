"""Product-title normalization shared by the taxonomy matcher, the corpus and the classifier.

Listings spell the same product many ways ("IBUPROFEN 200MG 100CT", "Ibuprofen 200 mg,
100-count tablets™"). Everything downstream (keyword hits, embedding cache keys, near-duplicate
checks) works on one canonical form, so the rules here must be stable: change them and the
embedding cache and trained models no longer line up.

Guarantees (checked by property tests): never raises on any ``str``, idempotent
(``normalize_title(normalize_title(s)) == normalize_title(s)``) and the output is at most
``MAX_NORMALIZED_CHARS`` long.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["MAX_NORMALIZED_CHARS", "normalize_title", "tokens"]

MAX_NORMALIZED_CHARS = 512
# Work on a bounded prefix: a 100 KB "title" is an attack or a paste error, not a product.
_MAX_INPUT_CHARS = 4 * MAX_NORMALIZED_CHARS

# Marketing phrases that say nothing about what the product is. Kept short on purpose:
# words like "relief", "medicated" or "value pack" carry signal and must survive.
_MARKETING = (
    "new and improved",
    "new & improved",
    "brand new",
    "best seller",
    "bestseller",
    "best selling",
    "amazon's choice",
    "amazons choice",
    "top rated",
    "hot sale",
    "free shipping",
    "fast shipping",
    "limited edition",
    "limited time",
    "great value",
    "value size",
    "as seen on tv",
    "100% satisfaction guarantee",
    "satisfaction guaranteed",
    "#1 doctor recommended",
    "#1 pediatrician recommended",
    "#1 dermatologist recommended",
    "#1 selling",
    "#1 brand",
    "upgraded",
    "new!",
    "sale!",
)

# Unit and count abbreviations -> one spelling. Keys are matched as whole words after
# digits and letters have been split apart ("100ct" -> "100 ct").
_ABBREVIATIONS: dict[str, str] = {
    "ct": "count",
    "cnt": "count",
    "cts": "count",
    "counts": "count",
    "ea": "each",
    "pk": "pack",
    "pks": "pack",
    "pck": "pack",
    "pc": "piece",
    "pcs": "pieces",
    "oz": "ounce",
    "ozs": "ounce",
    "ounces": "ounce",
    "floz": "fluid ounce",
    "lb": "pound",
    "lbs": "pound",
    "pounds": "pound",
    "ml": "milliliter",
    "mls": "milliliter",
    "milliliters": "milliliter",
    "mg": "milligram",
    "mgs": "milligram",
    "milligrams": "milligram",
    "mcg": "microgram",
    "μg": "microgram",
    "micrograms": "microgram",
    "iu": "international unit",
    "g": "gram",
    "gm": "gram",
    "grams": "gram",
    "kg": "kilogram",
    "tab": "tablet",
    "tabs": "tablets",
    "tabl": "tablet",
    "caps": "capsules",
    "cplt": "caplet",
    "cplts": "caplets",
    "sftgl": "softgel",
    "sftgls": "softgels",
    "liq": "liquid",
    "oint": "ointment",
    "crm": "cream",
    "susp": "suspension",
    "supp": "supplement",
    "xtra": "extra",
    "max": "maximum",
    "reg": "regular",
    "qty": "quantity",
}

_FLUID_OUNCE = re.compile(r"\bfl\s*oz\b|\bfluid\s+ounces?\b")
_WITH = re.compile(r"\bw/")
# Everything that is not a letter, a digit, a percent sign or a decimal point separates words;
# a dot survives only between digits ("1.7 oz").
_SEPARATORS = re.compile(r"[^\w%.]+|_+|(?<!\d)\.|\.(?!\d)")
# Splits "100ct" -> "100 ct" and "spf50" -> "spf 50"; keeps decimals like "1.7".
_DIGIT_ALPHA = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_PERCENT = re.compile(r"(\d)\s*(?:%|\bpercent\b|\bpct\b)\s*")
_SPACES = re.compile(r"\s+")
_COUNT_WORDS = re.compile(r"\b(\d+) (?:count|each|piece|pieces)\b")


def _marketing_pattern() -> re.Pattern[str]:
    alternatives = sorted((re.escape(p) for p in _MARKETING), key=len, reverse=True)
    # Phrases may start or end with punctuation ("#1 ...", "new!"), so anchor on spaces and
    # ends instead of \b.
    return re.compile(r"(?:(?<=\s)|^)(?:" + "|".join(alternatives) + r")(?=\s|$)")


_MARKETING_RE = _marketing_pattern()
_ABBREVIATION_RE = re.compile(
    r"\b("
    + "|".join(sorted((re.escape(k) for k in _ABBREVIATIONS), key=len, reverse=True))
    + r")\b"
)
_TRADEMARKS = str.maketrans({"™": " ", "®": " ", "©": " ", "℠": " "})


def _expand(match: re.Match[str]) -> str:
    return _ABBREVIATIONS[match.group(1)]


def _strip_marketing(text: str) -> str:
    # Removing one phrase can join two words into another phrase ("best limited edition
    # seller"), so repeat until nothing changes; each round only shortens the text.
    while _MARKETING_RE.search(text):
        stripped = _SPACES.sub(" ", _MARKETING_RE.sub(" ", text)).strip()
        if stripped == text:
            return text
        text = stripped
    return text


def _truncate(text: str) -> str:
    if len(text) <= MAX_NORMALIZED_CHARS:
        return text
    cut = text[:MAX_NORMALIZED_CHARS]
    space = cut.rfind(" ")
    # Cut on a word boundary so that a second pass sees only whole, already normalized words.
    return cut[:space].rstrip() if space > 0 else cut


def _normalize_once(text: str) -> str:
    if text.isascii():
        # ASCII is already NFKC and casefold() is lower() there: skip the unicode passes.
        text = text.lower()
    else:
        # Trademark signs go first: NFKC would turn "™" into the letters "TM".
        text = unicodedata.normalize("NFKC", text.translate(_TRADEMARKS))
        text = unicodedata.normalize("NFKC", text.casefold())
    text = _strip_marketing(_SPACES.sub(" ", text).strip())
    text = _WITH.sub(" with ", text).replace("&", " and ")
    text = _SEPARATORS.sub(" ", text)
    text = _DIGIT_ALPHA.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if "%" in text or "per" in text or "pct" in text:
        text = _PERCENT.sub(r"\1% ", text)
    if "fl" in text:
        text = _FLUID_OUNCE.sub("fluid ounce", text)
    text = _ABBREVIATION_RE.sub(_expand, text)
    text = _COUNT_WORDS.sub(r"\1 count", text)
    text = _strip_marketing(_SPACES.sub(" ", text).strip())
    return _truncate(text)


@lru_cache(maxsize=65536)
def normalize_title(title: str) -> str:
    """Return the canonical form of a product title (see module docstring)."""
    raw = title[:_MAX_INPUT_CHARS]
    text = _normalize_once(raw)
    if raw.isascii():
        # One pass is a fixed point for ASCII input (property-tested); skip the check pass.
        return text
    # Iterating to a fixed point guards against unicode corner cases (casefold/NFKC
    # interactions) the rules did not foresee.
    for _ in range(3):
        again = _normalize_once(text)
        if again == text:
            break
        text = again
    return text


def tokens(normalized: str) -> list[str]:
    """Split a normalized title into word tokens."""
    return normalized.split()
