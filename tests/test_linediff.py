"""The line diff: segments along the alignment, OCR lines beside their gold, labels of gold regions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from workbench.linediff import gold_regions, lines, page_lines, segments
from workbench.models import AlignOp, Flag, FlagCategory

DATA = Path(__file__).resolve().parent / "data" / "report"
HOSTILE = "<script>alert(1)</script>"


def test_side_by_side_segments_hold_both_texts_and_label_differences():
    gold = "  The Treaty\ncommits us."
    ocr = "Tbe Treaty  commits us,\n"
    ops = (
        AlignOp("equal", 2, 3, 0, 1),
        AlignOp("replace", 3, 4, 1, 2),
        AlignOp("equal", 4, 23, 2, 22),
        AlignOp("replace", 23, 24, 22, 23),
    )
    flag = Flag("d", 1, 0, 3, "Tbe", FlagCategory.MISREAD_WORD, ("The",))
    cut = segments(gold, ocr, ops, [flag])
    assert "".join(s.gold for s in cut) == gold
    assert "".join(s.ocr for s in cut) == ocr
    assert [s.tag for s in cut] == ["equal", "replace", "equal", "replace", "equal"]
    assert cut[1].categories == ("misread_word",) and cut[3].categories == ()


def test_side_by_side_follows_workbench_align_on_real_text():
    from workbench.align import align_chars

    gold = (DATA / "gold-001.txt").read_text(encoding="utf-8")
    ocr = (DATA / "ocr-001.txt").read_text(encoding="utf-8")
    cut = segments(gold, ocr, align_chars(gold, ocr))
    assert "".join(s.gold for s in cut) == gold
    assert "".join(s.ocr for s in cut) == ocr
    assert any(s.tag == "insert" and HOSTILE in s.ocr for s in cut)


def test_line_view_breaks_the_gold_where_the_ocr_breaks_and_loses_nothing(tmp_path):
    from workbench.align import align_chars
    from workbench.corpus import load_gold_page

    shutil.copyfile(DATA / "gold-001.txt", tmp_path / "page-001.txt")
    shutil.copyfile(DATA / "gold-001.markings.json", tmp_path / "page-001.markings.json")
    gold = load_gold_page(tmp_path, 1).full_text
    ocr = (DATA / "ocr-001.txt").read_text(encoding="utf-8")
    rows = lines(segments(gold, ocr, align_chars(gold, ocr)))
    assert "".join(p.text for row in rows for p in row.gold) == gold
    assert "".join(p.text for row in rows for p in row.ocr) == ocr
    ocr_lines = ["".join(p.text for p in row.ocr) for row in rows]
    assert ocr_lines == ocr.splitlines(keepends=True)
    by_ocr = dict(zip(ocr_lines, ("".join(p.text for p in row.gold) for row in rows), strict=True))
    assert by_ocr["C0NFIDENTIAL\n"].strip() == "CONFIDENTIAL"
    assert by_ocr["The Treaty of Mutual Cooper-\n"].startswith("The Treaty of Mutual Cooper")
    assert by_ocr[HOSTILE + "\n"].strip() == ""
    assert by_ocr["-1-\n"].strip() == "-1-"
    assert [row.number for row in rows if row.blank] == []  # this OCR has no empty line
    (hostile,) = [p for row in rows for p in row.ocr if HOSTILE in p.text]
    assert hostile.tag == "insert" and "\n" not in hostile.shown


def test_line_view_keeps_empty_ocr_lines_as_blank_rows():
    from workbench.align import align_chars

    gold, ocr = "One two three.", "One two\n\nthree,\n"
    rows = lines(segments(gold, ocr, align_chars(gold, ocr)))
    assert ["".join(p.text for p in row.ocr) for row in rows] == ["One two\n", "\n", "three,\n"]
    assert ["".join(p.text for p in row.gold) for row in rows] == ["One two ", "", "three."]
    assert [row.blank for row in rows] == [False, True, False]
    assert [p.tag for p in rows[2].ocr] == ["equal", "replace", "equal"]


def opcodes(gold: str, ocr: str):
    return [AlignOp(o.tag, o.src_start, o.src_end, o.dest_start, o.dest_end) for o in Levenshtein.opcodes(gold, ocr)]


@pytest.mark.parametrize(
    ("gold", "ocr"),
    [
        (
            "CONFIDENTIAL\nThe quick brown fox jumps over the lazy dog.\nGDS",
            "C0NFIDENTIAL\nThe quick brovvn fox\njumps ovr the lazy dog.\nGDS 1",
        ),
        ("abc", ""),
        ("", "x\ny\n"),
        ("line one\nline two", "line one\nline two"),
        ("a-\nb", "a\n\n-b"),
    ],
)
def test_lines_are_the_ocr_lines_and_keep_every_character_of_both_texts(gold, ocr):
    rows = lines(segments(gold, ocr, opcodes(gold, ocr)))
    # One row per OCR line; gold lost from an empty OCR still gets a row of its own.
    assert [r.number for r in rows] == list(range(1, (len(ocr.splitlines()) or int(bool(gold))) + 1))
    assert "".join(p.text for r in rows for p in r.ocr) == ocr
    assert "".join(p.text for r in rows for p in r.gold) == gold


def test_lines_mark_differences_and_tell_markings_from_body():
    from workbench.models import GoldPage, Marking, MarkingKind, Zone

    page = GoldPage(
        1,
        "The body text.\n",
        (Marking("SECRET", MarkingKind.CLASSIFICATION, Zone.TOP, "top-center"),
         Marking("-2-", MarkingKind.PAGE_NUMBER, Zone.BOTTOM, "bottom-center")),
    )
    regions = gold_regions(page)
    assert [page.full_text[r.start : r.end] for r in regions] == ["SECRET", "The body text.", "-2-"]
    ocr = "SECRFT\nThe bodv text.\n-2-"
    rows = lines(segments(page.full_text, ocr, opcodes(page.full_text, ocr)), regions=regions)
    assert [r.label for r in rows] == ["classification", "body", "page_number"]
    assert ("F", "replace") in [(p.text, p.tag) for p in rows[0].ocr]
    assert ("y", "replace") in [(p.text, p.tag) for p in rows[1].gold]
    # page_lines is the same cut over the aligner's ops, as the app and the report draw it.
    assert [r.label for r in page_lines(ocr, page)] == ["classification", "body", "page_number"]


def test_lines_follow_the_aligners_whitespace_folding():
    from workbench.align import align_chars

    gold = "The  quick brown fox\njumps over the dog."
    ocr = "The quick brovvn\nfox jumps ovcr\nthe dog."
    rows = lines(segments(gold, ocr, align_chars(gold, ocr)))
    assert [r.gold_text.split() for r in rows] == [["The", "quick", "brown"], ["fox", "jumps", "over"], ["the", "dog."]]
    assert "".join(p.text for r in rows for p in r.ocr) == ocr


def test_a_page_without_gold_is_its_ocr_lines_alone():
    rows = page_lines("one\ntwo\n")
    assert [(r.number, r.gold, r.label) for r in rows] == [(1, (), "body"), (2, (), "body")]
    assert ["".join(p.text for p in r.ocr) for r in rows] == ["one\n", "two\n"]
