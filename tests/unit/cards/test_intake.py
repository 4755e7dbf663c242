"""Intake: every bad-input class gets its own error; good images decode the right way up."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from eligo.cards import errors
from eligo.cards.intake import decode_image, measure_quality
from eligo.cards.synth import SynthCard, generate_card


def png_with_header(width: int, height: int, idat: bytes) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` (pixel data need not match)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_zero_bytes() -> None:
    with pytest.raises(errors.EmptyImage) as exc:
        decode_image(b"")
    assert exc.value.http_status == 422
    assert exc.value.code == "empty_image"


def test_not_an_image_is_415_and_does_not_echo_content() -> None:
    payload = b"MEMBER ID W123456789 JOHN SMITH" * 10
    with pytest.raises(errors.NotAnImage) as exc:
        decode_image(payload)
    assert exc.value.http_status == 415
    assert "W123456789" not in exc.value.message
    assert "SMITH" not in exc.value.message


def test_truncated_jpeg(photo_card: SynthCard) -> None:
    data = photo_card.front.image
    with pytest.raises(errors.TruncatedImage) as exc:
        decode_image(data[: len(data) // 2])
    assert exc.value.http_status == 422
    assert "incomplete" in exc.value.message


def test_ten_thousand_square_png_is_too_large() -> None:
    # 100 MP declared with 1 MB of (incompressible) data: big, but not a bomb.
    idat = np.random.default_rng(0).integers(0, 256, 1_000_000, dtype=np.uint8).tobytes()
    with pytest.raises(errors.ImageTooLarge) as exc:
        decode_image(png_with_header(10_000, 10_000, idat))
    assert exc.value.http_status == 413
    assert exc.value.code == "image_too_large"
    assert "100.0 megapixels" in exc.value.message


def test_decompression_bombs() -> None:
    tiny = zlib.compress(b"\x00" * 1000)
    # Above Pillow's own hard limit: refused while reading the header.
    with pytest.raises(errors.DecompressionBomb) as exc:
        decode_image(png_with_header(30_000, 30_000, tiny))
    assert exc.value.http_status == 413
    # Between our limit and Pillow's: declared pixels far beyond what the bytes can hold.
    with pytest.raises(errors.DecompressionBomb):
        decode_image(png_with_header(8_000, 6_000, tiny))


def test_megapixel_limit_comes_from_settings_or_argument() -> None:
    img = Image.new("RGB", (1200, 900), (200, 200, 200))
    data = encode(img, "PNG")
    assert decode_image(data).original_size == (1200, 900)
    with pytest.raises(errors.ImageTooLarge):
        decode_image(data, max_megapixels=1.0)


def test_tiny_image() -> None:
    with pytest.raises(errors.ImageTooSmall):
        decode_image(encode(Image.new("RGB", (40, 30)), "PNG"))


def test_unsupported_format() -> None:
    with pytest.raises(errors.UnsupportedImageFormat) as exc:
        decode_image(encode(Image.new("RGB", (300, 200)), "GIF"))
    assert exc.value.http_status == 415
    assert "GIF" in exc.value.message


def test_cmyk_jpeg_decodes_to_bgr() -> None:
    img = Image.new("CMYK", (300, 200), (255, 0, 0, 0))  # pure cyan ink
    dec = decode_image(encode(img, "JPEG", quality=95))
    b, g, r = (int(v) for v in dec.bgr[100, 150])
    assert r < 40
    assert g > 200
    assert b > 200


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (400, 200), (255, 255, 255))
    img.paste((255, 0, 0), (0, 0, 200, 200))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    dec = decode_image(encode(img, "JPEG", exif=exif, quality=95))
    assert dec.original_size == (200, 400)
    assert dec.bgr.shape[:2] == (400, 200)
    top, bottom = dec.bgr[50, 100], dec.bgr[350, 100]
    assert top[2] > 200
    assert top[1] < 60  # red on top
    assert bottom.min() > 200  # white below


def test_png_with_alpha_and_webp() -> None:
    rgba = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    dec = decode_image(encode(rgba, "PNG"))
    assert dec.bgr.min() == 255  # transparent -> white, not black
    webp = decode_image(encode(Image.new("RGB", (300, 200), (10, 120, 250)), "WEBP"))
    assert webp.format == "WebP"


def test_heic_when_the_encoder_is_available() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    try:
        data = encode(Image.new("RGB", (320, 240), (0, 128, 255)), "HEIF", quality=90)
    except (KeyError, OSError, ValueError):
        pytest.skip("this pillow-heif build has no HEIC encoder")
    dec = decode_image(data)
    assert dec.format == "HEIC"
    assert dec.bgr.shape[:2] == (240, 320)


def test_large_jpeg_is_scaled_down_with_its_scale() -> None:
    arr = np.zeros((3000, 4000, 3), np.uint8)
    arr[:, :, 1] = np.linspace(0, 255, 4000, dtype=np.uint8)[None, :]
    data = encode(Image.fromarray(arr), "JPEG", quality=80)
    dec = decode_image(data, max_side=1600)
    assert dec.original_size == (4000, 3000)
    assert max(dec.bgr.shape[:2]) <= 1600
    assert dec.scale == pytest.approx(dec.bgr.shape[1] / 4000)
    pts = dec.to_original(np.array([[dec.bgr.shape[1], dec.bgr.shape[0]]], dtype=float))
    assert pts[0] == pytest.approx([4000, 3000], rel=0.01)


def test_quality_advice_tracks_the_degradation(clean_card: SynthCard) -> None:
    clean = decode_image(clean_card.front.image).quality
    assert clean["ok"]
    assert clean["advice"] == []
    dark = decode_image(generate_card("unitedcare", 2, "photo_lowlight").front.image).quality
    assert "add light" in dark["advice"]
    assert dark["darkness"] < clean["darkness"]
    glare = decode_image(generate_card("medicare", 1, "photo_glare").front.image).quality
    assert "avoid glare" in glare["advice"]
    assert glare["glare"] > 0.004


def test_blur_metric_drops_when_blurred(clean_card: SynthCard) -> None:
    import cv2

    sharp = decode_image(clean_card.front.image).bgr
    blurred = cv2.GaussianBlur(sharp, (0, 0), 3)
    q_sharp, q_blur = measure_quality(sharp), measure_quality(blurred)
    assert q_blur["blur"] < q_sharp["blur"] / 5
    assert "hold still" in q_blur["advice"]
    small = cv2.resize(sharp, (300, 190))
    assert "move closer" in measure_quality(small)["advice"]
