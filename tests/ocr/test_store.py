"""Stored OCR round-trips and refuses inconsistent records."""

from __future__ import annotations

import pytest

from workbench.errors import InputError
from workbench.models import Box, OcrPage, OcrWord
from workbench.ocr.store import has_ocr, load_ocr_page, save_ocr_page


def test_page_round_trips_with_words_and_boxes(tmp_collection):
    text = "The Treaty\ncommits"
    words = (
        OcrWord("The", 0, 3, 96.5, Box(10, 10, 40, 30), line=1),
        OcrWord("Treaty", 4, 10, 91.0, Box(50, 10, 120, 30), line=1),
        OcrWord("commits", 11, 18, 40.0, Box(10, 40, 90, 60), line=2),
    )
    page = OcrPage("doc", 1, text, words, engine="tesseract 5.3", options={"psm": 3})
    save_ocr_page(tmp_collection, page, hocr="<html/>")
    loaded = load_ocr_page(tmp_collection, "doc", 1)
    assert loaded == page
    assert loaded.options == {"psm": 3}


def test_word_offsets_must_match_the_text(tmp_collection):
    page = OcrPage("doc", 1, "abc", (OcrWord("xyz", 0, 3),))
    with pytest.raises(ValueError, match="does not stand at 0:3"):
        save_ocr_page(tmp_collection, page)


def test_missing_ocr_names_the_file_and_the_command(tmp_collection):
    hint = r"\(run `workbench ocr doc` on its scans, or `workbench import-ocr doc FILE...`\)"
    with pytest.raises(InputError, match=r"page-002.txt: no OCR for page 2 of 'doc' " + hint):
        load_ocr_page(tmp_collection, "doc", 2)


def test_has_ocr_needs_every_page(tmp_collection, repo_collection):
    document = repo_collection.document("us-japan-1974")
    assert not has_ocr(tmp_collection, document)


def test_saving_without_hocr_removes_the_older_pages_hocr(tmp_collection):
    from workbench.ocr.store import hocr_path

    save_ocr_page(tmp_collection, OcrPage("doc", 1, "a\n", (OcrWord("a", 0, 1),)), hocr="<html/>")
    assert hocr_path(tmp_collection, "doc", 1).read_text() == "<html/>"
    save_ocr_page(tmp_collection, OcrPage("doc", 1, "b\n", (OcrWord("b", 0, 1),), engine="import:alto"))
    assert not hocr_path(tmp_collection, "doc", 1).exists()
    assert load_ocr_page(tmp_collection, "doc", 1).engine == "import:alto"


def test_word_records_round_trip_through_json():
    from workbench.ocr.store import word_from_json, word_to_json

    word = OcrWord("Treaty", 4, 10, 91.5, Box(50, 10, 120, 30), line=2, paragraph=1, block=1)
    assert word_from_json(word_to_json(word)) == word
    assert word_from_json({"text": "x", "start": 0, "end": 1}) == OcrWord("x", 0, 1)
