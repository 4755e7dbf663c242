"""Card-scan accuracy on synthetic cards: exact match per field, layout and degradation.

    python bench/cards_eval.py --n 66 --layouts heldout --degradations clean,photo
    python bench/cards_eval.py --data var/cards/heldout      # a folder from write_dataset
    python bench/cards_eval.py --layouts train --ocr-cache var/cards/ocr_cache --dump f.jsonl

``--ocr-cache DIR`` stores every OCR call's result (whole-card reads and crop re-reads, by a
hash of the image, of ``ocr.py`` and of the OCR models) as JSON, so a second run replays
extraction and correction in seconds. It is for iterating on extraction only: figures to
report come from a run without it. ``--dump FILE`` writes every field the scanner returned
or held back as low-confidence, with its scores and whether it was right (threshold
calibration).

Runs ``eligo.cards.pipeline.scan_images(front, back)`` on each card (front and back bytes as
uploaded) and compares the returned ``fields`` with the truth:

- ids (member id, group, Rx ids, MBI, Medicaid id...): exact after removing whitespace
  (MBI and issuer id also ignore dashes/brackets, which are print formatting);
- names and other text: case- and whitespace-insensitive;
- dates: equal as dates (ISO truth vs any common US format); phones: the 10 digits;
- money: the amount; copays: the same set of (benefit, amount); dependents: the same names.

"Exact match" for a field = cards where it is returned with the right value / cards whose
truth has it. "Wrong returned" = returned fields whose value is wrong or that the card does
not print / all returned fields. Ends with a ``BENCH {...}`` JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "2")

ID_FIELDS = {
    "member_id",
    "member_id_prefix",
    "member_id_suffix",
    "group_number",
    "rx_bin",
    "rx_pcn",
    "rx_group",
    "rx_id",
    "rx_plan",
    "payer_id",
    "plan_number",
    "medicaid_id",
}
PUNCT_IDS = {"medicare_mbi", "issuer_id"}
DATE_FIELDS = {"effective_date", "medicare_part_a_date", "medicare_part_b_date"}
PHONE_FIELDS = {"phone_customer_service", "phone_pharmacy", "phone_provider"}
MONEY_FIELDS = {"deductible"}
STRICT_FIELDS = ("member_id", "group_number", "rx_bin")  # acceptance: >= 97%
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%m-%d-%y", "%Y/%m/%d")


def _text(v: Any) -> str:
    return " ".join(str(v).replace(",", " ").split()).casefold()


def _date(v: Any) -> str:
    s = str(v).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return s


def _phone(v: Any) -> str:
    d = re.sub(r"\D", "", str(v))
    return d[1:] if len(d) == 11 and d.startswith("1") else d


def _money(v: Any) -> str:
    s = str(v).replace(",", "").replace("$", "").strip()
    return s[:-3] if s.endswith(".00") else s


def normalize(key: str, v: Any) -> Any:
    if v is None:
        return None
    if key in ID_FIELDS:
        return re.sub(r"\s", "", str(v))
    if key in PUNCT_IDS:
        return re.sub(r"[\s\-()]", "", str(v)).upper()
    if key in DATE_FIELDS:
        return _date(v)
    if key in PHONE_FIELDS:
        return _phone(v)
    if key in MONEY_FIELDS:
        return _money(v)
    if key == "copays":
        items = v if isinstance(v, list) else []
        return sorted(
            (_text(i.get("benefit", "")), _money(i.get("amount", "")))
            for i in items
            if isinstance(i, dict)
        )
    if key == "dependents":
        items = v if isinstance(v, list) else [v]
        return sorted(_text(i) for i in items)
    return _text(v)


def matches(key: str, got: Any, want: Any) -> bool:
    return normalize(key, got) == normalize(key, want)


def _records(args: argparse.Namespace) -> Iterator[tuple[dict[str, Any], bytes, bytes | None]]:
    if args.data:
        root = Path(args.data)
        with (root / "truth.jsonl").open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if args.n and i >= args.n:
                    break
                rec = json.loads(line)
                back = (root / rec["back"]).read_bytes() if rec.get("back") else None
                yield rec, (root / rec["front"]).read_bytes(), back
        return
    from eligo.cards.synth import iter_dataset
    from eligo.cards.synth.cli import resolve_degradations, resolve_layouts

    layouts = resolve_layouts(args.layouts)
    degradations = resolve_degradations(args.degradations)
    for card in iter_dataset(layouts, args.n, args.seed, degradations):
        back = card.back.image if card.back is not None and not args.front_only else None
        rec = card.record()
        if back is None:  # only score what the scanner was shown
            rec["truth"] = {
                k: v for k, v in rec["truth"].items() if card.boxes.get(k, {}).get("side") != "back"
            }
        yield rec, card.front.image, back


class OcrCache:
    """OCR results on disk, keyed by the image's bytes and the OCR code that read them."""

    def __init__(self, root: Path) -> None:
        import eligo.cards.ocr as ocr_module
        from eligo.cards.ocr_models import MANIFEST_NAME, derived_model_paths
        from eligo.settings import get_settings

        self.root = root
        version = hashlib.sha1(Path(ocr_module.__file__).read_bytes())
        # The models read too: the derived ones (their manifest) or the shipped ones.
        models_dir = get_settings().cards.ocr_model_dir
        if derived_model_paths(models_dir) is not None:
            version.update((models_dir / MANIFEST_NAME).read_bytes())
        self.version = version.hexdigest()[:12]
        self.hits = self.misses = 0

    def _path(self, kind: str, image: np.ndarray) -> Path:
        h = hashlib.sha1(f"{self.version}:{kind}:{image.shape}:{image.dtype}".encode())
        h.update(np.ascontiguousarray(image).tobytes())
        digest = h.hexdigest()
        return self.root / digest[:2] / f"{digest}.json"

    def cached(self, kind: str, fn: Any) -> Any:
        def call(image: np.ndarray) -> Any:
            path = self._path(kind, image)
            if path.is_file():
                self.hits += 1
                return self._decode(json.loads(path.read_text(encoding="utf-8")))
            self.misses += 1
            result = fn(image)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._encode(result)), encoding="utf-8")
            tmp.replace(path)
            return result

        return call

    @staticmethod
    def _encode(result: Any) -> Any:
        if isinstance(result, list):  # whole-image read: OcrLines
            return {"lines": [[ln.text, list(ln.box), ln.score] for ln in result]}
        return {"line": list(result)}

    @staticmethod
    def _decode(data: dict[str, Any]) -> Any:
        from eligo.cards.ocr import OcrLine

        if "lines" in data:
            return [OcrLine(t, (b[0], b[1], b[2], b[3]), s) for t, b, s in data["lines"]]
        text, score = data["line"]
        return str(text), float(score)

    def install(self, scanner: Any) -> None:
        """Route the scanner's OCR calls through the cache (this process only)."""
        scanner.ocr.read = self.cached("rapid_read", scanner.ocr.read)
        scanner.ocr.read_line = self.cached("rapid_line", scanner.ocr.read_line)
        scanner.tesseract.read_line = self.cached("tess_line", scanner.tesseract.read_line)
        scanner.ocr.load = lambda: None


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _share(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def _dump_fields(fh: list[str], rec: dict[str, Any], out: dict[str, Any]) -> None:
    """One JSON line per field the scanner returned or held back, with its scores."""
    truth = rec["truth"]
    for kept, group in ((True, out.get("fields", {})), (False, out.get("low_confidence", {}))):
        for key, entry in group.items():
            row = {
                "layout": rec["layout"],
                "seed": rec["seed"],
                "degradation": rec["degradation"],
                "key": key,
                "returned": kept,
                "score": entry["score"],
                "scores": entry["scores"],
                "method": next(
                    (p.get("method") for p in entry["provenance"] if p.get("step") == "extract"),
                    None,
                ),
                "steps": sorted({p.get("step", "") for p in entry["provenance"]}),
                "share": next((p["share"] for p in entry["provenance"] if "share" in p), None),
                "in_truth": key in truth,
                "right": key in truth and matches(key, entry.get("value"), truth[key]),
            }
            fh.append(json.dumps(row) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="folder with truth.jsonl (from write_dataset)")
    parser.add_argument("--n", type=int, default=66, help="cards to score")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--layouts", default="heldout", help="train | heldout | all | list")
    parser.add_argument("--degradations", default="clean,photo,photo_rot90,photo_glare,photo_blur")
    parser.add_argument("--front-only", action="store_true", help="do not send the back")
    parser.add_argument("--negatives", type=int, default=3, help="non-card photos per kind")
    parser.add_argument("--errors", type=int, default=15, help="print this many mismatches")
    parser.add_argument("--ocr-cache", help="folder caching OCR results (iteration only)")
    parser.add_argument("--threshold", type=float, help="field score threshold (default: settings)")
    parser.add_argument("--dump", help="write returned and low-confidence fields here (JSONL)")
    args = parser.parse_args(argv)

    from eligo.cards.pipeline import get_scanner, scan_images

    t0 = time.perf_counter()
    scanner = get_scanner()
    cache = OcrCache(Path(args.ocr_cache)) if args.ocr_cache else None
    if cache is not None:
        cache.install(scanner)  # the OCR engine then loads on the first cache miss
    else:
        scanner.load()
    startup_s = time.perf_counter() - t0
    dump: list[str] | None = [] if args.dump else None

    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [right, in truth]
    per_layout: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_deg: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    returned = wrong_returned = cards = detected = 0
    totals: list[float] = []
    shown = 0
    for rec, front, back in _records(args):
        started = time.perf_counter()
        out = scan_images(front, back, threshold=args.threshold)
        totals.append((time.perf_counter() - started) * 1000)
        cards += 1
        detected += bool(out.get("card_detected"))
        fields = out.get("fields", {})
        truth = rec["truth"]
        for key, want in truth.items():
            got = fields.get(key, {}).get("value") if key in fields else None
            ok = got is not None and matches(key, got, want)
            for table, name in (
                (per_field, key),
                (per_layout, rec["layout"]),
                (per_deg, rec["degradation"]),
            ):
                table[name][0] += ok
                table[name][1] += 1
            if not ok and shown < args.errors:
                shown += 1
                # Synthetic data only: printing values here is not PHI.
                print(
                    f"  miss {rec['layout']}/{rec['degradation']} seed={rec['seed']} {key}: "
                    f"want={want!r} got={got!r}"
                )
        for key, entry in fields.items():
            returned += 1
            if key not in truth or not matches(key, entry.get("value"), truth[key]):
                wrong_returned += 1
        if dump is not None:
            _dump_fields(dump, rec, out)
        print(f"\r{cards} cards", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if dump is not None:
        Path(args.dump).write_text("".join(dump), encoding="utf-8")

    neg_flagged = neg_total = neg_fields = 0
    if args.negatives and not args.data:
        from eligo.cards.synth.negatives import NEGATIVE_KINDS, generate_negative

        for kind in NEGATIVE_KINDS:
            for seed in range(args.negatives):
                neg = generate_negative(kind, seed, "photo")
                out = scan_images(neg.front.image, None)
                neg_total += 1
                neg_fields += len(out.get("fields", {}))
                neg_flagged += bool(out.get("not_a_card")) or not out.get("fields")

    def table(title: str, rows: dict[str, list[int]]) -> dict[str, float]:
        print(f"\n{title}")
        res = {}
        for name in sorted(rows):
            right, n = rows[name]
            res[name] = _share(right, n)
            print(f"  {name:24s} {right:5d}/{n:<5d} {100 * right / n:6.1f}%")
        return res

    fields_res = table("exact match per field", per_field)
    layouts_res = table("exact match per layout", per_layout)
    degs_res = table("exact match per degradation", per_deg)
    all_right = sum(v[0] for v in per_field.values())
    all_n = sum(v[1] for v in per_field.values())
    wrong_share = _share(wrong_returned, returned)
    strict_ok = all(fields_res.get(k, 1.0) >= 0.97 for k in STRICT_FIELDS)
    others_ok = all(v >= 0.93 for k, v in fields_res.items() if k not in STRICT_FIELDS)
    print(f"\ncards {cards}, card detected {detected}, fields {all_right}/{all_n} right")
    print(f"returned {returned}, wrong {wrong_returned} ({100 * wrong_share:.2f}%)")
    print(f"latency per card ms: p50 {_pct(totals, 0.5):.0f}  p95 {_pct(totals, 0.95):.0f}")
    if cache is not None:
        print(f"ocr cache: {cache.hits} hits, {cache.misses} misses (timings not comparable)")
    if neg_total:
        print(f"negatives: {neg_flagged}/{neg_total} flagged, {neg_fields} fields returned")
    summary = {
        "bench": "cards_eval",
        "cards": cards,
        "layouts": args.layouts if not args.data else args.data,
        "exact_match_all": _share(all_right, all_n),
        "exact_match_field": fields_res,
        "exact_match_layout": layouts_res,
        "exact_match_degradation": degs_res,
        "wrong_returned_share": wrong_share,
        "card_detected_share": _share(detected, cards),
        "latency_ms_p50": round(_pct(totals, 0.5), 1),
        "latency_ms_p95": round(_pct(totals, 0.95), 1),
        "latency_ms_mean": round(statistics.fmean(totals), 1) if totals else 0.0,
        "startup_s": round(startup_s, 2),
        "negatives_flagged": _share(neg_flagged, neg_total),
        "acceptance": {
            "strict_fields_97": strict_ok,
            "other_fields_93": others_ok,
            "wrong_returned_2pct": wrong_share <= 0.02,
        },
    }
    print("BENCH " + json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
