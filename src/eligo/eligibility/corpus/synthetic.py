"""Seeded generator of listing-like product titles from the taxonomy.

Every category yields titles built from its keywords (product nouns), strengths found in its
examples, forms, variants, sizes and brands (real ones from the taxonomy plus invented ones), then
roughened the way marketplace listings are: abbreviations, ALL CAPS, marketing words, a few
misspellings. Near-miss pairs put the same brand and packaging on two look-alike categories of
different status, and disqualifier rows ("... CBD Pain Relief Cream", "Moisturizer SPF 30") teach
the boundaries the rules describe.

Determinism: each category draws from its own ``random.Random`` seeded with (seed, category id),
so the same seed gives byte-identical rows and adding a category does not reshuffle the others.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterator, Sequence

from eligo.eligibility.corpus.records import LabelledTitle
from eligo.eligibility.taxonomy import STATUSES, Category, Disqualifier, Taxonomy

__all__ = ["STORE_BRANDS", "generate_synthetic", "invented_brands", "product_lines"]

# Store brands appear across many families, as they do on drugstore shelves.
STORE_BRANDS: tuple[str, ...] = (
    "Amazon Basic Care",
    "Up & Up",
    "Rite Aid",
    "GoodSense",
    "Leader",
    "Sunmark",
    "Kroger",
    "Meijer",
    "H-E-B",
    "Publix",
    "Topcare",
    "Care One",
    "Member's Mark",
    "Quality Choice",
    "Harris Teeter",
    "Signature Care",
)

# Titles per status before scaling; categories of a status share it (bounded per category),
# which keeps the four classes near balance although the taxonomy has more eligible categories.
_TARGET_PER_STATUS = 5500
_MIN_PER_CATEGORY = 24
_MAX_PER_CATEGORY = 170
_NEAR_MISS_PAIRS = 4
_DISQUALIFIER_ROWS = 10

_ONSETS = (
    "b",
    "br",
    "c",
    "cl",
    "d",
    "f",
    "fl",
    "g",
    "gr",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "q",
    "r",
    "s",
    "st",
    "t",
    "tr",
    "v",
    "w",
    "z",
    "x",
    "j",
    "ph",
    "th",
    "sol",
)
_VOWELS = ("a", "e", "i", "o", "u", "ae", "io", "ea", "y", "ou")
_CODAS = ("", "", "n", "r", "x", "l", "s", "m", "ra", "va", "na", "lia", "ix", "on", "ex")
_SUFFIXES = (
    "",
    "",
    "",
    " Labs",
    " Health",
    " Naturals",
    " Care",
    " Wellness",
    " Pharma",
    " Medical",
    " Co.",
    " Essentials",
    " Life",
    " Basics",
)
_MARKETING = (
    "New!",
    "Best Seller",
    "#1 Doctor Recommended",
    "NEW & IMPROVED",
    "Value Pack",
    "Clinically Proven",
    "Fast Acting",
    "Premium",
    "Top Rated",
    "Limited Edition",
    "Amazon's Choice",
    "Bulk",
    "Hot Sale",
    "Upgraded 2026",
    "Trusted Brand",
)
_ABBREVIATIONS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern), choices)
    for pattern, choices in (
        (r"\bCount\b", ("ct", "CT", "Ct.", "count", "cnt", "Ct")),
        (r"\bTablets\b", ("Tabs", "tablets", "TABS", "Tab")),
        (r"\bCapsules\b", ("Caps", "caps", "Capsule", "Vcaps")),
        (r"\bfl oz\b", ("FL OZ", "fl. oz.", "floz", "Fl.Oz", "oz")),
        (r"\boz\b", ("OZ", "Oz.", "ounce")),
        (r"\bMaximum\b", ("Max", "MAX")),
        (r"\bExtra Strength\b", ("XS", "Ex Str", "Extra-Strength")),
        (r"\bPack\b", ("Pk", "pk", "PK")),
        (r"\bmg\b", ("MG", "mg.", "Mg")),
        (r"\bwith\b", ("w/", "With", "W/")),
    )
)
# A form word is not appended to a product phrase that already names a form
# ("Vaporizing Ointment" + "Lozenges" reads wrong).
_FORM_WORDS = frozenset(
    [
        "tablet",
        "tablets",
        "caplet",
        "caplets",
        "capsule",
        "capsules",
        "softgel",
        "softgels",
        "gel",
        "gels",
        "gelcaps",
        "cream",
        "ointment",
        "lotion",
        "spray",
        "sprays",
        "syrup",
        "liquid",
        "drops",
        "lozenge",
        "lozenges",
        "powder",
        "patch",
        "patches",
        "wash",
        "pads",
        "strips",
        "kit",
        "gummies",
        "chewables",
        "stick",
        "balm",
        "oil",
        "solution",
        "suspension",
        "inhaler",
        "mist",
        "foam",
        "roll-on",
        "wipes",
    ]
)
_STRENGTH_RE = re.compile(
    r"(?i)\b(?:spf\s?\d{1,3}\+?|\d+(?:\.\d+)?\s?(?:mg|mcg|iu|%|mmhg|billion cfu|g)(?![a-z]))"
)


def _render_spf(value: float) -> str:
    return f"SPF {value:g}"


def _render_alcohol(value: float) -> str:
    return f"{value:g}% Alcohol"


_SIGNAL_RENDER: dict[str, Callable[[float], str]] = {
    "spf": _render_spf,
    "alcohol_pct": _render_alcohol,
}


def _rng(seed: int, *parts: str) -> random.Random:
    digest = hashlib.sha256(":".join((str(seed), *parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def invented_brands(seed: int, family: str, count: int = 30) -> tuple[str, ...]:
    """Plausible made-up brand names for a family (deterministic per seed and family)."""
    rng = _rng(seed, "brands", family)
    names: dict[str, None] = {}
    while len(names) < count:
        stem = rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        if rng.random() < 0.45:
            stem += rng.choice(_VOWELS) + rng.choice(("", "n", "x", "ra", "l"))
        names[stem.capitalize() + rng.choice(_SUFFIXES)] = None
    return tuple(names)


# Product-line names ("Hydro Boost", "Ultra Sheer") sit between brand and product in real
# listings. Invented ones are drawn for every category alike, so the model learns to read
# past them instead of tying them to a status.
_LINE_HEADS = (
    "Hydra",
    "Derma",
    "Ultra",
    "Pure",
    "Clear",
    "Nutri",
    "Vita",
    "Thera",
    "Opti",
    "Flexi",
    "Active",
    "Daily",
    "Total",
    "Essential",
    "Advanced",
    "Gentle",
    "Pro",
    "Max",
    "Bio",
    "Calm",
    "Cool",
    "Aqua",
    "Prime",
    "True",
    "Smart",
)
_LINE_TAILS = (
    "Boost",
    "Shield",
    "Calm",
    "Guard",
    "Care",
    "Balance",
    "Plus",
    "Fresh",
    "Ease",
    "Defense",
    "Restore",
    "Comfort",
    "Complete",
    "Essentials",
    "Select",
    "Touch",
    "Life",
    "Flex",
    "Clinical",
    "Sense",
    "Works",
    "Line",
    "Go",
    "Fit",
)


def product_lines(seed: int, count: int = 120) -> tuple[str, ...]:
    """Invented product-line names shared by all categories (deterministic per seed)."""
    rng = _rng(seed, "lines")
    names: dict[str, None] = {}
    while len(names) < count:
        head, tail = rng.choice(_LINE_HEADS), rng.choice(_LINE_TAILS)
        names[f"{head}{tail}" if rng.random() < 0.4 else f"{head} {tail}"] = None
    return tuple(names)


def _title_case(phrase: str) -> str:
    words = []
    for word in phrase.split():
        words.append(word if any(c.isupper() for c in word) else word[:1].upper() + word[1:])
    return " ".join(words)


def _strengths(category: Category) -> list[str]:
    found: dict[str, None] = {}
    for example in category.examples:
        for match in _STRENGTH_RE.finditer(example):
            found[match.group(0)] = None
    return list(found)


def _misspell(word: str, rng: random.Random) -> str:
    if len(word) < 6 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def _roughen(title: str, rng: random.Random) -> str:
    for pattern, choices in _ABBREVIATIONS:
        if rng.random() < 0.35:
            title = pattern.sub(rng.choice(choices), title, count=1)
    roll = rng.random()
    if roll < 0.07:
        title = title.upper()
    elif roll < 0.10:
        title = title.lower()
    if rng.random() < 0.04:
        words = title.split()
        k = rng.randrange(len(words))
        words[k] = _misspell(words[k], rng)
        title = " ".join(words)
    return re.sub(r"\s+", " ", title).strip(" ,-")


class _Vocabulary:
    """Generator vocabulary of one category: its own lists, else its family's."""

    def __init__(self, taxonomy: Taxonomy, category: Category, seed: int) -> None:
        family = taxonomy.families[category.family]
        self.category = category
        # Keywords with numbers ("30-40 mmhg", "70/30 flexpen") are match phrases, not
        # product nouns; a title built around them reads wrong.
        nouns = [k for k in category.keywords if not any(ch.isdigit() for ch in k)]
        self.products = [_title_case(k) for k in nouns or category.keywords]
        self.ingredients = [_title_case(i) for i in category.ingredients]
        # Drug listings often lead with the active ingredient ("Loratadine 10 mg Tablets");
        # for prescription drugs it is the usual product name.
        self.ingredient_share = 0.7 if category.family == "rx_drug" else 0.3
        self.strengths = _strengths(category)
        # Strengths seen next to a product phrase in the examples ("Ibuprofen ... 200mg"):
        # "Isopropyl Alcohol 3%" (the peroxide strength) must not happen.
        self.strength_by_product: dict[str, list[str]] = {}
        for phrase in (*self.products, *self.ingredients):
            found = [
                m.group(0)
                for example in category.examples
                if phrase.casefold() in example.casefold()
                for m in _STRENGTH_RE.finditer(example)
            ]
            if found:
                self.strength_by_product[phrase] = list(dict.fromkeys(found))
        self.forms = list(category.forms or family.forms)
        self.variants = list(category.variants or family.variants)
        self.sizes = list(family.sizes) or ["1 Count"]
        self.real_brands = list(category.brands or family.brands)
        self.fake_brands = list(invented_brands(seed, category.family))
        self.lines = product_lines(seed)
        self.claims = list(family.claims)

    def product(self, rng: random.Random) -> str:
        if self.ingredients and rng.random() < self.ingredient_share:
            return rng.choice(self.ingredients)
        noun = rng.choice(self.products)
        if noun.casefold().endswith(" spf"):
            # "Day Cream SPF" + a size would read as "SPF 8 fl oz": state a real SPF value,
            # one that meets the category's SPF 15+ rule.
            noun = f"{noun[:-3]}SPF {rng.choice((15, 20, 25, 30, 40, 45, 50, 55, 70))}"
        return noun

    def brand(self, rng: random.Random) -> str:
        if self.real_brands and rng.random() < 0.5:
            return rng.choice(self.real_brands)
        return rng.choice(self.fake_brands)


def _compose(
    brand: str,
    product: str,
    vocab: _Vocabulary,
    rng: random.Random,
    extra: str = "",
    *,
    with_strength: bool = True,
) -> str:
    strengths = vocab.strength_by_product.get(product, [])
    if not strengths and rng.random() < 0.25:
        strengths = vocab.strengths
    use = with_strength and strengths and rng.random() < 0.5
    strength = rng.choice(strengths) if use else ""
    form = ""
    if vocab.forms and rng.random() < 0.5:
        candidate = rng.choice(vocab.forms)
        if not _FORM_WORDS.intersection(product.lower().split()):
            form = candidate
    variant = rng.choice(vocab.variants) if vocab.variants and rng.random() < 0.55 else ""
    size = rng.choice(vocab.sizes) if rng.random() < 0.85 else ""
    marketing = rng.choice(_MARKETING) if rng.random() < 0.12 else ""
    claim = rng.choice(vocab.claims) if vocab.claims and rng.random() < 0.2 else ""
    line = rng.choice(vocab.lines) if rng.random() < 0.25 else ""
    core = " ".join(p for p in (line, extra, product, strength, form) if p)
    pattern = rng.randrange(7)
    if pattern == 0:
        title = f"{brand} {core}, {size}" if size else f"{brand} {core}"
    elif pattern == 1:
        title = f"{brand} {variant} {core} {size}"
    elif pattern == 2:
        title = f"{core} by {brand} - {variant} - {size}"
    elif pattern == 3:
        title = f"{brand} {core} ({variant}), {size}"
    elif pattern == 4:
        pack = rng.choice((2, 3, 4, 6))
        title = f"{brand} {core} {variant} {size} (Pack of {pack})"
    elif pattern == 5:
        title = f"{brand.upper()} {core.upper()} {size.upper()}"
    else:
        title = f"{brand} {core} | {variant} | {size}"
    if claim:
        title = f"{title}, {claim}" if rng.random() < 0.5 else f"{title} - {claim}"
    if marketing:
        title = f"{marketing} {title}" if rng.random() < 0.5 else f"{title} - {marketing}"
    title = re.sub(r"\(\s*\)|\|\s*\|", " ", title)
    title = re.sub(r"\s*-\s*-\s*", " - ", title)
    return _roughen(title, rng)


def _row(title: str, brand: str, category: Category, product: str) -> LabelledTitle:
    return LabelledTitle(
        title=title,
        brand=brand,
        status=category.status,
        category=category.id,
        source="synthetic",
        group=f"{brand.casefold()}|{category.id}|{product.casefold()}",
    )


def _stochastic_round(value: float, rng: random.Random) -> int:
    # Small scales keep their expected size: 0.2 pairs per near miss means one pair in five.
    whole = int(value)
    return whole + (rng.random() < value - whole)


def _per_category(taxonomy: Taxonomy, scale: float) -> dict[str, float]:
    counts = taxonomy.counts_by_status()
    out: dict[str, float] = {}
    for status in STATUSES:
        n = counts[status]
        if not n:
            continue
        each = min(_MAX_PER_CATEGORY, max(_MIN_PER_CATEGORY, _TARGET_PER_STATUS // n))
        out[status] = each * scale
    return out


def _condition_value(rule: Disqualifier, satisfy: bool, rng: random.Random) -> float | None:
    cond = rule.condition
    if cond is None:
        return None
    if cond.signal == "spf":
        pool = (15, 20, 25, 30, 45, 50, 55, 70, 100) if satisfy else (2, 4, 6, 8, 10, 12)
    else:
        pool = (60, 62, 65, 70, 75, 80) if satisfy else (0, 5, 10, 20, 30, 40)
    value = float(rng.choice(pool))
    # The pools follow the thresholds used in the taxonomy; check instead of trusting them.
    if cond.holds({cond.signal: value}) != satisfy:
        return None
    return value


def _disqualifier_rows(
    taxonomy: Taxonomy, category: Category, vocab: _Vocabulary, rng: random.Random, n: int
) -> Iterator[LabelledTitle]:
    for rule in category.disqualifiers:
        target = taxonomy.get(rule.move_to)
        for _ in range(n):
            brand = vocab.brand(rng)
            product = vocab.product(rng)
            if rule.condition is not None and rule.condition.signal in _SIGNAL_RENDER:
                render = _SIGNAL_RENDER[rule.condition.signal]
                for satisfy, label in ((True, target), (False, category)):
                    value = _condition_value(rule, satisfy, rng)
                    if value is None:
                        continue
                    # No extra strength: a second "SPF 30" would contradict the label.
                    title = _compose(
                        brand, f"{product} {render(value)}", vocab, rng, with_strength=False
                    )
                    yield _row(title, brand, label, product)
            else:
                # Keyword nouns only, no strength: "Benzalkonium Ethyl Alcohol 62%" would
                # contradict the label the disqualifier gives.
                term = _title_case(rng.choice(rule.terms))
                product = rng.choice(vocab.products)
                title = _compose(brand, product, vocab, rng, extra=term, with_strength=False)
                yield _row(title, brand, target, product)


def generate_synthetic(
    taxonomy: Taxonomy, *, seed: int, scale: float, store_brands: Sequence[str] = STORE_BRANDS
) -> list[LabelledTitle]:
    """All synthetic rows, in taxonomy order (deterministic for a seed and scale)."""
    per_status = _per_category(taxonomy, scale)
    vocabularies = {c.id: _Vocabulary(taxonomy, c, seed) for c in taxonomy.categories}
    rows: list[LabelledTitle] = []
    pairs = _NEAR_MISS_PAIRS * scale
    dq_rows = _DISQUALIFIER_ROWS * scale
    for category in taxonomy.categories:
        rng = _rng(seed, "category", category.id)
        vocab = vocabularies[category.id]
        # At least one row per category, so every category is covered at any scale.
        for _ in range(max(1, _stochastic_round(per_status[category.status], rng))):
            brand = vocab.brand(rng)
            product = vocab.product(rng)
            rows.append(_row(_compose(brand, product, vocab, rng), brand, category, product))
        rows.extend(
            _disqualifier_rows(
                taxonomy, category, vocab, rng, max(1, _stochastic_round(dq_rows, rng))
            )
        )
        # Near-miss pairs: one (store or invented) brand, same packaging words, two statuses.
        for other_id in category.near_misses:
            other = taxonomy.get(other_id)
            other_vocab = vocabularies[other_id]
            for _ in range(_stochastic_round(pairs, rng)):
                brand = rng.choice(store_brands) if rng.random() < 0.5 else vocab.brand(rng)
                for cat, voc in ((category, vocab), (other, other_vocab)):
                    product = voc.product(rng)
                    rows.append(_row(_compose(brand, product, voc, rng), brand, cat, product))
    return rows
