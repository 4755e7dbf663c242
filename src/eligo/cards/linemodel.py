"""A small learned line classifier for card text that carries no label.

Payer names, member names on Blue-style cards, plan names, plan-type badges and PBM names
are printed without an anchor. A LightGBM model over layout and wording features of each OCR
line (position, relative size, case, digits, a few keyword families, the label just above)
says which of those fields a free line is. It is trained on synthetic cards from the TRAIN
layouts only (``eligo cards train-line-model``); held-out layouts measure generalization.

The model ships as JSON (LightGBM's text model inside), about 1 MB.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from eligo.cards import vocab
from eligo.cards.ocr import Box, OcrLine

logger = logging.getLogger(__name__)

TRAIN_DEGRADATIONS: tuple[str, ...] = ("clean", "photo")
CLASSES: tuple[str, ...] = (
    "other",
    "payer_name",
    "member_name",
    "plan_name",
    "plan_type",
    "pbm_name",
    "employer",
)
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "data" / "line_model.json"

_PAYER_WORDS = frozenset(
    [
        "HEALTH",
        "CARE",
        "BLUE",
        "CROSS",
        "SHIELD",
        "BCBS",
        "DENTAL",
        "VISION",
        "MEDICAL",
        "INSURANCE",
        "PLAN",
        "PLANS",
        "BENEFIT",
        "BENEFITS",
        "ADMIN",
        "ADMINISTRATORS",
        "MEDICARE",
        "MEDICAID",
        "MUTUAL",
        "LIFE",
        "ASSURANCE",
        "CHOICE",
        "UNITED",
        "CARE",
        "HEALTHCARE",
        "COMMUNITY",
        "STATE",
    ]
)
_RX_WORDS = frozenset(["RX", "SCRIPT", "SCRIPTS", "PHARMACY", "PHARM", "DOSE", "PILL", "MEDS"])
_COMPANY_WORDS = frozenset(
    [
        "INC",
        "LLC",
        "CO",
        "CORP",
        "CORPORATION",
        "COMPANY",
        "DISTRICT",
        "CITY",
        "COUNTY",
        "SCHOOL",
        "HOSPITAL",
        "UNIVERSITY",
        "GROUP",
        "SERVICES",
        "AUTHORITY",
        "UNION",
        "BANK",
        "FARMS",
        "ENERGY",
        "LOGISTICS",
        "ASSOCIATES",
        "COOPERATIVE",
        "INDUSTRIES",
        "HOLDINGS",
        "ENTERPRISES",
        "SYSTEMS",
        "UNIFIED",
        "TOWN",
        "DEPARTMENT",
        "FOODS",
        "MILLS",
        "HOTELS",
    ]
)
_PLAN_WORDS = frozenset(
    [
        "PLUS",
        "SELECT",
        "PREMIER",
        "BASIC",
        "GOLD",
        "SILVER",
        "BRONZE",
        "PLATINUM",
        "CORE",
        "OPTIONS",
        "NAVIGATE",
        "CHOICE",
        "ADVANTAGE",
        "CLASSIC",
        "ESSENTIAL",
        "STANDARD",
        "VALUE",
    ]
)
# Words of organisation names that are no person's name ("Crossroads TPA").
_ORG_WORDS = frozenset(
    ["TPA", "TRUST", "ADMINISTRATION", "PARTNERS", "ALLIANCE", "NETWORK", "FUND", "ASSOCIATION"]
)
_PLAN_TYPE_WORDS = frozenset(w for t in vocab.PLAN_TYPES for w in t.split())
# How a company's or public employer's name ends or starts ("Delmont Plastics Inc", "City
# of Port Ellery"): the payer's name rarely does.
_COMPANY_SUFFIXES = vocab.COMPANY_FORMS
_PUBLIC_WORDS = frozenset(
    [
        "CITY",
        "TOWN",
        "COUNTY",
        "VILLAGE",
        "DISTRICT",
        "SCHOOL",
        "SCHOOLS",
        "ACADEMY",
        "LIBRARY",
        "UNIVERSITY",
        "COLLEGE",
        "AUTHORITY",
        "DEPARTMENT",
        "PUBLIC",
    ]
)


def _company_suffix(words: list[str]) -> bool:
    return bool(words) and words[-1] in _COMPANY_SUFFIXES


def _public_body(words: list[str]) -> bool:
    return bool(set(words) & _PUBLIC_WORDS)


def _public_employer(words: list[str]) -> bool:
    return _public_body(words) or (len(words) > 2 and words[1] == "OF")


def employer_shaped(text: str) -> bool:
    """Named as a company ("Pioneer Foods LLC") or a public employer ("Sandhills School
    District", "City of Port Ellery") names it: a form no validator of free text has."""
    words = _words(text)
    return _company_suffix(words) or _public_employer(words)


def employer_worded(text: str) -> bool:
    """Named as a company or public body by its words ("Pioneer Foods LLC", "Sandhills
    School District"), not by an "X of Y" shape alone, which "Date of Birth" and "State of
    Georgia" (a Medicaid programme) have too."""
    words = _words(text)
    return _company_suffix(words) or _public_body(words)


# Words an insurer's own name carries ("Valley Mutual Health", "Union Health Trust").
_INSURER_WORDS = frozenset(
    [
        "HEALTH",
        "HEALTHCARE",
        "INSURANCE",
        "ASSURANCE",
        "MUTUAL",
        "BCBS",
        "BLUE",
        "CROSS",
        "SHIELD",
        "MEDICARE",
        "MEDICAID",
        "CARE",
        "TPA",
        "TRUST",
        "FUND",
        "WELFARE",
        "ADMINISTRATORS",
        "ADMINISTRATION",
        "BENEFIT",
        "BENEFITS",
    ]
)
# Plain text that introduces the payer on the line below ("Administered by").
_INTRO_WORDS = frozenset(["ADMINISTERED", "ADMINISTRATOR", "UNDERWRITTEN", "INSURED", "ISSUED"])
_WEB = re.compile(r"(?i)www\.|\.(com|org|net|gov)\b|@")

# Anchor keys that matter as context for the line just below (one feature each).
_CONTEXT_KEYS: tuple[str, ...] = (
    "member_name",
    "subscriber_name",
    "employer",
    "plan_name",
    "plan_type",
    "pbm_name",
    "member_id",
)


# Keys of labelled lines that tell what an unlabelled line just above them is: a PBM name
# heads the BIN/PCN block, an employer or plan name heads the member's id block.
_RX_KEYS = frozenset({"rx_bin", "rx_pcn", "rx_group", "rx_id", "rx_plan"})
_ID_BLOCK_KEYS = frozenset(
    {"member_name", "member_id", "group_number", "medicaid_id", "subscriber_name"}
)


def _words(text: str) -> list[str]:
    return vocab.norm_label(text).split()


def has_insurer_word(text: str) -> bool:
    """A word an insurer's or programme's name carries ("Department of Health Services")."""
    return any(w in _INSURER_WORDS for w in _words(text))


def line_features(
    lines: Sequence[OcrLine],
    width: float,
    height: float,
    *,
    is_back: bool,
    anchor_keys: Sequence[str | None],
    label_keys: Sequence[str | None] | None = None,
) -> np.ndarray:
    """One feature row per line. ``anchor_keys[i]`` is the field of a bare label on line i,
    ``label_keys[i]`` the field of any label line i opens with (bare or with its value)."""
    n = len(lines)
    if n == 0:
        return np.zeros((0, len(feature_names())), dtype=np.float32)
    heights = np.array([ln.height for ln in lines], dtype=np.float64)
    med_h = float(np.median(heights)) or 1.0
    order_h = np.argsort(-heights)
    h_rank = np.empty(n)
    h_rank[order_h] = np.arange(n)
    order_y = np.argsort([ln.box[1] for ln in lines])
    y_rank = np.empty(n)
    y_rank[order_y] = np.arange(n)
    keys = list(label_keys) if label_keys is not None else list(anchor_keys)
    rows = []
    for i, ln in enumerate(lines):
        x0, y0, x1, y1 = ln.box
        rx_below = _block_below(lines, i, keys, _RX_KEYS, med_h)
        ids_below = _block_below(lines, i, keys, _ID_BLOCK_KEYS, med_h)
        text = ln.text
        words = _words(text)
        wset = set(words)
        alpha = [c for c in text if c.isalpha()]
        letters = len(alpha) or 1
        chars = len(text) or 1
        above = _context_above(lines, i, anchor_keys, med_h)
        titled = sum(1 for w in text.split() if w[:1].isupper()) / max(1, len(text.split()))
        name_like = is_name_like(text)
        rows.append(
            [
                x0 / width,
                y0 / height,
                x1 / width,
                y1 / height,
                (x0 + x1) / 2 / width,
                (x1 - x0) / width,
                (y1 - y0) / height,
                (y1 - y0) / med_h,
                h_rank[i] / n,
                y_rank[i] / n,
                float(is_back),
                len(text),
                len(words),
                sum(c.isdigit() for c in text) / chars,
                len(alpha) / chars,
                sum(c.isupper() for c in alpha) / letters,
                titled,
                float("$" in text),
                float("%" in text),
                float("," in text),
                float("/" in text),
                float("-" in text),
                float(":" in text),
                float(bool(_WEB.search(text))),
                float(bool(wset & _PAYER_WORDS)),
                float(bool(wset & _RX_WORDS) or text.upper().rstrip().endswith("RX")),
                float(any(w.startswith("RX") or "SCRIPT" in w for w in words)),
                rx_below,
                ids_below,
                float(keys[i] is not None),
                float(bool(wset & _COMPANY_WORDS)),
                float(bool(wset & _PLAN_WORDS)),
                float(bool(wset & _PLAN_TYPE_WORDS)),
                float(vocab.norm_label(text) in vocab.PLAN_TYPES),
                float(name_like),
                ln.score,
                *[float(above == key) for key in _CONTEXT_KEYS],
                *_layout_free(lines, i, words, heights, med_h, keys),
            ]
        )
    return np.asarray(rows, dtype=np.float32)


def is_name_like(text: str) -> bool:
    """Shaped like a person's name: 2-4 words of letters, no payer, company or plan word."""
    words = _words(text)
    return (
        2 <= len(words) <= 4
        and all(re.fullmatch(r"[A-Za-z.,'\-]+", w) for w in text.split())
        and not (
            set(words) & (_PAYER_WORDS | _COMPANY_WORDS | _RX_WORDS | _PLAN_WORDS | _ORG_WORDS)
        )
        and not any(w in vocab.PLAN_TYPES for w in words)
    )


def feature_names() -> list[str]:
    return [
        "x0",
        "y0",
        "x1",
        "y1",
        "cx",
        "w",
        "h",
        "h_rel",
        "h_rank",
        "y_rank",
        "is_back",
        "n_chars",
        "n_words",
        "digit_frac",
        "alpha_frac",
        "upper_frac",
        "title_frac",
        "has_dollar",
        "has_pct",
        "has_comma",
        "has_slash",
        "has_dash",
        "has_colon",
        "is_web",
        "payer_word",
        "rx_word",
        "rx_part",
        "rx_block_below",
        "id_block_below",
        "is_label_line",
        "company_word",
        "plan_word",
        "plan_type_word",
        "is_plan_type",
        "name_like",
        "ocr_score",
        *[f"below_label_{k}" for k in _CONTEXT_KEYS],
        *_LAYOUT_FREE_NAMES,
    ]


_LAYOUT_FREE_NAMES: tuple[str, ...] = (
    "h_over_max",
    "is_tallest",
    "is_topmost",
    "taller_above",
    "same_row",
    "company_suffix",
    "public_word",
    "insurer_words",
    "company_words",
    "ids_above",
    "intro_above",
    "label_gap",
)


def _layout_free(
    lines: Sequence[OcrLine],
    i: int,
    words: list[str],
    heights: np.ndarray,
    med_h: float,
    keys: Sequence[str | None],
) -> list[float]:
    """Features that hold whatever the layout: size and place relative to the other lines,
    and which families of words the line is made of."""
    me = lines[i].box
    h = heights[i]
    max_h = float(heights.max()) or 1.0
    taller_above = same_row = 0
    ids_above = intro_above = 0.0
    label_gap = 10.0
    for k, other in enumerate(lines):
        if k == i:
            continue
        b = other.box
        if heights[k] > 1.15 * h and b[3] <= me[1] + 0.3 * h:
            taller_above += 1
        v_ov = min(me[3], b[3]) - max(me[1], b[1])
        if v_ov > 0.5 * min(h, heights[k]):
            same_row += 1
        gap = me[1] - b[3]  # other line above me
        h_ov = min(me[2], b[2]) - max(me[0], b[0])
        aligned = h_ov > 0 or abs(me[0] - b[0]) < 2.5 * med_h
        if aligned and -0.3 * med_h <= gap <= 3.0 * med_h and keys[k] in _ID_BLOCK_KEYS:
            ids_above = min(2.0, ids_above + 1)
        near = aligned and -0.3 * med_h <= gap <= 1.5 * med_h
        if near and set(_words(other.text)) & _INTRO_WORDS:
            intro_above = 1.0
        if keys[k] is not None:
            dy = max(0.0, max(b[1] - me[3], me[1] - b[3])) / med_h
            dx = max(0.0, max(b[0] - me[2], me[0] - b[2])) / med_h
            label_gap = min(label_gap, dy + dx)
    n_words = max(1, len(words))
    return [
        h / max_h,
        float(h >= 0.95 * max_h),
        float(all(me[1] <= o.box[1] + 0.3 * h for o in lines)),
        float(min(taller_above, 3)),
        float(min(same_row, 3)),
        float(_company_suffix(words)),
        float(_public_employer(words)),
        sum(w in _INSURER_WORDS for w in words) / n_words,
        sum(w in _COMPANY_WORDS or w in _COMPANY_SUFFIXES for w in words) / n_words,
        ids_above,
        intro_above,
        label_gap,
    ]


def _block_below(
    lines: Sequence[OcrLine],
    i: int,
    keys: Sequence[str | None],
    block: frozenset[str],
    med_h: float,
) -> float:
    """Label lines of ``block`` starting within three line heights below line i, left-aligned
    with it or under it (0, 1 or 2+): the heading of a block, whatever the layout."""
    me = lines[i].box
    count = 0
    for k, key in enumerate(keys):
        if key not in block or k == i:
            continue
        b = lines[k].box
        gap = b[1] - me[3]
        aligned = abs(b[0] - me[0]) < 2.5 * med_h or (min(me[2], b[2]) - max(me[0], b[0])) > 0
        if -0.3 * med_h <= gap <= 3.0 * med_h and aligned:
            count += 1
    return float(min(count, 2))


def _context_above(
    lines: Sequence[OcrLine], i: int, anchor_keys: Sequence[str | None], med_h: float
) -> str | None:
    """The field of a bare label right above (or left of) line i, if any."""
    me = lines[i].box
    best: tuple[float, str] | None = None
    for k, key in enumerate(anchor_keys):
        if key is None or k == i:
            continue
        b = lines[k].box
        gap_y = me[1] - b[3]
        h_ov = min(me[2], b[2]) - max(me[0], b[0])
        near = -0.3 * med_h <= gap_y <= 1.5 * med_h
        aligned = h_ov > 0 or abs(me[0] - b[0]) < med_h
        if near and aligned and (best is None or gap_y < best[0]):
            best = (gap_y, key)
    return best[1] if best else None


@dataclass
class LineModel:
    """Trained LightGBM boosters, their class list and the features they were trained on.

    ``predict`` takes rows of ``line_features`` (all of ``feature_names()``) and hands the
    boosters their own columns, so a model trained on a subset of today's features still
    loads. Several boosters (fits with different seeds) are averaged: one fit's seed moves
    single lines between classes, the average less so.
    """

    boosters: tuple[Any, ...]
    classes: tuple[str, ...]
    features: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.features:
            self.features = tuple(feature_names())
        known = feature_names()
        missing = [f for f in self.features if f not in known]
        if missing:
            raise ValueError(f"line model uses unknown features {missing}; retrain it")
        self._columns = np.array([known.index(f) for f in self.features], dtype=np.intp)

    def predict(self, features: np.ndarray) -> np.ndarray:
        if features.shape[0] == 0:
            return np.zeros((0, len(self.classes)))
        cols = features[:, self._columns]
        probs = [np.asarray(b.predict(cols, num_threads=1)) for b in self.boosters]
        return np.asarray(np.mean(probs, axis=0))

    def to_json(self) -> str:
        texts = [b.model_to_string() for b in self.boosters]
        return json.dumps(
            {
                "classes": list(self.classes),
                "features": list(self.features),
                "lightgbm": texts[0] if len(texts) == 1 else texts,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> LineModel:
        import lightgbm as lgb

        data = json.loads(text)
        texts = data["lightgbm"]
        return cls(
            tuple(lgb.Booster(model_str=t) for t in ([texts] if isinstance(texts, str) else texts)),
            tuple(data["classes"]),
            tuple(data["features"]),
        )


@lru_cache(maxsize=4)
def load_line_model(path: Path = DEFAULT_MODEL_PATH) -> LineModel | None:
    """The shipped model, or None (with a warning) when it has not been trained."""
    if not path.is_file():
        logger.warning("card line model missing at %s; unlabelled fields are skipped", path)
        return None
    return LineModel.from_json(path.read_text(encoding="utf-8"))


# --- training ------------------------------------------------------------------------------


def _label_line(box: Box, texts: Iterable[Any]) -> str:
    """The class of an OCR line on a flat synthetic card: the value item it mostly covers."""
    best, best_cover = "other", 0.0
    for t in texts:
        tb = t.card_box
        inter_w = min(box[2], tb[2]) - max(box[0], tb[0])
        inter_h = min(box[3], tb[3]) - max(box[1], tb[1])
        if inter_w <= 0 or inter_h <= 0:
            continue
        cover = inter_w * inter_h / max(1e-6, (box[2] - box[0]) * (box[3] - box[1]))
        if cover > best_cover:
            best_cover = cover
            best = t.field if t.role == "value" and t.field in CLASSES else "other"
    return best if best_cover >= 0.3 else "other"


# Training cards use seeds from here up (the LOLO bench scans cards from seed 5000 up).
FIRST_TRAIN_SEED = 100


def row_seeds(layout: str, seeds: int, composed_seeds: int | None = None) -> range:
    """The seeds of ``layout``'s training cards.

    Each seed of a composed house is a new card design, so it may take more of them
    (``composed_seeds``, default ``seeds``); another seed of a hand-drawn layout only moves
    its switches.
    """
    from eligo.cards.synth import COMPOSED_LAYOUTS

    count = (composed_seeds or seeds) if layout in COMPOSED_LAYOUTS else seeds
    return range(FIRST_TRAIN_SEED, FIRST_TRAIN_SEED + count)


def build_rows(
    layouts: Sequence[str],
    seeds: Sequence[int],
    degradations: Sequence[str],
    read: Callable[[np.ndarray], list[OcrLine]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """OCR synthetic cards (rectified with their true homography) into feature rows.

    ``read`` replaces the OCR call (a cached reader when iterating on features).
    """
    import cv2

    from eligo.cards.extraction import Extractor
    from eligo.cards.ocr import get_rapid_engine
    from eligo.cards.synth import generate_card
    from eligo.cards.synth.render import CARD_H, CARD_W

    engine = get_rapid_engine()
    extractor = Extractor(line_model=None)
    xs: list[np.ndarray] = []
    ys: list[int] = []
    for layout in layouts:
        for seed in seeds:
            for deg in degradations:
                card = generate_card(layout, seed, deg)
                for side_name, side in (("front", card.front), ("back", card.back)):
                    if side is None:
                        continue
                    img = cv2.imdecode(np.frombuffer(side.image, np.uint8), cv2.IMREAD_COLOR)
                    assert img is not None
                    hmat = np.linalg.inv(np.asarray(side.homography))
                    flat = cv2.warpPerspective(img, hmat, (CARD_W, CARD_H))
                    lines = (read or engine.read)(flat)
                    se = extractor.extract(lines, CARD_W, CARD_H)
                    feats = line_features(
                        se.lines,
                        CARD_W,
                        CARD_H,
                        is_back=side_name == "back",
                        anchor_keys=se.bare_label_keys,
                        label_keys=se.label_keys,
                    )
                    for i, ln in enumerate(se.lines):
                        if i in se.used:
                            continue
                        xs.append(feats[i])
                        ys.append(CLASSES.index(_label_line(ln.box, side.texts)))
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.int32)


# Rows of a field class weigh this much more than "other" rows: a card has one payer line
# and a dozen others. 2.5 was best of 1-4 leave-one-layout-out (line-level recall and
# precision both up about 0.01 over 1.0).
FIELD_WEIGHT = 2.5


def train(
    x: np.ndarray,
    y: np.ndarray,
    *,
    seed: int = 0,
    features: Sequence[str] | None = None,
    field_weight: float = FIELD_WEIGHT,
    bag: int = 1,
) -> LineModel:
    """Fit the classifier on rows of ``build_rows``; ``features`` picks a subset of columns
    (by name, default all); ``bag`` fits that many boosters (seeds ``seed``, ``seed + 1``...)
    whose probabilities are averaged."""
    import lightgbm as lgb

    params = {
        "objective": "multiclass",
        "num_class": len(CLASSES),
        "learning_rate": 0.1,
        "num_leaves": 15,
        "min_data_in_leaf": 5,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "num_threads": 2,
        "seed": seed,
        "verbose": -1,
    }
    names = list(features) if features is not None else feature_names()
    cols = [feature_names().index(f) for f in names]
    weight = np.where(y == CLASSES.index("other"), 1.0, field_weight)
    boosters = tuple(
        lgb.train(
            {**params, "seed": seed + n},
            lgb.Dataset(x[:, cols], label=y, weight=weight, feature_name=names),
            num_boost_round=120,
        )
        for n in range(bag)
    )
    return LineModel(boosters, CLASSES, tuple(names))
