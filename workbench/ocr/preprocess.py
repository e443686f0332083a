"""Preparing a scan for Tesseract: grayscale, global (Otsu) or local (Sauvola) binarization, deskew.

All of it is numpy and Pillow: Otsu and Sauvola are a few lines each over a histogram and integral
images (scikit-image would add a large runtime dependency for two formulas; the tests cross-check these
against it, as a test-only dependency). Deskew searches the rotation that makes the rows' ink profile
sharpest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from workbench.models import Box
from workbench.ocr.options import OcrOptions

MAX_SKEW_DEGREES = 5.0


@dataclass(frozen=True, slots=True)
class Prepared:
    """A scan made ready for OCR: the image, the rotation applied (degrees counter-clockwise, None when
    deskew was off) and whether anything changed from the file as stored."""

    image: Image.Image
    angle: float | None
    changed: bool


def to_gray(image: Image.Image) -> Image.Image:
    """An 8-bit grayscale copy of `image`; transparent parts become white, as on paper."""
    if image.mode == "L":
        return image
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode.startswith("I;16") or image.mode == "I":
        array = np.asarray(image, dtype=np.float64)
        top = array.max() or 1.0
        return Image.fromarray(np.clip(array * 255.0 / top, 0, 255).astype(np.uint8), "L")
    return image.convert("L")


def otsu_threshold(gray: np.ndarray) -> int:
    """The Otsu threshold of an 8-bit image: pixels above it are paper, at or below it ink."""
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight_low = np.cumsum(histogram)
    weight_high = weight_low[-1] - weight_low
    mass_low = np.cumsum(histogram * levels)
    mean_low = np.divide(mass_low, weight_low, out=np.zeros(256), where=weight_low > 0)
    mean_high = np.divide(mass_low[-1] - mass_low, weight_high, out=np.zeros(256), where=weight_high > 0)
    between = weight_low * weight_high * (mean_low - mean_high) ** 2
    return int(np.argmax(between))


def sauvola_threshold(gray: np.ndarray, *, window: int = 31, k: float = 0.2, r: float = 127.5) -> np.ndarray:
    """Per-pixel Sauvola thresholds T = m * (1 + k * (s / r - 1)) from each pixel's `window`-sized
    neighbourhood mean m and standard deviation s (edges mirrored), computed with integral images."""
    if window < 3 or window % 2 == 0:
        raise ValueError(f"Sauvola window must be odd and at least 3, got {window}")
    half = window // 2
    padded = np.pad(gray.astype(np.float64), half, mode="reflect")

    def window_sums(values: np.ndarray) -> np.ndarray:
        integral = np.zeros((values.shape[0] + 1, values.shape[1] + 1))
        integral[1:, 1:] = values.cumsum(0).cumsum(1)
        return (
            integral[window:, window:] - integral[:-window, window:] - integral[window:, :-window]
        ) + integral[:-window, :-window]

    area = float(window * window)
    mean = window_sums(padded) / area
    variance = np.maximum(window_sums(padded * padded) / area - mean * mean, 0.0)
    return mean * (1.0 + k * (np.sqrt(variance) / r - 1.0))


def binarize(gray: Image.Image, method: str) -> Image.Image:
    """Black ink on white paper (mode L, values 0 and 255) by 'otsu' or 'sauvola' thresholds."""
    array = np.asarray(gray, dtype=np.uint8)
    if method == "otsu":
        paper = array > otsu_threshold(array)
    elif method == "sauvola":
        paper = array > sauvola_threshold(array)
    else:
        raise ValueError(f"unknown binarization {method!r}")
    return Image.fromarray(np.where(paper, 255, 0).astype(np.uint8), "L")


def _profile_sharpness(ink: Image.Image, angle: float) -> float:
    rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0), dtype=np.float64).sum(1)
    return float(np.sum(np.diff(rows) ** 2))


def _ink_mask(gray: Image.Image, width: int) -> Image.Image | None:
    """White-on-black ink of `gray` reduced to about `width` pixels wide; None when there is no ink."""
    factor = max(1, gray.width // width)
    small = gray.reduce(factor) if factor > 1 else gray
    array = np.asarray(small, dtype=np.uint8)
    mask = array <= otsu_threshold(array)
    if not mask.any() or mask.all():
        return None
    return Image.fromarray(np.where(mask, 255, 0).astype(np.uint8), "L")


def estimate_skew(gray: Image.Image, *, max_angle: float = MAX_SKEW_DEGREES) -> float:
    """The rotation, in degrees counter-clockwise, that makes the text lines of `gray` horizontal.

    Searches -max_angle..max_angle in half-degree steps on a ~600 px wide copy, then to 0.1 degree
    around the best on a ~1200 px one, scoring each angle by how sharply the ink's row profile
    alternates between lines and gaps. A page without ink gives 0.
    """
    coarse_ink, fine_ink = _ink_mask(gray, 600), _ink_mask(gray, 1200)
    if coarse_ink is None or fine_ink is None:
        return 0.0
    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    best = max(coarse, key=lambda a: _profile_sharpness(coarse_ink, float(a)))
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    best = max(fine, key=lambda a: _profile_sharpness(fine_ink, float(a)))
    return round(float(best), 2)


def unrotate_box(box: Box, angle: float, size: tuple[int, int]) -> Box:
    """Where a box found on the image rotated by `angle` (counter-clockwise, about its centre, same
    size) lies on the original: the bounding box of its corners turned back."""
    if not angle:
        return box
    cx, cy = size[0] / 2.0, size[1] / 2.0
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    xs, ys = [], []
    for x, y in ((box.left, box.top), (box.right, box.top), (box.left, box.bottom), (box.right, box.bottom)):
        dx, dy = x - cx, y - cy
        xs.append(cx + dx * cos - dy * sin)
        ys.append(cy + dx * sin + dy * cos)
    width, height = size
    return Box(
        max(0, math.floor(min(xs))),
        max(0, math.floor(min(ys))),
        min(width, math.ceil(max(xs))),
        min(height, math.ceil(max(ys))),
    )


def preprocess(image: Image.Image, options: OcrOptions) -> Prepared:
    """The scan as Tesseract should see it under `options`: grayscale, then deskew, then binarization
    (rotating a binary image would blur its edges back to gray)."""
    prepared = image
    if options.grayscale or options.binarize != "none" or options.deskew:
        prepared = to_gray(image)
    angle = None
    if options.deskew:
        angle = estimate_skew(prepared)
        if angle:
            prepared = prepared.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if options.binarize != "none":
        prepared = binarize(prepared, options.binarize)
    return Prepared(image=prepared, angle=angle, changed=prepared is not image)


def reads_pixels(image: Image.Image, options: OcrOptions) -> bool:
    """Whether `preprocess` looks at the pixels of `image` under `options` (else it returns the scan as it
    is, and Tesseract can be given the file without it being decoded here)."""
    return options.deskew or options.binarize != "none" or (options.grayscale and image.mode != "L")
