"""Time eligibility training from scratch, the hot-reload load, and in-process serving speed.

    python bench/train.py [--scale 1.0] [--out DIR] [--embedding static|hashing]

Prints human-readable figures, then one machine-readable line:
    BENCH {"train_seconds": ..., "load_seconds": ..., "swap_seconds": ..., ...}

Serving figures (one-title latency, bulk titles/s, RSS) are measured in a fresh subprocess
that only loads the model, so the training process's memory does not count.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _unseen_titles(n: int) -> list[str]:
    """Distinct titles no cache has seen: real-looking products with a varying suffix."""
    bases = [
        "Kirkland Signature Ibuprofen 200 mg Tablets",
        "Neutrogena Ultra Sheer Sunscreen Lotion SPF 55",
        "Nature's Bounty Vitamin C 1000 mg Caplets",
        "Olay Regenerist Night Cream",
        "Contour Next Blood Glucose Test Strips",
        "Theragun Mini Percussive Massage Device",
        "Coca-Cola Classic Soda Cans",
        "Always Ultra Thin Pads Overnight",
        "Amoxicillin Clavulanate 875 mg Tablets",
        "Oral-B Pro 1000 Electric Toothbrush",
    ]
    return [f"{bases[i % len(bases)]} {i // len(bases) + 1} Count" for i in range(n)]


def serve(model_dir: Path, embedding_dir: Path | None) -> dict[str, float]:
    import numpy as np
    import psutil

    from eligo.eligibility.classifier import EligibilityModel, ProductText

    started = time.perf_counter()
    model = EligibilityModel.load(model_dir, embedding_dir=embedding_dir)
    load_seconds = time.perf_counter() - started
    model.predict([ProductText("warm up")])

    singles = _unseen_titles(600)
    latencies = []
    for title in singles:
        t0 = time.perf_counter()
        model.predict([ProductText(title)])
        latencies.append(time.perf_counter() - t0)
    lat = np.array(latencies[100:]) * 1000

    bulk = [ProductText(t) for t in _unseen_titles(20_600)[600:]]
    t0 = time.perf_counter()
    for start in range(0, len(bulk), 1000):
        model.predict(bulk[start : start + 1000])
    bulk_rate = len(bulk) / (time.perf_counter() - t0)

    # Hot reload: load a second copy while a thread keeps predicting, then swap the reference.
    holder = {"model": model}
    stop = threading.Event()
    served = 0

    def keep_serving() -> None:
        nonlocal served
        while not stop.is_set():
            holder["model"].predict([ProductText("Advil Liqui-Gels 80 ct")])
            served += 1

    worker = threading.Thread(target=keep_serving)
    worker.start()
    t0 = time.perf_counter()
    fresh = EligibilityModel.load(model_dir, embedding_dir=embedding_dir)
    fresh.predict([ProductText("warm up")])
    loaded = time.perf_counter()
    holder["model"] = fresh
    swapped = time.perf_counter()
    stop.set()
    worker.join()

    return {
        "load_seconds": round(load_seconds, 3),
        "reload_seconds": round(swapped - t0, 3),
        "swap_seconds": round(swapped - loaded, 6),
        "predictions_during_reload": served,
        "single_p50_ms": round(float(np.percentile(lat, 50)), 3),
        "single_p99_ms": round(float(np.percentile(lat, 99)), 3),
        "bulk_titles_per_second": round(bulk_rate, 1),
        "rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--embedding", choices=["static", "hashing"], default="static")
    parser.add_argument("--embedding-dir", type=Path, default=None)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--serve-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve_only is not None:
        print(json.dumps(serve(args.serve_only, args.embedding_dir)))
        return

    from eligo.eligibility.training import TrainingConfig, train_eligibility

    out = args.out or Path(tempfile.mkdtemp(prefix="eligo-bench-")) / "eligibility"
    config = TrainingConfig(
        seed=args.seed,
        scale=args.scale,
        embedding=args.embedding,
        embedding_dir=args.embedding_dir,
    )
    started = time.perf_counter()
    report = train_eligibility(config, out, progress=not args.no_progress)
    train_seconds = time.perf_counter() - started
    print(f"trained {report.model_version} in {train_seconds:.1f} s -> {out}")
    print(
        f"test accuracy {report.test.accuracy:.4f}, min recall {report.test.min_recall:.4f}; "
        f"challenge accuracy {report.challenge.accuracy if report.challenge else float('nan'):.4f}"
    )
    command = [sys.executable, __file__, "--serve-only", str(out)]
    if args.embedding_dir is not None:
        command += ["--embedding-dir", str(args.embedding_dir)]
    serving = json.loads(
        subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1]
    )
    for key, value in serving.items():
        print(f"{key}: {value}")
    figures = {
        "train_seconds": round(train_seconds, 2),
        "train_rows": report.data["train"]["rows"],
        "test_accuracy": round(report.test.accuracy, 4),
        "test_min_recall": round(report.test.min_recall, 4),
        "challenge_accuracy": round(report.challenge.accuracy, 4) if report.challenge else None,
        **serving,
    }
    print("BENCH " + json.dumps(figures))


if __name__ == "__main__":
    main()
