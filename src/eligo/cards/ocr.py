"""OCR engines behind one small Protocol: rapidocr (primary) and Tesseract (second opinion).

rapidocr loads its ONNX models lazily and, when configured with a model that is not on disk,
downloads one on the first image. We pin every model path to the files shipped inside the
wheel, so a missing file fails loudly at load time instead of reaching for the network.

Both engines are heavy to build and cheap to call: build one per process (``get_rapid_engine``)
and share it. Calls are serialized with a lock: rapidocr mutates its own config per call and
the machine has two cores, so parallel calls would only fight for them.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]

# Model files shipped inside the rapidocr 3.x wheel (PP-OCRv6 small det/rec, PP-OCR mobile cls).
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"


# Card text is Latin script. The recogniser also knows CJK and reads logos as such glyphs.
# (The derived recogniser keeps only these classes: ocr_models.latin_recognizer.)
LATIN_CHARS = "\u0000-\u024f\u2010-\u2027\u2030-\u205e\u20ac"
_NON_LATIN = re.compile(f"[^{LATIN_CHARS}]+")


def clean_text(text: str) -> str:
    return " ".join(_NON_LATIN.sub(" ", text).split())


class OcrUnavailableError(RuntimeError):
    """The OCR engine or its shipped model files are missing."""


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One recognised text line: text, axis-aligned box in input-image pixels, score in [0, 1]."""

    text: str
    box: Box
    score: float

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2


class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine."""

    name: str

    def read(self, image: np.ndarray) -> list[OcrLine]:
        """Detect and recognise every text line of a BGR uint8 image."""
        ...

    def read_line(self, crop: np.ndarray) -> tuple[str, float]:
        """Recognise a crop that holds a single text line."""
        ...


def shipped_model_paths() -> tuple[Path, Path]:
    """The rapidocr wheel's detector and recogniser."""
    root = rapidocr_model_dir()
    return root / DET_MODEL, root / REC_MODEL


def rapidocr_model_dir() -> Path:
    try:
        import rapidocr
    except ImportError as exc:  # the `cards` extra is not installed
        raise OcrUnavailableError("rapidocr is not installed (pip install eligo[cards])") from exc
    return Path(rapidocr.__file__).resolve().parent / "models"


class RapidOcrEngine:
    """rapidocr on onnxruntime with the wheel's PP-OCRv6 small models, loaded once."""

    name = "rapidocr"

    def __init__(
        self,
        *,
        threads: int = 2,
        # 640 (the flat card's own scale) detects faster but its boxes cost recognition
        # a space here and there ("JUSTINQ PEREZ"): 736 stays.
        det_limit_side: int = 736,
        det_limit_type: str = "min",
        # Recognition pads every crop of a batch to the widest: card lines vary so much
        # in length that small batches are faster (2: a quarter less OCR time than
        # rapidocr's 6, same accuracy on held-out cards).
        rec_batch: int = 2,
        use_cls: bool = False,
        min_text_score: float = 0.3,
        # Where the derived (faster) models are (ocr_models.py); None: the settings' place.
        # With none derived from the installed wheel, the wheel's own models are read.
        derived_dir: Path | None = None,
        use_derived: bool = True,
    ) -> None:
        self.threads = threads
        self.derived_dir = derived_dir
        self.use_derived = use_derived
        # Which models were loaded: "derived" or "shipped" (reported by the bench).
        self.models = ""
        self.det_limit_side = det_limit_side
        self.det_limit_type = det_limit_type
        self.rec_batch = rec_batch
        self.use_cls = use_cls
        self.min_text_score = min_text_score
        self._engine: Any = None
        self._lock = threading.Lock()

    def params(self) -> dict[str, Any]:
        """The pinned rapidocr configuration: shipped model paths, explicit threads."""
        det, rec = self._derived_paths() or shipped_model_paths()
        paths = {"Det": det, "Rec": rec}
        if self.use_cls:
            paths["Cls"] = rapidocr_model_dir() / CLS_MODEL
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            raise OcrUnavailableError(f"shipped OCR model files missing: {missing}")
        params: dict[str, Any] = {f"{key}.model_path": str(p) for key, p in paths.items()}
        params.update(
            {
                "Global.log_level": "error",
                "Global.use_cls": self.use_cls,
                "Global.text_score": self.min_text_score,
                "Det.limit_side_len": self.det_limit_side,
                "Det.limit_type": self.det_limit_type,
                "Rec.rec_batch_num": self.rec_batch,
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        return params

    def _derived_paths(self) -> tuple[Path, Path] | None:
        if not self.use_derived:
            self.models = "shipped"
            return None
        from eligo.cards.ocr_models import derived_model_paths

        directory = self.derived_dir
        if directory is None:
            from eligo.settings import get_settings

            directory = get_settings().cards.ocr_model_dir
        derived = derived_model_paths(directory)
        if derived is None:
            warn_throttled(
                "ocr-models",
                "no OCR models derived from this rapidocr in %s (eligo cards build-ocr-models);"
                " reading with the shipped ones, slower",
                directory,
            )
        self.models = "shipped" if derived is None else "derived"
        return derived

    def load(self) -> None:
        """Build the engine and load all models now (not lazily on the first image)."""
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> Any:
        if self._engine is None:
            try:
                from rapidocr import RapidOCR
            except ImportError as exc:
                raise OcrUnavailableError("rapidocr is not installed") from exc
            started = time.perf_counter()
            engine = RapidOCR(params=self.params())
            # rapidocr loads models on first use: run a blank image now so a missing model
            # shows at start-up, not on the first card.
            blank = np.full((48, 160, 3), 255, dtype=np.uint8)
            engine(blank, use_det=True, use_cls=self.use_cls, use_rec=True)
            engine(blank, use_det=False, use_cls=False, use_rec=True)
            self._engine = engine
            logger.info("rapidocr loaded in %.2fs", time.perf_counter() - started)
        return self._engine

    def read(self, image: np.ndarray) -> list[OcrLine]:
        with self._lock:
            engine = self._load_locked()
            out = engine(image, use_det=True, use_cls=self.use_cls, use_rec=True)
        boxes = getattr(out, "boxes", None)
        txts = getattr(out, "txts", None)
        scores = getattr(out, "scores", None)
        if boxes is None or txts is None or scores is None:
            return []
        return _lines(boxes, txts, scores)

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Text line quads (4 x 2, input-image pixels) without recognising them."""
        with self._lock:
            engine = self._load_locked()
            out = engine(image, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(out, "boxes", None)
        if boxes is None:
            return []
        return [np.asarray(q, dtype=np.float32).reshape(4, 2) for q in boxes]

    def recognize(self, image: np.ndarray, quads: list[np.ndarray]) -> list[OcrLine | None]:
        """Recognise the given line quads of ``image`` in one batch (no detection).

        One entry per quad, ``None`` where nothing readable was found.
        """
        if not quads:
            return []
        from rapidocr.main import RapidOCRError
        from rapidocr.utils.process_img import get_rotate_crop_image

        crops = [get_rotate_crop_image(image, q.astype(np.float32).copy()) for q in quads]
        with self._lock:
            engine = self._load_locked()
            try:
                out = engine.recognize_txt(crops)
            except RapidOCRError:
                return [None] * len(quads)
        results: list[OcrLine | None] = []
        for quad, text, score in zip(quads, out.txts, out.scores, strict=True):
            found = _lines([quad], [text], [score]) if score >= self.min_text_score else []
            results.append(found[0] if found else None)
        return results

    def read_line(self, crop: np.ndarray) -> tuple[str, float]:
        if crop.size == 0:
            return "", 0.0
        with self._lock:
            engine = self._load_locked()
            out = engine(crop, use_det=False, use_cls=False, use_rec=True)
        txts = getattr(out, "txts", None)
        scores = getattr(out, "scores", None)
        if not txts:
            return "", 0.0
        return clean_text(str(txts[0])), float(scores[0]) if scores else 0.0


def _lines(quads: Any, txts: Any, scores: Any) -> list[OcrLine]:
    """rapidocr quads, texts and scores as OcrLines with axis-aligned boxes."""
    lines: list[OcrLine] = []
    for quad, text, score in zip(quads, txts, scores, strict=True):
        pts = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
        box = (
            float(pts[:, 0].min()),
            float(pts[:, 1].min()),
            float(pts[:, 0].max()),
            float(pts[:, 1].max()),
        )
        text = clean_text(str(text))
        if text:
            lines.append(OcrLine(text=text, box=box, score=float(score)))
    return lines


_warn_lock = threading.Lock()
_last_warning: dict[str, float] = {}


def warn_throttled(key: str, message: str, *args: object, every_s: float = 300.0) -> None:
    """Log a warning at most once per ``every_s`` seconds per key (optional engines)."""
    now = time.monotonic()
    with _warn_lock:
        last = _last_warning.get(key)
        if last is not None and now - last < every_s:
            return
        _last_warning[key] = now
    logger.warning(message, *args)


class TesseractEngine:
    """Tesseract 5 CLI as a second engine; absent binary means ``available() is False``."""

    name = "tesseract"

    def __init__(self, *, binary: str | None = None, timeout_s: float = 10.0) -> None:
        self.binary = binary or shutil.which("tesseract")
        self.timeout_s = timeout_s

    def available(self) -> bool:
        if self.binary is None:
            warn_throttled("tesseract", "tesseract not found; low-confidence re-reads are skipped")
            return False
        return True

    def _run(self, image: np.ndarray, psm: int) -> list[tuple[str, float, Box]]:
        if not self.available() or image.size == 0:
            return []
        from PIL import Image

        rgb = image[:, :, ::-1] if image.ndim == 3 else image
        buf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="PNG")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        assert self.binary is not None
        try:
            proc = subprocess.run(  # noqa: S603 - fixed binary, no shell, image on stdin
                [self.binary, "stdin", "stdout", "--oem", "1", "--psm", str(psm), "tsv"],
                input=buf.getvalue(),
                capture_output=True,
                timeout=self.timeout_s,
                env=env,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            warn_throttled("tesseract-run", "tesseract failed: %s", type(exc).__name__)
            return []
        if proc.returncode != 0:
            warn_throttled("tesseract-rc", "tesseract exited with %d", proc.returncode)
            return []
        return parse_tesseract_tsv(proc.stdout.decode("utf-8", "replace"))

    def read(self, image: np.ndarray) -> list[OcrLine]:
        """Whole-image read (sparse text mode), words grouped back into lines."""
        words = self._run(image, psm=11)
        return [OcrLine(text=t, box=b, score=s) for t, s, b in words]

    def read_line(self, crop: np.ndarray) -> tuple[str, float]:
        words = self._run(crop, psm=7)
        if not words:
            return "", 0.0
        text = " ".join(w[0] for w in words)
        score = float(np.mean([w[1] for w in words]))
        return text, score


def parse_tesseract_tsv(tsv: str) -> list[tuple[str, float, Box]]:
    """Parse ``tesseract ... tsv`` output into (word, confidence 0-1, box) tuples."""
    words: list[tuple[str, float, Box]] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip():
            continue
        try:
            left, top, width, height = (int(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        if conf < 0:
            continue
        box = (float(left), float(top), float(left + width), float(top + height))
        words.append((cols[11].strip(), conf / 100.0, box))
    return words


@lru_cache(maxsize=1)
def get_rapid_engine() -> RapidOcrEngine:
    """The process-wide rapidocr engine (built once, loaded on first use)."""
    return RapidOcrEngine()


@lru_cache(maxsize=1)
def get_tesseract_engine() -> TesseractEngine:
    return TesseractEngine()
