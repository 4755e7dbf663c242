"""Turn a flat card into a scan or a phone photo, keeping the card-to-image homography.

Every degradation returns the homography ``H`` mapping flat-card coordinates to image
coordinates, so field boxes and card corners follow the card through the warp.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

from eligo.cards.synth.render import CARD_H, CARD_W

DEGRADATIONS: tuple[str, ...] = (
    "clean",
    "photo",
    "photo_rot90",
    "photo_rot180",
    "photo_glare",
    "photo_blur",
    "photo_lowlight",
    "photo_shadow",
    "photo_jpeg",
    "photo_far",
    "photo_hard",
)
PHOTO_DEGRADATIONS: tuple[str, ...] = tuple(d for d in DEGRADATIONS if d != "clean")

Array = np.ndarray


@dataclass
class Shot:
    """One degraded side: RGB pixels, how it is encoded, and where the card went."""

    rgb: Array
    homography: Array  # 3x3, flat card -> image
    rotation: int  # clockwise degrees (0/90/180/270) the card content is turned in the image
    fmt: str  # "png" | "jpeg"
    jpeg_quality: int = 95

    def encode(self) -> bytes:
        bgr = cv2.cvtColor(self.rgb, cv2.COLOR_RGB2BGR)
        if self.fmt == "png":
            ok, buf = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 3])
        else:
            ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise RuntimeError("image encoding failed")
        return bytes(buf.tobytes())


def card_corners(w: int = CARD_W, h: int = CARD_H) -> Array:
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)


def project(h: Array, pts: Array) -> Array:
    """Apply a homography to an (N, 2) array of points."""
    out = cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float64), h)
    return np.asarray(out.reshape(-1, 2))


def rounded_alpha(w: int, h: int, radius: int) -> Array:
    alpha = np.full((h, w), 255, np.uint8)
    if radius <= 0:
        return alpha
    corner = np.zeros((radius, radius), np.uint8)
    cv2.circle(corner, (radius - 1, radius - 1), radius - 1, 255, -1, lineType=cv2.LINE_AA)
    alpha[:radius, :radius] = corner
    alpha[:radius, w - radius :] = corner[:, ::-1]
    alpha[h - radius :, :radius] = corner[::-1, :]
    alpha[h - radius :, w - radius :] = corner[::-1, ::-1]
    return alpha


def _lowfreq(nrng: np.random.Generator, h: int, w: int, cells: int = 8) -> Array:
    small = nrng.standard_normal((cells, max(2, cells * w // max(h, 1)))).astype(np.float32)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC))


BACKGROUNDS = ("wood", "table", "fabric", "dark", "granite", "light_table", "paper_desk")


def background(kind: str, w: int, h: int, rng: random.Random) -> Array:
    """Procedural surfaces a card is photographed on (drawn at half size for speed)."""
    full_w, full_h = w, h
    w, h = w // 2, h // 2
    nrng = np.random.default_rng(rng.randrange(2**32))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "wood":
        base = np.array(
            [rng.randint(110, 170), rng.randint(70, 110), rng.randint(35, 70)], np.float32
        )
        angle = rng.uniform(0, np.pi)
        coord = xx * np.cos(angle) + yy * np.sin(angle)
        warp = _lowfreq(nrng, h, w, 6) * 25
        grain = np.sin((coord + warp) / rng.uniform(6, 14)) * 0.5 + 0.5
        shade = 0.8 + 0.2 * grain[..., None]
        img = base * shade
    elif kind == "fabric":
        base = np.array([rng.randint(30, 200) for _ in range(3)], np.float32)
        period = rng.uniform(5, 10)
        weave = (np.sin(xx / period) * np.sin(yy / period)) * 0.5 + 0.5
        img = base * (0.85 + 0.15 * weave[..., None])
    elif kind == "dark":
        img = np.full((h, w, 3), rng.randint(20, 55), np.float32)
    elif kind == "granite":
        base = np.array([rng.randint(90, 160)] * 3, np.float32)
        speck = nrng.standard_normal((h, w)).astype(np.float32) * 22
        img = base + cv2.GaussianBlur(speck, (0, 0), 1.2)[..., None]
    elif kind == "light_table":
        img = np.array([rng.randint(185, 225)] * 3, np.float32) * np.ones((h, w, 3), np.float32)
    elif kind == "paper_desk":
        img = np.array(
            [rng.randint(150, 200), rng.randint(150, 190), rng.randint(130, 170)], np.float32
        ) * np.ones((h, w, 3), np.float32)
    else:  # plain coloured table
        img = np.array([rng.randint(40, 180) for _ in range(3)], np.float32) * np.ones(
            (h, w, 3), np.float32
        )
    img = img * (1 + 0.08 * _lowfreq(nrng, h, w, 4)[..., None])
    img = cv2.resize(img.astype(np.float32), (full_w, full_h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(img)


def _placement(
    rng: random.Random,
    frame: tuple[int, int],
    base_rot: int,
    fill: tuple[float, float],
    tilt: float,
    size: tuple[int, int] = (CARD_W, CARD_H),
) -> Array:
    """Destination quad for the card corners: rotated, keystoned, scaled and placed."""
    fw, fh = frame
    w, h = float(size[0]), float(size[1])
    pts = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float64)
    # Keystone: one edge further from the camera looks shorter.
    k = rng.uniform(0, tilt)
    side = rng.randrange(4)
    if side == 0:
        pts[[0, 1], 0] *= 1 - k
    elif side == 1:
        pts[[2, 3], 0] *= 1 - k
    elif side == 2:
        pts[[0, 3], 1] *= 1 - k
    else:
        pts[[1, 2], 1] *= 1 - k
    pts += np.array(
        [
            [rng.uniform(-1, 1) * tilt * w * 0.25, rng.uniform(-1, 1) * tilt * h * 0.25]
            for _ in range(4)
        ]
    )
    theta = np.deg2rad(base_rot + rng.uniform(-12, 12))
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    pts = pts @ rot.T
    span = pts.max(axis=0) - pts.min(axis=0)
    scale = min(
        fw * rng.uniform(*fill) / span[0],
        fh * rng.uniform(*fill) / span[1],
        fw * 0.95 / span[0],
        fh * 0.95 / span[1],
    )
    pts *= scale
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    cx = rng.uniform(-lo[0] + 8, fw - hi[0] - 8) if fw - hi[0] - 8 > -lo[0] + 8 else fw / 2
    cy = rng.uniform(-lo[1] + 8, fh - hi[1] - 8) if fh - hi[1] - 8 > -lo[1] + 8 else fh / 2
    return np.asarray(pts + np.array([cx, cy]), np.float32)


def _clean(card: Array, rng: random.Random) -> Shot:
    s = rng.uniform(0.8, 1.25)
    margin = rng.choice((0, 0, rng.randint(8, 48)))
    w, h = round(CARD_W * s), round(CARD_H * s)
    out_w, out_h = w + 2 * margin, h + 2 * margin
    hmat = np.array([[s, 0, margin], [0, s, margin], [0, 0, 1]], np.float64)
    bg = np.full((out_h, out_w, 3), 255 - rng.randint(0, 8), np.uint8)
    resized = cv2.resize(card, (w, h), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    bg[margin : margin + h, margin : margin + w] = resized
    return Shot(bg, hmat, 0, "png")


def _photo(card: Array, name: str, rng: random.Random) -> Shot:
    nrng = np.random.default_rng(rng.randrange(2**32))
    hard = name == "photo_hard"
    base_rot = 0
    if name == "photo_rot90":
        base_rot = rng.choice((90, 270))
    elif name == "photo_rot180":
        base_rot = 180
    elif hard:
        base_rot = rng.choice((0, 0, 90, 180, 270))
    portrait = rng.random() < (0.7 if base_rot in (90, 270) else 0.3)
    long_side = rng.choice((1600, 1920, 2048)) if name != "photo_far" else 2400
    short_side = long_side * 3 // 4
    frame = (short_side, long_side) if portrait else (long_side, short_side)
    fill = (0.25, 0.4) if name == "photo_far" else (0.6, 0.92)
    ch, cw = card.shape[:2]
    dst = _placement(rng, frame, base_rot, fill, tilt=0.16 if hard else 0.1, size=(cw, ch))
    hmat = cv2.getPerspectiveTransform(card_corners(cw, ch), dst).astype(np.float64)

    fw, fh = frame
    bg = background(rng.choice(BACKGROUNDS), fw, fh, rng)
    radius = rng.randint(20, 44) if abs(cw / ch - CARD_W / CARD_H) < 0.05 else 0
    alpha = rounded_alpha(cw, ch, radius).astype(np.float32) / 255
    warped_alpha = cv2.warpPerspective(alpha, hmat, frame, flags=cv2.INTER_LINEAR)
    # Drop shadow: the card's footprint, shifted and blurred, darkens the table.
    shift = np.array([[1, 0, rng.uniform(-12, 12)], [0, 1, rng.uniform(4, 18)], [0, 0, 1]])
    shadow = cv2.warpPerspective(alpha, shift @ hmat, frame)
    shadow = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(6, 14))
    bg *= 1 - rng.uniform(0.2, 0.45) * shadow[..., None]
    warped = cv2.warpPerspective(card.astype(np.float32), hmat, frame, flags=cv2.INTER_LINEAR)
    img = bg * (1 - warped_alpha[..., None]) + warped * warped_alpha[..., None]

    # Light is smooth: build the multiplicative and additive fields at 1/4 size.
    lw, lh = fw // 4, fh // 4
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32) * 4
    ang = rng.uniform(0, 2 * np.pi)
    grad = (xx * np.cos(ang) + yy * np.sin(ang)) / max(fw, fh)
    # Auto-exposure keeps card white around 200-240; only glare clips to 255.
    gain = rng.uniform(0.8, 0.93) + rng.uniform(0, 0.12) * (grad - grad.mean())
    add = np.zeros_like(gain)
    quad = dst
    if name == "photo_shadow" or (hard and rng.random() < 0.5):
        # A hand/phone shadow: a soft-edged half plane crossing the card.
        c = quad.mean(axis=0) + nrng.normal(0, 60, 2)
        a = rng.uniform(0, 2 * np.pi)
        dist = (xx - c[0]) * np.cos(a) + (yy - c[1]) * np.sin(a)
        mask = 1 / (1 + np.exp(-dist / rng.uniform(10, 40)))
        gain *= 1 - rng.uniform(0.35, 0.55) * mask
    if name == "photo_glare" or (hard and rng.random() < 0.5):
        t = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)
        gx = quad[0] + (quad[1] - quad[0]) * t[0] + (quad[3] - quad[0]) * t[1]
        spot = float(np.linalg.norm(quad[1] - quad[0])) * rng.uniform(0.05, 0.13)
        blob = np.exp(-((xx - gx[0]) ** 2 + (yy - gx[1]) ** 2) / (2 * spot**2))
        add += rng.uniform(140, 280) * blob
    lowlight = name == "photo_lowlight" or (hard and rng.random() < 0.3)
    gain_full = cv2.resize(gain.astype(np.float32), frame, interpolation=cv2.INTER_LINEAR)
    add_full = cv2.resize(add.astype(np.float32), frame, interpolation=cv2.INTER_LINEAR)
    img = img * gain_full[..., None] + add_full[..., None]
    if lowlight:
        img = 255 * (np.clip(img, 0, 255) / 255) ** rng.uniform(1.2, 1.6) * rng.uniform(0.35, 0.55)
        img *= np.array([rng.uniform(0.9, 1.1), 1, rng.uniform(0.8, 1.0)], np.float32)
        noise_sigma = rng.uniform(6, 11)
    else:
        noise_sigma = rng.uniform(1, 4)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if name == "photo_blur" or (hard and rng.random() < 0.5):
        if rng.random() < 0.5:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(1.6, 2.8))
        else:
            n = rng.randint(9, 17)
            line = np.zeros((n, n), np.float32)
            line[n // 2, :] = 1 / n
            rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1)
            kernel = np.asarray(cv2.warpAffine(line, rot, (n, n)), np.float32)
            kernel /= max(float(kernel.sum()), 1e-6)
            img = cv2.filter2D(img, -1, kernel)
    elif rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 0.9))
    noise = nrng.standard_normal(img.shape, dtype=np.float32) * noise_sigma
    img = np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    quality = rng.randint(18, 35) if name == "photo_jpeg" else rng.randint(70, 92)
    if hard:
        quality = rng.randint(40, 75)
    return Shot(img, hmat, base_rot, "jpeg", quality)


def degrade(card: Array, name: str, rng: random.Random) -> Shot:
    """Render a flat RGB card as a scan (``clean``) or a phone photo (``photo*``)."""
    if name == "clean":
        return _clean(card, rng)
    if name not in PHOTO_DEGRADATIONS:
        raise ValueError(f"unknown degradation {name!r}; choose from {', '.join(DEGRADATIONS)}")
    return _photo(card, name, rng)


def empty_scene(rng: random.Random) -> Shot:
    """A phone photo of a table with no card on it (a pen and a mug at most)."""
    nrng = np.random.default_rng(rng.randrange(2**32))
    frame = (1600, 1200) if rng.random() < 0.6 else (1200, 1600)
    img = background(rng.choice(BACKGROUNDS), frame[0], frame[1], rng)
    if rng.random() < 0.6:  # a pen
        p0 = (rng.randint(100, frame[0] - 100), rng.randint(100, frame[1] - 100))
        p1 = (p0[0] + rng.randint(-400, 400), p0[1] + rng.randint(-300, 300))
        cv2.line(img, p0, p1, (rng.randint(0, 80),) * 3, rng.randint(10, 18), cv2.LINE_AA)
    if rng.random() < 0.4:  # a mug seen from above
        c = (rng.randint(200, frame[0] - 200), rng.randint(200, frame[1] - 200))
        r = rng.randint(90, 160)
        cv2.circle(img, c, r, (rng.randint(150, 250),) * 3, -1, cv2.LINE_AA)
        cv2.circle(img, c, int(r * 0.8), (40, 25, 20), -1, cv2.LINE_AA)
    img *= rng.uniform(0.75, 1.0)
    img += nrng.standard_normal(img.shape, dtype=np.float32) * rng.uniform(1, 5)
    out = np.clip(img, 0, 255).astype(np.uint8)
    return Shot(out, np.eye(3), 0, "jpeg", rng.randint(70, 92))
