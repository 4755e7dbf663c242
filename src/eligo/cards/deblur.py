"""Blind deblurring of a flat card before a second OCR read (shaken or defocused photos).

Phone shake smears text along a line; defocus spreads it in a disc. Both are convolutions
with a small kernel (the PSF), so a Wiener filter with the right PSF undoes most of it.

The PSF is estimated from the card itself. A linear motion blur of length L multiplies the
spectrum by a sinc whose zeros repeat every 1/L: the cepstrum (the spectrum of the log
spectrum) then has a sharp negative peak at distance L along the motion. We average the
power spectrum over textured tiles (so one logo or table edge cannot dominate), take the
cepstrum and look for that peak. No peak means defocus, handled with a Gaussian PSF.

Works on grey: the recogniser reads luminance, and one channel keeps the cost ~50 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Cepstrum search: motion blur on the 1012 px flat card is ~5-25 px; inside 5 px the
# cepstrum's central lobe (any image's own texture) hides the peak.
TILE = 128
MIN_LENGTH = 5.0
MAX_LENGTH = 30
# A motion peak this many standard deviations below the ring's mean is real; weaker
# minima are noise (a defocused or sharp card).
MOTION_PEAK_Z = 5.0
# Between this and MOTION_PEAK_Z a peak may be a long smear as well as noise (a long smear
# leaves few textured tiles clean enough to show it): both readings are tried.
MOTION_MAYBE_Z = 3.0
# Tiles flatter than this (grey levels) carry no text: left out of the spectrum.
TEXTURE_MIN_STD = 8.0
# Noise-to-signal ratio of the Wiener filter: lower is sharper but rings and amplifies noise.
WIENER_NSR = 0.005
# Defocus: the Gaussian PSF's sigma is estimated from edge gradients, which read it a bit
# low on thin strokes (x DEFOCUS_GAIN, tuned on training layouts), within these bounds.
DEFOCUS_GAIN = 1.15
DEFOCUS_SIGMA_RANGE = (1.2, 3.2)
REBLUR_SIGMA = 2.0


@dataclass(frozen=True, slots=True)
class BlurEstimate:
    """The blur found on a card: ``motion`` (length px, angle deg) or ``defocus``."""

    kind: str
    sigma: float = 0.0  # defocus
    length: float = 0.0
    angle: float = 0.0  # direction of the smear, degrees, image coordinates (y down)
    strength: float = 0.0  # how far below the cepstrum ring's mean the peak is, in std


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


def _mean_power_spectrum(grey: np.ndarray) -> np.ndarray | None:
    """Power spectrum averaged over half-overlapping textured tiles (Hann-windowed)."""
    g = grey.astype(np.float32)
    h, w = g.shape
    window = np.outer(np.hanning(TILE), np.hanning(TILE)).astype(np.float32)
    acc = np.zeros((TILE, TILE), np.float64)
    used = 0
    for y in range(0, h - TILE + 1, TILE // 2):
        for x in range(0, w - TILE + 1, TILE // 2):
            tile = g[y : y + TILE, x : x + TILE]
            if float(tile.std()) < TEXTURE_MIN_STD:
                continue
            spec = cv2.dft((tile - float(tile.mean())) * window, flags=cv2.DFT_COMPLEX_OUTPUT)
            acc += spec[..., 0] ** 2 + spec[..., 1] ** 2
            used += 1
    return acc / used if used >= 4 else None


def _gradient(grey: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return np.asarray(np.hypot(gx, gy))


def estimate_defocus_sigma(grey: np.ndarray) -> float:
    """Gaussian blur sigma from how much a known re-blur weakens the strongest edges.

    An edge blurred by sigma has a peak gradient ~ 1/sigma; blurring it again by ``a``
    gives ~ 1/sqrt(sigma^2 + a^2), so their ratio r gives sigma = a / sqrt(r^2 - 1).
    """
    g = grey.astype(np.float32)
    before = _gradient(g)
    after = _gradient(cv2.GaussianBlur(g, (0, 0), REBLUR_SIGMA))
    edges = before > np.percentile(before, 97)
    if not edges.any():
        return DEFOCUS_SIGMA_RANGE[0]
    ratio = float(np.median(before[edges] / np.maximum(after[edges], 1e-3)))
    sigma = REBLUR_SIGMA / np.sqrt(max(ratio * ratio - 1.0, 1e-3)) * DEFOCUS_GAIN
    return float(np.clip(sigma, *DEFOCUS_SIGMA_RANGE))


def _strongest_motion(grey: np.ndarray) -> BlurEstimate | None:
    """The linear motion the cepstrum's strongest negative peak says, however weak (its
    ``strength``); None on a card with too little texture to tell."""
    power = _mean_power_spectrum(grey)
    if power is None:
        return None
    raw = np.fft.fftshift(np.real(np.fft.ifft2(np.log(power + 1e-6)))).astype(np.float32)
    # A 3x3 mean favours the broad peak of a real blur over single-pixel noise.
    cep = cv2.blur(raw, (3, 3))
    c, r = TILE // 2, MAX_LENGTH
    patch = cep[c - r : c + r + 1, c - r : c + r + 1]
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    dist = np.hypot(xx, yy)
    ring = (dist >= MIN_LENGTH) & (dist <= MAX_LENGTH)
    values = patch[ring]
    k = int(np.argmin(values))
    spread = float(values.std()) or 1.0
    strength = float(values.mean() - values[k]) / spread
    dx, dy = float(xx[ring][k]), float(yy[ring][k])
    angle = float(np.degrees(np.arctan2(dy, dx)))
    return BlurEstimate("motion", length=float(np.hypot(dx, dy)), angle=angle, strength=strength)


def estimate_blur(image: np.ndarray) -> BlurEstimate:
    """Linear motion blur from the cepstrum's strongest negative peak, else defocus."""
    grey = _grey(image)
    motion = _strongest_motion(grey)
    if motion is None:
        return BlurEstimate("defocus", sigma=estimate_defocus_sigma(grey))
    if motion.strength < MOTION_PEAK_Z:
        sigma = estimate_defocus_sigma(grey)
        return BlurEstimate("defocus", sigma=sigma, strength=motion.strength)
    return motion


def likely_blurs(image: np.ndarray) -> list[BlurEstimate]:
    """The blurs worth undoing: the estimate, then, when it is defocus but the motion peak
    is too weak to rule a smear out, that motion (the caller keeps it only if its read is
    clearly the better one)."""
    est = estimate_blur(image)
    if est.kind == "motion" or est.strength < MOTION_MAYBE_Z:
        return [est]
    motion = _strongest_motion(_grey(image))
    return [est, motion] if motion is not None else [est]


def motion_kernel(length: float, angle_deg: float) -> np.ndarray:
    """A normalised line of ``length`` px at ``angle_deg``, antialiased."""
    n = max(3, int(np.ceil(length)) | 1) + 2
    kernel = np.zeros((n, n), np.float32)
    centre = (n - 1) / 2
    t = np.radians(angle_deg)
    for s in np.linspace(-length / 2, length / 2, int(length * 4) + 1):
        x, y = centre + s * np.cos(t), centre + s * np.sin(t)
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        for xi, yi, weight in (
            (x0, y0, (1 - fx) * (1 - fy)),
            (x0 + 1, y0, fx * (1 - fy)),
            (x0, y0 + 1, (1 - fx) * fy),
            (x0 + 1, y0 + 1, fx * fy),
        ):
            if 0 <= xi < n and 0 <= yi < n:
                kernel[yi, xi] += weight
    return kernel / float(kernel.sum())


def gaussian_kernel(sigma: float) -> np.ndarray:
    radius = int(np.ceil(3 * sigma))
    g = cv2.getGaussianKernel(2 * radius + 1, sigma).astype(np.float32)
    return np.asarray(g @ g.T)


def wiener(grey: np.ndarray, kernel: np.ndarray, nsr: float | None = None) -> np.ndarray:
    """Wiener deconvolution of a grey uint8 image; reflect-padded so borders do not ring."""
    nsr = WIENER_NSR if nsr is None else nsr
    pad = kernel.shape[0]
    h, w = grey.shape
    ph, pw = cv2.getOptimalDFTSize(h + 2 * pad), cv2.getOptimalDFTSize(w + 2 * pad)
    # Reflect on every side, the extra rows/columns the DFT size needs at the bottom/right.
    padded = cv2.copyMakeBorder(
        grey, pad, ph - h - pad, pad, pw - w - pad, cv2.BORDER_REFLECT
    ).astype(np.float32)
    # The kernel centred on (0, 0), wrapped around, so the result is not shifted.
    placed = np.zeros((ph, pw), np.float32)
    kh, kw = kernel.shape
    placed[:kh, :kw] = kernel
    psf = np.roll(placed, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    img_f = cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT)
    psf_f = cv2.dft(psf, flags=cv2.DFT_COMPLEX_OUTPUT)
    # G * conj(H) / (|H|^2 + nsr)
    num = cv2.mulSpectrums(img_f, psf_f, 0, conjB=True)
    denom = psf_f[..., 0] ** 2 + psf_f[..., 1] ** 2 + nsr
    out = cv2.idft(num / denom[..., None], flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)
    return np.clip(out[pad : pad + h, pad : pad + w], 0, 255).astype(np.uint8)


def deblur(image: np.ndarray, estimate: BlurEstimate | None = None) -> np.ndarray:
    """The card deblurred for OCR (3-channel grey, same size as ``image``)."""
    grey = _grey(image)
    est = estimate or estimate_blur(grey)
    if est.kind == "motion":
        kernel = motion_kernel(est.length, est.angle)
    else:
        kernel = gaussian_kernel(est.sigma)
    return np.asarray(cv2.cvtColor(wiener(grey, kernel), cv2.COLOR_GRAY2BGR))
