"""The resolution Tesseract is told: the option, a plausible file tag, else an estimate; always recorded."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from PIL import Image

from workbench.corpus import write_manifest
from workbench.fsutil import sha256_file
from workbench.ocr.options import OcrOptions
from workbench.ocr.run import run_ocr
from workbench.ocr.store import words_path
from workbench.ocr.tesseract import MIN_ESTIMATE_DPI, Resolution, ResolutionSource, choose_resolution


def test_the_option_wins_over_the_file():
    choice = choose_resolution((2550, 3300), 72.0, option=200)
    assert (choice.dpi, choice.source) == (200, ResolutionSource.OPTION)


def test_a_plausible_tag_is_used_as_the_file_says():
    # a small 96 dpi scan of an A4 letter: 8.3 x 11.7 inches
    choice = choose_resolution((793, 1122), 96.0)
    assert (choice.dpi, choice.source) == (96, ResolutionSource.FILE)
    # a strip cut from a page keeps its tag: a tag is only doubted when the page would be too large
    assert choose_resolution((1000, 330), 300.0).source is ResolutionSource.FILE


def test_an_implausible_tag_is_replaced_by_an_estimate_saying_why():
    # 1740 x 2480 pixels said to be 72 dpi would be a page 34 inches tall
    choice = choose_resolution((1740, 2480), 72.0)
    assert choice.source is ResolutionSource.ESTIMATE and choice.file_dpi == 72.0
    assert choice.dpi == MIN_ESTIMATE_DPI  # 2480 px over a letter page is 218 dpi, raised to 300
    assert "72 dpi would make a 34-inch page" in choice.reason


def test_no_tag_means_an_estimate_from_the_page_size():
    large = choose_resolution((3146, 4198), None)
    assert (large.dpi, large.source) == (368, ResolutionSource.ESTIMATE)
    assert "no resolution" in large.reason
    small = choose_resolution((1024, 1414), None)
    assert small.dpi == MIN_ESTIMATE_DPI and "raised to 300" in small.reason


@pytest.mark.parametrize("tag", [0.0, 10.0, 5000.0])
def test_a_tag_out_of_range_is_no_tag(tag):
    assert choose_resolution((2550, 3300), tag).source is ResolutionSource.ESTIMATE


def test_the_record_round_trips():
    choice = choose_resolution((1740, 2480), 72.0)
    assert Resolution.from_dict(json.loads(json.dumps(choice.as_dict()))) == choice


def test_the_stored_ocr_says_what_resolution_was_used_and_why(tmp_collection, small_document, fake_tesseract):
    scan = small_document.pages[0].scan
    Image.new("L", (1740, 2480), 255).save(scan, dpi=(72, 72))
    # the new scan recorded in the manifest (a scan replaced without it is refused before OCR)
    pages = (replace(small_document.pages[0], sha256=sha256_file(scan)), *small_document.pages[1:])
    document = replace(small_document, pages=pages)
    write_manifest(document, small_document.manifest_path)
    run_ocr(tmp_collection, document, options=OcrOptions())
    recorded = json.loads(words_path(tmp_collection, "small", 1).read_text("utf-8"))["options"]
    assert recorded["resolution"] == 300 and recorded["resolution_source"] == "estimate"
    assert "72 dpi" in recorded["resolution_reason"]
    assert "--dpi 300" in " ".join(call for call in fake_tesseract.calls() if "page-001" in call)
