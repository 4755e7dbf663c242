"""eligo cards ...: scan card images in-process (no server) and build the line model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from eligo.cli.common import cli_settings

app = typer.Typer(help="Insurance-card scanning.", no_args_is_help=True)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".tif", ".tiff"})


def _error_doc(exc: Exception) -> dict[str, Any]:
    code = getattr(exc, "code", "scan_failed")
    message = getattr(exc, "message", None) or type(exc).__name__
    return {"error": {"code": code, "message": message}}


def _scan_file(scanner: Any, front: Path, back: Path | None, threshold: float | None) -> Any:
    from eligo.errors import EligoError

    try:
        data = front.read_bytes()
        back_data = back.read_bytes() if back is not None else None
        return scanner.scan(data, back_data, threshold=threshold)
    except (EligoError, OSError, ValueError) as exc:
        return _error_doc(exc)


def _human(doc: dict[str, Any]) -> str:
    if "error" in doc:
        return f"error: {doc['error']['message']}"
    lines = [f"card detected: {doc['card_detected']}"]
    for title, group in (("fields", doc["fields"]), ("low confidence", doc["low_confidence"])):
        lines.append(f"{title}:")
        for key, entry in group.items():
            lines.append(
                f"  {key:24s} {entry['value']!s:40s} {entry['score']:.2f} ({entry['side']})"
            )
    total = doc["timings_ms"].get("total", 0.0)
    lines.append(f"total: {total:.0f} ms")
    return "\n".join(lines)


@app.command()
def scan(
    path: Annotated[Path, typer.Argument(help="Front image, or a folder of images")],
    back: Annotated[Path | None, typer.Option(help="Back image of the same card")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder mode: write one JSON document per line here")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document")] = False,
    threshold: Annotated[
        float | None, typer.Option(help="Field score threshold (default from settings)")
    ] = None,
) -> None:
    """Scan a card (FRONT [--back BACK]) or every image in a folder (DIR --out FILE)."""
    from eligo.cards.pipeline import CardScanner

    cli_settings()
    if not path.exists():
        raise typer.BadParameter(f"{path} does not exist")
    scanner = CardScanner(threshold=threshold)
    scanner.load()
    if path.is_dir():
        if back is not None:
            raise typer.BadParameter("--back applies to a single card, not a folder")
        _scan_dir(scanner, path, out, threshold)
        return
    doc = _scan_file(scanner, path, back, threshold)
    typer.echo(json.dumps(doc, indent=2) if as_json else _human(doc))
    if "error" in doc:
        raise typer.Exit(code=1)


def _scan_dir(scanner: Any, folder: Path, out: Path | None, threshold: float | None) -> None:
    from tqdm import tqdm

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    sink = out.open("w", encoding="utf-8") if out is not None else sys.stdout
    failed = 0
    try:
        for file in tqdm(files, desc="scanning", unit="image", file=sys.stderr):
            doc = _scan_file(scanner, file, None, threshold)
            failed += "error" in doc
            sink.write(json.dumps({"file": file.name, **doc}) + "\n")
            sink.flush()
    finally:
        if out is not None:
            sink.close()
    typer.echo(f"{len(files)} images, {failed} failed", err=True)


@app.command("train-line-model")
def train_line_model(
    seeds: Annotated[int, typer.Option(min=1, help="Cards per train layout and degradation")] = 4,
    composed_seeds: Annotated[
        int | None,
        typer.Option(min=1, help="Cards per composed house (a new design each; default --seeds)"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Model file (default: the shipped one)")] = None,
    bag: Annotated[int, typer.Option(min=1, help="Boosters averaged (seeds 0, 1, ...)")] = 1,
) -> None:
    """Rebuild the line classifier from synthetic cards of the TRAIN layouts only."""
    import numpy as np

    from eligo.cards import linemodel
    from eligo.cards.synth import TRAIN_LAYOUTS

    cli_settings()
    parts = [
        linemodel.build_rows(
            [name], linemodel.row_seeds(name, seeds, composed_seeds), linemodel.TRAIN_DEGRADATIONS
        )
        for name in TRAIN_LAYOUTS
    ]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    model = linemodel.train(x, y, bag=bag)
    target = out or linemodel.DEFAULT_MODEL_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(model.to_json(), encoding="utf-8")
    typer.echo(f"{len(y)} lines from {len(TRAIN_LAYOUTS)} layouts -> {target}")


@app.command("build-ocr-models")
def build_ocr_models(
    out: Annotated[
        Path | None, typer.Option(help="Directory [default: settings.cards.ocr_model_dir]")
    ] = None,
    calibration_cards: Annotated[
        int, typer.Option(min=1, help="Flat TRAIN-layout card sides to calibrate the detector")
    ] = 64,
    force: Annotated[bool, typer.Option(help="Rebuild even if current models are there")] = False,
) -> None:
    """Derive the faster OCR models (int8 detector, Latin recogniser) from rapidocr's (~1 min)."""
    from eligo.cards.ocr_models import OcrModelBuildError, derive_ocr_models, derived_model_paths

    settings = cli_settings()
    directory = out or settings.cards.ocr_model_dir
    if not force and derived_model_paths(directory) is not None:
        typer.echo(f"OCR models already derived in {directory}")
        return
    try:
        manifest = derive_ocr_models(directory, calibration_cards=calibration_cards)
    except OcrModelBuildError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(
        f"OCR models derived in {directory}: detector int8 ({manifest['calibration']['cards']}"
        f" calibration sides), recogniser {manifest['recogniser_classes']} classes,"
        f" {manifest['seconds']} s"
    )
