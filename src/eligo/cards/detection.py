"""Card detection: find the card's quadrilateral, flatten it, and guess which way is up.

Best effort by design. Candidates come from two cheap views of a ~640 px copy (edges,
and colour distance from the border's background); each quadrilateral is scored on its
aspect ratio (ID-1 cards are 85.60 x 53.98 mm, 1.586:1), edge support along its sides,
how well it fills its contour, and its size. The winner is warped to a fixed-size flat
card. Without a convincing quadrilateral the whole image is used with a low confidence.

``not_a_card`` is only said on strong evidence (almost no text at all, or a long narrow
document such as a receipt and nothing card-shaped); a real card photo gets a low
confidence instead of a rejection. A driver licence *is* card-shaped: telling it apart
is the extraction stage's job (no insurance fields).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

logger = logging.getLogger(__name__)

CARD_ASPECT = 85.60 / 53.98  # 1.586
CARD_W = 1012
CARD_H = 638
DETECT_SIDE = 640
MIN_AREA = 0.04  # a card smaller than 4% of the frame is not read reliably anyway
FOUND_THRESHOLD = 0.45
# A candidate outline this good (card aspect, edges all round, filled) is a card even when
# blur has faded its print: its text is looked for at lower contrast.
CLEAR_OUTLINE_SCORE = 0.9
INK_CONTRAST = 12
FAINT_INK_CONTRAST = 4

Array = np.ndarray


@dataclass
class Detection:
    """The flat, upright card and how to map its pixels back to the input image."""

    card: Array  # BGR, CARD_H x CARD_W, upright as far as we can tell
    quad: Array  # (4, 2) float: upright card's TL, TR, BR, BL in input-image pixels
    homography: Array  # 3x3, input image -> flat card
    confidence: float  # 0..1 that ``quad`` is the card
    found: bool  # confidence >= FOUND_THRESHOLD
    orientation: int  # clockwise degrees the card is turned in the input (0/90/180/270)
    orientation_confidence: float
    not_a_card: bool = False
    reason: str = ""
    method: str = ""  # which candidate generator won ("edges", "color", "whole_image")
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_original(self, pts: Array) -> Array:
        """Map (N, 2) flat-card points to input-image pixels."""
        inv = np.linalg.inv(self.homography)
        out = cv2.perspectiveTransform(np.asarray(pts, np.float64).reshape(-1, 1, 2), inv)
        return np.asarray(out.reshape(-1, 2))

    def rotated(self, image: Array, quarter_turns: int) -> Detection:
        """The same detection with the flat card turned a further 90 degrees x ``quarter_turns``
        clockwise (e.g. when OCR finds the text upside down: ``rotated(image, 2)``)."""
        k = quarter_turns % 4
        if k == 0:
            return self
        quad = np.roll(self.quad, -k, axis=0)
        card, hmat = _warp(image, quad)
        return Detection(
            card,
            quad,
            hmat,
            self.confidence,
            self.found,
            (self.orientation + 90 * k) % 360,
            self.orientation_confidence,
            self.not_a_card,
            self.reason,
            self.method,
            dict(self.timings_ms),
        )


def order_corners(pts: Array) -> Array:
    """Order 4 points TL, TR, BR, BL in image terms (clockwise from the top-left)."""
    pts = np.asarray(pts, np.float64).reshape(4, 2)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise in image coordinates (y down)
    start = int(np.argmin(pts[:, 0] + pts[:, 1]))
    return np.roll(pts, -start, axis=0)


def _side_lengths(q: Array) -> Array:
    return np.asarray(np.linalg.norm(q - np.roll(q, -1, axis=0), axis=1))


def _poly_area(q: Array) -> float:
    x, y = q[:, 0], q[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _landscape(q: Array) -> Array:
    """Start the corner order so that the first side (top) is a long side."""
    s = _side_lengths(q)
    if s[0] + s[2] < s[1] + s[3]:
        # Long sides run vertically: the card is turned ~90 degrees. Assume clockwise
        # (its top edge on the image's right); the text check may flip it by 180.
        return np.roll(q, -3, axis=0)
    return q


def _warp(image: Array, quad: Array) -> tuple[Array, Array]:
    dst = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float64)
    hmat = cv2.getPerspectiveTransform(quad.astype(np.float32), dst.astype(np.float32))
    card = cv2.warpPerspective(
        image,
        hmat,
        (CARD_W, CARD_H),
        flags=cv2.INTER_AREA if _shrinks(quad) else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return card, hmat.astype(np.float64)


def _shrinks(quad: Array) -> bool:
    return bool(_side_lengths(quad).max() > CARD_W * 1.5)


# --- candidates -------------------------------------------------------------------------


def _quads_from_mask(mask: Array, min_area: float) -> list[tuple[Array, float]]:
    """Quadrilaterals (and how well each fills its contour) from a binary mask's contours."""
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out: list[tuple[Array, float]] = []
    for cnt in contours:
        area = cv2.contourArea(cnt)
        if area < min_area:
            continue
        hull = cv2.convexHull(cnt)
        hull_area = cv2.contourArea(hull)
        if hull_area <= 0:
            continue
        peri = cv2.arcLength(hull, True)
        quad = None
        for eps in (0.02, 0.035, 0.05):
            approx = cv2.approxPolyDP(hull, eps * peri, True)
            if len(approx) == 4:
                quad = approx.reshape(4, 2).astype(np.float64)
                break
        if quad is None:
            # Rounded corners or a clipped edge: the min-area rectangle of the hull.
            quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float64)
        quad = _refine(order_corners(quad), cnt.reshape(-1, 2).astype(np.float64))
        q_area = _poly_area(quad)
        if q_area <= 0:
            continue
        fill = min(hull_area, q_area) / max(hull_area, q_area)
        out.append((quad, fill))
    return out


def _refine(quad: Array, pts: Array) -> Array:
    """Fit a line to the contour points along each side and intersect neighbours.

    Cards have rounded corners, so polygon approximation cuts them short; the
    intersection of the fitted sides recovers the virtual (square) corner.
    """
    lines = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        length = float(np.linalg.norm(q - p))
        if length < 8:
            return quad
        d = (q - p) / length
        n = np.array([-d[1], d[0]])
        rel = pts - p
        t = rel @ d / length
        off = np.abs(rel @ n)
        sel = pts[(t > 0.12) & (t < 0.88) & (off < 0.03 * length + 3)]
        if len(sel) < 6:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(sel.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    out = np.empty_like(quad)
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        a = np.array([d1, -d2]).T
        if abs(np.linalg.det(a)) < 1e-6:
            return quad
        t1, _ = np.linalg.solve(a, p2 - p1)
        out[i] = p1 + t1 * d1
    # A refinement that moves a corner far is a wrong fit, not a better one.
    if np.abs(out - quad).max() > 0.08 * _side_lengths(quad).max():
        return quad
    return out


def _edge_candidates(gray: Array, min_area: float) -> list[tuple[Array, float]]:
    blur = cv2.GaussianBlur(gray, (5, 5), 0)
    # Thresholds from the gradient distribution, not the brightness: a white card on a
    # pale table has a faint but clean edge.
    gx = cv2.Sobel(blur, cv2.CV_16S, 1, 0)
    gy = cv2.Sobel(blur, cv2.CV_16S, 0, 1)
    mag = cv2.convertScaleAbs(gx) // 2 + cv2.convertScaleAbs(gy) // 2
    hi = float(max(12.0, min(80.0, _pct_u8(mag, 92) * 1.5)))
    edges = cv2.Canny(gx, gy, hi * 0.4 * 4, hi * 4, L2gradient=False)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    return _quads_from_mask(edges, min_area)


def _pct_u8(img: Array, q: float) -> float:
    hist = cv2.calcHist([img], [0], None, [256], [0, 256]).ravel()
    cdf = np.cumsum(hist)
    return float(np.searchsorted(cdf, cdf[-1] * q / 100.0))


def _color_candidates(small: Array, min_area: float) -> list[tuple[Array, float]]:
    """Pixels unlike the border's colour: the card on a table, whatever the table."""
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    h, w = lab.shape[:2]
    b = max(2, min(h, w) // 40)
    border = np.concatenate(
        [
            lab[:b].reshape(-1, 3),
            lab[-b:].reshape(-1, 3),
            lab[:, :b].reshape(-1, 3),
            lab[:, -b:].reshape(-1, 3),
        ]
    )
    bg = np.median(border[::4], axis=0)
    dist = np.linalg.norm(lab - bg, axis=2)
    spread = float(np.percentile(np.linalg.norm(border - bg, axis=1), 90))
    dist8 = np.clip(dist * (255.0 / max(1.0, float(dist.max()))), 0, 255).astype(np.uint8)
    otsu, mask_otsu = cv2.threshold(dist8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu separates the *most* different pixels (white paper) and can drop a coloured
    # band; a low threshold just above the table's own spread keeps the whole card.
    low = max(3.0 * spread, 14.0)
    mask_low = (dist > low).astype(np.uint8) * 255
    k = max(3, (min(h, w) // 60) | 1)
    kernel = np.ones((k, k), np.uint8)
    out: list[tuple[Array, float]] = []
    for mask in (mask_low, mask_otsu):
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        out += _quads_from_mask(mask, min_area)
    _ = otsu
    return out


def _edge_support(grad: Array, quad: Array, thr: float, n: int = 48) -> float:
    """Share of points along the sides that sit on a strong gradient (min over sides)."""
    h, w = grad.shape
    supports = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        t = np.linspace(0.1, 0.9, n)[:, None]
        pts = p + (q - p) * t
        xs = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
        ys = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
        on_border = (xs <= 1) | (ys <= 1) | (xs >= w - 2) | (ys >= h - 2)
        supports.append(float(np.mean((grad[ys, xs] > thr) & ~on_border)))
    return float(np.mean(supports) * 0.6 + min(supports) * 0.4)


def _score(
    quad: Array, fill: float, grad: Array, img_area: float, thr: float
) -> tuple[float, float]:
    """(score, aspect ratio) of one candidate quadrilateral."""
    s = _side_lengths(quad)
    long_side = (max(s[0], s[2]) + max(s[1], s[3])) / 2
    a, b = (s[0] + s[2]) / 2, (s[1] + s[3]) / 2
    if min(a, b) < 1:
        return 0.0, 0.0
    ratio = max(a, b) / min(a, b)
    _ = long_side
    aspect = float(np.exp(-(((np.log(ratio) - np.log(CARD_ASPECT)) / 0.18) ** 2)))
    # Corner angles near 90 degrees (perspective bends them, so be lenient).
    angles = []
    for i in range(4):
        v1 = quad[i - 1] - quad[i]
        v2 = quad[(i + 1) % 4] - quad[i]
        cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        angles.append(abs(cos))
    square = float(np.exp(-((max(angles) / 0.35) ** 2)))
    area = _poly_area(quad) / img_area
    size = min(1.0, area / 0.12) * (0.5 if area > 0.97 else 1.0)
    support = _edge_support(grad, quad, thr)
    score = 0.3 * aspect + 0.3 * support + 0.15 * fill + 0.1 * square + 0.15 * size
    return score, ratio


# --- orientation ------------------------------------------------------------------------


def _joined_ink(gray: Array, contrast: int, join_px: int) -> Array:
    """Ink (``contrast`` grey levels darker than its neighbourhood) with letters closer than
    ``join_px`` along a row joined into blobs: words and lines."""
    ink = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, contrast
    )
    return cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (join_px, 3))
    )


def _text_lines(gray: Array, contrast: int = INK_CONTRAST) -> list[tuple[int, int, int, int]]:
    """Boxes of text-line-like blobs (x, y, w, h) on a grey image of a card or a scene."""
    joined = _joined_ink(gray, contrast, 15)
    n, _lab, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    lines = []
    for i in range(1, n):
        x, y, w, h, a = (int(v) for v in stats[i])
        if 6 <= h <= 60 and w >= 2.5 * h and a >= 0.25 * w * h:
            lines.append((x, y, w, h))
    return lines


# Text rows slanted less than this are read well as they are; more than the maximum is no
# slant of a card lying on a table but a turned frame (orientation handles quarter turns).
MIN_SKEW_DEG = 2.0
MAX_SKEW_DEG = 25.0


def _text_skew(gray: Array, contrast: int = INK_CONTRAST) -> float | None:
    """The slant of the text rows in degrees (clockwise, y down), from the long thin ink
    blobs words and lines make, when most of them agree and it is worth turning for."""
    joined = _joined_ink(gray, contrast, 9)
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles = []
    for c in contours:
        (_cx, _cy), (w, h), ang = cv2.minAreaRect(c)
        if w < h:
            w, h, ang = h, w, ang - 90
        ang = (ang + 90) % 180 - 90
        if 3 <= h <= 40 and w >= 4 * h and w >= 30 and abs(ang) <= MAX_SKEW_DEG:
            angles.append(ang)
    if len(angles) < 6:
        return None
    skew = float(np.median(angles))
    agree = np.mean(np.abs(np.asarray(angles) - skew) <= 3.0)
    if abs(skew) < MIN_SKEW_DEG or agree < 0.6:
        return None
    return skew


def _turned(quad: Array, degrees: float) -> Array:
    """The quad turned about its centre (clockwise for positive degrees, y down)."""
    t = np.radians(degrees)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    centre = quad.mean(axis=0)
    return np.asarray((quad - centre) @ rot.T + centre)


def _text_lines_large(bgr: Array) -> list[tuple[int, int, int, int]]:
    """Text lines at ~1600 px: small print on a far-away card vanishes at 640 px."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    while max(gray.shape) >= 3200:
        gray = cv2.pyrDown(gray)
    return _text_lines(gray)


def _text_runs_across(bgr: Array, quad: Array) -> bool:
    """True if a long narrow region's text runs across it (a receipt), not along it.

    Half a card cut off by a shadow is long and narrow too, but its lines run along it.
    """
    q = order_corners(quad)
    s = _side_lengths(q)
    if s[0] + s[2] < s[1] + s[3]:
        q = np.roll(q, -1, axis=0)  # make the first side a long one
    long_px = 800
    ratio = max(s) / max(1.0, min(s))
    short_px = max(40, int(long_px / ratio))
    views = []
    for k in (0, 1):  # long side horizontal, then short side horizontal
        w, h = (long_px, short_px) if k == 0 else (short_px, long_px)
        dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        src = np.roll(q, -k, axis=0).astype(np.float32)
        patch = cv2.warpPerspective(bgr, cv2.getPerspectiveTransform(src, dst), (w, h))
        views.append(len(_text_lines(cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY))))
    along, across = views
    return across >= 3 and across > 2 * along


def _upright_score(card_bgr: Array) -> float:
    """> 0 if the flat card looks upright, < 0 if upside down (ascenders vs descenders)."""
    gray = cv2.cvtColor(
        cv2.resize(card_bgr, (CARD_W // 2, CARD_H // 2), interpolation=cv2.INTER_AREA),
        cv2.COLOR_BGR2GRAY,
    )
    ink = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)
    up = down = 0.0
    weights_top = weights_bottom = 0.0
    for x, y, w, h in _text_lines(gray):
        prof = ink[y : y + h, x : x + w].sum(axis=1).astype(np.float64)
        if prof.max() <= 0:
            continue
        band = np.nonzero(prof >= 0.5 * prof.max())[0]
        up += float(prof[: band[0]].sum())
        down += float(prof[band[-1] + 1 :].sum())
        # Big type (payer names, logos) sits near the top of most cards.
        centre = (y + h / 2) / gray.shape[0]
        if centre < 0.35:
            weights_top += h * w
        elif centre > 0.65:
            weights_bottom += h * w
    asc = (up - down) / (up + down + 1e-9)
    prior = (weights_top - weights_bottom) / (weights_top + weights_bottom + 1e-9)
    return 0.75 * asc + 0.25 * prior


# --- public -----------------------------------------------------------------------------


def _downscale(bgr: Array) -> tuple[Array, float]:
    _h, w = bgr.shape[:2]
    small = bgr
    while max(small.shape[:2]) >= 2 * DETECT_SIDE:
        small = cv2.pyrDown(small)
    f = DETECT_SIDE / max(small.shape[:2])
    if f < 1:
        small = cv2.resize(
            small,
            (round(small.shape[1] * f), round(small.shape[0] * f)),
            interpolation=cv2.INTER_AREA,
        )
    return small, small.shape[1] / w


def _whole_image(bgr: Array) -> Array:
    h, w = bgr.shape[:2]
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)


def detect_card(bgr: Array, *, orient: bool = True) -> Detection:
    """Find, flatten and orient the card in a BGR image (any size)."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    small, f = _downscale(bgr)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    grad = cv2.magnitude(gx, gy)
    img_area = float(small.shape[0] * small.shape[1])
    thr = max(20.0, float(np.percentile(grad[::3, ::3], 85)))
    min_area = MIN_AREA * img_area
    cands = [(q, fill, "edges") for q, fill in _edge_candidates(gray, min_area)]
    cands += [(q, fill, "color") for q, fill in _color_candidates(small, min_area)]
    timings["candidates"] = (time.perf_counter() - started) * 1000
    scored = []
    narrow: float = 0.0
    narrow_quad: Array | None = None
    for quad, fill, method in cands:
        score, ratio = _score(quad, fill, grad, img_area, thr)
        long_narrow = ratio > 2.2 and fill > 0.75 and _poly_area(quad) > 0.06 * img_area
        if long_narrow and score > narrow:
            narrow, narrow_quad = score, quad
        if 1.25 <= ratio <= 2.0:
            scored.append((score, _poly_area(quad), quad, method, ratio))
    best: tuple[float, float, Array, str, float] | None = None
    if scored:
        top = max(s[0] for s in scored)
        # Boxes printed on the card (a PBM panel, a copay box) are card-shaped too: among
        # near-best candidates, the largest is the card itself.
        near = [s for s in scored if s[0] >= max(0.35, top - 0.12)]
        if near:
            best = max(near, key=lambda s: s[1])
    h, w = bgr.shape[:2]
    lines = _text_lines(gray)
    h, w = bgr.shape[:2]
    tight_scan = abs(np.log(max(w, h) / min(w, h) / CARD_ASPECT)) < 0.08
    if best is not None and tight_scan and best[1] < 0.6 * img_area:
        best = None  # a box printed on a tightly cropped scan, not the card
    if best is not None:
        # A card carries text: a blank card-shaped patch (a mug's shadow, a tray) is not one.
        q_full = _landscape(order_corners(best[2] / f))
        half = np.array([[0, 0], [CARD_W // 2, 0], [CARD_W // 2, CARD_H // 2], [0, CARD_H // 2]])
        hm = cv2.getPerspectiveTransform(q_full.astype(np.float32), half.astype(np.float32))
        patch = cv2.warpPerspective(bgr, hm, (CARD_W // 2, CARD_H // 2))
        patch_gray = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)
        if len(_text_lines(patch_gray)) < 2 and not (
            best[0] >= CLEAR_OUTLINE_SCORE and len(_text_lines(patch_gray, FAINT_INK_CONTRAST)) >= 2
        ):
            best = None
    if best is not None:
        quad = best[2] / f
        confidence = float(min(1.0, best[0] / 0.85))
        method = best[3]
    else:
        quad = _whole_image(bgr)
        skew = _text_skew(gray)
        if skew is not None:
            # A card whose outline is lost on a pale table still lies at a slant: turn the
            # frame so its text rows run level, or rows mix when read.
            quad = _turned(quad, skew)
        # A tight scan of a card is the whole image; anything else is a weak guess.
        confidence = 0.5 if tight_scan else 0.15
        method = "whole_image"
    not_a_card, reason = False, ""
    if method == "whole_image" and not tight_scan:
        busy = float(np.mean(grad[::2, ::2] > 60))
        if not lines and busy < 0.01 and not _text_lines_large(bgr):
            not_a_card, reason = True, "no card or text found"
        elif (
            narrow >= 0.4
            and narrow_quad is not None
            and not any(c[0] >= 0.3 for c in scored)
            and _text_runs_across(bgr, narrow_quad / f)
        ):
            not_a_card, reason = True, "a long narrow document (receipt?), not a card"
    quad = _landscape(order_corners(quad))
    card, hmat = _warp(bgr, quad)
    rotation = _rotation_of(quad)
    orient_conf = 0.0
    if orient:
        t0 = time.perf_counter()
        s = _upright_score(card)
        if s < 0:
            quad = np.roll(quad, -2, axis=0)
            card, hmat = _warp(bgr, quad)
            rotation = (rotation + 180) % 360
        orient_conf = float(min(1.0, abs(s) * 3))
        timings["orient"] = (time.perf_counter() - t0) * 1000
    timings["total"] = (time.perf_counter() - started) * 1000
    det = Detection(
        card=card,
        quad=quad,
        homography=hmat,
        confidence=round(confidence, 3),
        found=confidence >= FOUND_THRESHOLD and not not_a_card,
        orientation=rotation,
        orientation_confidence=round(orient_conf, 3),
        not_a_card=not_a_card,
        reason=reason,
        method=method,
        timings_ms={k: round(v, 2) for k, v in timings.items()},
    )
    logger.debug(
        "card detection: method=%s confidence=%.2f rotation=%d", method, confidence, rotation
    )
    return det


def _rotation_of(quad: Array) -> int:
    """Clockwise quarter turns of a card whose top edge runs quad[0] -> quad[1]."""
    v = quad[1] - quad[0]
    ang = float(np.degrees(np.arctan2(v[1], v[0])))  # y down: positive = clockwise
    return round(ang / 90.0) % 4 * 90


def box_mapper(det: Detection, scale: float = 1.0) -> Callable[[Array], Array]:
    """Map flat-card points to the *original* upload when detection ran on a scaled copy."""

    def to_original(pts: Array) -> Array:
        return np.asarray(det.to_original(pts)) / scale

    return to_original
