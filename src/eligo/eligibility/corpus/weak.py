"""Weak-labelled rows from public data sets in the shared data folder.

- ``off_us_grocery_upcs`` (Open Food Facts, ODbL): grocery names -> ``not_eligible``, minus names
  the taxonomy says are medical (cough drops, bandages...) and drug UPCs (NDC number system 3).
- ``dsld_supplements`` (NIH DSLD, public domain): supplements -> ``lmn`` by default; prenatal
  vitamins and glucose tablets -> ``eligible`` (administrator lists); sports nutrition (by words
  or by sports-nutrition brand), bars and teas (by form or tea brand) -> ``not_eligible``.
- ``fda_device_product_codes`` (FDA, public domain): device names reordered into retail word order
  and kept only when the taxonomy maps them to a consumer device category.

Each reader samples deterministically from the whole file (seeded), so results do not depend
on file order beyond the seed. Missing folders are skipped with a warning.
"""

from __future__ import annotations

import csv
import html
import logging
import random
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from eligo.eligibility.corpus.records import LabelledTitle
from eligo.eligibility.taxonomy import Taxonomy
from eligo.eligibility.text import normalize_title

__all__ = ["dsld_rows", "fda_rows", "off_rows"]

logger = logging.getLogger(__name__)

OFF_FILE = "off_us_grocery_upcs/off_2018_upc_names.csv"
DSLD_FILE = "dsld_supplements/dsld_products_2019.csv"
FDA_FILE = "fda_device_product_codes/fda_device_product_codes_2019.csv"

OFF_CATEGORY = "grocery_food"
DSLD_DEFAULT_CATEGORY = "dietary_supplement_other"

_NON_ENGLISH = re.compile(
    r"\b(?:de|du|des|aux|au|la|le|les|et|avec|sans|pour|und|mit|der|die|das|con|sin|del)\b"
)
_DOSAGE_WORDS = re.compile(
    r"\b(?:capsules?|tablets?|softgels?|caplets?|gummies|supplement|lozenges?|drug facts)\b"
)
_SPORTS = re.compile(
    r"\b(?:whey|protein|pre workout|preworkout|pre cmplx|mass gainer|gainer|bcaa|eaa|creatine|"
    r"nitric oxide|amino energy|energy drink|energy shot|isolate|casein|anabolic|muscle|"
    r"test booster|testosterone booster|pump|shred|ripped|c 4|glutamine)\b"
)
_CAFFEINE = re.compile(r"\b(?:caffeine|energy)\b")
# Sports-nutrition brands: their labels are overwhelmingly pre-workouts, proteins and
# "performance" blends, which the taxonomy treats as not eligible (food / sports nutrition).
_SPORTS_BRANDS = re.compile(
    r"^(?:nutrabio|now sports|cellucor|dymatize|prosupps|ps prosupps|universal nutrition|universal|"
    r"muscletech|bsn|gaspari|bpi|nutrex|core nutritionals|usplabs|kaged|musclepharm|"
    r"precision engineered|cytosport|xcel sports|ast sports|labrada|metabolic nutrition|promera|"
    r"applied nutrition|image sports|infinite labs|onnit|ultimate nutrition|cutler|muscle empire|"
    r"purus labs|six star|ironmag|inner armour|reaction nutrition|efx sports|true athlete|"
    r"optimum nutrition|evlution|allmax|jym|rsp nutrition|finaflex|beast sports|myprotein|"
    r"isopure|scivation|mm sports|vsn|faktrition|olympian labs|ol olympian|mhp|gat sport|"
    r"controlled labs|animal|herbalife 24)\b"
)
_TEA_BRANDS = re.compile(
    r"^(?:yogi|traditional medicinals|celestial seasonings|twinings|bigelow|pukka|buddha teas|"
    r"alvita|stash|tazo|numi|choice organic teas|the republic of tea|rishi)\b"
)
_PRENATAL = re.compile(r"\b(?:prenatal|pre natal|pregnancy multi)\b")
_GLUCOSE = re.compile(r"\bglucose\b.*\b(?:tablets?|gel|chewables?|tabs)\b")
_MEDICAL_FAMILIES = frozenset(
    {
        "diagnostics",
        "home_devices",
        "orthopedic",
        "vision_ear",
        "first_aid",
        "dental",
        "maternity",
        "incontinence",
        "rx_device",
        "menstrual",
    }
)


@lru_cache(maxsize=4)
def _read_csv(path: Path) -> tuple[dict[str, str], ...]:
    # Cached: tests and the CLI build the corpus several times in one process.
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def _load(shared: Path, relative: str) -> tuple[dict[str, str], ...]:
    path = shared / relative
    if not path.is_file():
        logger.warning("weak-label source %s not found; skipping it", path)
        return ()
    return _read_csv(path)


def _sample_order(n: int, rng: random.Random, limit: int) -> Iterator[int]:
    """Row indices in random order; draws a few times ``limit`` first (filters drop some).

    Cheaper than shuffling 180k indices when only a few thousand are needed, and still
    deterministic for a seed.
    """
    first = rng.sample(range(n), min(n, limit * 4))
    yield from first
    if len(first) < n:
        seen = set(first)
        rest = [i for i in range(n) if i not in seen]
        rng.shuffle(rest)
        yield from rest


def off_rows(taxonomy: Taxonomy, shared: Path, *, seed: int, limit: int) -> Iterator[LabelledTitle]:
    """Grocery names as ``not_eligible`` negatives (Open Food Facts, ODbL)."""
    rows = _load(shared, OFF_FILE)
    rng = random.Random(f"{seed}:off")
    kept = 0
    seen: set[str] = set()
    for i in _sample_order(len(rows), rng, limit):
        if kept >= limit:
            break
        upc = rows[i].get("upc12", "")
        name = html.unescape(rows[i].get("product_name", "")).strip()
        # Padded in-store codes are mostly non-US; number system 3 is NDC (drugs).
        if len(upc) != 12 or upc.startswith(("0000", "3")) or len(name) < 4:
            continue
        normalized = normalize_title(name)
        if normalized in seen or _NON_ENGLISH.search(normalized) or len(normalized.split()) < 2:
            continue
        hits = taxonomy.match(normalized)
        medical = [h for h in hits if h.status in ("eligible", "rx")]
        supplement = [h for h in hits if h.status == "lmn"] and _DOSAGE_WORDS.search(normalized)
        if medical or supplement:
            continue
        seen.add(normalized)
        words = normalized.split()
        kept += 1
        yield LabelledTitle(
            title=name,
            brand="",
            status="not_eligible",
            category=OFF_CATEGORY,
            source="off",
            group="off:" + " ".join(words[:2]),
            gtin=upc,
        )


def _dsld_label(taxonomy: Taxonomy, row: dict[str, str], normalized: str) -> tuple[str, str]:
    form = row.get("supplement_form", "")
    brand = normalize_title(row.get("brand", "").lstrip("'"))
    if _PRENATAL.search(normalized):
        return "eligible", "prenatal_vitamins"
    if _GLUCOSE.search(normalized):
        return "eligible", "glucose_tablets"
    if _TEA_BRANDS.search(brand) or (
        form.startswith("Supplement form, Other") and "tea" in normalized.split()
    ):
        return "not_eligible", "herbal_tea"
    if _SPORTS_BRANDS.search(brand) or _SPORTS.search(normalized) or form == "Bar":
        if _CAFFEINE.search(normalized):
            return "not_eligible", "caffeine_energy_supplement"
        return "not_eligible", "protein_powder"
    for hit in taxonomy.match(normalized):
        if hit.status == "lmn" and taxonomy.get(hit.category).family == "supplements":
            return "lmn", hit.category
        break
    return "lmn", DSLD_DEFAULT_CATEGORY


_CONTENTS = re.compile(r"\((s|es)\)")


def dsld_rows(
    taxonomy: Taxonomy, shared: Path, *, seed: int, limit: int
) -> Iterator[LabelledTitle]:
    """Supplement labels (NIH DSLD, public domain), labelled by claim and product type."""
    rows = _load(shared, DSLD_FILE)
    rng = random.Random(f"{seed}:dsld")
    kept = 0
    seen: set[str] = set()
    for i in _sample_order(len(rows), rng, limit):
        if kept >= limit:
            break
        row = rows[i]
        name = row.get("product_name", "").strip()
        brand = row.get("brand", "").strip().lstrip("'")
        if not name or not brand:
            continue
        title = name if name.casefold().startswith(brand.casefold()) else f"{brand} {name}"
        contents = _CONTENTS.sub(r"\1", row.get("net_contents", "")).replace("(s)", "s")
        if contents and rng.random() < 0.6:
            title = f"{title}, {contents}"
        normalized = normalize_title(title)
        if normalized in seen:
            continue
        seen.add(normalized)
        status, category = _dsld_label(taxonomy, row, normalized)
        kept += 1
        yield LabelledTitle(
            title=title,
            brand=brand,
            status=status,
            category=category,
            source="dsld",
            group=f"dsld:{brand.casefold()}",
        )


def _retail_order(device_name: str) -> str:
    # FDA names read "Thermometer, Electronic, Clinical"; listings read "Clinical Electronic
    # Thermometer".
    parts = [p.strip() for p in device_name.split(",") if p.strip()]
    if len(parts) < 2:
        return device_name.strip()
    return " ".join([*reversed(parts[1:]), parts[0]])


def fda_rows(taxonomy: Taxonomy, shared: Path) -> Iterator[LabelledTitle]:
    """FDA device types the taxonomy maps to a consumer device category (public domain)."""
    seen: set[str] = set()
    for row in _load(shared, FDA_FILE):
        name = _retail_order(row.get("device_name", ""))
        normalized = normalize_title(name)
        if not normalized or normalized in seen:
            continue
        hits = taxonomy.match(normalized)
        if not hits:
            continue
        top = hits[0]
        if taxonomy.get(top.category).family not in _MEDICAL_FAMILIES:
            continue
        seen.add(normalized)
        yield LabelledTitle(
            title=name,
            brand="",
            status=top.status,
            category=top.category,
            source="fda",
            group=f"fda:{row.get('product_code', '')}",
        )
