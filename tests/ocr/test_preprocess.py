"""Preprocessing: Otsu and Sauvola thresholds, deskew, and mapping boxes back onto the scan."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.ocr.conftest import draw_text_page
from workbench.models import Box
from workbench.ocr.options import OcrOptions
from workbench.ocr.preprocess import (
    binarize,
    estimate_skew,
    otsu_threshold,
    preprocess,
    sauvola_threshold,
    to_gray,
    unrotate_box,
)


def _unevenly_lit_page() -> np.ndarray:
    """Dark strokes on paper whose brightness falls from 250 on the left to 90 on the right."""
    rng = np.random.default_rng(7)
    paper = np.tile(np.linspace(250, 90, 300), (120, 1))
    page = paper.copy()
    for left in range(10, 290, 30):
        page[40:80, left : left + 6] = paper[40:80, left : left + 6] - 70  # ink: 70 darker than its paper
    return np.clip(page + rng.normal(0, 2, page.shape), 0, 255).astype(np.uint8)


def test_otsu_splits_two_populations():
    array = np.array([[20] * 50 + [200] * 50], dtype=np.uint8)
    threshold = otsu_threshold(array)
    assert 20 <= threshold < 200


def test_otsu_and_sauvola_agree_with_scikit_image():
    filters = pytest.importorskip("skimage.filters", reason="scikit-image (test extra) is not installed")
    page = _unevenly_lit_page()
    assert otsu_threshold(page) == int(filters.threshold_otsu(page))
    ours = sauvola_threshold(page, window=15, k=0.2)
    theirs = filters.threshold_sauvola(page, window_size=15, k=0.2)
    assert np.allclose(ours, theirs, atol=1e-6)


def test_sauvola_finds_ink_under_uneven_light_where_otsu_cannot():
    page = _unevenly_lit_page()
    ink = np.zeros(page.shape, dtype=bool)
    for left in range(10, 290, 30):
        ink[40:80, left : left + 6] = True
    for method, at_least in (("sauvola", 0.97), ("otsu", 0.0)):
        result = np.asarray(binarize(Image.fromarray(page, "L"), method)) == 0
        accuracy = (result == ink).mean()
        if method == "sauvola":
            assert accuracy >= at_least
        else:
            assert accuracy < 0.8  # one global threshold blackens the dim half of the page


def test_sauvola_window_must_be_odd():
    with pytest.raises(ValueError, match="odd"):
        sauvola_threshold(np.zeros((10, 10), dtype=np.uint8), window=10)


@pytest.mark.parametrize("angle", [2.5, -1.5, 0.0])
def test_skew_is_measured_to_a_tenth_of_a_degree(tmp_path, angle):
    text = "The US-Japan security relationship is based\n" * 6
    page = Image.open(draw_text_page(tmp_path / "page.png", text, size=(1400, 700), angle=angle))
    assert estimate_skew(page) == pytest.approx(-angle, abs=0.1)


def test_blank_page_has_no_skew():
    assert estimate_skew(Image.new("L", (300, 200), 255)) == 0.0


def test_box_on_the_straightened_page_maps_back_onto_the_scan():
    size, angle = (600, 400), 4.0
    scan = Image.new("L", size, 255)
    ImageDraw.Draw(scan).rectangle((400, 80, 419, 99), fill=0)  # a 20x20 square
    straight = np.asarray(scan.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=255))
    ys, xs = np.nonzero(straight < 128)
    found = Box(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    back = unrotate_box(found, angle, size)
    assert abs(back.left - 400) <= 2 and abs(back.top - 80) <= 2
    assert abs(back.right - 420) <= 3 and abs(back.bottom - 100) <= 3
    assert unrotate_box(found, 0.0, size) == found


def test_preprocess_defaults_to_grayscale_only():
    rgb = Image.new("RGB", (50, 40), (200, 30, 30))
    prepared = preprocess(rgb, OcrOptions())
    assert prepared.image.mode == "L" and prepared.changed and prepared.angle is None
    gray = Image.new("L", (50, 40), 255)
    assert preprocess(gray, OcrOptions()).changed is False  # nothing to do: the file goes to tesseract as is
    assert preprocess(rgb, OcrOptions(grayscale=False)).image is rgb


def test_preprocess_binarizes_and_records_the_deskew_angle(tmp_path):
    text = "Tilted line of text here\n" * 5
    page = Image.open(draw_text_page(tmp_path / "page.png", text, size=(1200, 500), angle=2))
    prepared = preprocess(page, OcrOptions(binarize="otsu", deskew=True))
    assert prepared.angle == pytest.approx(-2, abs=0.1)
    assert set(np.unique(np.asarray(prepared.image))) <= {0, 255}


def test_transparent_scan_becomes_white_paper():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    assert np.asarray(to_gray(image)).min() == 255
