"""The lines of an OCR page and what lies under a point of the scan (workbench.ocrlines)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.ui.conftest import ocr_page
from workbench.models import OcrPage, OcrWord
from workbench.ocrlines import Hit, hit_test, low_confidence_words, ocr_line_spans, ocr_lines

LINES = ["C0NFIDENTIAL", "The Treaty commits the US", "", "to recognise an arned attack"]


def test_lines_hold_their_words_and_the_box_around_them():
    lines = ocr_lines(ocr_page("memo", 1, LINES))
    assert [line.number for line in lines] == [1, 2, 3, 4]
    assert [line.text for line in lines] == LINES
    assert [w.text for w in lines[1].words] == ["The", "Treaty", "commits", "the", "US"]
    # 40 px per line from y 40, 12 px per character from x 40 (the UI fixtures' grid)
    assert (lines[1].box.left, lines[1].box.top, lines[1].box.bottom) == (40, 80, 110)
    assert lines[2].words == () and lines[2].box is None


@given(st.text(alphabet="ab \n", max_size=30))
def test_spans_cut_the_text_into_its_lines(text):
    spans = ocr_line_spans(text)
    assert [text[a:b] for a, b in spans] == text.split("\n")


def test_a_point_inside_a_word_hits_that_word_of_its_line():
    lines = ocr_lines(ocr_page("memo", 1, LINES))
    # "commits" starts at column 11 of line 2: x 40 + 12 * 11 = 172 .. 256, y 80 .. 110
    assert hit_test(lines, 180, 95) == Hit(2, 2)
    assert hit_test(lines, 45, 165) == Hit(4, 0)


def test_a_point_between_words_or_lines_hits_the_nearest():
    lines = ocr_lines(ocr_page("memo", 1, LINES))
    assert hit_test(lines, 163, 95) == Hit(2, 1)  # in the space after "Treaty", nearer to it
    assert hit_test(lines, 169, 95) == Hit(2, 2)  # nearer to "commits"
    assert hit_test(lines, 100, 114) == Hit(2, 1)  # just below "Treaty", nearer to line 2 than to line 4
    assert hit_test(lines, 100, 158) == Hit(4, 1)  # just above line 4


def test_a_point_far_from_every_line_hits_nothing():
    lines = ocr_lines(ocr_page("memo", 1, LINES))
    assert hit_test(lines, 100, 900) is None
    assert hit_test(lines, 4000, 95) is None


def test_a_page_without_boxes_hits_nothing():
    page = OcrPage("memo", 1, "text only\nno boxes", (OcrWord("text", 0, 4),))
    assert hit_test(ocr_lines(page), 10, 10) is None


def test_low_confidence_words_are_those_under_the_threshold():
    page = OcrPage("memo", 1, "a bb ccc", (OcrWord("a", 0, 1, conf=95), OcrWord("bb", 2, 4, conf=40),
                                          OcrWord("ccc", 5, 8)))
    assert low_confidence_words(ocr_lines(page)[0], 70.0) == (1,)
