"""``python -m eligo.eligibility.corpus``: build the corpus, write it as CSV, print its figures."""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from eligo.eligibility.corpus.build import (
    build_corpus,
    corpus_csv,
    default_shared_data,
    load_challenge_set,
    split_corpus,
)
from eligo.eligibility.taxonomy import STATUSES, load_taxonomy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eligo.eligibility.corpus")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--shared-data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the corpus CSV here")
    args = parser.parse_args(argv)

    taxonomy = load_taxonomy()
    started = time.perf_counter()
    rows = build_corpus(seed=args.seed, shared_data=args.shared_data, scale=args.scale)
    elapsed = time.perf_counter() - started
    splits = split_corpus(rows, seed=args.seed)
    challenge = load_challenge_set()

    print(f"taxonomy {taxonomy.version}: {len(taxonomy)} categories {taxonomy.counts_by_status()}")
    print(f"shared data: {args.shared_data or default_shared_data()}")
    print(f"corpus: {len(rows)} rows in {elapsed:.2f}s (seed {args.seed}, scale {args.scale})")
    by_source = collections.Counter((r.source, r.status) for r in rows)
    for source in sorted({r.source for r in rows}):
        counts = ", ".join(f"{s} {by_source[(source, s)]}" for s in STATUSES)
        print(f"  {source:<10} {counts}")
    for name, part in (("train", splits.train), ("validation", splits.validation),
                       ("test", splits.test), ("challenge", challenge)):  # fmt: skip
        status = collections.Counter(r.status for r in part)
        print(f"  {name:<10} {len(part):>6}  " + ", ".join(f"{s} {status[s]}" for s in STATUSES))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(corpus_csv(rows), encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
