"""The FSA/HSA product taxonomy: typed, validated view of ``data/taxonomy.yaml``.

The YAML is the single source for eligibility rules, explanations, rule features and synthetic
corpus generation. ``load_taxonomy()`` parses and validates it once per process; the result is
immutable. ``Taxonomy.match()`` finds the categories whose keywords or active ingredients occur
in a normalized title. It runs per request, so matching is a dictionary lookup over the title's
word n-grams (no regex alternation over ~2,000 phrases).
"""

from __future__ import annotations

import logging
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from eligo.eligibility.text import normalize_title

__all__ = [
    "STATUSES",
    "Category",
    "CategoryHit",
    "Condition",
    "Disqualifier",
    "Family",
    "Status",
    "Taxonomy",
    "TaxonomyError",
    "load_taxonomy",
    "parse_taxonomy",
]

logger = logging.getLogger(__name__)

Status = Literal["eligible", "lmn", "rx", "not_eligible"]
STATUSES: tuple[Status, ...] = ("eligible", "lmn", "rx", "not_eligible")

MIN_EXAMPLES = 3
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CONDITION_RE = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)\s*$")
_OPERATORS = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}
# A phrase directly followed by one of these is negated: "ibuprofen free", "latex free".
_NEGATING_NEXT = frozenset({"free"})
_NEGATING_PREVIOUS = frozenset({"no", "without", "non"})


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message names the category and the problem."""


@dataclass(frozen=True)
class Condition:
    """A numeric test on a rule signal, e.g. ``spf>=15``; ``signal`` names a signals feature."""

    signal: str
    op: str
    value: float

    def holds(self, values: Mapping[str, float]) -> bool:
        if self.signal not in values:
            return False
        return bool(_OPERATORS[self.op](values[self.signal], self.value))

    def __str__(self) -> str:
        return f"{self.signal}{self.op}{self.value:g}"


@dataclass(frozen=True)
class Disqualifier:
    """Terms (any of them, plus the optional condition) that move a title to ``move_to``."""

    terms: tuple[str, ...]
    move_to: str
    condition: Condition | None = None


@dataclass(frozen=True)
class Family:
    """Generator vocabulary shared by related categories."""

    id: str
    brands: tuple[str, ...]
    sizes: tuple[str, ...]
    variants: tuple[str, ...]
    forms: tuple[str, ...]
    # Claim phrases listings of this family carry ("Non-Drowsy", "Supports Immune Health").
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    status: Status
    family: str
    rule: str
    citation: str
    keywords: tuple[str, ...]
    ingredients: tuple[str, ...]
    disqualifiers: tuple[Disqualifier, ...]
    examples: tuple[str, ...]
    near_misses: tuple[str, ...]
    # Optional generator vocabulary that overrides the family's.
    brands: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategoryHit:
    """One category suggested by the title's words, with the evidence for the explanation."""

    category: str
    status: Status
    score: float
    terms: tuple[str, ...]
    moved_from: str | None = None


@dataclass(frozen=True)
class _Phrase:
    category: str
    term: str
    weight: float


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: tuple[Category, ...]
    families: Mapping[str, Family]
    citations: Mapping[str, str]
    _by_id: Mapping[str, Category] = field(repr=False)
    _index: Mapping[tuple[str, ...], tuple[_Phrase, ...]] = field(repr=False)
    _max_ngram: int = field(repr=False)
    _disqualifier_terms: Mapping[str, tuple[tuple[tuple[str, ...], Disqualifier], ...]] = field(
        repr=False
    )

    def __len__(self) -> int:
        return len(self.categories)

    def __contains__(self, category_id: object) -> bool:
        return category_id in self._by_id

    def get(self, category_id: str) -> Category:
        """Return the category with this id; ``KeyError`` if unknown."""
        return self._by_id[category_id]

    def by_status(self, status: Status) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.status == status)

    def counts_by_status(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for category in self.categories:
            counts[category.status] += 1
        return counts

    def match(
        self, normalized: str, *, signals: Mapping[str, float] | None = None, limit: int = 5
    ) -> list[CategoryHit]:
        """Categories whose keywords/ingredients occur in ``normalized`` (see ``normalize_title``).

        Disqualifiers are applied: a hit whose disqualifying term (and condition, evaluated on
        ``signals``) is present hands its evidence to the target category. Hits are sorted by
        score, best first; the score grows with the number and length of matched phrases.
        """
        words = [_stem(w) for w in normalized.split()]
        found = _find_phrases(words, self._index, self._max_ngram)
        if not found:
            return []
        scores: dict[str, float] = {}
        terms: dict[str, list[str]] = {}
        for phrase in found:
            seen = terms.setdefault(phrase.category, [])
            if phrase.term in seen:
                continue  # a term repeated in the title counts once
            seen.append(phrase.term)
            scores[phrase.category] = scores.get(phrase.category, 0.0) + phrase.weight
        moved: dict[str, str] = {}
        values = signals or {}
        present = {" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words))}
        for category_id in list(scores):
            for stems, rule in self._disqualifier_terms.get(category_id, ()):
                if " ".join(stems) not in present:
                    continue
                if rule.condition is not None and not rule.condition.holds(values):
                    continue
                score = scores.pop(category_id, 0.0)
                if not score:
                    break
                target = rule.move_to
                scores[target] = scores.get(target, 0.0) + score + 1.0
                terms.setdefault(target, []).extend(terms.pop(category_id, []))
                moved[target] = category_id
                break
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [
            CategoryHit(
                category=cid,
                status=self._by_id[cid].status,
                score=score,
                terms=tuple(dict.fromkeys(terms.get(cid, ()))),
                moved_from=moved.get(cid),
            )
            for cid, score in ranked
        ]

    def match_title(
        self, title: str, *, signals: Mapping[str, float] | None = None
    ) -> list[CategoryHit]:
        """``match()`` on a raw title (normalizes it first)."""
        return self.match(normalize_title(title), signals=signals)

    def status_scores(self, hits: Iterable[CategoryHit]) -> dict[str, float]:
        """Best hit score per status: a compact feature vector for the classifier."""
        out: dict[str, float] = dict.fromkeys(STATUSES, 0.0)
        for hit in hits:
            out[hit.status] = max(out[hit.status], hit.score)
        return out


def _stem(word: str) -> str:
    # Light plural folding, applied identically to the index and the query: "tablets" and
    # "tablet" meet, "glasses"/"glass" do not need to.
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _phrase_key(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in normalize_title(text).split())


def _find_phrases(
    words: list[str], index: Mapping[tuple[str, ...], tuple[_Phrase, ...]], max_n: int
) -> list[_Phrase]:
    """Every indexed phrase in ``words`` (overlaps included), minus negated ones.

    Overlaps count: "atorvastatin calcium" and "atorvastatin" both speak for statins, which
    lets a specific category outscore a generic one ("rx only").
    """
    found: list[_Phrase] = []
    count = len(words)
    for i in range(count):
        negated_before = i > 0 and words[i - 1] in _NEGATING_PREVIOUS
        for n in range(1, min(max_n, count - i) + 1):
            hit = index.get(tuple(words[i : i + n]))
            if not hit:
                continue
            negated_after = i + n < count and words[i + n] in _NEGATING_NEXT
            if not (negated_before or negated_after):
                found.extend(hit)
    return found


def _as_str_tuple(value: object, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise TaxonomyError(f"{where}: '{name}' must be a list of strings")
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _require_str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: missing or empty '{key}'")
    return value.strip()


def _parse_condition(text: object, where: str) -> Condition | None:
    if text is None:
        return None
    match = _CONDITION_RE.match(str(text))
    if not match:
        raise TaxonomyError(f"{where}: bad condition {text!r} (expected e.g. 'spf>=15')")
    return Condition(signal=match.group(1), op=match.group(2), value=float(match.group(3)))


def _parse_category(raw: object, citations: Mapping[str, str], position: int) -> Category:
    if not isinstance(raw, dict):
        raise TaxonomyError(f"category #{position}: expected a mapping")
    where = f"category #{position} ({raw.get('id', '?')})"
    cid = _require_str(raw, "id", where)
    if not _ID_RE.match(cid):
        raise TaxonomyError(f"{where}: id must be snake_case")
    status = _require_str(raw, "status", where)
    if status not in STATUSES:
        raise TaxonomyError(f"{where}: unknown status {status!r}; expected one of {STATUSES}")
    citation = _require_str(raw, "citation", where)
    rule = _require_str(raw, "rule", where)
    if "\n" in rule:
        raise TaxonomyError(f"{where}: rule must be one line")
    disqualifiers: list[Disqualifier] = []
    for j, item in enumerate(raw.get("disqualifiers") or []):
        if not isinstance(item, dict):
            raise TaxonomyError(f"{where}: disqualifier #{j} must be a mapping")
        terms = _as_str_tuple(item.get("terms"), where, "disqualifiers.terms")
        if not terms:
            raise TaxonomyError(f"{where}: disqualifier #{j} has no terms")
        disqualifiers.append(
            Disqualifier(
                terms=terms,
                move_to=_require_str(item, "move_to", where),
                condition=_parse_condition(item.get("condition"), where),
            )
        )
    keywords = _as_str_tuple(raw.get("keywords"), where, "keywords")
    if not keywords:
        raise TaxonomyError(f"{where}: needs at least one keyword")
    return Category(
        id=cid,
        name=_require_str(raw, "name", where),
        status=status,
        family=_require_str(raw, "family", where),
        rule=rule,
        citation=citations.get(citation, citation),
        keywords=keywords,
        ingredients=_as_str_tuple(raw.get("ingredients"), where, "ingredients"),
        disqualifiers=tuple(disqualifiers),
        examples=_as_str_tuple(raw.get("examples"), where, "examples"),
        near_misses=_as_str_tuple(raw.get("near_misses"), where, "near_misses"),
        brands=_as_str_tuple(raw.get("brands"), where, "brands"),
        forms=_as_str_tuple(raw.get("forms"), where, "forms"),
        variants=_as_str_tuple(raw.get("variants"), where, "variants"),
    )


def _validate(categories: list[Category], families: Mapping[str, Family]) -> None:
    by_id: dict[str, Category] = {}
    for category in categories:
        if category.id in by_id:
            raise TaxonomyError(f"duplicate category id {category.id!r}")
        by_id[category.id] = category
    for category in categories:
        where = f"category {category.id!r}"
        if category.family not in families:
            raise TaxonomyError(f"{where}: unknown family {category.family!r}")
        if len(category.examples) < MIN_EXAMPLES:
            raise TaxonomyError(f"{where}: needs at least {MIN_EXAMPLES} examples")
        for other in category.near_misses:
            if other not in by_id:
                raise TaxonomyError(f"{where}: near_miss {other!r} is not a category")
            if other == category.id:
                raise TaxonomyError(f"{where}: near_miss lists itself")
        for rule in category.disqualifiers:
            if rule.move_to not in by_id:
                raise TaxonomyError(f"{where}: disqualifier moves to unknown {rule.move_to!r}")


def _build_index(
    categories: list[Category],
) -> tuple[dict[tuple[str, ...], tuple[_Phrase, ...]], int]:
    index: dict[tuple[str, ...], dict[str, _Phrase]] = {}
    for category in categories:
        # A phrase that is both a keyword and an active ingredient of a category is the
        # strongest evidence for it ("ibuprofen" for the ibuprofen category, vs. only an
        # ingredient of children's pain relievers).
        for terms, weight in ((category.keywords, 1.0), (category.ingredients, 1.0)):
            for term in terms:
                key = _phrase_key(term)
                if not key:
                    continue
                slot = index.setdefault(key, {})
                previous = slot.get(category.id)
                if previous is None:
                    slot[category.id] = _Phrase(category.id, term, weight * len(key))
                elif previous.weight <= len(key):
                    slot[category.id] = _Phrase(category.id, previous.term, 1.5 * len(key))
    frozen = {key: tuple(slot.values()) for key, slot in index.items()}
    return frozen, max((len(k) for k in frozen), default=1)


def parse_taxonomy(document: object) -> Taxonomy:
    """Build and validate a taxonomy from a parsed YAML document."""
    if not isinstance(document, dict):
        raise TaxonomyError("taxonomy: top level must be a mapping")
    citations_raw = document.get("citations") or {}
    if not isinstance(citations_raw, dict):
        raise TaxonomyError("taxonomy: 'citations' must be a mapping")
    citations = {str(k): str(v) for k, v in citations_raw.items()}
    families: dict[str, Family] = {}
    for fid, raw in (document.get("families") or {}).items():
        where = f"family {fid!r}"
        if not isinstance(raw, dict):
            raise TaxonomyError(f"{where}: expected a mapping")
        families[str(fid)] = Family(
            id=str(fid),
            brands=_as_str_tuple(raw.get("brands"), where, "brands"),
            sizes=_as_str_tuple(raw.get("sizes"), where, "sizes"),
            variants=_as_str_tuple(raw.get("variants"), where, "variants"),
            forms=_as_str_tuple(raw.get("forms"), where, "forms"),
            claims=_as_str_tuple(raw.get("claims"), where, "claims"),
        )
    raw_categories = document.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        raise TaxonomyError("taxonomy: 'categories' must be a non-empty list")
    categories = [_parse_category(raw, citations, i) for i, raw in enumerate(raw_categories)]
    _validate(categories, families)
    index, max_n = _build_index(categories)
    disqualifier_terms = {
        c.id: tuple((_phrase_key(term), rule) for rule in c.disqualifiers for term in rule.terms)
        for c in categories
        if c.disqualifiers
    }
    return Taxonomy(
        version=str(document.get("version", "0")),
        categories=tuple(categories),
        families=families,
        citations=citations,
        _by_id={c.id: c for c in categories},
        _index=index,
        _max_ngram=max_n,
        _disqualifier_terms=disqualifier_terms,
    )


def _default_path() -> Path:
    return Path(str(resources.files("eligo.eligibility").joinpath("data/taxonomy.yaml")))


@lru_cache(maxsize=4)
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and validate the taxonomy (cached per path); raises ``TaxonomyError`` if invalid."""
    source = path or _default_path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"cannot read taxonomy {source}: {exc}") from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader is chosen above
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"taxonomy {source} is not valid YAML: {exc}") from exc
    taxonomy = parse_taxonomy(document)
    logger.debug("loaded taxonomy %s: %d categories", taxonomy.version, len(taxonomy))
    return taxonomy
