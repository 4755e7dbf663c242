"""Blind deblurring: the PSF estimate finds the blur that was applied, Wiener undoes it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from eligo.cards.deblur import (
    deblur,
    estimate_blur,
    estimate_defocus_sigma,
    gaussian_kernel,
    likely_blurs,
    motion_kernel,
    wiener,
)
from eligo.cards.synth import generate_card


@pytest.fixture(scope="module")
def flat_grey() -> np.ndarray:
    card = generate_card("bluestate", seed=5, degradation="clean")
    return card.front.flat(grey=True)


def _blurred(grey: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.filter2D(grey, -1, kernel, borderType=cv2.BORDER_REFLECT))


def _angle_gap(a: float, b: float) -> float:
    """Degrees between two undirected lines."""
    d = abs(a - b) % 180
    return min(d, 180 - d)


def test_a_sharp_card_shows_no_motion(flat_grey: np.ndarray) -> None:
    assert estimate_blur(flat_grey).kind == "defocus"


@pytest.mark.parametrize(("length", "angle"), [(9.0, 0.0), (13.0, 60.0), (17.0, 105.0)])
def test_motion_blur_length_and_direction_are_found(
    flat_grey: np.ndarray, length: float, angle: float
) -> None:
    est = estimate_blur(_blurred(flat_grey, motion_kernel(length, angle)))
    assert est.kind == "motion"
    assert abs(est.length - length) <= 2.0
    assert _angle_gap(est.angle, angle) <= 12.0


def test_a_long_smear_too_soft_to_be_sure_of_is_tried_both_as_motion_and_as_defocus(
    flat_grey: np.ndarray,
) -> None:
    # A 20 px shake on a soft photo: the motion peak is too weak to be sure of.
    soft = _blurred(_blurred(flat_grey, motion_kernel(20.0, 0.0)), gaussian_kernel(1.5))
    assert estimate_blur(soft).kind == "defocus"
    defocus, motion = likely_blurs(soft)  # the estimate first, the motion second
    assert (defocus.kind, motion.kind) == ("defocus", "motion")
    assert abs(motion.length - 20.0) <= 2.0
    assert _angle_gap(motion.angle, 0.0) <= 12.0
    # A sure smear, or a sharp card, is undone one way only.
    assert [b.kind for b in likely_blurs(_blurred(flat_grey, motion_kernel(20.0, 0.0)))] == [
        "motion"
    ]
    assert [b.kind for b in likely_blurs(flat_grey)] == ["defocus"]


def test_defocus_sigma_grows_with_the_blur(flat_grey: np.ndarray) -> None:
    sigmas = [
        estimate_defocus_sigma(_blurred(flat_grey, gaussian_kernel(s))) for s in (1.0, 2.0, 2.8)
    ]
    assert sigmas == sorted(sigmas)
    assert sigmas[-1] - sigmas[0] > 0.8


def test_wiener_with_the_right_kernel_brings_the_card_closer_to_the_original(
    flat_grey: np.ndarray,
) -> None:
    kernel = motion_kernel(13.0, 30.0)
    blurred = _blurred(flat_grey, kernel)
    restored = wiener(blurred, kernel)
    assert restored.shape == flat_grey.shape
    assert restored.dtype == np.uint8

    def err(img: np.ndarray) -> float:
        return float(np.abs(img.astype(np.float32) - flat_grey.astype(np.float32)).mean())

    assert err(restored) < 0.8 * err(blurred)


def test_deblur_keeps_size_and_returns_three_channels(flat_grey: np.ndarray) -> None:
    bgr = cv2.cvtColor(_blurred(flat_grey, gaussian_kernel(2.0)), cv2.COLOR_GRAY2BGR)
    out = deblur(bgr)
    assert out.shape == bgr.shape
    assert out.dtype == np.uint8
