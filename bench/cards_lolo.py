"""Leave-one-layout-out (LOLO) accuracy of the card line model over the TRAIN layouts.

    python bench/cards_lolo.py                       # every train layout, OCR cached
    python bench/cards_lolo.py --folds sponsor_tpa,harbor --eval-seeds 4
    python bench/cards_lolo.py --exclude-train regional_wordmark,coop_table --model-seed 1

For each training layout L, the line model is trained on rows of the *other* training
layouts only (``linemodel.build_rows``, seeds ``--train-seeds`` like ``eligo cards
train-line-model``) and the full scan pipeline runs with that model on L's cards (other
seeds, degradations ``--degradations``). This is the development set for the line model:
it measures generalization to an unseen layout without touching the held-out layouts.
``--exclude-train`` keeps layouts out of every fold's training rows (they are still folds):
what a set of layouts adds to the others. ``--model-seed`` is LightGBM's seed: run two to
tell a change from the noise of one fit.

Prints per-fold and pooled exact match per line-model field (payer name, member name,
plan name, plan type, PBM name, employer), pooled figures of every other field, the share
of returned fields that are wrong, then a ``BENCH {...}`` line.

OCR results are cached on disk (``--ocr-cache``, the mechanism of ``cards_eval.py``), so
only the first run pays for OCR. Scoring reuses ``cards_eval.matches``. ``--shard K/N``
only fills the cache with the K-th of N shares of the layouts (rows and eval cards) and
exits: run N of them side by side on a new machine, one per core, then the full run.
``--rows-cache FILE.npz`` saves the training rows (about 10 minutes to build) and loads them
on the next run: only while what builds them (features, labels, the generator) is unchanged.
``--dump FILE``
writes every field returned or held back as low-confidence, with its per-stage scores and
whether it was right (``cards_eval``'s dump rows): out-of-layout data to calibrate the
field scores and ``cards.field_threshold`` on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cards_eval import OcrCache, _dump_fields, _share, matches

EVAL_SEED_BASE = 5000  # training rows use seeds linemodel.FIRST_TRAIN_SEED (100) up


def _score(
    out: dict[str, Any],
    truth: dict[str, Any],
    per_field: dict[str, list[int]],
    wrong: dict[str, list[int]],
) -> None:
    """Add one card: per_field[key] = [right, in truth], wrong[key] = [wrong, returned]."""
    fields = out.get("fields", {})
    for key, want in truth.items():
        got = fields.get(key, {}).get("value") if key in fields else None
        per_field[key][0] += got is not None and matches(key, got, want)
        per_field[key][1] += 1
    for key, entry in fields.items():
        wrong[key][1] += 1
        if key not in truth or not matches(key, entry.get("value"), truth[key]):
            wrong[key][0] += 1


def _fmt(rows: dict[str, list[int]], keys: list[str]) -> str:
    parts = []
    for k in keys:
        right, n = rows.get(k, [0, 0])
        if n:
            parts.append(f"{k} {right}/{n}")
    return ", ".join(parts)


def _fill_cache(
    scanner: Any,
    layouts: list[str],
    seeds_of: Callable[[str], range],
    degradations: list[str],
    eval_seeds: int,
) -> None:
    """OCR what a full run reads first: the training rows and the eval cards of ``layouts``.

    The fold models' re-reads of field crops depend on the model, so a few of those are
    still read by the full run.
    """
    from eligo.cards import linemodel
    from eligo.cards.synth import generate_card

    for layout in layouts:
        linemodel.build_rows(
            [layout], seeds_of(layout), linemodel.TRAIN_DEGRADATIONS, read=scanner.ocr.read
        )
        for deg in degradations:
            for s in range(eval_seeds):
                card = generate_card(layout, EVAL_SEED_BASE + s, deg)
                back = card.back.image if card.back is not None else None
                scanner.scan(card.front.image, back)
        print(f"cache filled: {layout}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-seeds", type=int, default=8, help="seeds per layout for rows")
    parser.add_argument(
        "--composed-seeds",
        type=int,
        help="seeds for the rows of each composed house (a new design per seed; "
        "default --train-seeds)",
    )
    parser.add_argument("--eval-seeds", type=int, default=2, help="seeds per degradation for L")
    parser.add_argument("--degradations", default="clean,photo,photo_blur,photo_glare")
    parser.add_argument("--folds", help="comma-separated layouts to hold out (default: all)")
    parser.add_argument("--ocr-cache", default="var/cards/ocr_cache_train")
    parser.add_argument("--no-cache", action="store_true", help="run OCR every time")
    parser.add_argument("--errors", type=int, default=0, help="print this many line-model misses")
    parser.add_argument(
        "--without",
        default="",
        help="comma-separated features to leave out (ablation), or 'layout_free' for all of "
        "linemodel._LAYOUT_FREE_NAMES",
    )
    parser.add_argument(
        "--field-weight", type=float, help="weight of field rows (default: linemodel's)"
    )
    parser.add_argument(
        "--rows-cache",
        help="load the training rows from this .npz, or build and save them there: only for "
        "changes after the line model (rules, correction), as rows are not rebuilt",
    )
    parser.add_argument("--dump", help="write returned and low-confidence fields here (JSONL)")
    parser.add_argument("--model-seed", type=int, default=0, help="LightGBM seed of fold models")
    parser.add_argument("--bag", type=int, default=1, help="boosters averaged per fold model")
    parser.add_argument(
        "--exclude-train", default="", help="comma-separated layouts no fold model trains on"
    )
    parser.add_argument(
        "--shard", help="K/N: fill the OCR cache for the K-th of N shares of layouts, then exit"
    )
    args = parser.parse_args(argv)

    from eligo.cards import linemodel
    from eligo.cards.pipeline import CardScanner
    from eligo.cards.synth import TRAIN_LAYOUTS, generate_card

    t0 = time.perf_counter()
    base = CardScanner(use_line_model=False)
    cache = None if args.no_cache else OcrCache(Path(args.ocr_cache))
    if cache is not None:
        cache.install(base)  # the shared engines now read through the cache
        read = base.ocr.read
    else:
        base.load()
        read = None
    layouts = list(TRAIN_LAYOUTS)
    folds = args.folds.split(",") if args.folds else layouts
    excluded = {n for n in args.exclude_train.split(",") if n}
    unknown = (set(folds) | excluded) - set(layouts)
    if unknown:
        parser.error(f"not train layouts: {', '.join(sorted(unknown))}")
    degradations = args.degradations.split(",")
    dropped = {f for f in args.without.split(",") if f}
    if "layout_free" in dropped:
        dropped = (dropped - {"layout_free"}) | set(linemodel._LAYOUT_FREE_NAMES)
    features = [f for f in linemodel.feature_names() if f not in dropped]

    def seeds_of(layout: str) -> range:
        return linemodel.row_seeds(layout, args.train_seeds, args.composed_seeds)

    if args.shard:
        if cache is None:
            parser.error("--shard fills the OCR cache: drop --no-cache")
        k, n = (int(v) for v in args.shard.split("/"))
        if not 0 <= k < n:
            parser.error("--shard K/N needs 0 <= K < N")
        _fill_cache(base, layouts[k::n], seeds_of, degradations, args.eval_seeds)
        print(f"ocr cache: {cache.hits} hits, {cache.misses} misses")
        return 0

    rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    saved = Path(args.rows_cache) if args.rows_cache else None
    if saved is not None and saved.exists():
        with np.load(saved) as z:
            rows = {n: (z[f"{n}_x"], z[f"{n}_y"]) for n in layouts}
    for layout in layouts:
        if layout in rows:
            continue
        rows[layout] = linemodel.build_rows(
            [layout], seeds_of(layout), linemodel.TRAIN_DEGRADATIONS, read=read
        )
        print(f"\rrows: {layout} {len(rows[layout][1])}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if saved is not None and not saved.exists():
        arrays = {f"{n}_{part}": v[k] for n, v in rows.items() for k, part in enumerate("xy")}
        np.savez(saved, **arrays)
    rows_s = time.perf_counter() - t0

    line_keys = list(linemodel.CLASSES[1:])
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    pooled_wrong: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fold_res: dict[str, dict[str, float]] = {}
    dump: list[str] | None = [] if args.dump else None
    shown = 0
    for layout in folds:
        others = [n for n in layouts if n != layout and n not in excluded]
        x = np.concatenate([rows[n][0] for n in others])
        y = np.concatenate([rows[n][1] for n in others])
        weight = {} if args.field_weight is None else {"field_weight": args.field_weight}
        model = linemodel.train(
            x, y, seed=args.model_seed, features=features, bag=args.bag, **weight
        )
        scanner = CardScanner(ocr=base.ocr, tesseract=base.tesseract, line_model=model)
        per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        wrong: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for deg in degradations:
            for s in range(args.eval_seeds):
                card = generate_card(layout, EVAL_SEED_BASE + s, deg)
                back = card.back.image if card.back is not None else None
                out = scanner.scan(card.front.image, back)
                _score(out, card.truth, per_field, wrong)
                if dump is not None:
                    rec = {"layout": layout, "seed": EVAL_SEED_BASE + s, "degradation": deg}
                    _dump_fields(dump, {**rec, "truth": card.truth}, out)
                fields = out.get("fields", {})
                for key in line_keys:
                    if key not in card.truth and key not in fields:
                        continue
                    got = fields.get(key, {}).get("value")
                    want = card.truth.get(key)
                    if shown < args.errors and not (
                        got is not None and want is not None and matches(key, got, want)
                    ):
                        shown += 1
                        # Synthetic data only: printing values here is not PHI.
                        print(f"  miss {layout}/{deg}/{s} {key}: want={want!r} got={got!r}")
        for key, (r, n) in per_field.items():
            pooled[key][0] += r
            pooled[key][1] += n
        for key, (w, n) in wrong.items():
            pooled_wrong[key][0] += w
            pooled_wrong[key][1] += n
        n_wrong = sum(v[0] for v in wrong.values())
        n_ret = sum(v[1] for v in wrong.values())
        lm_wrong = sum(wrong[k][0] for k in line_keys)
        right = sum(v[0] for v in per_field.values())
        total = sum(v[1] for v in per_field.values())
        fold_res[layout] = {
            "exact_all": _share(right, total),
            "wrong_returned_share": _share(n_wrong, n_ret),
            **{k: _share(*per_field[k]) for k in line_keys if per_field[k][1]},
        }
        print(
            f"fold {layout:18s} all {100 * _share(right, total):5.1f}%  "
            f"wrong {n_wrong}/{n_ret} (line-model fields {lm_wrong})  "
            f"{_fmt(per_field, line_keys)}",
            flush=True,
        )

    if dump is not None:
        Path(args.dump).write_text("".join(dump), encoding="utf-8")
    print("\npooled exact match, line-model fields (right/in truth; wrong/returned)")
    res: dict[str, float] = {}
    for key in line_keys:
        right, n = pooled[key]
        w, ret = pooled_wrong[key]
        res[key] = _share(right, n)
        pct = 100 * right / n if n else 0.0
        print(f"  {key:14s} {right:4d}/{n:<4d} {pct:6.1f}%   wrong {w}/{ret}")
    weak = sorted(
        (k for k in pooled if k not in line_keys and pooled[k][1]),
        key=lambda k: pooled[k][0] / pooled[k][1],
    )
    print(
        "other fields, weakest first: "
        + ", ".join(f"{k} {100 * pooled[k][0] / pooled[k][1]:.0f}%" for k in weak[:8])
    )
    all_right = sum(v[0] for v in pooled.values())
    all_n = sum(v[1] for v in pooled.values())
    n_wrong = sum(v[0] for v in pooled_wrong.values())
    n_ret = sum(v[1] for v in pooled_wrong.values())
    lm_right = sum(pooled[k][0] for k in line_keys)
    lm_n = sum(pooled[k][1] for k in line_keys)
    print(f"\nall fields {all_right}/{all_n}, returned {n_ret}, wrong {n_wrong}")
    elapsed = time.perf_counter() - t0
    if cache is not None:
        print(f"ocr cache: {cache.hits} hits, {cache.misses} misses")
    summary = {
        "bench": "cards_lolo",
        "folds": len(folds),
        "layouts": len(layouts),
        "without": sorted(dropped),
        "field_weight": args.field_weight or linemodel.FIELD_WEIGHT,
        "train_seeds": args.train_seeds,
        "composed_seeds": args.composed_seeds or args.train_seeds,
        "model_seed": args.model_seed,
        "bag": args.bag,
        "exclude_train": sorted(excluded),
        "eval_cards_per_fold": args.eval_seeds * len(degradations),
        "degradations": degradations,
        "exact_match_all": _share(all_right, all_n),
        "exact_match_line_fields": _share(lm_right, lm_n),
        "exact_match_field": res,
        "wrong_returned_share": _share(n_wrong, n_ret),
        "wrong_returned_line_fields": _share(
            sum(pooled_wrong[k][0] for k in line_keys), sum(pooled_wrong[k][1] for k in line_keys)
        ),
        "folds_detail": fold_res,
        "rows_s": round(rows_s, 1),
        "elapsed_s": round(elapsed, 1),
    }
    print("BENCH " + json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
