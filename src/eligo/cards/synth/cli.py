"""Command line entry for the generator: ``python -m eligo.cards.synth --out DIR --n 200``.

``main(argv)`` is a plain function so the project CLI can mount it (or call
``write_dataset`` directly).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from eligo.cards.synth.degrade import DEGRADATIONS
from eligo.cards.synth.generator import HELDOUT_LAYOUTS, LAYOUTS, TRAIN_LAYOUTS, write_dataset


def resolve_layouts(spec: str) -> list[str]:
    """``train``, ``heldout``, ``all`` or a comma-separated list of layout ids."""
    groups = {"train": list(TRAIN_LAYOUTS), "heldout": list(HELDOUT_LAYOUTS), "all": list(LAYOUTS)}
    if spec in groups:
        return groups[spec]
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [n for n in names if n not in LAYOUTS]
    if unknown:
        raise SystemExit(f"unknown layouts: {', '.join(unknown)} (known: {', '.join(LAYOUTS)})")
    return names


def resolve_degradations(spec: str) -> list[str]:
    if spec == "all":
        return list(DEGRADATIONS)
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [n for n in names if n not in DEGRADATIONS]
    if unknown:
        raise SystemExit(
            f"unknown degradations: {', '.join(unknown)} (known: {', '.join(DEGRADATIONS)})"
        )
    return names


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="eligo-cards-synth", description="Write synthetic insurance cards + truth.jsonl"
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--n", type=int, default=100, help="number of cards")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layouts", default="train", help="train | heldout | all | comma list")
    parser.add_argument("--degradations", default="all", help="all | comma list")
    parser.add_argument(
        "--texts", action="store_true", help="also write every drawn line with its field label"
    )
    args = parser.parse_args(argv)
    layouts = resolve_layouts(args.layouts)
    degradations = resolve_degradations(args.degradations)
    start = time.perf_counter()

    def progress(done: int) -> None:
        if done % 50 == 0 or done == args.n:
            print(f"\r{done}/{args.n} cards", end="", file=sys.stderr, flush=True)

    path = write_dataset(
        args.out, layouts, args.n, args.seed, degradations, texts=args.texts, progress=progress
    )
    elapsed = time.perf_counter() - start
    print(
        f"\nwrote {args.n} cards to {path} in {elapsed:.1f}s "
        f"({args.n / max(elapsed, 1e-9):.1f} cards/s)",
        file=sys.stderr,
    )
    return 0
