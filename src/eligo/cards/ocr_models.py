"""Faster OCR models derived here, offline, from the ones the rapidocr wheel ships.

Two derivations, each measured against the shipped model before it was adopted
(docs/cards.md, session 27):

- **Detector, int8.** The text detector is quantized (static, QDQ, per-channel weights;
  its first two convolutions stay float) with activation ranges calibrated on flat
  synthetic cards of the TRAIN layouts only. It detects in 20-26% less time; on held-out
  cards its boxes read about as many fields right.
  The recogniser is *not* quantized: its int8 reading changed one line in five.
- **Recogniser, Latin head.** The recogniser scores 18,710 characters at every step, most
  of them CJK; card text is Latin (``ocr.clean_text`` drops the rest anyway). Its last
  layer keeps the blank, the Latin characters and the space (544 classes): recognition is
  about a seventh faster and reads the same text.

``derive_ocr_models`` writes both and a manifest naming the shipped files they came from
(sha256); ``derived_model_paths`` returns them only while that still holds, so a rapidocr
upgrade falls back to its own models instead of pairing new code with stale weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from eligo.cards.ocr import LATIN_CHARS, shipped_model_paths

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
DET_FILE = "det_int8.onnx"
REC_FILE = "rec_latin.onnx"
# The manifest's layout; a different one is rebuilt, not read.
FORMAT_VERSION = 2
# Flat card sides the detector's activation ranges are calibrated on, cycling through the
# TRAIN layouts and the degradations (about a minute to build; the tests use fewer).
DEFAULT_CALIBRATION_CARDS = 64
CALIBRATION_SEED = 27_000
# The detector's first convolutions stay float: in int8 they lost faint print (a grey "ID"
# label under glare went undetected); with these two float, boxes match the shipped model's
# best (87% at IoU >= 0.9 on 24 TRAIN-layout sides) for ~10% of the int8 gain.
FLOAT_FIRST_CONVS = 2
# The characters the Latin recogniser keeps: those ``ocr.clean_text`` keeps.
_LATIN_CHAR = re.compile(f"^[{LATIN_CHARS}]$")
# The recogniser's class weights (the last MatMul, its bias) and metadata key.
_REC_WEIGHT = "linear_8.w_0"
_REC_BIAS = "linear_8.b_0"
_REC_CHARACTERS = "character"


class OcrModelBuildError(RuntimeError):
    """The shipped models are not the ones these derivations were written for."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def derived_model_paths(directory: Path) -> tuple[Path, Path] | None:
    """The derived detector and recogniser in ``directory``, if they were derived from the
    shipped models now installed; None otherwise (not built, or rapidocr changed)."""
    manifest_path = directory / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    det, rec = directory / DET_FILE, directory / REC_FILE
    if manifest.get("format") != FORMAT_VERSION or not (det.is_file() and rec.is_file()):
        return None
    shipped_det, shipped_rec = shipped_model_paths()
    if not (shipped_det.is_file() and shipped_rec.is_file()):
        return None
    if manifest.get("sources") != {"det": sha256_of(shipped_det), "rec": sha256_of(shipped_rec)}:
        return None
    if manifest.get("outputs") != {"det": sha256_of(det), "rec": sha256_of(rec)}:
        return None
    return det, rec


def latin_recognizer(source: Path, target: Path) -> int:
    """Write ``source`` with its class layer cut to blank + Latin characters + space;
    returns the number of classes kept."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    meta = {p.key: p for p in model.metadata_props}
    inits = {i.name: i for i in model.graph.initializer}
    if _REC_CHARACTERS not in meta or _REC_WEIGHT not in inits or _REC_BIAS not in inits:
        raise OcrModelBuildError(f"{source.name} is not the recogniser this was written for")
    characters = meta[_REC_CHARACTERS].value.splitlines()
    weight = numpy_helper.to_array(inits[_REC_WEIGHT])
    bias = numpy_helper.to_array(inits[_REC_BIAS])
    # rapidocr's classes: blank, the dictionary, then a space.
    if weight.shape[1] != len(characters) + 2 or bias.shape != (weight.shape[1],):
        raise OcrModelBuildError(f"{source.name}: class layer does not match its dictionary")
    kept = [i + 1 for i, ch in enumerate(characters) if _LATIN_CHAR.match(ch)]
    columns = [0, *kept, len(characters) + 1]
    inits[_REC_WEIGHT].CopyFrom(
        numpy_helper.from_array(np.ascontiguousarray(weight[:, columns]), _REC_WEIGHT)
    )
    inits[_REC_BIAS].CopyFrom(
        numpy_helper.from_array(np.ascontiguousarray(bias[columns]), _REC_BIAS)
    )
    meta[_REC_CHARACTERS].value = "\n".join(characters[i - 1] for i in kept)
    # The output's class count was fixed in the graph; shapes inside are inferred again.
    model.graph.output[0].type.tensor_type.shape.dim[2].dim_value = len(columns)
    del model.graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
    return len(columns)


def calibration_images(count: int, seed: int = CALIBRATION_SEED) -> Iterator[np.ndarray]:
    """Flat card sides (the size the pipeline reads) from the TRAIN layouts, cycling through
    the layouts, the degradations and the two sides."""
    from eligo.cards.synth import TRAIN_LAYOUTS, generate_card
    from eligo.cards.synth.degrade import DEGRADATIONS

    for i in range(count):
        card = generate_card(
            TRAIN_LAYOUTS[i % len(TRAIN_LAYOUTS)], seed + i, DEGRADATIONS[i % len(DEGRADATIONS)]
        )
        side = card.back if i % 2 and card.back is not None else card.front
        yield side.flat()


def int8_detector(source: Path, target: Path, images: list[np.ndarray], work: Path) -> None:
    """Write ``source`` quantized to int8, activation ranges calibrated on ``images``."""
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    from eligo.cards.ocr import RapidOcrEngine

    engine = RapidOcrEngine()
    prepare = DetPreProcess(engine.det_limit_side, engine.det_limit_type)
    inputs = [x for x in (prepare(img) for img in images) if x is not None]
    if not inputs:
        raise OcrModelBuildError("no calibration image could be prepared")

    class Batches(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self._left = iter(inputs)

        def get_next(self) -> dict[str, Any] | None:
            x = next(self._left, None)
            return None if x is None else {"x": x}

    # Per-channel weights need DequantizeLinear's axis: opset 13 (the wheel's is 11).
    opset13, prepared = work / "det_opset13.onnx", work / "det_prepared.onnx"
    onnx.save(version_converter.convert_version(onnx.load(str(source)), 13), str(opset13))
    quant_pre_process(str(opset13), str(prepared), skip_symbolic_shape=True)
    convs = [n.name for n in onnx.load(str(prepared)).graph.node if n.op_type == "Conv"]
    quantize_static(
        str(prepared),
        str(target),
        Batches(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        nodes_to_exclude=convs[:FLOAT_FIRST_CONVS],
    )


def derive_ocr_models(
    directory: Path, *, calibration_cards: int = DEFAULT_CALIBRATION_CARDS
) -> dict[str, Any]:
    """Derive both models into ``directory`` (written whole or not at all); returns the
    manifest."""
    import tempfile

    import onnx
    import onnxruntime

    started = time.perf_counter()
    shipped_det, shipped_rec = shipped_model_paths()
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".build-") as tmp:
        work = Path(tmp)
        images = list(calibration_images(calibration_cards))
        int8_detector(shipped_det, work / DET_FILE, images, work)
        classes = latin_recognizer(shipped_rec, work / REC_FILE)
        manifest = {
            "format": FORMAT_VERSION,
            "sources": {"det": sha256_of(shipped_det), "rec": sha256_of(shipped_rec)},
            "outputs": {"det": sha256_of(work / DET_FILE), "rec": sha256_of(work / REC_FILE)},
            "calibration": {
                "layouts": "train",
                "cards": len(images),
                "seed": CALIBRATION_SEED,
            },
            "recogniser_classes": classes,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "seconds": round(time.perf_counter() - started, 1),
        }
        # The manifest goes last: a reader sees both models or none.
        for name in (DET_FILE, REC_FILE):
            (work / name).replace(directory / name)
        (work / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        (work / MANIFEST_NAME).replace(directory / MANIFEST_NAME)
    logger.info("OCR models derived in %.1fs", manifest["seconds"])
    return manifest
