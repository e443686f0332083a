"""The real Tesseract on small drawn pages: words, confidences, boxes, hOCR, cache and deskew."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from tests.ocr.conftest import draw_text_page
from workbench.errors import OcrError
from workbench.ocr.importers.hocr import read_hocr
from workbench.ocr.options import OcrOptions
from workbench.ocr.run import run_ocr
from workbench.ocr.store import load_ocr_page
from workbench.ocr.tesseract import NOT_FOUND, ResolutionSource, ocr_page_image

pytestmark = pytest.mark.tesseract

TEXT = "The Treaty of Mutual\nCooperation and Security\n\nOkinawa reverted in 1972"


@pytest.mark.parametrize("options", [OcrOptions(), OcrOptions(binarize="sauvola")], ids=["default", "sauvola"])
def test_page_text_words_and_hocr(real_tesseract, tmp_path, options):
    scan = draw_text_page(tmp_path / "page-007.png", TEXT, size=(1000, 330))
    page = ocr_page_image(scan, options=options, command=str(real_tesseract), timeout=60)
    assert page.text == "The Treaty of Mutual\nCooperation and Security\n\nOkinawa reverted in 1972\n"
    assert [w.text for w in page.words][:3] == ["The", "Treaty", "of"]
    for word in page.words:
        assert page.text[word.start : word.end] == word.text
        assert 0 <= word.conf <= 100
        assert 0 <= word.box.left < word.box.right <= 1000 and 0 <= word.box.top < word.box.bottom <= 330
    assert [w.line for w in page.words] == [1] * 4 + [2] * 3 + [3] * 4
    assert page.words[-1].paragraph == 2
    assert page.dpi == 300
    assert "class='ocr_page'" in page.hocr and 'image "page-007.png"' in page.hocr


def test_deskewed_page_is_read_and_its_boxes_fall_on_the_scan(real_tesseract, tmp_path):
    straight = draw_text_page(tmp_path / "straight.png", TEXT, size=(1000, 330))
    tilted = draw_text_page(tmp_path / "tilted.png", TEXT, size=(1000, 330), angle=3)
    options = OcrOptions(deskew=True)
    upright = ocr_page_image(straight, options=OcrOptions(), command=str(real_tesseract), timeout=60)
    page = ocr_page_image(tilted, options=options, command=str(real_tesseract), timeout=60)
    assert page.angle == pytest.approx(-3, abs=0.15)
    assert page.text == upright.text
    # On the tilted scan a word's box is taller than the upright word's, and starts about where it did.
    okinawa = next(w for w in page.words if w.text == "Okinawa")
    original = next(w for w in upright.words if w.text == "Okinawa")
    assert okinawa.box.height > original.box.height  # the box holds the tilted word
    assert abs(okinawa.box.left - original.box.left) < 25
    # The stored hOCR says the same as the word records: boxes on the scan as it is.
    (from_hocr,) = read_hocr(page.hocr.encode(), source="test")
    assert [w.box for w in from_hocr.words] == [w.box for w in page.words]


def test_a_nonexistent_tesseract_is_named(tmp_path):
    scan = draw_text_page(tmp_path / "page.png", "x", size=(200, 100))
    with pytest.raises(OcrError, match="^" + re.escape(f"{scan}: {NOT_FOUND}")):
        ocr_page_image(scan, options=OcrOptions(), command=str(tmp_path / "nowhere" / "tesseract"), timeout=5)




def test_second_run_reads_every_page_from_the_cache(real_tesseract, tmp_collection, tmp_path, monkeypatch):
    from workbench.corpus import add_document

    # A wrapper that logs each call, then runs the real tesseract.
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "bin" / "tesseract"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real_tesseract}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("WORKBENCH_TESSERACT", str(wrapper))
    sources = [
        draw_text_page(tmp_path / "one.png", "First page of the paper", size=(900, 150)),
        draw_text_page(tmp_path / "two.png", "Second page follows here", size=(900, 150)),
    ]
    document = add_document(tmp_collection, "paper", title="Paper", sources=sources)
    first = run_ocr(tmp_collection, document, jobs=2)
    assert first.read == (1, 2) and first.engine.startswith("tesseract ")
    assert load_ocr_page(tmp_collection, "paper", 2).text == "Second page follows here\n"
    calls = log.read_text()
    second = run_ocr(tmp_collection, document, jobs=2)
    assert second.cached == (1, 2) and second.read == ()
    assert log.read_text() == calls


def test_a_page_without_resolution_is_read_as_it_is_with_tesseract_s_own_estimate(real_tesseract, tmp_path):
    drawn = draw_text_page(tmp_path / "drawn.png", TEXT, size=(1000, 330))
    scan = tmp_path / "page-008.png"
    Image.open(drawn).convert("RGB").save(scan)  # a colour file that says nothing of its resolution
    page = ocr_page_image(scan, options=OcrOptions(), command=str(real_tesseract), timeout=60)
    assert page.text == "The Treaty of Mutual\nCooperation and Security\n\nOkinawa reverted in 1972\n"
    # black on white reads the same both ways: the file as it is (plain Tesseract's reading) is kept, at
    # the resolution Tesseract logged it estimated from the text height
    assert page.resolution.source is ResolutionSource.TESSERACT and page.dpi > 70
    assert page.resolution.reason.startswith(f"the file as it is at {page.dpi} dpi (Tesseract's own estimate")
    assert "kept over the scan in gray at 300 dpi (the file gives no resolution" in page.resolution.reason
