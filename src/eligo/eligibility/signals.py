"""Rule signals: the few facts in a title or description that eligibility rules turn on.

An embedding blurs "SPF 8" and "SPF 30", "40% alcohol" and "70% alcohol", "Supplement Facts"
and "Drug Facts"; the administrator rules do not. ``extract_signals`` reads those facts into a
small typed mapping of floats (a fixed set of names, ``SIGNAL_NAMES``) that the classifier uses
as features and the taxonomy uses to evaluate disqualifier conditions (``spf>=15``,
``alcohol_pct<60``), plus a human-readable reason.

Numeric values that are absent are ``nan`` (not 0): "no SPF stated" must not satisfy ``spf<15``.
Works on raw or normalized text (it normalizes first; normalization is idempotent).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from eligo.eligibility.text import MAX_NORMALIZED_CHARS, normalize_title

__all__ = ["SIGNAL_NAMES", "RuleSignals", "extract_signals", "signal_features"]

SIGNAL_NAMES: Final = (
    "spf",
    "spf_ge_15",
    "broad_spectrum",
    "alcohol_pct",
    "alcohol_ge_60",
    "alcohol_free",
    "drug_facts",
    "supplement_facts",
    "rx_only",
    "otc_claim",
    "dosage_form",
    "strength_mg",
    "medical_claim",
    "cosmetic_claim",
    "food_claim",
    "pediatric",
    "homeopathic",
    "negated_active",
    "compression_mmhg",
)

_NAN = float("nan")

_SPF = re.compile(r"\b(?:spf|sun protection factor)\s*(\d{1,3}(?:\.\d+)?)")
_BROAD = re.compile(r"\bbroad spectrum\b|\buva\s*(?:and|/)?\s*uvb\b")
_ALCOHOL = re.compile(
    r"(\d{1,3}(?:\.\d+)?)%\s*(?:v\s*v\s*)?(?:ethyl |ethanol |isopropyl |ethyl alcohol |"
    r"isopropyl alcohol |alc |alcohol )?(?:alcohol|alc|ethanol)\b"
    r"|\b(?:alcohol|ethanol|alc)\s*(\d{1,3}(?:\.\d+)?)%"
)
_ALCOHOL_FREE = re.compile(
    r"\balcohol free\b|\bnon alcohol(?:ic)?\b|\bno alcohol\b|\bwithout alcohol\b|\b0% alcohol\b"
)
_DRUG_FACTS = re.compile(r"\bdrug facts\b|\bactive ingredients?\b|\bnda\b|\banda\b")
_SUPPLEMENT_FACTS = re.compile(
    r"\bsupplement facts\b|\bdietary supplement\b|\bherbal supplement\b|\bnutrition facts\b"
)
_RX = re.compile(
    r"\brx only\b|\bprescription only\b|\bprescription required\b|\brequires? (?:a )?prescription\b"
    r"|\brx required\b|\bby prescription\b|\bprescription strength\b|\bneeds (?:a )?prescription\b"
    r"|\bwith (?:a )?prescription\b|\bprescription (?:medication|drug|lenses|glasses|sunglasses)\b"
    r"|\bcompounded\b|\brx\b"
)
_OTC = re.compile(
    r"\botc\b|\bover the counter\b|\bnon prescription\b|\bnonprescription\b"
    r"|\bno prescription\b|\bwithout (?:a )?prescription\b|\bprescription free\b"
)
_DOSAGE = re.compile(
    r"\b(?:tablets?|caplets?|capsules?|softgels?|gelcaps?|gummies|gummy|chewables?|lozenges?|"
    r"suppositor(?:y|ies)|ointment|cream|gel|spray|drops|syrup|suspension|patch(?:es)?|"
    r"powder|liquid|inhaler|injection|solution|lotion|film|strips?)\b"
)
_STRENGTH = re.compile(r"(\d+(?:\.\d+)?) (milligram|microgram|gram)\b")
_MEDICAL = re.compile(
    r"\b(?:relief|relieves?|reliever|treats?|treatment|pain|symptoms?|fever|infection|"
    r"medicated|medicine|therapeutic|therapy|healing|heals|fda cleared|fda approved|"
    r"antiseptic|antibiotic|antifungal|analgesic|allergy|congestion|cough|itch|diabetic|"
    r"wound|injury|clinical|hospital grade|incontinence|prevents?)\b"
)
_COSMETIC = re.compile(
    r"\b(?:anti aging|glow|glowing|beauty|fragrance|fragranced|scented|radiant|luminous|makeup|"
    r"tint|tinted|shimmer|brightening|illuminating|dewy|matte|perfume|cosmetic|"
    r"lavender|vanilla|coconut|rose|sparkle|color|shade)\b"
)
_FOOD = re.compile(
    r"\b(?:flavor|flavored|snack|snacks|drink|beverage|cereal|cookies?|chips|candy|chocolate|"
    r"juice|soda|coffee|tea|bars?|servings?|calories|protein|organic|delicious|recipe)\b"
)
_PEDIATRIC = re.compile(
    r"\b(?:kids?|children s|childrens|children|infants?|baby|toddlers?|pediatric|junior)\b"
)
_HOMEOPATHIC = re.compile(r"\bhomeopathic\b|\bhpus\b|\b(?:6|12|30|200) c\b")
_NEGATED = re.compile(
    r"\b(?:drug|medicine|medication|ibuprofen|acetaminophen|aspirin|nicotine|caffeine|fluoride|"
    r"spf|sunscreen|lidocaine|menthol|steroid|paraben|benzocaine) free\b|\bnon medicated\b"
    r"|\bunmedicated\b|\bno active ingredients?\b|\bnot a (?:drug|medicine|medical device)\b"
)
_MMHG = re.compile(r"(\d{2})(?: (\d{2}))? ?mmhg\b")


@dataclass(frozen=True)
class RuleSignals:
    """Signal values by name (every name in ``SIGNAL_NAMES``) and why they matter."""

    values: Mapping[str, float]
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _first_number(match: re.Match[str] | None) -> float:
    if match is None:
        return _NAN
    for group in match.groups():
        if group is not None:
            return float(group)
    return _NAN


def _max_spf(text: str) -> float:
    values = [float(m.group(1)) for m in _SPF.finditer(text)]
    return max(values) if values else _NAN


def _strength_mg(text: str) -> float:
    match = _STRENGTH.search(text)
    if match is None:
        return _NAN
    value = float(match.group(1))
    unit = match.group(2)
    return value / 1000.0 if unit == "microgram" else value * 1000.0 if unit == "gram" else value


def _rx_only(text: str) -> bool:
    if not _RX.search(text):
        return False
    # "No prescription needed" / "non-prescription" cancel a bare "prescription".
    return not _OTC.search(text)


# What normalize_title() output looks like for ASCII input: the hook can skip a second pass.
_LOOKS_NORMALIZED = re.compile(r"(?:[a-z0-9%.]+(?: [a-z0-9%.]+)*)?")


def extract_signals(title: str, description: str | None = None) -> RuleSignals:
    """Read the rule signals from a title (and optional description)."""
    return _extract(normalize_title(f"{title} {description}" if description else title))


def _extract(text: str) -> RuleSignals:
    spf = _max_spf(text)
    alcohol_free = bool(_ALCOHOL_FREE.search(text))
    alcohol = _first_number(_ALCOHOL.search(text))
    if alcohol_free and math.isnan(alcohol):
        alcohol = 0.0
    mmhg = [float(g) for m in _MMHG.finditer(text) for g in m.groups() if g is not None]
    values: dict[str, float] = {
        "spf": spf,
        "spf_ge_15": float(not math.isnan(spf) and spf >= 15),
        "broad_spectrum": float(bool(_BROAD.search(text))),
        "alcohol_pct": alcohol,
        "alcohol_ge_60": float(not math.isnan(alcohol) and alcohol >= 60),
        "alcohol_free": float(alcohol_free),
        "drug_facts": float(bool(_DRUG_FACTS.search(text))),
        "supplement_facts": float(bool(_SUPPLEMENT_FACTS.search(text))),
        "rx_only": float(_rx_only(text)),
        "otc_claim": float(bool(_OTC.search(text))),
        "dosage_form": float(bool(_DOSAGE.search(text))),
        "strength_mg": _strength_mg(text),
        "medical_claim": float(len(_MEDICAL.findall(text))),
        "cosmetic_claim": float(len(_COSMETIC.findall(text))),
        "food_claim": float(len(_FOOD.findall(text))),
        "pediatric": float(bool(_PEDIATRIC.search(text))),
        "homeopathic": float(bool(_HOMEOPATHIC.search(text))),
        "negated_active": float(bool(_NEGATED.search(text))),
        "compression_mmhg": max(mmhg) if mmhg else _NAN,
    }
    return RuleSignals(values=values, reasons=_reasons(values))


def _reasons(v: Mapping[str, float]) -> tuple[str, ...]:
    out: list[str] = []
    if not math.isnan(v["spf"]):
        rule = "meets" if v["spf"] >= 15 else "below"
        out.append(f"SPF {v['spf']:g} ({rule} the SPF 15 sunscreen threshold)")
    if not math.isnan(v["alcohol_pct"]):
        rule = "meets" if v["alcohol_pct"] >= 60 else "below"
        out.append(f"{v['alcohol_pct']:g}% alcohol ({rule} the 60% hand-sanitizer threshold)")
    if v["drug_facts"]:
        out.append("mentions a Drug Facts panel / active ingredient (OTC drug)")
    if v["supplement_facts"]:
        out.append("labelled as a dietary supplement (Letter of Medical Necessity rule)")
    if v["rx_only"]:
        out.append("marked prescription-only")
    elif v["otc_claim"]:
        out.append("marked over-the-counter / no prescription needed")
    if v["negated_active"]:
        out.append("says it is free of a drug or active ingredient")
    if not math.isnan(v["compression_mmhg"]):
        out.append(f"compression {v['compression_mmhg']:g} mmHg")
    return tuple(out)


def signal_features(text: str) -> Mapping[str, float]:
    """Signal values only (the classifier's feature hook; see ``features.RULE_SIGNALS``).

    Expects normalized text (what the hook is given); anything else is normalized first.
    """
    if len(text) > MAX_NORMALIZED_CHARS or not _LOOKS_NORMALIZED.fullmatch(text):
        text = normalize_title(text)
    return _extract(text).values
