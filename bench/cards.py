"""Card scan latency: p50/p95 per card side and per stage, peak RSS.

    python bench/cards.py --cards 20 [--layouts heldout|train|all] [--degradations photo,clean]

Cards come from the synthetic generator (encoded PNG/JPEG bytes, as uploaded), one scanner
is built and loaded first (start-up is reported separately), then each side is scanned on
its own so per-side latency is end to end: decode, detect, OCR, extract, correct.
Degradations alternate card by card, so ``--cards 12 --degradations photo,photo_blur`` times
six sharp and six blurred cards.
Prints a final ``BENCH {...}`` JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "2")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=20)
    parser.add_argument("--layouts", default="all", help="heldout | train | all | a,b,c")
    parser.add_argument("--degradations", default="clean,photo,photo_blur,photo_glare,photo_hard")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from eligo.cards.pipeline import CardScanner
    from eligo.cards.synth import HELDOUT_LAYOUTS, LAYOUTS, TRAIN_LAYOUTS, generate_card

    layouts = {
        "heldout": list(HELDOUT_LAYOUTS) or list(TRAIN_LAYOUTS),
        "train": list(TRAIN_LAYOUTS),
        "all": list(LAYOUTS),
    }.get(args.layouts) or args.layouts.split(",")
    degradations = args.degradations.split(",")

    started = time.perf_counter()
    scanner = CardScanner()
    scanner.load()
    startup_s = time.perf_counter() - started

    # Degradations alternate card by card: with layouts first (iter_dataset's order), a run
    # shorter than the layout list would time only the first degradation.
    cards = [
        generate_card(
            layouts[(i // len(degradations)) % len(layouts)],
            args.seed * 1_000_003 + i,
            degradations[i % len(degradations)],
        )
        for i in range(args.cards)
    ]
    side_ms: dict[str, list[float]] = {"front": [], "back": []}
    # CPU seconds per side (all threads): robust when other processes share the cores.
    side_cpu: list[float] = []
    stage_ms: dict[str, list[float]] = {}
    for card in cards:
        for name, side in (("front", card.front), ("back", card.back)):
            if side is None:
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            doc = scanner.scan(side.image)
            side_ms[name].append((time.perf_counter() - t0) * 1000)
            side_cpu.append(time.process_time() - c0)
            for stage, ms in doc["timings_ms"].items():
                if stage != "total" and not stage.startswith(("front_", "back_")):
                    stage_ms.setdefault(stage, []).append(ms)

    every = side_ms["front"] + side_ms["back"]
    result: dict[str, Any] = {
        "cards": len(cards),
        "sides": len(every),
        "startup_s": round(startup_s, 2),
        "ocr_models": scanner.ocr.models,  # "derived" (make models) or "shipped"
        # One scanner, sides one after another: what one worker thread sustains.
        "cards_per_s": round(len(cards) / (sum(every) / 1000), 2) if every else 0.0,
        "side_p50_ms": round(_pct(every, 0.5), 1),
        "side_p95_ms": round(_pct(every, 0.95), 1),
        "per_side": {
            name: {
                "n": len(v),
                "p50_ms": round(_pct(v, 0.5), 1),
                "p95_ms": round(_pct(v, 0.95), 1),
            }
            for name, v in side_ms.items()
            if v
        },
        "per_stage": {
            stage: {
                "n": len(v),  # sides that ran the stage (deblur: only blurred ones)
                "p50_ms": round(_pct(v, 0.5), 1),
                "p95_ms": round(_pct(v, 0.95), 1),
                "mean_ms": round(statistics.fmean(v), 1),
            }
            for stage, v in sorted(stage_ms.items())
        },
        "side_cpu_p50_s": round(_pct(side_cpu, 0.5), 2),
        "side_cpu_p95_s": round(_pct(side_cpu, 0.95), 2),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    for name, stats in result["per_side"].items():
        p50, p95 = stats["p50_ms"], stats["p95_ms"]
        print(f"{name:5s} n={stats['n']:3d} p50={p50:7.1f} ms p95={p95:7.1f} ms")
    for stage, stats in result["per_stage"].items():
        print(
            f"  {stage:8s} n={stats['n']:3d} p50={stats['p50_ms']:7.1f} ms "
            f"p95={stats['p95_ms']:7.1f} ms"
        )
    print(
        f"CPU per side p50={result['side_cpu_p50_s']:.2f} s p95={result['side_cpu_p95_s']:.2f} s; "
        f"peak RSS {result['peak_rss_mb']:.0f} MB; start-up {startup_s:.1f} s; "
        f"load average {result['load_avg_1m']}; OCR models {result['ocr_models']}; "
        f"{result['cards_per_s']} cards/s"
    )
    print("BENCH " + json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
