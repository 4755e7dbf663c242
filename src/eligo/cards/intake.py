"""Intake: turn uploaded bytes into a BGR array, refusing bad files early and cheaply.

Order matters for safety: the header is read first (format, pixel count) and the limits
are enforced *before* any pixel is decoded, so a decompression bomb costs nothing.
Large JPEGs are decoded at a reduced DCT scale (``draft``), everything else is scaled
down right after decoding; ``DecodedImage.scale`` maps pixels back to the original.
"""

from __future__ import annotations

import io
import logging
import struct
import warnings
from dataclasses import dataclass
from typing import Any, TypedDict

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from eligo.cards.errors import (
    CorruptImage,
    DecompressionBomb,
    EmptyImage,
    ImageTooLarge,
    ImageTooSmall,
    NotAnImage,
    TruncatedImage,
    UnsupportedImageFormat,
)

logger = logging.getLogger(__name__)

# Pillow format name -> what we call it in messages. MPO is how some phones save JPEGs.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
MIN_SIDE = 64
# Decoded images are scaled so the long side is at most this: plenty for a card that fills
# a fraction of the frame, and it bounds the cost of every later stage.
DEFAULT_MAX_SIDE = 3000
# A file that declares this many pixels per byte of data is a bomb, not a photo.
BOMB_PIXELS_PER_BYTE = 400

# Quality thresholds, calibrated on the synthetic clean/photo/blur/low-light sets.
BLUR_MIN = 60.0  # 90th-percentile tile Laplacian variance at 1000 px long side
GLARE_MAX = 0.004  # share of the frame in saturated spots that do not touch the border
BRIGHT_MIN = 105.0  # 95th-percentile luminance: even the card's whites are dim below it
RESOLUTION_MIN = 480  # short side in pixels

_heif_registered = False


class Quality(TypedDict):
    """Capture-quality metrics and the advice shown to the user."""

    width: int  # original pixels (after EXIF rotation)
    height: int
    megapixels: float
    blur: float  # sharpness: higher is sharper
    glare: float  # share of the frame blown out by reflections
    darkness: float  # mean luminance 0-255: lower is darker
    brightness_p95: float
    ok: bool
    advice: list[str]


@dataclass
class DecodedImage:
    bgr: np.ndarray  # uint8, H x W x 3, possibly scaled down
    original_size: tuple[int, int]  # (width, height) as displayed (EXIF orientation applied)
    scale: float  # bgr pixels per original pixel (<= 1)
    format: str  # "JPEG" | "PNG" | "WebP" | "HEIC"
    quality: Quality

    def to_original(self, pts: np.ndarray) -> np.ndarray:
        """Map (N, 2) points on ``bgr`` to original-image pixels."""
        return np.asarray(pts, dtype=np.float64) / self.scale


def _register_heif() -> None:
    global _heif_registered
    if _heif_registered:
        return
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # optional: HEIC uploads are then refused as unsupported
        logger.warning("pillow-heif is not installed; HEIC photos will be refused")
    _heif_registered = True


def _max_megapixels() -> float:
    from eligo.settings import get_settings

    return float(get_settings().cards.max_megapixels)


def _open(data: bytes) -> Image.Image:
    """Read only the header; refuse what is not an image before decoding anything."""
    try:
        with warnings.catch_warnings():
            # We enforce our own (lower) pixel limit right after this; Pillow's warning
            # for 89-179 MP images would only duplicate it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise DecompressionBomb() from None
    except UnidentifiedImageError:
        raise NotAnImage() from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise CorruptImage() from None


def _check_size(img: Image.Image, n_bytes: int, max_mp: float) -> None:
    w, h = img.size
    pixels = w * h
    if pixels > max_mp * 1_000_000:
        mp = pixels / 1_000_000
        if pixels / max(n_bytes, 1) > BOMB_PIXELS_PER_BYTE:
            raise DecompressionBomb(
                f"The image declares {mp:.0f} megapixels in a {n_bytes:,}-byte file "
                f"(a decompression bomb). Send an ordinary photo of at most {max_mp:g} megapixels."
            )
        raise ImageTooLarge(
            f"The image is {mp:.1f} megapixels; the limit is {max_mp:g}. "
            "Send a smaller photo (a 12-megapixel phone photo is plenty)."
        )
    if min(w, h) < MIN_SIDE:
        raise ImageTooSmall(
            f"The image is {w}x{h} pixels; at least {MIN_SIDE} pixels on each side are needed "
            "(a card photo should be 1000 pixels wide or more)."
        )


def _decode(img: Image.Image, max_side: int) -> Image.Image:
    if img.format in ("JPEG", "MPO") and max(img.size) > max_side:
        # DCT-domain downscale: decodes a 12 MP JPEG 4-8x faster; keeps >= max_side pixels.
        w, h = img.size
        f = max_side / max(w, h)
        img.draft("RGB", (max(1, int(w * f)), max(1, int(h * f))))
    try:
        img.load()
    except OSError as exc:
        if "truncated" in str(exc).lower():
            raise TruncatedImage() from None
        raise CorruptImage() from None
    except (SyntaxError, ValueError, EOFError, struct.error, IndexError):
        raise CorruptImage() from None
    try:
        return ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError, struct.error):
        logger.debug("ignoring unreadable EXIF orientation")
        return img


def _to_rgb(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = float(arr.max()) or 1.0
        grey = np.clip(arr / top * 255, 0, 255).astype(np.uint8)
        return np.asarray(np.repeat(grey[..., None], 3, axis=2))
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    # CMYK, YCbCr, L, 1, P...: Pillow's conversions (Adobe-inverted CMYK JPEGs included).
    return np.asarray(img.convert("RGB"))


def decode_image(
    data: bytes,
    *,
    max_megapixels: float | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
) -> DecodedImage:
    """Validate and decode an upload; raise a specific ``InvalidImage`` subclass if bad."""
    if not data:
        raise EmptyImage()
    _register_heif()
    max_mp = _max_megapixels() if max_megapixels is None else max_megapixels
    img = _open(data)
    fmt = img.format or ""
    if fmt not in ACCEPTED_FORMATS:
        raise UnsupportedImageFormat(
            f"{fmt or 'This'} images are not supported. Send a JPEG, PNG, WebP or HEIC photo."
        )
    _check_size(img, len(data), max_mp)
    header_w, header_h = img.size
    img = _decode(img, max_side)
    # draft() may have decoded fewer pixels and EXIF may have swapped the axes: the
    # original (as displayed) is the header size, turned like the decoded image.
    dw, dh = img.size
    swapped = header_w != header_h and (dw > dh) != (header_w > header_h)
    original = (header_h, header_w) if swapped else (header_w, header_h)
    rgb = _to_rgb(img)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    h, w = bgr.shape[:2]
    if max(w, h) > max_side:
        f = max_side / max(w, h)
        bgr = cv2.resize(bgr, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    scale = bgr.shape[1] / original[0]
    quality = measure_quality(bgr, original)
    return DecodedImage(np.ascontiguousarray(bgr), original, scale, ACCEPTED_FORMATS[fmt], quality)


def _percentile_u8(gray: np.ndarray, q: float) -> float:
    """Percentile of a uint8 image from its histogram (no sort: ~1 ms for 1 MP)."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    cdf = np.cumsum(hist)
    return float(np.searchsorted(cdf, cdf[-1] * q / 100.0))


def _glare_share(gray: np.ndarray) -> float:
    """Share of the frame in blown-out spots.

    A scan's paper is legitimately pure white: when the ordinary whites of the image (90th
    percentile) are themselves near 255 there is no exposure headroom to tell a reflection
    from paper, so no glare is reported.
    """
    if _percentile_u8(gray, 90) >= 242:
        return 0.0
    raw = (gray >= 250).astype(np.uint8)
    if not raw.any():
        return 0.0
    mask = cv2.morphologyEx(raw, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    h, w = gray.shape
    area = 0
    for i in range(1, n):
        x, y, bw, bh, a = (int(v) for v in stats[i])
        # Border-touching or huge white areas are a scan's paper, not a reflection.
        if x == 0 or y == 0 or x + bw >= w or y + bh >= h or a < 20 or a > 0.3 * h * w:
            continue
        area += a
    return area / float(h * w)


def measure_quality(bgr: np.ndarray, original_size: tuple[int, int] | None = None) -> Quality:
    """Blur, glare, darkness and resolution with advice; ~5 ms on a 1000 px image."""
    h, w = bgr.shape[:2]
    ow, oh = original_size or (w, h)
    f = 1000 / max(h, w)
    small = cv2.resize(
        bgr, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA
    )
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    lap = cv2.Laplacian(gray, cv2.CV_32F)
    # Sharpness where there is detail: the 90th percentile of per-tile variances, so a
    # plain table around the card does not drag the figure down.
    th, tw = max(1, gray.shape[0] // 8), max(1, gray.shape[1] // 8)
    tiles = lap[: th * 8, : tw * 8].reshape(8, th, 8, tw).var(axis=(1, 3))
    blur = float(np.percentile(tiles, 90))
    glare = _glare_share(gray)
    darkness = float(gray.mean())
    p95 = _percentile_u8(gray, 95)
    advice: list[str] = []
    if min(ow, oh) < RESOLUTION_MIN:
        advice.append("move closer")
    if glare > GLARE_MAX:
        advice.append("avoid glare")
    if p95 < BRIGHT_MIN:
        advice.append("add light")
    if blur < BLUR_MIN:
        advice.append("hold still")
    return Quality(
        width=int(ow),
        height=int(oh),
        megapixels=round(ow * oh / 1_000_000, 2),
        blur=round(blur, 1),
        glare=round(glare, 4),
        darkness=round(darkness, 1),
        brightness_p95=round(p95, 1),
        ok=not advice,
        advice=advice,
    )


def quality_dict(q: Quality) -> dict[str, Any]:
    return dict(q)
