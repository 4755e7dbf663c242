"""Glare on a flat card: find a clipped highlight and bring back the faded print under it.

A lamp or window reflected in a glossy card adds light on a soft spot. Where the added light
clips the paper to white, the print under it keeps only a fraction of its contrast (grey
"Primary" on white) and the recogniser drops or garbles it. The background is taken as a
morphological closing (print is thinner than the window), and inside the highlight the
print's darkness below that background is amplified. Print the glare clipped as well is
lost: nothing brings that back.
"""

from __future__ import annotations

import cv2
import numpy as np

# Print is thinner than this (px on the 1012 px flat card): the closing removes it.
BACKGROUND_WINDOW = 25
# Paper this bright is clipped by glare; auto-exposure keeps a card's white below it.
CLIPPED_LEVEL = 238.0
CLIPPED_RAMP = 12.0
# Inside the highlight, print contrast is multiplied by up to this.
MAX_GAIN = 4.0
# A highlight is glare when the rest of the card is darker paper: a card whose median
# background is this bright is simply white (a scan, a clean render), not glared.
WHITE_CARD_LEVEL = 235.0
# Glare is looked for at this fraction of the card's size.
DETECT_SCALE = 4
# Share of the card the highlight must cover to be worth a second read.
MIN_GLARE_SHARE = 0.02


def _background(grey: np.ndarray, window: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (window, window))
    closed = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, kernel)
    return np.asarray(cv2.GaussianBlur(closed, (0, 0), window / 8), dtype=np.float32)


def glare_weight(card: np.ndarray) -> np.ndarray | None:
    """Per-pixel glare strength 0..1 (float32), or ``None`` when the card shows no glare.

    Found on a quarter-size copy (every side pays this; a highlight is smooth), then
    brought back to the card's size."""
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    small = cv2.resize(grey, (w // DETECT_SCALE, h // DETECT_SCALE), interpolation=cv2.INTER_AREA)
    background = _background(small.astype(np.float32), BACKGROUND_WINDOW // DETECT_SCALE)
    if float(np.median(background)) >= WHITE_CARD_LEVEL:
        return None
    weight = np.clip((background - CLIPPED_LEVEL) / CLIPPED_RAMP, 0.0, 1.0)
    if float((weight > 0.5).mean()) < MIN_GLARE_SHARE:
        return None
    full = cv2.resize(weight, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(cv2.GaussianBlur(full, (0, 0), 6), dtype=np.float32)


def flatten_glare(card: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The card with print under the glare darkened back; elsewhere unchanged."""
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
    background = _background(grey, BACKGROUND_WINDOW)
    gain = 1.0 + (MAX_GAIN - 1.0) * weight
    flat = np.clip(255.0 - np.maximum(background - grey, 0.0) * gain, 0, 255)
    flat_bgr = cv2.cvtColor(flat.astype(np.uint8), cv2.COLOR_GRAY2BGR).astype(np.float32)
    w = weight[..., None]
    return np.asarray(flat_bgr * w + card.astype(np.float32) * (1.0 - w), dtype=np.uint8)
