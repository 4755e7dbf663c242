"""Letter slips in printed names, repaired against an English word list.

OCR of a soft photo swaps look-alike letters inside words: "Orehard Valley Farms", "Blue
Heron Software Ine", "Evergreen Sentor Living", "GoId 1500". A word that is neither English
(pyspellchecker's frequency list, MIT licence, shipped in its wheel) nor one of our own
vocabularies, and that one look-alike swap turns into one of them, is taken as that word.

Coined brand names stay as read: "MedImpact", "Rxelerate" or "PillPath" are no single swap
away from a word, and the payers, PBMs and label words we know by name count as words. Only
names of organisations and plans are repaired, never a person's name: surnames are not in a
dictionary, and "Leal" is one swap from "Teal".
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from importlib.resources import files

from eligo.cards import vocab

# Letters OCR confuses on blurred or low-resolution print, lower case (each way listed).
LOOK_ALIKES: dict[str, str] = {
    "a": "o",
    "b": "h",
    "c": "eo",
    "e": "co",
    "f": "t",
    "h": "bn",
    "i": "lt",
    "l": "it",
    "m": "n",
    "n": "hum",
    "o": "ace",
    "t": "lif",
    "u": "n",
}
# A repair must land on a word at least this common in the list: its rarest entries (count
# 50) include misspellings and foreign words ("medico", "novara").
MIN_COUNT = 100
# Shorter words have too many neighbours to tell which was meant.
MIN_LENGTH = 3
_WORD = re.compile(r"[A-Za-z]+")


@cache
def english_counts() -> dict[str, int]:
    """Word -> count in pyspellchecker's English frequency list (160,000 words, ~80 ms)."""
    path = files("spellchecker") / "resources" / "en.json.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        counts: dict[str, int] = json.load(fh)
    return counts


@cache
def domain_words() -> frozenset[str]:
    """Words of the names and labels eligo knows: payers, PBMs, plan types, benefits,
    company forms."""
    texts: list[str] = [
        *vocab.PAYER_NAMES,
        *vocab.PBM_MARKS,
        *vocab.BIN_TO_PBM.values(),
        *vocab.PLAN_TYPES,
        *vocab.COPAY_BENEFITS,
        # Company forms are rare in running text ("inc" counts 56) yet common on cards.
        *vocab.COMPANY_FORMS,
        *(label for labels in vocab.FIELD_LABELS.values() for label in labels),
    ]
    return frozenset(w.lower() for text in texts for w in _WORD.findall(text))


def _known(word: str) -> bool:
    return word in domain_words() or word in english_counts()


def _repair_word(word: str) -> str | None:
    """The word one look-alike swap makes of ``word`` when ``word`` is no word itself."""
    low = word.lower()
    if len(low) < MIN_LENGTH or _known(low):
        return None
    counts = english_counts()
    domain = domain_words()
    best: tuple[int, str] | None = None
    for i, ch in enumerate(low):
        for alt in LOOK_ALIKES.get(ch, ""):
            cand = low[:i] + alt + low[i + 1 :]
            # A word of our own vocabulary outranks any English word.
            rank = 10**9 if cand in domain else counts.get(cand, 0)
            if rank >= MIN_COUNT and (best is None or rank > best[0]):
                best = (rank, cand)
    if best is None:
        return None
    return _with_case(word, best[1])


def _with_case(printed: str, word: str) -> str:
    """``word`` (one letter swapped) in the case ``printed`` was read in, letter by letter
    ("McQucen" -> "McQueen"). Inside the word the swapped letter is lower case next to a
    lower-case letter: its own case may be the slip ("GoId")."""
    if printed.isupper():
        return word.upper()
    out = []
    for i, (was, ch) in enumerate(zip(printed, word, strict=True)):
        upper = was.isupper()
        if was.lower() != ch and i > 0:
            upper = not any(c.islower() for c in printed[i - 1 : i + 2 : 2])
        out.append(ch.upper() if upper else ch)
    return "".join(out)


def repair_words(text: str) -> str:
    """``text`` with each word that is a look-alike slip of a known word repaired."""
    return _WORD.sub(lambda m: _repair_word(m.group()) or m.group(), text)
